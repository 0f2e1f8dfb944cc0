"""``rag eval run``: answer a question set with the real pipeline and score every step.

The run folder holds ``questions.jsonl`` (one scored row per question), ``summary.json``,
``report.md`` and PNG plots (see ``eval.report``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval import metrics
from eval.datasets import Question, load_questions
from eval.retrieval import GoldSpan, gold_spans, relevant
from index import Index, sample_dir
from rag.api import answer_from, open_index, resolve_backend
from rag.backends import Backend
from rag.judges import Judge, cited_sentences, get_judge, strip_markers
from rag.prompt import is_refusal

RETRIEVAL_KS = (1, 3, 5, 10)


def default_index_dir(articles: Path) -> Path:
    """A cache index per article folder, so an eval run never touches the user's own index."""
    from platformdirs import user_cache_dir

    tag = hashlib.sha256(str(articles.resolve()).encode()).hexdigest()[:10]
    return Path(user_cache_dir("news-rag")) / f"eval-index-{tag}"


def default_run_dir(backend: str) -> Path:
    return Path("eval-runs") / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{backend}"


def run(
    dataset: str | Path, *, backend: Backend | str | None = None, k: int = 5, judge: Judge | str = "offline",
    articles: str | Path | None = None, index_dir: str | Path | None = None, out_dir: str | Path | None = None,
    progress: bool = True, command: str = "",
) -> Path:
    """Run every question of ``dataset`` through retrieval and ``backend``; write and return the run folder.

    Args:
        dataset: a question JSONL file (see ``eval.datasets.load_questions``).
        backend: an answer backend or its name (default: llama-cpp with the bundled model, else extractive).
        k: passages retrieved per question.
        judge: the faithfulness judge or its name (named in every report).
        articles: the articles the questions are about (default: the bundled samples; ``"reuters"``: the
            Reuters-21578 stories of ``eval.reuters``, read from ../shared/corpora).
        index_dir: where to index them (default: a per-folder cache, not the user's index).
        out_dir: the run folder (default: ``eval-runs/<time>-<backend>``).
    """
    from tqdm import tqdm

    questions = load_questions(dataset)
    if str(articles) == "reuters":
        from eval.reuters import write_articles

        articles = write_articles()
    articles = Path(articles) if articles else sample_dir()
    idx = open_index(index_dir or default_index_dir(articles))
    report = idx.ingest([articles], progress=progress)
    llm = resolve_backend(backend)
    if isinstance(judge, str):  # the offline judge shares the index's already-loaded MiniLM
        judge = get_judge(judge, embedder=idx.embedder) if judge == "offline" else get_judge(judge)
    out = Path(out_dir) if out_dir else default_run_dir(llm.name)
    out.mkdir(parents=True, exist_ok=True)
    idx.warm_up()
    golds = gold_spans(idx, questions)
    rows = []
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for q in tqdm(questions, desc="questions", unit="q", disable=not progress):
            row = score_question(idx, q, golds[q.id], llm, judge, k)
            rows.append(row)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()  # a crash keeps every question scored so far
    summary = summarize(rows)
    summary["run"] = {
        "dataset": str(dataset), "questions": len(questions), "backend": llm.describe(), "judge": judge.describe(),
        "k": k, "articles": str(articles), "index_dir": str(idx.dir), "chunking": idx.chunking.signature,
        "embedder": idx.embedder.name, "documents_indexed": report.summary(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or " ".join(sys.argv), "python": platform.python_version(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    from eval.report import write_report

    write_report(out, summary, rows)
    return out


def score_question(idx: Index, q: Question, golds: list[GoldSpan], llm: Backend, judge: Judge, k: int) -> dict:
    """Answer one question and score retrieval, the answer, its citations and its faithfulness."""
    hits = idx.search(q.question, k=max(k, *RETRIEVAL_KS))
    found = [relevant(h, golds) for h in hits]
    rank = metrics.rank_of_first(found) if golds else None
    found_docs = {h.doc_id for h, ok in zip(hits[:k], found[:k], strict=True) if ok}
    gold_docs = {g.doc_id for g in golds}
    started = time.perf_counter()
    answer = answer_from(idx, q.question, backend=llm, k=k)
    latency = time.perf_counter() - started
    text = strip_markers(answer.text)
    row: dict[str, Any] = {
        "id": q.id, "question": q.question, "kind": q.kind, "answerable": q.answerable, "gold_answer": q.answer,
        "answer": answer.text, "reply": answer.reply, "refused": answer.refused,
        "refusal_reason": answer.refusal_reason, "answerability": answer.answerability,
        "latency_s": round(latency, 3),
        "retrieved": [{"article": Path(h.path or "").stem, "start": h.start, "end": h.end,
                       "score": round(h.score, 4), "also_in": [Path(p.path or "").stem for p in h.also_in], "gold": ok}
                      for h, ok in zip(hits, found, strict=True)],
        "gold_rank": rank,
        "gold_articles_found": len(found_docs) / len(gold_docs) if gold_docs else None,
        "citations": [{"number": c.number, "article": Path(c.path or "").stem, "start": c.start, "end": c.end}
                      for c in answer.citations],
        "dropped_markers": answer.dropped_markers,
        "dropped": [{"sentence": d.sentence, "reason": d.reason} for d in answer.dropped],
    }
    for kk in RETRIEVAL_KS:
        row[f"hit@{kk}"] = metrics.hit_at_k(rank, kk) if golds else None
    row["rr"] = metrics.reciprocal_rank(rank) if golds else None
    if q.answerable:
        row["match"] = 0.0 if answer.refused else float(metrics.answer_match(text, q.answers))
        row["f1"] = 0.0 if answer.refused else metrics.token_f1(text, q.answers)
        draft = strip_markers(answer.reply)  # before verification: what the backend itself got right
        row["match_unverified"] = float(bool(draft) and not is_refusal(draft)
                                        and metrics.answer_match(draft, q.answers))
    row["refusal_correct"] = answer.refused != q.answerable
    row.update(_judge_answer(answer, judge))
    return row


def _judge_answer(answer: Any, judge: Judge) -> dict[str, Any]:
    if answer.refused:
        return {"claims": [], "faithfulness": None, "citation_recall": None, "citation_precision": None}
    given = [h.text for h in answer.passages]
    claims: list[dict[str, Any]] = []
    for claim in judge.claims(answer.text):
        v = judge.judge(claim, given)
        claims.append({"claim": claim, "supported": v.supported, "score": v.score, "evidence": v.evidence,
                       "reasons": v.reasons})
    by_number = {n: h.text for n, h in enumerate(answer.passages, 1)}
    sentences = [(s, [by_number[n] for n in nums if n in by_number]) for s, nums in cited_sentences(answer.text)]
    cites = metrics.citation_scores(sentences, lambda c, ps: judge.judge(c, ps).supported)
    return {
        "claims": claims,
        "faithfulness": sum(bool(c["supported"]) for c in claims) / len(claims) if claims else None,
        "citation_recall": cites.recall if sentences else None,
        "citation_precision": cites.precision if cites.citations else None,
        "uncited_sentences": sum(1 for _, ps in sentences if not ps),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate the per-question rows: overall and by question kind."""
    def block(rs: list[dict[str, Any]]) -> dict[str, Any]:
        answerable = [r for r in rs if r["answerable"]]
        refusal = metrics.refusal_scores([(r["answerable"], r["refused"]) for r in rs])
        out: dict[str, Any] = {"questions": len(rs)}
        for kk in RETRIEVAL_KS:
            out[f"hit@{kk}"] = metrics.mean([r[f"hit@{kk}"] for r in answerable])
        out["mrr"] = metrics.mean([r["rr"] for r in answerable])
        out["gold_articles_found@k"] = metrics.mean([r["gold_articles_found"] for r in answerable])
        out["answer_match"] = metrics.mean([r.get("match") for r in answerable])
        out["token_f1"] = metrics.mean([r.get("f1") for r in answerable])
        out["answer_match_unverified"] = metrics.mean([r.get("match_unverified") for r in answerable])
        out["refusal_accuracy"] = refusal.accuracy if rs else None
        out["refused_unanswerable"] = refusal.refused_unanswerable if refusal.n_unanswerable else None
        out["refused_answerable"] = refusal.refused_answerable if refusal.n_answerable else None
        out["faithfulness"] = metrics.mean([r["faithfulness"] for r in rs])
        out["citation_recall"] = metrics.mean([r["citation_recall"] for r in rs])
        out["citation_precision"] = metrics.mean([r["citation_precision"] for r in rs])
        lat = [r["latency_s"] for r in rs]
        out["latency_p50_s"] = metrics.percentile(lat, 50)
        out["latency_p95_s"] = metrics.percentile(lat, 95)
        return out

    kinds = sorted({r["kind"] for r in rows})
    return {"overall": block(rows), "by_kind": {kind: block([r for r in rows if r["kind"] == kind]) for kind in kinds}}
