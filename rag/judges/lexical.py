"""The ``lexical`` judge: the share of a claim's content words found in the passages.

The baseline every other judge must beat. It cannot see a wrong number if the number appears anywhere
in the passages, a swapped name if both names do, or a flipped verb.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.judges.base import Judge, Verdict
from rag.text import content_words


class LexicalJudge(Judge):
    """Supported when at least ``threshold`` of the claim's content words occur in the passages."""

    name = "lexical"

    def __init__(self, threshold: float = 0.75) -> None:
        self.threshold = threshold

    def judge(self, claim: str, passages: Sequence[str], question: str | None = None) -> Verdict:
        """The share of the claim's content words in the passages (the question is not used: the baseline)."""
        wanted = content_words(claim)
        if not wanted:
            return Verdict(supported=True, score=1.0, evidence="")
        found = content_words(" ".join(passages))
        score = len(wanted & found) / len(wanted)
        missing = sorted(wanted - found)
        supported = score >= self.threshold
        reasons = [] if supported else [f"content words not in the passages: {', '.join(missing)}"]
        return Verdict(supported=supported, score=round(score, 4), evidence=_best_sentence(wanted, passages),
                       reasons=reasons)

    def describe(self) -> str:
        return f"lexical (content-word share >= {self.threshold})"


def _best_sentence(wanted: set[str], passages: Sequence[str]) -> str:
    """The passage sentence sharing the most of the claim's content words (the evidence to show)."""
    from index.chunking import sentence_spans

    best, best_shared = "", 0
    for passage in passages:
        for s, e in sentence_spans(passage):
            shared = len(wanted & content_words(passage[s:e]))
            if shared > best_shared:
                best, best_shared = passage[s:e], shared
    return best
