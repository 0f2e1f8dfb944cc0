"""Rerankers by name: ``get_reranker("none")`` (default) or ``get_reranker("cross-encoder", model_path=...)``."""

from __future__ import annotations

from typing import Any

from index.registry import build
from index.rerank.base import NoRerank, Reranker

RERANKERS = {
    "none": "index.rerank.base:NoRerank",
    "cross-encoder": "index.rerank.cross_encoder:CrossEncoderReranker",
}
DEFAULT_RERANKER = "none"


def get_reranker(name: str = DEFAULT_RERANKER, **options: Any) -> Reranker:
    """Build a reranker by registry name; options go to its constructor."""
    reranker: Reranker = build(RERANKERS, "reranker", name, **options)
    return reranker


__all__ = ["DEFAULT_RERANKER", "NoRerank", "RERANKERS", "Reranker", "get_reranker"]
