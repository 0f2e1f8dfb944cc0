"""Embedders by name: ``get_embedder("minilm")``."""

from __future__ import annotations

from index.embedding.base import Embedder
from index.errors import ConfigError

EMBEDDERS = {
    "minilm": "index.embedding.minilm:MiniLMEmbedder",
    "fake-hash": "index.embedding.fake:FakeHashEmbedder",
}
DEFAULT_EMBEDDER = "minilm"


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build an embedder by registry name."""
    import importlib

    try:
        target = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(f"Unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["Embedder", "get_embedder", "EMBEDDERS", "DEFAULT_EMBEDDER"]
