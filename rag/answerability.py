"""Does a supported answer actually answer the question? The check behind honest refusals.

Verification (``rag.verify``) makes sure every kept sentence is true to its passages. That is not
enough: asked "How many troops would Europe send?", a backend can quote a true sentence about
"$126bn in aid" and be faithful yet useless. The articles here are full of near misses like that
(the topic is covered, the detail asked for is not), and retrieval scores cannot tell them apart
(measured: the best passage's cosine is as high for unanswerable questions as for answerable ones).

So the question's own words say what an answer must contain, and the verified answer is checked for it:

- **what kind of answer** (``expectations``): "how many X" / "how much X" needs a number that counts X
  (within a few words of it, or governing it) and is not already in the question; "what rate / number /
  amount ..." a number; "how long" / "how many days" a duration; "when" / "what day/year" a date or
  time; "on what date(s)" a calendar date (a month, weekday or day number, not "next week");
  "where" / "in which city" a place (not "US" in "US President"); "which country" a country, in the
  sentence or just before it ("It led the meeting"); "what is the name of" / "name the" a person's name.
  "When and where" asks for both.
  Questions of any other shape ("what did X say", "why", "who") set no expected kind.
- **who is asked about** (``speaker_names``): in "What did Germany's defence minister say", "How did
  China react" or "How much did the UK pledge", the named subject of a saying, reacting or giving verb
  must appear in the answering sentence or in the two sentences before its supporting span ("Germany"
  must be there, not just any minister).
- **names the articles lack**: a name in the question (outside the asked-for phrase, and other than an
  outlet the question names as a source) that no retrieved passage mentions.

``findings`` says which of the three fail for a verified answer; ``rag.refusal`` weighs them with the model's
own reading (calibrated) and, when it refuses, shows the reason of a failed check. The same ``expectations``
steer the extractive backend towards sentences that hold the kind of answer asked for.
The rules and their measured effect (gold and held-out questions) are in the README.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.judges import facts
from rag.judges.nlp import parse

_NUMBER_NOUNS = {"rate", "percentage", "percent", "number", "amount", "sum", "figure", "total", "proportion",
                 "price", "cost", "size", "count", "toll", "tally"}
_DATE_NOUNS = {"day", "month", "year", "time", "week", "hour"}
_EXACT_DATE_WORDS = {"date", "dates"}
_PLACE_NOUNS = {"city", "place", "location", "venue", "town", "capital", "site"}
_DURATION_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "night"}
_COUNTRY_NOUNS = {"country", "nation", "government", "ally", "state"}
# verbs whose subject is who the question is about: "What did Germany's minister say?", "How much did the UK pledge?"
_ACTOR_VERBS = {"say", "react", "respond", "reply", "tell", "comment", "describe", "warn", "announce", "think",
                "believe", "view", "answer", "state", "write", "argue", "claim", "pledge", "promise", "offer",
                "propose", "give", "provide", "send", "spend", "contribute", "threaten", "commit", "supply", "donate",
                "allocate"}
_MODIFIER = {"compound", "amod", "poss", "nmod"}
_NOT_A_COUNT = {"DATE", "TIME", "ORDINAL"}
NUMBER, DURATION, DATE, EXACT_DATE, PLACE, COUNTRY, PERSON = (
    "number", "duration", "date", "exact date", "place", "country", "name")
_WANTED = {NUMBER: "that number", DURATION: "a length of time", DATE: "a date or time", EXACT_DATE: "a calendar date",
           PLACE: "a place", COUNTRY: "a country", PERSON: "a person's name"}


@dataclass(frozen=True)
class Expectation:
    """What kind of answer a question asks for.

    ``kind``: one of ``number``, ``duration``, ``date``, ``exact date``, ``place``, ``country``, ``name``,
    or "" (no particular kind); ``focus``: the lemma of the thing counted ("troop" in "how many troops");
    ``phrase``: the question's words for what it asks; ``span``: their token positions in the question.
    """

    kind: str = ""
    focus: str = ""
    phrase: str = ""
    span: frozenset[int] = field(default_factory=frozenset)


def expectations(question: str) -> list[Expectation]:
    """What ``question`` asks for, one per question word ("When and where will they meet?" asks for a date
    and a place); an expectation with no ``kind`` still marks its words ("which British newspaper")."""
    doc = parse(question)
    toks = list(doc)
    found: list[Expectation] = []
    for i in range(len(toks)):
        if any(i in e.span for e in found):
            continue
        exp = _asked_at(doc, toks, i)
        if exp is not None:
            found.append(exp)
    return found


def _asked_at(doc: Any, toks: list[Any], i: int) -> Expectation | None:
    t = toks[i]
    low, nxt = t.lower_, (toks[i + 1] if i + 1 < len(toks) else None)
    after = nxt.lower_ if nxt is not None else ""
    if low == "how" and after in ("many", "much"):
        head = nxt.head if nxt is not None and nxt.dep_ == "amod" and nxt.head.pos_ in ("NOUN", "PROPN") else None
        focus = head.lemma_.lower() if head is not None else ""
        end = head.i + 1 if head is not None else i + 2
        return Expectation(DURATION if focus in _DURATION_UNITS else NUMBER, focus, doc[i:end].text,
                           frozenset(range(i, end)))
    if low == "how" and after == "long":
        return Expectation(DURATION, "", "how long", frozenset({i, i + 1}))
    if low == "how" and after in ("old", "far", "big", "large", "often"):
        return Expectation(NUMBER, "", doc[i:i + 2].text, frozenset({i, i + 1}))
    asks = i == 0 or toks[i - 1].lower_ in ("and", "or", ",") or after in ("?", "")
    if low == "when" and asks:  # not "... was in Washington when Cavoli testified"
        return Expectation(DATE, "", "when", frozenset({i}))
    if low == "where" and asks:
        return Expectation(PLACE, "", "where", frozenset({i}))
    if low == "name" and after in ("of", "the") and (i == 0 or toks[i - 1].lower_ == "the"):
        return Expectation(PERSON, "", "the name", frozenset({i}))
    if low in ("what", "which") and t.tag_ in ("WDT", "WP"):
        return _asked_noun(doc, i)
    return None


def _asked_noun(doc: Any, i: int) -> Expectation | None:
    """The expectation set by "what/which <noun>": "what tariff rate", "which British newspaper"."""
    chunks = list(doc.noun_chunks)
    chunk = next((c for c in chunks if c.start <= i < c.end), None)
    if chunk is not None and chunk.root.i == i:  # "which" parsed alone: take the noun phrase right after it
        chunk = next((c for c in chunks if c.start == i + 1), None)
    if chunk is None:
        return None
    head = chunk.root
    span = frozenset(range(i, chunk.end))
    phrase = doc[i:chunk.end].text
    lemma = head.lemma_.lower()
    if lemma in _NUMBER_NOUNS:
        return Expectation(NUMBER, "", phrase, span)
    if head.lower_ in _EXACT_DATE_WORDS:
        return Expectation(EXACT_DATE, "", phrase, span)
    if lemma in _DATE_NOUNS:
        return Expectation(DATE, "", phrase, span)
    if lemma in _PLACE_NOUNS:
        return Expectation(PLACE, "", phrase, span)
    if lemma in _COUNTRY_NOUNS:
        return Expectation(COUNTRY, "", phrase, span)
    return Expectation("", "", phrase, span)


def meets(exp: Expectation, question: str, text: str) -> bool:
    """Whether ``text`` contains the kind of answer ``exp`` asks for (and not just what the question says)."""
    if not exp.kind:
        return True
    qdoc, doc = parse(question), parse(text)
    qtext = qdoc.text.lower()
    if exp.kind == NUMBER:
        return _counts(doc, exp.focus, facts.numbers(qdoc))
    if exp.kind == DURATION:
        qnums = facts.numbers(qdoc)
        return any(
            ent.label_ in ("DATE", "TIME") and any(t.lemma_.lower() in _DURATION_UNITS for t in ent)
            and bool(facts.numbers(ent) - qnums)
            for ent in doc.ents
        )
    if exp.kind in (DATE, EXACT_DATE):
        for ent in doc.ents:
            if ent.label_ not in ("DATE", "TIME") or ent.text.lower() in qtext:
                continue
            if exp.kind == DATE or facts.dates(ent) or any(t.like_num for t in ent):
                return True
        return False
    labels = {"GPE", "LOC", "FAC"} if exp.kind == PLACE else {"GPE", "NORP"} if exp.kind == COUNTRY else {"PERSON"}
    return any(ent.label_ in labels and ent.text.lower() not in qtext
               and not (exp.kind == PLACE and ent.root.dep_ in _MODIFIER)  # "US President ...": not a place
               for ent in doc.ents)


def _counts(doc: Any, focus: str, known: set[float]) -> bool:
    """A number in ``doc``, new to the question, that counts ``focus`` (any number when no focus)."""
    for t in doc:
        if t.ent_type_ in _NOT_A_COUNT or not (t.like_num or t.ent_type_ or any(c.isdigit() for c in t.text)):
            continue  # "$126bn" is tagged neither number nor money by the small model, so digits count too
        values = facts.numbers([t])
        if not values or values <= known:
            continue
        if not focus:
            return True
        if t.head.lemma_.lower() == focus or any(w.lemma_.lower() == focus for w in doc[t.i + 1:t.i + 5]):
            return True
    return False


def speaker_names(question: str, asked: frozenset[int] = frozenset(), outlets: Iterable[str] = ()) -> dict[str, str]:
    """Names in the subject of a saying, reacting or giving verb, as {name key: as written}:
    ``{"germany": "Germany"}`` for "What did Germany's defence minister say?"."""
    doc = parse(question)
    skip = {facts.name_key(o) for o in outlets}
    names: dict[str, str] = {}
    for t in doc:
        if (t.dep_ in ("nsubj", "nsubjpass") and t.head.lemma_.lower() in _ACTOR_VERBS
                and t.head.dep_ in ("ROOT", "conj") and t.i not in asked):
            names.update(_names(doc[t.left_edge.i:t.right_edge.i + 1].ents, asked, skip))
        # the small parser reads "How much aid did the UK pledge?" as "did [the UK pledge]": verb as a noun
        if t.dep_ == "dobj" and t.head.lemma_ == "do" and t.lemma_.lower() in _ACTOR_VERBS:
            for c in t.children:
                if c.dep_ in ("compound", "poss", "nmod") and c.i not in asked:
                    names.update(_names(doc[c.left_edge.i:c.right_edge.i + 1].ents, asked, skip))
    return names


def question_names(question: str, asked: frozenset[int] = frozenset(), outlets: Iterable[str] = ()) -> dict[str, str]:
    """Names in the question ({key: as written}), leaving out the tokens in ``asked`` (the asked-for phrases:
    "British" in "which British newspaper") and the outlets it names."""
    return _names(parse(question).ents, asked, {facts.name_key(o) for o in outlets})


def _names(ents: Iterable[Any], asked: frozenset[int], skip: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for ent in ents:
        if ent.label_ in facts.NAME_LABELS and not set(range(ent.start, ent.end)) & asked:
            key = facts.name_key(ent.text)
            if key and key not in skip:
                names.setdefault(key, ent.text)
    return names


def missing(names: dict[str, str], texts: Sequence[str]) -> list[str]:
    """The names (as written) that none of ``texts`` mentions (aliases and surnames count: ``facts.name_found``)."""
    if not names:
        return []
    docs = [parse(t) for t in texts]
    text_keys = set().union(*(facts.names(d) for d in docs)) if docs else set()
    words = {facts.norm_word(t.text) for d in docs for t in d}
    return [shown for key, shown in names.items() if not facts.name_found(key, text_keys, words)]


def findings(question: str, supported: Sequence[tuple[str, str]], passages: Sequence[str],
             outlets: Iterable[str] = ()) -> dict[str, str]:
    """What the checks find missing for ``question`` in the supported sentences: ``{"names": ..., "kind": ...,
    "speaker": ...}``, each the reason to show, or "" when that check passes (``rag.refusal`` weighs them).

    Args:
        supported: (sentence, evidence) for each sentence verification kept; the evidence is its
            supporting span with the two sentences before it.
        passages: the text of every retrieved passage.
        outlets: outlets the question names as sources ("according to CNN"): not names to look for.

    One sentence must do it all: hold every kind of answer asked for and, with its evidence, name
    whoever the question asks about. "$126bn in aid" does not answer "How much did the UK pledge?"
    because another sentence mentions the UK.
    """
    outlets = list(outlets)
    out = {"names": "", "kind": "", "speaker": ""}
    asked = expectations(question)
    span = frozenset().union(*(e.span for e in asked))
    absent = missing(question_names(question, span, outlets), passages)
    if absent:
        out["names"] = f"no retrieved passage mentions {_listing(absent)}"
    kinds = [e for e in asked if e.kind]
    speakers = speaker_names(question, span, outlets)
    kind_reason = speaker_reason = ""
    kind_met = False
    for sentence, evidence in supported:
        # "Which country led ...?" may be answered by "It led ...", the country named just before
        lacking = [e for e in kinds
                   if not meets(e, question, f"{evidence} {sentence}" if e.kind == COUNTRY else sentence)]
        if lacking:
            exp = lacking[0]
            kind_reason = f"the question asks {exp.phrase!r}, and no supported sentence gives {_WANTED[exp.kind]}"
            continue
        kind_met = True
        unsaid = missing(speakers, [sentence, evidence])
        if not unsaid:
            return out
        speaker_reason = f"the supported sentence that could answer it is not about {_listing(unsaid)}"
    out["kind"] = "" if kind_met or not supported else kind_reason
    out["speaker"] = speaker_reason if kind_met else ""
    return out


def _listing(names: Sequence[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)
