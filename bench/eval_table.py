"""One table of every run folder ``bench/eval_backends.py`` wrote: backend × question set.

Run:  .venv/bin/python bench/eval_table.py [eval-runs]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETS = {"questions_reuters_dev": "Reuters dev (tuned on)", "questions_reuters_test": "Reuters test",
        "questions": "gold (samples)", "questions_heldout": "held-out (samples)"}
COLUMNS = [("hit@5", "hit@5"), ("answer_match", "correct"), ("answer_match_unverified", "correct before verify"),
           ("token_f1", "token F1"),
           ("refused_answerable", "refused answerable"), ("refused_unanswerable", "refused unanswerable"),
           ("refusal_accuracy", "refusal acc."), ("faithfulness", "faithful"), ("citation_precision", "cit. P"),
           ("citation_recall", "cit. R"), ("latency_p50_s", "p50 s")]


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "eval-runs")
    rows = []
    for summary in sorted(root.glob("bench-*/summary.json")):
        s = json.loads(summary.read_text())
        stem = Path(s["run"]["dataset"]).stem
        rows.append((list(SETS).index(stem) if stem in SETS else 99, s["run"]["backend"], SETS.get(stem, stem),
                     s["run"]["questions"], s["overall"]))
    print("| backend | questions | n | " + " | ".join(label for _, label in COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for _, backend, name, n, o in sorted(rows, key=lambda r: (r[1], r[0])):
        cells = ["–" if o.get(key) is None else f"{o[key]:.2f}" for key, _ in COLUMNS]
        print(f"| {backend} | {name} | {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
