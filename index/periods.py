"""Time expressions in a question, read as publication dates: "in March 1987", "since March 3", "last week", "latest".

Two kinds, which search (``index.search``) uses differently:

* A **period** becomes a filter on ``published``: "in March 1987", "in March", "in 1987", "during ...",
  "between 1 and 5 March", "from March 2 to March 4", "since March 3", "after 15 October", "before April 1987",
  "today", "yesterday", "this week", "last week", "this month", "last month", "in the past 3 days". A question
  that draws a line round the dates it asks about is answered from articles inside the line; a boost would
  still let articles from outside crowd the few passages shown. A period in a question is sometimes the time
  of the event rather than of the report ("unemployment in January", reported in March; "will cut its rates
  in April", announced in March), so search guards the filter three ways: articles with no known date are
  kept (nothing says they are outside); a period in which no article was published (within the caller's
  filters) is not used, and the note says so; the caller's ``since``/``until`` stay the truth (the
  question's period may narrow them, never widen them).
* **Recency** ("latest", "most recent", "newest", "recent", "recently", "lately") is a boost towards the
  newest candidates, not a filter: "the latest on cocoa" must still find cocoa, wherever its newest story is.

A single day ("on 26 February") is not a period: it stays the day boost of ``index.query``.

Relative expressions, and months or days written without a year, are read against a **reference date**:
the newest publication date in the index (``SearchConfig.reference_date`` overrides it), never the wall
clock, since archives are old (Reuters-21578 is 1987). "in March" is the latest March that began on or
before the reference; "before April" is the reference year's April; "last week" is the calendar week
(Monday to Sunday) before the reference's; a relative period ends at the reference at the latest.
Without a reference only expressions with a year are read. Not read (so never a filter): "this year" and
"last year" (in news questions mostly the year of the figures: "profits last year"), weekdays, "N days ago",
"this morning", "the week of 19 October"; see tests/unit/test_query_dates.py for the phrases tried.

Recognition here, reading by ``dateparser``. Its ``search_dates`` finds too much and too little for this
(checked in the venv, dateparser 1.5): "a march on Washington", "May said" and "1987 profits" come back as
dates, "between 1 and 5 March" as only "5 March"; it has no since/before/between and no "latest", and it
returns points, not periods. So a small grammar decides *whether* a phrase is a time expression (a month or
year counts only after "in", "during", "since", "before", "after", "between"/"from"; "March" and "May" only
with their capital; a year is four digits 1800-2099 and not "1986/87"), and ``DateDataParser`` reads the
phrase (``RELATIVE_BASE`` = the reference, ``PREFER_DATES_FROM`` past or future) and says whether it named a
day, week, month or year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
MONTHS = {m.lower(): i for i, m in enumerate(MONTH_NAMES, 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_ALSO_WORDS = {"march", "may", "mar"}  # a verb, a noun, a name: a month only when written with its capital

_MONTH = rf"\b(?:{MONTH_PATTERN})\b\.?"
_YEAR = r"(?:1[89]|20)\d\d\b(?![/\-\u2013]\d)"  # not the "1986/87" of a season or crop year
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
_MONTH_YEAR = rf"{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR})?"
_DATE = (rf"(?:\d{{4}}-\d\d-\d\d\b|{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"
         rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_MONTH_YEAR}|{_YEAR})")
_PART = r"(?:(?:early|mid|late)[\s-]+)?"  # "in late February": read as all of February (wider is safer)
_NUMBERS = {w: i for i, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                         "eleven", "twelve"), 1)}

_RANGE = re.compile(rf"\b(?:between|from)\s+(?P<a>{_DATE}|{_DAY})\s+(?:and|to|until|till|through)\s+"
                    rf"(?P<b>{_DATE}|{_DAY})", re.I)
_SINCE = re.compile(rf"\b(?P<word>since|after|before)\s+{_PART}(?P<a>{_DATE})", re.I)
_IN = re.compile(rf"\b(?:in|during|throughout)\s+(?:the\s+month\s+of\s+)?{_PART}"
                 rf"(?P<a>{_MONTH_YEAR}(?!\s+\d)|{_YEAR})", re.I)
_PAST = re.compile(rf"\b(?:in|over|during|for|within)\s+the\s+(?:past|last)\s+(?:(?P<n>\d{{1,3}}|"
                   rf"{'|'.join(_NUMBERS)})\s+)?(?P<unit>day|week|month)(?P<plural>s)?\b(?!\s+of\b)", re.I)
_THIS_LAST = re.compile(r"(?<!\bthe\s)\b(?:this|last)\s+(?:week|month)\b(?!\s+of\b)", re.I)
_DAY_WORD = re.compile(r"(?<![\w'])(?:today|yesterday)\b|^(?:Today|Yesterday)\b")  # not "USA Today"
_RECENT = re.compile(r"\b(?:latest|newest|most\s+recent(?:ly)?|recent(?:ly)?|lately)\b", re.I)
_PARTS = re.compile(rf"(?P<day>\b{_DAY})|(?P<month>{_MONTH})|(?P<year>{_YEAR})", re.I)


@dataclass(frozen=True)
class Period:
    """Publication dates a question asks about, inclusive; None is an open end. ``phrase`` is what it said."""

    since: date | None
    until: date | None
    phrase: str
    relative: bool = False  # read against the reference date ("last week", "in March")

    def describe(self) -> str:
        """ "1987-03-01 to 1987-03-31", "1987-03-03 or later", "1987-03-31 or earlier", "1987-10-19"."""
        if self.since and self.until:
            return str(self.since) if self.since == self.until else f"{self.since} to {self.until}"
        return f"{self.since} or later" if self.since else f"{self.until} or earlier"

    def contains(self, iso: str | None) -> bool:
        """Whether an ISO publication date falls in the period (an unknown date does not)."""
        try:
            day = date.fromisoformat((iso or "")[:10])
        except ValueError:
            return False
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class DateReading:
    """What ``read_dates`` found: the period (if any), whether the newest are asked for, and where in the
    question the period's words are (a day named inside them is not also boosted)."""

    period: Period | None = None
    recent: bool = False
    spans: tuple[tuple[int, int], ...] = ()


def read_dates(question: str, reference: date | None) -> DateReading:
    """The period and recency ``question`` names, reading relative and yearless dates against ``reference``.

    Example:
        >>> read_dates("What happened in March?", date(1987, 10, 20)).period
        Period(since=datetime.date(1987, 3, 1), until=datetime.date(1987, 3, 31), phrase='in March', relative=True)
    """
    found: list[tuple[tuple[int, int], date | None, date | None, bool]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < end and start < m.end() for (start, end), *_ in found)

    def take(m: re.Match[str], got: tuple[date | None, date | None, bool] | None) -> None:
        if got is not None:
            found.append(((m.start(), m.end()), *got))

    for m in _RANGE.finditer(question):
        if free(m):
            take(m, _range(m.group("a"), m.group("b"), reference))
    for m in _SINCE.finditer(question):
        word = m.group("word").lower()
        if free(m) and (got := _span(m.group("a"), reference, "current_period" if word == "before" else "past")):
            start, end, relative = got
            if word == "before":
                take(m, (None, start - timedelta(days=1), relative))
            else:
                take(m, (end + timedelta(days=1) if word == "after" else start, None, relative))
    for m in _IN.finditer(question):
        if free(m):
            take(m, _span(m.group("a"), reference, "past"))
    if reference is not None:
        for m in _PAST.finditer(question):
            if free(m) and (m.group("n") or not m.group("plural")):
                take(m, _past(m.group("n") or "1", m.group("unit"), reference))
        for pattern in (_THIS_LAST, _DAY_WORD):
            for m in pattern.finditer(question):
                if free(m):
                    take(m, _relative(m.group(0), reference))
    recent = any(not question[:m.start()].lower().rstrip().endswith("at the") for m in _RECENT.finditer(question))
    found.sort(key=lambda f: f[0])
    return DateReading(_combine(question, found), recent, tuple(span for span, *_ in found))


def _combine(question: str, found: list[tuple[tuple[int, int], date | None, date | None, bool]]) -> Period | None:
    """Closed periods join into the span that covers them ("in March or in April"); open bounds ("since",
    "before") then cut it. Bounds that contradict each other give no period."""
    if not found:
        return None
    closed = [(s, u) for _, s, u, _ in found if s and u]
    since = min(s for s, _ in closed) if closed else None
    until = max(u for _, u in closed) if closed else None
    for _, s, u, _ in found:
        if not (s and u):
            since = max(since, s) if since and s else since or s
            until = min(until, u) if until and u else until or u
    if since and until and since > until:
        return None
    phrase = '", "'.join(" ".join(question[a:b].split()) for (a, b), *_ in found)
    return Period(since, until, phrase, any(rel for *_, rel in found))


def _written_as_month(text: str) -> bool:
    """False when a month that is also a word ("march", "may") is written without its capital."""
    return all(w.group(0)[0].isupper() or w.group(0).lower().rstrip(".") not in _ALSO_WORDS
               for w in re.finditer(_MONTH, text, re.I))


def _parts(text: str) -> tuple[str | None, str | None, str | None]:
    """The day, month and year words of a date phrase."""
    got: dict[str, str] = {}
    for m in _PARTS.finditer(text):
        for key in ("day", "month", "year"):
            if m.group(key) and key not in got:
                got[key] = m.group(key)
    return got.get("day"), got.get("month"), got.get("year")


def _span(text: str, reference: date | None, prefer: str) -> tuple[date, date, bool] | None:
    """First and last day of what ``text`` names (a day, month or year), and whether it was read against
    ``reference`` (no year written); None when it is not a date or needs a reference there is none of."""
    if not _written_as_month(text):
        return None
    has_year = _is_iso(text) or _parts(text)[2] is not None
    if not has_year and reference is None:
        return None
    got = _parse(" ".join(text.split()), reference or date(2000, 1, 1), prefer)
    if got is None:
        return None
    day, unit = got
    first, last = _bounds(day, unit)
    return first, last, not has_year


def _range(a: str, b: str, reference: date | None) -> tuple[date, date, bool] | None:
    """ "between A and B": a bare day borrows the other end's month ("1 and 5 March"), a missing year the
    other end's; without years the start is the latest A not after the reference and the end the first B
    after the start."""
    _, a_month, a_year = _parts(a)
    _, b_month, b_year = _parts(b)
    a_bare, b_bare = not (a_month or a_year or _is_iso(a)), not (b_month or b_year or _is_iso(b))
    if a_bare:  # "between 1 and 5 March"; "between 1 and 5 percent" has no month to borrow
        if not b_month:
            return None
        a = f"{a} {b_month}"
    if b_bare:  # "between March 1 and 5"
        if not a_month:
            return None
        b = f"{a_month} {b}"
    if b_year and not a_year:  # the end is explicit: the start is the latest A not after it
        end = _span(b, reference, "past")
        start = _span(a, end[1], "past") if end else None
    else:
        start = _span(a, reference, "past")
        end = _span(b, start[0], "future") if start and not b_year else _span(b, reference, "past")
    if start is None or end is None or start[0] > end[1]:
        return None
    return start[0], end[1], start[2] or end[2]


def _is_iso(text: str) -> bool:
    return re.fullmatch(r"\d{4}-\d\d-\d\d", text) is not None


def _past(n: str, unit: str, reference: date) -> tuple[date, date, bool] | None:
    """ "in the past 3 days": from 3 days before the reference to the reference."""
    count = _NUMBERS.get(n.lower()) or int(n)
    got = _parse(f"{count} {unit}{'s' if count > 1 else ''} ago", reference, "past", snap=False)
    return (got[0], reference, True) if got else None


def _relative(text: str, reference: date) -> tuple[date, date, bool] | None:
    """ "today", "yesterday", "this week", "last month": the calendar day, week or month, up to the reference."""
    got = _parse(text.lower(), reference, "past")
    if got is None:
        return None
    first, last = _bounds(*got)
    return first, min(last, reference), True


def _bounds(day: date, unit: str) -> tuple[date, date]:
    if unit == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if unit == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


@lru_cache(maxsize=512)
def _parse(text: str, base: date, prefer: str, snap: bool = True) -> tuple[date, str] | None:
    """dateparser's reading of ``text`` against ``base``: the date and whether it named a day, week, month
    or year. ``snap`` puts a month without a day on its first day (``PREFER_DAY_OF_MONTH``)."""
    from dateparser.date import DateDataParser  # slow to import: only when a question names a date

    settings = {"RELATIVE_BASE": datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": prefer,
                "RETURN_AS_TIMEZONE_AWARE": False, **({"PREFER_DAY_OF_MONTH": "first"} if snap else {})}
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")
