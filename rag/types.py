"""What ``ask`` returns: an answer whose statements point at numbered passages."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from index.types import Hit, Passage
from rag.verify import Dropped, Quote


@dataclass(frozen=True, kw_only=True)
class Citation(Passage):
    """A numbered source passage an answer rests on.

    ``number`` is the [n] used in ``Answer.text``; ``text`` is the whole passage, which is
    ``cleaned_article_text[start:end]`` of document ``doc_id``.
    """

    number: int
    quote: Quote | None = None  # the exact span supporting the (first) sentence that cites it
    quotes: tuple[Quote, ...] = ()  # one per sentence that cites it, when verification found them

    @classmethod
    def from_hit(cls, number: int, hit: Hit, quotes: tuple[Quote, ...] = ()) -> Citation:
        return cls(number=number, quote=quotes[0] if quotes else None, quotes=quotes,
                   **{f.name: getattr(hit, f.name) for f in fields(Passage)})


@dataclass
class Answer:
    """An answer with its citations.

    Example:
        >>> a = ask("Who will provide security guarantees for Ukraine?")
        >>> print(a.text)            # statements carry [n] markers
        >>> for c in a.citations:    # one per [n] used
        ...     print(c.number, c.source, c.text[:60])

    ``refused`` is True when the articles do not answer the question; ``passages`` are the
    retrieved passages in prompt order (passage n is ``passages[n-1]``); ``dropped_markers`` lists
    [n] markers the backend wrote that point at no passage (they are removed from ``text``).
    ``dropped`` lists the sentences verification removed (or marked) and why; ``verified_by``
    names the judge that checked every sentence ("" when verification was off). ``refusal_reason``
    says why a refusal was given (e.g. "the question asks 'how many troops', and no supported sentence
    gives that number"; see ``rag.refusal``). ``reply`` is what the backend wrote before verification.
    """

    text: str
    citations: list[Citation]
    refused: bool
    question: str = ""
    backend: str = ""
    passages: list[Hit] = field(default_factory=list)
    dropped_markers: list[int] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    verified_by: str = ""
    refusal_reason: str = ""
    reply: str = ""  # what the backend wrote, before verification (the streamed text)
    answerability: dict[str, float] = field(default_factory=dict)  # what the refusal decision weighed (rag.refusal)
