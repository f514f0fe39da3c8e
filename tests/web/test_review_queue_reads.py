"""The review queue is read by index with a LIMIT, and its counts are not a scan per page
(issue 17)."""
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

from ideaboard.extensions import cache, db
from ideaboard.models import Escalation, EscalationReason, Idea, IdeaStatus
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.queries.review import QUEUE_COUNTS_KEY
from ideaboard.services.ideas import standing_campaign

QUEUE_URLS = ["/review/", "/review/?sort=new", "/review/?overdue=y", "/review/?owner=none",
              "/review/?owner=mine&sort=new", "/review/?campaign={campaign}"]


def queue_ideas(author_id: int, count: int, *, start: int = 0) -> None:
    """`count` escalated ideas (half of them overdue), as the review service leaves them."""
    now, campaign_id = utcnow(), standing_campaign().id
    rows = []
    for n in range(start, start + count):
        due = now + timedelta(days=n % 10 - 5, minutes=n)
        rows.append({"public_id": random_public_id(), "campaign_id": campaign_id,
                     "author_id": author_id, "title": f"Queued {n:03d}", "body": "b",
                     "body_html": "<p>b</p>", "tag_names": "", "created_at": now,
                     "updated_at": now, "status": IdeaStatus.ESCALATED, "review_due_at": due})
    ids = [row.id for row in db.session.execute(insert(Idea).returning(Idea.id), rows)]
    db.session.execute(insert(Escalation), [
        {"idea_id": idea_id, "reason": EscalationReason.THRESHOLD_MET, "note": "",
         "created_at": now - timedelta(minutes=n), "due_at": row["review_due_at"]}
        for n, (idea_id, row) in enumerate(zip(ids, rows, strict=True))])
    db.session.commit()


def queue_statements(client, url: str) -> list[tuple[str, object]]:
    captured, url = [], url.format(campaign=standing_campaign().id)

    def grab(_conn, _cursor, statement, parameters, *_args):
        captured.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", grab)
    try:
        response = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", grab)
    assert response.status_code == 200
    return captured


def test_a_queue_page_costs_the_same_for_5_and_for_200_items(client, login_as, factory):
    login_as("leader")
    author = factory.user()
    queue_ideas(author.id, 5)
    few = {url: len(queue_statements(client, url)) for url in QUEUE_URLS}
    queue_ideas(author.id, 195, start=5)
    many = {url: len(queue_statements(client, url)) for url in QUEUE_URLS}
    assert many == few
    page = client.get("/review/").get_data(as_text=True)
    assert "200 ideas await an answer" in page and page.count('<tr class=') >= 30


def test_the_queue_is_read_in_index_order_without_a_sort(client, login_as, factory):
    """EXPLAIN QUERY PLAN of every statement that reads the queue: an index walk that stops
    at the LIMIT, never a temporary B-tree holding the whole queue."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    login_as("leader")
    queue_ideas(factory.user().id, 40)
    raw = db.engine.raw_connection()
    try:
        plans = {}
        for url in QUEUE_URLS:
            for statement, parameters in queue_statements(client, url):
                if "JOIN escalation" not in statement:
                    continue
                rows = raw.cursor().execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans[statement] = " | ".join(row[-1] for row in rows)
    finally:
        raw.close()
    assert len(plans) >= 4  # the page in both orders, the filtered one, the newest three
    for statement, plan in plans.items():
        assert "TEMP B-TREE" not in plan, (statement[-700:], plan)
        assert "ix_idea_review_queue" in plan or "ix_escalation_created" in plan, plan


def test_the_queue_counts_are_reused_briefly_then_counted_again(app, client, login_as,
                                                                factory):
    app.config["QUEUE_COUNTS_SECONDS"] = 60
    login_as("leader")
    author = factory.user()
    queue_ideas(author.id, 3)
    first = queue_statements(client, "/review/")
    assert "3 ideas await an answer" in client.get("/review/").get_data(as_text=True)
    queue_ideas(author.id, 2, start=3)
    again = queue_statements(client, "/review/")
    assert len(again) == len(first) - 1  # no count: the numbers are kept for a minute
    page = client.get("/review/").get_data(as_text=True)
    assert "3 ideas await an answer" in page and page.count("Queued 00") == 5  # lists: live
    cache.delete(QUEUE_COUNTS_KEY)  # the minute is over
    assert "5 ideas await an answer" in client.get("/review/").get_data(as_text=True)


def test_the_owner_filter_offers_the_leaders_who_own_queue_items_not_every_leader(
        client, login_as, factory):
    """A company has hundreds of leaders: listing them all on every queue page cost most of
    the page. The filter offers the owners of ideas awaiting an answer."""
    from sqlalchemy import update

    login_as("leader")
    author = factory.user()
    owner = factory.user("leader", name="Owns One Item")
    factory.user("leader", name="Owns Nothing")
    done = factory.user("leader", name="Owned A Decided One")
    queue_ideas(author.id, 2)
    first, second = db.session.scalars(select(Escalation).order_by(Escalation.id)).all()
    db.session.execute(update(Escalation).where(Escalation.id == first.id)
                       .values(owner_id=owner.id))
    db.session.execute(update(Escalation).where(Escalation.id == second.id)
                       .values(owner_id=done.id))
    db.session.execute(update(Idea).where(Idea.id == second.idea_id)
                       .values(status=IdeaStatus.ACCEPTED))
    db.session.commit()
    page = client.get("/review/").get_data(as_text=True)
    owners = page.split('name="owner"', 1)[1].split("</select>", 1)[0]
    assert f'value="{owner.id}"' in owners and "Owns One Item" in owners
    assert "Owns Nothing" not in owners and "Owned A Decided One" not in owners
    filtered = client.get(f"/review/?owner={owner.id}").get_data(as_text=True)
    assert "Queued 000" in filtered and "Queued 001" not in filtered
