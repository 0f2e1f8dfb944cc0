"""Does a supported answer answer the question? Question shapes, answer kinds and the one-sentence rule
(real spaCy parses; no embedding model)."""

from __future__ import annotations

import pytest

from rag.answerability import (
    COUNTRY,
    DATE,
    DURATION,
    EXACT_DATE,
    NUMBER,
    PERSON,
    PLACE,
    expectations,
    findings,
    meets,
    question_names,
    speaker_names,
)


@pytest.mark.parametrize(("question", "kinds"), [
    ("How many troops would European countries have to contribute?", [(NUMBER, "troop")]),
    ("How much aid have about 50 countries given Ukraine?", [(NUMBER, "aid")]),
    ("How many days did the envoy spend in Washington?", [(DURATION, "day")]),
    ("How long did Trump's first phone call with Putin last?", [(DURATION, "")]),
    ("On what date did Hegseth speak?", [(EXACT_DATE, "")]),
    ("When and where will Trump and Putin first meet in person?", [(DATE, ""), (PLACE, "")]),
    ("What tariff rate did Trump threaten?", [(NUMBER, "")]),
    ("In which city did Hegseth speak?", [(PLACE, "")]),
    ("Which country led the meeting for the first time?", [(COUNTRY, "")]),
    ("What is the name of the senior NATO official?", [(PERSON, "")]),
    ("What did Hegseth say about troops?", []),
    ("Why do NATO members keep their doubts to themselves?", []),
    # "when" joining two clauses is not a question word
    ("Which Russian negotiator was in Washington when General Cavoli testified?", []),
])
def test_question_words_set_the_kind_of_answer(question: str, kinds: list[tuple[str, str]]) -> None:
    assert [(e.kind, e.focus) for e in expectations(question) if e.kind] == kinds


def test_the_asked_for_phrase_is_not_a_name_to_look_for() -> None:
    question = "To which British newspaper did Zelensky float the idea of a land swap?"
    span = frozenset().union(*(e.span for e in expectations(question)))
    assert set(question_names(question, span)) == {"zelensky"}  # not "uk": British describes the answer


@pytest.mark.parametrize(("question", "text", "ok"), [
    ("How many troops would Europe send?", "European countries would send 20,000 troops to the front.", True),
    ("How many troops would Europe send?", "About 50 countries have given Ukraine $126bn in aid.", False),
    ("How many troops would Europe send?", "Europe will send troops, Hegseth said.", False),
    ("How much of the $126bn came from the US?", "Countries gave more than $126bn.", False),  # echoes the question
    ("How much of the $126bn came from the US?", "The US provided about $64bn of that.", True),
    ("How long did the call last?", "The call lasted about 90 minutes.", True),
    ("How long did the call last?", "Trump announced the call on Wednesday.", False),
    ("On what date did Hegseth speak?", "Hegseth spoke on Wednesday, February 12.", True),
    ("On what date is the next meeting?", "The group meets in Brussels next week.", False),
    ("When is the next meeting?", "The group meets in Brussels next week.", True),
    ("Where will Trump and Putin meet?", "US President Donald Trump called Russian President Vladimir Putin.", False),
    ("Where did Hegseth speak?", "Hegseth spoke at NATO headquarters in Brussels.", True),
    ("What is the name of the NATO official?", "A senior NATO official said time is on Russia's side.", False),
])
def test_an_answer_must_hold_the_kind_asked_for(question: str, text: str, ok: bool) -> None:
    asked = [e for e in expectations(question) if e.kind]
    assert asked and all(meets(e, question, text) for e in asked) is ok


def test_who_is_asked_about_comes_from_saying_and_giving_verbs() -> None:
    assert set(speaker_names("What did Germany's defence minister say in response?")) == {"germany"}
    assert set(speaker_names("How did China's government react to Hegseth's remarks?")) == {"china"}
    assert set(speaker_names("How much new military aid did the UK pledge to Ukraine?")) == {"uk"}
    assert speaker_names("What does Article 5 of NATO mean for its members?") == {}


PASSAGES = ["About 50 countries have supplied over $126bn in aid to Ukraine. Britain's defence secretary John "
            "Healey chaired the meeting, and the UK promised continued military aid. Hegseth's remarks received "
            "pushback from NATO allies."]


def _why(*args, **kw) -> str:
    return "; ".join(r for r in findings(*args, **kw).values() if r)


def test_one_sentence_must_hold_both_the_number_and_who_gave_it() -> None:
    question = "How much new military aid did the UK pledge to Ukraine?"
    apart = [("About 50 countries have supplied over $126bn in aid to Ukraine.", PASSAGES[0][:64]),
             ("The UK promised continued military aid.", "The UK promised continued military aid.")]
    why = _why(question, apart, PASSAGES)
    assert "UK" in why
    together = [("The UK pledged $2bn in new military aid.", "The UK pledged $2bn in new military aid.")]
    assert _why(question, together, PASSAGES) == ""


def test_a_name_no_passage_mentions_is_a_reason_and_a_named_outlet_is_not() -> None:
    supported = [("Hegseth's remarks received pushback from NATO allies.", "Hegseth's remarks received pushback.")]
    assert "Germany" in _why("What did Germany's defence minister say about Hegseth's remarks?",
                             supported, PASSAGES)
    assert _why("What did CNN report about Hegseth's remarks?", supported, PASSAGES, outlets=["CNN"]) == ""
    assert "CNN" in _why("What did CNN report about Hegseth's remarks?", supported, PASSAGES)


def test_each_check_reports_on_its_own() -> None:
    question = "How much new military aid did the UK pledge to Ukraine?"
    no_count = [("The UK promised continued military aid.", "The UK promised continued military aid.")]
    found = findings(question, no_count, PASSAGES)
    assert found["kind"] and not found["speaker"] and not found["names"], found
    assert findings("What did Hegseth say?", [], PASSAGES) == {"names": "", "kind": "", "speaker": ""}
