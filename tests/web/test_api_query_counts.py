"""The JSON API and the integrations admin pages issue the same number of SQL statements
whatever the amount of data (lists are keyset pages, relations loaded with their rows)."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Comment,
    Decision,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Role,
    Stance,
    WebhookDelivery,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.services.api_tokens import create_personal_token
from tests.conftest import sign_in
from tests.unit.test_webhooks import endpoint
from tests.web.test_query_counts import add_ideas

API_URLS = ["/api/v1/ideas", "/api/v1/ideas?sort=new", "/api/v1/ideas?tag=shared",
            "/api/v1/ideas?sort=discussed", "/api/v1/ideas/{idea}",
            "/api/v1/ideas/{idea}/comments", "/api/v1/campaigns", "/api/v1/decisions",
            "/api/v1/notifications", "/api/v1/me"]
ADMIN_URLS = ["/admin/tokens", "/admin/webhooks", "/admin/webhooks/deliveries",
              "/admin/webhooks/{endpoint}", "/account/tokens"]


def grow(author_id: int, leader_id: int, idea_id: int, count: int) -> None:
    """`count` more ideas (decided, with comments), comments on the idea, inbox items and
    webhook deliveries."""
    now = utcnow()
    ids = add_ideas(author_id, count, comments_each=2)
    db.session.execute(update(Idea).where(Idea.id.in_(ids)).values(
        status=IdeaStatus.DECLINED, decided_at=now))
    db.session.execute(insert(Decision), [
        {"idea_id": new_id, "status": IdeaStatus.DECLINED, "rationale": "Not now, sorry.",
         "rationale_html": "<p>Not now, sorry.</p>", "author_id": leader_id, "created_at": now}
        for new_id in ids])
    db.session.execute(insert(Comment), [
        {"public_id": random_public_id(), "idea_id": idea_id, "author_id": author_id,
         "stance": Stance.FOR, "body": "c", "body_html": "<p>c</p>", "created_at": now,
         "updated_at": now} for _ in range(count)])
    db.session.execute(insert(Notification), [
        {"user_id": author_id, "kind": NotificationKind.DECISION, "idea_id": new_id,
         "created_at": now} for new_id in ids])
    endpoint_id = db.session.scalar(select(WebhookDelivery.endpoint_id).limit(1))
    event_id = db.session.scalar(select(WebhookDelivery.event_id).limit(1))
    db.session.execute(insert(WebhookDelivery), [
        {"event_id": event_id, "endpoint_id": endpoint_id, "created_at": now,
         "send_after": now, "attempts": n % 3} for n in range(count)])
    db.session.commit()


def statements(client, count_queries, url: str, headers: dict | None = None) -> int:
    client.get(url, headers=headers)  # warm-up: a token's first use records it once
    with count_queries() as counter:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return counter.count


def test_api_and_admin_statements_do_not_grow_with_the_data(client, factory, count_queries):
    admin = factory.user(Role.ADMIN, name="Counting Admin")
    leader = factory.user(Role.LEADER)
    author = factory.user(name="Prolific Author")
    hook = endpoint(admin, "http://127.0.0.1:9/hook")
    idea = factory.idea(author, title="The idea under discussion")  # one delivery
    for number in range(3):
        create_personal_token(admin, name=f"Token {number}", write=False,
                              expires_in_days=None)
    secret = create_personal_token(author, name="Counter", write=False,
                                   expires_in_days=None).secret
    headers = {"Authorization": f"Bearer {secret}"}
    urls = [url.replace("{idea}", idea.public_id) for url in API_URLS]
    admin_urls = [url.replace("{endpoint}", str(hook.id)) for url in ADMIN_URLS]
    sign_in(client, admin)

    grow(author.id, leader.id, idea.id, 3)
    few = {url: statements(client, count_queries, url, headers) for url in urls}
    few |= {url: statements(client, count_queries, url) for url in admin_urls}
    grow(author.id, leader.id, idea.id, 60)
    for number in range(30):
        create_personal_token(factory.user(), name=f"More {number}", write=False,
                              expires_in_days=None)
    many = {url: statements(client, count_queries, url, headers) for url in urls}
    many |= {url: statements(client, count_queries, url) for url in admin_urls}

    assert many == few
    assert max(few.values()) <= 14, few
