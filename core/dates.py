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
