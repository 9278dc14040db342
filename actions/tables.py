"""Presentation helpers for the action tables: sortable column headers that keep the filter state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SortHeader:
    label: str
    key: str | None  # None: not sortable
    next_sort: str | None
    aria_sort: str | None  # "ascending" | "descending" | None
    numeric: bool = False


def sort_headers(columns: list[tuple[str, str | None]], current: str) -> list[SortHeader]:
    """Each header links to its own ascending sort, or to descending when it is already ascending."""
    headers = []
    for label, key in columns:
        if key is None:
            headers.append(SortHeader(label, None, None, None))
            continue
        if current == key:
            headers.append(SortHeader(label, key, f"-{key}", "ascending"))
        elif current == f"-{key}":
            headers.append(SortHeader(label, key, key, "descending"))
        else:
            headers.append(SortHeader(label, key, key, None))
    return headers
