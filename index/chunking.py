"""Sentence-aware chunks that keep exact character offsets into the cleaned text.

Why not llama-index's ``SentenceSplitter``: it returns chunk *strings* (stripped and re-joined)
and recovers offsets afterwards with ``str.find``, which can miss or land on an earlier copy
of a repeated passage. We use the same sentence tokenizer it uses (NLTK's Punkt, via
``span_tokenize``), keep each sentence's span, and pack spans into chunks, so
``text[chunk.start:chunk.end] == chunk.text`` holds by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from index.types import Chunk

_TOKEN = re.compile(r"\w+|[^\w\s]")
_LINE = re.compile(r"[^\n]+")


def count_tokens(text: str) -> int:
    """Words and punctuation marks: close to a WordPiece count for English news text."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class ChunkConfig:
    """Chunk size and overlap, in tokens (see ``count_tokens``)."""

    size: int = 200
    overlap: int = 50

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"chunk size must be at least 8 tokens, got {self.size}")
        if not 0 <= self.overlap < self.size:
            raise ValueError(f"chunk overlap must be in [0, size), got {self.overlap} for size {self.size}")

    @property
    def signature(self) -> str:
        return f"punkt-v2:{self.size}/{self.overlap}"


# Abbreviations that end with a period but not a sentence ("U.S. troops", "Gen. Cavoli"). Punkt's
# untrained model does not know them; without this list "U.S." ends a sentence.
ABBREVIATIONS = (
    "u.s u.k u.n e.u a.m p.m mr mrs ms dr prof gen lt col maj capt sgt adm sen rep gov pres st jr sr no vs etc "
    "jan feb mar apr jun jul aug sep sept oct nov dec inc corp ltd co dept"
)


@lru_cache(maxsize=1)
def _punkt() -> Callable[[str], Iterator[tuple[int, int]]]:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS.split())
    return PunktSentenceTokenizer(params).span_tokenize


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; sentences never cross a line break."""
    spans: list[tuple[int, int]] = []
    tokenize = _punkt()
    for line in _LINE.finditer(text):
        base = line.start()
        for s, e in tokenize(line.group()):
            if text[base + s:base + e].strip():
                spans.append((base + s, base + e))
    return spans


def _units(text: str, size: int) -> list[tuple[int, int, int]]:
    """Sentence spans with token counts; a sentence longer than ``size`` is cut at word bounds."""
    units: list[tuple[int, int, int]] = []
    for start, end in sentence_spans(text):
        n = count_tokens(text[start:end])
        if n <= size:
            units.append((start, end, n))
            continue
        tokens = list(_TOKEN.finditer(text, start, end))
        for i in range(0, len(tokens), size):
            part = tokens[i:i + size]
            units.append((part[0].start(), part[-1].end(), len(part)))
    return units


def chunk_text(doc_id: str, text: str, config: ChunkConfig | None = None) -> list[Chunk]:
    """Split ``text`` into overlapping chunks of whole sentences.

    Example:
        >>> chunks = chunk_text("doc1", "One. Two. Three.", ChunkConfig(size=8, overlap=2))
        >>> all("One. Two. Three."[c.start:c.end] == c.text for c in chunks)
        True
    """
    config = config or ChunkConfig()
    units = _units(text, config.size)
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= config.size):
            total += units[j][2]
            j += 1
        start, end = units[i][0], units[j - 1][1]
        chunks.append(Chunk(doc_id=doc_id, start=start, end=end, text=text[start:end]))
        if j >= len(units):
            break
        # step back over trailing sentences that fit in the overlap, but always move forward
        back, carried = j, 0
        while back - 1 > i and carried + units[back - 1][2] <= config.overlap:
            back -= 1
            carried += units[back][2]
        i = back
    return chunks
