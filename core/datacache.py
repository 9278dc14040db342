"""Data kept between requests under a generation key (djangoproject.com's "data cache under a
generation key" pattern): what is cached is data (figures, rows), never a page rendered for one person.

A key names the data and every generation it was read at (a council's `data_revision`, the business
date, ...). A change never deletes anything: it raises a generation, after its commit, so the next
reader builds under a new key and the old entry ages out. What a person may see is applied on top of the
cached data by the caller, so a key holds nothing that differs from one user to the next.

The cache is CACHES["default"]: Redis (django-redis) when REDIS_URL is set, shared by every app server;
otherwise each process's own memory. A cache that is down is a miss: the data is built and the page
answers (django-redis IGNORE_EXCEPTIONS; the error is logged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import caches

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# Raise when the shape of any cached value changes, so a deploy never reads an entry of the old shape.
DATA_FORMAT = 1


def data_key(name: str, *generation: object) -> str:
    """The key of `name` as read at these generations (ids, revisions, dates, normalised parameters)."""
    parts = "|".join(str(part) for part in generation)
    if len(parts) > 120:  # keys stay short whatever a caller passes
        parts = hashlib.sha256(parts.encode()).hexdigest()
    return f"data:{DATA_FORMAT}:{name}:{parts}"


def cached_data(key: str, build: Callable[[], T]) -> T:
    """The value under `key`, built and kept on a miss."""
    cache = caches["default"]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


def cached_many(keys: dict[K, str], build_missing: Callable[[list[K]], dict[K, T]]) -> dict[K, T]:
    """One value per item, read in one round trip; the missing ones built together and kept."""
    cache = caches["default"]
    found = cache.get_many(list(keys.values()))
    values = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in values]
    if missing:
        built = build_missing(missing)
        cache.set_many({keys[item]: built[item] for item in missing})
        values.update(built)
    return values

