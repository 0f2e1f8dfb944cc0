"""What the chat app shows for an ``Answer``: the chat message (Markdown) and the source cards (HTML).

Pure functions of ``rag`` types, so they are tested without a browser. Every piece of article text
is HTML-escaped: articles are untrusted input and may contain markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from rag import Answer, Citation
from rag.prompt import version_note

_MARKER = re.compile(r"\[(\d{1,3})\]")
REFUSAL_BADGE = "🚫 Not in the articles"


def card_id(turn: int, number: int) -> str:
    """The HTML id of citation ``number``'s card for chat turn ``turn`` (links in the chat point at it)."""
    return f"cite-{turn}-{number}"


def answer_markdown(answer: Answer, turn: int) -> str:
    """The chat message: the verified text with each [n] a link to its card, what verification removed,
    and refusals styled as refusals."""
    if answer.refused:
        lines = [f"**{REFUSAL_BADGE}.** {_md(answer.text)}"]
        if answer.refusal_reason:
            lines.append(f"_Why: {_md(answer.refusal_reason)}._")
        lines.append("_The closest passages are in the sources panel; they do not answer the question._")
    else:
        lines = [_link_markers(line, turn) for line in answer.text.split("\n") if line.strip()]
    if answer.dropped:
        lines.append("**Removed as not supported by the passages:**")
        lines += [f"- ~~{_md(d.sentence)}~~ ({_md(d.reason)})" for d in answer.dropped]
    return "\n\n".join(lines)


def streaming_markdown(text: str) -> str:
    """The backend's raw text while it streams (not yet verified), made inert, with a cursor."""
    return f"{_md(text)} ▌\n\n_checking against the passages when it ends…_"


def waiting_markdown(ahead: int) -> str:
    """Shown while a question waits for the shared local model (``ahead`` 0: its turn has come)."""
    if ahead <= 0:
        return "… _reading the passages…_"
    return (f"⏳ _The local model is busy: {ahead} question{'s' if ahead != 1 else ''} ahead of you. "
            "Yours waits its turn…_")


def plain(text: str) -> str:
    """Any text shown in Markdown as exactly that text (an error message, a backend's description)."""
    return _md(text)


def _link_markers(text: str, turn: int) -> str:
    """``text`` made inert in Markdown, except its [n] markers, which become links to their cards."""
    parts = _MARKER.split(text)  # text, number, text, number, ..., text
    return "".join(_md(part) if i % 2 == 0 else f"[\\[{part}\\]](#{card_id(turn, int(part))})"
                   for i, part in enumerate(parts))


def _md(text: str) -> str:
    """Article or model text made inert in Markdown: HTML escaped, Markdown punctuation backslashed."""
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~>])", r"\\\1", text)


def cards_html(answer: Answer, turn: int) -> str:
    """One card per citation (or, for a refusal, per closest passage) with the supporting span marked."""
    if answer.refused:
        cards = [_card(Citation.from_hit(n, hit), turn, closest=True)
                 for n, hit in enumerate(answer.passages[:3], 1)]
        head = '<p class="rag-refused">Closest passages: the articles do not answer the question.</p>'
        return f'<div class="rag-cards">{head}{"".join(cards)}</div>' if cards else head
    if not answer.citations:
        return '<p class="rag-empty">No sources for this answer.</p>'
    return '<div class="rag-cards">' + "".join(_card(c, turn) for c in answer.citations) + "</div>"


def _card(c: Citation, turn: int, closest: bool = False) -> str:
    e = html.escape
    meta = [e(c.source or "unknown outlet")]
    if c.published:
        meta.append(e(c.published))
    if note := version_note(c):  # a re-filed story: when it was first filed
        meta.append(f'<span class="rag-version">{e(note)}</span>')
    title = e(c.title or c.label)
    link = f' <a href="{e(c.url)}" target="_blank" rel="noopener noreferrer">article</a>' if c.url else ""
    also = ""
    if c.also_in:
        outlets = sorted({p.label for p in c.also_in})
        also = f'<div class="rag-also">Also reported by {e(", ".join(outlets))} ({c.sources_count} sources)</div>'
    kind = "rag-card rag-closest" if closest else "rag-card"
    return (f'<details class="{kind}" id="{card_id(turn, c.number)}" open>'
            f"<summary><b>[{c.number}]</b> {title}</summary>"
            f'<div class="rag-meta">{" · ".join(meta)}{link}</div>{also}'
            f'<div class="rag-passage">{highlight(c.text, c.start, c.quotes)}</div></details>')


def highlight(text: str, start: int, quotes: Sequence[object]) -> str:
    """``text`` (a passage starting at article offset ``start``) escaped, with each quote's span in <mark>."""
    spans = sorted(
        (max(0, q.start - start), min(len(text), q.end - start))  # type: ignore[attr-defined]
        for q in quotes
    )
    merged: list[tuple[int, int]] = []
    for s, t in spans:
        if s >= t:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], t))
        else:
            merged.append((s, t))
    out, at = [], 0
    for s, t in merged:
        out.append(html.escape(text[at:s]))
        out.append(f'<mark class="rag-quote">{html.escape(text[s:t])}</mark>')
        at = t
    out.append(html.escape(text[at:]))
    return "".join(out)
