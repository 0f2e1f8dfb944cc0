"""Every error this project raises, in one place.

Each message says what happened and what to do next.

    RagError                      base class: catch this to catch them all
    ├── ConfigError               a setting is wrong or missing (bad backend name, bad filter, ...)
    │   └── MissingExtraError     an optional extra is not installed (names the pip command)
    ├── IndexStateError           the index on disk cannot be used as asked
    │   ├── EmptyIndexError       nothing has been ingested yet (says how to ingest)
    │   ├── IndexMismatchError    the index was built with another embedding model
    │   ├── IndexBusyError        another ingest is writing to this index right now
    │   └── StoreUnavailableError the Chroma server cannot be reached (names host and port)
    └── BackendError              the answer backend failed
        ├── MissingKeyError       the API key's environment variable is not set
        ├── BackendBusyError      the shared local model stayed busy with other questions past the wait limit
        └── BackendUnavailableError  the server cannot be reached / answered with an error (names the URL)

This module lives in ``index`` (the bottom layer) so that ``index`` and ``rag`` share one
hierarchy while imports keep pointing one way; ``rag`` re-exports it.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class for every error raised by this project."""


class ConfigError(RagError):
    """A setting is wrong or missing."""


class MissingExtraError(ConfigError):
    """An optional extra is needed; the message names the install command."""

    def __init__(self, extra: str, what: str) -> None:
        super().__init__(f"{what} needs the [{extra}] extra: pip install -e '.[{extra}]'")
        self.extra = extra


class IndexStateError(RagError):
    """The index on disk cannot be used as asked."""


class StoreUnavailableError(IndexStateError):
    """The Chroma server the settings name cannot be reached."""


class EmptyIndexError(IndexStateError):
    """Nothing has been ingested into this index yet."""

    def __init__(self, index_dir: object) -> None:
        super().__init__(
            f"The index at {index_dir} is empty: there are no articles to answer from. "
            "Add some with: rag ingest PATH... (or `rag ingest --sample` for the demo articles)"
        )


class IndexMismatchError(IndexStateError):
    """The index was built with a different embedding model."""


class IndexBusyError(IndexStateError):
    """Another ingest is writing to this index (one at a time per index folder)."""


class BackendError(RagError):
    """The answer backend failed."""


class MissingKeyError(BackendError):
    """The environment variable that should hold the API key is not set."""


class BackendBusyError(BackendError):
    """The one shared local model answered other questions for longer than the wait limit allows."""


class BackendUnavailableError(BackendError):
    """The LLM server could not be reached or answered with an error."""
