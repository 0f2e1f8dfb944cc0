"""Find article files and read them as text, with a reason for every file that cannot be read.

Archives (a file of many articles: Reuters SGML, JSON Lines) are found here too, and read by ``index.archives``.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
ARCHIVE_SUFFIXES = {".sgm": "sgml", ".sgml": "sgml", ".jsonl": "jsonl"}  # one file, many articles
KNOWN = ".txt, .md, .html, .sgm (Reuters SGML) or .jsonl (JSON Lines)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
READ_BLOCK = 1 << 20  # bytes read at a time from an archive
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # control characters other than tab and newline


@dataclass(frozen=True)
class RawFile:
    """A file read as text: ``kind`` is text, markdown or html."""

    path: str
    kind: str
    text: str


@dataclass(frozen=True)
class Skip:
    path: str
    reason: str


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Skip]]:
    """Expand files and folders into article files and archives; anything unusable comes back as a Skip."""
    files: list[Path] = []
    skips: list[Skip] = []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            skips.append(Skip(str(given), "no such file or folder"))
        elif path.is_dir():
            found, unsupported = _walk(path)
            files.extend(found)
            if not found:
                why = "no readable articles (.txt, .md, .html, .sgm, .jsonl) in this folder"
                if unsupported:
                    why += f"; {unsupported} other file(s) ignored"
                skips.append(Skip(str(path), why))
        elif path.suffix.lower() not in SUFFIXES and path.suffix.lower() not in ARCHIVE_SUFFIXES:
            skips.append(Skip(str(path), f"unsupported file type {path.suffix or '(none)'!r}: use {KNOWN}"))
        else:
            files.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, skips


def _walk(folder: Path) -> tuple[list[Path], int]:
    found, unsupported = [], 0
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUFFIXES or Path(name).suffix.lower() in ARCHIVE_SUFFIXES:
                found.append(Path(root) / name)
            else:
                unsupported += 1
    return found, unsupported


def read(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None) -> RawFile | Skip:
    """Read one article file, or say why not.

    Args:
        path: the file.
        max_bytes: larger files are skipped (configurable: ``RAG_MAX_FILE_MB`` / ``--max-file-mb``).
        encoding: decode with this codec instead of requiring UTF-8 (e.g. ``latin-1``).
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skip(str(path), f"file is {human_size(size)}, over the {human_size(max_bytes)} limit "
                                   "(raise it with --max-file-mb or RAG_MAX_FILE_MB)")
        if size == 0:
            return Skip(str(path), "empty file")
        data = path.read_bytes()
    except OSError as exc:
        return Skip(str(path), f"cannot read file: {exc.strerror or exc}")
    if looks_binary(data):
        return Skip(str(path), "binary file, not text")
    try:
        text = _decode(data, encoding)
    except UnicodeDecodeError:
        guess = "latin-1/cp1252" if _decodes_as_cp1252(data) else "an unknown encoding"
        return Skip(str(path), f"not UTF-8 text (looks like {guess}); convert it to UTF-8 "
                               "or ingest it with --encoding latin-1")
    except LookupError:
        return Skip(str(path), f"unknown encoding {encoding!r}")
    if not text.strip():
        return Skip(str(path), "file holds only whitespace")
    return RawFile(str(path), SUFFIXES[path.suffix.lower()], text)


def human_size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) * 0.05


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        return data.decode(encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.decode("utf-8")


def _decodes_as_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True
