"""Archives: one file holding many articles. The one place they are read.

Two kinds, by suffix:

- ``.sgm`` / ``.sgml``: Reuters-21578 SGML, each ``<REUTERS ...>`` element a story (``index.sgml``);
- ``.jsonl``: JSON Lines, one article per line (``index.jsonl``).

Each story or line becomes one article, named in the index by a *virtual path*, ``<archive path>#<key>``:

    <archive>#NEWID=<n>   an SGML story, by its NEWID (the corpus's own id)
    <archive>#url=<url>   a JSONL line with a ``url`` no earlier line of the file has
    <archive>#line=<n>    any other JSONL line, by its line number (1-based)

so an article keeps its name while others are edited, added or removed around it (by line number only when
it has no url: a line inserted above renumbers those; their text is unchanged, so nothing is re-embedded).

Readers stream: memory is bounded by the largest story or line (``max_bytes``), not by the archive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from index import jsonl, sgml
from index.loading import ARCHIVE_SUFFIXES, READ_BLOCK, Skip, looks_binary
from index.types import Entry

READER_VERSION = "archives-v2"  # part of an archive's recorded signature: a reader change re-reads archives
_MEMBER_KEY = re.compile(r"(?:NEWID|url|line|story)=")


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
                yield from sgml.read(f, str(path), max_bytes, encoding, tick)
            else:
                yield from jsonl.read(f, str(path), max_bytes, encoding, tick)
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
                    n += len(sgml.OPEN.findall(data))
                    tail = data[-8:]  # "<REUTERS" cut at the block edge; 8 bytes never hold a whole match
                else:
                    n += block.count(b"\n")
                    last = block[-1:]
    except OSError:
        return 0
    return n + (kind == "jsonl" and last != b"\n")

