"""Retrieval baselines for the benchmark: LlamaIndex's defaults over the same articles and the same embedder.

``LlamaIndexDefaults`` is what a LlamaIndex quick start does, minus the network: ``SentenceSplitter`` with
its default ``chunk_size=1024`` / ``chunk_overlap=200`` (tokens of tiktoken's cl100k encoding, which
llama-index ships in its own cache folder), an in-memory ``VectorStoreIndex`` and dense retrieval with the
default ``similarity_top_k=2``. Only the embedder differs from the quick start's OpenAI default: it is our
MiniLM (or any ``index.embedding.Embedder``), wrapped as a llama-index ``BaseEmbedding`` and passed
explicitly, so the global ``Settings`` are never read for a model and nothing reaches the network.

Caveat, measured on the samples plus the distractor corpus: MiniLM reads at most 256 word pieces, and ~97% of
the 1024-token chunks are longer (median ~1,000 word pieces), so each chunk is embedded from roughly its first
quarter only. That is what "LlamaIndex defaults with MiniLM" does; it is part of what this baseline measures.

Documents are the articles' CLEANED text (``index.pipeline.prepare``), so node offsets are offsets into the
same text the gold spans use. Metadata (doc id, path) rides on each document but is excluded from what is
embedded, so the embedded text is the chunk text alone, as in our own index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from index.embedding import Embedder

_META_KEYS = ["doc_id", "path"]


def wrap_embedder(embedder: Embedder, *, batch_size: int = 64) -> Any:
    """``embedder`` as a llama-index ``BaseEmbedding`` (a class defined on first use: llama-index loads lazily)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _Wrapped(BaseEmbedding):
        _embedder: Embedder = PrivateAttr()

        def __init__(self, inner: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=inner.name, **kwargs)
            self._embedder = inner

        @classmethod
        def class_name(cls) -> str:
            return "NewsRagEmbedding"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_batch([query])[0]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_batch([text])[0]

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_batch(texts)

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._get_text_embeddings(texts)

    return _Wrapped(embedder, embed_batch_size=batch_size)


def locate(text: str, chunk: str, start: int | None, end: int | None, cursor: int) -> tuple[int, int] | None:
    """Where ``chunk`` sits in ``text``: llama-index's own offsets when they check out, else a search.

    The search tries an exact match from ``cursor`` (the previous chunk's start), then anywhere, then a match
    that allows any run of whitespace wherever the chunk has whitespace.
    """
    if start is not None and end is not None and 0 <= start <= end and text[start:end] == chunk:
        return start, end
    for at in (cursor, 0):
        found = text.find(chunk, at)
        if found >= 0:
            return found, found + len(chunk)
    words = chunk.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    match = pattern.search(text, cursor) or pattern.search(text)
    return (match.start(), match.end()) if match else None


class LlamaIndexDefaults:
    """LlamaIndex's default chunking and dense retrieval over (doc_id, path, cleaned text) articles.

    Example:
        >>> base = LlamaIndexDefaults(get_embedder())
        >>> base.build([(a.doc_id, a.path, a.text) for a in articles])
        >>> base.retrieve("Who chaired the meeting?")  # [(doc_id, start, end, score), ...] best first
    """

    name = "llamaindex-defaults"

    def __init__(self, embedder: Embedder, *, chunk_size: int = 1024, chunk_overlap: int = 200, top_k: int = 2):
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.top_k = top_k
        self.nodes: list[Any] = []
        self.offsets_from_llamaindex = 0  # nodes whose own start/end offsets were right
        self.offsets_repaired = 0  # nodes located by search instead (offsets None or wrong)
        self._index: Any = None

    def describe(self) -> str:
        return (
            f"LlamaIndex defaults: SentenceSplitter({self.chunk_size}/{self.chunk_overlap} tokens), "
            f"VectorStoreIndex in memory, top_k={self.top_k}, embedder {self.embedder.name}"
        )

    def build(self, articles: Sequence[tuple[str, str, str]]) -> LlamaIndexDefaults:
        """Chunk and embed the articles; each is (doc_id, path, cleaned text)."""
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.schema import MetadataMode, TextNode

        docs = [
            Document(
                text=text,
                id_=doc_id,
                metadata={"doc_id": doc_id, "path": path},
                excluded_embed_metadata_keys=list(_META_KEYS),
                excluded_llm_metadata_keys=list(_META_KEYS),
            )
            for doc_id, path, text in articles
        ]
        texts = {doc_id: text for doc_id, _, text in articles}
        splitter = SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap)
        nodes = splitter.get_nodes_from_documents(docs)
        cursor: dict[str, int] = {}
        self.offsets_from_llamaindex = self.offsets_repaired = 0
        for node in nodes:
            if not isinstance(node, TextNode):
                raise TypeError(f"SentenceSplitter gave a {type(node).__name__}, expected TextNode")
            doc_id = node.metadata["doc_id"]
            chunk = node.get_content(metadata_mode=MetadataMode.NONE)
            found = locate(texts[doc_id], chunk, node.start_char_idx, node.end_char_idx, cursor.get(doc_id, 0))
            if found is None:
                raise RuntimeError(f"llama-index chunk not found in its article {doc_id}: {chunk[:80]!r}")
            if found == (node.start_char_idx, node.end_char_idx):
                self.offsets_from_llamaindex += 1
            else:
                self.offsets_repaired += 1
                node.start_char_idx, node.end_char_idx = found
            cursor[doc_id] = found[0] + 1
        self.nodes = nodes
        self._index = VectorStoreIndex(nodes, embed_model=wrap_embedder(self.embedder), show_progress=False)
        return self

    def retrieve(self, question: str, k: int | None = None) -> list[tuple[str, int, int, float]]:
        """The ``k`` (default ``top_k``) closest chunks as (doc_id, start, end, score), best first."""
        if self._index is None:
            raise RuntimeError("call build() before retrieve()")
        retriever = self._index.as_retriever(similarity_top_k=k or self.top_k)
        return [
            (r.node.metadata["doc_id"], int(r.node.start_char_idx), int(r.node.end_char_idx), float(r.score or 0.0))
            for r in retriever.retrieve(question)
        ]
