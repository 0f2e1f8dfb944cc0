"""Embedders by name: ``get_embedder("minilm")``."""

from __future__ import annotations

from index.embedding.base import Embedder
from index.registry import build

EMBEDDERS = {
    "minilm": "index.embedding.minilm:MiniLMEmbedder",
    "fake-hash": "index.embedding.fake:FakeHashEmbedder",
}
DEFAULT_EMBEDDER = "minilm"


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build an embedder by registry name."""
    embedder: Embedder = build(EMBEDDERS, "embedder", name)
    return embedder


__all__ = ["Embedder", "get_embedder", "EMBEDDERS", "DEFAULT_EMBEDDER"]
