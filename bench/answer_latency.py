"""Verified-answer latency of the local model against its floor: the model's own time on the same prompts.

Run:  .venv/bin/python bench/answer_latency.py [--model qwen2.5-1.5b] [--k 5] [--questions FILE --articles DIR|reuters]
      [--limit 10]

For each answerable question (default: the first 10 of eval/data/questions.jsonl over the sample articles):
1. pipeline: ``answer_stream`` end to end (search, evidence selection, generation, verification, answerability),
   timing the first streamed token and the verified answer;
2. floor: the same chat messages sent straight to the same loaded llama.cpp model with the same options, timing
   its first token and its last.
Before each of the two, llama.cpp's cache is reset and the system prompt evaluated, as it is between questions
in a running app, so both start from the same state. Prints per question and medians: prompt and generated
tokens, the model's prompt and generation tokens/s, both timings, and pipeline / floor.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import QUESTIONS, load_questions  # noqa: E402
from index import Index, sample_dir  # noqa: E402
from rag.api import answer_stream, default_judge  # noqa: E402
from rag.backends.llama_cpp import LlamaCppBackend  # noqa: E402
from rag.prompt import EXAMPLE, SYSTEM  # noqa: E402
from rag.types import Answer  # noqa: E402


def prime(backend: LlamaCppBackend) -> None:
    """Reset llama.cpp's cache and evaluate the system prompt, as after any earlier question."""
    llm = backend.llm()
    llm.reset()
    llm.create_chat_completion(messages=[{"role": "system", "content": SYSTEM}, *EXAMPLE,
                                         {"role": "user", "content": "Hi"}], max_tokens=1)


def floor(backend: LlamaCppBackend, messages: list[dict[str, str]]) -> tuple[float, float, int]:
    """(first token s, last token s, tokens generated) for ``messages`` sent straight to the model."""
    prime(backend)
    llm, started, first, n = backend.llm(), time.perf_counter(), None, 0
    for chunk in llm.create_chat_completion(messages=messages, stream=True, **backend._options()):
        if chunk["choices"][0].get("delta", {}).get("content"):
            first = first or time.perf_counter() - started
            n += 1
    total = time.perf_counter() - started
    return first or total, total, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="qwen2.5-1.5b")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--articles", default=None, help="article folder, or 'reuters' (default: the sample articles)")
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args()
    if args.articles == "reuters":
        from eval.reuters import write_articles

        articles = write_articles()
    else:
        articles = Path(args.articles) if args.articles else sample_dir()
    questions = [q for q in load_questions(args.questions) if q.answerable][:args.limit]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        idx = Index(Path(tmp) / "index")
        idx.ingest([articles])
        idx.warm_up()
        backend = LlamaCppBackend(args.model)
        default_judge(idx).judge("Hegseth spoke in Brussels.", ["Hegseth spoke in Brussels on Wednesday."])
        list(answer_stream(idx, questions[0].question, backend=backend, k=args.k))  # loads the model and spaCy
        for q in questions:
            prime(backend)
            started, first, answer = time.perf_counter(), None, None
            for piece in answer_stream(idx, q.question, backend=backend, k=args.k):
                if isinstance(piece, Answer):
                    answer = piece
                elif first is None and piece.strip():
                    first = time.perf_counter() - started
            total = time.perf_counter() - started
            backend.use_embedder(idx.embedder)
            messages = backend.messages(q.question, idx.search(q.question, k=args.k))
            prompt = backend.prompt_tokens(messages)
            f_first, f_total, gen = floor(backend, messages)
            rows.append({"q": q.id, "prompt": prompt, "gen": gen, "first": first or total, "total": total,
                         "f_first": f_first, "f_total": f_total, "refused": bool(answer and answer.refused)})
            r = rows[-1]
            print(f"{q.id}: prompt {prompt} tok, {gen} generated; floor first {f_first:.2f} s, last {f_total:.2f} s; "
                  f"pipeline first {r['first']:.2f} s, verified {total:.2f} s; ratio {total / f_total:.2f}"
                  f"{' (refused)' if r['refused'] else ''}", flush=True)
        idx.close()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    sys_tokens = backend.prompt_tokens([{"role": "system", "content": SYSTEM}, *EXAMPLE])
    prompt_rate = statistics.median((r["prompt"] - sys_tokens) / r["f_first"] for r in rows)
    gen_rate = statistics.median((r["gen"] - 1) / max(1e-6, r["f_total"] - r["f_first"]) for r in rows if r["gen"] > 1)
    print(f"\n{backend.describe()}, k={args.k}, {len(rows)} answerable questions of {args.questions.name} over "
          f"{articles}; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print(f"  prompt tokens per answer:   median {med('prompt'):.0f} (system prompt and worked example {sys_tokens}, "
          "cached between questions)")
    print(f"  floor, the model alone:     prompt {prompt_rate:.1f} tok/s (uncached part), generation {gen_rate:.1f} "
          f"tok/s; first token {med('f_first'):.2f} s, last {med('f_total'):.2f} s (medians)")
    print(f"  pipeline:                   first streamed token {med('first'):.2f} s, verified answer "
          f"{med('total'):.2f} s (medians; p90 {sorted(r['total'] for r in rows)[int(0.9 * (len(rows) - 1))]:.2f} s)")
    print(f"  pipeline / floor:           {statistics.median(r['total'] / r['f_total'] for r in rows):.2f}x "
          f"(median of per-question ratios; first token "
          f"{statistics.median(r['first'] / r['f_first'] for r in rows):.2f}x)")


if __name__ == "__main__":
    main()
