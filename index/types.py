"""Plain data types that move between loading, chunking, the store and search."""

from __future__ import annotations

from dataclasses import dataclass, field


def chunk_id(doc_id: str, start: int, end: int) -> str:
    """The store id of a chunk: derived from content (doc_id is a hash of the cleaned text) and offsets."""
    return f"{doc_id}:{start}-{end}"


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to chunk.

    ``text`` is the cleaned text; every chunk's offsets point into it.
    """

    path: str
    doc_id: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text`` always holds."""

    doc_id: str
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        return chunk_id(self.doc_id, self.start, self.end)


@dataclass(frozen=True)
class Passage:
    """A stretch of an article: ``text`` is ``cleaned_article_text[start:end]`` of document ``doc_id``."""

    text: str
    doc_id: str
    start: int
    end: int
    title: str | None = None
    source: str | None = None
    published: str | None = None
    path: str | None = None

    @property
    def chunk_id(self) -> str:
        return chunk_id(self.doc_id, self.start, self.end)


@dataclass(frozen=True, kw_only=True)
class Hit(Passage):
    """A passage returned by search, with its similarity ``score`` (cosine, higher is closer).

    Example:
        >>> hit = search("Who chaired the meeting?")[0]
        >>> print(hit.score, hit.title, hit.text[:80])
    """

    score: float


@dataclass
class IngestReport:
    """What one ingest run did. Paths are strings; ``skipped`` pairs each path with its reason."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped "
            f"({self.chunks_added} chunks added, {self.chunks_removed} removed)"
        )
