"""Where the index lives: an explicit argument, else ``RAG_INDEX_DIR``, else a per-user data folder; and the
Chroma server that holds its vectors instead of the embedded store, when ``RAG_CHROMA_HOST`` is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.store import ChromaServer

ENV_INDEX_DIR = "RAG_INDEX_DIR"
APP_NAME = "news-rag"


def resolve_index_dir(index_dir: str | os.PathLike[str] | None = None) -> Path:
    if index_dir is not None:
        return Path(index_dir).expanduser().resolve()
    env = os.environ.get(ENV_INDEX_DIR)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "index"


def model_cache_dir() -> Path:
    """Where models made on this machine live (a joined GGUF, an exported ONNX file): ``$RAG_MODEL_CACHE`` if
    set, else the per-user cache folder."""
    if os.environ.get("RAG_MODEL_CACHE"):
        return Path(os.environ["RAG_MODEL_CACHE"]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME)) / "models"


def sample_dir() -> Path:
    """The five demo articles shipped with the package."""
    return Path(__file__).parent / "samples"


def chroma_server_from_env() -> ChromaServer | None:
    """The Chroma server ``RAG_CHROMA_HOST`` names (with ``RAG_CHROMA_PORT``, ``RAG_CHROMA_SSL``,
    ``RAG_CHROMA_AUTH_HEADER``, ``RAG_CHROMA_TOKEN_ENV`` and ``RAG_CHROMA_COLLECTION``), or None for the
    embedded store."""
    from index.errors import ConfigError
    from index.store import ChromaServer

    host = os.environ.get("RAG_CHROMA_HOST", "").strip()
    if not host:
        return None
    try:
        port = int(os.environ.get("RAG_CHROMA_PORT", "8000"))
    except ValueError:
        raise ConfigError("RAG_CHROMA_PORT must be a port number, e.g. 8000") from None
    ssl = os.environ.get("RAG_CHROMA_SSL", "").strip().lower() in ("1", "true", "yes", "on")
    headers = {}
    token_env = os.environ.get("RAG_CHROMA_TOKEN_ENV", "").strip()
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            raise ConfigError(f"RAG_CHROMA_TOKEN_ENV names {token_env}, which is not set: set it to the value "
                              "the Chroma server expects in its auth header, or unset RAG_CHROMA_TOKEN_ENV")
        headers[os.environ.get("RAG_CHROMA_AUTH_HEADER", "Authorization")] = token
    collection = os.environ.get("RAG_CHROMA_COLLECTION", "").strip() or "chunks"
    return ChromaServer(host, port, ssl=ssl, headers=headers, collection=collection)
