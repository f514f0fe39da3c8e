"""Try to break anonymity: every GET page of the app, as three kinds of viewer, must not
reveal who wrote an anonymous post or comment, nor when to a finer grain than the day."""
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.integrations.formats import build_request
from ideaboard.models import (
    Anonymity,
    CampaignKind,
    Comment,
    EventKind,
    Idea,
    Level,
    Notification,
    Role,
    Stance,
    WebhookDelivery,
    WebhookEvent,
    WebhookFormat,
)
from ideaboard.models.base import utcnow
from ideaboard.services.api_tokens import create_personal_token
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import post_idea
from ideaboard.services.review import pull_into_queue
from ideaboard.services.votes import SUPPORT, cast_vote
from ideaboard.services.webhooks import EndpointSettings, save_endpoint
from tests.conftest import sign_in

SECRET_TIME = datetime(2026, 3, 4, 5, 6, 7)
NAME, EMAIL, DEPARTMENT = "Zelda Quux", "zelda.quux@example.com", "Skunkworks Unit"


@pytest.fixture
def anonymous_world(factory):
    """An anonymous post and an anonymous comment by a distinctive author, with replies."""
    author = factory.user(name=NAME, email=EMAIL, department=DEPARTMENT,
                          level=Level.EXECUTIVE)
    board = factory.user(Role.LEADER, name="Board Chair")
    campaign = create_campaign(
        board, title="Executive pay", description="Speak freely", kind=CampaignKind.DISCUSSION,
        anonymity=Anonymity.ANONYMOUS_ONLY, opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=9))
    optional = create_campaign(
        board, title="Team strengths", description="", kind=CampaignKind.IDEAS,
        anonymity=Anonymity.OPTIONAL, opens_at=utcnow() - timedelta(days=1), closes_at=None)
    post = post_idea(author, campaign, title="Tie bonuses to retention", body="Because.",
                     tags=["pay"])
    chosen = post_idea(author, optional, title="Decisions need reasons", body="Explain more.",
                       tags=[], anonymous=True)
    other = post_idea(board, optional, title="Named post", body="", tags=[])
    db.session.refresh(post, ["campaign"])
    db.session.refresh(other, ["campaign"])
    comment = add_comment(author, post, body="Agree with this strongly", stance=Stance.FOR)
    on_named_post = add_comment(author, other, body="Anonymous reply on a named post",
                                stance=Stance.AGAINST, anonymous=True)
    add_comment(board, other, body="Answering the anonymous critic", stance=Stance.NEUTRAL,
                parent=on_named_post)
    add_comment(factory.user(), post, body="Reply to the anonymous one", stance=Stance.NEUTRAL,
                parent=comment)
    for _ in range(3):
        cast_vote(factory.user(), post.public_id, SUPPORT)
    pull_into_queue(board, post, "Board wants to answer this")
    db.session.execute(update(Idea).where(Idea.id.in_([post.id, chosen.id]))
                       .values(created_at=SECRET_TIME, public_at=SECRET_TIME,
                               updated_at=SECRET_TIME))
    db.session.execute(update(Comment).where(Comment.author_id == author.id)
                       .values(created_at=SECRET_TIME, public_at=SECRET_TIME,
                               updated_at=SECRET_TIME))
    db.session.commit()
    assert post.is_anonymous and chosen.is_anonymous and comment.is_anonymous
    return {"author": author, "post": post, "chosen": chosen, "campaign": campaign}


def fill(rule, world) -> str | None:
    values = {"public_id": world["post"].public_id, "slug": world["campaign"].slug,
              "user_id": world["author"].id, "name": "pay", "tag": "pay"}
    url = rule.rule
    for argument in rule.arguments:
        if argument not in values:
            return None
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), url)
    return url


OPTION = re.compile(r"<option[^>]*>[^<]*</option>")
PICKER = re.compile(r"<(\w+)[^>]*\bdata-picker\b[^>]*>.*?</\1>", re.S)  # checkbox lists


def without_pickers(body: str) -> str:
    """A department picker lists every department; that names nobody, so it is left out."""
    return PICKER.sub("", OPTION.sub("", body))


def forbidden_markers(world) -> list[str]:
    author = world["author"]
    return [NAME, EMAIL, "zelda", DEPARTMENT, "Skunkworks", f"/people/{author.id}\"",
            SECRET_TIME.isoformat(timespec="minutes"), "05:06"]


# Admins' user and department pages name every user and department by design; there the
# anonymous posts must not appear.
PEOPLE_DIRECTORY = {"admin.users", "admin.user", "admin.departments"}


def check_directory_page(client, url: str, world) -> None:
    body = client.get(url).get_data(as_text=True)
    for anonymous in (world["post"], world["chosen"]):
        assert anonymous.title not in body, (url, anonymous.title)
        assert anonymous.public_id not in body, (url, anonymous.public_id)


@pytest.mark.parametrize("viewer", ["employee", "leader", "admin"])
def test_no_page_reveals_an_anonymous_author(app, client, login_as, anonymous_world, viewer):
    login_as(viewer)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        if rule.endpoint == "main.person":
            continue  # the author's own profile is checked below
        if rule.endpoint in PEOPLE_DIRECTORY:
            check_directory_page(client, fill(rule, anonymous_world), anonymous_world)
            continue
        url = fill(rule, anonymous_world)
        if url is None:
            continue
        for query in ("", "?sort=new", "?q=bonuses", "?q=retention&type=idea", "?format=json"):
            response = client.get(url + query, headers={"Accept": "text/html"})
            body = without_pickers(response.get_data(as_text=True))
            for marker in forbidden_markers(anonymous_world):
                assert marker not in body, f"{marker!r} leaked on {url}{query} to {viewer}"
            checked += 1
        json_response = client.get(url, headers={"Accept": "application/json"})
        for marker in forbidden_markers(anonymous_world):
            assert marker not in without_pickers(json_response.get_data(as_text=True)), (
                url, marker)
    assert checked > 40


def test_the_vote_json_and_notifications_stay_anonymous(client, login_as, anonymous_world):
    login_as("employee")
    response = client.post_form(f"/ideas/{anonymous_world['chosen'].public_id}/vote",
                                {"value": "support"}, headers={"Accept": "application/json"})
    assert set(response.json) <= {"value", "supporters", "opposers", "score"}
    inbox = client.get("/inbox/").get_data(as_text=True)
    for marker in forbidden_markers(anonymous_world):
        assert marker not in inbox


def test_the_author_keeps_control_and_notifications(client, anonymous_world):
    sign_in(client, anonymous_world["author"])
    post = anonymous_world["post"]
    page = client.get(f"/ideas/{post.public_id}").get_data(as_text=True)
    assert f"/ideas/{post.public_id}/edit" in page  # can still edit and delete
    # news of anonymous comments waits for the next batch of the anonymity window ...
    now = utcnow()
    held = db.session.scalars(select(Notification).where(Notification.created_at > now)).all()
    assert held
    assert all(n.created_at.minute == 0 and n.created_at - now <= timedelta(hours=1)
               for n in held)
    # ... and arrives with it
    db.session.execute(update(Notification).where(Notification.created_at > now)
                       .values(created_at=now - timedelta(seconds=1)))
    db.session.commit()
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "New comment on your idea" in inbox  # on the anonymous post
    assert "New reply to your comment" in inbox  # to the anonymous comment on a named post


def test_anonymous_posts_do_not_change_the_public_profile(client, login_as, anonymous_world):
    login_as("employee")
    profile = client.get(f"/people/{anonymous_world['author'].id}").get_data(as_text=True)
    assert "0 ideas" in profile and "0 comments" in profile
    assert "Tie bonuses" not in profile and "Decisions need reasons" not in profile


def test_anonymous_ids_are_random_not_sequential(anonymous_world):
    assert not anonymous_world["post"].public_id.isdigit()
    assert len(anonymous_world["post"].public_id) >= 12


# --- integrations (issue 20): the JSON API and webhook payloads -----------------------------

@pytest.fixture
def listening(factory):
    """Webhook endpoints of every format, subscribed to every event before anything happens
    (request it before anonymous_world)."""
    admin = factory.user(Role.ADMIN, name="Hook Keeper")
    for fmt in WebhookFormat:
        save_endpoint(admin, None, EndpointSettings(
            name=fmt.value, url="http://127.0.0.1:9/hook", format=fmt, events=list(EventKind),
            locale="en", secret="a-secret-of-sixteen-or-more"))
    return admin


def assert_no_author_in(answer, author_id: int, where: str) -> None:
    """No anonymous author anywhere in a JSON answer: no name, and no id beside the name."""
    if isinstance(answer, dict):
        shown = answer.get("author")
        if isinstance(shown, dict) and shown.get("anonymous"):
            assert "id" not in shown and shown.get("name") in (None, "Anonymous employee"), where
        assert answer.get("author_id") != author_id, where
        for value in answer.values():
            assert_no_author_in(value, author_id, where)
    elif isinstance(answer, list):
        for value in answer:
            assert_no_author_in(value, author_id, where)


@pytest.mark.parametrize("viewer", ["employee", "leader", "admin"])
def test_the_api_reveals_no_anonymous_author(app, client, factory, anonymous_world, viewer):
    secret = create_personal_token(factory.user(Role(viewer)), name="Leak test", write=False,
                                   expires_in_days=None).secret
    headers = {"Authorization": f"Bearer {secret}"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "GET" not in rule.methods:
            continue
        for idea in (anonymous_world["post"], anonymous_world["chosen"]):
            url = fill(rule, {**anonymous_world, "post": idea})
            for query in ("", "?sort=new", "?sort=top&limit=100",
                          f"?campaign={anonymous_world['campaign'].slug}"):
                response = client.get(url + query, headers=headers)
                assert response.status_code == 200, (url, response.get_data(as_text=True))
                body = response.get_data(as_text=True)
                for marker in forbidden_markers(anonymous_world):
                    assert marker not in body, f"{marker!r} leaked on {url}{query} to {viewer}"
                assert_no_author_in(response.get_json(), anonymous_world["author"].id,
                                    url + query)
                checked += 1
    assert checked >= 60
    listed = client.get("/api/v1/ideas?sort=new&limit=100", headers=headers).get_json()
    chosen = next(item for item in listed["items"]
                  if item["id"] == anonymous_world["chosen"].public_id)
    assert chosen["author"] == {"name": "Anonymous employee", "anonymous": True}
    assert chosen["posted"] == SECRET_TIME.date().isoformat()


def test_webhook_payloads_reveal_no_anonymous_author(app, listening, anonymous_world):
    events = db.session.scalars(select(WebhookEvent)).all()
    # the anonymous-only campaign says nothing; the anonymous post in the optional one is news
    assert [event.payload["idea"]["title"] for event in events if "idea" in event.payload] == [
        "Decisions need reasons", "Named post"]
    assert "Executive pay" not in json.dumps([event.payload for event in events])
    sent = db.session.scalars(select(WebhookDelivery).options(
        joinedload(WebhookDelivery.event), joinedload(WebhookDelivery.endpoint))).all()
    assert len(sent) == len(WebhookFormat) * len(events)
    author = anonymous_world["author"]
    for delivery in sent:
        request = build_request(delivery.endpoint, delivery.event, delivery,
                                "https://ideas.example.com")
        text = request.body.decode() + request.url
        for marker in [*forbidden_markers(anonymous_world), f'"id":{author.id},']:
            assert marker not in text, (delivery.endpoint.format, marker)
        if delivery.event.payload.get("idea", {}).get("title") == "Decisions need reasons":
            assert "Anonymous employee" in text, delivery.endpoint.format
        assert_no_author_in(json.loads(request.body), author.id, delivery.endpoint.format)
