"""Reading and writing the app's one cache (Flask-Caching, `extensions.cache`: per worker, or
shared in Redis). A cache that is down (Redis restarting) must not take a page with it: a
read is then a miss and a write is skipped, with a warning."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app

from ideaboard.extensions import cache


def cached_many(keys: Iterable[str]) -> list | None:
    """The values under `keys` (None for each miss), or None when the cache is unavailable."""
    try:
        return cache.get_many(*keys)
    except Exception:  # whatever the backend raises
        current_app.logger.warning("cache unavailable; computing instead", exc_info=True)
        return None


def store_many(items: dict[str, Any], timeout: int | None = None) -> None:
    if not items:
        return
    try:
        cache.set_many(items, timeout=timeout)
    except Exception:  # whatever the backend raises
        current_app.logger.warning("cache unavailable; not stored", exc_info=True)
