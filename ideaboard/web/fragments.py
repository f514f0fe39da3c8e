"""Rendered idea cards, kept per worker process.

A list page shows 30 cards, and rendering them through Jinja macros is most of the page's
cost. A card shows nothing about the viewer, so its HTML depends only on the idea, the
language and the clock; the cache key holds every one of those values (including the
day, or the minute for a relative date), so a changed idea or a new minute simply misses. Nothing
is ever invalidated, and the least recently used cards fall out when the cache is full.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime

from flask import Flask, current_app, get_template_attribute
from markupsafe import Markup

from ideaboard.anonymity import byline
from ideaboard.catalog import current_locale
from ideaboard.models import Idea
from ideaboard.models.base import utcnow
from ideaboard.web.templating import RELATIVE_LIMIT

EXTENSION_KEY = "ideaboard.fragments"


class FragmentCache:
    """A bounded, thread-safe LRU of rendered fragments."""

    def __init__(self, size: int):
        self.size = size
        self.hits = self.misses = 0
        self._items: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], Markup]) -> Markup:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return html
            self.misses += 1
        html = render()  # a macro's output is Markup already
        with self._lock:
            self._items[key] = html
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return html


def date_key(moment: datetime, day_only: bool) -> Hashable:
    """What `when(moment)` depends on: the day for anonymous items and old ones, else the
    minute (a relative label such as "5 minutes ago" is at most a minute behind)."""
    if day_only:
        return moment.date()
    now = utcnow()
    if now - moment >= RELATIVE_LIMIT:
        return moment
    return moment, now.replace(second=0, microsecond=0)


def card_key(idea: Idea) -> tuple:
    """Everything `idea_card` in templates/_macros/ideas.html shows. Keep the two in step."""
    author = byline(idea)
    return (str(current_locale()), idea.id, idea.public_id, idea.title, idea.status,
            author.cache_key, date_key(author.moment, author.day_only),
            idea.comment_count, idea.tag_names, idea.supporters, idea.opposers,
            idea.days_overdue(), idea.campaign.totals_hidden(), idea.has_broad_support)


def idea_card(idea: Idea) -> Markup:
    """The card for `idea`, from the cache when nothing it shows has changed."""
    cache: FragmentCache | None = current_app.extensions.get(EXTENSION_KEY)
    render = get_template_attribute("_macros/ideas.html", "idea_card")
    if cache is None:
        return render(idea)
    return cache.get_or_render(("idea_card", *card_key(idea)), lambda: render(idea))


def init_fragments(app: Flask) -> None:
    size = app.config.get("FRAGMENT_CACHE_SIZE", 0)
    if size:
        app.extensions[EXTENSION_KEY] = FragmentCache(size)
    app.add_template_global(idea_card, "cached_idea_card")
