"""Each precise check of the offline judge names its kind on a hand-made case, and long passages are windowed
(real spaCy parses; the hash embedder stands in for MiniLM, so nothing here depends on its similarities)."""

from __future__ import annotations

import pytest

from index.chunking import sentence_spans
from index.embedding.fake import FakeHashEmbedder
from rag.judges.checks import DATE, NAME, NEGATION, NUMBER, OPPOSITE, STRENGTH, checks, evidence_units
from rag.judges.nlp import parse
from rag.judges.offline import MAX_SENTENCES, WINDOW_SENTENCES, OfflineJudge

P_AID = ("Over nearly three years, about 50 countries have collectively provided Ukraine with more than $126bn in "
         "weapons and military assistance.")
P_MEETING = "Pentagon Chief Pete Hegseth was speaking on Wednesday at the alliance's headquarters in Brussels."
P_TROOPS = "He said there will not be U.S. troops deployed to Ukraine."
P_SPEND = "Hegseth repeated the call for NATO members to boost their defence spending."
P_FORCE = "A settlement could potentially be backed by a non-NATO force, Hegseth said."


def _kinds(claim: str, passage: str) -> set[str]:
    unit = next(u for u in evidence_units((passage,)) if u.text == passage)
    return {kind for kind, _ in checks(parse(claim), unit)}


@pytest.mark.parametrize(("kind", "passage", "faithful", "distorted"), [
    (NUMBER, P_AID, "About 50 countries have given Ukraine more than $126bn in weapons.",
     "About 40 countries have given Ukraine more than $126bn in weapons."),
    (DATE, P_MEETING, "Hegseth spoke on Wednesday at the alliance's headquarters in Brussels.",
     "Hegseth spoke on Thursday at the alliance's headquarters in Brussels."),
    (NAME, P_MEETING, "Hegseth spoke at the alliance's headquarters in Brussels.",
     "Hegseth spoke at the alliance's headquarters in Berlin."),
    (NEGATION, P_TROOPS, "He said there will not be U.S. troops deployed to Ukraine.",
     "He said U.S. troops will be deployed to Ukraine."),
    (OPPOSITE, P_SPEND, "Hegseth repeated the call for NATO members to boost their defence spending.",
     "Hegseth repeated the call for NATO members to cut their defence spending."),
    (STRENGTH, P_FORCE, "Hegseth said a settlement could be backed by a non-NATO force.",
     "Hegseth said a settlement will be backed by a non-NATO force."),
], ids=[NUMBER, DATE, NAME, NEGATION, OPPOSITE, STRENGTH])
def test_each_check_names_its_kind(kind: str, passage: str, faithful: str, distorted: str) -> None:
    assert kind in _kinds(distorted, passage)
    assert kind not in _kinds(faithful, passage)


def test_a_long_passage_is_windowed_to_the_sentences_that_matter() -> None:
    filler = [f"Filler sentence number {i} talks about the weather in town {i}." for i in range(40)]
    article = " ".join(filler[:25] + ["The central bank raised its key rate to 7.5 percent on Friday."] + filler[25:])
    judge = OfflineJudge(FakeHashEmbedder())
    pieces = judge._window("The central bank raised its key rate to 7.5 percent.", (article,))
    assert all(p in article for p in pieces)
    assert any("7.5 percent" in p for p in pieces)
    assert sum(len(sentence_spans(p)) for p in pieces) <= 3 * WINDOW_SENTENCES
    short = " ".join(filler[:MAX_SENTENCES])
    assert judge._window("anything", (short,)) == (short,)  # short passages are left whole


def test_a_short_answer_is_judged_with_its_question() -> None:
    judge = OfflineJudge(FakeHashEmbedder())
    passage = "Computer Terminal Systems sold 200,000 shares to Sedio N.V. of Lugano for 50,000 dlrs."
    asked = judge.assess("50,000 dlrs", [passage], "How much did Sedio pay for the shares?")
    assert asked.features["short_answer"] == 1.0 and asked.features["fails_number"] == 0.0
    wrong = judge.assess("80,000 dlrs", [passage], "How much did Sedio pay for the shares?")
    assert wrong.features["fails_number"] == 1.0
    assert judge.assess("Sedio paid 50,000 dlrs for the shares of the company.", [passage],
                        "How much did Sedio pay?").features["short_answer"] == 0.0  # a sentence stands alone


def test_names_fold_diacritics_and_match_their_acronyms() -> None:
    from rag.judges.facts import name_found, name_key

    assert name_key("Sprūds") == name_key("Spruds")
    assert name_found("udcg", {"ukraine defense contact group"}, set())
    assert name_found("ukraine defense contact group", {"udcg"}, {"udcg"})
    assert not name_found("nato", {"ukraine defense contact group"}, set())
    unit = next(u for u in evidence_units(("Latvian defence minister Andris Sprūds met the UDCG in Brussels.",))
                if len(u.docs) == 1)
    assert NAME not in {k for k, _ in checks(parse("Andris Spruds met the Ukraine Defense Contact Group."), unit)}


def test_the_model_reads_the_part_of_a_long_unit_around_the_sentence_that_matters() -> None:
    from rag.judges.model import window

    filler = [f"Sentence {i} of the story is about the harbour and the ships in it." for i in range(12)]
    key = "The industry said the mercury was being sold at more than 40 pct below EC prices."
    passage = " ".join([*filler, key, "The Commission will report in June."])
    unit = next(u for u in evidence_units((passage,)) if u.text == passage)  # the whole passage, 170 words
    at = [d.text for d in unit.docs].index(key)
    text = window(unit, words=60, near=at)
    assert key in text and len(text.replace("…", "").split()) <= 60
    assert text.startswith("… ") and text.endswith("The Commission will report in June.")  # and its neighbours
    assert key not in window(unit, words=60, near=0)  # the start of the passage does not hold it
