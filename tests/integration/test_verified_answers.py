"""Answer verification with the real offline judge (spaCy + MiniLM) on the sample articles."""

from __future__ import annotations

from index import Index
from rag.api import answer_from, default_judge
from rag.backends.fake import ScriptedFakeLLM

QUESTION = "Who must back any security guarantees for Ukraine, according to Hegseth?"


def passage_with(answer_passages, words: str) -> int:
    return next(n for n, h in enumerate(answer_passages, 1) if words in h.text)


def test_real_judge_removes_a_planted_sentence_and_keeps_a_supported_one(real_index: Index) -> None:
    hits = real_index.search(QUESTION, k=5)
    n = passage_with(hits, "non-European troops")
    supported = "Hegseth said any security guarantee must be backed by capable European and non-European troops"
    planted = "Hegseth said the United States will send 20,000 American troops to guard the Ukrainian border"
    llm = ScriptedFakeLLM(f"{supported} [{n}]. {planted} [{n}].")
    answer = answer_from(real_index, QUESTION, backend=llm, k=5)
    assert answer.verified_by.startswith("offline") and not answer.refused
    assert "non-European troops" in answer.text and "20,000" not in answer.text
    assert len(answer.dropped) == 1 and "20,000" in answer.dropped[0].sentence and answer.dropped[0].reason
    (citation,) = answer.citations
    assert citation.number == n and citation.quote is not None
    q = citation.quote
    assert real_index.document_text(citation.doc_id)[q.start:q.end] == q.text
    assert "non-European troops" in q.text


def test_real_judge_turns_an_unsupported_reply_into_a_refusal(real_index: Index) -> None:
    llm = ScriptedFakeLLM("Hegseth said NATO would admit Ukraine as a full member by 2026 [1].")
    answer = answer_from(real_index, QUESTION, backend=llm, k=5)
    assert answer.refused and answer.citations == [] and answer.passages
    assert answer.dropped and answer.dropped[0].citations == (1,)


def test_default_judge_is_shared_per_embedder(real_index: Index) -> None:
    assert default_judge(real_index) is default_judge(real_index)
