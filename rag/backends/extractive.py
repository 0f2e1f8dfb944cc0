"""The ``extractive`` backend: no generator, it quotes the retrieved sentences that best answer the question.

Deterministic, and it never says anything the articles don't: every statement is a verbatim
sentence of a cited passage. It refuses when no sentence is close enough to the question.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from index.chunking import count_tokens, sentence_spans
from index.types import Hit
from rag.answerability import expectations, meets
from rag.backends.base import Backend
from rag.prompt import REFUSAL
from rag.text import content_words


class ExtractiveBackend(Backend):
    """Quotes up to ``max_sentences`` retrieved sentences, each cited to its passage.

    A sentence's score mixes meaning (cosine similarity of embeddings) and shared content words, plus
    ``kind_bonus`` when it holds the kind of answer the question asks for (a number for "how many", a
    date for "when": ``rag.answerability``).
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
        candidates = [
            (n, hit.text[s:e].strip())
            for n, hit in enumerate(passages, 1)
            for s, e in sentence_spans(hit.text)
            if _is_statement(hit.text[s:e])
        ]
        if not candidates or self.embedder is None:
            return REFUSAL
        q_words = content_words(question)
        q_vec = self.embedder.embed(question)
        vectors = self.embedder.embed_batch([s for _, s in candidates])
        asked = [e for e in expectations(question) if e.kind] if self.kind_bonus else []
        scored = []
        for (n, sentence), vec in zip(candidates, vectors, strict=True):
            cosine = sum(a * b for a, b in zip(q_vec, vec, strict=True))
            overlap = len(q_words & content_words(sentence)) / len(q_words) if q_words else 0.0
            scored.append((0.75 * cosine + 0.25 * overlap, cosine, n, sentence))
        if asked:  # among sentences about as close as the best, prefer those that hold the kind of answer asked for
            top = max(t[0] for t in scored)
            scored = [(score + self.kind_bonus, cos, n, sentence)
                      if score >= top - self.spread and all(meets(e, question, sentence) for e in asked)
                      else (score, cos, n, sentence) for score, cos, n, sentence in scored]
        scored.sort(key=lambda t: (-t[0], t[2]))
        best = scored[0]
        if max(cos for _, cos, _, _ in scored) < self.min_similarity:  # no sentence is about the question at all
            return REFUSAL
        chosen: list[tuple[int, str]] = []
        for score, _cos, n, sentence in scored:
            if len(chosen) == self.max_sentences or score < best[0] - self.spread:
                break
            if any(_similar(sentence, other) for _, other in chosen):
                continue
            chosen.append((n, sentence))
        return "\n".join(f"“{sentence}” [{n}]" for n, sentence in chosen)

    def stream(self, question: str, passages: Sequence[Hit]) -> Iterator[str]:
        """The quoted sentences one at a time (nothing is generated, so there are no smaller pieces)."""
        lines = self.generate(question, passages).split("\n")
        for i, line in enumerate(lines):
            yield line + ("\n" if i < len(lines) - 1 else "")


def _is_statement(sentence: str) -> bool:
    """A sentence worth quoting: not a bare heading or label (short and without a sentence ending)."""
    sentence = sentence.strip()
    n = count_tokens(sentence)
    return n >= 4 and (n >= 12 or sentence.endswith((".", "!", "?", "\"", "”", "’", "'")))


def _similar(a: str, b: str) -> bool:
    wa, wb = content_words(a), content_words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) > 0.6
