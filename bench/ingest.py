"""Ingestion against the floor, and re-ingest of an unchanged corpus (issue #7).

Run:  .venv/bin/python bench/ingest.py [--articles 1000]

1. Throughput vs the floor: the sample articles plus the distractor corpus (prose shipped in installed
   packages, ``eval/distractors.py``) are ingested into an empty index with the bundled MiniLM; then the same
   chunk texts go straight through the embedder and through ``SentenceTransformer.encode`` (batch 32); the
   faster is the floor (``bench/floor.py``). Ratio = pipeline chunks/s divided by floor chunks/s, in one run,
   model loaded and warmed first. Target >= 0.9.
2. Re-ingest of an unchanged corpus: ``--articles`` files (the same texts, each with its own first line) are
   ingested once, then again; the second run's time and embedding calls are printed. Target: 0 calls, < 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.floor import describe, raw_encode, warm  # noqa: E402
from eval.distractors import build_distractors  # noqa: E402
from index import Index, sample_dir  # noqa: E402
from index.embedding import get_embedder  # noqa: E402


class Counting:
    """Wraps an embedder and counts the texts it is asked to embed."""

    def __init__(self, inner):  # type: ignore[no-untyped-def]
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, 0

    def embed_batch(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return self.inner.embed_batch(texts)

    def embed(self, text):  # type: ignore[no-untyped-def]
        return self.embed_batch([text])[0]


def throughput(tmp: Path) -> None:
    corpus = tmp / "corpus"
    shutil.copytree(sample_dir(), corpus)
    build_distractors(corpus / "distractors")
    embedder = get_embedder()
    warm(embedder)
    idx = Index(tmp / "index", embedder=embedder)
    started = time.perf_counter()
    report = idx.ingest([corpus])
    pipeline_s = time.perf_counter() - started
    _, texts, _ = idx.store.all_chunks()
    idx.close()
    low = raw_encode(embedder, texts)
    n = len(texts)
    print(f"corpus: {len(report.added)} articles, {n} chunks ({report.chunks_added} written)")
    print(f"pipeline (read, clean, chunk, embed, store): {pipeline_s:.1f} s = {n / pipeline_s:.1f} chunks/s")
    print(describe(n, low))
    print(f"ratio pipeline / floor: {low['floor_s'] / pipeline_s:.2f}  (target >= 0.9)")


def reingest(tmp: Path, articles: int) -> None:
    corpus = tmp / "many"
    corpus.mkdir()
    samples = sorted(sample_dir().glob("*.txt"))
    for i in range(articles):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        (corpus / f"a{i:05d}.txt").write_text(f"Edition {i} of the story.\n\n{text}", encoding="utf-8")
    embedder = Counting(get_embedder())
    idx = Index(tmp / "many-index", embedder=embedder)  # type: ignore[arg-type]
    started = time.perf_counter()
    first = idx.ingest([corpus])
    first_s = time.perf_counter() - started
    calls = embedder.texts
    started = time.perf_counter()
    again = idx.ingest([corpus])
    again_s = time.perf_counter() - started
    idx.close()
    print(f"\n{articles} articles: first ingest {first_s:.1f} s ({first.chunks_added} chunks, {calls} texts embedded; "
          "the shared text is embedded once)")
    print(f"re-ingest unchanged: {again_s:.2f} s, {embedder.texts - calls} texts embedded, "
          f"{len(again.unchanged)} unchanged  (target: 0 texts, < 2 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--skip-throughput", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_throughput:
            throughput(Path(tmp))
        reingest(Path(tmp), args.articles)


if __name__ == "__main__":
    main()
