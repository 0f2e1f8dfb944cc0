"""Verified answers: every sentence is checked against the passages it cites before the reader sees it.

After a backend writes its reply (and ``rag.citations`` has parsed its [n] markers), each sentence is
judged (by default with the offline judge of ``rag.judges``) against the passages it cites:

- supported: kept; each citation that supports it gets the exact span (``Citation.quote``);
- cited but not supported by its citations: if another retrieved passage supports it on its own, it is cited
  to that passage instead (small models often write the wrong number); else removed (``mode="remove"``, the
  default) or kept and marked ``[unsupported]`` (``mode="mark"``); either way it is listed in ``Answer.dropped``
  with why;
- not cited: if a retrieved passage supports it, that citation is added; else as above.

If no supported sentence is left, the answer becomes a refusal that shows the closest passages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.chunking import sentence_spans
from index.types import Hit
from rag.injection import without_instructions
from rag.judges.base import Judge, Verdict, marked_sentences

MODES = ("remove", "mark")
UNSUPPORTED_MARK = "[unsupported]"
_QUOTES = "\"“”‘’'"


@dataclass(frozen=True)
class Quote:
    """The exact supporting span of a citation: ``article_text[start:end] == text`` (article offsets,
    like ``Passage.start``); inside the passage it is ``passage.text[start - passage.start:end - passage.start]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Dropped:
    """A sentence verification took out (or marked), the citations it had, and why."""

    sentence: str
    citations: tuple[int, ...]
    reason: str


@dataclass
class Checked:
    """The verified reply: its text, the quote found for each cited number, what was dropped, and for each
    kept sentence its evidence (the supporting span with the two sentences before it, for
    ``rag.answerability``)."""

    text: str
    quotes: dict[int, list[Quote]] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    kept: int = 0
    support: list[tuple[str, str]] = field(default_factory=list)


def locate(evidence: str, hit: Hit) -> Quote | None:
    """Where ``evidence`` (a judge's supporting text) sits in ``hit``, in article offsets."""
    evidence = evidence.strip()
    at = hit.text.find(evidence) if evidence else -1
    if at < 0:
        return None
    return Quote(evidence, hit.start + at, hit.start + at + len(evidence))


def verify(text: str, passages: Sequence[Hit], judge: Judge, *, mode: str = "remove", question: str | None = None
           ) -> Checked:
    """Check every sentence of ``text`` (with [n] markers into ``passages``) as described above; a short sentence
    ("Delhi.") is judged as the answer to ``question``."""
    if mode not in MODES:
        raise ValueError(f"unknown verification mode {mode!r}; known: {', '.join(MODES)}")
    # instructions hidden in articles are not evidence (rag.injection); blanking keeps offsets valid
    passages = [dataclasses.replace(h, text=without_instructions(h.text)) for h in passages]
    out = Checked(text="")
    lines: list[str] = []
    for sentence, numbers in marked_sentences(text):
        claim = sentence.strip(_QUOTES).strip()
        if len(claim.split()) < 2:  # a bare label or fragment: nothing to check, nothing to keep
            continue
        valid = [n for n in numbers if 1 <= n <= len(passages)]
        supporting: list[tuple[int, Verdict]] = []
        if valid:
            supporting = _supporters(judge, claim, valid, passages, question)
            others = [n for n in range(1, len(passages) + 1) if n not in valid]
            if not supporting and others:  # a wrong number ("[2]" for what passage 1 says): cite the one that says it
                supporting = _holder(judge, claim, others, passages, question)
                valid = [n for n, _ in supporting] or valid
            # why, only when it is dropped (one judgement fewer on the path of every re-cited sentence)
            reason = "" if supporting else _reason(judge.judge(claim, [passages[n - 1].text for n in valid], question))
        else:
            whole = judge.judge(claim, [h.text for h in passages], question)
            if whole.supported:
                supporting = _holder(judge, claim, range(1, len(passages) + 1), passages, question, whole)
            reason = "" if supporting else "no retrieved passage supports it" + _because(whole)
        if supporting:
            out.kept += 1
            evidence = []
            for n, verdict in supporting:
                quote = locate(verdict.evidence, passages[n - 1])
                if quote:
                    out.quotes.setdefault(n, []).append(quote)
                    evidence.append(_with_context(passages[n - 1], quote))
            out.support.append((claim, " ".join(evidence)))
            cited = valid or [n for n, _ in supporting]
            lines.append(f"{sentence} " + "".join(f"[{n}]" for n in cited))
            continue
        out.dropped.append(Dropped(sentence, tuple(valid), reason))
        if mode == "mark":
            lines.append(f"{sentence} {UNSUPPORTED_MARK}")
    out.text = "\n".join(lines)
    return out


def _with_context(hit: Hit, quote: Quote, before: int = 2) -> str:
    """The quote with up to ``before`` sentences of its passage in front of it."""
    at = quote.start - hit.start
    starts = [s for s, e in sentence_spans(hit.text) if e <= at]
    begin = starts[-before] if len(starts) >= before else (starts[0] if starts else at)
    return hit.text[begin:quote.end - hit.start]


def _supporters(judge: Judge, claim: str, numbers: Sequence[int] | range, passages: Sequence[Hit],
                question: str | None = None, *, first_only: bool = False) -> list[tuple[int, Verdict]]:
    """The cited passages that support ``claim`` on their own, or together when none does alone."""
    found = []
    for n in numbers:
        verdict = judge.judge(claim, [passages[n - 1].text], question)
        if verdict.supported:
            found.append((n, verdict))
            if first_only:
                return found
    if found or first_only or len(numbers) < 2:
        return found
    together = judge.judge(claim, [passages[n - 1].text for n in numbers], question)
    return [(n, together) for n in numbers] if together.supported else []


def _holder(judge: Judge, claim: str, numbers: Sequence[int] | range, passages: Sequence[Hit],
            question: str | None = None, together: Verdict | None = None) -> list[tuple[int, Verdict]]:
    """The one passage among ``numbers`` that supports ``claim`` on its own: the judge reads them together once and
    the passage holding the evidence it found is confirmed alone (the same evidence again: a memoised model judge
    asks its model once, not once per passage); the first supporter in order when no single passage holds it."""
    together = together or judge.judge(claim, [passages[n - 1].text for n in numbers], question)
    if not together.supported:
        return []
    holders = [n for n in numbers if together.evidence and together.evidence.strip() in passages[n - 1].text]
    for n in holders[:1]:
        alone = judge.judge(claim, [passages[n - 1].text], question)
        if alone.supported:
            return [(n, alone)]
    rest = [n for n in numbers if n not in holders[:1]]
    return _supporters(judge, claim, rest, passages, question, first_only=True) if rest else []


def _because(verdict: Verdict) -> str:
    return f": {'; '.join(verdict.reasons)}" if verdict.reasons else ""


def _reason(verdict: Verdict) -> str:
    return "its citations do not support it" + _because(verdict)
