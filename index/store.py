"""Chunks and their vectors in Chroma, behind a small wrapper of our own.

Chroma never embeds anything itself here: every add and query passes vectors, so its default
(downloaded) embedding model is never touched. The store is embedded (``chromadb.PersistentClient`` in
the index folder) or a Chroma server (``chromadb.HttpClient``, e.g. ``chroma run``): see ``ChromaServer``.
Everything above this module works the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexMismatchError, StoreUnavailableError
from index.types import Chunk

COLLECTION = "chunks"


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    meta: dict[str, Any]
    distance: float
    vector: Any = None


@dataclass(frozen=True)
class ChromaServer:
    """A Chroma server to keep the vectors in (``chroma run --host 127.0.0.1 --port 8000 --path DIR``).

    ``headers`` (e.g. an auth token) are sent with every request and never printed; ``collection`` lets
    several indexes share one server.
    """

    host: str
    port: int = 8000
    ssl: bool = False
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    collection: str = COLLECTION

    @property
    def address(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}"


def _client(where: Path | ChromaServer) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if isinstance(where, ChromaServer):
        try:
            client = chromadb.HttpClient(host=where.host, port=where.port, ssl=where.ssl,
                                         headers=dict(where.headers), settings=settings)
            client.heartbeat()
        except Exception as exc:  # chromadb raises plain ValueError/ConnectionError/httpx errors here
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {where.address} ({type(exc).__name__}): is `chroma run` "
                "running there, and are RAG_CHROMA_HOST/RAG_CHROMA_PORT right? Unset RAG_CHROMA_HOST to use "
                "the embedded store."
            ) from None
        return client
    where.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(where), settings=settings)


class ChromaStore:
    """One Chroma collection of chunks, cosine distance, tagged with the embedder that made it.

    ``where``: a folder for the embedded store, or a ``ChromaServer``.
    """

    def __init__(self, where: Path | ChromaServer, embedder_name: str, index_id: str | None = None) -> None:
        self.where = where
        self.client = _client(where)
        name = where.collection if isinstance(where, ChromaServer) else COLLECTION
        meta = {"embedder": embedder_name, **({"index_id": index_id} if index_id else {})}
        self.collection = self.client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}, metadata=meta,
        )
        owner = (self.collection.metadata or {}).get("index_id")
        if isinstance(where, ChromaServer) and index_id and owner and owner != index_id:
            raise IndexMismatchError(
                f"The collection {name!r} on the Chroma server at {where.address} belongs to another index folder "
                "(each index folder keeps the list of what its collection holds). Use that folder, or give this "
                "one its own collection with RAG_CHROMA_COLLECTION."
            )
        built_with = (self.collection.metadata or {}).get("embedder")
        if built_with and built_with != embedder_name:
            place = where.address if isinstance(where, ChromaServer) else str(where.parent)
            raise IndexMismatchError(
                f"The index at {place} was built with the {built_with!r} embedder, not {embedder_name!r}. "
                "Use the same embedder, or point RAG_INDEX_DIR (or the server's collection) somewhere new "
                "and ingest again."
            )

    def count(self) -> int:
        return int(self.collection.count())

    def upsert(
        self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], metas: Sequence[dict[str, Any]]
    ) -> None:
        if not chunks:
            return
        self.collection.upsert(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            embeddings=[list(v) for v in vectors],
            metadatas=[{k: v for k, v in m.items() if v is not None} for m in metas],
        )

    def delete_doc(self, doc_id: str) -> int:
        ids = self.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self.collection.delete(ids=ids)
        return len(ids)

    def query(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None, *,
              text: bool = True, vectors: bool = True) -> list[StoredChunk]:
        """The ``k`` nearest chunks (cosine distance), with their vectors; ``where`` is a Chroma filter.
        ``text=False`` leaves out texts and metadata (search takes them from the manifest: faster);
        ``vectors=False`` leaves out the vectors (2,000 nearest: 8 ms without them, 49 ms with them)."""
        if k <= 0:
            return []
        include = ["distances"] + (["documents", "metadatas"] if text else []) + (["embeddings"] if vectors else [])
        res = self.collection.query(  # asking for more than the collection holds returns what there is
            query_embeddings=[[float(x) for x in vector]], n_results=k, where=where or None, include=include,
        )
        n = len(res["ids"][0])
        docs = res["documents"][0] if text else [""] * n
        metas = res["metadatas"][0] if text else [{}] * n
        found = res["embeddings"][0] if vectors else [None] * n
        return [
            StoredChunk(id=i, text=d, meta=dict(m or {}), distance=float(dist), vector=v)
            for i, d, m, dist, v in zip(res["ids"][0], docs, metas, res["distances"][0], found, strict=True)
        ]

    def vectors(self, ids: Sequence[str]) -> dict[str, Any]:
        """Stored vectors by chunk id (ids not in the store are left out)."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def all_chunks(self, batch: int = 5000) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Every chunk's id, text and metadata (paged, so a big collection is not read in one call)."""
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            if not got["ids"]:
                break
            ids += got["ids"]
            texts += [d or "" for d in got["documents"]]
            metas += [dict(m or {}) for m in got["metadatas"]]
            offset += len(got["ids"])
        return ids, texts, metas
