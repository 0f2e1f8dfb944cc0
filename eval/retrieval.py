"""Retrieval scoring on gold passages: where a question's gold quotes are, and at which rank search finds one.

A hit is relevant when it, or one of the copies folded into it (``Hit.also_in``), covers at least
half of a gold quote of the question. Copies count because search shows them with the hit: the
reader sees the quote and every outlet that carries it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import metrics
from eval.datasets import Question
from index import Index
from index.search import SearchConfig
from index.types import Hit, Passage

KS = (1, 3, 5, 10)
# BM25 alone, to compare with: corpus-wide statistics, no dense score in the ranking, no folding, MMR or hints
BM25_ONLY = SearchConfig(dense_weight=0.0, lexical_scope="corpus", group=False, mmr_lambda=1.0, query_hints=False)


@dataclass
class GoldSpan:
    article: str
    doc_id: str
    start: int
    end: int
    quote: str = ""


def gold_spans(idx: Index, questions: Sequence[Question]) -> dict[str, list[GoldSpan]]:
    """Each gold quote located in its indexed article (by file stem), as character offsets."""
    by_stem: dict[str, str] = {}
    for path in idx.manifest.all_paths():
        doc_id = idx.manifest.doc_for_path(path)
        if doc_id:
            by_stem[_stem(path)] = doc_id
    out: dict[str, list[GoldSpan]] = {}
    for q in questions:
        spans = []
        for gold in q.passages:
            doc_id = by_stem.get(gold.article) or next(
                (d for s, d in by_stem.items() if s.startswith(gold.article)), None)
            text = idx.document_text(doc_id) if doc_id else None
            start = text.find(gold.quote) if text else -1
            if doc_id and start >= 0:
                spans.append(GoldSpan(gold.article, doc_id, start, start + len(gold.quote), gold.quote))
            else:
                print(f"warning: {q.id}: gold quote not found in article {gold.article!r}", file=sys.stderr)
        out[q.id] = spans
    return out


def _stem(path: str) -> str:
    """A file's stem; a story read from a Reuters archive (``reut2-000.sgm#NEWID=7``) is named as
    ``eval.reuters`` writes it out (``reuters-7``), so gold quotes find it either way."""
    _, _, member = path.partition("#")
    if member.startswith("NEWID="):
        return f"reuters-{member.removeprefix('NEWID=')}"
    return Path(path).stem


def covers(passage: Passage, golds: Sequence[GoldSpan]) -> bool:
    return any(passage.doc_id == g.doc_id and metrics.span_overlap(passage.start, passage.end, g.start, g.end) >= 0.5
               for g in golds)


def relevant(hit: Hit, golds: Sequence[GoldSpan]) -> bool:
    """The hit or a copy folded into it covers a gold quote, or the hit is a later version of the gold story
    (search shows the latest version of a story) and holds the quote."""
    earlier = set(getattr(hit, "earlier", ()))
    return covers(hit, golds) or any(covers(p, golds) for p in hit.also_in) or any(
        g.doc_id in earlier and g.quote and g.quote in hit.text for g in golds)


@dataclass
class RetrievalScore:
    """hit@k for ``KS``, MRR, search latency, and each question's rank of the first relevant hit."""

    hits: dict[int, float]
    mrr: float
    latency_p50_ms: float
    latency_p95_ms: float
    ranks: dict[str, int | None]

    def row(self) -> dict[str, Any]:
        return {**{f"hit@{k}": round(v, 3) for k, v in self.hits.items()}, "mrr": round(self.mrr, 3),
                "p50_ms": round(self.latency_p50_ms, 1), "p95_ms": round(self.latency_p95_ms, 1)}


SearchFn = Callable[[str, int], Sequence[Any]]


def score_retrieval(search: SearchFn, questions: Sequence[Question], golds: dict[str, list[GoldSpan]],
                    *, depth: int = max(KS), is_relevant: Callable[[Any, list[GoldSpan]], bool] = relevant,
                    ) -> RetrievalScore:
    """Run ``search(question, depth)`` for every answerable question with gold spans and score the ranks."""
    ranks: dict[str, int | None] = {}
    latencies: list[float] = []
    for q in questions:
        if not q.answerable or not golds.get(q.id):
            continue
        started = time.perf_counter()
        hits = search(q.question, depth)
        latencies.append((time.perf_counter() - started) * 1000)
        ranks[q.id] = metrics.rank_of_first([is_relevant(h, golds[q.id]) for h in hits])
    rs = list(ranks.values())
    return RetrievalScore(
        hits={k: metrics.mean([float(metrics.hit_at_k(r, k)) for r in rs]) or 0.0 for k in KS},
        mrr=metrics.mean([metrics.reciprocal_rank(r) for r in rs]) or 0.0,
        latency_p50_ms=metrics.percentile(latencies, 50) or 0.0,
        latency_p95_ms=metrics.percentile(latencies, 95) or 0.0,
        ranks=ranks,
    )
