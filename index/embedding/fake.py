"""A FAKE embedder for fast unit tests: hashed bag of words, no model, no meaning beyond shared words."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from index.embedding.base import Embedder

_WORD = re.compile(r"\w+")


class FakeHashEmbedder(Embedder):
    """FAKE: each word adds 1 to a hashed dimension; texts sharing words end up close."""

    name = "fake-hash"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls: list[int] = []  # batch sizes, so tests can count embedding work

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        out = []
        for text in texts:
            vec = [0.0] * self.dim
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                vec[h % self.dim] += 1.0
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            out.append([x / norm for x in vec])
        return out
