"""Figures for the spine (issue #2): ingest time and chunks, search latency, ask latency per backend.

Run:  .venv/bin/python bench/spine.py [--llm-questions 5]
Prints what it measured, on what, and how. The openai backend is measured against a real
`python -m llama_cpp.server` serving the bundled SmolLM2 on 127.0.0.1 (started and stopped here).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the 18 spine questions: the gold rows that carry "must_contain"
QUESTIONS = [row["question"] for x in (ROOT / "eval/data/questions.jsonl").read_text().splitlines()
             if x.strip() and (row := json.loads(x)).get("must_contain")]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-questions", type=int, default=5, help="questions per generative backend")
    ap.add_argument("--search-rounds", type=int, default=10, help="passes over the questions for search latency")
    args = ap.parse_args()

    from index import Index, sample_dir
    from rag.api import answer_from
    from rag.backends import get_backend
    from rag.backends.llama_cpp import local_server

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}")
    print(f"corpus: {len(list(sample_dir().glob('*.txt')))} sample articles ({sample_dir()}); "
          f"{len(QUESTIONS)} spine questions from eval/data/questions.jsonl")
    t0 = time.perf_counter()
    idx = Index(Path(tempfile.mkdtemp()) / "index")
    idx.embedder.embed("warm up")  # model load
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = idx.ingest([sample_dir()])
    ingest = time.perf_counter() - t0
    t0 = time.perf_counter()
    idx.ingest([sample_dir()])
    reingest = time.perf_counter() - t0
    print(f"\nembedder load:       {load:.2f} s (all-MiniLM-L6-v2, bundled)")
    print(f"ingest:              {ingest:.2f} s for {len(report.added)} articles -> {report.chunks_added} chunks "
          f"(clean + chunk + embed + store)")
    print(f"re-ingest unchanged: {reingest:.3f} s (0 chunks embedded)")

    lat = []
    for _ in range(args.search_rounds):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            idx.search(q, k=5)
            lat.append(time.perf_counter() - t0)
    print(f"search k=5:          p50 {ms(statistics.median(lat))}, p95 {ms(pct(lat, 95))} "
          f"over {len(lat)} queries (includes query embedding)")

    backends: list[tuple[str, dict, list[str]]] = [("extractive", {}, QUESTIONS)]
    with ExitStack() as stack:
        try:
            backends.append(("llama-cpp", {"model": "smollm2"}, QUESTIONS[:args.llm_questions]))
            base = stack.enter_context(local_server("smollm2"))
            backends.append(("openai", {"base_url": base, "model": "smollm2", "api_key_env": ""},
                             QUESTIONS[:args.llm_questions]))
        except Exception as exc:  # the [local-llm] extra may be missing
            print(f"(generative backends skipped: {exc})")
        print("\nask latency (retrieval + answer, k=5):")
        for name, opts, qs in backends:
            backend = get_backend(name, **opts)
            answer_from(idx, qs[0], backend=backend, k=5)  # warm up (model load)
            times, refused = [], 0
            for q in qs:
                t0 = time.perf_counter()
                a = answer_from(idx, q, backend=backend, k=5)
                times.append(time.perf_counter() - t0)
                refused += a.refused
            print(f"  {backend.describe():50s} median {statistics.median(times):6.2f} s, max {max(times):6.2f} s "
                  f"over {len(qs)} questions ({refused} refused)")
    idx.close()


if __name__ == "__main__":
    main()
