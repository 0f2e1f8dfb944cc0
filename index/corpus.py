"""What search holds in memory about every chunk: its id, filterable metadata (outlet, date, superseded) and
BM25 over its words, built from the manifest (``Manifest.lexicon``) and rebuilt when the index changes
(``index.search.Searcher._corpus``). Filters become boolean masks over it, the same filters Chroma's ``where``
would apply."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from index.datefilter import Window
from index.filters import Filters, date_number
from index.lexical import LexicalIndex, Vocabulary


@dataclass
class Corpus:
    """Every recorded chunk's id and filterable metadata, and BM25 over them; rebuilt when the index changes."""

    generation: int
    built_at: float
    ids: list[str]
    metas: list[dict[str, Any]]
    lexical: LexicalIndex
    position: dict[str, int] = field(default_factory=dict)
    dates: Any = None  # numpy int64: each chunk's publication date number (``date_number``), 0 when unknown
    masks: dict[Any, Any] = field(default_factory=dict)

    def mask(self, filters: Filters) -> Any:
        found = self.masks.get(filters)
        if found is None:
            if len(self.masks) > 64:
                self.masks.clear()
            found = self.masks[filters] = filters.mask(self.metas)
        return found

    def window_mask(self, filters: Filters, window: Window) -> Any:
        """Chunks that pass ``filters`` and were published in ``window`` (or have no date, if it keeps those)."""
        found = self.masks.get((filters, window))
        if found is None:
            keep = window.accepts(self.dates)
            base = self.mask(filters)
            if len(self.masks) > 64:
                self.masks.clear()
            found = self.masks[(filters, window)] = keep if base is None else keep & base
        return found

    @classmethod
    def build(cls, generation: int, lex: Any, hidden: Collection[str]) -> Corpus:
        """The corpus of ``lex`` (``Manifest.lexicon()``); chunks of ``hidden`` documents are marked superseded."""
        import numpy as np

        metas = [{"doc_id": d, "source": s, "published_num": date_number(p) if p else None,
                  "superseded": d in hidden}
                 for d, s, p in zip(lex.doc_ids, lex.sources, lex.published, strict=True)]
        return cls(generation, time.monotonic(), lex.chunk_ids, metas,
                   LexicalIndex(lex.flat, lex.lengths, Vocabulary(lex.vocabulary)),
                   {cid: i for i, cid in enumerate(lex.chunk_ids)},
                   np.fromiter((m["published_num"] or 0 for m in metas), dtype=np.int64, count=len(metas)))
