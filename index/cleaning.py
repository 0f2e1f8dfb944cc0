"""Strip web-page debris (ads, teasers, comment widgets, share bars) from article text.

HTML goes through trafilatura first (a library made for main-text extraction); then every kind
goes through the same line rules below. The rules are deliberately conservative: a line is
dropped only when it matches a known debris shape, and a *tail marker* ("Similar News:",
"Source link", "Post a Comment", ...) cuts what follows only when it sits in the last part
of the text, where such widgets live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Whole lines that are never article text.
_DEBRIS = [
    r"read more\s*[»>›]*",
    r"(kommentare|comments?)\s*\(\d+\)",
    r"\d+\s+comments?",
    r"no comments:?",
    r"post a comment",
    r"leave a (comment|reply)",
    r"source link",
    r"advertisement",
    r"sponsored( content)?",
    r"share (this|on)( article| story)?:?.*",
    r"(sign up|subscribe)( now)?( to| for)? .*newsletter.*",
    r"click here .*",
    r".* is the best solution for .*",
    r"sell anywhere with .*",
    r"(shop|buy) now.*",
    r".+ latest news, .+ headlines",
    r"related (sources|articles|stories|news|posts):?",
    r"similar news:.*",
    r"you (may|might) also like:?",
]
# Lines after which the rest of the page is widgets, if they sit in the last part of the text.
_TAIL = [
    r"similar news:.*",
    r"related (sources|articles|stories|news|posts):?",
    r"you (may|might) also like:?",
    r"source link",
    r"no comments:?",
    r"post a comment",
    r"(kommentare|comments?)\s*\(\d+\)",
    r"leave a (comment|reply)",
]
_DEBRIS_RE = re.compile("|".join(f"(?:{p})" for p in _DEBRIS), re.IGNORECASE)
_TAIL_RE = re.compile("|".join(f"(?:{p})" for p in _TAIL), re.IGNORECASE)
_TEASER_END_RE = re.compile(r"read more\s*[»>›]*", re.IGNORECASE)
TAIL_ZONE = 0.3  # a tail marker in the first 30% of the text only drops its own line
_MAX_REPEAT_LINE = 300  # a repeated line up to this length is a repeated title/label: dropped


@dataclass(frozen=True)
class Extracted:
    """Main text pulled out of an HTML page, with what the page says about itself."""

    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None
    url: str | None = None


def extract_html(html: str) -> Extracted:
    """Main text and metadata of an HTML page (trafilatura), comments and navigation left out."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True, favor_precision=True
    )
    if doc is None:
        return Extracted(text="")
    get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
    return Extracted(
        text=get("text") or "",
        title=get("title") or None,
        source=get("sitename") or None,
        published=get("date") or None,
        url=get("url") or None,
    )


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def markdown_to_text(md: str) -> str:
    """Plain text from Markdown: links keep their words, images and heading marks go."""
    text = _MD_IMAGE.sub("", md)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def clean_text(text: str) -> str:
    """Return the article text without debris lines, teasers, repeated labels or widget tails."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line.replace("\u00a0", " ").replace("\t", " ") for line in lines]
    lines = _cut_tail(lines)
    lines = _drop_teasers(lines)
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        stripped = line.strip()
        key = " ".join(stripped.lower().split())
        if stripped and _DEBRIS_RE.fullmatch(stripped):
            continue
        if key and len(key) <= _MAX_REPEAT_LINE and key in seen:
            continue
        if key:
            seen.add(key)
        kept.append(stripped)
    kept = _trim_trailing_labels(kept)
    out = "\n".join(kept)
    out = re.sub(r"\n{3,}", "\n\n", out)
    out = re.sub(r" {2,}", " ", out)
    return out.strip()


def _cut_tail(lines: list[str]) -> list[str]:
    total = sum(len(line) + 1 for line in lines) or 1
    seen = 0
    for i, line in enumerate(lines):
        if seen / total >= TAIL_ZONE and _TAIL_RE.fullmatch(line.strip()):
            return lines[:i]
        seen += len(line) + 1
    return lines


def _drop_teasers(lines: list[str]) -> list[str]:
    """A "Read more »" line takes the teaser line above it with it."""
    out = list(lines)
    for i in range(len(out) - 1, -1, -1):
        if _TEASER_END_RE.fullmatch(out[i].strip()):
            j = i - 1
            while j >= 0 and not out[j].strip():
                j -= 1
            if j >= 0:
                out[j] = ""
            out[i] = ""
    return out


_SENTENCE_END = (".", "!", "?", "\"", "\u201d", "'", "\u2019", ")")


def _trim_trailing_labels(lines: list[str]) -> list[str]:
    """Drop short label/tag lines (no sentence ending) left dangling at the end of the text."""
    out = list(lines)
    while out and (not out[-1] or (len(out[-1].split()) <= 12 and not out[-1].endswith(_SENTENCE_END))):
        out.pop()
    return out
