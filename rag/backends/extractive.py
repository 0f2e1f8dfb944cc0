"""The ``extractive`` backend: no generator, it quotes the retrieved sentences that best answer the question.

Deterministic, and it never says anything the articles don't: every statement is a verbatim
sentence of a cited passage. It refuses when no sentence is close enough to the question.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from index.types import Hit
from rag.answerability import expectations, meets
from rag.backends.base import Backend
from rag.evidence import rank
from rag.prompt import REFUSAL
from rag.text import content_words


class ExtractiveBackend(Backend):
    """Quotes up to ``max_sentences`` retrieved sentences, each cited to its passage.

    A sentence's score mixes meaning (cosine similarity of embeddings) and shared content words
    (``rag.evidence.rank``), plus ``kind_bonus`` when it holds the kind of answer the question asks for (a number
    for "how many", a date for "when": ``rag.answerability``). Headlines, sub-headlines, captions, bylines and
    datelines are never quoted (``rag.evidence.is_statement``, ``without_dateline``).
    """

    name = "extractive"
    needs_embedder = True

    def __init__(
        self, embedder: Any = None, *, max_sentences: int = 3, min_similarity: float = 0.3,
        spread: float = 0.08, kind_bonus: float = 0.1,
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.min_similarity = min_similarity
        self.spread = spread
        self.kind_bonus = kind_bonus

    def use_embedder(self, embedder: object) -> None:
        if self.embedder is None:
            self.embedder = embedder

    def generate(self, question: str, passages: Sequence[Hit]) -> str:
        if self.embedder is None:
            return REFUSAL
        ranked = rank(question, passages, self.embedder, statements_only=True)  # no headlines, captions, bylines
        if not ranked or max(s.cosine for s in ranked) < self.min_similarity:  # nothing is about the question
            return REFUSAL
        asked = [e for e in expectations(question) if e.kind] if self.kind_bonus else []
        scored = [(s.score, s) for s in ranked]
        if asked:  # among sentences about as close as the best, prefer those that hold the kind of answer asked for
            top = scored[0][0]
            scored = [(score + self.kind_bonus, s)
                      if score >= top - self.spread and all(meets(e, question, s.text) for e in asked)
                      else (score, s) for score, s in scored]
            order = {id(s): i for i, (_, s) in enumerate(scored)}
            scored.sort(key=lambda t: (-t[0], order[id(t[1])]))
        best = scored[0][0]
        chosen: list[tuple[int, str]] = []  # the sentence that holds what was asked comes first
        for score, s in scored:
            if len(chosen) == self.max_sentences or score < best - self.spread:
                break
            if any(_similar(s.text, other) for _, other in chosen):
                continue
            chosen.append((s.number, s.text))
        return "\n".join(f"“{sentence}” [{n}]" for n, sentence in chosen)

    def stream(self, question: str, passages: Sequence[Hit]) -> Iterator[str]:
        """The quoted sentences one at a time (nothing is generated, so there are no smaller pieces)."""
        lines = self.generate(question, passages).split("\n")
        for i, line in enumerate(lines):
            yield line + ("\n" if i < len(lines) - 1 else "")


def _similar(a: str, b: str) -> bool:
    wa, wb = content_words(a), content_words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) > 0.6
