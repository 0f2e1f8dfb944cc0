"""Answer backends by name: ``get_backend("extractive")``, ``get_backend("openai", base_url=...)``."""

from __future__ import annotations

from typing import Any

from index.registry import build
from rag.backends.base import Backend, ChatBackend

BACKENDS = {
    "extractive": "rag.backends.extractive:ExtractiveBackend",
    "llama-cpp": "rag.backends.llama_cpp:LlamaCppBackend",
    "openai": "rag.backends.openai:OpenAIBackend",
    "fake-scripted": "rag.backends.fake:ScriptedFakeLLM",
}
DEFAULT_BACKEND = "extractive"


def get_backend(name: str, **options: Any) -> Backend:
    """Build the backend registered as ``name`` with ``options`` as constructor arguments."""
    backend: Backend = build(BACKENDS, "backend", name, **options)
    return backend


__all__ = ["Backend", "ChatBackend", "BACKENDS", "DEFAULT_BACKEND", "get_backend"]
