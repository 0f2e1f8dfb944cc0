"""The ``offline`` judge: checks a claim against passages with no LLM, using only what installs here.

For each evidence unit (one sentence, or two neighbouring sentences, of a passage) it measures how well
the unit matches the claim (MiniLM cosine plus the share of the claim's content words the unit covers),
then runs the checks word overlap cannot do:

- numbers: every number in the claim appears in the unit ("5 percent" = "5%", "$126bn" = "126 billion");
- dates: months, weekdays and years in the claim appear in the passage;
- names: every person, place and organisation in the claim appears in the unit or just before it
  ("U.S." = "United States", "Pete Hegseth" = "Hegseth");
- polarity: no negation or opposite word the unit does not share ("not realistic" vs "realistic",
  "accepted" vs "refused", "ruled out" vs "will send");
- strength: no "all"/"every"/"only" the unit lacks, no "will" where the unit says "may", no dropped hedge
  ("potentially backed" is not "backed").

The best unit is the best-matching one that passes every check (else the best-matching one). What was found
there (cosine, coverage, which kinds of check failed, whether it is a short answer judged with its question)
goes to a logistic regression fitted on dev claims (``rag.judges.calibration``, ``eval/fit.py``): supported when
its probability reaches the fitted threshold. The verdict names that unit as evidence; the reasons, when it is
not supported, are the failed checks. Long passages (a whole article) are first cut to the sentences closest
to the claim (``_window``), so their cost is bounded. ``rag.judges.model`` adds the local model's own reading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from index.chunking import sentence_spans
from rag.judges import calibration, facts, polarity
from rag.judges.base import Judge, Verdict
from rag.judges.checks import DATE_LABELS, KINDS, NEGATION, Unit, checks, evidence_units, negators
from rag.judges.nlp import parse

_CONTENT_POS = {"NOUN": 1.0, "PROPN": 1.0, "NUM": 1.0, "VERB": 0.7, "ADJ": 0.7, "ADV": 0.3}
_LIGHT = {"say", "tell", "add", "state", "note", "report", "accord", "also", "according", "be", "have", "do",
          "make", "get", "take", "give", "go", "come", "claim", "describe", "call", "stress", "argue", "explain"}
_MAX_CACHED_VECTORS = 5_000  # words and sentences; ~60 MB as Python floats at 384 dimensions
SHORT_ANSWER_WORDS = 8  # a claim this short, given with its question, is judged as the answer to it
MAX_SENTENCES = 12  # passages longer than this in all are windowed (``OfflineJudge._window``)
WINDOW_SENTENCES = 4
_NUMBER_LABELS = {"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
_NUMBER_WORDS = {"dollar", "percent", "cent", "euro", "pound", "per", "billion", "million", "thousand", "trillion",
                 "bn", "%", "$"}


@dataclass
class Assessment:
    """What the checks found: the combiner's inputs, the evidence unit they came from, the reasons to show."""

    features: dict[str, float]
    unit: Unit | None
    reasons: list[str] = field(default_factory=list)
    question: str | None = None  # the question the claim was judged as the answer to


class OfflineJudge(Judge):
    """No-LLM judge: MiniLM alignment plus checks of numbers, dates, names, polarity and strength.

    Args:
        embedder: an ``index.embedding.Embedder`` (default: the bundled MiniLM).
        min_alignment: least cosine between the claim and its evidence unit.
        min_coverage: least weighted share of the claim's content words the evidence covers.
        word_similarity: cosine at which two single words count as synonyms.
    """

    name = "offline"

    def __init__(self, embedder: Any = None, *, min_alignment: float = 0.45, min_coverage: float = 0.7,
                 word_similarity: float = 0.62) -> None:
        self._embedder = embedder
        self.min_alignment = min_alignment
        self.min_coverage = min_coverage
        self.word_similarity = word_similarity
        self._vectors: dict[str, list[float]] = {}

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from index.embedding import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def describe(self) -> str:
        return (f"offline (spaCy + MiniLM checks; alignment >= {self.min_alignment}, "
                f"coverage >= {self.min_coverage})")

    def judge(self, claim: str, passages: Sequence[str], question: str | None = None) -> Verdict:
        return self.verdict(self.assess(claim, passages, question), "offline")

    @staticmethod
    def verdict(found: Assessment, combiner: str) -> Verdict:
        """The verdict of the fitted ``combiner`` on what was found."""
        if found.unit is None:
            return Verdict(False, 0.0, "", found.reasons)
        rule = calibration.combiner(combiner)
        p = rule.probability(found.features)
        if p >= rule.threshold:
            return Verdict(True, round(p, 4), found.unit.text, [])
        return Verdict(False, round(p, 4), found.unit.text, found.reasons or [f"judged unsupported (P={p:.2f})"])

    def assess(self, claim: str, passages: Sequence[str], question: str | None = None) -> Assessment:
        """What the checks find for ``claim`` (the answer to ``question``, when one is given and the claim is
        short) in its best evidence unit: the features the combiner weighs, and the reasons to show."""
        claim = claim.strip()
        if not claim:
            return Assessment({}, None, ["empty claim"])
        asked = bool(question and question.strip()) and len(claim.split()) <= SHORT_ANSWER_WORDS
        statement = f"{question.strip()} {claim}" if asked and question else claim
        units = evidence_units(self._window(statement, tuple(p for p in passages if p.strip())))
        if not units:
            return Assessment({}, None, ["no passage text to check against"])
        cdoc, sdoc = parse(claim), parse(statement)
        vectors = self._embed([statement] + [u.text for u in units])
        cvec = vectors[statement]
        best: tuple[float, Unit, list[tuple[str, str]], float, float, list[str]] | None = None
        for unit in units:
            cosine = dot(cvec, vectors[unit.text])
            coverage, missing = self._coverage(sdoc, unit)
            failed = checks(cdoc, unit)
            if len(unit.docs) == 1 and cosine >= 0.8 and negators(cdoc) != negators(unit.docs[0]):
                failed.append((NEGATION, "the claim and its closest sentence differ in negation"))
            score = 0.5 * max(cosine, 0.0) + 0.5 * coverage
            if failed or cosine < self.min_alignment or coverage < self.min_coverage:
                score *= 0.5
            if best is None or (not failed, score) > (not best[2], best[0]):
                best = (score, unit, failed, cosine, coverage, missing)
        assert best is not None
        _, unit, failed, cosine, coverage, missing = best
        reasons = [text for _, text in failed]
        if cosine < self.min_alignment:
            reasons.append(f"no passage sentence says this (best match cosine {cosine:.2f})")
        if coverage < self.min_coverage:
            reasons.append(f"not in the evidence: {', '.join(missing)}")
        features = {"cosine": cosine, "coverage": coverage, "short_answer": float(asked),
                    **{f"fails_{kind}": float(any(k == kind for k, _ in failed)) for kind in KINDS}}
        return Assessment(features, unit, reasons, question if asked else None)

    def _window(self, claim: str, passages: tuple[str, ...]) -> tuple[str, ...]:
        """Long passages cut to the sentences that matter, so a whole article costs about what a chunk does:
        the ``WINDOW_SENTENCES`` sentences closest to the claim, each with the sentence before and after it,
        as separate pieces (each a substring of its passage, so the evidence can still be located)."""
        spans = [(i, s, e) for i, p in enumerate(passages) for s, e in sentence_spans(p)]
        if len(spans) <= MAX_SENTENCES:
            return passages
        texts = [passages[i][s:e] for i, s, e in spans]
        vectors = self._embed([claim, *texts])
        ranked = sorted(range(len(spans)), key=lambda j: -dot(vectors[claim], vectors[texts[j]]))
        keep = sorted({j + d for j in ranked[:WINDOW_SENTENCES] for d in (-1, 0, 1)
                       if 0 <= j + d < len(spans) and spans[j + d][0] == spans[j][0]})
        pieces: list[tuple[int, int, int]] = []
        prev = -2
        for j in keep:
            i, s, e = spans[j]
            if pieces and prev == j - 1 and pieces[-1][0] == i:
                pieces[-1] = (i, pieces[-1][1], e)
            else:
                pieces.append((i, s, e))
            prev = j
        return tuple(passages[i][s:e] for i, s, e in pieces)

    def _coverage(self, cdoc: Any, unit: Unit) -> tuple[float, list[str]]:
        """Weighted share of the claim's content words found in the unit.

        A word counts fully when its lemma, spelling or stem is there (names by the name check), and
        partly by its best MiniLM similarity to a unit word (synonyms: "talks" ~ "negotiations").
        """
        unit_lemmas = set().union(*(polarity.lemmas(d) for d in unit.context))
        unit_words = {facts.norm_word(t.text) for d in unit.context for t in d}
        unit_keys = set().union(*(facts.names(d) for d in unit.context))
        unit_stems = {_stem(w) for w in unit_words}
        candidates = sorted({t.lemma_.lower() for d in unit.docs for t in d if t.pos_ in _CONTENT_POS} - _LIGHT)
        total = found = 0.0
        missing = []
        for t in cdoc:
            weight = _CONTENT_POS.get(t.pos_, 0.0)
            lemma = t.lemma_.lower()
            if (not weight or t.is_stop or lemma in _LIGHT or t.ent_type_ in DATE_LABELS | _NUMBER_LABELS
                    or lemma in _NUMBER_WORDS or not t.text.strip("-–—")):
                continue
            total += weight
            word = facts.norm_word(t.text)
            if t.ent_type_ in facts.NAME_LABELS:
                ent = next(e for e in cdoc.ents if e.start <= t.i < e.end)
                credit = 1.0 if facts.name_found(facts.name_key(ent.text), unit_keys, unit_words) else 0.0
            elif lemma in unit_lemmas or word in unit_words or _stem(word) in unit_stems:
                credit = 1.0
            else:
                credit = self._synonym(lemma, candidates)
            found += weight * credit
            if credit < 0.5:
                missing.append(t.text)
        return (found / total if total else 1.0), missing

    def _synonym(self, lemma: str, candidates: list[str]) -> float:
        """Partial credit from the best word similarity: 0 at or below 0.3, 1 at ``word_similarity``."""
        if not candidates:
            return 0.0
        vectors = self._embed([lemma, *candidates])
        vec = vectors[lemma]
        best = max(dot(vec, vectors[c]) for c in candidates)
        return min(1.0, max(0.0, (best - 0.3) / (self.word_similarity - 0.3)))

    def _embed(self, texts: list[str]) -> dict[str, list[float]]:
        """Unit vectors of ``texts``, from the cache or embedded now. The result is the caller's own: a later call
        that empties the bounded cache (or another thread's) cannot take them away mid-judgement."""
        got = {t: v for t in dict.fromkeys(texts) if (v := self._vectors.get(t)) is not None}
        todo = [t for t in dict.fromkeys(texts) if t not in got]
        if todo and len(self._vectors) + len(todo) > _MAX_CACHED_VECTORS:  # bounded memory in long-running apps
            self._vectors.clear()
        if todo:
            for text, vec in zip(todo, self.embedder.embed_batch(todo), strict=True):
                norm = math.sqrt(sum(x * x for x in vec)) or 1.0
                got[text] = self._vectors[text] = [x / norm for x in vec]
        return got


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    return str(_stemmer().stem(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


