"""Plain data types that move between loading, chunking, the store and search."""

from __future__ import annotations

from dataclasses import dataclass, field


def chunk_id(doc_id: str, start: int, end: int) -> str:
    """The store id of a chunk: derived from content (doc_id is a hash of the cleaned text) and offsets."""
    return f"{doc_id}:{start}-{end}"


def parse_chunk_id(cid: str) -> tuple[str, int, int]:
    """``chunk_id``'s inverse: (doc_id, start, end)."""
    doc_id, _, span = cid.rpartition(":")
    start, _, end = span.partition("-")
    return doc_id, int(start), int(end)


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
    published_at: str | None = None  # ISO date and time, when the source gives a time (the day is ``published``)


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
    """A stretch of an article: ``text`` is ``cleaned_article_text[start:end]`` of document ``doc_id``.

    ``also_in`` lists the same (or nearly the same) text in other articles, e.g. a wire story
    several outlets carry; ``sources_count`` is how many articles say it.

    Versions of one story (an update or correction its outlet filed hours later, ``index.versions``) are not
    other articles saying it: ``earlier`` and ``later`` are the doc ids of the story's other versions, oldest
    first, and ``updated_from`` is when the story was first filed (ISO; set when there are ``earlier`` ones).
    """

    text: str
    doc_id: str
    start: int
    end: int
    title: str | None = None
    source: str | None = None
    published: str | None = None
    path: str | None = None
    url: str | None = None
    also_in: tuple[Passage, ...] = ()  # the same text in other articles (see ``Hit``)
    published_at: str | None = None  # ISO date and time, when known
    updated_from: str | None = None  # the first version's time (ISO date and time, else date)
    earlier: tuple[str, ...] = ()  # doc ids of the story's earlier versions, oldest first
    later: tuple[str, ...] = ()  # doc ids of its later versions (search shows these only with all versions)

    @property
    def sources_count(self) -> int:
        """How many distinct articles carry this passage (itself included)."""
        return len({self.doc_id, *(p.doc_id for p in self.also_in)})

    @property
    def chunk_id(self) -> str:
        return chunk_id(self.doc_id, self.start, self.end)

    @property
    def label(self) -> str:
        """How to name the article to a reader: its outlet, else its title, else its file name."""
        from pathlib import PurePath

        return self.source or self.title or (PurePath(self.path).stem if self.path else self.doc_id)


@dataclass(frozen=True, kw_only=True)
class Hit(Passage):
    """A passage returned by search.

    ``score`` is the fused ranking score (higher is better; the diversity step may place a
    slightly lower-scored passage that adds something new before a near-repeat);
    ``similarity`` is the cosine similarity of passage and question (comparable across
    questions, which is what thresholds use); ``lexical`` is the passage's BM25 score.
    ``also_in`` holds passages of *other* articles that say the same thing (syndicated or
    near-duplicate text), so the passage is shown once and credited to every outlet. Search shows
    the latest version of a story (``updated_from``, ``earlier``); ``filters={"versions": "all"}``
    shows every version.

    Example:
        >>> hit = search("Who chaired the meeting?")[0]
        >>> print(hit.score, hit.title, hit.text[:80], [p.label for p in hit.also_in])
    """

    score: float
    similarity: float | None = None
    lexical: float | None = None


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


@dataclass(frozen=True)
class Entry:
    """One article of an archive: ``key`` is its virtual path, ``text`` its raw text (cleaned like a
    plain-text file's), the rest what the archive states about it (None: read from the text, as for a file)."""

    key: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    published_at: str | None = None  # ISO date and time (``metadata.parse_datetime``), when the archive gives one
