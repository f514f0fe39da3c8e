"""Idea cards are cached per worker, keyed by everything they show: the cache must be hit on
the second view and must never show a stale count, title or status."""
import re

import pytest

from ideaboard.extensions import db
from ideaboard.models import Role
from ideaboard.services.votes import SUPPORT, cast_vote
from ideaboard.web.fragments import EXTENSION_KEY

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

CSRF_VALUE = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')


RELATIVE_TIME = re.compile(r"(<time [^>]*>)[^<]*(</time>)")


def without_tokens(html: str) -> str:
    """CSRF tokens carry a timestamp, and "4 seconds ago" moves on between two renders on a
    busy machine: two renders of one page differ only there."""
    return RELATIVE_TIME.sub(r"\1\2", CSRF_VALUE.sub("", html))


def card_cache(app):
    return app.extensions[EXTENSION_KEY]


def test_the_second_view_is_served_from_the_cache(app, client, factory):
    author = factory.user()
    for n in range(5):
        factory.idea(author, title=f"Cached idea {n}")
    cache = card_cache(app)
    first = client.get("/ideas?sort=new").get_data(as_text=True)
    assert cache.misses >= 5 and cache.hits == 0
    second = client.get("/ideas?sort=new").get_data(as_text=True)
    assert cache.hits >= 5
    assert without_tokens(first) == without_tokens(second)


def test_what_a_card_shows_is_never_stale(app, client, factory):
    author = factory.user(name="Original Name")
    idea = factory.idea(author, title="Fewer meetings on Friday")
    public_id = idea.public_id
    client.get("/ideas")  # fills the cache
    cast_vote(factory.user(), public_id, SUPPORT)
    author.display_name = "Renamed Person"
    db.session.commit()
    page = client.get("/ideas").get_data(as_text=True)
    card = page[page.index(f"/ideas/{public_id}"):][:2000]
    assert "Renamed Person" in card and "Original Name" not in page
    assert "▲ 1" in card


def test_cached_cards_are_the_same_as_freshly_rendered_ones(make_app, factory):
    author = factory.user()
    for n in range(3):
        factory.idea(author, title=f"Same either way {n}")
    factory.user(Role.LEADER)
    cached_app, plain_app = make_app(), make_app(FRAGMENT_CACHE_SIZE=0)
    assert EXTENSION_KEY not in plain_app.extensions
    pages = []
    for app in (cached_app, plain_app):
        client = app.test_client()
        client.get("/ideas")
        pages.append(client.get("/ideas").get_data(as_text=True))
    assert without_tokens(pages[0]) == without_tokens(pages[1])
