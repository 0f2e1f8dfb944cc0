"""A distractor corpus for the retrieval benchmark, built offline from English prose already on this machine.

The text comes from three places that ship with the venv's Python, read as data (nothing is imported or run):

- ``pydoc_data.topics``: the Python language reference pages that ``help()`` shows;
- the module docstrings of the standard library's source files (read with ``tokenize``, not imported);
- the long descriptions in the ``METADATA`` of installed distributions (``importlib.metadata``), except this
  project's own.

Code blocks, tables, headings and reST/Markdown markup are stripped roughly; what remains is cut into passages
of about 80-200 words, de-duplicated, filtered (nothing about Ukraine, NATO, Russia, the Pentagon or Hegseth,
so the gold labels stay valid) and written as ``distractor_NNNN.txt`` "articles" of 5-10 passages, each with a
title on its first line. The output is deterministic for a given set of installed packages.

Usage: ``python -m eval.distractors OUT_DIR``.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
import sysconfig
import time
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORBIDDEN = re.compile(r"ukrain|nato|hegseth|russia|pentagon", re.IGNORECASE)
PREFIX = "distractor_"
MIN_WORDS, MAX_WORDS, FULL_WORDS = 80, 200, 120
PER_SOURCE, PER_FILE = 10, 5
_SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__", "lib2to3", "pydoc_data"}
_OWN_PACKAGES = {"news-rag"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_UNDERLINE = re.compile(r"^\s*([=\-~^*#+\"'`:.])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)(?:[*\-+•]|\d+[.)]|#\.)\s+")
_QUOTE = re.compile(r"^\s*>+ ?")  # Markdown block quotes
_CODE_LINE = re.compile(r"^\s*(>>>|\.\.\.?\s|\.\. |\$ |[|+{}]|#|<)")
_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # Markdown image
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # Markdown link
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # Markdown reference link
    (re.compile(r"`([^`<]+?)\s*<[^>]*>`_{1,2}"), r"\1"),  # reST link
    (re.compile(r":[\w:.+-]+:`([^`]+)`"), r"\1"),  # reST role
    (re.compile(r"<[^>\s][^>]*>"), ""),  # HTML tags, autolinks
    (re.compile(r"https?://\S+"), ""),  # bare URLs
    (re.compile(r"\|[\w -]+\|_{0,2}"), ""),  # reST substitutions (badges)
    (re.compile(r"(\*\*|\*|``|`)(\S(?:.*?\S)?)\1_{0,2}"), r"\2"),  # emphasis, literals
    (re.compile(r"(?<=\S)::(?=\s|$)"), ":"),  # reST literal-block marker
]
_WORDLIKE = re.compile(r"^[(\"'“‘]*[A-Za-z][A-Za-z'’-]*[)\"'”’.,;:!?]*$")
_LETTER, _UPPER = re.compile(r"[^\W\d_]"), re.compile(r"[A-Z]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_BOILERPLATE = re.compile(
    r"copyright|all rights reserved|licen[cs]e[ds]? under|warrant|related (issues|commits)", re.IGNORECASE
)


class DistractorError(RuntimeError):
    """Too little prose could be gathered for the requested corpus."""


@dataclass
class DistractorReport:
    out_dir: Path
    files: int
    passages: int
    words: int
    sources: dict[str, int] = field(default_factory=dict)  # kind of source -> source documents used
    seconds: float = 0.0

    def summary(self) -> str:
        used = ", ".join(f"{n} {kind}" for kind, n in self.sources.items())
        return (
            f"{self.files} files, {self.passages} passages, {self.words:,} words in {self.out_dir} "
            f"({self.seconds:.1f} s); sources: {used}"
        )


# ---- sources: (kind, name, title, raw text), in sorted order ------------------------------------------------


def _topics() -> Iterator[tuple[str, str, str]]:
    from pydoc_data.topics import topics

    for key in sorted(topics):
        heading = topics[key].strip().splitlines()[0]
        yield key, f"Python language reference: {heading}", topics[key]


def _module_docstrings() -> Iterator[tuple[str, str, str]]:
    root = Path(sysconfig.get_path("stdlib"))
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        found += [Path(folder, n) for n in names if n.endswith(".py")]
    for path in sorted(found):
        rel = path.relative_to(root)
        doc = _first_string(path)
        if doc:
            parts = rel.with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, f"The {name} module of the Python standard library", doc


def _first_string(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as fh:
            for tok in tokenize.generate_tokens(fh.readline):
                if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
                    continue
                value = ast.literal_eval(tok.string) if tok.type == tokenize.STRING else None
                return value if isinstance(value, str) else None
    except (OSError, SyntaxError, ValueError, tokenize.TokenError):
        return None
    return None


def _package_descriptions() -> Iterator[tuple[str, str, str]]:
    from importlib.metadata import distributions

    found: dict[str, str] = {}
    for dist in distributions():
        meta: Any = dist.metadata  # an email.message.Message
        name = (meta.get("Name") or "").strip()
        key = re.sub(r"[-_.]+", "-", name).lower()
        body = meta.get_payload() or meta.get("Description") or ""
        if name and key not in _OWN_PACKAGES and key not in found and isinstance(body, str):
            found[key] = body
    for key in sorted(found):
        yield key, f"About the {key} package", found[key]


SOURCES = {
    "language reference": _topics,
    "stdlib docstrings": _module_docstrings,
    "package descriptions": _package_descriptions,
}

# ---- prose extraction --------------------------------------------------------------------------------------


def _paragraphs(text: str) -> Iterator[str]:
    """Prose paragraphs of a reST/Markdown/plain text, markup stripped; code, tables and headings dropped."""
    block: list[str] = []
    fenced = False
    for line in [*text.expandtabs(4).splitlines(), ""]:
        if _FENCE.match(line):
            fenced, line = not fenced, ""
        if fenced:
            continue
        if line.strip():
            block.append(line)
            continue
        lines, block = block, []
        heads = {i - 1 for i, ln in enumerate(lines) if _UNDERLINE.match(ln)}
        lines = [ln for i, ln in enumerate(lines) if i not in heads and not _UNDERLINE.match(ln)]
        if not lines or any(_CODE_LINE.match(ln) for ln in lines):
            continue
        bullet = _BULLET.match(lines[0])
        if not bullet and len(lines[0]) - len(lines[0].lstrip()) >= 3:  # indented: code or a quoted block
            continue
        para = " ".join(_QUOTE.sub("", _BULLET.sub("", ln)).strip() for ln in lines)
        for pattern, repl in _INLINE:
            para = pattern.sub(repl, para)
        para = " ".join(para.split())
        if _is_prose(para) and (para.endswith((".", "!", "?", ":", ")")) or len(para.split()) > 15):
            yield para


def _is_prose(text: str) -> bool:
    tokens = text.split()
    chars = "".join(tokens)
    letters = len(_LETTER.findall(chars))
    if len(tokens) < 5 or not letters or _BOILERPLATE.search(text):
        return False
    return (
        sum(1 for t in tokens if _WORDLIKE.match(t)) >= 0.8 * len(tokens)
        and letters >= 0.8 * len(chars)
        and len(_UPPER.findall(chars)) <= 0.2 * letters
    )


def passages(text: str) -> list[str]:
    """The prose of ``text`` in passages of MIN_WORDS..MAX_WORDS words: a passage ends at the end of a paragraph
    once it has FULL_WORDS words, or at the end of a sentence before it would grow past MAX_WORDS."""
    out: list[str] = []
    buf: list[str] = []
    for para in _paragraphs(text):
        for sentence in _SENTENCE.split(para):
            if len(" ".join([*buf, sentence]).split()) > MAX_WORDS:
                out += [" ".join(buf)] if len(" ".join(buf).split()) >= MIN_WORDS else []
                buf = []
            buf += [sentence] if len(sentence.split()) <= MAX_WORDS else []
        if len(" ".join(buf).split()) >= FULL_WORDS:
            out, buf = [*out, " ".join(buf)], []
    out += [" ".join(buf)] if len(" ".join(buf).split()) >= MIN_WORDS else []
    return [p for p in out if _is_prose(p) and not FORBIDDEN.search(p)]


# ---- corpus ------------------------------------------------------------------------------------------------


def _files_of(kind: str, seen: set[str]) -> list[tuple[str, list[str], list[str]]]:
    """(title, passages, source names) per output file for one kind of source, in a stable spread order."""
    found = []
    for name, title, text in SOURCES[kind]():
        kept = []
        for p in passages(text):
            key = " ".join(p.lower().split())
            if key not in seen and not FORBIDDEN.search(title):
                seen.add(key)
                kept.append(p)
        if kept:
            found.append((hashlib.sha256(f"{kind}/{name}".encode()).hexdigest(), name, title, kept[:PER_SOURCE]))
    files: list[tuple[str, list[str], list[str]]] = []
    pending: list[tuple[str, list[str]]] = []
    for _, name, title, kept in sorted(found):
        if len(kept) >= PER_FILE:
            files.append((title, kept, [name]))
            continue
        pending.append((name, kept))
        if sum(len(k) for _, k in pending) >= PER_FILE:
            files.append(_merged(kind, pending))
            pending = []
    return [*files, _merged(kind, pending)] if pending else files


def _merged(kind: str, group: list[tuple[str, list[str]]]) -> tuple[str, list[str], list[str]]:
    names = [name for name, _ in group]
    return f"{kind.capitalize()}: {', '.join(names)}", [p for _, kept in group for p in kept], names


def build_distractors(out_dir: Path, *, min_passages: int = 600, target_passages: int = 720) -> DistractorReport:
    """Write about ``target_passages`` distractor passages to ``out_dir`` as ``distractor_NNNN.txt`` files.

    Files of an earlier build (``distractor_*.txt``) are replaced; nothing else in ``out_dir`` is touched.
    Raises ``DistractorError`` if fewer than ``min_passages`` passages could be gathered.
    """
    started = time.perf_counter()
    target = max(target_passages, min_passages)
    seen: set[str] = set()
    per_kind = [_files_of(kind, seen) for kind in SOURCES]
    chosen: list[tuple[str, list[str]]] = []
    used = dict.fromkeys(SOURCES, 0)
    total = 0
    for i in range(max(map(len, per_kind), default=0)):
        for kind, files in zip(SOURCES, per_kind, strict=True):
            if i < len(files) and total < target:
                title, texts, names = files[i]
                chosen.append((title, texts))
                used[kind] += len(names)
                total += len(texts)
    if total < min_passages:
        raise DistractorError(
            f"only {total} distractor passages could be gathered from the installed packages, "
            f"fewer than the {min_passages} asked for"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{PREFIX}*.txt"):
        old.unlink()
    for n, (title, texts) in enumerate(chosen, 1):
        body = "\n\n".join([title, *texts]) + "\n"
        (out_dir / f"{PREFIX}{n:04d}.txt").write_text(body, encoding="utf-8", newline="\n")
    words = sum(len(p.split()) for _, texts in chosen for p in texts)
    return DistractorReport(out_dir, len(chosen), total, words, used, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m eval.distractors OUT_DIR", file=sys.stderr)
        return 2
    try:
        print(build_distractors(Path(args[0])).summary())
    except DistractorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
