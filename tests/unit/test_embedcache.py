"""Embeddings cached by content: unchanged text is never embedded twice."""

from __future__ import annotations

from pathlib import Path

from index import Index
from index.embedcache import EmbeddingCache
from index.embedding.fake import FakeHashEmbedder


def test_the_same_text_is_embedded_once(tmp_path: Path) -> None:
    emb = FakeHashEmbedder()
    cache = EmbeddingCache(tmp_path / "e.sqlite3", emb)
    first = cache.embed(["alpha beta", "gamma", "alpha beta"])
    assert emb.calls == [2] and first[0] == first[2]
    again = EmbeddingCache(tmp_path / "e.sqlite3", emb).embed(["gamma", "delta"])  # survives a reopen
    assert emb.calls == [2, 1] and again[0] == first[1]


def test_rechunking_or_reingesting_unchanged_text_embeds_nothing(tmp_path: Path, articles: Path) -> None:
    emb = FakeHashEmbedder()
    idx = Index(tmp_path / "index", embedder=emb)
    first = idx.ingest([articles])
    embedded = sum(emb.calls)
    assert embedded == first.chunks_added > 0
    with idx.manifest.transaction() as db:  # as after a cleaner or chunker upgrade: every document is re-chunked
        db.execute("UPDATE docs SET chunk_sig = 'older-version'")
    again = idx.ingest([articles])
    assert len(again.updated) == 5 and again.chunks_added == first.chunks_added
    assert sum(emb.calls) == embedded  # every chunk came from the cache
    one = sorted(articles.glob("*.txt"))[0]
    one.write_text("A new opening paragraph about the harbour reopening.\n\n" + one.read_text(encoding="utf-8"),
                   encoding="utf-8")
    idx.ingest([articles])
    assert 0 < sum(emb.calls) - embedded < first.chunks_added  # only the changed passages
    idx.close()


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, articles: Path, monkeypatch) -> None:
    import os

    import index.pipeline as pipeline

    idx = Index(tmp_path / "index", embedder=FakeHashEmbedder())
    idx.ingest([articles])
    reads: list[str] = []
    real = pipeline.read
    monkeypatch.setattr(pipeline, "read", lambda path, **kw: reads.append(path.name) or real(path, **kw))
    assert len(idx.ingest([articles]).unchanged) == 5 and reads == []
    one = sorted(articles.glob("*.txt"))[0]
    os.utime(one, ns=(one.stat().st_atime_ns, one.stat().st_mtime_ns + 5_000_000_000))  # touched, not changed
    assert len(idx.ingest([articles]).unchanged) == 5 and reads == [one.name]
    assert len(idx.ingest([articles]).unchanged) == 5 and reads == [one.name]  # its new stamp was kept
    one.write_text(one.read_text(encoding="utf-8").replace("Hegseth", "Heggseth", 1), encoding="utf-8")
    assert idx.ingest([articles]).updated == [str(one.resolve())]
    idx.close()
