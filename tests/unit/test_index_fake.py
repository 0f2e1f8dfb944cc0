"""Ingest bookkeeping with the FAKE hash embedder and a real Chroma on disk in a temp dir."""

from pathlib import Path

import pytest

from index import Index
from index.embedding.fake import FakeHashEmbedder
from index.errors import ConfigError, EmptyIndexError, IndexMismatchError


def all_chunks(idx: Index) -> dict[str, dict]:
    got = idx.store.collection.get(include=["documents", "metadatas"])
    return {i: {"text": d, **m} for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}


def test_ingest_then_reingest_is_a_no_op(fake_index: Index, articles: Path) -> None:
    first = fake_index.ingest([articles])
    assert len(first.added) == 5 and not first.skipped
    before = all_chunks(fake_index)
    calls = len(fake_index.embedder.calls)
    again = fake_index.ingest([articles])
    assert again.added == [] and again.updated == [] and len(again.unchanged) == 5
    assert all_chunks(fake_index) == before
    assert len(fake_index.embedder.calls) == calls, "re-ingest embedded nothing"


def test_stored_offsets_point_into_the_cleaned_text(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    chunks = all_chunks(fake_index)
    assert len(chunks) == fake_index.info().chunks
    for c in chunks.values():
        assert fake_index.document_text(c["doc_id"])[c["start"]:c["end"]] == c["text"]


def test_changed_file_replaces_its_chunks(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    target = next(articles.glob("002_*.txt"))
    old_doc = fake_index.manifest.doc_for_path(str(target.resolve()))
    target.write_text(target.read_text().replace("$126 billion", "$999 billion"))
    report = fake_index.ingest([articles])
    assert report.updated == [str(target.resolve())] and report.chunks_removed > 0
    chunks = all_chunks(fake_index)
    assert not any(c["doc_id"] == old_doc for c in chunks.values())
    texts = " ".join(c["text"] for c in chunks.values())
    assert "$999 billion" in texts and "$126 billion in aid" not in texts


def test_prune_removes_files_that_are_gone(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    gone = next(articles.glob("003_*.txt"))
    doc = fake_index.manifest.doc_for_path(str(gone.resolve()))
    gone.unlink()
    assert fake_index.ingest([articles]).removed == []  # without --prune nothing is removed
    report = fake_index.ingest([articles], prune=True)
    assert report.removed == [str(gone.resolve())]
    assert not any(c["doc_id"] == doc for c in all_chunks(fake_index).values())
    assert fake_index.info().documents == 4


def test_duplicate_file_is_stored_once(fake_index: Index, articles: Path, tmp_path: Path) -> None:
    fake_index.ingest([articles])
    n = fake_index.store.count()
    copy = tmp_path / "copy.txt"
    copy.write_text(next(articles.glob("004_*.txt")).read_text())
    report = fake_index.ingest([copy])
    assert report.added == [] and "same text as" in report.skipped[0][1]
    assert fake_index.store.count() == n


def test_bad_input_loses_nothing(fake_index: Index, articles: Path, tmp_path: Path) -> None:
    fake_index.ingest([articles])
    n = fake_index.store.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "bin.html").write_bytes(b"\x00\x01\x02" * 100)
    (bad / "latin.md").write_bytes("Caf\xe9 story.".encode("latin-1"))
    (bad / "debris.txt").write_text("Read more »\nPost a Comment\n")
    report = fake_index.ingest([bad, tmp_path / "nope.txt"])
    assert len(report.skipped) == 5 and not report.added
    reasons = " | ".join(r for _, r in report.skipped)
    for part in ("empty file", "binary", "not UTF-8", "no article text left", "no such file"):
        assert part in reasons
    assert fake_index.store.count() == n


def test_search_on_empty_index_says_how_to_ingest(fake_index: Index) -> None:
    with pytest.raises(EmptyIndexError, match="rag ingest"):
        fake_index.search("anything")


def test_search_and_filters(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    hits = fake_index.search("Ruben Brekelmans Dutch Defense Minister", k=3)
    assert "Brekelmans" in hits[0].text and hits[0].source == "CNN"
    only = fake_index.search("NATO membership", k=5, filters={"source": "Al Jazeera"})
    assert only and all(h.source == "Al Jazeera" for h in only)
    dated = fake_index.search("NATO", k=5, filters={"since": "2025-02-12", "until": "2025-02-12"})
    assert dated and all(h.published == "2025-02-12" for h in dated)
    assert fake_index.search("NATO", filters={"since": "2026-01-01"}) == []
    with pytest.raises(ConfigError, match="known filters"):
        fake_index.search("NATO", filters={"outlet": "CNN"})


def test_other_embedder_on_same_index_is_refused(tmp_path: Path, articles: Path) -> None:
    Index(tmp_path / "i", embedder=FakeHashEmbedder()).ingest([articles])

    class Other(FakeHashEmbedder):
        name = "other"

    with pytest.raises(IndexMismatchError, match="fake-hash"):
        Index(tmp_path / "i", embedder=Other())


def lexicon_matches_store(idx: Index) -> None:
    """The manifest's BM25 tokens cover exactly the stored chunks, each with its own text's tokens."""
    from index.lexical import tokenize

    lex = idx.manifest.lexicon()
    stored = all_chunks(idx)
    assert sorted(lex.chunk_ids) == sorted(stored)
    words = {i: t for t, i in lex.vocabulary.items()}
    at = 0
    for cid, n in zip(lex.chunk_ids, lex.lengths, strict=True):
        assert [words[int(i)] for i in lex.flat[at:at + n]] == tokenize(stored[cid]["text"])
        at += n


def test_bm25_tokens_follow_adds_changes_and_removals(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    lexicon_matches_store(fake_index)
    target = next(articles.glob("002_*.txt"))
    target.write_text(target.read_text().replace("$126 billion", "$999 billion"))
    fake_index.ingest([articles])
    lexicon_matches_store(fake_index)
    assert [h.chunk_id for h in fake_index.search("999 billion", k=1)][0].startswith(
        fake_index.manifest.doc_for_path(str(target.resolve())) or "?")
    next(articles.glob("003_*.txt")).unlink()
    fake_index.ingest([articles], prune=True)
    lexicon_matches_store(fake_index)


def test_an_index_from_before_bm25_tokens_were_kept_gets_them(tmp_path: Path, articles: Path) -> None:
    """An older manifest (no chunk tokens) is filled from the store once, and search is unchanged."""
    idx = Index(tmp_path / "idx", embedder=FakeHashEmbedder())
    idx.ingest([articles])
    questions = ["Who chaired the meeting?", "How much aid has been pledged?", "What did Hegseth say?"]
    before = [[h.chunk_id for h in idx.search(q, k=5)] for q in questions]
    with idx.manifest.transaction() as db:  # what a manifest written before the chunks table looked like
        db.execute("DELETE FROM chunks")
        db.execute("DELETE FROM vocab")
        db.execute("DELETE FROM meta WHERE key = 'lexicon'")
    idx.close()
    again = Index(tmp_path / "idx", embedder=FakeHashEmbedder())
    try:
        assert again.manifest.has_lexicon()
        lexicon_matches_store(again)
        assert [[h.chunk_id for h in again.search(q, k=5)] for q in questions] == before
    finally:
        again.close()


def test_a_second_ingest_into_the_same_index_waits_its_turn(tmp_path: Path, articles: Path) -> None:
    """While one ingest holds the index (here: another process holding its lock), a second is refused with a
    clear error and changes nothing; once the first is done, the second runs."""
    import subprocess
    import sys

    from index.errors import IndexBusyError

    idx = Index(tmp_path / "idx", embedder=FakeHashEmbedder())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
         "fcntl.flock(f.fileno(), fcntl.LOCK_EX); f.write('4242'); f.flush(); print('held', flush=True); "
         "time.sleep(60)", str(tmp_path / "idx" / "ingest.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusyError, match="process 4242"):
            idx.ingest([articles])
        assert idx.is_empty()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert len(idx.ingest([articles]).added) == 5
    idx.close()


def test_rechunking_with_other_settings_leaves_no_old_chunks(tmp_path: Path, articles: Path) -> None:
    from index.chunking import ChunkConfig, chunk_text

    small = Index(tmp_path / "idx", embedder=FakeHashEmbedder(), chunking=ChunkConfig(size=60, overlap=10))
    small.ingest([articles])
    before = set(all_chunks(small))
    small.close()
    big = Index(tmp_path / "idx", embedder=FakeHashEmbedder(), chunking=ChunkConfig(size=200, overlap=20))
    try:
        report = big.ingest([articles])  # the same documents, written again in one batch: old chunks must go
        assert len(report.added) + len(report.updated) + len(report.unchanged) == 5
        after = set(all_chunks(big))
        want = {c.id for d in big.manifest.doc_ids()
                for c in chunk_text(d, big.document_text(d) or "", ChunkConfig(size=200, overlap=20))}
        assert after == want and before - after
        assert big.store.count() == big.info().chunks == len(after)
        assert sorted(big.manifest.lexicon().chunk_ids) == sorted(after)
    finally:
        big.close()
