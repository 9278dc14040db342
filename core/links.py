"""Links built once for a whole list: the link is made with a mark where each row's value goes (one
`reverse` or one encoding), then filled in for each row, instead of one `reverse` a row."""

from __future__ import annotations

from collections.abc import Callable

ID_MARK = 987_654_321  # stands for a row's id
SLUG_MARK = "council-slug"  # stands for a row's slug


def filled_in(built: str, mark: object) -> Callable[[object], str]:
    """`built` with each row's value where the first `mark` stands."""
    head, found, tail = built.partition(str(mark))
    if not found:
        raise ValueError(f"{mark!r} does not stand in {built!r}")
    return lambda value: f"{head}{value}{tail}"
