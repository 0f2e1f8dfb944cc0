"""The judge interface: does a set of passages support a claim?

A judge has one required method, ``judge(claim, passages, question=None) -> Verdict``. Helpers for many claims and
for splitting an answer into claims live here, so every judge shares them.

Example:
    >>> from rag.judges import get_judge
    >>> v = get_judge("offline").judge("Hegseth spoke in Brussels.", ["Hegseth said in Brussels on Wednesday ..."])
    >>> v.supported, v.score, v.evidence
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.chunking import sentence_spans

_MARKER = re.compile(r"\s*\[\d+\](?:\s*\[\d+\])*")
_QUOTES = "\"“”‘’'"


@dataclass
class Verdict:
    """A judge's decision on one claim.

    ``score`` is in [0, 1] (higher = better supported); ``evidence`` is the passage text the judge
    relied on (for the offline judge, the best-matching sentence or pair of sentences); ``reasons``
    says why a claim was rejected (empty when supported).
    """

    supported: bool
    score: float
    evidence: str = ""
    reasons: list[str] = field(default_factory=list)


class Judge(ABC):
    """Decides whether ``passages`` support ``claim``. Subclasses set ``name`` and implement ``judge``."""

    name: str = "judge"

    @abstractmethod
    def judge(self, claim: str, passages: Sequence[str], question: str | None = None) -> Verdict:
        """The verdict on ``claim`` given only ``passages`` (world knowledge must not count); with ``question``,
        a short claim ("Delhi") is judged as the answer to it ("Which city ...?")."""

    def judge_many(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[Verdict]:
        """Verdicts for many (claim, passages) pairs; judges with a faster batch path override this."""
        return [self.judge(claim, passages) for claim, passages in items]

    def claims(self, answer: str) -> list[str]:
        """The claims of an answer: its sentences, with citation markers and wrapping quotes removed."""
        return split_claims(answer)

    def describe(self) -> str:
        """A one-line description for reports."""
        return self.name


def strip_markers(text: str) -> str:
    """``text`` without [n] citation markers."""
    return _MARKER.sub("", text).strip()


def answer_spans(answer: str) -> list[tuple[int, int]]:
    """The sentences of a written answer: ``sentence_spans``, except that a piece continues the sentence before it
    when it starts with a lower-case letter, or starts with an initial after a sentence that ends in one
    (abbreviations the splitter does not know: "paid Sedio N.V. | of Lugano", "132 mln (U. | S.) dlrs")."""
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(answer):
        piece = answer[s:e].lstrip()
        cut = spans and (piece[:1].islower() or (_INITIAL.search(answer[spans[-1][0]:spans[-1][1]])
                                                 and _OPENS_WITH_INITIAL.match(piece)))
        if cut and "\n" not in answer[spans[-1][1]:s]:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def split_claims(answer: str) -> list[str]:
    """The sentences of ``answer`` as claims: markers and wrapping quotes removed, empty ones skipped."""
    claims = []
    for s, e in answer_spans(answer):
        claim = strip_markers(answer[s:e]).strip().strip(_QUOTES).strip()
        if len(claim.split()) >= 2:
            claims.append(claim)
    return claims


_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]\.\s*$")
_OPENS_WITH_INITIAL = re.compile(r"\W*[A-Z]\.")
_LEADING_MARKERS = re.compile(r"^\s*((?:\[\d+\]\s*)+)")
_NUMBER = re.compile(r"\[(\d+)\]")


def marked_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Each sentence of ``answer`` without its markers (quotes kept), with the [n] numbers it carries.

    Markers that open a sentence ("... done. [1] Next ...") belong to the sentence before them.
    """
    out: list[tuple[str, list[int]]] = []
    for s, e in answer_spans(answer):
        sentence = answer[s:e]
        lead = _LEADING_MARKERS.match(sentence)
        if lead and out:
            out[-1][1].extend(int(n) for n in _NUMBER.findall(lead.group(1)))
            sentence = sentence[lead.end():]
        numbers = [int(n) for n in _NUMBER.findall(sentence)]
        text = strip_markers(sentence).strip()
        if text:
            out.append((text, numbers))
        elif numbers and out:
            out[-1][1].extend(numbers)
    return [(text, list(dict.fromkeys(numbers))) for text, numbers in out]


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Each claim of ``answer`` (a sentence of two or more words, quotes removed) with its sorted citation numbers."""
    out: list[tuple[str, list[int]]] = []
    for sentence, numbers in marked_sentences(answer):
        claim = sentence.strip(_QUOTES).strip()
        if len(claim.split()) >= 2:
            out.append((claim, list(numbers)))
        elif numbers and out:
            out[-1][1].extend(numbers)
    return [(claim, sorted(set(numbers))) for claim, numbers in out]
