"""One store test suite, run against the embedded Chroma and a real Chroma server (`chroma run` on 127.0.0.1).

The same checks for both: writes, nearest neighbours, metadata filters, deletes, paging, and a whole index
(ingest, re-ingest, search) whose results must be the same on both.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from index import Index, sample_dir, servers
from index.embedding.fake import FakeHashEmbedder
from index.errors import IndexMismatchError, StoreUnavailableError
from index.store import ChromaServer, ChromaStore
from index.types import Chunk

pytestmark = pytest.mark.integration



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
    bare = store.query([1.0, 0.1, 0.0], k=2, text=False)
    assert [(h.id, list(h.vector)) for h in bare] == [(h.id, list(h.vector)) for h in near]
    ids_only = store.query([1.0, 0.1, 0.0], k=2, text=False, vectors=False)  # what a filtered search scans
    assert [(h.id, h.vector) for h in ids_only] == [(h.id, None) for h in near]
    assert [h.distance for h in ids_only] == pytest.approx([h.distance for h in near])
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
    port = servers.free_port()
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
