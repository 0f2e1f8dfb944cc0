"""The answer-backend interface: one required method, capabilities as class attributes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from index.types import Hit
from rag.prompt import build_messages


class Backend(ABC):
    """Writes an answer to ``question`` from numbered ``passages``, citing them as [n].

    Passage n is ``passages[n-1]``. The reply is plain text; ``rag.citations`` parses its markers.
    """

    name: str = "backend"
    streams: bool = False  # can yield tokens as they come (used by streaming, issue #5)
    needs_embedder: bool = False  # wants the index's embedder (see ``use_embedder``)

    @abstractmethod
    def generate(self, question: str, passages: Sequence[Hit]) -> str:
        """The answer text with [n] markers, or a refusal such as ``rag.prompt.REFUSAL``."""

    def stream(self, question: str, passages: Sequence[Hit]) -> Iterator[str]:
        """The answer in pieces as they are written; joined, they are what ``generate`` returns.

        Backends that cannot stream (``streams = False``) yield the whole answer once.
        """
        yield self.generate(question, passages)

    def use_embedder(self, embedder: object) -> None:  # noqa: B027 - optional hook, default does nothing
        """Given the index's embedder when ``needs_embedder`` is set."""

    def describe(self) -> str:
        """A one-line description for ``rag info`` and reports (never includes secrets)."""
        return self.name

    def warm_up(self) -> None:  # noqa: B027 - optional hook, default does nothing
        """Load what the first answer would otherwise wait for (a local model)."""

    def busy(self) -> bool:
        """Whether a call now would wait for other users (a shared local model answering someone else)."""
        return False

    def answerable_probability(self, question: str, passages: Sequence[Hit]) -> float | None:
        """P(the passages state the answer to ``question``) by the model that is about to answer it, read from the
        answer prompt itself; None when the backend has no model to ask (``rag.refusal`` then decides on the checks
        alone)."""
        return None


class ChatBackend(Backend):
    """A backend that sends the shared prompt to a chat model: subclasses implement ``chat``.

    ``evidence_budget``: when set (tokens), the prompt holds only the sentences of each passage that matter to
    the question, with their neighbours (``rag.evidence.select``), instead of whole passages; it needs the
    index's embedder, which ``use_embedder`` receives.
    """

    evidence_budget: int | None = None
    embedder: object | None = None

    @property
    def needs_embedder(self) -> bool:  # type: ignore[override]
        return self.evidence_budget is not None

    def use_embedder(self, embedder: object) -> None:
        if self.embedder is None:
            self.embedder = embedder

    def messages(self, question: str, passages: Sequence[Hit], budget: int | None = None) -> list[dict[str, str]]:
        """The chat messages for ``question``; ``budget`` overrides ``evidence_budget``."""
        budget = budget or self.evidence_budget
        if budget and self.embedder is not None:
            from rag.evidence import select

            return build_messages(question, passages, select(question, passages, self.embedder, budget=budget))
        return build_messages(question, passages)

    def generate(self, question: str, passages: Sequence[Hit]) -> str:
        return self.chat(self.messages(question, passages))

    def stream(self, question: str, passages: Sequence[Hit]) -> Iterator[str]:
        yield from self.chat_stream(self.messages(question, passages))

    @abstractmethod
    def chat(self, messages: list[dict[str, str]]) -> str:
        """The model's reply to OpenAI-style chat ``messages``."""

    def chat_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """The reply in pieces as the model writes them (default: the whole reply at once)."""
        yield self.chat(messages)
