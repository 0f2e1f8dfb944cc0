"""Title, outlet and publication date from what an article's text says about itself.

HTML pages give these through trafilatura (see ``cleaning.extract_html``); plain text
falls back to the shapes news pages use: "Published On 12 Feb 2025", "Thursday, February 13,
2025", a "City / OUTLET / —" dateline, or a closing "Source: Outlet and news agencies".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_PUBLISHED = re.compile(
    rf"\b(?:published|posted|updated)(?:\s+on)?:?\s+(\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})",
    re.IGNORECASE,
)
_DATE_ANY = re.compile(
    rf"\b(\d{{1,2}}\s+(?:{_MONTHS})\.?\s+\d{{4}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^source:\s*(.+?)(?:\s+and\s+(?:news\s+)?agencies)?\.?$", re.IGNORECASE)
_DASH = {"—", "–", "-", "--"}


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    source: str | None = None
    published: str | None = None


def parse_date(text: str) -> str | None:
    """ISO date (YYYY-MM-DD) from a date written the usual ways, else None."""
    cleaned = re.sub(r"[,.]", " ", text).strip()
    cleaned = " ".join(cleaned.split())
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned.replace("Sept ", "Sep "), fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def from_text(raw: str, cleaned: str) -> Meta:
    """Best-effort metadata from the raw and cleaned text of a plain-text or Markdown article."""
    raw_lines = [line.strip() for line in raw.splitlines() if line.strip()]
    return Meta(title=_title(cleaned), source=_source(raw_lines), published=_published(raw_lines))


def _published(lines: list[str]) -> str | None:
    for line in lines:
        m = _PUBLISHED.search(line)
        if m and (iso := parse_date(m.group(1))):
            return iso
    for line in lines[:12]:
        m = _DATE_ANY.search(line)
        if m and len(line) < 60 and (iso := parse_date(m.group(1))):
            return iso
    return None


def _source(lines: list[str]) -> str | None:
    for line in reversed(lines[-15:]):
        m = _SOURCE_LINE.match(line)
        if m and len(m.group(1).split()) <= 5:
            return m.group(1).strip()
    head = lines[:12]
    for i in range(len(head) - 2):
        city, outlet, dash = head[i], head[i + 1], head[i + 2]
        if dash in _DASH and len(city.split()) <= 3 and 0 < len(outlet.split()) <= 4:
            return outlet
    return None


def _title(cleaned: str) -> str | None:
    for line in [ln.strip() for ln in cleaned.splitlines() if ln.strip()][:5]:
        words = line.split()
        if _DATE_ANY.search(line) and len(words) <= 8:
            continue
        if 3 <= len(words) <= 25 and not line.endswith((".", ":")):
            return line
        if len(words) > 25 or line.endswith("."):
            return None
    return None
