"""BM25 over the stored chunks: Lucene's BM25 formula on a sparse term -> chunks matrix built with numpy.

The lexical side of hybrid search: it finds passages that share the question's rare words
(names, numbers, "UDCG") even when the embedding ranks them lower.

Why not bm25s (which this replaced, and whose stopword list and formula it keeps; a unit test checks
the scores agree): built from token lists, bm25s took 6.7 s for 100k chunks here (pure-Python loops
without numba), and search rebuilt it in every process and after every ingest, so the first search of
a 100k index took 22 s. Here ingest stores each chunk's token ids in the manifest (``Manifest.put``), and
the matrix is built from them with a few numpy sorts (well under a second at 100k). Scoring a query adds
up one column slice per query term, as bm25s does.

Scoring: ``idf(t) * tf / (tf + k1 * (1 - b + b * len / avg_len))`` with ``idf(t) = ln(1 + (N - df + 0.5)
/ (df + 0.5))``, k1 = 1.5, b = 0.75 (bm25s' "lucene" defaults). A query word counts once per occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
K1, B = 1.5, 0.75


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


class Vocabulary:
    """Token -> id, growing as new words arrive (ids never change once given)."""

    def __init__(self, ids: Mapping[str, int] | None = None) -> None:
        self.ids: dict[str, int] = dict(ids or {})

    def encode(self, tokens: Sequence[str]) -> list[int]:
        ids = self.ids
        return [ids.setdefault(t, len(ids)) for t in tokens]

    def known(self, tokens: Sequence[str]) -> list[int]:
        """Ids of the tokens already in the vocabulary (others cannot match any indexed chunk)."""
        return [self.ids[t] for t in tokens if t in self.ids]

    def lookup(self, tokens: Sequence[str], extra: dict[str, int]) -> list[int]:
        """Ids without growing the vocabulary: a word not in it gets an id from ``extra`` (numbered after the
        vocabulary), so a query and passages looked up with the same ``extra`` agree on new words."""
        ids = self.ids
        return [ids[t] if t in ids else extra.setdefault(t, len(ids) + len(extra)) for t in tokens]


def _matrix(flat: Any, lengths: Any) -> tuple[Any, Any, Any]:
    """BM25 weights as a CSC-like (indptr over term ids, chunk positions, weights) from concatenated token ids."""
    import numpy as np

    n = len(lengths)
    if n == 0 or len(flat) == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32)
    docs = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keys, tf = np.unique(flat.astype(np.int64) * n + docs, return_counts=True)  # sorted by term, then chunk
    terms, chunk = keys // n, (keys % n).astype(np.int32)
    vocab_size = int(terms[-1]) + 1
    df = np.bincount(terms, minlength=vocab_size)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    length = np.maximum(lengths, 1).astype(np.float64)
    norm = K1 * (1.0 - B + B * length / length.mean())
    weights = (idf[terms] * tf / (tf + norm[chunk])).astype(np.float32)
    indptr = np.searchsorted(terms, np.arange(vocab_size + 1))
    return indptr, chunk, weights


def _scores(matrix: tuple[Any, Any, Any], n: int, query_ids: Sequence[int]) -> Any:
    import numpy as np

    indptr, chunk, weights = matrix
    out = np.zeros(n, dtype=np.float32)
    for t in query_ids:
        if 0 <= t < len(indptr) - 1:
            lo, hi = indptr[t], indptr[t + 1]
            out[chunk[lo:hi]] += weights[lo:hi]  # a chunk appears once per term, so plain indexing adds right
    return out


class LexicalIndex:
    """BM25 scores of every stored chunk for a question.

    Example:
        >>> lex = LexicalIndex.from_texts(["the cat sat", "NATO met in Brussels"])
        >>> lex.top("Where did NATO meet?", 1)
        [(1, 0.254...)]
    """

    def __init__(self, flat: Any, lengths: Any, vocabulary: Vocabulary) -> None:
        """``flat``: every chunk's token ids, concatenated in position order; ``lengths``: tokens per chunk."""
        import numpy as np

        self.flat = np.asarray(flat, dtype=np.int32)
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.vocabulary = vocabulary
        self.size = len(self.lengths)
        self._matrix = _matrix(self.flat, self.lengths)

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> LexicalIndex:
        vocabulary = Vocabulary()
        ids = [vocabulary.encode(tokenize(t)) for t in texts]
        return cls([i for chunk in ids for i in chunk], [len(chunk) for chunk in ids], vocabulary)

    def token_ids(self, position: int) -> Any:
        return self.flat[self.offsets[position]:self.offsets[position + 1]]

    def scores(self, query: str) -> Any:
        """A numpy array: the BM25 score of every chunk, in position order."""
        return _scores(self._matrix, self.size, self.vocabulary.known(tokenize(query)))

    def pool_scores(self, query: str, documents: Sequence[Any], extra: dict[str, int] | None = None) -> Any:
        """BM25 of ``documents`` (token-id arrays: ``token_ids``, or ``vocabulary.lookup`` with ``extra`` for
        passages newer than this index) with statistics (IDF, lengths) from those documents alone.

        Search scores its candidate pool this way: inside a pool of on-topic passages, a word every
        passage shares ("Hegseth") weighs little and the words that tell passages apart weigh more,
        however many unrelated articles the index holds. With corpus-wide IDF, adding 700
        distractor passages made the story's own words rare and cost hit@1 0.83 -> 0.77
        (bench/retrieval.py); with pool IDF it stayed put.
        """
        import numpy as np

        if not documents:
            return np.zeros(0, dtype=np.float32)
        flat = np.concatenate([np.asarray(d, dtype=np.int32) for d in documents])
        lengths = np.array([len(d) for d in documents], dtype=np.int64)
        query_ids = self.vocabulary.lookup(tokenize(query), {} if extra is None else extra)
        return _scores(_matrix(flat, lengths), len(documents), query_ids)

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
