"""Where the index lives: an explicit argument, else ``RAG_INDEX_DIR``, else a per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

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


def sample_dir() -> Path:
    """The five demo articles shipped with the package."""
    return Path(__file__).parent / "samples"
