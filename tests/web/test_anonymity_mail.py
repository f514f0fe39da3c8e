"""Try to break anonymity beyond the pages: what an anonymous author's posts, comments,
replies and plan critiques send to other people — inbox items, e-mails (one per event and
the daily digest), and the plan review's pages, feeds and JSON — must not name them, nor time
their posts to a finer grain than the day. The checks are test_anonymity's."""
import re
from datetime import timedelta

import pytest
from flask import Flask, get_template_attribute
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    CampaignKind,
    Comment,
    Critique,
    CritiqueReply,
    CritiqueStance,
    Idea,
    IdeaStatus,
    Level,
    Notification,
    NotificationKind,
    OutboxMessage,
    Role,
    Stance,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.queries.notifications import WITH_TARGETS
from ideaboard.queries.plans import criteria_of, sections_of
from ideaboard.services.campaigns import create_campaign, follow_campaign, publish_outcome
from ideaboard.services.comments import add_comment
from ideaboard.services.follows import follow_tag
from ideaboard.services.ideas import post_idea
from ideaboard.services.mail import render_message
from ideaboard.services.notifications import queue_digest_due
from ideaboard.services.plans import (
    answer_critique,
    mark_critique_helpful,
    post_critique,
    reply_to_critique,
)
from ideaboard.services.review import change_status, follow_idea, pull_into_queue
from ideaboard.services.votes import SUPPORT, cast_vote
from tests.conftest import Client, sign_in
from tests.unit.test_plans import make_campaign, make_plan, rate_all
from tests.web.test_anonymity import (
    DEPARTMENT,
    EMAIL,
    NAME,
    PEOPLE_DIRECTORY,
    SECRET_TIME,
    forbidden_markers,
    without_pickers,
)
from tests.web.url_map import argument_slot

CRITIQUE_BODY = "The budget is invented"
OUTCOME = "We will tie part of the bonus to retention from next year on."


@pytest.fixture
def app(make_app):
    """Mail is switched on, so every event queues e-mails; none is sent: the test renders
    each one as the worker would."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with app.app_context():
        yield app


@pytest.fixture
def mail_world(factory):
    """Colleagues who follow, support, comment and own plans; then the anonymous author
    posts, comments, replies and critiques, and leadership answers."""
    author = factory.user(name=NAME, email=EMAIL, department=DEPARTMENT,
                          level=Level.EXECUTIVE)
    board = factory.user(Role.LEADER, name="Board Chair")
    idea_owner = factory.user(name="Idea Owner")
    commenter = factory.user(name="Named Commenter", locale="zh")
    follower = factory.user(name="Faithful Follower")
    digest_reader = factory.user(name="Digest Reader")
    digest_reader.email_digest = True
    plan_owner = factory.user(Role.LEADER, name="Plan Owner")
    critic = factory.user(name="Named Critic")
    db.session.commit()

    def open_campaign(kind, anonymity, title):
        return create_campaign(board, title=title, description="Speak freely", kind=kind,
                               anonymity=anonymity, opens_at=utcnow() - timedelta(days=1),
                               closes_at=utcnow() + timedelta(days=9))

    consultation = open_campaign(CampaignKind.CONSULTATION, Anonymity.ANONYMOUS_ONLY,
                                 "Executive pay")
    optional = open_campaign(CampaignKind.IDEAS, Anonymity.OPTIONAL, "Team strengths")
    plan_campaign = make_campaign(plan_owner, anonymity=Anonymity.OPTIONAL, slug="plan-anon")
    plan = make_plan(plan_owner, plan_campaign)
    for reader in (follower, digest_reader):
        for campaign in (consultation, optional, plan_campaign):
            follow_campaign(reader, campaign, True)
        follow_tag(reader, "pay", True)

    # Ideas and comments: on the author's anonymous post, and on a colleague's named one.
    post = post_idea(author, consultation, title="Tie bonuses to retention", body="Because.",
                     tags=["pay"])
    named = post_idea(idea_owner, optional, title="Named post", body="", tags=["pay"])
    for reader in (follower, digest_reader):
        follow_idea(reader, post, True)
        cast_vote(reader, post.public_id, SUPPORT)
    named_comment = add_comment(commenter, idea_by_public_id(named.public_id),
                                body="A named view", stance=Stance.NEUTRAL)
    add_comment(author, idea_by_public_id(named.public_id), body="Anonymous on a named post",
                stance=Stance.AGAINST, anonymous=True)
    add_comment(author, idea_by_public_id(named.public_id), body="Anonymous reply",
                stance=Stance.NEUTRAL, parent=named_comment, anonymous=True)
    on_post = add_comment(commenter, idea_by_public_id(post.public_id),
                          body="A question for the author", stance=Stance.NEUTRAL)
    comment = add_comment(author, idea_by_public_id(post.public_id), body="The author answers",
                          stance=Stance.FOR, parent=on_post)
    pull_into_queue(board, idea_by_public_id(post.public_id), "Board wants to answer this")
    change_status(board, idea_by_public_id(post.public_id), IdeaStatus.UNDER_REVIEW, "")
    publish_outcome(board, consultation, OUTCOME)

    # Plan review: an anonymous critique, an anonymous reply to a colleague's critique.
    section = sections_of(plan)[0]
    named_critique = post_critique(critic, plan_campaign, section,
                                   stance=CritiqueStance.SUPPORT, body="Looks right to me",
                                   ratings=rate_all(plan))
    critique = post_critique(author, plan_campaign, section, stance=CritiqueStance.CONCERN,
                             body=CRITIQUE_BODY, ratings=rate_all(plan), anonymous=True)
    reply = reply_to_critique(author, plan_campaign, named_critique, body="Not to me",
                              anonymous=True)
    answer_critique(plan_owner, plan_campaign, critique, "We will show our sources.")
    mark_critique_helpful(critic, plan_campaign, critique, True)
    publish_outcome(plan_owner, plan_campaign, OUTCOME)
    assert queue_digest_due() >= 1

    for model in (Idea, Comment, Critique, CritiqueReply):
        db.session.execute(update(model).where(model.author_id == author.id)
                           .values(created_at=SECRET_TIME, public_at=SECRET_TIME,
                               updated_at=SECRET_TIME))
    db.session.execute(update(Notification).values(created_at=SECRET_TIME))
    digest_reader.last_digest_at = SECRET_TIME  # the digest was queued then too
    db.session.commit()
    assert post.is_anonymous and comment.is_anonymous
    assert critique.is_anonymous and reply.is_anonymous
    return {"author": author, "post": post, "comment": comment, "critique": critique,
            "reply": reply, "section": section, "criterion": criteria_of(plan)[0],
            "campaign": consultation, "plan_campaign": plan_campaign}


def leaks(text: str, world) -> list[str]:
    """The page checks, and the author's profile as a plain-text link (e-mails have no
    quotes around their links)."""
    found = [marker for marker in forbidden_markers(world) if marker in text]
    if re.search(rf"/people/{world['author'].id}(?!\d)", text):
        found.append("profile link")
    return found


def others(world):
    return User.id != world["author"].id


def test_no_email_to_a_colleague_names_the_anonymous_author(mail_world):
    messages = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id != mail_world["author"].id).order_by(OutboxMessage.id)))
    kinds = set(db.session.scalars(select(Notification.kind).join(
        OutboxMessage, OutboxMessage.notification_id == Notification.id).where(
        OutboxMessage.user_id != mail_world["author"].id)))
    assert kinds >= {NotificationKind.COMMENT_ON_IDEA, NotificationKind.REPLY,
                     NotificationKind.ESCALATED, NotificationKind.DECISION,
                     NotificationKind.QUEUE_NEW, NotificationKind.CAMPAIGN_OUTCOME}, kinds
    assert "digest" in {message.kind for message in messages}

    for message in messages:
        rendered = render_message(message)  # what the worker hands to SMTP
        headers = "\n".join(f"{key}: {value}" for key, value in rendered.items())
        parts = [part.get_content() for part in rendered.walk() if not part.is_multipart()]
        assert parts and all(part.strip() for part in parts)
        if message.kind == "digest":
            assert mail_world["post"].title in parts[0]  # the digest lists what happened
        for text in (headers, *parts):
            assert leaks(text, mail_world) == [], (message.kind, message.user_id, text)


def browser(app: Flask, user: User) -> Client:
    app.test_client_class = Client
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


PERSONAL_PAGES = ["/inbox/", "/", "/following", "/activity", "/moderation/notices",
                  "/account/notifications"]


def test_no_inbox_item_names_the_anonymous_author(app, mail_world):
    items = list(db.session.scalars(select(Notification).join(
        User, User.id == Notification.user_id).where(others(mail_world)).options(*WITH_TARGETS)))
    assert {item.kind for item in items} >= {NotificationKind.COMMENT_ON_IDEA,
                                             NotificationKind.REPLY,
                                             NotificationKind.CAMPAIGN_OUTCOME}
    with app.test_request_context():
        notification_text = get_template_attribute("notifications/_text.txt",
                                                   "notification_text")
        for item in items:
            text = str(notification_text(item))
            assert text.strip() and leaks(text, mail_world) == [], (item.kind, text)

    recipients = {item.user_id for item in items}
    assert len(recipients) >= 5
    for user_id in recipients:
        reader = browser(app, db.session.get(User, user_id))
        for url in PERSONAL_PAGES:
            page = without_pickers(reader.get(url).get_data(as_text=True))
            assert leaks(page, mail_world) == [], (url, user_id)
        # Opening an item lands on what happened: that page must not tell either.
        for item_id in db.session.scalars(select(Notification.id).where(
                Notification.user_id == user_id)):
            landed = reader.post_form(f"/inbox/{item_id}/open", follow_redirects=True)
            assert landed.status_code == 200
            assert leaks(without_pickers(landed.get_data(as_text=True)), mail_world) == []


# --- the plan review's pages, feeds and JSON, with the same walk as test_anonymity --------

def slot_values(world, slug: str) -> dict[tuple[str, str], str]:
    return {("ideas", "public_id"): world["post"].public_id,
            ("review", "public_id"): world["post"].public_id,
            ("comments", "public_id"): world["comment"].public_id,
            ("critiques", "public_id"): world["critique"].public_id,
            ("critique-replies", "public_id"): world["reply"].public_id,
            ("campaigns", "slug"): slug,
            ("sections", "section_id"): str(world["section"].id),
            ("criteria", "criterion_id"): str(world["criterion"].id)}


def fill(rule, values) -> str | None:
    url = rule.rule
    for argument in rule.arguments:
        slot = argument_slot(rule, argument)
        if slot not in values:
            return None
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", values[slot], url)
    return url


QUERIES = ("", "?q=invented", "?q=budget&type=critique", "?title=bonuses%20retention&tags=pay",
           "?format=json")


@pytest.mark.parametrize("viewer", ["employee", "leader", "admin"])
def test_no_plan_page_feed_or_json_names_the_anonymous_critic(app, client, login_as,
                                                              mail_world, viewer):
    login_as(viewer)
    plan_slug, consultation_slug = mail_world["plan_campaign"].slug, mail_world["campaign"].slug
    checked = 0
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint.endswith("static")
                or rule.endpoint == "main.person" or rule.endpoint in PEOPLE_DIRECTORY):
            continue  # the author's profile and the admins' people pages: test_anonymity
        slugs = (plan_slug, consultation_slug) if "slug" in rule.arguments else (plan_slug,)
        for slug in slugs:
            url = fill(rule, slot_values(mail_world, slug))
            if url is None:
                continue
            for query in QUERIES:
                for accept in ("text/html", "application/json"):
                    response = client.get(url + query, headers={"Accept": accept})
                    body = without_pickers(response.get_data(as_text=True))
                    assert leaks(body, mail_world) == [], (url + query, accept, viewer)
                    checked += 1
    assert checked > 400

    plan_page = client.get(f"/campaigns/{plan_slug}/plan").get_data(as_text=True)
    assert CRITIQUE_BODY in plan_page  # the walk saw the anonymous critique itself
    feed = client.get(f"/feeds/campaigns/{plan_slug}.atom")
    assert feed.mimetype == "application/atom+xml" and OUTCOME in feed.get_data(as_text=True)
    found = client.get("/search?q=invented").get_data(as_text=True)
    assert f"#k-{mail_world['critique'].public_id}" in found
    helpful = client.post_form(f"/critiques/{mail_world['critique'].public_id}/helpful",
                               {"helpful": "1"}, headers={"Accept": "application/json"})
    # publishing the outcome closed the plan review (issue 12): the mark is refused, in words
    assert set(helpful.get_json()) == {"error"} and "closed" in helpful.get_json()["error"]
    assert leaks(helpful.get_data(as_text=True), mail_world) == []
