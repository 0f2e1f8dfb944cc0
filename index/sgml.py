"""Reuters-21578 SGML archives (``.sgm`` / ``.sgml``), read for ``index.archives``.

Each ``<REUTERS ...>`` element is a story: its ``<TITLE>``, its
``<DATE>`` (``26-FEB-1987 15:01:01.79`` -> published ``1987-02-26``, the day that filters use, and published_at
``1987-02-26T15:01:01``, the time that tells a re-filed story's versions apart: ``index.versions``), its
``<DATELINE>`` place, outlet "Reuters" and its ``<BODY>``, with ``&#n;`` control entities and the "Reuter"
sign-off removed and the ~70-column wire lines re-joined into paragraphs. A story without a body (a
headline-only brief, an unprocessed table) is skipped with a reason. A story that is not valid UTF-8 is
read as Latin-1 (``reut2-017.sgm`` holds one such byte), so one bad byte costs one story nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from index.loading import CONTROL, READ_BLOCK, Skip, human_size
from index.types import Entry

OPEN = re.compile(rb"<REUTERS(?=\W)")  # what follows must be there: a read may end at "<REUTERS"
_CLOSE = b"</REUTERS>"
_NEWID = re.compile(r'NEWID="(\d+)"')
_TEXT_TYPE = re.compile(r'<TEXT\s+TYPE="(\w+)"')
_SIGNOFF = re.compile(r"\s*\bReuters?\s*$")
_NO_BODY = {"BRIEF": "no body (a headline-only brief)", "UNPROC": "no body (unprocessed text, e.g. a table)"}


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


def parse(data: bytes) -> list[Story]:
    """Every story with a body in one SGML file's bytes."""
    import io

    out = []
    for block in _blocks(io.BytesIO(data), len(data) + 1):
        if isinstance(block, bytes) and isinstance(story := _story(block), Story):
            out.append(story)
    return out


def read(f: BinaryIO, archive: str, max_bytes: int, encoding: str | None,
         tick: Callable[[], object]) -> Iterator[Entry | Skip]:
    """Every story of ``f`` as an entry of ``archive``, or why not (``index.archives.read_archive``)."""
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
                m = OPEN.search(buf)
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
    return CONTROL.sub("", html.unescape(raw))


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

