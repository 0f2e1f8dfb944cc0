"""The whole Reuters-21578 archive (21,578 stories) on these cores: ingest against the floor, then search (issue #16).

Run:  .venv/bin/python bench/archive_scale.py [--corpus DIR] [--index DIR] [--files reut2-000.sgm ...]
          [--floor-sample 3000] [--queries 200] [--skip-build]

1. build (this process): a fresh index in --index (default: the user cache, ``bench-archive-<files>``) ingests
   every archive with ``Index.ingest`` as ``rag ingest *.sgm`` does, model loaded and warmed first. Printed:
   stories, chunks, seconds, chunks/s, this process's peak RSS. ``--skip-build`` reuses a built index.
2. floor: a seeded random sample of ``--floor-sample`` of the stored chunk texts goes straight through
   the embedder and through ``SentenceTransformer.encode`` (batch 32) in this process, the faster being the floor
   (``bench/floor.py``); ratio = pipeline chunks/s / floor chunks/s.
   A sample, not every chunk, so the floor does not double the run; it has the same length mix as the whole.
3. search (a fresh process): open the index, load and warm the model (timed apart), then the first search,
   then ``--queries`` searches (k=5, shipped hybrid settings, query embedding included) over the questions of
   every Reuters question set in eval/data, cycled. Printed: first search, p50/p95, that process's peak RSS.
4. cold ask: ``rag --index-dir DIR ask --backend extractive QUESTION`` as a new process, 3 times; wall seconds.

Targets (#16): ratio >= 0.9; first search <= 1 s; p95 <= 50 ms; cold extractive ask <= 6 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.floor import describe, raw_encode, warm  # noqa: E402
from eval.reuters import CORPUS  # noqa: E402

ALL_FILES = tuple(f"reut2-{i:03d}.sgm" for i in range(22))
QUESTION_SETS = sorted((ROOT / "eval" / "data").glob("questions_reuters_*.jsonl"))


def default_index(files: tuple[str, ...]) -> Path:
    from platformdirs import user_cache_dir

    tag = "all" if files == ALL_FILES else "-".join(f.split(".")[0][-3:] for f in files)
    return Path(user_cache_dir("news-rag")) / f"bench-archive-{tag}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(index_dir: Path, paths: list[Path]) -> dict[str, float]:
    import shutil

    from index import Index
    from index.embedding import get_embedder

    shutil.rmtree(index_dir, ignore_errors=True)
    embedder = get_embedder()
    warm(embedder)
    idx = Index(index_dir, embedder=embedder)
    started = time.perf_counter()
    report = idx.ingest(paths, progress=True)
    seconds = time.perf_counter() - started
    idx.close()
    return {"stories": len(report.added), "skipped": len(report.skipped), "chunks": report.chunks_added,
            "seconds": seconds, "chunks_per_s": report.chunks_added / seconds, "peak_rss_mb": peak_rss_mb()}


def floor(index_dir: Path, sample: int) -> dict[str, float]:
    from index import Index
    from index.embedding import get_embedder

    embedder = get_embedder()
    idx = Index(index_dir, embedder=embedder)
    _, texts, _ = idx.store.all_chunks()
    idx.close()
    picked = random.Random(16).sample(list(texts), min(sample, len(texts)))
    embedder.embed_batch(picked[:64])  # warm
    low = raw_encode(embedder, picked)
    return {"sample": len(picked), "seconds": low["floor_s"], "chunks_per_s": len(picked) / low["floor_s"],
            "described": describe(len(picked), low)}


def questions() -> list[str]:
    out = []
    for path in QUESTION_SETS:
        out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def search(index_dir: Path, queries: int) -> dict[str, float]:
    """Run in a fresh process (``--phase search``)."""
    started = time.perf_counter()
    from index import Index
    from index.embedding import get_embedder

    embedder = get_embedder()
    embedder.embed_batch(["warm up the model"])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    idx = Index(index_dir, embedder=embedder)
    open_s = time.perf_counter() - started
    asked = questions()
    started = time.perf_counter()
    idx.search(asked[0], k=5)
    first_s = time.perf_counter() - started
    times = []
    for i in range(queries):
        q = asked[(i + 1) % len(asked)]
        started = time.perf_counter()
        idx.search(q, k=5)
        times.append((time.perf_counter() - started) * 1000)
    idx.close()
    times.sort()
    return {"model_load_s": load_s, "open_s": open_s, "first_search_s": first_s, "queries": queries,
            "p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "peak_rss_mb": peak_rss_mb()}


def cold_ask(index_dir: Path, question: str, runs: int = 3) -> list[float]:
    rag = Path(sys.executable).with_name("rag")
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(rag), "--index-dir", str(index_dir), "ask", "--backend", "extractive", question],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "RAG_BACKEND": ""})
        out.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"rag ask failed ({done.returncode}): {done.stderr[-2000:]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--files", nargs="+", default=list(ALL_FILES))
    ap.add_argument("--index", type=Path)
    ap.add_argument("--floor-sample", type=int, default=3000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--phase", choices=["search"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    files = tuple(args.files)
    index_dir = args.index or default_index(files)
    if args.phase == "search":
        print(json.dumps(search(index_dir, args.queries)))
        return
    print(f"corpus: {args.corpus} ({len(files)} files); index: {index_dir}; {os.cpu_count()} cores")
    if not args.skip_build:
        built = build(index_dir, [args.corpus / f for f in files])
        print(f"build: {built['stories']} stories ({built['skipped']} skipped), {built['chunks']} chunks in "
              f"{built['seconds']:.1f} s = {built['chunks_per_s']:.1f} chunks/s; "
              f"peak RSS {built['peak_rss_mb']:.0f} MB")
        low = floor(index_dir, args.floor_sample)
        print(f"floor: {low['described']}: {low['chunks_per_s']:.1f} chunks/s")
        print(f"ratio pipeline / floor: {built['chunks_per_s'] / low['chunks_per_s']:.2f}  (target >= 0.9)")
    child = subprocess.run([sys.executable, __file__, "--phase", "search", "--index", str(index_dir),
                            "--queries", str(args.queries)], capture_output=True, text=True, check=True)
    found = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"search (new process): model load {found['model_load_s']:.1f} s, open {found['open_s']:.2f} s, "
          f"first search {found['first_search_s']:.2f} s (target <= 1 s); {found['queries']} searches k=5 incl. "
          f"query embedding: p50 {found['p50_ms']:.0f} ms, p95 {found['p95_ms']:.0f} ms (target <= 50); "
          f"peak RSS {found['peak_rss_mb']:.0f} MB")
    walls = cold_ask(index_dir, questions()[0])
    print(f"cold `rag ask --backend extractive`: {', '.join(f'{w:.1f}' for w in walls)} s "
          f"(median {statistics.median(walls):.1f}; target <= 6 s)")


if __name__ == "__main__":
    main()
