"""Re-verify an eval run's replies with the current judge, without generating them again.

Generation is greedy (temperature 0, seed 0) and retrieval deterministic, so a run's recorded ``reply`` is what the
model would write again; a change to verification (``rag.verify``, the judges' checks) can be measured in minutes
on the recorded replies instead of a full run. Each row's passages are searched again (k from the run), its reply
verified with the default judge of the run's backend, and the refusal decision taken with the recorded model
P(answerable). The new answers are scored as ``rag eval run`` scores them, and written as a new run folder.
``--keep-all`` records the refusal decision's inputs but keeps every answer that verification kept: the run folder
to fit the decision on (``python -m eval.fit --answerable``), which re-decides each row with the fitted weights.

    python -m eval.reverify RUN [RUN ...] [--out PARENT] [--keep-all]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from eval import metrics
from eval.datasets import load_questions
from eval.reuters import write_articles
from eval.runner import default_index_dir
from index import sample_dir
from rag.api import calibrated_model, check_reply, default_judge, open_index
from rag.backends import get_backend
from rag.citations import parse_citations
from rag.judges import strip_markers
from rag.prompt import is_refusal


def reverify(run: Path, out: Path, keep_all: bool = False) -> Path:
    """Write ``out`` (a run folder holding ``questions.jsonl`` and ``summary.json``) from ``run``'s replies."""
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    info = summary["run"]
    idx = run_index(info)
    backend = get_backend("llama-cpp")
    backend.use_embedder(idx.embedder)
    judge = default_judge(idx, backend)
    rows = [json.loads(line) for line in (run / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    golds = {q.id: q.answers for q in load_questions(info["dataset"])}
    for row in rows:
        row["answers"] = golds.get(row["id"], [])
    out.mkdir(parents=True, exist_ok=True)
    new_rows = []
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            new_rows.append(_again(row, idx, judge, int(info.get("k", 5)), keep_all,
                                   backend if calibrated_model(backend, "answerable") else None))
            fh.write(json.dumps(new_rows[-1], ensure_ascii=False) + "\n")
            fh.flush()
    answerable = [r for r in new_rows if r["answerable"]]
    info = {**info, "judge": judge.describe(), "reverified_from": str(run)}
    new_summary = {"overall": {
        "answer_match": metrics.mean([r["match"] for r in answerable]),
        "refused_answerable": metrics.mean([float(r["refused"]) for r in answerable]),
        "refused_unanswerable": metrics.mean([float(r["refused"]) for r in new_rows if not r["answerable"]]),
    }, "run": info}
    (out / "summary.json").write_text(json.dumps(new_summary, indent=2) + "\n", encoding="utf-8")
    return out


def run_index(info: dict[str, Any]) -> Any:
    """The index a run searched (its articles ingested again if needed), from its summary's ``run`` record."""
    articles = Path(info["articles"])
    if not articles.is_dir():  # the Reuters articles are a cache folder: write them again
        articles = write_articles() if "reuters" in str(articles) else sample_dir()
    idx = open_index(info.get("index_dir") or default_index_dir(articles))
    idx.ingest([articles], progress=False)
    return idx


def _again(row: dict[str, Any], idx: Any, judge: Any, k: int, keep_all: bool, ask: Any = None) -> dict[str, Any]:
    question, reply = row["question"], row.get("reply") or ""
    old = row.get("answerability") or {}
    p_model = 1.0 / (1.0 + math.exp(-old["model_logit"])) if "model_logit" in old else None
    out = {**row, "answer": "", "refused": True, "answerability": {}, "dropped": []}
    if not reply or is_refusal(reply):
        return _scored(out)
    hits = idx.search(question, k=k)
    if p_model is None and ask is not None:  # the run refused before the decision, so did not record it: ask now
        p_model = ask.answerable_probability(question, hits)
    text, _, _ = parse_citations(reply, hits)
    checked, why, values = check_reply(question, text, hits, judge, idx, p_model=p_model)
    out["dropped"] = [{"sentence": d.sentence, "reason": d.reason} for d in checked.dropped]
    if not checked.kept:
        out["refusal_reason"] = why
        return _scored(out)
    refused = bool(why) and not keep_all
    out.update(answer=checked.text, refused=refused, refusal_reason=why if refused else "", answerability=values)
    return _scored(out)


def _scored(row: dict[str, Any]) -> dict[str, Any]:
    if row["answerable"]:
        row["match"] = 0.0 if row["refused"] else float(metrics.answer_match(strip_markers(row["answer"]),
                                                                            row.get("answers") or []))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.reverify", description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("eval-runs/reverified"))
    ap.add_argument("--keep-all", action="store_true",
                    help="keep every verified answer (record the refusal decision's inputs, do not act on them)")
    args = ap.parse_args()
    for run in args.runs:
        done = reverify(run, args.out / run.name, args.keep_all)
        s = json.loads((done / "summary.json").read_text())["overall"]
        print(f"{run.name}: correct {s['answer_match']:.2f}  refused answerable {s['refused_answerable']:.2f}  "
              f"refused unanswerable {s['refused_unanswerable']:.2f}  -> {done}")


if __name__ == "__main__":
    main()
