"""A labelled claim's passage at three lengths: the snippet it was written against, the index chunk that holds
the snippet, and the whole article (``rag eval`` and ``eval.fit`` measure judges at all three)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from eval.datasets import LabelledClaim
from index.chunking import chunk_text
from index.errors import ConfigError
from index.paths import sample_dir

LENGTHS = ("snippet", "chunk", "article")


@lru_cache(maxsize=64)
def _reuters_file(name: str) -> dict[str, str]:
    from eval.reuters import CORPUS, parse

    out = {}
    for story in parse((CORPUS / name).read_bytes()):
        lead = f"{story.dateline} - " if story.dateline else ""
        out[story.stem] = f"{story.title}\n\n{lead}{story.body}"
    return out


@lru_cache(maxsize=512)
def article_text(article: str) -> str:
    """The text of ``article``: a sample's file stem, or ``reuters-NEWID`` (read from the corpus in ../shared)."""
    if article.startswith("reuters-"):
        newid = int(article.split("-", 1)[1])
        text = _reuters_file(f"reut2-{(newid - 1) // 1000:03d}.sgm").get(article)
    else:
        path = sample_dir() / f"{article}.txt"
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    if text is None:
        raise ConfigError(f"article {article!r} not found among the samples or in the Reuters corpus")
    return text


def at_length(claim: LabelledClaim, length: str) -> LabelledClaim:
    """``claim`` with its passages replaced by their chunk or whole article (``length`` in ``LENGTHS``)."""
    if length not in LENGTHS:
        raise ValueError(f"unknown passage length {length!r}; known: {', '.join(LENGTHS)}")
    if length == "snippet":
        return claim
    if not claim.article:
        raise ConfigError(f"the claim {claim.claim[:60]!r} names no article, so it has no {length}")
    text = article_text(claim.article)
    if length == "article":
        return replace(claim, passages=[text])
    chunks = chunk_text(claim.article, text)
    out = []
    for snippet in claim.passages:
        at = text.find(snippet)
        if at < 0:
            raise ConfigError(f"the snippet {snippet[:60]!r} is not in article {claim.article}")
        end = at + len(snippet)
        holding = [c for c in chunks if c.start <= at < c.end]
        first = holding[0] if holding else chunks[0]
        whole = next((c for c in holding if c.end >= end), None)
        out.append(whole.text if whole else text[first.start:max(first.end, end)])
    return replace(claim, passages=out)
