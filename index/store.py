"""Chunks and their vectors in Chroma, behind a small wrapper of our own.

Chroma never embeds anything itself here: every add and query passes vectors, so its default
(downloaded) embedding model is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import IndexMismatchError
from index.types import Chunk

COLLECTION = "chunks"


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    meta: dict[str, Any]
    distance: float
    vector: Any = None


def _client(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


class ChromaStore:
    """One Chroma collection of chunks, cosine distance, tagged with the embedder that made it."""

    def __init__(self, path: Path, embedder_name: str) -> None:
        self.client = _client(path)
        self.collection = self.client.get_or_create_collection(
            COLLECTION,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder_name},
        )
        built_with = (self.collection.metadata or {}).get("embedder")
        if built_with and built_with != embedder_name:
            raise IndexMismatchError(
                f"The index at {path.parent} was built with the {built_with!r} embedder, not {embedder_name!r}. "
                "Use the same embedder, or point RAG_INDEX_DIR at a new folder and ingest again."
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

    def query(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """The ``k`` nearest chunks (cosine distance), with their vectors; ``where`` is a Chroma filter."""
        if k <= 0:
            return []
        res = self.collection.query(  # asking for more than the collection holds returns what there is
            query_embeddings=[[float(x) for x in vector]], n_results=k, where=where or None,
            include=["documents", "metadatas", "distances", "embeddings"],
        )
        return [
            StoredChunk(id=i, text=d, meta=dict(m or {}), distance=float(dist), vector=v)
            for i, d, m, dist, v in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                        res["distances"][0], res["embeddings"][0], strict=True)
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
