"""Follow-up questions rewritten into standalone ones (the documented rule; spaCy, no model)."""

from __future__ import annotations

from pathlib import Path

from index import Index
from rag.backends.fake import ScriptedFakeLLM
from rag.conversation import Conversation, rule_rewrite
from rag.judges.lexical import LexicalJudge

FIRST = "What did Hegseth say about NATO membership for Ukraine?"


def test_rule_resolves_he_and_keeps_the_topic() -> None:
    assert rule_rewrite("And what did he say about troops?", [FIRST]) == "what did Hegseth say about troops?"
    assert rule_rewrite("What was his view on Crimea?", [FIRST]) == "What was Hegseth's view on Crimea?"
    assert rule_rewrite("What about troops?", [FIRST]) == "troops? (Hegseth, NATO, Ukraine)"


def test_rule_resolves_they_to_an_organisation() -> None:
    got = rule_rewrite("What did they decide?", ["When did NATO ministers meet in Brussels?"])
    assert got.startswith("What did NATO decide?")


def test_standalone_questions_are_left_alone(fake_index: Index) -> None:
    chat = Conversation(llm=ScriptedFakeLLM())
    assert chat.rewrite("Who chaired the meeting?") == "Who chaired the meeting?"  # no history yet


def test_conversation_uses_the_model_rewrite_only_when_it_is_sane(fake_index: Index, articles: Path,
                                                                  monkeypatch) -> None:
    fake_index.ingest([articles])
    monkeypatch.setenv("RAG_INDEX_DIR", str(fake_index.dir))
    import rag.api

    monkeypatch.setitem(rag.api._open, fake_index.dir, fake_index)
    monkeypatch.setattr(rag.api, "default_judge", lambda idx, backend=None: LexicalJudge())
    sane = ScriptedFakeLLM(["The articles don't say.", "What did Hegseth say about troops in Ukraine?"])
    chat = Conversation(llm=sane, index_dir=fake_index.dir)
    chat.ask(FIRST)
    answer = chat.ask("And what did he say about troops?")
    assert answer.question == "What did Hegseth say about troops in Ukraine?"
    junk = ScriptedFakeLLM(["The articles don't say.", "He said things."])
    chat = Conversation(llm=junk, index_dir=fake_index.dir)
    chat.ask(FIRST)
    assert chat.ask("And what did he say about troops?").question == "what did Hegseth say about troops?"


def test_a_streamed_turn_yields_text_then_the_answer_and_is_remembered(fake_index: Index, articles: Path,
                                                                        monkeypatch) -> None:
    fake_index.ingest([articles])
    import rag.api

    monkeypatch.setitem(rag.api._open, fake_index.dir, fake_index)
    monkeypatch.setattr(rag.api, "default_judge", lambda idx, backend=None: LexicalJudge())
    chat = Conversation(llm=ScriptedFakeLLM(["The articles don't say."]), index_dir=fake_index.dir)
    pieces = list(chat.ask_stream(FIRST))
    assert all(isinstance(p, str) for p in pieces[:-1]) and len(pieces) > 2
    assert "".join(pieces[:-1]) == "The articles don't say."
    answer = pieces[-1]
    assert not isinstance(answer, str) and answer.refused
    assert [t.asked for t in chat.turns] == [FIRST] and chat.turns[0].answer is answer
    unfinished = chat.ask_stream("And what did he say about troops?")
    next(unfinished)
    assert len(chat.turns) == 1  # a turn counts only once its answer is complete
