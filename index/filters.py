"""Search filters: checked once, then turned into a mask over the chunk metadata search holds in memory
(``index.corpus``: the BM25 side, and the dense side's unfiltered nearest) and into a Chroma ``where`` clause (the
dense side, when too few of the nearest pass: ``index.search.Searcher._nearest``), with the same meaning.

``versions``: "latest" (the default) leaves out the versions of a story that a later one replaced (``index.versions``);
"all" keeps them. The mask applies it (chunk metadata ``superseded``, which search sets from the manifest); the
``where`` clause does not: search drops those chunks from Chroma's answer itself, as a Chroma filter costs ~60x."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.errors import ConfigError
from index.metadata import parse_date

FILTER_KEYS = ("source", "doc_id", "since", "until", "versions")
VERSIONS = ("latest", "all")


def date_number(iso: str) -> int:
    """2025-02-12 -> 20250212 (Chroma compares numbers, not strings)."""
    return int(iso.replace("-", ""))


@dataclass(frozen=True)
class Filters:
    """Validated filters. ``since``/``until`` are inclusive date numbers (see ``date_number``)."""

    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    versions: str = "latest"

    def __bool__(self) -> bool:
        """Whether anything is left out (superseded versions count: search sets ``versions="all"`` when the
        index holds none)."""
        return bool(self.sources or self.doc_ids or self.since is not None or self.until is not None
                    or self.versions == "latest")

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause, or None for no filter (``versions`` is not in it: see the module)."""
        clauses: list[dict[str, Any]] = []
        for key, values in (("source", self.sources), ("doc_id", self.doc_ids)):
            if values:
                clauses.append({key: values[0]} if len(values) == 1 else {key: {"$in": list(values)}})
        if self.since is not None:
            clauses.append({"published_num": {"$gte": self.since}})
        if self.until is not None:
            clauses.append({"published_num": {"$lte": self.until}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def mask(self, metas: Sequence[Mapping[str, Any]]) -> Any:
        """A numpy bool array: which of ``metas`` (chunk metadata) pass, or None for no filter."""
        import numpy as np

        if not self:
            return None
        return np.fromiter((self.accepts(m) for m in metas), dtype=bool, count=len(metas))

    def accepts(self, meta: Mapping[str, Any]) -> bool:
        if self.versions == "latest" and meta.get("superseded"):
            return False
        if self.sources and meta.get("source") not in self.sources:
            return False
        if self.doc_ids and meta.get("doc_id") not in self.doc_ids:
            return False
        num = meta.get("published_num")
        if self.since is not None and (num is None or num < self.since):
            return False
        return not (self.until is not None and (num is None or num > self.until))


def parse_filters(filters: Mapping[str, Any] | None) -> Filters:
    """Check ``{"source": "CNN" | [...], "doc_id": ..., "since": "2025-02-01", "until": ..., "versions": "all"}``.

    ``source`` and ``doc_id`` take a string or a list of strings; ``since``/``until`` take dates
    (inclusive) and match only articles whose publication date is known; ``versions`` is "latest" (the
    default: a story updated or corrected since shows its latest version) or "all".
    """
    if not filters:
        return Filters()
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None:
            continue
        if key not in FILTER_KEYS:
            raise ConfigError(f"Unknown filter {key!r}; known filters: {', '.join(FILTER_KEYS)}")
        if key == "versions":
            if value not in VERSIONS:
                raise ConfigError(f"Filter versions={value!r} must be one of {', '.join(map(repr, VERSIONS))} "
                                  "(\"all\" also shows the earlier versions of updated stories)")
            out["versions"] = value
        elif key in ("source", "doc_id"):
            values = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list | tuple) else ()
            if not values or not all(isinstance(v, str) and v for v in values):
                raise ConfigError(f"Filter {key}={value!r} must be a name or a list of names, e.g. "
                                  f"{{'{key}': ['CNN', 'Al Jazeera']}}")
            out["sources" if key == "source" else "doc_ids"] = values
        else:
            iso = _iso(str(value))
            if iso is None:
                raise ConfigError(f"Filter {key}={value!r} is not a date; write it as YYYY-MM-DD")
            out[key] = date_number(iso)
    return Filters(**out)


def _iso(value: str) -> str | None:
    """A filter date: ISO ``YYYY-MM-DD`` as given (any year), else the usual written forms."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return parse_date(value)
