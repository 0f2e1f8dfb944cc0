"""Turn an eval run's replies into claims to label: ``python -m eval.replies RUN OUT.jsonl``.

The judge's other claim files are sentences written (or perturbed) by people; these are the sentences the reader
model really wrote, restating the question's own details, citing the wrong passage, answering a question the
passages cannot answer. Each sentence of each recorded reply becomes one line in the claim-file format
(``eval.datasets.load_claims``) with its question, and as passages the retrieved passages it cites (all of them
when it cites none), ``label`` left ``null`` for a person to fill in. Passages are searched again with the run's
index and k, as ``eval.reverify`` does; a row whose passages are no longer the ones the run recorded is skipped
with a warning (its [n] would point at passages the reader never saw).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eval.reverify import run_index
from rag.citations import parse_citations
from rag.judges.base import marked_sentences
from rag.prompt import is_refusal


def dump(run: Path, out: Path) -> int:
    """Write ``out`` from ``run``'s replies; the number of sentences written."""
    info = json.loads((run / "summary.json").read_text(encoding="utf-8"))["run"]
    idx = run_index(info)
    k = int(info.get("k", 5))
    rows = [json.loads(line) for line in (run / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    written = 0
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            reply = row.get("reply") or ""
            if not reply or is_refusal(reply):
                continue
            hits = idx.search(row["question"], k=k)
            recorded = [(r["article"], r["start"], r["end"]) for r in row.get("retrieved", [])[:k]]
            if not hits or (recorded and recorded != [(_stem(h), h.start, h.end) for h in hits]):
                print(f"{row['id']}: skipped: search no longer finds the passages the run's reply cited",
                      file=sys.stderr)
                continue
            text, _, _ = parse_citations(reply, hits)
            for sentence, numbers in marked_sentences(text):
                if len(sentence.split()) < 2:  # a bare label or fragment: verification skips it too
                    continue
                cited = [n for n in numbers if 1 <= n <= len(hits)] or list(range(1, len(hits) + 1))
                fh.write(json.dumps({
                    "claim": sentence, "passages": [hits[n - 1].text for n in cited], "label": None,
                    "question": row["question"], "kind": "reply", "id": row["id"],
                    "answerable": row["answerable"], "article": _stem(hits[cited[0] - 1]),
                    "source": "reuters" if "reuters" in str(info["articles"]) else "samples",
                }, ensure_ascii=False) + "\n")
                written += 1
    return written


def _stem(hit: Any) -> str:
    """The article's file stem ("reuters-1234"), which ``eval.passages`` finds its chunk and article by."""
    return Path(hit.path).stem if hit.path else hit.doc_id


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.replies", description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    print(f"{dump(args.run, args.out)} sentences -> {args.out}")


if __name__ == "__main__":
    main()
