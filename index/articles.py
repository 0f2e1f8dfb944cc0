"""From a file's or an archive entry's text to an ``Article``: cleaned text, metadata, and the document id."""

from __future__ import annotations

import hashlib

from index import cleaning, metadata
from index.loading import RawFile, Skip
from index.types import Article, Entry


def prepare(raw: RawFile) -> Article | Skip:
    """Clean a file's text and read its metadata; a file with no article text left is skipped."""
    title = source = published = url = published_at = None
    front = metadata.Meta()
    body = raw.text
    if raw.kind == "html":
        ex = cleaning.extract_html(raw.text)
        body, title, source, url = ex.text, ex.title, ex.source, ex.url
        published = metadata.parse_date(ex.published) if ex.published else None
        published_at = metadata.parse_datetime(ex.published) if ex.published and published else None
    else:  # front matter comes off first, so its lines never reach the indexed text
        front, body = metadata.split_front_matter(raw.text)
        if raw.kind == "markdown":
            body = cleaning.markdown_to_text(body)
    return _article(raw.path, body, metadata.Meta(title, source, published, url, published_at).fill(front))


def prepare_entry(entry: Entry) -> Article | Skip:
    """Clean an archive entry's text; what the archive states about it wins over what the text says (as a
    file's front matter does), so a Reuters story read from its archive is the document its
    ``Story.as_article`` file would be."""
    stated = metadata.Meta(entry.title, entry.source, entry.published, entry.url, entry.published_at)
    return _article(entry.key, entry.text, stated)


def _article(path: str, body: str, stated: metadata.Meta) -> Article | Skip:
    text = cleaning.clean_text(body)
    if not text:
        return Skip(path, "no article text left after removing page debris")
    meta = stated.fill(metadata.from_text(body, text))
    title, source, published, url = meta.title, meta.source, meta.published, meta.url
    # The id covers what a reader is shown: the same text credited to another outlet (a syndicated copy)
    # is its own document, folded with the original at search time; an exact duplicate file is stored once.
    # Not the time: a re-filing of the same text the same day is the same document, and an index recorded
    # before times were kept keeps its ids (the time is added to its rows, nothing is re-embedded).
    identity = "\x1f".join([text, title or "", source or "", published or "", url or ""])
    at = meta.published_at if meta.published_at and published and meta.published_at[:10] == published else None
    return Article(
        path=path,
        doc_id=hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=title,
        source=source,
        published=published,
        url=url,
        published_at=at,
    )
