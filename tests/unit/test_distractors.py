"""The distractor corpus (built from prose in installed packages) and the LlamaIndex-defaults baseline."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from eval import distractors
from eval.baselines import LlamaIndexDefaults
from eval.distractors import DistractorError, build_distractors
from index import sample_dir
from index.embedding.fake import FakeHashEmbedder
from index.loading import read
from index.pipeline import prepare
from index.types import Article

NEWS = re.compile(r"ukrain|nato|hegseth|russia|pentagon", re.IGNORECASE)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_corpus_is_big_deterministic_and_off_topic(tmp_path: Path) -> None:
    first = build_distractors(tmp_path / "a")
    second = build_distractors(tmp_path / "b")
    files = _snapshot(tmp_path / "a")
    assert files == _snapshot(tmp_path / "b"), "two builds give identical bytes"
    assert first.passages == second.passages >= 500 and first.files == len(files) >= 50
    assert all(name.startswith("distractor_") and name.endswith(".txt") for name in files)
    passages = 0
    for name, data in files.items():
        text = data.decode("utf-8")
        assert not NEWS.search(text), name
        title, *body = text.strip().split("\n\n")
        assert title and "\n" not in title
        assert 1 <= len(body) <= 10
        assert all(70 <= len(p.split()) <= 210 for p in body), name
        passages += len(body)
    assert passages == first.passages and sum(first.sources.values()) > 50


def test_rebuild_replaces_only_its_own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prose = " ".join(f"Sentence number {i} explains how the widget counts its words carefully." for i in range(40))
    monkeypatch.setattr(distractors, "SOURCES", {"tiny": lambda: iter([("doc", "A tiny source", prose)])})
    (tmp_path / "distractor_9999.txt").write_text("stale", encoding="utf-8")
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    report = build_distractors(tmp_path, min_passages=2, target_passages=2)
    assert report.passages >= 2 and not (tmp_path / "distractor_9999.txt").exists()
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(DistractorError, match="only .* passages"):
        build_distractors(tmp_path, min_passages=1000)


def test_passages_drop_code_markup_and_news() -> None:
    words = "The parser reads every line of the file and keeps the words that belong to a sentence. " * 6
    text = (
        f"Title\n=====\n\n{words}\n\n```python\nx = {{1: 2}}\n```\n\n    indented_code(1, 2)\n\n"
        f">>> print('hi')\n\nSee `the docs <https://example.org>`_ and **bold** words. {words}\n\n"
        f"NATO is mentioned here. {words}"
    )
    got = distractors.passages(text)
    assert got and all(80 <= len(p.split()) <= 200 for p in got)
    joined = " ".join(got)
    for debris in ("Title", "=====", "x = ", "indented_code", ">>>", "https", "**", "`", "NATO"):
        assert debris not in joined
    assert "See the docs and bold words." in joined


@pytest.fixture(scope="module")
def sample_articles() -> list[Article]:
    out = []
    for path in sorted(sample_dir().glob("*.txt")):
        article = prepare(read(path))
        assert isinstance(article, Article)
        out.append(article)
    return out


def test_llamaindex_defaults_offsets_and_top_k(sample_articles: list[Article]) -> None:
    from llama_index.core import Settings

    base = LlamaIndexDefaults(FakeHashEmbedder()).build([(a.doc_id, a.path, a.text) for a in sample_articles])
    texts = {a.doc_id: a.text for a in sample_articles}
    # 500-1100-word articles, 1024-token chunks: one chunk each for three of them, two for the longer two
    assert sorted(Counter(n.metadata["doc_id"] for n in base.nodes).values()) == [1, 1, 1, 2, 2]
    assert base.offsets_from_llamaindex == len(base.nodes) and base.offsets_repaired == 0
    for node in base.nodes:
        assert texts[node.metadata["doc_id"]][node.start_char_idx : node.end_char_idx] == node.text
    hits = base.retrieve("Who leads the Ukraine Defense Contact Group meetings?")
    assert len(hits) == 2 and hits[0][3] >= hits[1][3]
    for doc_id, start, end, _ in hits:
        assert 0 <= start < end <= len(texts[doc_id])
    assert len(base.retrieve("defence spending", k=5)) == 5
    assert Settings._llm is None and Settings._embed_model is None, "no global (OpenAI) model was resolved"


def test_locate_repairs_missing_or_wrong_offsets() -> None:
    from eval.baselines import locate

    text = "One two.\n\nThree  four five. One two."
    assert locate(text, "One two.", 0, 8, 0) == (0, 8)
    assert locate(text, "One two.", None, None, 1) == (28, 36)
    assert locate(text, "Three four five.", 3, 9, 0) == (10, 27)
    assert locate(text, "absent words", None, None, 0) is None
