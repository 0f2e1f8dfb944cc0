"""Judge benchmark: balanced accuracy of every judge on both labelled claim files, and the lexical
baseline at its best threshold (an upper bound for it, chosen on the same data).

Run:  .venv/bin/python bench/judges.py [--llm]     (--llm adds the llm judge with the local model, RAG_MODEL)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import CLAIMS, CLAIMS_HELDOUT, load_claims  # noqa: E402
from eval.judging import evaluate_judge, format_table  # noqa: E402
from eval.metrics import classification_scores  # noqa: E402
from rag.judges import get_judge  # noqa: E402
from rag.judges.lexical import LexicalJudge  # noqa: E402


def best_lexical(path: Path) -> tuple[float, float]:
    claims = load_claims(path)
    scores = [LexicalJudge().judge(c.claim, c.passages).score for c in claims]
    best = (0.0, 0.0)
    for t in [x / 100 for x in range(0, 101, 5)]:
        s = classification_scores([c.label for c in claims], [sc >= t for sc in scores])
        best = max(best, (s.balanced_accuracy, t))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm", action="store_true", help="also measure the llm judge with the local model (RAG_MODEL)")
    args = ap.parse_args()
    offline = get_judge("offline")
    for name, path in (("dev (tuned on)", CLAIMS), ("held-out", CLAIMS_HELDOUT)):
        judges = [offline, get_judge("lexical")] + ([get_judge("llm", backend="llama-cpp")] if args.llm else [])
        reports = [evaluate_judge(j, path) for j in judges]
        print(f"\n== {name}: {path.name} ==")
        print(format_table(reports))
        acc, t = best_lexical(path)
        print(f"lexical at its best threshold on this file ({t:.2f}): balanced accuracy {acc:.3f}")
        n = len(load_claims(path))
        print(f"offline judge speed: {reports[0].seconds / n * 1000:.0f} ms per claim (spaCy + MiniLM warm after "
              "the first file)")


if __name__ == "__main__":
    main()
