"""How a person is named on pages, exports, e-mails and history: one rule everywhere."""

from __future__ import annotations


def person_label(person, *, nobody: str = "") -> str:
    """The person's full name, or their username when they have none; `nobody` when there is no person."""
    if person is None:
        return nobody
    return person.get_full_name() or person.get_username()
