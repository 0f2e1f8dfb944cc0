"""The bundled MiniLM's ONNX export: same vectors as sentence-transformers, made and checked once, a damaged file
replaced, and a process that only asks never imports sentence-transformers or torch."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedding import minilm_onnx
from index.embedding.minilm import _load, model_path

TEXTS = [
    "The ministry said wheat exports rose 12 pct in March.",
    "",
    "Sprūds, Brüssel, São Paulo: naïve café façade.",
    "word " * 600,  # longer than the model's 256 tokens: truncated, not an error
    "U.S. troops stay in Poland, the Pentagon said on Thursday.",
    "Short.",
    "Ukraine Defense Contact Group (UDCG) met at NATO headquarters in Brussels to pledge new air defence systems.",
]


def _run(script: str, cache: Path) -> str:
    """The last line ``script`` prints, run in a new Python process with ``cache`` as the model cache."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "RAG_MODEL_CACHE": str(cache)}, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_MODEL_CACHE", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture(scope="module")
def st_model():
    return _load(model_path())


def test_export_gives_sentence_transformers_vectors_in_input_order(cache: Path, st_model) -> None:
    made = minilm_onnx.export(st_model, model_path())
    assert made is not None
    assert minilm_onnx.onnx_path(model_path()).parent == cache and minilm_onnx.onnx_path(model_path()).is_file()
    ours = made.encode(TEXTS)  # mixed lengths: batches are sorted by length, rows must come back in order
    theirs = np.asarray(st_model.encode(TEXTS, normalize_embeddings=True, show_progress_bar=False))
    assert ours.shape == (len(TEXTS), 384)
    assert (ours * theirs).sum(axis=1).min() > 0.99999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    reloaded = minilm_onnx.load(model_path())
    assert reloaded is not None
    assert np.allclose(reloaded.encode(TEXTS[::-1]), ours[::-1], atol=1e-6)


def test_damaged_export_is_dropped_with_a_reason(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = minilm_onnx.onnx_path(model_path())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00not an onnx model" * 100)
    with caplog.at_level(logging.WARNING):
        assert minilm_onnx.load(model_path()) is None
    assert not path.exists()
    assert "sentence-transformers" in caplog.text


def test_failed_export_leaves_no_file_and_says_why(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    class NotAModel:
        def __getitem__(self, i: int):
            raise TypeError("no transformer here")

    with caplog.at_level(logging.WARNING):
        assert minilm_onnx.export(NotAModel(), model_path()) is None
    assert "no transformer here" in caplog.text and "onnx" in caplog.text
    assert not cache.exists() or not any(cache.iterdir())


def test_asking_process_imports_neither_sentence_transformers_nor_torch(cache: Path, st_model) -> None:
    assert minilm_onnx.export(st_model, model_path()) is not None
    script = (
        "import json, sys\n"
        "from index.embedding import get_embedder\n"
        "from rag.judges.nlp import parse\n"
        "vector = get_embedder().embed('What did the Bank of Japan say about the yen?')\n"
        "doc = parse('The Bank of Japan said it would buy dollars.')\n"
        "print(json.dumps({'dim': len(vector), 'ents': [e.text for e in doc.ents],\n"
        "                  'st': 'sentence_transformers' in sys.modules, 'torch': 'torch' in sys.modules}))\n"
    )
    found = json.loads(_run(script, cache))
    assert any("Bank of Japan" in e for e in found.pop("ents"))  # spaCy works without torch
    assert found == {"dim": 384, "st": False, "torch": False}


def test_torch_loads_normally_after_spacy_was_imported_without_it(cache: Path) -> None:
    script = (
        "import sys\n"
        "from rag.judges.nlp import parse\n"
        "parse('Wheat exports rose.')\n"
        "assert 'torch' not in sys.modules\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    assert _run(script, cache) == "2.0"
