"""Parse [n] markers in a backend's reply into ``Citation``s; markers pointing at no passage are dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.types import Hit
from rag.types import Citation

# [1]  [1, 2]  [1][3]  [Passage 2]  [source 4]
MARKER = re.compile(r"\[\s*(?:(?:passage|source|ref)\s*)?(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]", re.IGNORECASE)


def parse_citations(text: str, passages: Sequence[Hit]) -> tuple[str, list[Citation], list[int]]:
    """Return (text with bad markers removed, citations in first-use order, dropped numbers).

    A marker listing several numbers keeps the valid ones; a marker with none valid disappears.
    """
    cited: dict[int, Citation] = {}
    dropped: list[int] = []

    def fix(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1).strip())]
        good = []
        for n in numbers:
            if 1 <= n <= len(passages):
                good.append(n)
                cited.setdefault(n, Citation.from_hit(n, passages[n - 1]))
            elif n not in dropped:
                dropped.append(n)
        return "".join(f"[{n}]" for n in dict.fromkeys(good))

    cleaned = MARKER.sub(fix, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, list(cited.values()), dropped
