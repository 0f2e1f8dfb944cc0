"""The embedding floor the ingest benchmarks compare against: raw encoding of the same chunk texts, no pipeline.

MiniLM embeds through its ONNX export once one exists (``index/embedding/minilm_onnx.py``), else through
sentence-transformers. Both are timed on the same texts and the faster is the floor, so the ratio is never flattered
by the slower path.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any


def warm(embedder: Any) -> None:
    """Load what ingest will use before it is timed: the ONNX export for small batches and sentence-transformers
    for the pipeline's full ones (``index/embedding/minilm.py``)."""
    embedder.embed_batch(["warm up the model", "and its threads"] * 16)
    embedder.embed_batch(["warm up the bulk path"] * 300)


def raw_encode(embedder: Any, texts: Sequence[str]) -> dict[str, float]:
    """Seconds for ``embedder.embed_batch`` (in batches of ``EMBED_BATCH``, as the pipeline sends them) and for
    ``SentenceTransformer.encode`` (batch 32) on ``texts``; ``floor_s`` is the faster."""
    from index.pipeline import EMBED_BATCH

    texts = list(texts)
    started = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_batch(texts[i : i + EMBED_BATCH])
    direct_s = time.perf_counter() - started
    model = embedder.model
    model.encode(texts[:64], batch_size=32, normalize_embeddings=True, show_progress_bar=False)  # warm
    started = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    st_s = time.perf_counter() - started
    return {"embed_batch_s": direct_s, "sentence_transformers_s": st_s, "floor_s": min(direct_s, st_s)}


def describe(n: int, floor: dict[str, float]) -> str:
    direct, st = floor["embed_batch_s"], floor["sentence_transformers_s"]
    return (f"raw encoding of the same {n} chunk texts: embed_batch {direct:.1f} s ({n / direct:.1f} chunks/s), "
            f"SentenceTransformer.encode {st:.1f} s ({n / st:.1f} chunks/s); floor = the faster")
