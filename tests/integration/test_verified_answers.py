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


def test_the_refusal_decision_sees_a_near_miss_and_answers_the_close_question(real_index: Index) -> None:
    """The articles talk about troops and aid, but never say how many troops Europe would send. The calibrated
    decision (rag.refusal) gives the near miss a lower P than the close question; whether that is below its
    threshold is the dev data's call (refusing on the kind check alone refused 4 of 37 answerable dev questions),
    and a refusal names what is missing."""
    from rag.backends import get_backend
    from rag.judges.calibration import combiner

    backend = get_backend("extractive")
    near_miss = answer_from(real_index, "How many troops would European countries have to contribute to a "
                                        "peacekeeping force in Ukraine?", backend=backend, k=5)
    answered = answer_from(real_index, "How much aid have about 50 countries given Ukraine?", backend=backend, k=5)
    assert not answered.refused and "126" in answered.text
    assert near_miss.answerability["fails_kind"] == 1.0 and answered.answerability["fails_kind"] == 0.0
    rule = combiner("answerable-offline")
    assert rule.probability(near_miss.answerability) < rule.probability(answered.answerability)
    assert not near_miss.refused or "How many troops" in near_miss.refusal_reason
    unverified = answer_from(real_index, "How many troops would European countries have to contribute to a "
                                         "peacekeeping force in Ukraine?", backend=backend, k=5, verify=False)
    assert not unverified.refused  # the check belongs to verification: without it the quote stands


def test_default_judge_is_shared_per_embedder(real_index: Index) -> None:
    assert default_judge(real_index) is default_judge(real_index)


def test_an_injected_article_does_not_change_the_answer(tmp_path) -> None:
    import shutil

    from index import sample_dir
    from rag.backends.extractive import ExtractiveBackend
    from tests.unit.test_injection import HOSTILE

    question = "What did Hegseth say about NATO membership for Ukraine?"
    answers = []
    for hostile in (False, True):
        folder = tmp_path / f"articles-{hostile}"
        shutil.copytree(sample_dir(), folder)
        if hostile:
            (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
        idx = Index(tmp_path / f"index-{hostile}")
        try:
            idx.ingest([folder])
            answers.append(answer_from(idx, question, backend=ExtractiveBackend(), k=5))
        finally:
            idx.close()
    clean, attacked = answers
    assert not attacked.refused and "dissolved" not in attacked.text and "resigned" not in attacked.text
    # the hostile article may take a retrieval slot (so [n] numbers can shift), but the statements and the
    # passages they cite are the same
    from rag.judges import strip_markers

    assert strip_markers(attacked.text) == strip_markers(clean.text)
    assert [c.chunk_id for c in attacked.citations] == [c.chunk_id for c in clean.citations]
    assert all("Ignore all previous" not in c.text for c in attacked.citations)


def test_a_follow_up_question_retrieves_the_right_passages(real_index: Index, monkeypatch) -> None:
    import rag.api
    from rag import Conversation

    monkeypatch.setitem(rag.api._open, real_index.dir, real_index)
    chat = Conversation(llm="extractive", index_dir=real_index.dir)
    chat.ask("What did Hegseth say about NATO membership for Ukraine?")
    follow = chat.ask("And did he say US troops would be deployed to Ukraine?")
    assert "Hegseth" in follow.question

    def says_no_us_troops(hits) -> bool:
        return any(s in h.text for h in hits for s in ("would not deploy its troops to Ukraine",
                                                      "there will not be US troops deployed to Ukraine"))

    assert says_no_us_troops(follow.passages[:3]), (follow.question, [h.text[:300] for h in follow.passages[:3]])
    bare = real_index.search("And did he say US troops would be deployed to Ukraine?", k=3)
    print("follow-up:", follow.question, "| the bare question's top 3 has it:", says_no_us_troops(bare))
