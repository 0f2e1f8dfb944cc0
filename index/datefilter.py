"""How search applies the dates a question names (read by ``index.periods``; why a filter and a boost: there).

* ``plan`` turns the question's period into a filter ``Window``: cut to the caller's ``since``/``until``
  (never widened), then checked against the publication dates of the chunks the caller's filters allow.
  A period in which none was published is not used (``QueryHints.unmatched``: "growth in 1986" over a 1987
  archive is about 1986, not published in it); one that leaves no dated chunk out needs no filter (the
  search is exactly the one without it). Undated articles stay in, unless the caller filters on dates.
* ``recency_boosts`` is the "latest" boost: by the rank of each candidate's date among the dates of the
  candidates on the topic (fused score at least half the best one's), from nothing for the oldest to the
  full weight for the newest. Among those rather than the whole index, so "the latest on cocoa" favours
  the newest cocoa story even if cocoa left the news long before the index's newest article, and an
  off-topic story that happens to be newer takes no rank from it; ranks rather than days, so one odd old
  date does not flatten the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.filters import Filters, date_number
from index.periods import Period
from index.query import QueryHints


@dataclass(frozen=True)
class Window:
    """A question's period as search applies it: inclusive date numbers, and whether undated articles stay."""

    since: int | None
    until: int | None
    undated: bool = False

    def accepts(self, dates: Any) -> Any:
        """A bool array over a numpy array of date numbers (0 = unknown)."""
        inside = (dates > 0) & (dates >= (self.since or 0)) & (dates <= (self.until or 99991231))
        return inside | (dates == 0) if self.undated else inside


def plan(hints: QueryHints, chosen: Filters, dates: Any, allowed: Any) -> tuple[QueryHints, Window | None]:
    """The hints as search uses them, and the window to search within (None: search without one).

    Args:
        hints: what the question names (``index.query.understand``).
        chosen: the caller's filters.
        dates: every chunk's publication date number, 0 when unknown (numpy int64).
        allowed: which chunks ``chosen`` allows (numpy bool), or None for all.
    """
    asked = hints.period
    if asked is None:
        return hints, None
    since = max((n for n in (_number(asked.since), chosen.since) if n is not None), default=None)
    until = min((n for n in (_number(asked.until), chosen.until) if n is not None), default=None)
    window = Window(since, until)
    dated = dates > 0
    inside = window.accepts(dates) if allowed is None else window.accepts(dates) & allowed
    if (since is not None and until is not None and since > until) or not inside.any():
        return dataclasses.replace(hints, period=None, unmatched=asked), None
    outside = dated & ~inside if allowed is None else dated & ~inside & allowed
    undated = chosen.since is None and chosen.until is None and bool(  # a caller's date filter drops them anyway
        (~dated if allowed is None else ~dated & allowed).any())
    hints = dataclasses.replace(hints, period=Period(_day(since), _day(until), asked.phrase, asked.relative),
                                undated_kept=undated)
    if not outside.any():  # every dated chunk is in the period: the search is the one without it
        return hints, None
    return hints, dataclasses.replace(window, undated=undated)


ON_TOPIC = 0.5  # a candidate whose fused score is at least this share of the best one's is on the topic


def recency_boosts(published: Sequence[str | None], scores: Sequence[float], weight: float) -> list[float]:
    """Each candidate's "latest" boost from its ISO publication date and fused score (undated, or off the
    topic: none)."""
    best = max(scores, default=0.0)
    days = [(p or "")[:10] if score >= ON_TOPIC * best else "" for p, score in zip(published, scores, strict=True)]
    distinct = sorted({d for d in days if d})
    if weight == 0 or len(distinct) < 2:
        return [0.0] * len(days)
    rank = {d: i / (len(distinct) - 1) for i, d in enumerate(distinct)}
    return [weight * rank.get(d, 0.0) for d in days]


def _number(day: date | None) -> int | None:
    return date_number(day.isoformat()) if day else None


def _day(number: int | None) -> date | None:
    return date(number // 10000, number // 100 % 100, number % 100) if number else None
