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
DEFAULT_BACKEND = "llama-cpp"  # the bundled Qwen2.5 1.5B; extractive when llama.cpp or the model is not installed
FALLBACK_BACKEND = "extractive"


def get_backend(name: str, **options: Any) -> Backend:
    """Build the backend registered as ``name`` with ``options`` as constructor arguments."""
    backend: Backend = build(BACKENDS, "backend", name, **options)
    return backend


def default_backend_name(model: str | None = None) -> tuple[str, str]:
    """The backend to use when none is named (``model``: the local model asked for, ``RAG_MODEL``), and a one-line
    note when it is the fallback (else "")."""
    from rag.backends.llama_cpp import available

    why = available(model)
    if not why:
        return DEFAULT_BACKEND, ""
    fix = "" if "pip install" in why else "; install it: pip install -e '.[local-llm]'"
    return FALLBACK_BACKEND, f"note: answering with the extractive backend (quotes, no model) because {why}{fix}"


__all__ = ["Backend", "ChatBackend", "BACKENDS", "DEFAULT_BACKEND", "FALLBACK_BACKEND", "default_backend_name",
           "get_backend"]
