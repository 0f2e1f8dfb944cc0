"""Hybrid search: dense (Chroma) + BM25 (index.lexical), fused, syndicated copies grouped, reranked, diversified.

    question ──► query hints (outlet? day? period? "latest"?)      index.query, index.periods
       ├──► dense top-N from Chroma, filters checked on the nearest     index.store, index.corpus
       └──► BM25 top-N over the same chunks, filters as a mask         index.lexical
    pool ──► fused score (+ day boost, + recency boost)             index.fusion
         ──► copies across articles folded into one hit (``also_in``)   index.syndication
             (a story's versions are never folded as outlets; only its latest is searched by default: index.versions)
         ──► reranker (pluggable; none by default)                   index.rerank
         ──► MMR picks k varied hits                                 index.fusion

An outlet or a period named in the question narrows the filters (never widening the caller's); when the
narrowed search finds nothing, the outlet is dropped first, then the period. A period is planned before
searching (``Searcher.hints``): one in which no article was published is not used, and one that leaves no
article out changes nothing, so a question's dates never empty a search and the notes say what was used.

The defaults in ``SearchConfig`` were chosen on the dev question sets by ``bench/retrieval_sets.py --sweep``;
docs/figures.md has the tables behind them (dev and test).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.corpus import Corpus
from index.datefilter import Window, plan, recency_boosts
from index.embedding import Embedder
from index.errors import ConfigError
from index.filters import Filters
from index.fusion import fuse, mmr
from index.lexical import best, tokenize
from index.manifest import DocRow, Manifest
from index.query import QueryHints, understand
from index.rerank import NoRerank, Reranker
from index.store import ChromaStore
from index.syndication import group
from index.types import Hit, Passage, parse_chunk_id
from index.versions import Stories, Version, stories


@dataclass(frozen=True)
class SearchConfig:
    """How search ranks. ``hybrid=False, group=False, mmr_lambda=1, query_hints=False`` is plain dense search."""

    candidates: int = 30  # dense top-N and BM25 top-N make the pool
    hybrid: bool = True
    fusion: str = "linear"  # or "rrf"
    dense_weight: float = 0.6  # chosen on the dev sets by bench/retrieval_sets.py --sweep (docs/figures.md)
    rrf_k: int = 60
    mmr_lambda: float = 1.0  # 1.0 = no diversity step (0.85 lost a hit@5 on the Reuters dev set)
    group: bool = True
    group_cosine: float = 0.92
    group_containment: float = 0.5
    day_boost: float = 0.1
    recency_boost: float = 0.5  # "latest": the newest on-topic candidate gets this much, the oldest nothing (chosen
    # on eval/data/latest_reuters_dev.jsonl by bench/recency.py; docs/figures.md)
    query_hints: bool = True
    reference_date: str | None = None  # ISO; "last week", "in March" are read against it (default: newest article)
    rerank_top: int = 20  # how many fused candidates the reranker sees
    lexical_scope: str = "pool"  # BM25 statistics from the candidate pool, or "corpus"-wide


REBUILD_AFTER = 2.0  # seconds: see Searcher._corpus
OVERFETCH, WIDEN = 4, 8  # unfiltered nearest fetched per wanted one, then 8x more, before a filter goes to Chroma

DENSE_ONLY = SearchConfig(hybrid=False, group=False, mmr_lambda=1.0, query_hints=False)


@dataclass
class _Candidate:
    """A chunk in the candidate pool: its vector from the store, what is shown of it from the manifest."""

    id: str
    row: DocRow
    path: str | None
    start: int
    end: int
    vector: Any
    similarity: float = 0.0
    lexical: float = 0.0
    score: float = 0.0

    @property
    def doc_id(self) -> str:
        return self.row.doc_id

    @property
    def text(self) -> str:
        return self.row.text[self.start:self.end]  # chunk offsets point into the cleaned text, by construction


class Searcher:
    """Runs the search pipeline over one store; safe to share between threads."""

    def __init__(self, store: ChromaStore, embedder: Embedder, manifest: Manifest, *,
                 config: SearchConfig | None = None, reranker: Reranker | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.manifest = manifest
        self.config = config or SearchConfig()
        self.reranker = reranker or NoRerank()
        self._corpus_cache: Corpus | None = None
        self._shown: tuple[int, dict[str, tuple[DocRow, str | None]]] = (-1, {})
        self._known: tuple[int, list[str], date | None] = (-1, [], None)  # outlets and newest date, per generation
        self._stories: tuple[int, Stories] = (-1, Stories())
        self._lock = threading.Lock()
        self._reference = _reference(self.config.reference_date)

    def hints(self, query: str, filters: Filters | None = None) -> QueryHints:
        """The outlet, days, period and recency ``query`` names, as search uses them within the caller's
        ``filters`` (a period no article was published in is ``unmatched``); empty when query hints are off."""
        return self._plan(query, self._effective(filters or Filters()))[0]

    def search(self, query: str, k: int, chosen: Filters) -> list[Hit]:
        """The ``k`` best hits for ``query`` within the (already checked) filters."""
        import numpy as np

        chosen = self._effective(chosen)
        hints, window = self._plan(query, chosen)
        qv = np.asarray(self.embedder.embed(query), dtype=np.float32)
        attempts = [(dataclasses.replace(chosen, sources=hints.sources), window)] \
            if hints.sources and not chosen.sources else []
        attempts += [(chosen, window)] if window is not None else []
        for filters, within in attempts:
            narrowed = self._search(query, qv, k, filters, hints, within)
            if narrowed:
                return narrowed
        return self._search(query, qv, k, chosen, hints, None)

    # ---- story versions ----------------------------------------------------------------------------

    def stories(self) -> Stories:
        """The index's stories with more than one version (``index.versions``), per generation."""
        generation = self.manifest.generation()
        if self._stories[0] != generation:
            self._stories = (generation, stories(self.manifest))
        return self._stories[1]

    def _effective(self, chosen: Filters) -> Filters:
        """``chosen``, without the "latest versions" part when no version is superseded (no mask to build)."""
        if chosen.versions == "latest" and not self.stories().hidden:
            return dataclasses.replace(chosen, versions="all")
        return chosen

    # ---- the question's dates ----------------------------------------------------------------------

    def _plan(self, query: str, chosen: Filters) -> tuple[QueryHints, Window | None]:
        """The hints, and the period as a filter window (None when there is no period, or it would leave
        nothing in or nothing out)."""
        if not self.config.query_hints:
            return QueryHints(), None
        generation = self.manifest.generation()
        if self._known[0] != generation:  # outlets and dates change only when the index does
            last = self.manifest.date_range()[1]
            self._known = (generation, self.manifest.sources(), date.fromisoformat(last[:10]) if last else None)
        _, sources, newest = self._known
        hints = understand(query, sources, reference=self._reference or newest, newest=newest)
        if hints.period is None:
            return hints, None
        corpus = self._corpus()
        return plan(hints, chosen, corpus.dates, corpus.mask(chosen))

    # ---- steps ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild the BM25 corpus on the next search, however recent the last build (ingest calls this)."""
        cache = self._corpus_cache
        if cache is not None:
            cache.built_at = 0.0

    def _corpus(self) -> Corpus:
        """The BM25 corpus, rebuilt when the index changed.

        While an ingest is writing, every file changes the index; rebuilding for each would stall
        searches. So a corpus younger than ``REBUILD_AFTER`` seconds is kept, and while one thread
        rebuilds, the others keep using the previous corpus (a chunk it lists that is gone is
        skipped; a new chunk is still found by the dense side). ``Index.ingest`` ends with ``refresh``.
        """
        generation = self.manifest.generation()
        cache = self._corpus_cache
        if cache is not None and (cache.generation == generation or self._lock.locked()
                                  or time.monotonic() - cache.built_at < REBUILD_AFTER):
            return cache
        with self._lock:
            cache = self._corpus_cache
            if cache is None or cache.generation != generation:
                cache = Corpus.build(generation, self.manifest.lexicon(), self.stories().hidden)
                self._corpus_cache = cache
            return cache

    def _rows(self, doc_ids: list[str]) -> dict[str, tuple[DocRow, str | None]]:
        """Manifest rows of ``doc_ids``, cached until the index changes (a document's text and metadata are
        read from the local manifest rather than the store: quicker, and the same on a Chroma server)."""
        generation = self.manifest.generation()
        cached_at, rows = self._shown
        if cached_at != generation or len(rows) > 4096:
            rows = {}
            self._shown = (generation, rows)
        missing = [d for d in doc_ids if d not in rows]
        if missing:
            rows.update(self.manifest.shown(missing))
        return rows

    def _candidates(self, found: list[tuple[str, Any]], hide: frozenset[str] = frozenset()) -> list[_Candidate]:
        """(chunk id, vector) pairs as candidates, in order; chunks of documents the manifest does not record (an
        ingest writing right now, or a killed one) are left out, and so are those of ``hide`` (superseded
        versions of a story: ``index.versions``)."""
        import numpy as np

        parts = [(cid, *parse_chunk_id(cid), vector) for cid, vector in found]
        rows = self._rows([p[1] for p in parts])
        return [_Candidate(cid, *rows[doc], start, end, np.asarray(vector, dtype=np.float32))
                for cid, doc, start, end, vector in parts if doc in rows and doc not in hide]

    def _pool(self, query: str, qv: Any, n: int, filters: Filters, window: Window | None) -> list[_Candidate]:
        dated = filters if window is None else dataclasses.replace(filters, since=window.since, until=window.until)
        found = self.stories()
        hide = found.hidden if filters.versions == "latest" else frozenset()
        extra = min(found.hidden_chunks, n) if hide else 0  # superseded chunks Chroma may return, dropped below
        dense = self._nearest(qv, n + extra, dated)
        pool = {c.id: c for c in self._candidates(dense, hide)[:n]}
        if window is not None and window.undated:  # Chroma cannot ask for "no date": the nearest of all, undated
            nearest = self._nearest(qv, n + extra, filters)
            pool.update((c.id, c) for c in self._candidates(nearest, hide)[:n] if c.row.published is None)
        if not self.config.hybrid:
            return list(pool.values())
        corpus = self._corpus()
        scores = corpus.lexical.scores(query)
        mask = corpus.mask(filters) if window is None else corpus.window_mask(filters, window)
        top = [corpus.ids[i] for i, _ in best(scores, n, mask)]
        vectors = self.store.vectors([cid for cid in top if cid not in pool])  # found by BM25 alone
        # a chunk gone since the corpus was built has no vector and is skipped
        pool.update((c.id, c) for c in self._candidates([(cid, vectors[cid]) for cid in top if cid in vectors], hide))
        out = list(pool.values())
        positions = [corpus.position.get(c.id) for c in out]
        if self.config.lexical_scope == "pool":
            lexical, newer = corpus.lexical, dict[str, int]()  # words of passages added since the corpus was built
            docs = [lexical.token_ids(pos) if pos is not None else lexical.vocabulary.lookup(tokenize(c.text), newer)
                    for c, pos in zip(out, positions, strict=True)]
            for c, score in zip(out, lexical.pool_scores(query, docs, newer), strict=True):
                c.lexical = float(score)
        else:
            for c, pos in zip(out, positions, strict=True):
                c.lexical = float(scores[pos]) if pos is not None else 0.0
        return out

    def _nearest(self, qv: Any, n: int, filters: Filters) -> list[tuple[str, Any]]:
        """(id, vector) of the ``n`` nearest chunks that ``filters.where()`` keeps, nearest first.

        Any Chroma ``where`` costs 35-87 ms at 27k chunks, against 2-8 ms for the 240-2,000 nearest unfiltered
        without their vectors (docs/figures.md). So the nearest are fetched unfiltered, ``n * OVERFETCH`` then
        ``n * OVERFETCH * WIDEN`` of them, and checked against the corpus metadata (the manifest's): when ``n``
        pass, they are the ``n`` nearest that pass (up to ties in distance and HNSW's approximation), and only
        their vectors are fetched. A narrower filter (one day, a small outlet), or a chunk newer than the corpus
        among the nearest, sends the ``where`` clause. A corpus a little older than the store is safe: a chunk's
        document id is a hash of its text, outlet and date, so the metadata it holds for an id cannot be stale.
        Dense-only search builds the corpus too when it has a filter (0.3 s once at 27k chunks)."""
        where = filters.where()
        if where is None:
            return [(r.id, r.vector) for r in self.store.query(qv, n, None, text=False)]
        corpus, check = self._corpus(), dataclasses.replace(filters, versions="all")  # what ``where`` asks
        for m in (n * OVERFETCH, n * OVERFETCH * WIDEN):
            wide = self.store.query(qv, m, None, text=False, vectors=False)
            kept: list[str] = []
            unknown = False
            for r in wide:
                at = corpus.position.get(r.id)
                if at is None:  # recorded after the corpus was built: its metadata is not at hand
                    unknown = True
                    break
                if check.accepts(corpus.metas[at]):
                    kept.append(r.id)
                    if len(kept) == n:
                        break
            if unknown:
                break
            if len(kept) == n or len(wide) < m:  # n passed, or that was every chunk in the store
                found = self.store.vectors(kept)
                return [(cid, found[cid]) for cid in kept if cid in found]
        return [(r.id, r.vector) for r in self.store.query(qv, n, where, text=False)]

    def _search(self, query: str, qv: Any, k: int, filters: Filters, hints: QueryHints,
                window: Window | None) -> list[Hit]:
        import numpy as np

        cfg = self.config
        pool = self._pool(query, qv, max(cfg.candidates, k), filters, window)
        if not pool:
            return []
        vectors = np.stack([c.vector for c in pool])
        similarity = np.einsum("ij,j->i", vectors, qv)  # not BLAS: see fusion.cosines
        lexical = np.array([c.lexical for c in pool])
        fused = fuse(similarity, lexical, method=cfg.fusion, dense_weight=cfg.dense_weight, rrf_k=cfg.rrf_k) \
            if cfg.hybrid else similarity.astype(np.float64)
        recency = recency_boosts([c.row.published for c in pool], [float(f) for f in fused],
                                 cfg.recency_boost if hints.recent else 0.0)
        for c, sim, score, newer in zip(pool, similarity, fused, recency, strict=True):
            c.similarity, c.score = float(sim), float(score) + self._day_boost(c, hints) + newer
        order = sorted(range(len(pool)), key=lambda i: -pool[i].score)
        pool, vectors = [pool[i] for i in order], vectors[order]
        found = self.stories()
        story = found.story  # a story's versions are one "article" to grouping: never another outlet agreeing
        groups = group([story.get(c.doc_id, c.doc_id) for c in pool], [c.text for c in pool],
                       vectors, min_cosine=cfg.group_cosine,
                       min_containment=cfg.group_containment) if cfg.group else [[i] for i in range(len(pool))]
        heads = [pool[g[0]] for g in groups]
        if isinstance(self.reranker, NoRerank):  # hits are made only for the k that MMR picks
            relevance = np.array([round(c.score, 6) for c in heads])  # as Hit.score holds it
            relevance = (relevance - relevance.min()) / max(float(np.ptp(relevance)), 1e-9)
            chosen = mmr(relevance, vectors[[g[0] for g in groups]], k, lam=cfg.mmr_lambda)
            return [_hit(heads[i], tuple(_passage(pool[j]) for j in groups[i][1:]), found) for i in chosen]
        # a reranker's scores (e.g. logits) do not compare with fused ones: MMR sees its order
        by_id = {c.id: c for c in pool}
        hits = [_hit(pool[g[0]], tuple(_passage(pool[j]) for j in g[1:]), found) for g in groups]
        head = self.reranker.rerank(query, hits[:cfg.rerank_top]) + hits[cfg.rerank_top:]
        relevance = 1.0 - np.arange(len(head)) / max(len(head), 1)
        chosen = mmr(relevance, np.stack([by_id[h.chunk_id].vector for h in head]), k, lam=cfg.mmr_lambda)
        return [head[i] for i in chosen]

    def _day_boost(self, c: _Candidate, hints: QueryHints) -> float:
        if not hints.days:
            return 0.0
        if any(d.matches(c.row.published) or d.mentioned_in(c.text) for d in hints.days):
            return self.config.day_boost
        return 0.0


def _reference(iso: str | None) -> date | None:
    if iso is None:
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        raise ConfigError(f"SearchConfig(reference_date={iso!r}) is not a date: write it as YYYY-MM-DD, or leave "
                          "it out to read dates against the newest article in the index") from None


def _passage(c: _Candidate, version: Version | None = None) -> Passage:
    r = c.row
    v = version or Version((), (), "")
    return Passage(text=c.text, doc_id=r.doc_id, start=c.start, end=c.end, title=r.title, source=r.source,
                   published=r.published, path=c.path, url=r.url, published_at=r.published_at,
                   updated_from=v.updated_from, earlier=v.earlier, later=v.later)


def _hit(c: _Candidate, also_in: tuple[Passage, ...], found: Stories) -> Hit:
    p = _passage(c, found.of(c.doc_id))
    return Hit(**{f.name: getattr(p, f.name) for f in dataclasses.fields(Passage)} | {"also_in": also_in},
               score=round(c.score, 6), similarity=round(c.similarity, 6), lexical=round(c.lexical, 4))
