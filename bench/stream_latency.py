"""Time to first streamed text and to the verified answer, for a streaming backend (issue #5).

Run:  .venv/bin/python bench/stream_latency.py [--backend llama-cpp] [--k 5]
Indexes the sample articles into a temp folder, loads the model and the judge first (so load time is not
counted), then streams five questions and prints the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import Index, sample_dir  # noqa: E402
from rag.api import answer_stream, default_judge, resolve_backend  # noqa: E402

QUESTIONS = [
    "Will US troops be deployed to Ukraine?",
    "Who launched the Ukraine Defense Contact Group?",
    "What share of GDP should NATO members spend on defence?",
    "Which country led the Ukraine Defense Contact Group meeting for the first time?",
    "What did Peskov say about territory exchanges?",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", default="llama-cpp")
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        idx = Index(Path(tmp) / "index")
        idx.ingest([sample_dir()])
        idx.warm_up()
        backend = resolve_backend(args.backend)
        default_judge(idx).judge("Hegseth spoke in Brussels.", ["Hegseth spoke in Brussels on Wednesday."])
        list(answer_stream(idx, QUESTIONS[0], backend=backend, k=args.k))  # loads the model
        first, total = [], []
        for q in QUESTIONS:
            started, seen = time.perf_counter(), None
            for piece in answer_stream(idx, q, backend=backend, k=args.k):
                if seen is None and isinstance(piece, str) and piece.strip():
                    seen = time.perf_counter() - started
            total.append(time.perf_counter() - started)
            first.append(seen if seen is not None else total[-1])
        idx.close()
    print(f"{backend.describe()}, k={args.k}, {len(QUESTIONS)} questions, sample articles:")
    print(f"  first streamed text: median {statistics.median(first):.2f} s (max {max(first):.2f} s)")
    print(f"  verified answer:     median {statistics.median(total):.2f} s (max {max(total):.2f} s)")


if __name__ == "__main__":
    main()
