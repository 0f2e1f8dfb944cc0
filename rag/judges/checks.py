"""The offline judge's evidence units and the checks word overlap cannot do.

``evidence_units`` cuts passages into evidence units; ``checks`` compares a parsed claim with one unit and
returns the reasons it is not supported there (numbers, dates, names and their roles, negation,
opposite words, quantifiers, modals, hedges). See ``rag.judges.offline`` for how they are combined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from index.chunking import sentence_spans
from rag.judges import facts, polarity
from rag.judges.nlp import parse

_HEDGE_HEADS = {"may", "might", "could", "possibly", "potentially", "likely", "probably", "reportedly", "perhaps"}
DATE_LABELS = {"DATE", "TIME"}
NUMBER, DATE, NAME, ROLE, NEGATION, OPPOSITE, STRENGTH = (
    "number", "date", "name", "role", "negation", "opposite", "strength")
KINDS = (NUMBER, DATE, NAME, ROLE, NEGATION, OPPOSITE, STRENGTH)
_PRONOUNS = {"he", "she", "they", "it"}
_SPEECH = {"say", "tell", "note", "state", "add", "remark", "stress", "warn", "argue", "explain", "insist", "claim",
           "assert", "underscore", "emphasize", "emphasise", "declare", "announce", "write", "report", "mention"}


@dataclass
class Unit:
    text: str
    docs: list[Any]  # the unit's sentences, parsed
    context: list[Any]  # the unit plus the two sentences before it
    passage: Any  # the whole passage, parsed
    all_keys: set[str]  # names anywhere in the passages
    all_words: set[str]  # words anywhere in the passages


def checks(cdoc: Any, unit: Unit) -> list[tuple[str, str]]:
    """The hard checks, as (kind, reason) for each failure; kinds are ``KINDS``: numbers, dates, names and their
    roles, negation, opposite words, quantifiers, modals and hedges (``strength``)."""
    reasons: list[tuple[str, str]] = []
    date_tokens = [t for t in cdoc if t.ent_type_ in DATE_LABELS or _is_year(t)]
    plain = [t for t in cdoc if t.ent_type_ not in DATE_LABELS and not _is_year(t)]
    unit_numbers = set().union(*(facts.numbers(d) for d in unit.context))
    passage_numbers = facts.numbers(unit.passage)
    for n in sorted(facts.numbers(plain)):
        if n not in unit_numbers:
            reasons.append((NUMBER, f"number {_fmt(n)} is not in the evidence"))
    for n in sorted(facts.numbers(date_tokens)):
        if n not in passage_numbers:
            reasons.append((DATE, f"date number {_fmt(n)} is not in the passage"))
    missing_dates = facts.dates(cdoc) - facts.dates(unit.passage)
    reasons += [(DATE, f"date {d.split(':')[1]} is not in the passage") for d in sorted(missing_dates)]

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
        reasons.append((NAME, f"name {key!r} is not in the evidence"))
    for key in sorted(_agents(cdoc)):
        if not pronoun and facts.name_found(key, context_keys, context_words) and not facts.name_found(
                key, unit_keys, unit_words):
            reasons.append((ROLE, f"in the evidence, {key!r} is not the one who acts or speaks"))

    c_neg, c_lem = polarity.negated_lemmas(cdoc), polarity.lemmas(cdoc)
    u_neg = set().union(*(polarity.negated_lemmas(d) for d in unit.docs))
    u_lem = set().union(*(polarity.lemmas(d) for d in unit.docs))
    for lemma in sorted((c_neg - u_neg) & u_lem):
        reasons.append((NEGATION, f"the claim negates {lemma!r}; the evidence does not"))
    for lemma in sorted((u_neg - c_neg) & c_lem):
        reasons.append((NEGATION, f"the evidence negates {lemma!r}; the claim does not"))
    for t in cdoc:
        lemma = polarity.lemma(t)
        if t.pos_ in ("VERB", "ADJ", "ADV", "NOUN") and lemma not in u_lem:
            other = polarity.opposite(lemma, u_lem)
            if other and other not in c_lem and (lemma in c_neg) == (other in u_neg):
                reasons.append((OPPOSITE, f"the claim says {t.text!r}; the evidence says {other!r}"))

    u_classes = {polarity.UNIVERSAL[t.lower_] for d in unit.docs for t in d if t.lower_ in polarity.UNIVERSAL}
    for t in cdoc:
        if (t.lower_ in polarity.UNIVERSAL and polarity.UNIVERSAL[t.lower_] not in u_classes
                and t.dep_ != "pobj" and (t.i == 0 or cdoc[t.i - 1].lower_ not in ("above", "at", "after", "not"))):
            reasons.append((STRENGTH, f"the claim generalises with {t.text!r}; the evidence does not"))
    for t in cdoc:  # "officials agreed" where the evidence has "a NATO official"
        if t.tag_ == "NNS" and t.lemma_.lower() not in {x.lemma_.lower() for d in unit.docs for x in d
                                                        if x.tag_ in ("NNS", "NNPS")}:
            singles = [x for d in unit.docs for x in d if x.lemma_.lower() == t.lemma_.lower() and x.tag_ == "NN"]
            if singles and all(any(c.lower_ in ("a", "an", "one") for c in x.children) for x in singles):
                reasons.append((STRENGTH, f"the claim says {t.text!r}; the evidence speaks of one"))
    reasons += _swapped_names(cdoc, unit)
    c_strong, c_weak = polarity.modal_strength(cdoc)
    u_strong = u_weak = False
    for d in unit.docs:
        s, w = polarity.modal_strength(d)
        u_strong, u_weak = u_strong or s, u_weak or w
    if c_strong and not c_weak and u_weak and not u_strong:
        reasons.append((STRENGTH, "the claim states as certain what the evidence gives as possible"))
    c_hedged = any(t.lower_ in _HEDGE_HEADS | {"would", "can", "should"} for t in cdoc)
    if not c_hedged:
        for d in unit.docs:
            for t in d:
                if t.lower_ in _HEDGE_HEADS and t.head.lemma_.lower() in c_lem and t.head.pos_ in ("VERB", "ADJ"):
                    why = f"the evidence hedges {t.head.text!r} with {t.text!r}; the claim does not"
                    reasons.append((STRENGTH, why))
    return reasons


@lru_cache(maxsize=256)
def evidence_units(passages: tuple[str, ...]) -> list[Unit]:
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
                    units.append(Unit(text, unit_docs, docs[max(0, i - 2):i] + unit_docs, whole, all_keys, all_words))
        if len(spans) > 2:
            units.append(Unit(passage, docs, docs, whole, all_keys, all_words))
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


def _swapped_names(cdoc: Any, unit: Unit) -> list[tuple[str, str]]:
    """Names in the same slot of the same word but different: "met Healey" where the evidence says "met Hegseth"."""
    unit_slots = _slots(unit.docs)
    reasons = []
    for slot, keys in _slots([cdoc]).items():
        theirs = unit_slots.get(slot)
        if not theirs:
            continue
        for key in keys:
            if not any(facts.same_name(key, other) for other in theirs):
                reasons.append((ROLE, f"the evidence has {', '.join(sorted(theirs))} where the claim has {key!r}"))
    return reasons


def _agents(doc: Any) -> set[str]:
    """Name keys of the claim's subjects: who says or does what ("Healey warned ..." gives "healey")."""
    out = set()
    for ent in doc.ents:
        if ent.label_ in ("PERSON", "ORG", "GPE", "NORP") and any(t.dep_ in ("nsubj", "nsubjpass") for t in ent):
            out.add(facts.name_key(ent.text))
    return out


def negators(doc: Any) -> int:
    return sum(t.lower_ in polarity.NEGATOR_WORDS or t.lower_ == "without" for t in doc)


def _is_year(t: Any) -> bool:
    return t.text.isdigit() and len(t.text) == 4 and 1900 <= int(t.text) <= 2100


def _fmt(n: float) -> str:
    return f"{n:g}"
