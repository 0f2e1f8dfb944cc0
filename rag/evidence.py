"""The sentences of the retrieved passages that matter to a question.

Both readers use this: the extractive backend quotes the best of them, and a generative backend gets them
(with their neighbours) instead of whole passages, so a small local model reads a prompt of a few hundred
tokens and its cost stays in its prompt budget (~37 prompt tokens/s for the 1.5B model on 2 cores).

A sentence's score mixes meaning and words: ``(1 - w) × cosine`` (question and sentence embeddings) ``+ w ×``
the share of the question's content words the sentence holds.

Sentences that are not statements are never quoted as answers (``is_statement``): a line without a sentence
ending (headlines, sub-headlines, bylines, datelines such as "Brussels / CNN / —", photo credits), and the
article's own title repeated in its text. A wire dateline in front of a first sentence ("SALVADOR, Feb 26 - ")
is not part of the statement (``without_dateline``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from index.chunking import count_tokens, sentence_spans
from index.types import Hit
from rag.text import content_words

LEXICAL_WEIGHT = 0.25  # the extractive backend's sentence score (chosen on the gold questions, #4)
# The prompt's evidence: chosen on the Reuters dev questions by bench/evidence_recall.py (see docs/local-model.md)
# (dev coverage of a gold quote 0.913 at a 392-token median prompt; with a neighbour on each side 0.870; test 0.909).
BUDGET = 160
NEIGHBOURS = 0
EVIDENCE_LEXICAL_WEIGHT = 0.25
STATEMENTS_ONLY = True
_ENDINGS = (".", "!", "?", "\"", "”", "’", "'", ")", ":")
# "SALVADOR, Feb 26 - ", "NEW YORK, March 3 - ": a capitalised place, a date, a dash, at a sentence's start
_DATELINE = re.compile(r"^[A-Z][A-Z .'&-]+(?:, [A-Z][A-Za-z .]+)?, [A-Z][a-z]{2,8}\.? \d{1,2} - ")


@dataclass(frozen=True)
class Sentence:
    """A sentence of passage ``number`` (1-based): ``passage.text[start:end]``, with its scores."""

    number: int
    start: int
    end: int
    text: str
    cosine: float
    overlap: float
    score: float


def without_dateline(sentence: str) -> str:
    """The sentence without a wire dateline in front ("SALVADOR, Feb 26 - Showers ..." -> "Showers ...")."""
    return _DATELINE.sub("", sentence, count=1)


def is_statement(sentence: str, hit: Hit | None = None) -> bool:
    """A sentence worth quoting as an answer: it ends like a sentence, has four tokens or more, and is not the
    article's title."""
    sentence = sentence.strip()
    if count_tokens(sentence) < 4 or not sentence.endswith(_ENDINGS):
        return False
    title = (hit.title or "").strip().casefold() if hit else ""
    return not title or sentence.rstrip(".").casefold() != title.rstrip(".")


def rank(question: str, passages: Sequence[Hit], embedder: Any, *, statements_only: bool = False,
         lexical_weight: float = LEXICAL_WEIGHT) -> list[Sentence]:
    """Every sentence of ``passages``, best first (ties: earlier passage, earlier sentence); a sentence's score is
    ``(1 - lexical_weight) × cosine + lexical_weight × overlap``."""
    spans = [(n, s, e) for n, hit in enumerate(passages, 1) for s, e in sentence_spans(hit.text)
             if not statements_only or is_statement(hit.text[s:e], hit)]
    if not spans:
        return []
    texts = [without_dateline(passages[n - 1].text[s:e].strip()) for n, s, e in spans]
    q_words = content_words(question)
    q_vec = embedder.embed(question)
    vectors = embedder.embed_batch(texts)
    out = []
    for (n, s, e), text, vec in zip(spans, texts, vectors, strict=True):
        cosine = sum(a * b for a, b in zip(q_vec, vec, strict=True))
        overlap = len(q_words & content_words(text)) / len(q_words) if q_words else 0.0
        out.append(Sentence(n, s, e, text, cosine, overlap, (1 - lexical_weight) * cosine + lexical_weight * overlap))
    order = {(s.number, s.start): i for i, s in enumerate(out)}
    return sorted(out, key=lambda s: (-s.score, order[(s.number, s.start)]))


def select(question: str, passages: Sequence[Hit], embedder: Any, *, budget: int = BUDGET,
           neighbours: int = NEIGHBOURS, lexical_weight: float = EVIDENCE_LEXICAL_WEIGHT,
           statements_only: bool = STATEMENTS_ONLY) -> dict[int, str]:
    """The text each passage contributes to a prompt: its best sentences with ``neighbours`` sentences on each
    side, in article order, gaps shown as " … ", within about ``budget`` tokens in all (``count_tokens``).

    Passages with nothing selected are left out (their numbers stay the same, so [n] still means ``passages[n-1]``).
    The best sentence always goes in, however long. With ``statements_only``, lines without a sentence ending
    (headlines, bylines) are left out, unless the passages hold nothing else (an earnings table).
    """
    ranked = rank(question, passages, embedder, lexical_weight=lexical_weight, statements_only=statements_only)
    if not ranked and statements_only:  # only lines without sentence endings (an earnings table): take those
        ranked = rank(question, passages, embedder, lexical_weight=lexical_weight)
    spans = {n: sentence_spans(hit.text) for n, hit in enumerate(passages, 1)}
    chosen: dict[int, set[int]] = {}
    used = 0
    for best in ranked:
        at = spans[best.number].index((best.start, best.end))
        group = [i for i in range(at - neighbours, at + neighbours + 1) if 0 <= i < len(spans[best.number])]
        new = [i for i in group if i not in chosen.get(best.number, set())]
        cost = sum(count_tokens(passages[best.number - 1].text[slice(*spans[best.number][i])]) for i in new)
        if used + cost > budget:  # the sentence alone, if it fits (the very first always goes in)
            solo = count_tokens(passages[best.number - 1].text[best.start:best.end])
            new = [at] if at in new and (not used or used + solo <= budget) else []
            cost = solo if new else 0
        if not new:
            if used >= budget:
                break
            continue
        chosen.setdefault(best.number, set()).update(new)
        used += cost
    out = {}
    for n in sorted(chosen):
        hit, idx = passages[n - 1], sorted(chosen[n])
        pieces, last = [], None
        for i in idx:
            s, e = spans[n][i]
            text = hit.text[s:e].strip()
            pieces.append(text if last is None or i == last + 1 else f"… {text}")
            last = i
        out[n] = " ".join(pieces)
    return out
