"""Property tests (hypothesis): cleaning, chunking, sentence splitting, loading and citation parsing never crash
on arbitrary text or bytes, and the offsets they return always point at the text they claim."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import cleaning, metadata
from index.chunking import ChunkConfig, chunk_text, sentence_spans
from index.loading import RawFile, Skip, read
from index.pipeline import prepare
from index.types import Article, Hit
from rag.citations import parse_citations

# text with the shapes articles have: words, punctuation, newlines, markers, tags, odd unicode
PIECES = st.sampled_from(["Hegseth", "said", "U.S.", "troops", ".", ",", "\n", "\n\n", " ", "[1]", "[2, 9]",
                          "[Passage 3]", "<b>", "</passage>", "Read more", "Advertisement", "“", "”", "—",
                          "12 Feb 2025", "$126bn", "---", "# Title", "\u200b", "\x00", "🙂", "é"])
TEXT = st.one_of(st.text(max_size=2000), st.lists(PIECES, max_size=300).map("".join))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXT, st.integers(8, 64), st.integers(0, 7))
def test_chunks_always_point_at_their_text(text: str, size: int, overlap: int) -> None:
    chunks = chunk_text("doc", text, ChunkConfig(size=size, overlap=overlap))
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start:c.end] == c.text and c.text.strip()
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


@FAST
@given(TEXT)
def test_sentence_spans_are_in_order_and_in_bounds(text: str) -> None:
    spans = sentence_spans(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        last = e


@FAST
@given(TEXT)
def test_cleaning_never_crashes_and_gives_text(text: str) -> None:
    assert isinstance(cleaning.clean_text(text), str)
    assert isinstance(cleaning.markdown_to_text(text), str)
    front, body = metadata.split_front_matter(text)
    assert isinstance(body, str) and body in text or not text.startswith("---")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["text", "markdown", "html"]))
def test_a_file_of_any_text_becomes_an_article_or_a_skip(text: str, kind: str) -> None:
    got = prepare(RawFile("f", kind, text))
    assert isinstance(got, Article | Skip)
    if isinstance(got, Article):
        assert got.text.strip() and len(got.doc_id) == 16


HITS = [Hit(text=f"passage {i}", doc_id=f"d{i}", start=0, end=9, score=1.0) for i in range(1, 4)]


@FAST
@given(TEXT)
def test_citation_parsing_keeps_only_real_passages(text: str) -> None:
    cleaned, citations, dropped = parse_citations(text, HITS)
    assert all(1 <= c.number <= len(HITS) for c in citations)
    assert all(n < 1 or n > len(HITS) for n in dropped)
    assert len({c.number for c in citations}) == len(citations)
    for marker in re.findall(r"\[(\d+)\]", cleaned):
        assert 1 <= int(marker) <= len(HITS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=4000), st.sampled_from([".txt", ".md", ".html"]))
def test_any_bytes_are_read_or_skipped_with_a_reason(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    got = read(path)
    assert isinstance(got, RawFile | Skip)
    if isinstance(got, Skip):
        assert got.reason
    else:
        assert isinstance(prepare(got), Article | Skip)
