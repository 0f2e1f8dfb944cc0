"""Search filters -> Chroma ``where`` clauses, checked before they reach the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from index.errors import ConfigError
from index.metadata import parse_date

FILTER_KEYS = ("source", "doc_id", "since", "until")


def date_number(iso: str) -> int:
    """2025-02-12 -> 20250212 (Chroma compares numbers, not strings)."""
    return int(iso.replace("-", ""))


def to_where(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Turn ``{"source": "CNN", "since": "2025-02-01"}`` into a Chroma where clause.

    ``source`` and ``doc_id`` take a string or a list of strings; ``since``/``until`` take dates
    (inclusive) and match only articles whose publication date is known.
    """
    if not filters:
        return None
    clauses: list[dict[str, Any]] = []
    for key, value in filters.items():
        if value is None:
            continue
        if key not in FILTER_KEYS:
            raise ConfigError(f"Unknown filter {key!r}; known filters: {', '.join(FILTER_KEYS)}")
        if key in ("source", "doc_id"):
            values = [value] if isinstance(value, str) else list(value)
            clauses.append({key: values[0]} if len(values) == 1 else {key: {"$in": values}})
        else:
            iso = parse_date(str(value))
            if iso is None:
                raise ConfigError(f"Filter {key}={value!r} is not a date; write it as YYYY-MM-DD")
            clauses.append({"published_num": {"$gte" if key == "since" else "$lte": date_number(iso)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
