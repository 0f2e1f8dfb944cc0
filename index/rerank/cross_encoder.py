"""A sentence-transformers ``CrossEncoder`` you already have on disk, as a reranker.

None ships inside a package (FINDINGS), so this is for users who bring their own, e.g. a
folder holding ``cross-encoder/ms-marco-MiniLM-L-6-v2``. Nothing is downloaded: the path must exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.errors import ConfigError
from index.rerank.base import Reranker
from index.torchless import TORCH_IMPORT
from index.types import Hit


class CrossEncoderReranker(Reranker):
    name = "cross-encoder"

    def __init__(self, model_path: str | Path | None = None, *, batch_size: int = 16) -> None:
        if model_path is None:
            raise ConfigError(
                "The cross-encoder reranker needs the folder of a CrossEncoder model saved on disk: set "
                "RAG_RERANKER_MODEL (or pass model_path=), or use RAG_RERANKER=none."
            )
        path = Path(model_path).expanduser()
        if not path.is_dir():
            raise ConfigError(
                f"No cross-encoder model folder at {path}. Give the path of a sentence-transformers "
                "CrossEncoder saved on disk (models are never downloaded), or use the default reranker 'none'."
            )
        self.path = path
        self.batch_size = batch_size
        self._model: Any = None

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        if self._model is None:
            with TORCH_IMPORT:  # never while spaCy is imported with torch hidden
                from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        scores = self._model.predict([(query, h.text) for h in hits], batch_size=self.batch_size)
        rescored = [dataclasses.replace(h, score=float(s)) for h, s in zip(hits, scores, strict=True)]
        return sorted(rescored, key=lambda h: -h.score)
