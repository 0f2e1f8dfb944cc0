"""Checkable facts in a parsed sentence: numbers, dates and named things, normalised for comparison.

"$126bn", "126 billion dollars" and "more than 126 billion" all give the number 126e9; "Feb. 12" and
"12 February" both give the month 2 and the number 12; "U.S.", "United States" and "American" all give
the name key "us". Works on spaCy ``Doc``/``Span`` objects from ``rag.judges.nlp``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "twice": 2,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
    "mln": 1e6, "bln": 1e9,  # wire style ("5.93 mln bags"): without them "5.93 million" did not match "5.93 mln"
}
_NUM = re.compile(r"^[$€£]?(\d+(?:[.,]\d+)*)(st|nd|rd|th|bn|b|m|mn|k|tn|trn|%)?$", re.I)
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun",
}
_RELATIVE_DAYS = {"today", "yesterday", "tomorrow", "tonight"}

# Names that mean the same place or body. Keys are lower-case surface forms; values are the canonical key.
ALIASES = {
    "u.s.": "us", "u.s": "us", "usa": "us", "united states": "us", "america": "us", "american": "us",
    "americans": "us", "the united states": "us", "united states of america": "us", "washington": "us",
    "uk": "uk", "u.k.": "uk", "britain": "uk", "british": "uk", "united kingdom": "uk", "great britain": "uk",
    "ukrainian": "ukraine", "ukrainians": "ukraine", "kyiv": "ukraine", "kiev": "ukraine",
    "russian": "russia", "russians": "russia", "moscow": "russia", "kremlin": "russia",
    "european": "europe", "europeans": "europe", "german": "germany", "germans": "germany", "berlin": "germany",
    "french": "france", "paris": "france", "polish": "poland", "poles": "poland", "warsaw": "poland",
    "chinese": "china", "beijing": "china", "dutch": "netherlands", "the netherlands": "netherlands",
    "belgian": "belgium", "italian": "italy", "spanish": "spain", "swedish": "sweden", "finnish": "finland",
    "danish": "denmark", "norwegian": "norway", "turkish": "turkey", "hungarian": "hungary", "czech": "czechia",
    "the european union": "eu", "european union": "eu",
    "north atlantic treaty organization": "nato", "north atlantic treaty organisation": "nato",
    "the pentagon": "pentagon", "department of defense": "pentagon", "defense department": "pentagon",
    "u.n.": "un", "united nations": "un", "the un": "un",
}
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
_SPELLING = {"defence": "defense", "organisation": "organization", "programme": "program", "centre": "center",
             "labour": "labor", "favour": "favor", "signalled": "signaled"}


def norm_word(word: str) -> str:
    """Lower case, diacritics folded ("Sprūds" = "Spruds"), British spellings folded to American, possessive and
    dots removed."""
    w = _fold(word.lower().replace("’", "'"))
    w = re.sub(r"'s$", "", w).strip(".'\"“”‘’")
    return _SPELLING.get(w, w)


_LINKING = {"of", "the", "and", "for", "de", "la", "du", "&"}


def name_key(text: str) -> str:
    """The comparison key for a name: ``name_key("the U.S.") == name_key("United States") == "us"``."""
    t = " ".join(norm_word(w) for w in text.replace("’", "'").split())
    t = re.sub(r"^the ", "", t).strip()
    return ALIASES.get(t, ALIASES.get(f"the {t}", t.replace(".", "")))


def numbers(tokens: Iterable[Any]) -> set[float]:
    """The numbers written in a run of spaCy tokens (digits, number words, ordinals, scales such as "bn")."""
    toks = [t for t in tokens if not t.is_space]
    found: set[float] = set()
    i = 0
    while i < len(toks):
        value = _value(toks[i].text)
        if value == 2 and toks[i].lower_ == "two" and i and toks[i - 1].lower_ in ("the", "these", "those"):
            value = None  # "the two men": a reference, not a count
        if value is None:
            i += 1
            continue
        j = i + 1
        while j < len(toks):  # "126 billion", "two hundred thousand"
            nxt = toks[j].text.lower()
            if nxt in _SCALES and len(nxt) > 2:
                value *= _SCALES[nxt]
            elif (nxt in _UNITS or nxt in _ORDINALS) and value >= 20 and value % 10 == 0:  # "twenty-sixth"
                value += _UNITS.get(nxt, _ORDINALS.get(nxt, 0))
            elif nxt != "-":
                break
            j += 1
        found.add(round(value, 6))
        i = j
    return found


def _value(text: str) -> float | None:
    t = text.lower().strip()
    if "-" in t and t.rsplit("-", 1)[0].isalpha():  # "pre-2014", "mid-2022"
        t = t.rsplit("-", 1)[1]
    if t in _UNITS:
        return float(_UNITS[t])
    if t in _ORDINALS:
        return float(_ORDINALS[t])
    m = _NUM.match(t)
    if not m:
        return None
    digits, suffix = m.group(1), (m.group(2) or "").lower()
    if re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
        digits = digits.replace(",", "")
    try:
        value = float(digits.replace(",", "."))
    except ValueError:
        return None
    return value * _SCALES.get(suffix, 1)


def dates(tokens: Iterable[Any]) -> set[str]:
    """Month, weekday and relative-day words as keys: {"month:2", "day:wed", "rel:yesterday"}."""
    out = set()
    for t in tokens:
        w = t.text.lower().rstrip(".")
        if w in MONTHS and (w != "may" or t.pos_ == "PROPN"):
            out.add(f"month:{MONTHS[w]}")
        elif w in WEEKDAYS or w.rstrip("s") in WEEKDAYS:
            out.add(f"day:{WEEKDAYS[w.rstrip('s') if w not in WEEKDAYS else w]}")
        elif w in _RELATIVE_DAYS:
            out.add(f"rel:{w}")
    return out


def names(doc: Any) -> set[str]:
    """Name keys of the named things in ``doc``: entity spans plus proper nouns the tagger found alone."""
    keys = set()
    covered: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS:
            keys.add(name_key(ent.text))
            covered.update(range(ent.start, ent.end))
    for t in doc:
        word = norm_word(t.text)
        if (t.pos_ == "PROPN" and t.i not in covered and t.text[:1].isupper() and word not in MONTHS
                and word not in WEEKDAYS):
            keys.add(name_key(t.text))
    keys.discard("")
    return keys


def _fold(text: str) -> str:
    """``text`` without combining marks: "ū" -> "u", "é" -> "e" (ASCII text is returned as it is)."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def initials(key: str) -> str:
    """The acronym of a multi-word name key: "ukraine defense contact group" -> "udcg" ("" for one word)."""
    parts = [p for p in key.split() if p not in _LINKING]
    return "".join(p[0] for p in parts) if len(parts) > 1 else ""


def name_found(key: str, text_keys: set[str], text_words: set[str]) -> bool:
    """Whether the name ``key`` occurs in a text with these name keys and (normalised) words.

    A multi-word name is found when its last word is ("Pete Hegseth" in "... Hegseth said"), when all its words
    are ("Ukraine Defense Contact Group"), or when its acronym is ("UDCG"); an acronym is found when a name with
    those initials is.
    """
    if key in text_keys or key in text_words:
        return True
    acronym = initials(key)
    if acronym and len(acronym) >= 2 and (acronym in text_keys or acronym in text_words):
        return True
    if " " not in key and 2 <= len(key) <= 6 and any(initials(k) == key for k in text_keys):
        return True
    parts = key.split()
    if len(parts) > 1 and (parts[-1] in text_words or parts[-1] in text_keys):
        return True
    if bool(parts) and all(p in text_words or ALIASES.get(p, p) in text_keys for p in parts):
        return True
    return len(parts) == 1 and any(_same_stem(key, w) for w in text_words | text_keys)


def same_name(a: str, b: str) -> bool:
    """Whether two name keys can mean the same: equal, same last word ("trump"/"donald trump"), or same stem."""
    if a == b or a.split()[-1:] == b.split()[-1:]:
        return True
    return _same_stem(a, b) or (" " in b and a in b.split()) or (" " in a and b in a.split())


def _same_stem(a: str, b: str) -> bool:
    """"Latvia"/"Latvian", "Congress"/"congressionally", "Gen"/"General": one is a stem of the other."""
    short, long = sorted((a, b), key=len)
    if len(short) < 3 or not long.startswith(short[: max(3, int(len(short) * 0.8))]):
        return False
    return long.startswith(short) or len(short) >= 5
