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

The claim is supported when some unit matches well enough and passes every check; the verdict names
that unit as evidence. Otherwise the reasons come from the best-matching unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rag.judges import facts, polarity
from rag.judges.base import Judge, Verdict
from rag.judges.checks import DATE_LABELS, Unit, checks, evidence_units, negators
from rag.judges.nlp import parse

_CONTENT_POS = {"NOUN": 1.0, "PROPN": 1.0, "NUM": 1.0, "VERB": 0.7, "ADJ": 0.7, "ADV": 0.3}
_LIGHT = {"say", "tell", "add", "state", "note", "report", "accord", "also", "according", "be", "have", "do",
          "make", "get", "take", "give", "go", "come", "claim", "describe", "call", "stress", "argue", "explain"}
_MAX_CACHED_VECTORS = 5_000  # words and sentences; ~60 MB as Python floats at 384 dimensions
_NUMBER_LABELS = {"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
_NUMBER_WORDS = {"dollar", "percent", "cent", "euro", "pound", "per", "billion", "million", "thousand", "trillion",
                 "bn", "%", "$"}


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

    def judge(self, claim: str, passages: Sequence[str]) -> Verdict:
        claim = claim.strip()
        units = evidence_units(tuple(passages))
        if not claim or not units:
            return Verdict(False, 0.0, "", ["no passage text to check against"] if claim else ["empty claim"])
        cdoc = parse(claim)
        vectors = self._embed([claim] + [u.text for u in units])
        cvec = vectors[claim]
        best: tuple[float, Unit, list[str]] | None = None
        for unit in units:
            cosine = _dot(cvec, vectors[unit.text])
            coverage, missing = self._coverage(cdoc, unit)
            reasons = checks(cdoc, unit)
            if len(unit.docs) == 1 and cosine >= 0.8 and negators(cdoc) != negators(unit.docs[0]):
                reasons.append("the claim and its closest sentence differ in negation")
            if cosine < self.min_alignment:
                reasons.append(f"no passage sentence says this (best match cosine {cosine:.2f})")
            if coverage < self.min_coverage:
                reasons.append(f"not in the evidence: {', '.join(missing)}")
            score = 0.5 * max(cosine, 0.0) + 0.5 * coverage
            if reasons:
                score *= 0.5
            if best is None or (not reasons, score) > (not best[2], best[0]):
                best = (score, unit, reasons)
        assert best is not None
        score, unit, reasons = best
        return Verdict(supported=not reasons, score=round(score, 4), evidence=unit.text, reasons=reasons)

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
        best = max(_dot(vec, vectors[c]) for c in candidates)
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


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


