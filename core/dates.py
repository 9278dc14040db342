"""Dates as people in England write them: the formats forms accept and the parser for spreadsheet cells."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

# What a date box accepts (day first, never US order), ISO first because browsers' date pickers send it.
UK_DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]

DATE_FORMATS = (
    "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d-%m-%y", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d",
    "%d %B %Y", "%d %b %Y", "%d %B %y", "%d %b %y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
)
EXCEL_EPOCH = date(1899, 12, 30)


def parse_uk_date(value: Any) -> date | None:
    """A date from a cell: an Excel date, an Excel day number, or text in a UK format (never US)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel's serial day numbers for 1954..2119
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", str(value).strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text.replace(",", " ")).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_uk_date(float(text))
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1990 <= parsed.year <= 2100:
            return parsed
    raise ValueError


# --- dates written out, as the pages show them -------------------------------------------------------
# Plain Python for the pages' long lists (the Django template engine's date filter costs tens of
# microseconds a call); the words are those of Django's English "j M Y", "j F Y", "M Y" and "F Y".

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTHS_SHORT = tuple(month[:3] for month in MONTHS)


def short_date(day: date) -> str:
    """"5 Sep 2024" ("j M Y")."""
    return f"{day.day} {MONTHS_SHORT[day.month - 1]} {day.year}"


def long_date(day: date) -> str:
    """"5 September 2024" ("j F Y")."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_month(day: date) -> str:
    """"Sep 2024" ("M Y")."""
    return f"{MONTHS_SHORT[day.month - 1]} {day.year}"


def long_month(day: date) -> str:
    """"September 2024" ("F Y")."""
    return f"{MONTHS[day.month - 1]} {day.year}"
