"""The manifest: which files are indexed, as which document, with which cleaned text.

An archive's articles (see ``index.archives``) are files too, by their virtual paths (``<archive>#NEWID=5``);
the ``archives`` table holds each archive's size-and-mtime stamp as of its last complete read, written in one
transaction with the stamps of the articles that read saw (see ``finish_archive``).

SQLite (stdlib), one transaction per file. Chunks are written to Chroma *before* the manifest
row that claims them is committed, and chunk ids are derived from content, so a crash
in between leaves at worst extra chunks: the next ingest sees the "ingest_open" mark a killed run
left, and ``Index.recover`` removes them before going on.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT PRIMARY KEY, text TEXT NOT NULL, title TEXT, source TEXT, published TEXT, url TEXT,
    chunk_sig TEXT NOT NULL, n_chunks INTEGER NOT NULL, added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES docs(doc_id));
CREATE INDEX IF NOT EXISTS files_doc ON files(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, tokens BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS vocab (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS archives (path TEXT PRIMARY KEY, stamp TEXT, signature TEXT);
"""


@dataclass(frozen=True)
class Lexicon:
    """Every recorded chunk's id, document, outlet and date, and its BM25 token ids (see ``index.lexical``)."""

    chunk_ids: list[str]
    doc_ids: list[str]
    sources: list[str | None]
    published: list[str | None]
    flat: Any  # numpy int32: all chunks' token ids, concatenated in chunk_ids order
    lengths: Any  # numpy int64: tokens per chunk
    vocabulary: dict[str, int]


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    text: str
    title: str | None
    source: str | None
    published: str | None
    url: str | None
    chunk_sig: str
    n_chunks: int


class Manifest:
    """Files -> documents, each document's cleaned text and metadata, and each chunk's BM25 tokens."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(files)")}
        if "stamp" not in columns:  # older manifests: add the column; their files are re-read once
            self._db.execute("ALTER TABLE files ADD COLUMN stamp TEXT")
        self._vocab: dict[str, int] = {}
        if self.get_meta("lexicon") is None and not self.has_docs():
            self.set_meta("lexicon", "1")  # a new manifest records chunk tokens from the start (see has_lexicon)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._vocab.clear()  # it may hold words the rollback takes back: reload it on next use
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        """A counter that changes whenever documents are added or removed (readers rebuild caches on change)."""
        return int(self.get_meta("generation") or 0)

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
                   "SET value = CAST(value AS INTEGER) + 1")

    def doc_for_path(self, path: str) -> str | None:
        rows = self._query("SELECT doc_id FROM files WHERE path = ?", (path,))
        return str(rows[0][0]) if rows else None

    def paths_for_doc(self, doc_id: str) -> list[str]:
        return [str(r[0]) for r in self._query("SELECT path FROM files WHERE doc_id = ? ORDER BY path", (doc_id,))]

    def doc(self, doc_id: str) -> DocRow | None:
        rows = self._query(
            "SELECT doc_id, text, title, source, published, url, chunk_sig, n_chunks FROM docs WHERE doc_id = ?",
            (doc_id,),
        )
        return DocRow(*rows[0]) if rows else None  # type: ignore[arg-type]

    def shown(self, doc_ids: Sequence[str]) -> dict[str, tuple[DocRow, str | None]]:
        """What search shows of each recorded document in ``doc_ids``: its row and one of its file paths."""
        out: dict[str, tuple[DocRow, str | None]] = {}
        ids = list(dict.fromkeys(doc_ids))
        for at in range(0, len(ids), 500):  # SQLite caps the number of parameters
            part = ids[at:at + 500]
            rows = self._query(
                "SELECT doc_id, text, title, source, published, url, chunk_sig, n_chunks, "
                "(SELECT MIN(path) FROM files f WHERE f.doc_id = d.doc_id) "
                f"FROM docs d WHERE doc_id IN ({','.join('?' * len(part))})", tuple(part))
            out.update({str(r[0]): (DocRow(*r[:8]), r[8]) for r in rows})  # type: ignore[arg-type,misc]
        return out

    def orphan_docs(self) -> list[str]:
        """Documents no file points at any more (left by an ingest that stopped half-way)."""
        rows = self._query("SELECT doc_id FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM files)")
        return [str(r[0]) for r in rows]

    def doc_ids(self) -> set[str]:
        return {str(r[0]) for r in self._query("SELECT doc_id FROM docs")}

    def all_paths(self) -> list[str]:
        return [str(r[0]) for r in self._query("SELECT path FROM files ORDER BY path")]

    def has_docs(self) -> bool:
        return bool(self._query("SELECT 1 FROM docs LIMIT 1"))

    def has_lexicon(self) -> bool:
        """Whether every recorded document's chunk tokens are here (older manifests lack them until
        ``Index`` fills them in from the store)."""
        return self.get_meta("lexicon") == "1"

    def counts(self) -> tuple[int, int]:
        docs, chunks = self._query("SELECT COUNT(*), COALESCE(SUM(n_chunks), 0) FROM docs")[0]
        return int(docs), int(chunks)  # type: ignore[call-overload]

    def date_range(self) -> tuple[str | None, str | None]:
        """The earliest and latest publication dates (ISO) among dated documents; (None, None) if none."""
        rows = self._query("SELECT MIN(published), MAX(published) FROM docs WHERE published IS NOT NULL")
        first, last = rows[0] if rows else (None, None)
        return (str(first) if first else None, str(last) if last else None)

    def sources(self) -> list[str]:
        return [str(r[0]) for r in self._query("SELECT DISTINCT source FROM docs WHERE source IS NOT NULL ORDER BY 1")]

    def signature_if_stamped(self, path: str, stamp: str) -> str | None:
        """The chunk signature of the document behind ``path`` if the file was last ingested with this ``stamp``
        (size and modification time, see ``put``); None if its stamp differs or it is not recorded."""
        rows = self._query("SELECT d.chunk_sig FROM files f JOIN docs d ON d.doc_id = f.doc_id "
                           "WHERE f.path = ? AND f.stamp = ?", (path, stamp))
        return str(rows[0][0]) if rows else None

    def set_stamp(self, path: str, stamp: str) -> None:
        """Update the stamp of an unchanged file (nothing a reader sees changes, so no new generation)."""
        with self.transaction() as db:
            db.execute("UPDATE files SET stamp = ? WHERE path = ?", (stamp, path))

    def put(self, path: str, row: DocRow, stamp: str | None = None,
            chunks: Sequence[tuple[str, Sequence[str]]] | None = None) -> None:
        """Record ``row`` as the document behind ``path`` (replacing what the path held before); ``stamp`` is
        the file's size and modification time, so an unchanged file need not be read again; ``chunks`` are
        the document's (chunk id, BM25 tokens), replacing any it had, in the same transaction."""
        with self.transaction() as db:
            if chunks is not None:
                self._put_chunks(db, row.doc_id, chunks)
            db.execute(
                "INSERT OR REPLACE INTO docs(doc_id, text, title, source, published, url, chunk_sig, n_chunks,"
                " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.doc_id, row.text, row.title, row.source, row.published, row.url, row.chunk_sig,
                 row.n_chunks, time.time()),
            )
            db.execute("INSERT OR REPLACE INTO files(path, doc_id, stamp) VALUES (?, ?, ?)",
                       (path, row.doc_id, stamp))
            self._bump(db)

    def remove_path(self, path: str) -> str | None:
        """Forget ``path``; returns the doc_id it pointed at when no other file still does."""
        with self.transaction() as db:
            row = db.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM files WHERE path = ?", (path,))
            self._bump(db)
            still = db.execute("SELECT 1 FROM files WHERE doc_id = ? LIMIT 1", (row[0],)).fetchone()
            return None if still else str(row[0])

    # ---- archives ----

    def archive(self, path: str) -> tuple[str | None, str | None] | None:
        """(stamp, signature) of the archive's last complete read ((None, None) if none finished yet), or None
        if the archive was never read."""
        rows = self._query("SELECT stamp, signature FROM archives WHERE path = ?", (path,))
        return (rows[0][0], rows[0][1]) if rows else None  # type: ignore[return-value]

    def archives(self) -> list[tuple[str, str | None]]:
        """Every archive ever read (and not pruned), with its stamp as of its last complete read."""
        return [(str(r[0]), r[1]) for r in self._query("SELECT path, stamp FROM archives ORDER BY path")]  # type: ignore[misc]

    def begin_archive(self, path: str) -> None:
        """Record that ``path`` is an archive before any of its articles is recorded (so ``prune`` knows their
        virtual paths for what they are even if this read never finishes)."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO archives(path, stamp, signature) VALUES (?, NULL, NULL)", (path,))

    def finish_archive(self, path: str, stamp: str | None, signature: str, seen: Sequence[str]) -> None:
        """The archive at ``path`` was read to the end: record its ``stamp`` and, in the same transaction, give
        the articles the read ``seen`` the same stamp (so a recorded article with another stamp is one the
        archive no longer holds)."""
        with self.transaction() as db:
            db.executemany("UPDATE files SET stamp = ? WHERE path = ?", [(stamp, key) for key in seen])
            db.execute("INSERT OR REPLACE INTO archives(path, stamp, signature) VALUES (?, ?, ?)",
                       (path, stamp, signature))

    def archive_members(self, path: str) -> list[tuple[str, str | None]]:
        """(virtual path, stamp) of every recorded path that starts with ``path#``."""
        rows = self._query("SELECT path, stamp FROM files WHERE path >= ? AND path < ? ORDER BY path",
                           (path + "#", path + "$"))  # '$' follows '#': a range scan of the primary key
        return [(str(r[0]), r[1]) for r in rows]  # type: ignore[misc]

    def remove_archive(self, path: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM archives WHERE path = ?", (path,))

    def remove_doc(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM docs WHERE doc_id = ? AND doc_id NOT IN (SELECT doc_id FROM files)", (doc_id,))
            db.execute("DELETE FROM chunks WHERE doc_id = ? AND doc_id NOT IN (SELECT doc_id FROM docs)", (doc_id,))
            self._bump(db)

    def fill_lexicon(self, chunks_by_doc: Mapping[str, Sequence[tuple[str, Sequence[str]]]]) -> None:
        """Record the chunk tokens of documents recorded before manifests kept them (a one-off migration)."""
        with self.transaction() as db:
            for doc_id, chunks in chunks_by_doc.items():
                self._put_chunks(db, doc_id, chunks)
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('lexicon', '1')")
            self._bump(db)

    def _put_chunks(self, db: sqlite3.Connection, doc_id: str, chunks: Sequence[tuple[str, Sequence[str]]]) -> None:
        import numpy as np

        vocab = self._vocab
        for token_id, token in db.execute("SELECT id, token FROM vocab WHERE id >= ?", (len(vocab),)):
            vocab[token] = token_id  # words other writers added since we last looked (ids never change)
        db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        for chunk_id, tokens in chunks:
            new = [t for t in dict.fromkeys(tokens) if t not in vocab]
            for t in new:
                vocab[t] = len(vocab)
            db.executemany("INSERT INTO vocab(id, token) VALUES (?, ?)", [(vocab[t], t) for t in new])
            ids = np.fromiter((vocab[t] for t in tokens), dtype="<i4", count=len(tokens))  # same bytes everywhere
            db.execute("INSERT OR REPLACE INTO chunks(chunk_id, doc_id, tokens) VALUES (?, ?, ?)",
                       (chunk_id, doc_id, ids.tobytes()))

    def lexicon(self) -> Lexicon:
        """Every chunk of every recorded document, with its tokens (what BM25 search is built from)."""
        import numpy as np

        with self._lock:
            rows = self._db.execute(
                "SELECT c.chunk_id, c.doc_id, d.source, d.published, c.tokens FROM chunks c JOIN docs d "
                "ON d.doc_id = c.doc_id ORDER BY c.rowid").fetchall()
            vocabulary = {str(t): int(i) for i, t in self._db.execute("SELECT id, token FROM vocab")}
        blobs = [r[4] for r in rows]
        flat = np.frombuffer(b"".join(blobs), dtype="<i4").astype(np.int32) if blobs else np.zeros(0, np.int32)
        lengths = np.fromiter((len(b) // 4 for b in blobs), dtype=np.int64, count=len(blobs))
        return Lexicon([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
                       flat, lengths, vocabulary)
