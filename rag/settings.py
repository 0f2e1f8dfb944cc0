"""Configuration read once at the edges (CLI, UI) from ``RAG_*`` environment variables.

Library calls take explicit arguments; only backends named by string fill their options from here.
Secrets are never stored: ``openai_api_key_env`` names the variable that holds the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, with its environment variable ``RAG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid")

    index_dir: Path | None = Field(None, description="where the index lives (default: per-user data folder)")
    backend: str | None = Field(None, description="answer backend: llama-cpp (default when installed), extractive "
                                                  "(the fallback without llama.cpp) or openai")
    k: int = Field(5, ge=1, le=50, description="passages retrieved per question")
    max_file_mb: float = Field(10.0, gt=0, description="files larger than this are skipped")
    model: str = Field("qwen2.5-1.5b",
                       description="llama-cpp model: qwen2.5-1.5b, qwen2.5-0.5b, smollm2 or a GGUF path")
    model_wait: float = Field(120.0, gt=0, description="seconds a question waits for the shared local model")
    openai_base_url: str | None = Field(None, repr=False,  # may hold user:password@, so never in repr()
                                        description="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")
    openai_model: str = Field("default", description="model name to ask the server for")
    openai_api_key_env: str = Field("OPENAI_API_KEY", description="variable holding the API key ('' = no key)")
    openai_timeout: float = Field(120.0, gt=0, description="seconds to wait for the server's reply")
    openai_retries: int = Field(2, ge=0, le=10, description="retries of a refused connection or HTTP 429/5xx")
    ui_user: str | None = Field(None, description="with ui_password: the app asks for this login")
    ui_password: SecretStr | None = Field(None, description="the app's login password (never printed)")
    reranker: str = Field("none", description="reranking stage: none, or cross-encoder (needs reranker_model)")
    reranker_model: Path | None = Field(None, description="folder of a sentence-transformers CrossEncoder on disk")

    def model_post_init(self, context: Any) -> None:
        if os.environ.get("RAG_MODEL_PATH"):  # renamed: silently ignoring it would answer with another model
            from index.errors import ConfigError

            raise ConfigError("RAG_MODEL_PATH is now RAG_MODEL (a bundled model's name or a GGUF path): "
                              "set RAG_MODEL to the same path and unset RAG_MODEL_PATH")

    def build_reranker(self) -> Any:
        """The reranker these settings name (``none`` unless set)."""
        from index.rerank import get_reranker

        options = {"model_path": self.reranker_model} if self.reranker != "none" else {}
        return get_reranker(self.reranker, **options)

    def backend_options(self, name: str) -> dict[str, Any]:
        """Constructor arguments for the backend registered as ``name``."""
        if name == "llama-cpp":
            return {"model": self.model, "wait": self.model_wait}
        if name == "openai":
            return {"base_url": self.openai_base_url, "model": self.openai_model,
                    "api_key_env": self.openai_api_key_env, "timeout": self.openai_timeout,
                    "retries": self.openai_retries}
        return {}
