"""Files uploaded through the app: copied into ``<data dir>/uploads/`` under safe names, then ingested.

A browser sends any name it likes ("../../.bashrc", "CON", "a\\x00b.html", 300 characters of emoji):
only the base name's letters, digits, dots, dashes and underscores are kept, the name is capped, the
extension must be one the loaders read, and an existing different file is never overwritten (a short
content hash is added instead). The stored path is always inside the uploads folder.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePath

ALLOWED = (".txt", ".md", ".markdown", ".html", ".htm", ".sgm", ".sgml", ".jsonl")  # archives: one file, many stories
MAX_NAME = 80


@dataclass
class Stored:
    """What ``store`` did: the files now in the uploads folder, and the uploads refused, with why."""

    paths: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder: ``safe_name("../../etc/passwd.txt") == "passwd.txt"``."""
    base = PurePath(name.replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:MAX_NAME] or "upload"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext).lower()[:10]
    return f"{stem}.{ext}" if ext else stem


def store(uploads: list[str | Path], folder: Path) -> Stored:
    """Copy each uploaded file (a temporary path) into ``folder`` under a safe, unique name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = Stored()
    for upload in uploads:
        src = Path(upload)
        name = safe_name(src.name)
        if not name.lower().endswith(ALLOWED):
            out.skipped.append((src.name, f"not an article file: use {', '.join(ALLOWED)}"))
            continue
        if not src.is_file():
            out.skipped.append((src.name, "the upload did not arrive (no such file)"))
            continue
        stem, _, ext = name.rpartition(".")
        digest = _digest(src)
        for dest in (folder / name, folder / f"{stem}-{digest[:8]}.{ext}", folder / f"{stem}-{digest}.{ext}"):
            if folder.resolve() not in dest.resolve().parents:  # cannot happen with safe_name; checked anyway
                continue
            if dest.exists() and _digest(dest) == digest:  # the same file again: ingest will see it unchanged
                out.paths.append(dest)
                break
            try:
                with src.open("rb") as r, dest.open("xb") as w:  # "x": never overwrite, even when racing
                    shutil.copyfileobj(r, w)
            except FileExistsError:
                continue
            out.paths.append(dest)
            break
        else:
            out.skipped.append((src.name, "could not store it under a safe, unused name"))
    return out


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
