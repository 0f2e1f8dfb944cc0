"""Claim splitting, the lexical baseline, the llm judge's parsing (with the FAKE scripted LLM), gold data files."""

from __future__ import annotations

from collections import Counter

import pytest

from eval.datasets import CLAIMS, CLAIMS_HELDOUT, QUESTIONS, load_claims, load_questions
from index import sample_dir
from index.errors import ConfigError
from index.loading import read
from index.pipeline import prepare
from rag.backends.fake import ScriptedFakeLLM
from rag.judges import cited_sentences, get_judge, split_claims
from rag.judges.llm import parse_verdict


def test_cited_sentences_attach_trailing_markers_to_their_sentence() -> None:
    text = "“Troops will not go.” [1]\nAid is cut [2][3]. Europe pays. [4]"
    assert cited_sentences(text) == [("Troops will not go.", [1]), ("Aid is cut.", [2, 3]), ("Europe pays.", [4])]
    assert split_claims(text) == ["Troops will not go.", "Aid is cut.", "Europe pays."]


def test_lexical_judge_is_a_word_share() -> None:
    judge = get_judge("lexical", threshold=0.5)
    v = judge.judge("Hegseth visited Brussels yesterday", ["Hegseth spoke in Brussels."])
    assert v.score == pytest.approx(2 / 4) and v.supported  # hegseth, brussels of hegseth/visited/brussels/yesterday
    assert not get_judge("lexical").judge("Hegseth visited Brussels yesterday", ["Hegseth spoke."]).supported


def test_unknown_judge_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="offline, lexical, llm"):
        get_judge("nli")


def test_llm_judge_sends_claim_and_passages_and_parses_the_verdict() -> None:
    fake = ScriptedFakeLLM(["UNSUPPORTED - the passage says 5 percent", "Supported.", "- Claim one\n- Claim two"])
    judge = get_judge("llm", backend=fake)
    assert not judge.judge("They want 3 percent.", ["They want 5 percent."]).supported
    assert judge.judge("They want 5%.", ["They want 5 percent."]).supported
    assert judge.claims("Claim one and two.") == ["Claim one", "Claim two"]
    assert "They want 3 percent." in fake.calls[0][1]["content"] and "5 percent" in fake.calls[0][1]["content"]


def test_llm_judge_refuses_a_backend_that_is_not_a_chat_model() -> None:
    with pytest.raises(ConfigError, match="chat model"):
        get_judge("llm", backend="extractive")


def test_unclear_verdicts_count_as_unsupported() -> None:
    assert not parse_verdict("I think maybe").supported
    assert not parse_verdict("").supported
    assert parse_verdict("SUPPORTED").supported


def test_bad_claim_file_names_the_line(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"claim": "x", "passages": ["p"], "label": 1}\n{"claim": "y", "passages": ["p"], "label": 2}\n')
    with pytest.raises(ConfigError, match=r"bad.jsonl:2: 'label'"):
        load_claims(bad)
    bad.write_text("not json\n")
    with pytest.raises(ConfigError, match=r"bad.jsonl:1: not valid JSON"):
        load_claims(bad)


def _cleaned_articles() -> dict[str, str]:
    out = {}
    for path in sorted(sample_dir().glob("*.txt")):
        article = prepare(read(path))
        out[path.stem] = article.text  # type: ignore[union-attr]
    return out


def test_gold_questions_meet_the_issue_minimums_and_quote_the_articles() -> None:
    questions = load_questions(QUESTIONS)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 40 and kinds["unanswerable"] >= 8 and kinds["multi"] >= 8
    texts = _cleaned_articles()
    for q in questions:
        assert q.answerable == (q.kind != "unanswerable"), q.id
        if q.kind == "multi":
            assert len({p.article for p in q.passages}) >= 2, q.id
        for p in q.passages:
            assert p.quote in texts[p.article], (q.id, p.article, p.quote)


def test_labelled_claims_cover_every_distortion() -> None:
    for path, least in ((CLAIMS, 100), (CLAIMS_HELDOUT, 60)):
        claims = load_claims(path)
        assert len(claims) >= least
        kinds = Counter(c.kind for c in claims if c.label == 0)
        assert set(kinds) == {"number", "date", "entity", "negation", "overgeneralisation", "invented"}
        assert sum(c.label for c in claims) >= len(claims) // 3


def test_the_offline_judge_survives_its_vector_cache_filling_up(monkeypatch) -> None:
    """At archive scale the bounded cache empties mid-judgement; the judge must keep the vectors it is using
    (it raised KeyError on the 27th Reuters dev question)."""
    from index.embedding.fake import FakeHashEmbedder
    from rag.judges import offline

    monkeypatch.setattr(offline, "_MAX_CACHED_VECTORS", 4)
    judge = offline.OfflineJudge(FakeHashEmbedder())
    passage = ("TAIPEI, March 3 - Central bank governor Chang Chi-cheng rejected a request by textile makers. "
               "The textile federation said exports fell. Makers lost orders to South Korea and Hong Kong.")
    verdict = judge.judge("The central bank chief turned down the textile makers' plea.", [passage])  # synonyms
    assert isinstance(verdict.supported, bool)


def test_the_judge_dev_and_test_claims_are_what_the_readme_says() -> None:
    from eval.datasets import CLAIMS_REUTERS_DEV, CLAIMS_TEST
    from eval.passages import article_text

    dev, test = load_claims(CLAIMS_REUTERS_DEV), load_claims(CLAIMS_TEST)
    assert len(dev) >= 200 and len(test) >= 180
    for claims in (dev, test):
        assert 0.3 <= sum(c.label for c in claims) / len(claims) <= 0.6
        short = [c for c in claims if c.kind == "short_answer"]
        assert len(short) >= 25 and all(c.question and len(c.claim.split()) <= 8 for c in short)
    assert {c.article for c in dev}.isdisjoint({c.article for c in test})  # different stories
    samples = [c for c in test if c.article and not c.article.startswith("reuters-")]
    assert len(samples) >= 50
    for c in samples:
        assert all(p in article_text(c.article) for p in c.passages), c.claim


def test_an_unknown_abbreviation_does_not_split_an_answer_sentence() -> None:
    # Punkt ends a sentence at "N.V." here; a piece that starts lower-case continues the sentence before it
    answer = "Sedio N.V. of Lugano paid 50,000 dlrs [1]. It also got warrants [2].\nlower case on a new line [3]."
    assert cited_sentences(answer) == [("Sedio N.V. of Lugano paid 50,000 dlrs.", [1]),
                                       ("It also got warrants.", [2]), ("lower case on a new line.", [3])]


def test_a_spaced_initial_does_not_split_an_answer_sentence() -> None:
    # the reader wrote "(U. S.)"; Punkt ends a sentence at "(U." and the next piece starts with a capital
    answer = "The U. S. Agriculture Department said the Board gets 132 mln (U. S.) dlrs [1]. Next one [2]."
    assert cited_sentences(answer) == [
        ("The U. S. Agriculture Department said the Board gets 132 mln (U. S.) dlrs.", [1]), ("Next one.", [2])]
