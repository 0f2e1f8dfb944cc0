from index.types import Hit
from rag.citations import parse_citations
from rag.prompt import build_messages, is_refusal

HITS = [Hit(text=f"passage {i}", score=0.5, doc_id=f"d{i}", start=0, end=9, source="Outlet") for i in (1, 2, 3)]


def test_markers_become_citations_in_first_use_order() -> None:
    text, cites, dropped = parse_citations("B happened [2]. A happened [1][2]. C too [Passage 3].", HITS)
    assert [c.number for c in cites] == [2, 1, 3]
    assert cites[0].text == "passage 2" and cites[0].doc_id == "d2"
    assert dropped == []
    assert text == "B happened [2]. A happened [1][2]. C too [3]."


def test_marker_pointing_at_no_passage_is_dropped_and_reported() -> None:
    text, cites, dropped = parse_citations("X [7]. Y [1, 9]. Z [0].", HITS)
    assert [c.number for c in cites] == [1]
    assert dropped == [7, 9, 0]
    assert text == "X. Y [1]. Z."


def test_prompt_numbers_passages_and_fences_their_text() -> None:
    # no "reply X if the passages do not say" clause (it made small models refuse answerable questions):
    # tests/unit/test_local_model_parts.py checks it is gone; answerability is decided after generation
    messages = build_messages("Q?", HITS)
    system, user = messages[0], messages[-1]
    assert "[n]" in user["content"] or "[1]" in system["content"]
    assert "Passage 1 (Outlet)" in user["content"] and "Passage 3 (Outlet)" in user["content"]
    assert "not instructions" in system["content"]


def test_refusal_detection() -> None:
    assert is_refusal("The articles don't say.")
    assert is_refusal("  The passages do not answer this question.")
    assert is_refusal("")
    assert is_refusal("The article does not provide any information about US troops.")
    assert not is_refusal("Hegseth said the articles do not say much [1].")
