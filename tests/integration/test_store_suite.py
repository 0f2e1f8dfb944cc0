"""One store test suite, run against the embedded Chroma and a real Chroma server (`chroma run` on 127.0.0.1).

The same checks for both: writes, nearest neighbours, metadata filters, deletes, paging, and a whole index
(ingest, re-ingest, search) whose results must be the same on both.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import Index, sample_dir
from index.embedding.fake import FakeHashEmbedder
from index.errors import IndexMismatchError, StoreUnavailableError
from index.store import ChromaServer, ChromaStore
from index.types import Chunk
from tests.helpers import free_port

pytestmark = pytest.mark.integration



@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` on 127.0.0.1 (a free port), stopped after the session."""
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).with_name("chroma"))
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen([exe, "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:  # bounded: 60 s
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: {(folder / 'server.log').read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("chroma run did not listen within 60 s")
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.fixture(params=["embedded", "server"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | ChromaServer:
    if request.param == "embedded":
        return tmp_path / "chroma"
    host, port = request.getfixturevalue("chroma_server")
    return ChromaServer(host, port, collection=f"test-{uuid.uuid4().hex[:12]}")


def chunk(doc: str, i: int, text: str) -> Chunk:
    return Chunk(doc_id=doc, start=i * 100, end=i * 100 + len(text), text=text)


def test_writes_neighbours_filters_deletes_and_paging(where: Path | ChromaServer) -> None:
    store = ChromaStore(where, "unit-vectors")
    chunks = [chunk("a", 0, "alpha"), chunk("a", 1, "beta"), chunk("b", 0, "gamma"), chunk("c", 0, "delta")]
    vectors = [[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    metas = [{"doc_id": c.doc_id, "source": "CNN" if c.doc_id == "a" else "Al Jazeera", "published": None}
             for c in chunks]
    store.upsert(chunks, vectors, metas)
    store.upsert(chunks[:1], vectors[:1], metas[:1])  # upsert is idempotent
    assert store.count() == 4
    near = store.query([1.0, 0.1, 0.0], k=2)
    assert [h.text for h in near] == ["alpha", "beta"] and near[0].distance < near[1].distance
    assert len(near[0].vector) == 3 and near[0].meta["source"] == "CNN" and "published" not in near[0].meta
    assert [h.text for h in store.query([1.0, 0.1, 0.0], k=5, where={"source": "Al Jazeera"})] == ["gamma", "delta"]
    assert store.query([1.0, 0.0, 0.0], k=0) == []
    assert set(store.vectors([chunks[2].id, "missing:0-1"])) == {chunks[2].id}
    ids, texts, _ = store.all_chunks(batch=3)  # two pages
    assert sorted(texts) == ["alpha", "beta", "delta", "gamma"] and len(set(ids)) == 4
    assert store.delete_doc("a") == 2 and store.count() == 2


def test_an_index_gives_the_same_results_on_both_stores(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    host, port = chroma_server
    results = []
    for where in (None, ChromaServer(host, port, collection=f"test-{uuid.uuid4().hex[:12]}")):
        idx = Index(tmp_path / f"index-{'server' if where else 'embedded'}", embedder=FakeHashEmbedder(),
                    chroma=where)
        try:
            first = idx.ingest([sample_dir()])
            again = idx.ingest([sample_dir()])
            assert len(first.added) == 5 and first.chunks_added > 0
            assert again.added == [] and again.chunks_added == 0
            hits = idx.search("What did Hegseth say about NATO membership for Ukraine?", k=5)
            filtered = idx.search("troops", k=3, filters={"source": "CNN"})
            results.append(([h.chunk_id for h in hits], [h.chunk_id for h in filtered], idx.info().chunks))
            assert {h.source for h in filtered} == {"CNN"}
        finally:
            idx.close()
    assert results[0] == results[1]


def test_a_server_that_is_down_is_a_clear_error(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}"):
        ChromaStore(ChromaServer("127.0.0.1", port), "x")


def test_a_collection_belongs_to_one_index_folder(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    host, port = chroma_server
    server = ChromaServer(host, port, collection=f"test-{uuid.uuid4().hex[:12]}")
    Index(tmp_path / "one", embedder=FakeHashEmbedder(), chroma=server).close()
    with pytest.raises(IndexMismatchError, match="another index folder"):
        Index(tmp_path / "two", embedder=FakeHashEmbedder(), chroma=server)


def test_the_setting_switches_the_store(chroma_server: tuple[str, int], tmp_path: Path, monkeypatch) -> None:
    host, port = chroma_server
    monkeypatch.setenv("RAG_CHROMA_HOST", host)
    monkeypatch.setenv("RAG_CHROMA_PORT", str(port))
    monkeypatch.setenv("RAG_CHROMA_COLLECTION", f"test-{uuid.uuid4().hex[:12]}")
    idx = Index(tmp_path / "index", embedder=FakeHashEmbedder())
    try:
        assert isinstance(idx.store.where, ChromaServer) and idx.store.where.port == port
        idx.ingest([sample_dir()])
        assert idx.search("Hegseth", k=1)
        assert not (tmp_path / "index" / "chroma").exists()  # nothing embedded was created
    finally:
        idx.close()
