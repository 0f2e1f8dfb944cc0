"""JSON Lines archives (``.jsonl``), read for ``index.archives``.

One object per line with ``text`` (required) and optional ``title``,
``published`` (a date, e.g. ``2025-02-12``, or a date and time, ``2025-02-12T09:30:00Z``, which also gives
published_at), ``source`` (the outlet) and ``url``; other keys are ignored.
Blank lines are ignored; a bad line (not JSON, not an object, no text, a wrong type) is skipped with a
reason naming its line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import BinaryIO

from index import metadata
from index.loading import CONTROL, READ_BLOCK, Skip, human_size
from index.types import Entry

GIVE_UP_LINES = 100  # a .jsonl whose first this many non-blank lines hold no article is not JSON Lines


def read(f: BinaryIO, archive: str, max_bytes: int, encoding: str | None,
         tick: Callable[[], object]) -> Iterator[Entry | Skip]:
    """Every line of ``f`` as an entry of ``archive``, or why not (``index.archives.read_archive``)."""
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
    return CONTROL.sub("", value.encode("utf-8", "replace").decode("utf-8"))


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", int: "a number",
             float: "a number"}
    return names.get(type(value), "null")

