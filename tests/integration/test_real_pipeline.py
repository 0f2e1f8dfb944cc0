"""The spine with real parts: bundled MiniLM, Chroma on disk, the sample articles and handwritten questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import Index, sample_dir
from rag.api import answer_from
from rag.backends.extractive import ExtractiveBackend
from tests.conftest import load_questions

pytestmark = pytest.mark.integration
QUESTIONS = load_questions()


def holds(text: str, q: dict) -> bool:
    return any(s in text for s in q["must_contain"])


def test_questions_file_is_big_enough() -> None:
    assert len(QUESTIONS) >= 15


def test_every_stored_chunk_round_trips(real_index: Index) -> None:
    got = real_index.store.collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == real_index.info().chunks > 5
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        assert real_index.document_text(meta["doc_id"])[meta["start"]:meta["end"]] == text


def test_debris_never_reaches_the_index(real_index: Index) -> None:
    got = real_index.store.collection.get(include=["documents"])
    joined = "\n".join(got["documents"])
    for debris in ("Kommentare (0)", "Read more »", "No comments:", "Post a Comment", "Source link", "AliDropship"):
        assert debris not in joined


# Dense retrieval alone found 17 of the 18 (q17, "pressure Russia ... energy prices", ranked 7th);
# hybrid search (issue #4) finds all 18. The bound is what we measured, so a regression fails.
MIN_FOUND_AT_5 = 18


def test_search_finds_the_answer_in_top5(real_index: Index) -> None:
    missed = [q["id"] for q in QUESTIONS if not any(holds(h.text, q) for h in real_index.search(q["question"], k=5))]
    assert len(QUESTIONS) - len(missed) >= MIN_FOUND_AT_5, f"answer not in top 5 for {missed}"


# Measured: 17 of 18 (16 with dense retrieval). In q10 ("Who launched the UDCG and when?") the answer
# sentence says "UDCG", not the group's full name, and another sentence wins.
MIN_EXTRACTIVE_CITED = 17


def test_extractive_answer_cites_a_passage_holding_the_answer(real_index: Index) -> None:
    missed = []
    for q in QUESTIONS:
        answer = answer_from(real_index, q["question"], backend=ExtractiveBackend(), k=5)
        if answer.refused or not any(holds(c.text, q) for c in answer.citations):
            missed.append(q["id"])
        for c in answer.citations:  # every statement is verbatim from the passage it cites
            assert c.text == answer.passages[c.number - 1].text
    assert len(QUESTIONS) - len(missed) >= MIN_EXTRACTIVE_CITED, f"no cited passage holds the answer for {missed}"


def test_extractive_refuses_what_the_articles_do_not_cover(real_index: Index) -> None:
    answer = answer_from(real_index, "What is the recipe for a good sourdough bread?", backend=ExtractiveBackend())
    assert answer.refused and answer.citations == []


def test_reingest_and_change_with_real_model(tmp_path: Path) -> None:
    shutil.copytree(sample_dir(), tmp_path / "a")
    idx = Index(tmp_path / "i")
    try:
        first = idx.ingest([tmp_path / "a"])
        ids = set(idx.store.collection.get(include=[])["ids"])
        assert len(first.added) == 5
        again = idx.ingest([tmp_path / "a"])
        assert (again.added, again.updated, len(again.unchanged)) == ([], [], 5)
        assert set(idx.store.collection.get(include=[])["ids"]) == ids
        f = next((tmp_path / "a").glob("001_*.txt"))
        f.write_text(f.read_text().replace("Ruben Brekelmans", "Ruud Example"))
        assert idx.ingest([tmp_path / "a"]).updated == [str(f.resolve())]
        assert "Ruud Example" in idx.search("Dutch Defense Minister", k=3)[0].text
        f.unlink()
        assert idx.ingest([tmp_path / "a"], prune=True).removed == [str(f.resolve())]
        assert idx.info().documents == 4
    finally:
        idx.close()
