"""The embedder interface: one batch method; helpers for one text live here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence


class Embedder(ABC):
    """Turns texts into unit-length vectors.

    Example:
        >>> vectors = embedder.embed_batch(["first passage", "second passage"])
    """

    name: str = "embedder"
    dim: int = 0

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order."""

    def embed(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]
