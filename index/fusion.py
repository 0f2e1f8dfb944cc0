"""Fusing dense and BM25 scores, and the MMR diversity step.

Both work on a small candidate pool (a few dozen passages), as numpy arrays aligned by position.
Two fusions are offered because neither wins everywhere (FINDINGS: plain RRF did not beat dense
on a public news set); the harness picks one (see ``bench/retrieval.py`` and the README).
"""

from __future__ import annotations

from typing import Any

FUSIONS = ("linear", "rrf")


def cosines(vectors: Any) -> Any:
    """All pairwise dot products of unit-length rows.

    ``einsum`` rather than ``@`` on purpose: ``@`` goes to OpenBLAS, whose threads keep spinning after
    a call and slowed the next query embedding (torch) 2.5x on 2 cores (bench/retrieval.py measured
    search p50 70 ms with ``@``, 33 ms without). For a pool of a few dozen rows einsum is as fast.
    """
    import numpy as np

    return np.einsum("ik,jk->ij", vectors, vectors)


def _minmax(x: Any) -> Any:
    import numpy as np

    lo, hi = float(np.min(x)), float(np.max(x))
    return np.zeros_like(x) if hi - lo < 1e-9 else (x - lo) / (hi - lo)


def _ranks(x: Any) -> Any:
    """1 for the highest value, 2 for the next, ... (ties share order of appearance)."""
    import numpy as np

    order = np.argsort(-x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def fuse(dense: Any, lexical: Any, *, method: str = "linear", dense_weight: float = 0.5, rrf_k: int = 60) -> Any:
    """One score per candidate from its cosine similarity and its BM25 score, in [0, 1]-ish, higher better.

    ``linear``: ``w * minmax(cosine) + (1 - w) * minmax(bm25)`` over the pool.
    ``rrf``: ``w / (rrf_k + dense_rank) + (1 - w) / (rrf_k + bm25_rank)``, rescaled to [0, 1].
    """
    import numpy as np

    dense = np.asarray(dense, dtype=np.float64)
    lexical = np.asarray(lexical, dtype=np.float64)
    if len(dense) == 0:
        return dense
    w = dense_weight
    if method == "linear":
        return w * _minmax(dense) + (1 - w) * _minmax(lexical)
    if method == "rrf":
        score = w / (rrf_k + _ranks(dense)) + (1 - w) / (rrf_k + _ranks(lexical))
        return _minmax(score)
    raise ValueError(f"unknown fusion {method!r}; known: {', '.join(FUSIONS)}")


def mmr(relevance: Any, vectors: Any, k: int, *, lam: float = 0.7) -> list[int]:
    """Maximal marginal relevance: positions of ``k`` candidates, each the best trade-off of
    relevance and novelty against those already chosen: ``lam * rel - (1 - lam) * max cosine``.

    ``lam = 1`` is plain relevance order. ``vectors`` are unit-length rows.
    """
    import numpy as np

    rel = np.asarray(relevance, dtype=np.float64)
    n = len(rel)
    if n == 0 or k <= 0:
        return []
    if lam >= 1.0:
        return [int(i) for i in np.argsort(-rel, kind="stable")[:k]]
    vecs = np.asarray(vectors, dtype=np.float64)
    sims = cosines(vecs)
    chosen: list[int] = []
    closest = np.full(n, -np.inf)  # max similarity to anything chosen so far
    available = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        gain = np.where(available, lam * rel - (1 - lam) * penalty, -np.inf)
        best = int(np.argmax(gain))
        chosen.append(best)
        available[best] = False
        closest = np.maximum(closest, sims[best])
    return chosen
