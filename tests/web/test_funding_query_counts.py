"""The funding and delivery pages issue the same number of SQL statements whatever the
number of rounds, entered ideas, backers, pledges, milestones, updates or deliveries."""
from __future__ import annotations

from sqlalchemy import insert, update

from ideaboard.extensions import db
from ideaboard.models import (
    Decision,
    DeliveryUpdate,
    FundingAllocation,
    FundingEntry,
    Idea,
    IdeaStatus,
    Milestone,
    Pledge,
    Role,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.funding import allocate
from ideaboard.services.review import change_status, pull_into_queue
from tests.conftest import sign_in
from tests.unit.funding_helpers import entered_idea, make_round
from tests.web.test_query_counts import add_ideas

OUTCOME = "Shipped everywhere; the wait fell from nine days to four."


def statements(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200, url
    return counter.count


def grow(funding_round, idea_ids: list[int], author_id: int, backer_ids: list[int]) -> None:
    """Bulk rows: more entries in the round with allocations, pledges, milestones, updates,
    and delivered ideas with outcomes."""
    now = utcnow()
    entries = [row.id for row in db.session.execute(insert(FundingEntry).returning(
        FundingEntry.id), [{"round_id": funding_round.id, "idea_id": idea_id,
                            "entered_by_id": author_id, "ask_amount": 1000 + idea_id,
                            "ask_people_weeks": 0, "first_milestone": "m", "points": 5,
                            "backers": 1, "root_sum": 5 ** 0.5, "created_at": now,
                            "updated_at": now} for idea_id in idea_ids[:60]])]
    db.session.execute(insert(FundingAllocation), [
        {"entry_id": entry_id, "user_id": backer_ids[i % len(backer_ids)],
         "round_id": funding_round.id, "points": 1, "created_at": now, "updated_at": now}
        for i, entry_id in enumerate(entries)])
    db.session.execute(update(Idea).where(Idea.id.in_(idea_ids[60:])).values(
        status=IdeaStatus.DONE, decided_at=now))
    db.session.execute(insert(Decision), [
        {"idea_id": idea_id, "status": IdeaStatus.DONE, "rationale": OUTCOME,
         "rationale_html": f"<p>{OUTCOME}</p>", "author_id": author_id, "created_at": now}
        for idea_id in idea_ids[60:]])
    db.session.commit()


def test_funding_pages_do_not_grow_with_data(client, factory, count_queries):
    owner = factory.user(Role.LEADER)
    funding_round = make_round(factory, owner=owner, min_backers=1)
    idea, entry = entered_idea(factory, funding_round, title="Watched idea")
    viewer = factory.user(Role.LEADER)
    allocate(viewer, funding_round.id, entry.id, 10)
    pull_into_queue(owner, idea_by_public_id(idea.public_id), "Worth an answer")
    change_status(owner, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED,
                  "Accepted: the pilot starts next month with two teams.")
    done = add_ideas(owner.id, 1)
    db.session.execute(update(Idea).where(Idea.id.in_(done)).values(
        status=IdeaStatus.DONE, decided_at=utcnow()))
    db.session.execute(insert(Decision), [{"idea_id": done[0], "status": IdeaStatus.DONE,
                                           "rationale": OUTCOME, "rationale_html": OUTCOME,
                                           "author_id": owner.id, "created_at": utcnow()}])
    db.session.commit()
    sign_in(client, viewer)
    urls = ["/funding/", f"/funding/{funding_round.slug}", f"/funding/{funding_round.slug}/report",
            "/delivered", f"/ideas/{idea.public_id}", f"/review/{idea.public_id}"]
    few = {url: statements(client, count_queries, url) for url in urls}

    author = factory.user()
    backers = [factory.user().id for _ in range(8)]
    grow(funding_round, add_ideas(author.id, 100), author.id, backers)
    now = utcnow()
    db.session.execute(insert(Pledge), [
        {"idea_id": idea.id, "user_id": user_id, "hours_per_week": 2, "weeks": 3,
         "skills": "design", "note": "", "status": "offered", "created_at": now,
         "updated_at": now} for user_id in backers])
    db.session.execute(insert(Milestone), [
        {"idea_id": idea.id, "title": f"Step {n}", "created_at": now} for n in range(20)])
    db.session.execute(insert(DeliveryUpdate), [
        {"public_id": random_public_id(), "idea_id": idea.id, "author_id": owner.id,
         "body": "b", "body_html": "<p>b</p>", "spent_amount": 1, "created_at": now}
        for _ in range(20)])
    db.session.commit()
    for _ in range(5):  # more rounds on the index
        make_round(factory, owner=owner)
    many = {url: statements(client, count_queries, url) for url in urls}
    assert many == few
    assert max(many.values()) <= 30, many


def test_the_delivered_page_lists_facts_and_the_outcome_in_both_languages(client, factory):
    """A delivered idea with supporters: its facts line and its outcome heading (the
    template once overwrote `_` while collecting the facts, and the heading then failed)."""
    owner = factory.user(Role.LEADER)
    done = add_ideas(owner.id, 1)
    db.session.execute(update(Idea).where(Idea.id.in_(done)).values(
        status=IdeaStatus.DONE, decided_at=utcnow(), supporters=7))
    db.session.execute(insert(Decision), [{"idea_id": done[0], "status": IdeaStatus.DONE,
                                           "rationale": OUTCOME, "rationale_html": OUTCOME,
                                           "author_id": owner.id, "created_at": utcnow()}])
    db.session.commit()
    sign_in(client, factory.user())
    page = client.get("/delivered")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "7 supporters" in html and "Outcome" in html and OUTCOME in html
    page = client.get("/delivered", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert "结果" in page.get_data(as_text=True)  # the outcome heading
