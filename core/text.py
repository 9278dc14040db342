"""Text as people type or paste it, made safe to keep and to export.

C0 control characters (other than tab, newline and carriage return) come in from copying out of other
systems; they mean nothing on a page, and XLSX and Word files cannot hold them at all (a board report
with one vertical tab answered 500 for the whole council).
"""

from __future__ import annotations

import re

# C0 controls but tab (09), newline (0A) and carriage return (0D), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What XML 1.0 (XLSX, Word) cannot hold: the controls above and the two non-characters.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    """The text without C0 control characters other than tab and line breaks."""
    return CONTROL_CHARACTERS.sub("", text) if text else text


def xml_safe(value):
    """A string without what XLSX and Word files cannot hold; any other value as it is."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    return value


def csv_safe(value):
    """A string for a CSV cell: control characters dropped (tab and line breaks are quoted by csv)."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def strip_control_characters_from_fields(instance) -> None:
    """Every text field of a model instance without control characters, whichever door it came through
    (form, htmx, bulk change, spreadsheet import, admin site, commands); connected to pre_save."""
    from django.db import models

    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                setattr(instance, field.attname, CONTROL_CHARACTERS.sub("", value))
