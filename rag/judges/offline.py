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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.chunking import sentence_spans
from rag.judges import facts, polarity
from rag.judges.base import Judge, Verdict
from rag.judges.nlp import parse

_CONTENT_POS = {"NOUN": 1.0, "PROPN": 1.0, "NUM": 1.0, "VERB": 0.7, "ADJ": 0.7, "ADV": 0.3}
_LIGHT = {"say", "tell", "add", "state", "note", "report", "accord", "also", "according", "be", "have", "do",
          "make", "get", "take", "give", "go", "come", "claim", "describe", "call", "stress", "argue", "explain"}
_HEDGE_HEADS = {"may", "might", "could", "possibly", "potentially", "likely", "probably", "reportedly", "perhaps"}
_DATE_LABELS = {"DATE", "TIME"}
_NUMBER_LABELS = {"MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
_NUMBER_WORDS = {"dollar", "percent", "cent", "euro", "pound", "per", "billion", "million", "thousand", "trillion",
                 "bn", "%", "$"}
_PRONOUNS = {"he", "she", "they", "it"}
_SPEECH = {"say", "tell", "note", "state", "add", "remark", "stress", "warn", "argue", "explain", "insist", "claim",
           "assert", "underscore", "emphasize", "emphasise", "declare", "announce", "write", "report", "mention"}


@dataclass
class _Unit:
    text: str
    docs: list[Any]  # the unit's sentences, parsed
    context: list[Any]  # the unit plus the two sentences before it
    passage: Any  # the whole passage, parsed
    all_keys: set[str]  # names anywhere in the passages
    all_words: set[str]  # words anywhere in the passages


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
        units = _units(tuple(passages))
        if not claim or not units:
            return Verdict(False, 0.0, "", ["no passage text to check against"] if claim else ["empty claim"])
        cdoc = parse(claim)
        self._embed([claim] + [u.text for u in units])
        cvec = self._vectors[claim]
        best: tuple[float, _Unit, list[str]] | None = None
        for unit in units:
            cosine = _dot(cvec, self._vectors[unit.text])
            coverage, missing = self._coverage(cdoc, unit)
            reasons = _checks(cdoc, unit)
            if len(unit.docs) == 1 and cosine >= 0.8 and _negators(cdoc) != _negators(unit.docs[0]):
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

    def _coverage(self, cdoc: Any, unit: _Unit) -> tuple[float, list[str]]:
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
            if (not weight or t.is_stop or lemma in _LIGHT or t.ent_type_ in _DATE_LABELS | _NUMBER_LABELS
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
        self._embed([lemma, *candidates])
        vec = self._vectors[lemma]
        best = max(_dot(vec, self._vectors[c]) for c in candidates)
        return min(1.0, max(0.0, (best - 0.3) / (self.word_similarity - 0.3)))

    def _embed(self, texts: list[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            for text, vec in zip(todo, self.embedder.embed_batch(todo), strict=True):
                norm = math.sqrt(sum(x * x for x in vec)) or 1.0
                self._vectors[text] = [x / norm for x in vec]


def _checks(cdoc: Any, unit: _Unit) -> list[str]:
    """The hard checks: numbers, dates, names, negation, opposites, quantifiers, modals, hedges."""
    reasons: list[str] = []
    date_tokens = [t for t in cdoc if t.ent_type_ in _DATE_LABELS or _is_year(t)]
    plain = [t for t in cdoc if t.ent_type_ not in _DATE_LABELS and not _is_year(t)]
    unit_numbers = set().union(*(facts.numbers(d) for d in unit.context))
    passage_numbers = facts.numbers(unit.passage)
    for n in sorted(facts.numbers(plain)):
        if n not in unit_numbers:
            reasons.append(f"number {_fmt(n)} is not in the evidence")
    for n in sorted(facts.numbers(date_tokens)):
        if n not in passage_numbers:
            reasons.append(f"date number {_fmt(n)} is not in the passage")
    missing_dates = facts.dates(cdoc) - facts.dates(unit.passage)
    reasons += [f"date {d.split(':')[1]} is not in the passage" for d in sorted(missing_dates)]

    context_keys = set().union(*(facts.names(d) for d in unit.context))
    context_words = {facts.norm_word(t.text) for d in unit.context for t in d}
    unit_keys = set().union(*(facts.names(d) for d in unit.docs))
    unit_words = {facts.norm_word(t.text) for d in unit.docs for t in d}
    pronoun = any(t.lower_ in _PRONOUNS and t.dep_ in ("nsubj", "nsubjpass") for d in unit.docs for t in d)
    for key in sorted(facts.names(cdoc)):
        if facts.name_found(key, context_keys, context_words):
            continue
        if pronoun and facts.name_found(key, unit.all_keys, unit.all_words):
            continue  # "He said ..." where the passages name him earlier
        reasons.append(f"name {key!r} is not in the evidence")
    for key in sorted(_agents(cdoc)):
        if not pronoun and facts.name_found(key, context_keys, context_words) and not facts.name_found(
                key, unit_keys, unit_words):
            reasons.append(f"in the evidence, {key!r} is not the one who acts or speaks")

    c_neg, c_lem = polarity.negated_lemmas(cdoc), polarity.lemmas(cdoc)
    u_neg = set().union(*(polarity.negated_lemmas(d) for d in unit.docs))
    u_lem = set().union(*(polarity.lemmas(d) for d in unit.docs))
    for lemma in sorted((c_neg - u_neg) & u_lem):
        reasons.append(f"the claim negates {lemma!r}; the evidence does not")
    for lemma in sorted((u_neg - c_neg) & c_lem):
        reasons.append(f"the evidence negates {lemma!r}; the claim does not")
    for t in cdoc:
        lemma = polarity.lemma(t)
        if t.pos_ in ("VERB", "ADJ", "ADV", "NOUN") and lemma not in u_lem:
            other = polarity.opposite(lemma, u_lem)
            if other and other not in c_lem and (lemma in c_neg) == (other in u_neg):
                reasons.append(f"the claim says {t.text!r}; the evidence says {other!r}")

    u_classes = {polarity.UNIVERSAL[t.lower_] for d in unit.docs for t in d if t.lower_ in polarity.UNIVERSAL}
    for t in cdoc:
        if (t.lower_ in polarity.UNIVERSAL and polarity.UNIVERSAL[t.lower_] not in u_classes
                and t.dep_ != "pobj" and (t.i == 0 or cdoc[t.i - 1].lower_ not in ("above", "at", "after", "not"))):
            reasons.append(f"the claim generalises with {t.text!r}; the evidence does not")
    for t in cdoc:  # "officials agreed" where the evidence has "a NATO official"
        if t.tag_ == "NNS" and t.lemma_.lower() not in {x.lemma_.lower() for d in unit.docs for x in d
                                                        if x.tag_ in ("NNS", "NNPS")}:
            singles = [x for d in unit.docs for x in d if x.lemma_.lower() == t.lemma_.lower() and x.tag_ == "NN"]
            if singles and all(any(c.lower_ in ("a", "an", "one") for c in x.children) for x in singles):
                reasons.append(f"the claim says {t.text!r}; the evidence speaks of one")
    reasons += _swapped_names(cdoc, unit)
    c_strong, c_weak = polarity.modal_strength(cdoc)
    u_strong = u_weak = False
    for d in unit.docs:
        s, w = polarity.modal_strength(d)
        u_strong, u_weak = u_strong or s, u_weak or w
    if c_strong and not c_weak and u_weak and not u_strong:
        reasons.append("the claim states as certain what the evidence gives as possible")
    c_hedged = any(t.lower_ in _HEDGE_HEADS | {"would", "can", "should"} for t in cdoc)
    if not c_hedged:
        for d in unit.docs:
            for t in d:
                if t.lower_ in _HEDGE_HEADS and t.head.lemma_.lower() in c_lem and t.head.pos_ in ("VERB", "ADJ"):
                    reasons.append(f"the evidence hedges {t.head.text!r} with {t.text!r}; the claim does not")
    return reasons


@lru_cache(maxsize=256)
def _units(passages: tuple[str, ...]) -> list[_Unit]:
    """Evidence units: each sentence, each pair of neighbouring sentences, and each whole passage."""
    units = []
    all_docs = [parse(p) for p in passages]
    all_keys = set().union(*(facts.names(d) for d in all_docs))
    all_words = {facts.norm_word(t.text) for d in all_docs for t in d}
    for passage in passages:
        spans = sentence_spans(passage)
        docs = [parse(passage[s:e]) for s, e in spans]
        whole = parse(passage)
        for i in range(len(spans)):
            for j in (i, i + 1):
                if j < len(spans):
                    text = passage[spans[i][0]:spans[j][1]]
                    unit_docs = docs[i:i + 1] if i == j else [parse(text)]
                    units.append(_Unit(text, unit_docs, docs[max(0, i - 2):i] + unit_docs, whole, all_keys, all_words))
        if len(spans) > 2:
            units.append(_Unit(passage, docs, docs, whole, all_keys, all_words))
    return units


def _slots(docs: Sequence[Any]) -> dict[tuple[str, str], set[str]]:
    """Where each name sits: (head lemma, role) -> name keys; "meeting with Healey" gives ("meeting", "with")."""
    slots: dict[tuple[str, str], set[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ not in ("PERSON", "ORG", "GPE", "NORP"):
                continue
            root = ent.root
            while root.dep_ in ("compound", "appos", "conj") and root.head is not root:
                root = root.head
            role, head = root.dep_, root.head
            if role == "pobj":
                role, head = head.lower_, head.head
            word = polarity.lemma(head)
            slots.setdefault(("say" if word in _SPEECH else word, role), set()).add(facts.name_key(ent.text))
    return slots


def _swapped_names(cdoc: Any, unit: _Unit) -> list[str]:
    """Names in the same slot of the same word but different: "met Healey" where the evidence says "met Hegseth"."""
    unit_slots = _slots(unit.docs)
    reasons = []
    for slot, keys in _slots([cdoc]).items():
        theirs = unit_slots.get(slot)
        if not theirs:
            continue
        for key in keys:
            if not any(facts.same_name(key, other) for other in theirs):
                reasons.append(f"the evidence has {', '.join(sorted(theirs))} where the claim has {key!r}")
    return reasons


def _agents(doc: Any) -> set[str]:
    """Name keys of the claim's subjects: who says or does what ("Healey warned ..." gives "healey")."""
    out = set()
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG", "GPE", "NORP") and any(t.dep_ in ("nsubj", "nsubjpass") for t in ent):
            out.add(facts.name_key(ent.text))
    return out


def _negators(doc: Any) -> int:
    return sum(t.lower_ in polarity.NEGATOR_WORDS or t.lower_ == "without" for t in doc)


def _is_year(t: Any) -> bool:
    return t.text.isdigit() and len(t.text) == 4 and 1900 <= int(t.text) <= 2100


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    from nltk.stem.snowball import SnowballStemmer

    return _stemmer(SnowballStemmer).stem(word)


@lru_cache(maxsize=1)
def _stemmer(cls: Any) -> Any:
    return cls("english")


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _fmt(n: float) -> str:
    return f"{n:g}"
