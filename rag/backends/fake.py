"""A FAKE backend for unit tests: replies from a script and records every call."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rag.backends.base import ChatBackend


class ScriptedFakeLLM(ChatBackend):
    """FAKE: returns ``replies`` in turn (the last one repeats) and keeps the messages it was sent."""

    name = "fake-scripted"

    def __init__(self, replies: list[str] | str = "The articles don't say.") -> None:
        self.replies = [replies] if isinstance(replies, str) else list(replies)
        self.calls: list[list[dict[str, str]]] = []

    def chat(self, messages: list[dict[str, str]]) -> str:
        self.calls.append(messages)
        return self.replies[min(len(self.calls), len(self.replies)) - 1]

    def chat_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """FAKE streaming: the scripted reply, a word (with its trailing space) at a time."""
        yield from re.findall(r"\S+\s*", self.chat(messages))
