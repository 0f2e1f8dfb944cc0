"""What a question says about *where* and *when*: an outlet it names, a day, a period, "latest".

"What did Al Jazeera report on 12 February?" names an outlet the index knows ("Al Jazeera")
and a day. The rules, documented in the README:
  * An outlet named in the question that matches a known source (written with its capitals;
    see ``names_outlet``) narrows the search to that outlet, unless the caller passed a ``source`` filter.
    If nothing from that outlet matches, the search runs without it.
  * A date named in the question ("12 February", "Feb. 12, 2025", "2025-02-12") favours
    articles published that day or the day after (news of day D is often published on D+1),
    and passages that mention the day. It is a boost, not a filter: a date in a question is as
    often the date of the event as the date of the report.
  * A period ("in March 1987", "since March 3", "last week") narrows the search to articles published
    in it, and "latest"/"recent" favours the newest: see ``index.periods`` for what is read and why one
    is a filter and the other a boost. A day named inside a period ("between 1 and 5 March") is not also
    boosted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from index.periods import MONTH_NAMES, MONTH_PATTERN, MONTHS, Period, read_dates

_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_PATTERN})\.?(?:,?\s+(\d{{4}}))?\b", re.I)
_MONTH_DAY = re.compile(rf"\b({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
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
    """What ``understand`` read from a question, and (``Searcher.hints``) what search makes of it.

    ``period`` is the publication dates search keeps to; ``unmatched`` a period the question named in which
    no article was published (within the caller's filters), which search therefore left out; ``reference``
    the date relative and yearless expressions were read against (``newest``: the index's newest article).
    """

    sources: tuple[str, ...] = ()
    days: tuple[DayMention, ...] = ()
    period: Period | None = None
    recent: bool = False
    reference: date | None = None
    newest: date | None = None
    unmatched: Period | None = None
    undated_kept: bool = False  # the period keeps articles whose date is unknown (see index.periods)

    @property
    def notes(self) -> tuple[str, ...]:
        """One line per hint that shapes the search, for showing to the user."""
        notes = []
        if self.sources:
            notes.append(f"narrowed to {', '.join(self.sources)} (named in the question)")
        if self.period:
            said = [f'"{self.period.phrase}"'] + ([self._against()] if self.period.relative else []) \
                + (["undated articles kept"] if self.undated_kept else [])
            notes.append(f"dates: published {self.period.describe()} ({'; '.join(said)})")
        if self.unmatched:
            notes.append(f'no article published {self.unmatched.describe()} ("{self.unmatched.phrase}"), '
                         "so those dates were not used")
        if self.recent:
            newest = f" (newest in the index: {self.newest})" if self.newest else ""
            notes.append(f"favouring the newest articles{newest}")
        if self.days:
            notes.append("favouring articles from " + ", ".join(
                f"{d.day} {MONTH_NAMES[d.month - 1]}" + (f" {d.year}" if d.year else "") for d in self.days))
        return tuple(notes)

    def _against(self) -> str:
        if self.reference == self.newest:
            return f"newest in the index: {self.newest}"
        return f"reference date: {self.reference}"


def days_in(text: str) -> list[DayMention]:
    """Every day named in ``text`` ("12 February", "Feb 12, 2025", "2025-02-12"), in order, without repeats."""
    return [d for _, d in _days_at(text)]


def _days_at(text: str) -> list[tuple[int, DayMention]]:
    """``days_in`` with where each day starts."""
    found: list[tuple[int, DayMention]] = []
    for m in _DAY_MONTH.finditer(text):
        found.append((m.start(), _mention(m.group(2), m.group(1), m.group(3))))
    for m in _MONTH_DAY.finditer(text):
        found.append((m.start(), _mention(m.group(1), m.group(2), m.group(3))))
    for m in _ISO.finditer(text):
        found.append((m.start(), _mention(None, m.group(3), m.group(1), month_number=int(m.group(2)))))
    out: list[tuple[int, DayMention]] = []
    for start, mention in sorted(found, key=lambda p: p[0]):
        if mention.day and mention not in [d for _, d in out]:
            out.append((start, mention))
    return out


def _mention(month: str | None, day: str, year: str | None, *, month_number: int = 0) -> DayMention:
    number = month_number or MONTHS.get((month or "").lower().rstrip("."), 0)
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


def understand(question: str, known_sources: Iterable[str], *, reference: date | None = None,
               newest: date | None = None) -> QueryHints:
    """The outlets (among ``known_sources``), days, period and recency a question names.

    Args:
        question: the question as asked.
        known_sources: the outlets the index knows.
        reference: the date "last week", "in March" and the like are read against (default ``newest``);
            without either, only dates with a year are read.
        newest: the newest publication date in the index (named in the notes).
    """
    reference = reference or newest
    sources = tuple(s for s in known_sources if names_outlet(question, s))
    dates = read_dates(question, reference)
    days = tuple(d for start, d in _days_at(question) if not any(a <= start < b for a, b in dates.spans))
    return QueryHints(sources=sources, days=days, period=dates.period, recent=dates.recent, reference=reference,
                      newest=newest)
