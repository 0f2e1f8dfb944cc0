"""Hybrid search with the real MiniLM on the gold questions, and syndicated copies with real vectors."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from eval.datasets import QUESTIONS, load_questions
from eval.retrieval import gold_spans, score_retrieval
from index import Index, sample_dir
from index.search import DENSE_ONLY
from tests.unit.test_search_fake import syndicated_copy

# the targets for the shipped defaults (bench/retrieval.py prints the measured figures)
MIN_HIT_AT_1 = 0.75
MIN_HIT_AT_5 = 0.95


@pytest.fixture
def using(real_index: Index):
    """Run with another search config on the shared index, and put the shipped one back afterwards."""
    shipped = real_index.searcher.config

    def switch(config):
        real_index.searcher.config = config
        return real_index

    yield switch
    real_index.searcher.config = shipped


def test_hybrid_beats_or_equals_dense_on_the_gold_questions(real_index: Index, using) -> None:
    questions = load_questions(QUESTIONS)
    golds = gold_spans(real_index, questions)
    assert sum(bool(g) for g in golds.values()) == sum(q.answerable for q in questions)
    hybrid = score_retrieval(lambda q, k: real_index.search(q, k=k), questions, golds)
    dense_index = using(DENSE_ONLY)
    dense = score_retrieval(lambda q, k: dense_index.search(q, k=k), questions, golds)
    print(f"hybrid {hybrid.row()}\ndense  {dense.row()}")
    assert hybrid.hits[1] >= dense.hits[1] and hybrid.hits[5] >= dense.hits[5] and hybrid.mrr >= dense.mrr
    assert hybrid.hits[1] > dense.hits[1], "hybrid should add something at rank 1, not just tie"
    assert hybrid.hits[1] >= MIN_HIT_AT_1 and hybrid.hits[5] >= MIN_HIT_AT_5


def test_dense_only_config_really_is_dense(real_index: Index, using) -> None:
    dense_index = using(DENSE_ONLY)
    hits = dense_index.search("Which country led the Ukraine Defense Contact Group meeting?", k=10)
    sims = [h.similarity for h in hits]
    assert sims == sorted(sims, reverse=True) and all(not h.also_in for h in hits)


def test_no_false_syndication_among_the_sample_rewrites(real_index: Index) -> None:
    for q in load_questions(QUESTIONS):
        assert all(not h.also_in for h in real_index.search(q.question, k=10)), q.id


def test_a_wire_copy_is_folded_into_one_hit_with_real_vectors(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(sample_dir(), articles)
    syndicated_copy(articles, outlet="Example Wire")
    idx = Index(tmp_path / "index")
    try:
        idx.ingest([articles])
        for question in ("Who is due to lead Europe's share of future aid to Ukraine, according to Hegseth?",
                         "What did Trump say after his call with Putin?",
                         "How much has the US provided to Ukraine under Biden?"):
            hits = idx.search(question, k=5)
            carried = [h for h in hits if {h.source, *(p.source for p in h.also_in)} >= {"Al Jazeera", "Example Wire"}]
            assert carried, question
            assert all(h.sources_count == 2 for h in carried)
            # and never shown twice: no hit from one article is a bare repeat of another hit's copy
            seen = [(p.doc_id, p.start) for h in hits for p in (h, *h.also_in)]
            assert len(seen) == len(set(seen))
        # grouping off: both copies come back as separate hits
        idx.searcher.config = dataclasses.replace(idx.searcher.config, group=False)
        plain = idx.search("What did Trump say after his call with Putin?", k=5)
        assert {"Al Jazeera", "Example Wire"} <= {h.source for h in plain}
    finally:
        idx.close()
