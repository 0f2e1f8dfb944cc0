"""Vectors cached by content: the same passage text, embedded by the same model, is embedded once.

Keyed by sha256 of (embedder name, text), stored as float32 in SQLite next to the manifest
(``embeddings.sqlite3``; ~1.6 KB per passage at 384 dimensions). Re-chunking unchanged text with the
same settings, a rebuilt manifest, or a copy of an article already indexed embed nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path

from index.embedding import Embedder


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\x1f{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """``embed(texts)`` returns the embedder's vectors, computing only those not seen before."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self.hits = self.misses = 0

    def close(self) -> None:
        self._db.close()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        keys = [_key(self.embedder.name, t) for t in texts]
        found = self._get(set(keys))
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        if todo:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            fresh = self.embedder.embed_batch([first[k] for k in todo])
            # stored as float32: hand out the same rounding now, so a cached vector equals a fresh one
            new = {k: array("f", v).tolist() for k, v in zip(todo, fresh, strict=True)}
            self._put(new)
            found.update(new)
        self.hits += len(keys) - len(todo)
        self.misses += len(todo)
        return [list(found[k]) for k in keys]

    def _get(self, keys: set[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        ordered = sorted(keys)
        with self._lock:
            for i in range(0, len(ordered), 500):  # SQLite's variable limit
                part = ordered[i:i + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part).fetchall()
                for key, blob in rows:
                    vec = array("f")
                    vec.frombytes(blob)
                    out[str(key)] = vec.tolist()
        return out

    def _put(self, vectors: Mapping[str, Sequence[float]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO vectors(key, vec) VALUES (?, ?)",
                                     [(k, array("f", v).tobytes()) for k, v in vectors.items()])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
