"""Follow-up questions: a ``Conversation`` rewrites "and what did he say about troops?" into a standalone
question before retrieval, so search sees who "he" is.

Rewriting, in order:
1. With a chat model configured (``llama-cpp``, ``openai``), the model is asked to rewrite the question.
   Its reply is used only if it is one short question that keeps the follow-up's own content words;
   anything else falls back to the rule.
2. The rule (no model): a question with no pronoun pointing back and no follow-up opener is standalone.
   Otherwise a leading "and", "so", "also" or "what about" is dropped; he/him/his/she/her (and
   "they/them/their" for an organisation, else a country) become the last person (organisation) named
   in the previous questions or answer; and if the follow-up still names nobody and nothing ("what
   about troops?"), the previous question's names are added in parentheses, so retrieval keeps the topic.

    >>> chat = Conversation(llm="extractive")
    >>> chat.ask("What did Hegseth say about NATO membership for Ukraine?")
    >>> chat.ask("And what did he say about troops?").question
    'what did Pete Hegseth say about troops?'

The rewritten question is what ``Answer.question`` holds, so a reader can see what was searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rag.backends import Backend, ChatBackend
from rag.text import content_words
from rag.types import Answer

_PERSONAL = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_GROUP = re.compile(r"\b(they|them|their|theirs)\b", re.IGNORECASE)
_BACK = re.compile(r"\b(he|him|his|she|her|hers|they|them|their|theirs|it|its|this|that|these|those|there)\b",
                   re.IGNORECASE)
_OPENER = re.compile(r"^\s*(and|so|also|then|what about|how about|and what about)\b[\s,]*", re.IGNORECASE)
_REWRITE_PROMPT = (
    "Rewrite the last question so it can be understood without the conversation. Replace pronouns with "
    "the names they refer to. Reply with the rewritten question only."
)


@dataclass
class Turn:
    asked: str  # what the user typed
    question: str  # the standalone question retrieval used
    answer: Answer


@dataclass
class Conversation:
    """Questions asked one after another, each rewritten against the ones before (see module docs)."""

    llm: Backend | str | None = None
    index_dir: Any = None
    k: int = 5
    filters: Mapping[str, Any] | None = None
    turns: list[Turn] = field(default_factory=list)

    def ask(self, question: str) -> Answer:
        """Answer ``question`` in context; ``Answer.question`` is the standalone question that was searched."""
        *_, answer = self.ask_stream(question, stream=False)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(self, question: str, *, stream: bool = True) -> Iterator[str | Answer]:
        """``ask``, streamed like ``rag.ask_stream``: the backend's text as it comes, then the verified ``Answer``
        (whose ``question`` is the standalone question that was searched). The turn is kept once it ends."""
        from rag.api import answer_stream, open_index, resolve_backend

        backend = resolve_backend(self.llm)
        standalone = self.rewrite(question, backend)
        for piece in answer_stream(open_index(self.index_dir), standalone, backend=backend, k=self.k,
                                   filters=self.filters, stream=stream):
            if isinstance(piece, Answer):
                self.turns.append(Turn(question, standalone, piece))
            yield piece

    def rewrite(self, question: str, backend: Backend | None = None) -> str:
        """The standalone form of ``question`` given the turns so far."""
        if not self.turns or not (_BACK.search(question) or _OPENER.match(question)):
            return question
        if isinstance(backend, ChatBackend) and not backend.busy():  # never queue twice for one question
            rewritten = self._model_rewrite(question, backend)
            if rewritten:
                return rewritten
        return rule_rewrite(question, [t.question for t in self.turns], self.turns[-1].answer.text)

    def _model_rewrite(self, question: str, backend: ChatBackend) -> str | None:
        history = "\n".join(f"Q: {t.question}" for t in self.turns[-3:])
        try:
            reply = backend.chat([{"role": "system", "content": _REWRITE_PROMPT},
                                  {"role": "user", "content": f"{history}\nLast question: {question}"}]).strip()
        except Exception:  # a model that fails here must not stop the question; the rule takes over
            return None
        reply = reply.splitlines()[0].strip().strip('"') if reply else ""
        own = content_words(_BACK.sub(" ", _OPENER.sub("", question)))
        if not reply.endswith("?") or len(reply) > 300 or _PERSONAL.search(reply) or not own <= content_words(reply):
            return None
        return reply


def rule_rewrite(question: str, previous: list[str], last_answer: str = "") -> str:
    """The documented rule (module docs): resolve he/she/they to the last named person/organisation, add topic names."""
    from rag.judges.nlp import parse

    people: list[str] = []
    groups: list[str] = []  # organisations and peoples ("they" = NATO) before places
    places: list[str] = []
    names: list[str] = []
    for text in [*previous, last_answer]:
        for ent in parse(text).ents:
            if ent.label_ == "PERSON":
                people.append(ent.text)
            elif ent.label_ in ("ORG", "NORP"):
                groups.append(ent.text)
            elif ent.label_ == "GPE":
                places.append(ent.text)
    groups = groups or places
    if previous:
        names = [e.text for e in parse(previous[-1]).ents if e.label_ in ("PERSON", "ORG", "GPE", "NORP", "EVENT")]
    q = _OPENER.sub("", question).strip()
    if people:
        q = _PERSONAL.sub(lambda m: people[-1] + ("'s" if m.group(1).lower() in ("his", "hers") else ""), q)
    if groups:
        q = _GROUP.sub(lambda m: groups[-1] + ("'s" if m.group(1).lower() in ("their", "theirs") else ""), q)
    if parse(q).ents:  # the follow-up now names who or what it is about
        return q
    extra = [n for n in dict.fromkeys(names) if n.lower() not in q.lower()]
    return f"{q} ({', '.join(extra)})" if extra else q
