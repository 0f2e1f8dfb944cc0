"""Real components: the bundled MiniLM, a real Chroma on disk, real llama.cpp and a real local server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from index import Index, sample_dir

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real OpenAI-compatible llama.cpp server on 127.0.0.1 serving SmolLM2; stopped after the session."""
    from rag.backends.llama_cpp import bundled_model_path

    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        for _ in range(600):  # bounded in count and in time
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/models", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not become ready within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
