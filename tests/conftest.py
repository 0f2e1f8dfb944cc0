"""Shared fixtures: every test gets its own data folder and a clean environment."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from index import Index, sample_dir
from index.embedding.fake import FakeHashEmbedder

QUESTIONS = Path(__file__).parents[1] / "eval" / "data" / "questions.jsonl"


@pytest.fixture(autouse=True)
def clean_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No RAG_* or OPENAI_* setting leaks in from the developer's shell; the index lives in a temp dir."""
    for key in list(os.environ):
        if key.startswith(("RAG_", "OPENAI_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path_factory.mktemp("default-index")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    yield
    from rag.api import close_all

    close_all()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A writable copy of the five sample articles."""
    dest = tmp_path / "articles"
    shutil.copytree(sample_dir(), dest)
    return dest


@pytest.fixture
def fake_index(tmp_path: Path) -> Index:
    """An index with the FAKE hash embedder (fast; no model)."""
    idx = Index(tmp_path / "idx", embedder=FakeHashEmbedder())
    yield idx
    idx.close()


def load_questions() -> list[dict]:
    """The original 18 spine questions (the gold rows that carry ``must_contain``)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("must_contain")]
