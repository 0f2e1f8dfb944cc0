"""What a question says about *where* and *when*: an outlet it names, a date it names.

"What did Al Jazeera report on 12 February?" names an outlet the index knows ("Al Jazeera")
and a day. The rules, documented in the README:
  * An outlet named in the question that matches a known source (written with its capitals;
    see ``names_outlet``) narrows the search to that outlet, unless the caller passed a ``source`` filter.
    If nothing from that outlet matches, the search runs without it.
  * A date named in the question ("12 February", "Feb. 12, 2025", "2025-02-12") favours
    articles published that day or the day after (news of day D is often published on D+1),
    and passages that mention the day. It is a boost, not a filter: a date in a question is as
    often the date of the event as the date of the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]
_MONTHS = {m.lower(): i for i, m in enumerate(_MONTH_NAMES, 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})\.?(?:,?\s+(\d{{4}}))?\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class DayMention:
    """A day named in a question; ``year`` is None when the question leaves it out."""

    month: int
    day: int
    year: int | None = None

    def matches(self, iso: str | None, *, days_after: int = 1) -> bool:
        """True when an ISO publication date is this day or up to ``days_after`` days later."""
        if not iso:
            return False
        try:
            published = date.fromisoformat(iso[:10])
        except ValueError:
            return False
        for back in range(days_after + 1):
            d = published - timedelta(days=back)
            if d.month == self.month and d.day == self.day and (self.year is None or d.year == self.year):
                return True
        return False

    def mentioned_in(self, text: str) -> bool:
        return any(m == self for m in days_in(text))


@dataclass(frozen=True)
class QueryHints:
    """What ``understand`` read from a question."""

    sources: tuple[str, ...] = ()
    days: tuple[DayMention, ...] = ()
    notes: tuple[str, ...] = field(default=())


def days_in(text: str) -> list[DayMention]:
    """Every day named in ``text`` ("12 February", "Feb 12, 2025", "2025-02-12"), in order, without repeats."""
    found: list[tuple[int, DayMention]] = []
    for m in _DAY_MONTH.finditer(text):
        found.append((m.start(), _mention(m.group(2), m.group(1), m.group(3))))
    for m in _MONTH_DAY.finditer(text):
        found.append((m.start(), _mention(m.group(1), m.group(2), m.group(3))))
    for m in _ISO.finditer(text):
        found.append((m.start(), _mention(None, m.group(3), m.group(1), month_number=int(m.group(2)))))
    out: list[DayMention] = []
    for _, mention in sorted(found, key=lambda p: p[0]):
        if mention.day and mention not in out:
            out.append(mention)
    return out


def _mention(month: str | None, day: str, year: str | None, *, month_number: int = 0) -> DayMention:
    number = month_number or _MONTHS.get((month or "").lower().rstrip("."), 0)
    d = int(day)
    try:
        valid = bool(date(2024, number, d))  # a leap year, so 29 February is a day
    except ValueError:
        valid = False
    return DayMention(number if valid else 0, d if valid else 0, int(year) if year else None)


def _words(text: str) -> str:
    """Words as written (case kept), single-spaced and padded: "al-Jazeera's" -> " al Jazeera s "."""
    return " " + " ".join(re.findall(r"[^\W_]+", text)) + " "


def names_outlet(question: str, source: str) -> bool:
    """Whether ``question`` names the outlet ``source``.

    Outlet names are proper nouns, so they must appear with their capitals ("Al Jazeera", "Time";
    not "what time ..."). An acronym of three or more capitals ("CNN", "BBC") may be written in
    any case. Names of one or two letters ("US", "AP") are too ambiguous to act on.
    """
    name = _words(source)
    letters = name.replace(" ", "")
    if len(letters) <= 2:
        return False
    if letters.isupper() and letters.isalpha():
        return name.lower() in _words(question).lower()
    return name in _words(question)


def understand(question: str, known_sources: Iterable[str]) -> QueryHints:
    """The outlets (among ``known_sources``) and days a question names."""
    sources = tuple(s for s in known_sources if names_outlet(question, s))
    days = tuple(days_in(question))
    notes = []
    if sources:
        notes.append(f"narrowed to {', '.join(sources)} (named in the question)")
    if days:
        notes.append("favouring articles from " + ", ".join(
            f"{d.day} {_MONTH_NAMES[d.month - 1]}" + (f" {d.year}" if d.year else "") for d in days))
    return QueryHints(sources=sources, days=days, notes=tuple(notes))
