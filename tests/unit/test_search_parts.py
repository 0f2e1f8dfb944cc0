"""The pieces of hybrid search, each on hand-made inputs: BM25, fusion, MMR, syndication groups,
query hints, filters and the reranker registry."""

from __future__ import annotations

import numpy as np
import pytest

from index.errors import ConfigError
from index.filters import parse_filters
from index.fusion import fuse, mmr
from index.lexical import LexicalIndex, tokenize
from index.query import DayMention, days_in, understand
from index.rerank import NoRerank, get_reranker
from index.syndication import containment, group, shingles
from index.types import Hit, Passage


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert tokenize("The ministers are meeting in Brussels on 12 February") == [
        "minist", "meet", "brussel", "12", "februari"]


def test_bm25_prefers_the_rare_shared_word_and_respects_the_mask() -> None:
    lex = LexicalIndex.from_texts(["NATO allies met in Brussels", "The UDCG met in Brussels", "Weather report: rain"])
    assert [i for i, _ in lex.top("When did the UDCG gather in Brussels?", 3)] == [1, 0]
    assert [i for i, _ in lex.top("UDCG Brussels", 3, mask=np.array([True, False, True]))] == [0]
    assert lex.top("zebra", 3) == [] and LexicalIndex.from_texts([]).top("x", 3) == []


@pytest.mark.parametrize("seed", range(5))
def test_bm25_scores_equal_bm25s_lucene_scores(seed: int) -> None:
    """Our numpy BM25 (built from stored token ids) gives bm25s' scores, corpus-wide and on a pool."""
    import random

    import bm25s

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(rng.randint(5, 60))]
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 40))) for _ in range(rng.randint(1, 200))]
    query = " ".join(rng.choices(words + ["absent"], k=rng.randint(1, 6)))
    ours = LexicalIndex.from_texts(texts)
    reference = bm25s.BM25()
    reference.index([tokenize(t) for t in texts], show_progress=False)
    known = [t for t in tokenize(query) if t in reference.vocab_dict]
    expected = reference.get_scores(known) if known else np.zeros(len(texts))
    assert np.allclose(ours.scores(query), expected, rtol=1e-5, atol=1e-6)
    pool = sorted(rng.sample(range(len(texts)), min(len(texts), 12)))
    small = bm25s.BM25()
    small.index([tokenize(texts[i]) for i in pool], show_progress=False)
    known = [t for t in tokenize(query) if t in small.vocab_dict]
    expected = small.get_scores(known) if known else np.zeros(len(pool))
    got = ours.pool_scores(query, [ours.token_ids(i) for i in pool])
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_linear_fusion_weights_both_sides() -> None:
    dense, bm25 = [0.9, 0.5, 0.1], [0.0, 10.0, 5.0]
    assert np.argmax(fuse(dense, bm25, dense_weight=0.9)) == 0
    assert np.argmax(fuse(dense, bm25, dense_weight=0.1)) == 1
    assert np.allclose(fuse(dense, bm25, dense_weight=1.0), [1.0, 0.5, 0.0])


def test_rrf_fusion_uses_ranks_only() -> None:
    a = fuse([0.9, 0.8, 0.1], [1.0, 50.0, 0.0], method="rrf", dense_weight=0.5)
    b = fuse([0.3, 0.2, 0.1], [1.0, 2.0, 0.0], method="rrf", dense_weight=0.5)
    assert np.allclose(a, b) and a[2] == 0.0
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse([1.0], [1.0], method="max")


def test_mmr_skips_a_near_copy_of_what_it_already_chose() -> None:
    vecs = np.array([[1.0, 0.0], [0.999, 0.0447], [0.0, 1.0]])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rel = [1.0, 0.95, 0.6]
    assert mmr(rel, vecs, 2, lam=1.0) == [0, 1]
    assert mmr(rel, vecs, 2, lam=0.5) == [0, 2]
    assert mmr(rel, vecs, 5, lam=0.5) == [0, 2, 1] and mmr([], vecs[:0], 3) == []


def test_a_long_passage_quoting_a_short_one_is_not_a_copy() -> None:
    wire = "The defence secretary said that membership of the alliance was not a realistic outcome for Kyiv"
    longer = wire + (" Ministers then agreed a new drone fund worth seven billion euros, paid for by the"
                     " Commission over five years, with the first tranche due in the spring.")
    assert containment(shingles(wire), shingles(longer)) < 0.5


def test_containment_survives_shifted_boundaries() -> None:
    story = "The defence secretary said that membership of the alliance was not a realistic outcome for Kyiv"
    a = shingles("Header line. " + story)
    b = shingles(story + " Other outlet footer text here")
    assert containment(a, b) > 0.6
    assert containment(a, shingles("A completely different sentence about the weather in Paris today")) == 0.0


def test_group_folds_copies_from_other_articles_only() -> None:
    vecs = np.array([[1.0, 0.0], [0.99, 0.141], [1.0, 0.0], [0.0, 1.0]])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    groups = group(["a", "b", "a", "c"], ["x one", "y two", "x one", "z three"], vecs, min_cosine=0.95)
    assert groups == [[0, 1], [2], [3]]  # the same article's own chunk (2) is never folded into 0


def test_days_named_in_questions() -> None:
    assert days_in("What did Al Jazeera report on 12 February?") == [DayMention(2, 12)]
    assert days_in("on Feb. 13, 2025 and 2025-02-14") == [DayMention(2, 13, 2025), DayMention(2, 14, 2025)]
    assert days_in("He spoke for 12 minutes in May") == []
    assert days_in("on 31 February") == []  # no such day: ignored rather than crashing
    d = DayMention(2, 12)
    assert d.matches("2025-02-12") and d.matches("2025-02-13") and not d.matches("2025-02-14")
    assert not d.matches(None) and not DayMention(2, 12, 2024).matches("2025-02-12")


def test_understand_finds_known_outlets_only() -> None:
    hints = understand("What did Al-Jazeera report on 12 February?", ["Al Jazeera", "CNN"])
    assert hints.sources == ("Al Jazeera",) and hints.days == (DayMention(2, 12),)
    assert "Al Jazeera" in hints.notes[0] and "12 February" in hints.notes[1]
    assert understand("What did the BBC say?", ["Al Jazeera", "CNN"]).sources == ()
    assert understand("Who is Cnnor?", ["CNN"]).sources == ()
    assert understand("what did cnn say?", ["CNN"]).sources == ("CNN",)  # an acronym, any case
    # outlet names that are also ordinary words only count when written as names
    known = ["Time", "US", "The Hill", "News"]
    for question in ("What time did Hegseth arrive?", "What did the US defense secretary say?",
                     "Who stood on the hill?", "Any news about NATO?"):
        assert understand(question, known).sources == (), question
    assert understand("What did Time and The Hill report?", known).sources == ("Time", "The Hill")


def test_filters_mask_and_where_agree() -> None:
    metas = [
        {"doc_id": "a", "source": "CNN", "published_num": 20250212},
        {"doc_id": "b", "source": "Al Jazeera", "published_num": 20250213},
        {"doc_id": "c"},
        {"doc_id": "d", "source": "CNN", "published_num": 20250214, "superseded": True},  # a later version replaced it
    ]
    f = parse_filters({"source": ["CNN", "Al Jazeera"], "since": "2025-02-13"})
    assert f.mask(metas).tolist() == [False, True, False, False]
    assert f.where() == {"$and": [{"source": {"$in": ["CNN", "Al Jazeera"]}}, {"published_num": {"$gte": 20250213}}]}
    every = parse_filters({"source": ["CNN", "Al Jazeera"], "since": "2025-02-13", "versions": "all"})
    assert every.mask(metas).tolist() == [False, True, False, True]
    assert every.where() == f.where()  # search drops superseded chunks from Chroma's answer itself (a filter is slow)
    assert parse_filters({"until": "2099-12-31"}).until == 20991231
    assert parse_filters(None).mask(metas).tolist() == [True, True, True, False]  # latest versions by default
    assert parse_filters({}).where() is None
    assert parse_filters({"versions": "all"}).mask(metas) is None
    with pytest.raises(ConfigError, match="versions='newest' must be one of 'latest', 'all'"):
        parse_filters({"versions": "newest"})
    with pytest.raises(ConfigError, match="not a date"):
        parse_filters({"since": "last week"})
    with pytest.raises(ConfigError, match="Unknown filter"):
        parse_filters({"outlet": "CNN"})


def test_reranker_registry() -> None:
    hits = [Hit(text="t", doc_id="d", start=0, end=1, score=s) for s in (0.2, 0.9)]
    assert NoRerank().rerank("q", hits) == hits
    with pytest.raises(ConfigError, match="known rerankers: none, cross-encoder"):
        get_reranker("colbert")
    with pytest.raises(ConfigError, match="No cross-encoder model folder"):
        get_reranker("cross-encoder", model_path="/nonexistent/model")


def test_sources_count_counts_articles() -> None:
    copy = Passage(text="t", doc_id="b", start=0, end=1)
    hit = Hit(text="t", doc_id="a", start=0, end=1, score=1.0, also_in=(copy, copy))
    assert hit.sources_count == 2 and Hit(text="t", doc_id="a", start=0, end=1, score=1.0).sources_count == 1


def test_pool_bm25_counts_words_of_passages_newer_than_the_index() -> None:
    """A passage added after the BM25 index was built (not in its vocabulary) still scores on the query's new word."""
    lex = LexicalIndex.from_texts(["NATO ministers met in Brussels", "NATO allies met"])
    newer: dict[str, int] = {}
    fresh = lex.vocabulary.lookup(tokenize("Zelensky met NATO ministers in Kyiv"), newer)
    scores = lex.pool_scores("What did Zelensky tell NATO?", [lex.token_ids(0), fresh], newer)
    assert scores[1] > scores[0] > 0
