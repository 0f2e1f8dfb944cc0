"""Documents in, hits out: the ``Index`` ties loading, cleaning, chunking, embedding and the store together.

An archive (``index.archives``: Reuters SGML, JSON Lines) is read as its articles, each recorded under its
virtual path (``<archive>#NEWID=5``) like a file. An archive whose size-and-mtime stamp is the one of its last
complete read (with the same settings) is not read again; a changed one is read whole, and each article is
compared with what its virtual path holds, so only new and changed ones are chunked and embedded. Each ingest
ends by linking the documents it added to the other versions of their stories (``index.versions``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from index import archives, versions
from index.articles import prepare, prepare_entry
from index.chunking import ChunkConfig, chunk_text
from index.embedcache import EmbeddingCache
from index.embedding import Embedder, get_embedder
from index.errors import ConfigError, EmptyIndexError
from index.filters import date_number, parse_filters
from index.lexical import tokenize
from index.loading import DEFAULT_MAX_BYTES, Skip, discover, read
from index.locking import exclusive
from index.manifest import DocRow, Manifest
from index.paths import chroma_server_from_env, resolve_index_dir
from index.query import QueryHints
from index.rerank import Reranker
from index.search import SearchConfig, Searcher
from index.store import ChromaServer, ChromaStore
from index.types import Article, Chunk, Hit, IngestReport

CLEANER_VERSION = "clean-v2"  # v2: front matter, URLs, dateparser dates
EMBED_BATCH = 256  # chunks embedded together across files: the model is ~2x faster on full batches


@dataclass
class _Pending:
    """An article waiting for its chunks to be embedded and written."""

    key: str
    article: Article
    old: str | None  # the document this file held before, if any
    chunks: list[Chunk]
    stamp: str | None = None


_FLUSH_FIRST = object()


def _stamp(path: Path) -> str | None:
    """Size and modification time in ns: a file whose stamp is unchanged is not read again."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


@dataclass
class IndexInfo:
    index_dir: Path
    documents: int
    chunks: int
    embedder: str
    sources: list[str] = field(default_factory=list)
    first_date: str | None = None  # earliest publication date among dated documents (ISO)
    last_date: str | None = None


class Index:
    """An article index on disk: a Chroma collection of chunks plus a SQLite manifest.

    Example:
        >>> idx = Index("/tmp/my-index")
        >>> idx.ingest(["articles/"]).summary()
        >>> idx.search("Who chaired the meeting?", k=3)
    """

    def __init__(
        self,
        index_dir: str | os.PathLike[str] | None = None,
        *,
        embedder: Embedder | None = None,
        chunking: ChunkConfig | None = None,
        search: SearchConfig | None = None,
        reranker: Reranker | None = None,
        chroma: ChromaServer | None = None,
    ) -> None:
        self.dir = resolve_index_dir(index_dir)
        self.embedder = embedder or get_embedder()
        self.chunking = chunking or ChunkConfig()
        self.manifest = Manifest(self.dir / "manifest.sqlite3")
        self.vectors = EmbeddingCache(self.dir / "embeddings.sqlite3", self.embedder)
        # vectors: a Chroma server when one is given (or RAG_CHROMA_HOST names one), else embedded in the folder;
        # the manifest (what is indexed, and the article texts) always lives in the index folder
        server = chroma or chroma_server_from_env()
        index_id = self.manifest.get_meta("index_id")
        if index_id is None:
            index_id = uuid.uuid4().hex
            self.manifest.set_meta("index_id", index_id)
        self.store = ChromaStore(server or self.dir / "chroma", self.embedder.name, index_id=index_id)
        self.searcher = Searcher(self.store, self.embedder, self.manifest, config=search, reranker=reranker)
        if not self.manifest.has_lexicon():
            self._fill_lexicon()

    @property
    def signature(self) -> str:
        return f"{CLEANER_VERSION}|{self.chunking.signature}|{self.embedder.name}"

    # ---- ingest -------------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        prune: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        encoding: str | None = None,
        progress: bool = False,
    ) -> IngestReport:
        """Add new files, replace changed ones, optionally forget files that are gone.

        Args:
            paths: files and folders (.txt, .md, .html, and archives of many articles: .sgm Reuters SGML,
                .jsonl JSON Lines; folders are walked).
            prune: also remove indexed files that no longer exist on disk, and archive articles their
                archive no longer holds.
            max_bytes: files (an archive's stories or lines) larger than this are skipped with a reason.
            encoding: decode files with this codec instead of requiring UTF-8.
            progress: show a progress bar on stderr (it counts articles: an archive's stories one by one).
        """
        with exclusive(self.dir / "ingest.lock", f"the index at {self.dir}"):
            return self._ingest(paths, prune=prune, max_bytes=max_bytes, encoding=encoding, progress=progress)

    def _ingest(self, paths: Iterable[str | os.PathLike[str]], *, prune: bool, max_bytes: int,
                encoding: str | None, progress: bool) -> IngestReport:
        from tqdm import tqdm

        report = IngestReport()
        if self.manifest.get_meta("ingest_open") == "1":  # the last ingest stopped half-way (killed, crashed)
            report.chunks_removed += self.recover()
        self.manifest.set_meta("ingest_open", "1")
        files, skips = discover(paths)
        report.skipped.extend((s.path, s.reason) for s in skips)
        pending: list[_Pending] = []
        total = sum(self._articles_in(p, max_bytes, encoding) for p in files) if progress else None
        with tqdm(total=total, desc="Ingesting", unit="article", disable=not progress) as bar:
            for path in files:
                if archives.is_archive(path):
                    self._ingest_archive(path, report, pending, bar.update, max_bytes=max_bytes, encoding=encoding)
                else:
                    self._take(partial(self._ingest_one, path, report, max_bytes=max_bytes, encoding=encoding),
                               pending, report)
                    bar.update()
        self._flush(pending, report)
        if prune:
            self._prune(report, max_bytes=max_bytes, encoding=encoding)
        versions.link(self.manifest, progress=progress)  # new documents, or every one of an index from before
        self.manifest.set_meta("ingest_open", "0")
        self.searcher.refresh()
        return report

    def recover(self) -> int:
        """Make the store agree with the manifest after an ingest that stopped half-way; returns chunks removed.

        Crash safety by write order: a document's chunks are written (ids are deterministic, so a rewrite
        replaces them) before the manifest records it in one SQLite transaction, and a replaced document is
        dropped only after that. So after a kill the store can hold extra chunks, of documents the manifest
        never recorded or no longer points at, but never lack the chunks of a recorded one. This removes the
        extras; rerunning the ingest then writes whatever was not recorded.
        """
        removed = 0
        for doc_id in self.manifest.orphan_docs():
            removed += self.store.delete_doc(doc_id)
            self.manifest.remove_doc(doc_id)
        known = self.manifest.doc_ids()
        _, _, metas = self.store.all_chunks()
        for doc_id in sorted({str(m.get("doc_id")) for m in metas} - known):
            removed += self.store.delete_doc(doc_id)
        return removed

    def _fill_lexicon(self) -> None:
        """Give a manifest from before chunk tokens were recorded the tokens of what it holds (once)."""
        known = self.manifest.doc_ids()
        ids, texts, metas = self.store.all_chunks()
        by_doc: dict[str, list[tuple[int, str, list[str]]]] = {}
        for cid, text, meta in zip(ids, texts, metas, strict=True):
            doc_id = str(meta.get("doc_id"))
            if doc_id in known:
                by_doc.setdefault(doc_id, []).append((int(meta.get("start", 0)), cid, tokenize(text)))
        self.manifest.fill_lexicon({d: [(cid, toks) for _, cid, toks in sorted(rows)] for d, rows in by_doc.items()})

    def _take(self, compare: Callable[[set[str]], _Pending | object | None], pending: list[_Pending],
              report: IngestReport) -> None:
        """Queue the write ``compare`` asks for (given the doc ids waiting to be written); embed and write the
        queue when it holds a full batch, or first when the same text is already waiting."""
        job = compare({p.article.doc_id for p in pending})
        if job is _FLUSH_FIRST:  # the same text is waiting to be written: write it, then look again
            self._flush(pending, report)
            job = compare(set())
        if isinstance(job, _Pending):
            pending.append(job)
            if sum(len(p.chunks) for p in pending) >= EMBED_BATCH:
                self._flush(pending, report)

    def _archive_signature(self, max_bytes: int, encoding: str | None) -> str:
        """What an archive's read depends on besides its bytes: reader, cleaner, chunking, model, limits."""
        return f"{archives.READER_VERSION}|{self.signature}|{max_bytes}|{encoding or ''}"

    def _unchanged_archive(self, path: Path, max_bytes: int, encoding: str | None) -> list[str] | None:
        """The virtual paths of an archive read completely with these settings and unchanged since (same size
        and mtime), or None if it must be read."""
        key, stamp = str(path), _stamp(path)
        if stamp is None or self.manifest.archive(key) != (stamp, self._archive_signature(max_bytes, encoding)):
            return None
        return [p for p, s in self.manifest.archive_members(key) if s == stamp and archives.is_member(key, p)]

    def _articles_in(self, path: Path, max_bytes: int, encoding: str | None) -> int:
        """How far the progress bar moves for ``path``: 1 for a file, an archive's stories or lines."""
        if not archives.is_archive(path):
            return 1
        done = self._unchanged_archive(path, max_bytes, encoding)
        return len(done) if done is not None else archives.count(path)

    def _ingest_archive(self, path: Path, report: IngestReport, pending: list[_Pending],
                        advance: Callable[..., object], *, max_bytes: int, encoding: str | None) -> None:
        """Every article of an archive, each compared with what its virtual path holds, unless the archive is
        unchanged since its last complete read. Its articles are all written before the read is recorded as
        complete, so a read that stops half-way (killed, unreadable) is done again next time."""
        key, stamp = str(path), _stamp(path)
        done = self._unchanged_archive(path, max_bytes, encoding)
        if done is not None:  # as when last read to the end: nothing is read again
            report.unchanged.extend(done)
            advance(len(done))
            return
        self.manifest.begin_archive(key)
        seen: list[str] = []
        complete = True
        for item in archives.read_archive(path, max_bytes=max_bytes, encoding=encoding, advance=advance):
            if isinstance(item, Skip):
                report.skipped.append((item.path, item.reason))
                complete = complete and item.path != key  # the archive itself: not read (to the end)
                seen.append(item.path)  # a skipped story is still in the archive: --prune keeps its old text
                continue
            seen.append(item.key)
            try:
                article = prepare_entry(item)
            except Exception as exc:  # as for files: one odd story must not stop the run
                article = Skip(item.key, f"could not extract text: {type(exc).__name__}: {exc}")
            self._take(partial(self._compare, item.key, article, None, report), pending, report)
        if complete:
            self._flush(pending, report)
            self.manifest.finish_archive(key, stamp, self._archive_signature(max_bytes, encoding), seen)

    def _ingest_one(self, path: Path, report: IngestReport, pending: set[str], *, max_bytes: int,
                    encoding: str | None) -> _Pending | object | None:
        """Read, clean and compare one file: returns the write it needs (``_Pending``), ``_FLUSH_FIRST`` when
        the same text is still waiting to be written, or None when the file is done with (unchanged, skipped)."""
        key = str(path)
        stamp = _stamp(path)
        if stamp and self.manifest.signature_if_stamped(key, stamp) == self.signature:  # same size and mtime
            report.unchanged.append(key)  # as when ingested with these settings: not read again
            return None
        raw = read(path, max_bytes=max_bytes, encoding=encoding)
        try:
            article = raw if isinstance(raw, Skip) else prepare(raw)
        except Exception as exc:  # a parser failing on one odd file must not stop the run
            article = Skip(key, f"could not extract text: {type(exc).__name__}: {exc}")
        return self._compare(key, article, stamp, report, pending)

    def _compare(self, key: str, article: Article | Skip, stamp: str | None, report: IngestReport,
                 pending: set[str]) -> _Pending | object | None:
        """What the text now behind ``key`` needs (see ``_ingest_one``); ``stamp`` is recorded with it."""
        if isinstance(article, Skip):
            report.skipped.append((key, article.reason))
            return None
        if article.doc_id in pending:
            return _FLUSH_FIRST
        old = self.manifest.doc_for_path(key)
        existing = self.manifest.doc(article.doc_id)
        if old == article.doc_id and existing and existing.chunk_sig == self.signature:
            if stamp:
                self.manifest.set_stamp(key, stamp)  # touched but not changed: remember the new stamp
            if article.published_at != existing.published_at and (  # e.g. recorded before times were kept
                    existing.published_at is None or self.manifest.paths_for_doc(old) == [key]):
                self.manifest.set_published_at(old, article.published_at)
            report.unchanged.append(key)
            return None
        others = [p for p in self.manifest.paths_for_doc(article.doc_id) if p != key]
        if existing and existing.chunk_sig == self.signature and others:
            self.manifest.put(key, existing, stamp)
            report.skipped.append((key, f"same text as {others[0]}, already indexed; stored once"))
            if old and old != article.doc_id:
                self._forget_doc_if_orphan(old, report)
            return None
        return _Pending(key, article, old, chunk_text(article.doc_id, article.text, self.chunking), stamp)

    def _flush(self, pending: list[_Pending], report: IngestReport) -> None:
        """Embed the waiting articles' chunks in one batch (what the model does fastest) and write them to the
        store in one call (Chroma's cost is per call), then record each article in turn: its manifest row,
        and only then the document it replaced."""
        if not pending:
            return
        chunks = [c for job in pending for c in job.chunks]
        vectors = self.vectors.embed([c.text for c in chunks])
        for job in pending:  # a re-chunk with other settings must not leave old chunks; a document the manifest
            if self.manifest.doc(job.article.doc_id):  # does not know has none (``recover`` saw to that)
                self.store.delete_doc(job.article.doc_id)
        self.store.upsert(chunks, vectors, [m for job in pending for m in self._metas(job.article, job.chunks)])
        for job in pending:
            report.chunks_added += self._record(job.article, job.chunks, job.stamp)
            (report.updated if job.old else report.added).append(job.key)
            if job.old and job.old != job.article.doc_id:
                self._forget_doc_if_orphan(job.old, report)
        pending.clear()

    @staticmethod
    def _metas(article: Article, chunks: list[Chunk]) -> list[dict[str, Any]]:
        base = {
            "doc_id": article.doc_id, "title": article.title, "source": article.source,
            "published": article.published, "path": article.path, "url": article.url,
            "published_num": date_number(article.published) if article.published else None,
        }
        return [{**base, "start": c.start, "end": c.end} for c in chunks]

    def _record(self, article: Article, chunks: list[Chunk], stamp: str | None = None) -> int:
        """The manifest claims the article's chunks (already in the store): the write that makes it indexed."""
        self.manifest.put(article.path, DocRow(
            doc_id=article.doc_id, text=article.text, title=article.title, source=article.source,
            published=article.published, url=article.url, chunk_sig=self.signature, n_chunks=len(chunks),
            published_at=article.published_at,
        ), stamp, chunks=[(c.id, tokenize(c.text)) for c in chunks])
        return len(chunks)

    def _forget_doc_if_orphan(self, doc_id: str, report: IngestReport) -> None:
        if not self.manifest.paths_for_doc(doc_id):
            report.chunks_removed += self.store.delete_doc(doc_id)
            self.manifest.remove_doc(doc_id)

    def _prune(self, report: IngestReport, *, max_bytes: int, encoding: str | None) -> None:
        """Forget files that no longer exist, and archive articles their archive (if it exists) no longer holds."""
        members: set[str] = set()
        for archive, stamp in self.manifest.archives():
            rows = [(p, s) for p, s in self.manifest.archive_members(archive) if archives.is_member(archive, p)]
            members.update(p for p, _ in rows)
            for path in self._gone_from(Path(archive), stamp, rows, max_bytes=max_bytes, encoding=encoding):
                self._remove_path(path, report)
            if not Path(archive).exists():
                self.manifest.remove_archive(archive)
        for path in self.manifest.all_paths():
            if path not in members and not Path(path).exists():
                self._remove_path(path, report)

    @staticmethod
    def _gone_from(archive: Path, stamp: str | None, rows: list[tuple[str, str | None]], *, max_bytes: int,
                   encoding: str | None) -> list[str]:
        """Which of an archive's recorded articles ``rows`` (virtual path, stamp) it no longer holds."""
        if not archive.exists():
            return [p for p, _ in rows]
        if stamp is not None and _stamp(archive) == stamp:  # as at its last complete read, which stamped
            return [p for p, s in rows if s != stamp]  # every article it held
        present = archives.keys(archive, max_bytes=max_bytes, encoding=encoding)  # changed since: look
        return [] if present is None else [p for p, _ in rows if p not in present]

    def _remove_path(self, path: str, report: IngestReport) -> None:
        orphan = self.manifest.remove_path(path)
        if orphan:
            report.chunks_removed += self.store.delete_doc(orphan)
            self.manifest.remove_doc(orphan)
        report.removed.append(path)

    # ---- read side ----------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the embedding model now rather than on the first query."""
        self.embedder.embed("warm up")

    def is_empty(self) -> bool:
        return not self.manifest.has_docs()

    def search(self, query: str, *, k: int = 5, filters: Mapping[str, Any] | None = None) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first (hybrid search; see ``index.search``).

        Args:
            query: the question.
            k: how many hits.
            filters: ``{"source": "CNN" | [...], "since": "2025-02-01", "until": "2025-02-28"}``;
                ``"versions": "all"`` also shows the earlier versions of updated stories (``index.versions``).
        """
        if not query or not query.strip():
            raise ConfigError("The question is empty: ask something about the articles.")
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        chosen = parse_filters(filters)  # a bad filter is reported before anything else
        if self.is_empty():
            raise EmptyIndexError(self.dir)
        return self.searcher.search(query, k, chosen)

    def hints(self, query: str, filters: Mapping[str, Any] | None = None) -> QueryHints:
        """The outlet, days, period and recency ``query`` names, as search will read them within ``filters``
        (the caller's outlets and dates, as for ``search``), for showing to the user."""
        return self.searcher.hints(query, parse_filters(filters))

    def document_text(self, doc_id: str) -> str | None:
        row = self.manifest.doc(doc_id)
        return row.text if row else None

    def info(self) -> IndexInfo:
        docs, chunks = self.manifest.counts()
        first, last = self.manifest.date_range()
        return IndexInfo(self.dir, docs, chunks, self.embedder.name, self.manifest.sources(), first, last)

    def close(self) -> None:
        self.manifest.close()
        self.vectors.close()
