"""Shipped search against dense-only and BM25-only on every question set, with the real MiniLM, and wire copies
folded with real vectors."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from eval.datasets import DATA_DIR, QUESTIONS, QUESTIONS_HELDOUT, load_questions
from eval.retrieval import BM25_ONLY, RetrievalScore, gold_spans, score_retrieval
from eval.reuters import CORPUS, EVAL_FILES
from index import Index, sample_dir
from index.search import DENSE_ONLY, SearchConfig
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


@pytest.fixture(scope="module")
def reuters_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """reut2-000.sgm and reut2-001.sgm (2,000 Reuters-21578 stories, ~1,300 with a body), read as archives."""
    missing = [f for f in EVAL_FILES if not (CORPUS / f).is_file()]
    if missing:
        pytest.skip(f"the Reuters-21578 corpus is not at {CORPUS} (missing {missing}): see ../shared/corpora")
    idx = Index(tmp_path_factory.mktemp("reuters") / "index")
    idx.ingest([CORPUS / f for f in EVAL_FILES])
    yield idx
    idx.close()


DEV = ("samples-gold", "reuters-dev")  # what bench/retrieval_sets.py --sweep chose the shipped settings on
# every question set with gold passages, and the corpus it is about (bench/retrieval_sets.py prints the tables)
SETS = {"samples-gold": QUESTIONS, "samples-heldout": QUESTIONS_HELDOUT,
        "reuters-dev": DATA_DIR / "questions_reuters_dev.jsonl",
        "reuters-test": DATA_DIR / "questions_reuters_test.jsonl"}


@pytest.mark.parametrize("name", list(SETS))
def test_shipped_search_is_at_least_dense_on_every_set(name: str, request: pytest.FixtureRequest) -> None:
    idx = request.getfixturevalue("reuters_index" if name.startswith("reuters") else "real_index")
    questions = load_questions(SETS[name])
    golds = gold_spans(idx, questions)
    assert all(golds[q.id] for q in questions if q.answerable), "every answerable question's gold quote is found"
    shipped, dense, bm25 = (_score(idx, config, questions, golds) for config in (SearchConfig(), DENSE_ONLY, BM25_ONLY))
    print(f"{name}: shipped {shipped.row()}\ndense   {dense.row()}\nbm25    {bm25.row()}")
    assert shipped.hits[1] >= dense.hits[1] and shipped.hits[5] >= dense.hits[5] and shipped.mrr >= dense.mrr
    if name in DEV:  # the dense side counts: fusing it in ranks better than BM25 alone on the sets tuned on
        assert shipped.mrr > bm25.mrr
    if name == "samples-gold":
        assert shipped.hits[1] >= MIN_HIT_AT_1 and shipped.hits[5] >= MIN_HIT_AT_5


def _score(idx: Index, config: SearchConfig, questions: list, golds: dict) -> RetrievalScore:
    before = idx.searcher.config
    idx.searcher.config = config
    try:
        return score_retrieval(lambda q, k: idx.search(q, k=k), questions, golds)
    finally:
        idx.searcher.config = before


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
