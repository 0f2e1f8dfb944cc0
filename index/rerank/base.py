"""The reranker interface: one method that reorders a short list of hits for a question."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from index.types import Hit


class Reranker(ABC):
    """Reorders search candidates, best first; may rescore them (``Hit.score``).

    It sees the fused, de-duplicated candidates before the diversity step, so a stronger
    relevance model decides the order and MMR still keeps the top k varied.

    Example:
        >>> idx = Index(reranker=CrossEncoderReranker("/models/my-cross-encoder"))
    """

    name: str = "reranker"

    @abstractmethod
    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """The same hits, best first."""


class NoRerank(Reranker):
    """Keeps the fused order: the default, as no reranker model ships inside a package."""

    name = "none"

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return list(hits)
