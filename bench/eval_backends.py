"""A full ``rag eval run`` of the gold questions for each backend, and one table of the results.

The ``openai`` backend is measured against a real llama.cpp server on 127.0.0.1 serving the bundled
SmolLM2 (no hosted model is reachable here). Run folders go to ``eval-runs/bench-<backend>``.

Run:  .venv/bin/python bench/eval_backends.py [--backends extractive llama-cpp:qwen2.5-1.5b openai] [--k 5]
      [--questions eval/data/questions_heldout.jsonl] [--articles reuters]

A backend ``llama-cpp:MODEL`` names the local model (qwen2.5-1.5b, qwen2.5-0.5b, smollm2 or a GGUF path).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import QUESTIONS  # noqa: E402
from eval.runner import run  # noqa: E402
from rag.backends import get_backend  # noqa: E402

COLUMNS = ["hit@1", "hit@5", "answer_match", "answer_match_unverified", "token_f1", "refusal_accuracy",
           "refused_unanswerable",
           "refused_answerable", "faithfulness", "citation_precision", "citation_recall", "latency_p50_s"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", nargs="+", default=["extractive", "llama-cpp:qwen2.5-1.5b", "openai"])
    ap.add_argument("--articles", default=None, help="article folder, or 'reuters' (default: the sample articles)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--out", default="eval-runs", help="parent folder of the run folders")
    ap.add_argument("--questions", type=Path, default=QUESTIONS,
                    help="question set (default: the gold set; eval/data/questions_heldout.jsonl is the held-out set)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so a killed run still stops its local server
    index = Path(tempfile.mkdtemp(prefix="eval-bench-index-"))
    results = {}
    with ExitStack() as stack:
        for label in args.backends:
            name, _, model = label.partition(":")
            if name == "openai":
                from rag.backends.llama_cpp import local_server

                log = stack.enter_context((index / "server.log").open("w"))
                base = stack.enter_context(local_server(log=log))
                backend = get_backend("openai", base_url=base, model="smollm2", api_key_env="")
            else:
                backend = get_backend(name, **({"model": model} if model else {}))
            tag = f"{label.replace(':', '-').replace('/', '_')}-{args.questions.stem}-k{args.k}"
            out = run(args.questions, backend=backend, k=args.k, articles=args.articles,  # a cache index per folder
                      out_dir=Path(args.out) / f"bench-{tag}", progress=True,
                      command=f"bench/eval_backends.py --backends {label} --k {args.k} --questions {args.questions}"
                              + (f" --articles {args.articles}" if args.articles else ""))
            results[label] = json.loads((out / "summary.json").read_text())
    print(f"\n{len(results)} backends, {args.questions.name}, k={args.k}; answers verified by the default judge "
          "(model for the bundled 1.5B, else offline); faithfulness scored by the offline judge\n")
    print("| backend | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for name, s in results.items():
        cells = ["–" if s["overall"].get(c) is None else f"{s['overall'][c]:.2f}" for c in COLUMNS]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
