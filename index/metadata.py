"""Title, outlet, publication date and address from what a plain-text or Markdown article says about itself.

HTML pages get these from trafilatura (and its htmldate) in ``cleaning.extract_html``. Here: a YAML-style
front matter block is read by hand (``key: value`` lines, no YAML library); otherwise the text's own shapes
("Published On 12 Feb 2025", a "City / OUTLET / —" dateline, "Source: Outlet and news agencies", a
"URL: https://..." line) are found with regexes. ``parse_date`` tries a few ``strptime`` formats, then the
``dateparser`` library (absolute dates only: day, month and year required, nothing relative like
"yesterday"). ``parse_datetime`` keeps the time of day too, when one is written ("2025-02-12 09:30", ISO with an
offset): it tells a story's versions apart (``index.versions``). Nothing is ever fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = rf"{_DAY}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|(?:{_MONTHS})\.?\s+{_DAY},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
# A label at the start of a line, after a byline separator, or after "Last"/"First"/"Originally".
_LABELLED = re.compile(
    rf"(?:^|[|•·—–-]\s*|\b(?:last|first|originally)\s+)(published|posted|updated)(?:\s+on)?:?\s+{_WEEKDAY}({_DATE})",
    re.IGNORECASE,
)
_DATE_ANY = re.compile(rf"\b({_DATE})", re.IGNORECASE)
_AMBIGUOUS_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
_SOURCE_LINE = re.compile(r"^source:\s*(.+?)(?:\s+and\s+(?:news\s+)?agencies)?\.?$", re.IGNORECASE)
_DASH = {"—", "–", "-", "--"}
_URL = re.compile(r"<?(https?://[^\s<>]+)>?", re.IGNORECASE)
_URL_LABEL = re.compile(
    r"^(?:url|link|canonical(?:\s+url)?|source|originally\s+published\s+(?:at|on)|read\s+(?:it\s+)?online\s+at)"
    r"\s*:?\s*<?(https?://[^\s<>]+)>?\s*$",
    re.IGNORECASE,
)
_FM_KEY = re.compile(r"^([A-Za-z_][\w-]{0,40})\s*:(?:\s+(.*))?$")
_FM_ALIASES = {"outlet": "source", "publisher": "source", "date": "published", "canonical": "url", "link": "url"}
_FAST_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y-%m-%d", "%A %B %d %Y", "%A %d %B %Y")
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
    "PARSERS": ["custom-formats", "absolute-time"],  # no timestamps, no "yesterday"/"2 days ago"
}


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    source: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    published_at: str | None = None  # ISO date and time, when a time is written (``parse_datetime``)

    def fill(self, other: Meta) -> Meta:
        """This Meta, with its empty fields taken from ``other`` (so this one wins)."""
        return replace(self, **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})


def parse_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) from one date written the usual ways, else None (also for relative dates)."""
    text = text.strip()
    numeric = _AMBIGUOUS_NUMERIC.fullmatch(text)  # 12/02/2025: 12 Feb or Dec 2? unknowable
    if not text or numeric and numeric[1] != numeric[2] and max(int(numeric[1]), int(numeric[2])) <= 12:
        return None
    cleaned = " ".join(re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|[,.]", " ", text).split()).replace("Sept ", "Sep ")
    found: date | None = None
    for fmt in _FAST_FORMATS:
        try:
            found = datetime.strptime(cleaned, fmt).date()
            break
        except ValueError:
            continue
    if found is None:
        try:
            found = date.fromisoformat(text[:10])
        except ValueError:
            import dateparser  # slow to import: only when the quick formats fail

            parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
            found = parsed.date() if parsed else None
    if found is None or not 1900 <= found.year <= date.today().year + 1:
        return None
    return found.isoformat()


_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def parse_datetime(text: str) -> str | None:
    """ISO date and time (``2025-02-12T09:30:00``, with its offset when one is written: ``+00:00``) from a date
    written with a time of day; None when no time is written or the text is no date.

    Example:
        >>> parse_datetime("2025-02-12T09:30Z"), parse_datetime("12 February 2025 09:30"), parse_datetime("2025-02-12")
        ('2025-02-12T09:30:00+00:00', '2025-02-12T09:30:00', None)
    """
    text = text.strip()
    if not _CLOCK.search(text) or len(text) > MAX_DATE_TEXT:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        import dateparser

        found = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    if found is None or not 1900 <= found.year <= date.today().year + 1:
        return None
    return found.isoformat(timespec="seconds")


def split_front_matter(raw: str) -> tuple[Meta, str]:
    """Metadata from a ``---``-fenced ``key: value`` block at the very top, and the text after it.

    Without a well-formed block, returns ``(Meta(), raw)`` unchanged.
    """
    lines = raw.splitlines(keepends=True)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        return Meta(), raw
    values: dict[str, str] = {}
    seen_key = False
    for i in range(start + 1, min(len(lines), start + 60)):
        line = lines[i].rstrip("\r\n")
        if line.strip() in ("---", "..."):
            return (_front_matter_meta(values), "".join(lines[i + 1 :])) if seen_key else (Meta(), raw)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if seen_key and (line[0].isspace() or line.startswith("- ")):
            continue  # continuation or list item of an earlier key
        m = _FM_KEY.match(line)
        if not m:
            return Meta(), raw
        seen_key = True
        field = _FM_ALIASES.get(m.group(1).lower(), m.group(1).lower())
        value = (m.group(2) or "").strip()
        if field in ("title", "source", "published", "url") and value[:1] not in ("", "|", ">") and field not in values:
            values[field] = _unquote(value)
    return Meta(), raw


def from_text(raw: str, cleaned: str) -> Meta:
    """Best-effort metadata from the raw and cleaned text of a plain-text or Markdown article.

    A front matter block at the top of ``raw`` is honoured (its values win) even if the caller kept it.
    """
    front, body = split_front_matter(raw)
    if len(body) < len(raw):
        block = {" ".join(ln.split()) for ln in raw[: len(raw) - len(body)].splitlines()}
        kept = cleaned.splitlines()
        while kept and (not kept[0].strip() or " ".join(kept[0].split()) in block):
            kept.pop(0)
        cleaned = "\n".join(kept)
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    inferred = Meta(title=_title(cleaned), source=_source(lines), published=_published(lines), url=_url(lines))
    return front.fill(inferred)


def _front_matter_meta(values: dict[str, str]) -> Meta:
    source, url = values.get("source"), values.get("url")
    if source and _URL.fullmatch(source):  # "source: https://..." is an address, not an outlet
        source, url = None, url or source
    value = values.get("published") or ""
    published = parse_date(value) if 0 < len(value) <= MAX_DATE_TEXT else None
    at = parse_datetime(value) if published else None
    return Meta(title=values.get("title") or None, source=source or None, published=published, url=_clean_url(url),
                published_at=at if at and at[:10] == published else None)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value


def _published(lines: list[str]) -> str | None:
    found = (m for line in lines for m in _LABELLED.finditer(line))
    labelled = [(m[1].lower() == "updated", iso) for m in found if (iso := parse_date(m[2]))]
    if labelled:  # the first Published/Posted date, else the first Updated one (min keeps the first of equals)
        return min(labelled, key=lambda pair: pair[0])[1]
    for line in lines[:12]:
        m = _DATE_ANY.search(line)
        if m and len(line) < 60 and (iso := parse_date(m.group(1))):
            return iso
    return None


def _source(lines: list[str]) -> str | None:
    for line in reversed(lines[-15:]):
        m = _SOURCE_LINE.match(line)
        if m and len(m.group(1).split()) <= 5 and not _URL.search(m.group(1)):
            return m.group(1).strip()
    head = lines[:12]
    for i in range(len(head) - 2):
        city, outlet, dash = head[i], head[i + 1], head[i + 2]
        if dash in _DASH and len(city.split()) <= 3 and 0 < len(outlet.split()) <= 4:
            return outlet
    return None


def _url(lines: list[str]) -> str | None:
    zone = lines[:10] + lines[10:][-15:]
    for line in zone:
        if (m := _URL_LABEL.match(line)) and (url := _clean_url(m.group(1))):
            return url
    for line in zone:
        if (m := _URL.fullmatch(line)) and (url := _clean_url(m.group(1))) and re.search(r"//[^/]+/.", url):
            return url  # a bare address with a path: the article's own page, not a home page
    return None


MAX_URL = 2048  # longer "addresses" are not one; also bounds the trimming loop below
MAX_DATE_TEXT = 100  # dateparser's time grows with its input: a date is never longer than this


def _clean_url(url: str | None) -> str | None:
    url = (url or "").strip().strip("<>")
    if len(url) > MAX_URL:
        return None
    while url and (url[-1] in ".,;:!?'\"]}>" or url[-1] == ")" and url.count(")") > url.count("(")):
        url = url[:-1]
    return url if re.match(r"https?://[^/\s.]+\.[^/\s]", url, re.IGNORECASE) else None


def _title(cleaned: str) -> str | None:
    for line in [ln.strip() for ln in cleaned.splitlines() if ln.strip()][:5]:
        words = line.split()
        if (_DATE_ANY.search(line) and len(words) <= 8) or _URL.search(line):
            continue
        if 3 <= len(words) <= 25 and not line.endswith((".", ":")):
            return line
        if len(words) > 25 or line.endswith("."):
            return None
    return None
