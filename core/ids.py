"""Record ids from a query string or a form: a number the database can hold, or nothing.

A 30-digit id in a filter used to reach the database and fail there (SQLite cannot bind it, a 500);
anything outside a 64-bit primary key cannot name a row, so it is simply not a choice.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

LARGEST_ID = 2**63 - 1


def database_id(value) -> int | None:
    """The value as a positive id a BigAutoField can hold, else None."""
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= LARGEST_ID else None


class IdBoundsMixin:
    """For a ModelChoiceField keyed by the primary key: an id no row can have is an invalid choice,
    answered with the field's usual message, never sent to the database."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and getattr(self, "to_field_name", None) is None
            and value != getattr(self, "null_value", object())
            and database_id(value) is None
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelChoiceField(IdBoundsMixin, forms.ModelChoiceField):
    pass
