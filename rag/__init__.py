"""Question answering over news articles, with every statement cited to a source passage.

    >>> from rag import ingest, ask
    >>> ingest(["articles/"])
    >>> answer = ask("What did Hegseth say about NATO membership for Ukraine?")
    >>> print(answer.text)
    >>> for c in answer.citations:
    ...     print(f"[{c.number}] {c.source}: {c.text[:70]}")
"""

from index.errors import (
    BackendBusyError,
    BackendError,
    BackendUnavailableError,
    ConfigError,
    EmptyIndexError,
    IndexBusyError,
    IndexMismatchError,
    IndexStateError,
    MissingExtraError,
    MissingKeyError,
    RagError,
    StoreUnavailableError,
)
from index.pipeline import IndexInfo
from index.types import Hit, IngestReport
from rag.api import ask, ask_stream, info, ingest, sample_articles, search
from rag.backends import Backend, get_backend
from rag.conversation import Conversation
from rag.types import Answer, Citation

__all__ = [
    "Answer",
    "Backend",
    "BackendBusyError",
    "BackendError",
    "BackendUnavailableError",
    "Citation",
    "ConfigError",
    "Conversation",
    "EmptyIndexError",
    "Hit",
    "IndexBusyError",
    "IndexInfo",
    "IndexMismatchError",
    "IndexStateError",
    "IngestReport",
    "MissingExtraError",
    "MissingKeyError",
    "RagError",
    "StoreUnavailableError",
    "ask",
    "ask_stream",
    "get_backend",
    "info",
    "ingest",
    "sample_articles",
    "search",
]
