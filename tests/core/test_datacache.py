"""core.datacache: a value is built once per key, a new generation is a new key, misses are built together."""

from __future__ import annotations

import datetime as dt

from core.datacache import cached_data, cached_many, data_key


def test_a_key_names_every_generation_and_stays_short():
    key = data_key("dashboard", 7, 3, dt.date(2026, 12, 1))
    assert key == data_key("dashboard", 7, 3, dt.date(2026, 12, 1))
    assert key != data_key("dashboard", 7, 4, dt.date(2026, 12, 1))  # the council changed
    assert key != data_key("dashboard", 7, 3, dt.date(2026, 12, 2))  # the day moved on
    assert key != data_key("compare", 7, 3, dt.date(2026, 12, 1))
    assert len(data_key("overview", *range(500))) < 200


def test_a_value_is_built_once_and_then_read_back():
    built = []

    def build():
        built.append(1)
        return {"total": 12}

    assert cached_data(data_key("test", 1), build) == {"total": 12}
    assert cached_data(data_key("test", 1), build) == {"total": 12}
    assert len(built) == 1
    cached_data(data_key("test", 2), build)
    assert len(built) == 2


def test_only_the_missing_items_are_built_and_together():
    calls = []

    def build(missing):
        calls.append(sorted(missing))
        return {pk: pk * 10 for pk in missing}

    assert cached_many({1: data_key("n", 1, 0), 2: data_key("n", 2, 0)}, build) == {1: 10, 2: 20}
    assert cached_many({1: data_key("n", 1, 0), 2: data_key("n", 2, 1), 3: data_key("n", 3, 0)}, build) == {
        1: 10, 2: 20, 3: 30}
    assert calls == [[1, 2], [2, 3]]
