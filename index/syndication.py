"""Grouping passages that say the same thing in different articles (syndicated or copied text).

News is retold: a wire story runs on several sites with a new header and footer, so the same
sentences land in chunks with different boundaries. Two candidates from different articles are
one group when either
  * their embeddings (the same sentence-transformers vectors search uses) have cosine
    similarity >= ``min_cosine``, or
  * they share word 5-grams covering >= ``min_containment`` of the longer one
    (exact shared wording survives shifted chunk boundaries, where the cosine may dip).
Rewrites of the same event by different outlets (the sample articles) stay apart: their closest
passages measured 0.84 cosine and no shared 5-grams worth the name (``bench/retrieval.py``).

Grouping runs on the search's candidate pool (dense top-N plus BM25 top-N). Copies of a passage
score almost exactly alike for any question, so when one is in the top k its copies are in the
pool; ``also_in`` can miss copies only when more than ~N articles carry the same text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from index.fusion import cosines

_WORD = re.compile(r"\w+")
SHINGLE = 5
PREFILTER_COSINE = 0.8  # measured: chunk pairs of wire copies sharing half their 5-grams had cosine >= 0.83


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(max(len(words) - n + 1, 0))}


def containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Shared shingles over the LARGER set (0 when either is empty): high only when each passage is
    mostly the other, so a long passage that quotes a short one and adds new facts is not folded
    under it (its extra facts would vanish from the answer's view)."""
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def group(
    doc_ids: Sequence[str], texts: Sequence[str], vectors: Any, *, min_cosine: float = 0.92,
    min_containment: float = 0.5,
) -> list[list[int]]:
    """Groups of candidate positions, in the given (best-first) order.

    Each group starts with its best candidate (the representative) followed by at most one
    passage per other article; candidates from the representative's own article are never
    folded into it.
    """
    import numpy as np

    n = len(doc_ids)
    vecs = np.asarray(vectors, dtype=np.float64).reshape(n, -1) if n else np.zeros((0, 0))
    sims = cosines(vecs) if n else vecs
    sh: dict[int, set[tuple[str, ...]]] = {}

    def shingled(i: int) -> set[tuple[str, ...]]:
        if i not in sh:
            sh[i] = shingles(texts[i])
        return sh[i]

    groups: list[list[int]] = []
    placed: set[int] = set()
    for i in range(n):
        if i in placed:
            continue
        members = [i]
        docs = {doc_ids[i]}
        placed.add(i)
        for j in range(i + 1, n):
            if j in placed or doc_ids[j] in docs:
                continue
            if sims[i, j] >= min_cosine or (
                    sims[i, j] >= PREFILTER_COSINE and containment(shingled(i), shingled(j)) >= min_containment):
                members.append(j)
                docs.add(doc_ids[j])
                placed.add(j)
        groups.append(members)
    return groups
