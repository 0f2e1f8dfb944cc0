"""BM25 over the stored chunks, with bm25s (sparse-matrix BM25) and the Snowball stemmer (PyStemmer).

The lexical side of hybrid search: it finds passages that share the question's rare words
(names, numbers, "UDCG") even when the embedding ranks them lower. It is built in memory
from the chunks in the store and rebuilt when the index changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    """Lower-cased word stems without English stopwords (numbers are kept: "2", "50")."""
    stop = _stopwords()
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    return list(_stemmer().stemWords(words))


class LexicalIndex:
    """BM25 scores of every stored chunk for a question.

    Example:
        >>> lex = LexicalIndex(["the cat sat", "NATO met in Brussels"])
        >>> lex.top("Where did NATO meet?", 1)
        [(1, 0.97...)]
    """

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self.size = len(texts)
        self.tokens = [tokenize(t) or [""] for t in texts]  # bm25s needs at least one token per document
        self._bm25 = bm25s.BM25()
        if self.size:
            self._bm25.index(self.tokens, show_progress=False)

    def scores(self, query: str) -> Any:
        """A numpy array: the BM25 score of every chunk, in build order."""
        import numpy as np

        if not self.size:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(known)

    @staticmethod
    def pool_scores(query: str, documents: Sequence[list[str]]) -> Any:
        """BM25 of already-tokenized ``documents`` with statistics (IDF, lengths) from those documents alone.

        Search scores its candidate pool this way: inside a pool of on-topic passages, a word every
        passage shares ("Hegseth") weighs little and the words that tell passages apart weigh more,
        however many unrelated articles the index holds. With corpus-wide IDF, adding 700
        distractor passages made the story's own words rare and cost hit@1 0.83 -> 0.77
        (bench/retrieval.py); with pool IDF it stayed put.
        """
        import bm25s
        import numpy as np

        if not documents:
            return np.zeros(0, dtype=np.float32)
        bm25 = bm25s.BM25()
        bm25.index(list(documents), show_progress=False)
        known = [t for t in tokenize(query) if t in bm25.vocab_dict]
        return bm25.get_scores(known) if known else np.zeros(len(documents), dtype=np.float32)

    def top(self, query: str, n: int, mask: Any = None) -> list[tuple[int, float]]:
        """The ``n`` best (position, score) pairs with a positive score; ``mask`` (bool array) limits positions."""
        return best(self.scores(query), n, mask)


def best(scores: Any, n: int, mask: Any = None) -> list[tuple[int, float]]:
    """The ``n`` highest positive ``scores`` as (position, score), best first, among ``mask``'s positions."""
    import numpy as np

    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    n = min(n, int(np.count_nonzero(scores > 0)))
    if n <= 0:
        return []
    order = np.argpartition(-scores, n - 1)[:n]
    order = order[np.argsort(-scores[order], kind="stable")]
    return [(int(i), float(scores[i])) for i in order]
