"""Time to verify a 3-sentence answer against ~200-token passages, with the model judge and the offline one.

Run:  .venv/bin/python bench/verify_latency.py [--model qwen2.5-1.5b] [--limit 10]

For each of the first ``--limit`` answerable gold questions (eval/data/questions.jsonl over the sample articles):
search k=5, take the top 3 passages (index chunks, ~200 tokens), write the answer a reader would get from them (the
best-matching sentence of each, cited [1], [2], [3]) and time ``rag.verify.verify`` on it with each judge. Prints
per question and medians: seconds, llama.cpp forward passes and tokens evaluated, and the floor: those tokens at the
model's own prompt speed (measured here on a fresh 200-token prompt) and verification / floor.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import QUESTIONS, load_questions  # noqa: E402
from index import Index, sample_dir  # noqa: E402
from rag.backends.llama_cpp import LlamaCppBackend  # noqa: E402
from rag.evidence import rank  # noqa: E402
from rag.judges import get_judge  # noqa: E402
from rag.verify import verify  # noqa: E402


def prompt_speed(backend: LlamaCppBackend, text: str) -> float:
    """The model's prompt tokens/s on ``text`` evaluated from an empty cache."""
    llm = backend.llm()
    tokens = llm.tokenize(text.encode())[:200]
    llm.reset()
    started = time.perf_counter()
    llm.eval(tokens)
    return len(tokens) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="qwen2.5-1.5b")
    ap.add_argument("--limit", type=int, default=10)
    args = ap.parse_args()
    backend = LlamaCppBackend(args.model)
    llm = backend.llm()
    counted: list[int] = []
    real_eval = llm.eval

    def counting(tokens):  # type: ignore[no-untyped-def]
        counted.append(len(tokens))
        return real_eval(tokens)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        idx = Index(Path(tmp) / "index")
        idx.ingest([sample_dir()])
        judges = {"model": get_judge("model", embedder=idx.embedder, backend=backend),
                  "offline": get_judge("offline", embedder=idx.embedder)}
        questions = [q for q in load_questions(QUESTIONS) if q.answerable][:args.limit]
        floor_tps = prompt_speed(backend, " ".join(h.text for h in idx.search(questions[0].question, k=3)))
        llm.eval = counting
        for judge in judges.values():  # warm: spaCy, MiniLM and the judge's system prompt
            judge.judge("Hegseth spoke in Brussels.", ["Hegseth spoke in Brussels on Wednesday."])
        for q in questions:
            hits = idx.search(q.question, k=5)[:3]
            best = {}
            for s in rank(q.question, hits, idx.embedder, statements_only=True):
                best.setdefault(s.number, s.text)
            answer = " ".join(f"{best[n]} [{n}]" for n in sorted(best))
            row = {"q": q.id, "tokens_in_passages": sum(len(llm.tokenize(h.text.encode())) for h in hits)}
            for name, judge in judges.items():
                counted.clear()
                started = time.perf_counter()
                checked = verify(answer, hits, judge, question=q.question)
                row[f"{name}_s"] = time.perf_counter() - started
                row[f"{name}_kept"] = checked.kept
                if name == "model":
                    row["passes"], row["evaluated"] = len(counted), sum(counted)
            row["floor_s"] = row["evaluated"] / floor_tps
            rows.append(row)
            print(f"{q.id}: model {row['model_s']:.2f} s ({row['passes']} passes, {row['evaluated']} tokens, floor "
                  f"{row['floor_s']:.2f} s), offline {row['offline_s']:.2f} s, kept {row['model_kept']}/"
                  f"{row['offline_kept']} of 3, passages {row['tokens_in_passages']} tokens", flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in ("model_s", "offline_s", "passes", "evaluated", "floor_s",
                                                                 "tokens_in_passages")}
    print(f"\n{platform.node()} {platform.processor() or platform.machine()}, {args.model}, prompt speed "
          f"{floor_tps:.1f} tok/s; {len(rows)} answers of 3 sentences against 3 passages of median "
          f"{med['tokens_in_passages'] / 3:.0f} tokens")
    print(f"median verify: model judge {med['model_s']:.2f} s ({med['passes']:.0f} forward passes, "
          f"{med['evaluated']:.0f} tokens evaluated; floor {med['floor_s']:.2f} s, ratio "
          f"{med['model_s'] / med['floor_s']:.2f}x); offline judge {med['offline_s']:.2f} s")


if __name__ == "__main__":
    main()
