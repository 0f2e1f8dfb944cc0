"""Real components: the bundled MiniLM, a real Chroma on disk, real llama.cpp and a real local server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from index import Index, sample_dir
from index.servers import chroma_server as chroma_server_at

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The sample articles ingested once with the real MiniLM embedder."""
    root = tmp_path_factory.mktemp("real")
    shutil.copytree(sample_dir(), root / "articles")
    idx = Index(root / "index")
    idx.ingest([root / "articles"])
    yield idx
    idx.close()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real OpenAI-compatible llama.cpp server on 127.0.0.1 serving SmolLM2; stopped after the session."""
    from rag.backends.llama_cpp import local_server

    with (tmp_path_factory.mktemp("server") / "server.log").open("w") as log, local_server(log=log) as base:
        yield base


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` on 127.0.0.1 (a free port), stopped after the session."""
    folder = tmp_path_factory.mktemp("chroma-server")
    with (folder / "server.log").open("w") as log, chroma_server_at(folder / "data", log=log) as server:
        yield server.host, server.port
