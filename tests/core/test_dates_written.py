"""The pages' dates written in Python (core.dates) read exactly as Django's date filter writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.defaultfilters import date as date_filter

from core.dates import long_date, long_month, short_date, short_month

EVERY_MONTH = [dt.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)] + [
    dt.date(1999, 12, 31), dt.date(2024, 2, 29), dt.date(2100, 6, 5),
]


@pytest.mark.parametrize("written, django_format", [
    (short_date, "j M Y"), (long_date, "j F Y"), (short_month, "M Y"), (long_month, "F Y"),
])
def test_each_date_reads_as_the_date_filter_writes_it(written, django_format):
    for day in EVERY_MONTH:
        assert written(day) == date_filter(day, django_format), day
