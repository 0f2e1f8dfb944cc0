"""Search latency at 1k, 10k and 100k chunks, excluding and including the query's embedding, with peak memory.

Run:  .venv/bin/python bench/search_latency.py [--sizes 1000 10000 100000] [--queries 60]
          [--stores embedded server]

Each size and store is built in one process and searched in a fresh one, so the peak RSS is search's alone.
"server" starts a real ``chroma run`` on 127.0.0.1 (``index.servers.chroma_server``), restarted over the same
data between building and searching, and reports its peak RSS apart. The corpus is
synthetic: passages of ~120 words recombined from the sample articles' sentences, 10 per article, 8 outlets,
dated across a year, with deterministic random unit vectors (384-d) written straight to the store and the
manifest, BM25 tokens included, as ingest writes them (embedding 100k passages with MiniLM would take ~2 hours
here; latency does not depend on what the vectors mean). "Excluding" uses query vectors computed before the
clock starts; "including" adds the real MiniLM embedding of each query. The first search of a process
builds BM25 from the manifest's tokens and is reported apart. Each size: one warm-up search, then 60 timed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = [
    "What did Hegseth say about NATO membership for Ukraine?", "Will US troops be deployed to Ukraine?",
    "Who chaired the Ukraine Defense Contact Group meeting?", "How much aid have 50 countries given Ukraine?",
    "What share of GDP should NATO members spend on defence?", "What did Zelensky say about security guarantees?",
]


@functools.lru_cache(maxsize=4096)
def vector(text: str, dim: int = 384) -> list[float]:
    rng = random.Random(hashlib.sha256(text.encode()).digest())
    v = [rng.gauss(0, 1) for _ in range(dim)]
    norm = sum(x * x for x in v) ** 0.5
    return [x / norm for x in v]


class Vectors:
    """Deterministic random unit vectors (no model): the 'excluding embedding' embedder."""

    name, dim = "bench-random-384", 384

    def embed_batch(self, texts):  # type: ignore[no-untyped-def]
        return [vector(t) for t in texts]

    def embed(self, text):  # type: ignore[no-untyped-def]
        return vector(text)


class WithMiniLM(Vectors):
    """Pays for a real MiniLM embedding of each query, then returns the random vector (the 'including' case)."""

    def __init__(self) -> None:
        from index.embedding import get_embedder

        self.real = get_embedder()
        self.real.embed("warm up")

    def embed(self, text):  # type: ignore[no-untyped-def]
        self.real.embed(text)
        return vector(text)


def build(folder: Path, n: int, chroma: Any = None) -> None:
    from index import Index, sample_dir
    from index.chunking import sentence_spans
    from index.lexical import tokenize
    from index.manifest import DocRow
    from index.types import Chunk

    sentences = []
    for f in sorted(sample_dir().glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        sentences += [text[s:e].strip() for s, e in sentence_spans(text) if len(text[s:e].split()) > 6]
    rng = random.Random(1)
    idx = Index(folder, embedder=Vectors(), chroma=chroma)  # type: ignore[arg-type]
    outlets = ["CNN", "Al Jazeera", "Reuters", "AP", "BBC", "Le Monde", "Der Spiegel", "Example Wire"]
    batch: list[tuple[Chunk, list[float], dict[str, object]]] = []
    per_doc = 10
    for d in range(n // per_doc):
        doc_id = f"doc{d:07d}"
        texts = [" ".join(rng.sample(sentences, 5)) for _ in range(per_doc)]
        body = "\n\n".join(texts)
        source, day = outlets[d % len(outlets)], f"2025-{d % 12 + 1:02d}-{d % 28 + 1:02d}"
        at, tokens = 0, []
        for t in texts:
            chunk = Chunk(doc_id, at, at + len(t), t)
            batch.append((chunk, vector(t), {"doc_id": doc_id, "source": source, "published": day,
                                             "start": chunk.start, "end": chunk.end,
                                             "published_num": int(day.replace("-", ""))}))
            tokens.append((chunk.id, tokenize(t)))
            at += len(t) + 2
        idx.manifest.put(f"/bench/{doc_id}.txt", DocRow(doc_id, body, f"Story {d}", source, day, None,
                                                       idx.signature, per_doc), chunks=tokens)
        if len(batch) >= 5000:
            idx.store.upsert([b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch])
            batch.clear()
    if batch:
        idx.store.upsert([b[0] for b in batch], [b[1] for b in batch], [b[2] for b in batch])
    idx.close()


def measure(folder: Path, queries: int, chroma: Any = None) -> dict[str, float]:
    from index import Index

    out: dict[str, float] = {}
    questions = [f"{QUESTIONS[i % len(QUESTIONS)]} ({i})" for i in range(queries)]
    for q in questions:
        vector(q)  # "excluding embedding": the query vectors are ready before the clock starts
    for label, embedder in (("excluding", Vectors()), ("including", WithMiniLM())):
        idx = Index(folder, embedder=embedder, chroma=chroma)  # type: ignore[arg-type]
        started = time.perf_counter()
        idx.search(QUESTIONS[0], k=5)
        out[f"first_{label}_ms"] = (time.perf_counter() - started) * 1000
        times = []
        for q in questions:
            started = time.perf_counter()
            idx.search(q, k=5)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[f"p50_{label}_ms"] = statistics.median(times)
        out[f"p95_{label}_ms"] = times[int(0.95 * (len(times) - 1))]
        idx.close()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _children() -> list[int]:
    """This process's child processes (the Chroma server, while it runs); Linux /proc only."""
    pids: list[int] = []
    for task in Path("/proc/self/task").glob("*/children"):
        pids += [int(p) for p in task.read_text().split()]
    return pids


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _child(*args: str) -> dict[str, float]:
    got = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return dict(json.loads(got.stdout.strip().splitlines()[-1]))


def one(store: str, n: int, queries: int) -> dict[str, float]:
    """Build a corpus of ``n`` chunks in one process, then measure search in a fresh one (so its peak RSS is
    search's alone). On the server store each phase gets a freshly started server over the same data."""
    from index.servers import chroma_server

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        if store == "embedded":
            built = _child("--build", str(n), "--dir", str(folder))
            result = _child("--measure", "--dir", str(folder), "--queries", str(queries))
        else:
            with chroma_server(Path(tmp) / "server-data") as server:
                built = _child("--build", str(n), "--dir", str(folder), "--port", str(server.port))
            with chroma_server(Path(tmp) / "server-data") as server:
                result = _child("--measure", "--dir", str(folder), "--queries", str(queries),
                                "--port", str(server.port))
                result["server_peak_rss_mb"] = sum(_peak_rss_mb(pid) for pid in _children())
    return result | built


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--stores", nargs="+", choices=["embedded", "server"], default=["embedded", "server"])
    # internal: one phase in this process
    ap.add_argument("--build", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    chroma = None
    if args.port:
        from index.store import ChromaServer

        chroma = ChromaServer("127.0.0.1", args.port)
    if args.build:
        started = time.perf_counter()
        build(args.dir, args.build, chroma)
        print(json.dumps({"build_s": time.perf_counter() - started}))
        return
    if args.measure:
        print(json.dumps(measure(args.dir, args.queries, chroma)))
        return
    print(f"search_latency.py: {args.queries} questions, k=5, {os.cpu_count()} cores; "
          f"run: .venv/bin/python bench/search_latency.py {' '.join(sys.argv[1:])}".rstrip())
    print("| store | chunks | search p50 / p95, excluding query embedding | including it "
          "| first search of a process | peak RSS (search process + Chroma server) | corpus build |")
    print("|---|---|---|---|---|---|---|")
    for store in args.stores:
        for n in args.sizes:
            r = one(store, n, args.queries)
            server = f" + {r['server_peak_rss_mb']:.0f}" if store == "server" else ""
            print(f"| {store} | {n:,} | {r['p50_excluding_ms']:.0f} / {r['p95_excluding_ms']:.0f} ms | "
                  f"{r['p50_including_ms']:.0f} / {r['p95_including_ms']:.0f} ms | "
                  f"{r['first_excluding_ms'] / 1000:.1f} s | {r['peak_rss_mb']:.0f}{server} MB | "
                  f"{r['build_s']:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
