"""Documents in, hits out: loading, cleaning, chunking, embedding, the Chroma store and search.

``index`` imports nothing from ``rag``, ``ui`` or ``eval``.
"""

from index.chunking import ChunkConfig, chunk_text
from index.paths import resolve_index_dir, sample_dir
from index.pipeline import Index, IndexInfo
from index.types import Article, Chunk, Hit, IngestReport

__all__ = [
    "Article", "Chunk", "ChunkConfig", "Hit", "Index", "IndexInfo", "IngestReport",
    "chunk_text", "resolve_index_dir", "sample_dir",
]
