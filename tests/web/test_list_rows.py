"""Idea lists read rows, not ORM objects (issue 17): `list_ideas(rows=True)` selects exactly the
columns a card shows, and a card drawn from such a row is the card drawn from the `Idea` —
named or anonymous, overdue, with the Common ground badge, with totals hidden — so the two
ways in cannot drift apart."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update

from ideaboard.extensions import db
from ideaboard.models import Campaign, Idea, IdeaStatus
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import SORTS, ListedIdea, list_ideas
from ideaboard.services.ideas import standing_campaign
from ideaboard.web.fragments import card_row
from tests.web.isolation import IsolatedClient

CLIENT_CLASS = IsolatedClient


@pytest.fixture
def varied_ideas(factory):
    author = factory.user(name="Lin Wei")
    named = factory.idea(author, title="Named idea", tags=["canteen", "night-shift"])
    anonymous = factory.idea(author, title="Anonymous idea")
    overdue = factory.idea(author, title="Overdue idea")
    badge = factory.idea(author, title="Broadly supported idea")
    db.session.execute(update(Idea).where(Idea.id == overdue.id).values(
        status=IdeaStatus.ESCALATED, review_due_at=utcnow() - timedelta(days=3),
        supporters=7, opposers=2, comment_count=4))
    db.session.execute(update(Idea).where(Idea.id == anonymous.id).values(is_anonymous=True))
    db.session.execute(update(Idea).where(Idea.id == badge.id).values(
        broad_support=0.62, supporters=12))
    db.session.commit()
    return {"named": named.id, "anonymous": anonymous.id, "overdue": overdue.id,
            "badge": badge.id}


def cards_both_ways(viewer, **filters) -> tuple[list, list]:
    db.session.expunge_all()
    rows = list_ideas(viewer=viewer, rows=True, **filters)
    ideas = list_ideas(viewer=viewer, **filters)
    assert rows.next_cursor == ideas.next_cursor
    return [card_row(row) for row in rows.items], [card_row(idea) for idea in ideas.items]


@pytest.mark.parametrize("sort", SORTS)
def test_a_listed_row_draws_the_card_the_idea_draws(app, factory, varied_ideas, sort):
    viewer = factory.user()
    from_rows, from_ideas = cards_both_ways(viewer, sort=sort, limit=2)
    assert from_rows == from_ideas
    every_rows, every_ideas = cards_both_ways(viewer, sort=sort)
    assert every_rows == every_ideas
    if sort != "common":
        assert len(every_rows) == 4
    shown = {card.title: card for card in every_rows}
    if sort != "common":
        assert shown["Overdue idea"].days_overdue == 3
        assert shown["Overdue idea"].totals == (7, 2)
        assert shown["Named idea"].tags == ("canteen", "night-shift")
        assert shown["Anonymous idea"].author.anonymous
    assert shown["Broadly supported idea"].common_ground


def test_an_anonymous_row_never_carries_its_author(app, factory, varied_ideas):
    rows = {row.id: row for row in list_ideas(viewer=factory.user(), rows=True).items}
    anonymous, named = rows[varied_ideas["anonymous"]], rows[varied_ideas["named"]]
    assert (anonymous.author_id, anonymous.author_name) == (None, "")
    assert named.author_name == "Lin Wei" and named.author_id is not None


def test_hidden_totals_follow_the_campaign_both_ways(app, factory, varied_ideas):
    db.session.execute(update(Campaign).where(Campaign.id == standing_campaign().id).values(
        pairwise_enabled=True, hide_totals_until_close=True,
        closes_at=utcnow() + timedelta(days=5)))
    db.session.commit()
    from_rows, from_ideas = cards_both_ways(factory.user(), sort="new")
    assert from_rows == from_ideas
    assert all(card.totals is None and not card.common_ground for card in from_rows)


def test_list_pages_build_no_idea_objects(app, client, factory, login_as, varied_ideas):
    """The lists (all ideas, home, a campaign) read rows; an ORM Idea loaded on one of them
    is the cost issue 17 measured (~1 ms per 31 ideas)."""
    login_as("employee")
    loaded: list[int] = []

    def count(target, _context) -> None:
        loaded.append(target.id)

    event.listen(Idea, "load", count)
    try:
        for path in ("/ideas", "/ideas?sort=new", "/ideas?sort=common", "/",
                     f"/campaigns/{standing_campaign().slug}"):
            response = client.get(path)
            assert response.status_code == 200, path
        assert "Named idea" in client.get("/ideas").get_data(as_text=True)
    finally:
        event.remove(Idea, "load", count)
    assert loaded == []


def test_the_row_is_exactly_the_card_columns():
    assert set(ListedIdea.__dataclass_fields__) >= {
        "public_id", "title", "status", "review_due_at", "is_anonymous", "author_id",
        "author_name", "public_at", "comment_count", "tag_names", "supporters", "opposers",
        "broad_support"}
    assert "body" not in ListedIdea.__dataclass_fields__  # a card shows no body
