"""The harness's metrics, as small pure functions (tested against hand-computed cases).

- Retrieval: ``rank_of_first`` / ``hit_at_k`` / ``reciprocal_rank`` over gold passages.
- Answers: ``normalize``, ``answer_match`` (a gold answer appears in the answer, normalised) and ``token_f1``.
- Refusals: ``refusal_scores`` (refusing an answerable question counts against, like answering an
  unanswerable one).
- Citations, in the style of ALCE: ``citation_scores`` (recall: each sentence is supported by its citations
  together; precision: each citation is needed or sufficient for its sentence).
- Judges: ``classification_scores`` (balanced accuracy; precision and recall for "unsupported").
"""

from __future__ import annotations

import re
import statistics
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’–—…")


def normalize(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (SQuAD style); "5%" -> "5 percent"."""
    text = text.lower().replace("%", " percent").replace("’", "'")
    text = "".join(" " if ch in _PUNCT else ch for ch in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def answer_match(prediction: str, golds: Sequence[str]) -> bool:
    """Whether some gold answer, normalised, occurs in the normalised prediction as whole words."""
    pred = f" {normalize(prediction)} "
    return any(g and f" {g} " in pred for g in (normalize(x) for x in golds))


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """The best token-level F1 between the prediction and any gold answer (SQuAD definition)."""
    pred = normalize(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize(gold).split()
        common = sum((Counter(pred) & Counter(ref)).values())
        if not pred or not ref or not common:
            continue
        p, r = common / len(pred), common / len(ref)
        best = max(best, 2 * p * r / (p + r))
    return best


def span_overlap(start: int, end: int, gold_start: int, gold_end: int) -> float:
    """Share of the gold span [gold_start, gold_end) covered by [start, end)."""
    if gold_end <= gold_start:
        return 0.0
    return max(0, min(end, gold_end) - max(start, gold_start)) / (gold_end - gold_start)


def rank_of_first(relevant: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((i for i, ok in enumerate(relevant, 1) if ok), None)


def hit_at_k(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


@dataclass
class RefusalScores:
    accuracy: float  # share of questions where "refused" == "unanswerable"
    refused_unanswerable: float  # share of unanswerable questions refused
    refused_answerable: float  # share of answerable questions refused (false refusals)
    n_unanswerable: int
    n_answerable: int


def refusal_scores(items: Sequence[tuple[bool, bool]]) -> RefusalScores:
    """From (answerable, refused) pairs."""
    unans = [refused for answerable, refused in items if not answerable]
    ans = [refused for answerable, refused in items if answerable]
    correct = sum(refused != answerable for answerable, refused in items)
    return RefusalScores(
        accuracy=correct / len(items) if items else 0.0,
        refused_unanswerable=sum(unans) / len(unans) if unans else 0.0,
        refused_answerable=sum(ans) / len(ans) if ans else 0.0,
        n_unanswerable=len(unans), n_answerable=len(ans),
    )


Supports = Callable[[str, Sequence[str]], bool]


@dataclass
class CitationScores:
    recall: float  # share of sentences supported by their citations together
    precision: float  # share of citations that are relevant (alone sufficient, or needed)
    sentences: int
    citations: int


def citation_scores(sentences: Sequence[tuple[str, Sequence[str]]], supports: Supports) -> CitationScores:
    """ALCE-style citation recall and precision for one answer.

    Args:
        sentences: (sentence, texts of the passages it cites) per answer sentence.
        supports: the judge: ``supports(claim, passages) -> bool``.

    A sentence without citations has recall 0. A citation is precise when its sentence is supported by all
    its citations and the citation either supports the sentence alone or cannot be removed without losing
    that support.
    """
    recalled = precise = n_citations = 0
    for sentence, cited in sentences:
        n_citations += len(cited)
        if not cited or not supports(sentence, cited):
            continue
        recalled += 1
        if len(cited) == 1:
            precise += 1
            continue
        for i, passage in enumerate(cited):
            rest = [p for j, p in enumerate(cited) if j != i]
            if supports(sentence, [passage]) or not supports(sentence, rest):
                precise += 1
    return CitationScores(
        recall=recalled / len(sentences) if sentences else 0.0,
        precision=precise / n_citations if n_citations else 0.0,
        sentences=len(sentences), citations=n_citations,
    )


@dataclass
class ClassificationScores:
    balanced_accuracy: float
    accuracy: float
    unsupported_precision: float  # of the claims called unsupported, the share that are
    unsupported_recall: float  # of the unsupported claims, the share caught
    supported_recall: float  # of the supported claims, the share accepted
    n: int


def classification_scores(labels: Sequence[int], supported: Sequence[bool]) -> ClassificationScores:
    """Judge quality on labelled claims (label 1 = supported); "unsupported" is the positive class."""
    pairs = list(zip(labels, supported, strict=True))
    tp = sum(1 for y, s in pairs if y == 0 and not s)  # unsupported, caught
    fn = sum(1 for y, s in pairs if y == 0 and s)
    tn = sum(1 for y, s in pairs if y == 1 and s)
    fp = sum(1 for y, s in pairs if y == 1 and not s)
    rec_u = tp / (tp + fn) if tp + fn else 0.0
    rec_s = tn / (tn + fp) if tn + fp else 0.0
    return ClassificationScores(
        balanced_accuracy=(rec_u + rec_s) / 2, accuracy=(tp + tn) / len(pairs) if pairs else 0.0,
        unsupported_precision=tp / (tp + fp) if tp + fp else 0.0, unsupported_recall=rec_u,
        supported_recall=rec_s, n=len(pairs),
    )


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the values that are not None (None if there are none)."""
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
