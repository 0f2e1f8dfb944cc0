"""The harness's metrics against tiny cases computed by hand."""

from __future__ import annotations

import pytest

from eval import metrics as m


def test_normalize_drops_case_punctuation_and_articles() -> None:
    assert m.normalize("The U.S. said: “5%!”") == "u s said 5 percent"


def test_answer_match_needs_whole_words() -> None:
    assert m.answer_match("Hegseth said 5 percent of GDP.", ["5%"])
    assert not m.answer_match("It was 25 percent.", ["5 percent"])
    assert not m.answer_match("", ["5 percent"])


def test_token_f1_by_hand() -> None:
    # pred tokens: [more, than, 126, billion]; gold: [126, billion, dollars] -> common 2; P = 2/4, R = 2/3
    p, r = 2 / 4, 2 / 3
    assert m.token_f1("More than 126 billion", ["126 billion dollars"]) == pytest.approx(2 * p * r / (p + r))
    assert m.token_f1("nothing alike", ["126 billion"]) == 0.0
    assert m.token_f1("126 billion", ["nope", "126 billion"]) == 1.0  # best gold wins


def test_ranks_hits_and_reciprocal_rank() -> None:
    rank = m.rank_of_first([False, False, True, True])
    assert rank == 3
    assert (m.hit_at_k(rank, 1), m.hit_at_k(rank, 3), m.hit_at_k(rank, 5)) == (0.0, 1.0, 1.0)
    assert m.reciprocal_rank(rank) == pytest.approx(1 / 3)
    assert m.rank_of_first([False]) is None and m.reciprocal_rank(None) == 0.0 and m.hit_at_k(None, 10) == 0.0


def test_span_overlap() -> None:
    assert m.span_overlap(0, 50, 40, 60) == 0.5
    assert m.span_overlap(0, 10, 20, 30) == 0.0
    assert m.span_overlap(0, 100, 20, 30) == 1.0


def test_refusal_scores_count_both_kinds_of_mistake() -> None:
    # (answerable, refused): right answer, wrong refusal, right refusal, wrong answer to an unanswerable one
    s = m.refusal_scores([(True, False), (True, True), (False, True), (False, False)])
    assert s.accuracy == 0.5
    assert s.refused_unanswerable == 0.5 and s.refused_answerable == 0.5


def _supports(claim: str, passages: list[str]) -> bool:
    """A tiny deterministic judge for the test: every word of the claim occurs in the passages."""
    text = " ".join(passages).lower().split()
    return all(w in text for w in claim.lower().split())


def test_citation_scores_alce_style() -> None:
    p1, p2, p3 = "troops stay home", "aid is cut", "weather is fine"
    sentences = [
        ("troops stay home", [p1, p3]),  # supported; p1 alone suffices, p3 is irrelevant -> 1 of 2 precise
        ("troops stay home aid is cut", [p1, p2]),  # needs both: both precise
        ("aid is cut", []),  # no citation: recall 0
        ("weather is bad", [p3]),  # cited but unsupported: recall 0, citation imprecise
    ]
    s = m.citation_scores(sentences, _supports)
    assert s.recall == pytest.approx(2 / 4)
    assert s.precision == pytest.approx(3 / 5)
    assert (s.sentences, s.citations) == (4, 5)


def test_classification_scores_by_hand() -> None:
    labels = [1, 1, 1, 0, 0]  # three supported, two unsupported
    judged = [True, True, False, False, True]
    s = m.classification_scores(labels, judged)
    assert s.supported_recall == pytest.approx(2 / 3)
    assert s.unsupported_recall == pytest.approx(1 / 2)
    assert s.balanced_accuracy == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert s.unsupported_precision == pytest.approx(1 / 2)  # called unsupported: one right, one wrong
    assert s.accuracy == pytest.approx(3 / 5)


def test_mean_and_percentile() -> None:
    assert m.mean([1.0, None, 0.0]) == 0.5 and m.mean([None]) is None
    assert m.percentile([1, 2, 3, 4], 50) == 2.5 and m.percentile([], 50) == 0.0
