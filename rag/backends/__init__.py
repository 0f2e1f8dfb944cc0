"""Answer backends by name: ``get_backend("extractive")``, ``get_backend("openai", base_url=...)``."""

from __future__ import annotations

import importlib
from typing import Any

from index.errors import ConfigError
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
    try:
        target = BACKENDS[name]
    except KeyError:
        raise ConfigError(f"Unknown backend {name!r}; known backends: {', '.join(BACKENDS)}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(**options)


__all__ = ["Backend", "ChatBackend", "BACKENDS", "DEFAULT_BACKEND", "get_backend"]
