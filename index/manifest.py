"""The manifest: which files are indexed, as which document, with which cleaned text.

An archive's articles (see ``index.archives``) are files too, by their virtual paths (``<archive>#NEWID=5``);
the ``archives`` table holds each archive's size-and-mtime stamp as of its last complete read, written in one
transaction with the stamps of the articles that read saw (see ``finish_archive``).

SQLite (stdlib), one transaction per file. Chunks are written to Chroma *before* the manifest
row that claims them is committed, and chunk ids are derived from content, so a crash
in between leaves at worst extra chunks: the next ingest sees the "ingest_open" mark a killed run
left, and ``Index.recover`` removes them before going on.

Story versions (``index.versions``): each linked document's MinHash sketch keys (``sketch_keys``; ``sketches``
lists the documents linked, keys or not) and the pairs judged versions of one story (``version_links``).
Removing a document removes its rows there too, in the same transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
CREATE TABLE IF NOT EXISTS sketches (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sketch_keys (key INTEGER NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (key, doc_id))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sketch_keys_doc ON sketch_keys(doc_id);
CREATE TABLE IF NOT EXISTS version_links (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS version_links_b ON version_links(b);
"""
_FORGET_VERSIONS = ("DELETE FROM sketches WHERE doc_id = ?", "DELETE FROM sketch_keys WHERE doc_id = ?",
                    "DELETE FROM version_links WHERE a = ?", "DELETE FROM version_links WHERE b = ?")
_ROW = "doc_id, text, title, source, published, url, chunk_sig, n_chunks, published_at"


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
    published_at: str | None = None  # ISO date and time, when the source gives one


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
        if "published_at" not in {r[1] for r in self._db.execute("PRAGMA table_info(docs)")}:
            self._db.execute("ALTER TABLE docs ADD COLUMN published_at TEXT")  # filled in as archives are re-read
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
        rows = self._query(f"SELECT {_ROW} FROM docs WHERE doc_id = ?", (doc_id,))
        return DocRow(*rows[0]) if rows else None  # type: ignore[arg-type]

    def shown(self, doc_ids: Sequence[str]) -> dict[str, tuple[DocRow, str | None]]:
        """What search shows of each recorded document in ``doc_ids``: its row and one of its file paths."""
        out: dict[str, tuple[DocRow, str | None]] = {}
        ids = list(dict.fromkeys(doc_ids))
        for at in range(0, len(ids), 500):  # SQLite caps the number of parameters
            part = ids[at:at + 500]
            rows = self._query(
                f"SELECT {_ROW}, (SELECT MIN(path) FROM files f WHERE f.doc_id = d.doc_id) "
                f"FROM docs d WHERE doc_id IN ({','.join('?' * len(part))})", tuple(part))
            out.update({str(r[0]): (DocRow(*r[:9]), r[9]) for r in rows})  # type: ignore[arg-type,misc]
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
            was = db.execute("SELECT published_at FROM docs WHERE doc_id = ?", (row.doc_id,)).fetchone()
            if was is not None and was[0] != row.published_at:  # its versions are judged again (by the time)
                for sql in _FORGET_VERSIONS:
                    db.execute(sql, (row.doc_id,))
            db.execute(
                "INSERT OR REPLACE INTO docs(doc_id, text, title, source, published, url, chunk_sig, n_chunks,"
                " added_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.doc_id, row.text, row.title, row.source, row.published, row.url, row.chunk_sig,
                 row.n_chunks, time.time(), row.published_at),
            )
            db.execute("INSERT OR REPLACE INTO files(path, doc_id, stamp) VALUES (?, ?, ?)",
                       (path, row.doc_id, stamp))
            self._bump(db)

    def set_published_at(self, doc_id: str, published_at: str | None) -> None:
        """Give a recorded document the time its source now states (one recorded before times were kept); its
        versions are linked again by the next ``index.versions.link``."""
        with self.transaction() as db:
            db.execute("UPDATE docs SET published_at = ? WHERE doc_id = ?", (published_at, doc_id))
            for sql in _FORGET_VERSIONS:
                db.execute(sql, (doc_id,))
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
            if db.execute("SELECT 1 FROM docs WHERE doc_id = ?", (doc_id,)).fetchone() is None:
                for sql in _FORGET_VERSIONS:  # its story's previous version is the latest again
                    db.execute(sql, (doc_id,))
            self._bump(db)

    # ---- story versions (index.versions) ----

    def unsketched(self) -> list[str]:
        """Documents not linked yet, in ingest order."""
        rows = self._query("SELECT doc_id FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM sketches) "
                           "ORDER BY added_at, doc_id")
        return [str(r[0]) for r in rows]

    def version_candidates(self, keys: Sequence[int], min_shared: int, source: str, first_day: str,
                           last_day: str) -> dict[str, tuple[str | None, str | None]]:
        """Linked documents of ``source`` published from ``first_day`` to ``last_day`` (ISO) that share at least
        ``min_shared`` of the sketch ``keys``, with their (published, published_at)."""
        if not keys:
            return {}
        shared = [str(r[0]) for r in self._query(  # the covering (key, doc_id) index alone: quick
            f"SELECT doc_id FROM sketch_keys WHERE key IN ({','.join('?' * len(keys))}) GROUP BY doc_id "
            "HAVING COUNT(*) >= ?", (*keys, min_shared))]
        if not shared:
            return {}
        rows = self._query(f"SELECT doc_id, published, published_at FROM docs WHERE doc_id IN "
                           f"({','.join('?' * len(shared))}) AND source = ? AND published BETWEEN ? AND ?",
                           (*shared, source, first_day, last_day))
        return {str(d): (p, a) for d, p, a in rows}  # type: ignore[misc]

    def version_rows(self, doc_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None, float, int]]:
        """(published, published_at, added_at, n_chunks) of each recorded document in ``doc_ids``: what orders a
        story, and what its versions weigh in the store."""
        return {str(r[0]): (r[1], r[2], float(r[3]), int(r[4])) for r in self._in(  # type: ignore[misc,arg-type,call-overload]
            "SELECT doc_id, published, published_at, added_at, n_chunks FROM docs WHERE doc_id IN ({})",
            list(doc_ids))}

    def add_sketches(self, rows: Sequence[tuple[str, Sequence[int], Sequence[str]]]) -> None:
        """Record (doc id, sketch keys, doc ids it is a version of) for each newly linked document."""
        with self.transaction() as db:
            live = {str(r[0]) for r in db.execute("SELECT doc_id FROM docs")} if rows else set()
            rows = [r for r in rows if r[0] in live]  # removed since it was read: nothing to record
            db.executemany("INSERT OR IGNORE INTO sketches(doc_id) VALUES (?)", [(d,) for d, _, _ in rows])
            db.executemany("INSERT OR IGNORE INTO sketch_keys(key, doc_id) VALUES (?, ?)",
                           [(k, d) for d, keys, _ in rows for k in keys])
            pairs = [tuple(sorted((d, o))) for d, _, linked in rows for o in linked if o in live]
            db.executemany("INSERT OR IGNORE INTO version_links(a, b) VALUES (?, ?)", pairs)
            if pairs:
                self._bump(db)

    def version_links(self) -> list[tuple[str, str]]:
        return [(str(a), str(b)) for a, b in self._query("SELECT a, b FROM version_links ORDER BY a, b")]

    def _in(self, sql: str, values: Sequence[str]) -> list[tuple[object, ...]]:
        """``sql`` with its ``IN ({})`` over ``values``, in parts (SQLite caps the number of parameters)."""
        out: list[tuple[object, ...]] = []
        for at in range(0, len(values), 500):
            part = tuple(values[at:at + 500])
            out += self._query(sql.format(",".join("?" * len(part))), part)
        return out

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
