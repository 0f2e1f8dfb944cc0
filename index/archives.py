"""Archives: one file holding many articles. The one place they are read.

Two kinds, by suffix:

- ``.sgm`` / ``.sgml``: Reuters-21578 SGML. Each ``<REUTERS ...>`` element is a story: its ``<TITLE>``, its
  ``<DATE>`` (``26-FEB-1987 15:01:01.79`` -> published ``1987-02-26``, the day that filters use, and published_at
  ``1987-02-26T15:01:01``, the time that tells a re-filed story's versions apart: ``index.versions``), its
  ``<DATELINE>`` place, outlet "Reuters" and its ``<BODY>``, with ``&#n;`` control entities and the "Reuter"
  sign-off removed and the ~70-column wire lines re-joined into paragraphs. A story without a body (a
  headline-only brief, an unprocessed table) is skipped with a reason. A story that is not valid UTF-8 is
  read as Latin-1 (``reut2-017.sgm`` holds one such byte), so one bad byte costs one story nothing.
- ``.jsonl``: JSON Lines, one object per line with ``text`` (required) and optional ``title``,
  ``published`` (a date, e.g. ``2025-02-12``, or a date and time, ``2025-02-12T09:30:00Z``, which also gives
  published_at), ``source`` (the outlet) and ``url``; other keys are ignored.
  Blank lines are ignored; a bad line (not JSON, not an object, no text, a wrong type) is skipped with a
  reason naming its line.

Each story or line becomes one article, named in the index by a *virtual path*, ``<archive path>#<key>``:

    <archive>#NEWID=<n>   an SGML story, by its NEWID (the corpus's own id)
    <archive>#url=<url>   a JSONL line with a ``url`` no earlier line of the file has
    <archive>#line=<n>    any other JSONL line, by its line number (1-based)

so an article keeps its name while others are edited, added or removed around it (by line number only when
it has no url: a line inserted above renumbers those; their text is unchanged, so nothing is re-embedded).

Readers stream: memory is bounded by the largest story or line (``max_bytes``), not by the archive.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from index import metadata
from index.loading import ARCHIVE_SUFFIXES, Skip, human_size, looks_binary

READ_BLOCK = 1 << 20
GIVE_UP_LINES = 100  # a .jsonl whose first this many non-blank lines hold no article is not JSON Lines
READER_VERSION = "archives-v2"  # part of an archive's recorded signature: a reader change re-reads archives
# (v2: publication times. Re-reading costs no embedding: a document's id does not cover its time, so an unchanged
# story is the same document, and the time is added to its manifest row: ``Index._compare``.)

_OPEN = re.compile(rb"<REUTERS(?=\W)")  # what follows must be there: a read may end at "<REUTERS"
_CLOSE = b"</REUTERS>"
_NEWID = re.compile(r'NEWID="(\d+)"')
_TEXT_TYPE = re.compile(r'<TEXT\s+TYPE="(\w+)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SIGNOFF = re.compile(r"\s*\bReuters?\s*$")
_NO_BODY = {"BRIEF": "no body (a headline-only brief)", "UNPROC": "no body (unprocessed text, e.g. a table)"}
_MEMBER_KEY = re.compile(r"(?:NEWID|url|line|story)=")


@dataclass(frozen=True)
class Entry:
    """One article of an archive: ``key`` is its virtual path, ``text`` its raw text (cleaned like a
    plain-text file's), the rest what the archive states about it (None: read from the text, as for a file)."""

    key: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    published_at: str | None = None  # ISO date and time (``metadata.parse_datetime``), when the archive gives one


@dataclass(frozen=True)
class Story:
    """A Reuters-21578 story with a body.

    Example:
        >>> story = parse(Path("reut2-000.sgm").read_bytes())[0]
        >>> story.newid, story.date, story.title, story.dateline
        (1, '1987-02-26', 'BAHIA COCOA REVIEW', 'SALVADOR, Feb 26')
    """

    newid: int
    date: str  # YYYY-MM-DD
    title: str
    dateline: str
    body: str
    time: str = ""  # the <DATE> to the second, ISO (1987-02-26T15:01:01); "" when it has no time

    @property
    def stem(self) -> str:
        return f"reuters-{self.newid}"

    def _text(self) -> str:
        lead = f"{self.dateline} - " if self.dateline else ""
        return f"{self.title}\n\n{lead}{self.body}\n"

    def as_article(self) -> str:
        """The story as a plain-text article with front matter, as ``rag ingest`` reads it."""
        title = self.title.replace("\n", " ")
        return f"---\ntitle: {title}\nsource: Reuters\ndate: {self.date}\n---\n{self._text()}"

    def entry(self, archive: str) -> Entry:
        """The story as an archive entry of ``archive``: the same document as ``as_article``'s file (whose
        front matter gives the day only: the entry adds the time)."""
        return Entry(f"{archive}#NEWID={self.newid}", self._text(), self.title or None, "Reuters",
                     self.date or None, published_at=self.time or None)


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in ARCHIVE_SUFFIXES


def is_member(archive: str, path: str) -> bool:
    """Whether ``path`` is the virtual path of an entry of ``archive`` (see the module docstring)."""
    return path.startswith(archive + "#") and bool(_MEMBER_KEY.match(path, len(archive) + 1))


def read_archive(path: Path, *, max_bytes: int, encoding: str | None = None,
                 advance: Callable[[], object] | None = None) -> Iterator[Entry | Skip]:
    """Every entry of the archive at ``path``, in order, or why not.

    A Skip whose ``path`` is a virtual path names one story or line; a Skip for the archive's own path means
    the archive could not be read (to the end): a caller must not take what came before for all of it.

    Args:
        max_bytes: a story or line larger than this is skipped (the archive itself may be larger).
        encoding: decode with this codec (SGML: instead of UTF-8 with a Latin-1 fallback; JSONL: of UTF-8).
        advance: called once per story or line read (blank ones included), for a progress bar.
    """
    kind = ARCHIVE_SUFFIXES[path.suffix.lower()]
    tick = advance or (lambda: None)
    try:
        if path.stat().st_size == 0:
            yield Skip(str(path), "empty file")
            return
        with path.open("rb") as f:
            if looks_binary(f.read(8192)):
                yield Skip(str(path), "binary file, not text")
                return
            f.seek(0)
            if kind == "sgml":
                yield from _read_sgml(f, str(path), max_bytes, encoding, tick)
            else:
                yield from _read_jsonl(f, str(path), max_bytes, encoding, tick)
    except OSError as exc:
        yield Skip(str(path), f"cannot read file: {exc.strerror or exc}")
    except LookupError:
        yield Skip(str(path), f"unknown encoding {encoding!r}")


def keys(path: Path, *, max_bytes: int, encoding: str | None = None) -> set[str] | None:
    """The virtual paths the archive holds now (articles and skipped entries), or None if it cannot be read."""
    found: set[str] = set()
    for item in read_archive(path, max_bytes=max_bytes, encoding=encoding):
        if isinstance(item, Skip) and item.path == str(path):
            return None if item.reason.startswith(("cannot read", "unknown encoding")) else found
        found.add(item.key if isinstance(item, Entry) else item.path)
    return found


def count(path: Path) -> int:
    """How many stories (SGML) or lines (JSONL) the archive holds, quickly: the length of a progress bar."""
    kind = ARCHIVE_SUFFIXES[path.suffix.lower()]
    n, tail, last = 0, b"", b"\n"
    try:
        with path.open("rb") as f:
            while block := f.read(READ_BLOCK):
                if kind == "sgml":
                    data = tail + block
                    n += len(_OPEN.findall(data))
                    tail = data[-8:]  # "<REUTERS" cut at the block edge; 8 bytes never hold a whole match
                else:
                    n += block.count(b"\n")
                    last = block[-1:]
    except OSError:
        return 0
    return n + (kind == "jsonl" and last != b"\n")


# ---- Reuters-21578 SGML ----------------------------------------------------------------------------------


def parse(data: bytes) -> list[Story]:
    """Every story with a body in one SGML file's bytes."""
    import io

    out = []
    for block in _blocks(io.BytesIO(data), len(data) + 1):
        if isinstance(block, bytes) and isinstance(story := _story(block), Story):
            out.append(story)
    return out


def _read_sgml(f: BinaryIO, archive: str, max_bytes: int, encoding: str | None,
               tick: Callable[[], object]) -> Iterator[Entry | Skip]:
    seen: set[int] = set()
    n = 0
    for n, block in enumerate(_blocks(f, max_bytes), 1):
        tick()
        if isinstance(block, _Oversized):
            newid = _NEWID.search(_opening_tag(block.head).decode("latin-1"))
            yield Skip(f"{archive}#NEWID={newid[1]}" if newid else f"{archive}#story={n}", block.reason(max_bytes))
            continue
        story = _story(block, encoding)
        if isinstance(story, Story) and story.newid in seen:
            yield Skip(f"{archive}#story={n}", f"a second story with NEWID {story.newid}: only the first is read")
        elif isinstance(story, str):
            newid = _NEWID.search(_opening_tag(block).decode("latin-1"))
            yield Skip(f"{archive}#NEWID={newid[1]}" if newid else f"{archive}#story={n}", story)
        else:
            seen.add(story.newid)
            yield story.entry(archive)
    if n == 0:
        yield Skip(archive, "no <REUTERS> stories in this file: is it Reuters-21578 SGML?")


@dataclass(frozen=True)
class _Oversized:
    """A story too big to keep (or one that never ends): its first bytes and its size."""

    head: bytes
    size: int
    closed: bool

    def reason(self, max_bytes: int) -> str:
        if not self.closed:
            return "story never ends (no </REUTERS> before the end of the file)"
        return (f"story is {human_size(self.size)}, over the {human_size(max_bytes)} limit "
                "(raise it with --max-file-mb or RAG_MAX_FILE_MB)")


def _blocks(f: BinaryIO, limit: int) -> Iterator[bytes | _Oversized]:
    """Each ``<REUTERS ...>...</REUTERS>`` element of the stream, in order, holding at most about
    ``limit`` + one read of bytes: a longer element comes back as ``_Oversized``."""
    buf, head = b"", b""
    inside, look_from, dropped = False, 0, 0
    keep = len(_CLOSE) - 1  # a close tag may straddle two reads
    eof = False
    while not eof:
        data = f.read(READ_BLOCK)
        eof = not data
        buf += data
        while True:
            if not inside:
                m = _OPEN.search(buf)
                if m is None:
                    buf = buf[-8:]  # "<REUTERS" may straddle two reads
                    break
                buf, head, inside, look_from, dropped = buf[m.start():], b"", True, 8, 0
            end = buf.find(_CLOSE, look_from)
            if end < 0:
                if eof:
                    yield _Oversized(head or buf[:2048], dropped + len(buf), closed=False)
                    buf, inside = b"", False
                    break
                look_from = max(8, len(buf) - keep)
                if dropped + len(buf) > limit:  # too big to keep: remember its start, let the rest go
                    head = head or buf[:2048]
                    dropped += len(buf) - keep
                    buf, look_from = buf[-keep:], 0
                break
            end += len(_CLOSE)
            if dropped or end > limit:
                yield _Oversized(head or buf[:2048], dropped + end, closed=True)
            else:
                yield buf[:end]
            buf, inside = buf[end:], False


def _opening_tag(block: bytes) -> bytes:
    return block[:block.find(b">") + 1 or 2048]


def _decode(block: bytes, encoding: str | None) -> str:
    if encoding:
        return block.decode(encoding, errors="replace")
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("latin-1")


def _field(tag: str, text: str) -> str:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    return m.group(1) if m else ""


def _clean(raw: str) -> str:
    return _CONTROL.sub("", html.unescape(raw))


def _paragraphs(body: str) -> str:
    """Wire bodies wrap at ~70 columns and start paragraphs with an indent: re-join lines, keep paragraphs."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s{2,}|\n\s*\n", body)]
    text = "\n\n".join(p for p in paras if p)
    return _SIGNOFF.sub("", text).strip()


def _story(block: bytes, encoding: str | None = None) -> Story | str:
    """One ``<REUTERS>`` element as a Story, or why it is none."""
    text = _decode(block, encoding)
    newid = _NEWID.search(text[:text.find(">") + 1])
    if not newid:
        return "a story without a NEWID attribute"
    body = _paragraphs(_clean(_field("BODY", text)))
    if not body:
        kind = _TEXT_TYPE.search(text)
        return _NO_BODY.get(kind[1] if kind else "", "no body")
    day, when = _when(_clean(_field("DATE", text)).strip())
    dateline = " ".join(_clean(_field("DATELINE", text)).split()).rstrip(" -")
    title = " ".join(_clean(_field("TITLE", text)).split())
    return Story(int(newid.group(1)), day, title, dateline, body, when)


def _when(raw: str) -> tuple[str, str]:
    """``26-FEB-1987 15:01:01.79`` -> (``1987-02-26``, ``1987-02-26T15:01:01``); ("", "") when it is no date,
    (day, "") when the time is missing or malformed."""
    parts = raw.split()
    try:
        day = datetime.strptime(parts[0], "%d-%b-%Y")
    except (ValueError, IndexError):
        return "", ""
    try:
        clock = datetime.strptime(parts[1].split(".")[0], "%H:%M:%S").time()
    except (ValueError, IndexError):
        return day.date().isoformat(), ""
    return day.date().isoformat(), datetime.combine(day.date(), clock).isoformat()


# ---- JSON Lines ------------------------------------------------------------------------------------------


def _read_jsonl(f: BinaryIO, archive: str, max_bytes: int, encoding: str | None,
                tick: Callable[[], object]) -> Iterator[Entry | Skip]:
    urls: set[str] = set()
    held: list[Skip] = []  # bad lines before the first good one: a file of nothing else is reported once
    good = False
    for n, line in _lines(f, max_bytes):
        tick()
        key = f"{archive}#line={n}"
        if isinstance(line, int):
            got: Entry | str = (f"line {n} is {human_size(line)}, over the {human_size(max_bytes)} limit "
                                "(raise it with --max-file-mb or RAG_MAX_FILE_MB)")
        elif not line.strip():
            continue
        else:
            got = _entry(line, n, encoding)
        if isinstance(got, Entry):
            if got.url and got.url not in urls and len(got.url) <= metadata.MAX_URL:
                urls.add(got.url)
                got = replace(got, key=f"{archive}#url={got.url}")
            else:
                got = replace(got, key=key)
            good = True
            yield from held
            held.clear()
            yield got
        elif good:
            yield Skip(key, got)
        else:
            held.append(Skip(key, got))
            if len(held) >= GIVE_UP_LINES:
                break
    if not good and held:
        first = held[0].reason
        what = f"the first {len(held)} lines hold" if len(held) >= GIVE_UP_LINES else "no line holds"
        yield Skip(archive, f"not JSON Lines articles: {what} a JSON object with a \"text\" ({first})")
    elif not good:
        yield Skip(archive, "no articles: the file holds only blank lines")


def _lines(f: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | int]]:
    """(line number, the line) for each line; the line's size instead when it is over ``limit`` bytes."""
    n = 0
    while line := f.readline(limit + 1):
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while line and not line.endswith(b"\n"):  # read past the rest of it, a block at a time
                line = f.readline(READ_BLOCK)
                size += len(line)
            yield n, size
        else:
            yield n, line


def _entry(line: bytes, n: int, encoding: str | None) -> Entry | str:
    """One JSONL line as an Entry (keyed later), or why it is none."""
    try:
        raw = line.decode(encoding) if encoding else line.decode("utf-8-sig" if n == 1 else "utf-8")
    except UnicodeDecodeError:
        return f"line {n} is not UTF-8 text; convert the file to UTF-8 or ingest it with --encoding latin-1"
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; so is a 5,000-digit number
        why = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        return f"line {n} is not JSON ({why})"
    if not isinstance(obj, dict):
        return f"line {n} is not a JSON object but {_kind(obj)}: write one {{\"text\": ...}} object per line"
    fields: dict[str, str | None] = {}
    for name in ("text", "title", "published", "source", "url"):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return f"line {n}: \"{name}\" must be a string, not {_kind(value)}"
        fields[name] = _plain(value) if value is not None else None
    text = fields["text"]
    if not text or not text.strip():
        return f"line {n} has no text: give it a non-empty \"text\" string"
    title, source, url, when = (" ".join((fields[k] or "").split()) or None
                                for k in ("title", "source", "url", "published"))
    usable = when if when and len(when) <= metadata.MAX_DATE_TEXT else None
    published = metadata.parse_date(usable) if usable else None
    published_at = metadata.parse_datetime(usable) if usable and published else None
    return Entry("", text, title, source, published, url,
                 published_at if published_at and published_at[:10] == published else None)


def _plain(value: str) -> str:
    """The string without control characters or lone surrogates (JSON allows both; storage does not)."""
    return _CONTROL.sub("", value.encode("utf-8", "replace").decode("utf-8"))


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", int: "a number",
             float: "a number"}
    return names.get(type(value), "null")
