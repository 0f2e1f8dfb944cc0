import pytest

from index import sample_dir
from index.chunking import ChunkConfig, chunk_text, count_tokens, sentence_spans
from index.cleaning import clean_text


@pytest.mark.parametrize("size,overlap", [(180, 40), (60, 15), (20, 0)])
def test_offsets_round_trip_on_samples(size: int, overlap: int) -> None:
    for path in sorted(sample_dir().glob("*.txt")):
        text = clean_text(path.read_text())
        chunks = chunk_text("d", text, ChunkConfig(size, overlap))
        assert chunks
        for c in chunks:
            assert text[c.start:c.end] == c.text
            assert c.text.strip() == c.text
        # every sentence lands in some chunk: nothing is lost
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        for s, e in sentence_spans(text):
            assert s in covered and e - 1 in covered


def test_chunks_respect_size_and_overlap() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    chunks = chunk_text("d", text, ChunkConfig(size=30, overlap=10))
    assert all(count_tokens(c.text) <= 30 for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end, "consecutive chunks overlap"
        assert b.start > a.start, "chunking always moves forward"


def test_overlong_sentence_is_cut_at_words() -> None:
    text = "word " * 500
    chunks = chunk_text("d", text.strip(), ChunkConfig(size=50, overlap=0))
    assert len(chunks) == 10
    assert all(count_tokens(c.text) == 50 for c in chunks)


def test_sentences_do_not_cross_lines() -> None:
    text = "A heading without a period\nThe body starts here. It goes on."
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans[0] == "A heading without a period"


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("d", "") == []
    assert chunk_text("d", "  \n\n ") == []


def test_bad_config() -> None:
    with pytest.raises(ValueError):
        ChunkConfig(size=10, overlap=10)
