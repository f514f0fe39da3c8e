"""Private by default: sign in to read, personal feed tokens, sensitive campaigns always
sign-in only, and an author told — in the inbox and by e-mail — when an admin reveals them."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    CampaignKind,
    Idea,
    Notification,
    NotificationKind,
    OutboxMessage,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.feeds import feed_token
from ideaboard.services.ideas import post_idea
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient

CLIENT_CLASS = IsolatedClient

SENSITIVE_TITLE = "What do you think of executive pay?"
SENSITIVE_POST = "The bonus pool rewards the wrong things"


@pytest.fixture
def sensitive(factory):
    """The board's anonymous-only discussion with one post, and an ordinary idea."""
    board = factory.user(Role.LEADER, name="Board Member")
    campaign = create_campaign(board, title=SENSITIVE_TITLE, description="Speak freely.",
                               kind=CampaignKind.DISCUSSION, anonymity=Anonymity.ANONYMOUS_ONLY,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    post = post_idea(factory.user(), campaign, title=SENSITIVE_POST, body="Details",
                     tags=["pay"])
    ordinary = factory.idea(title="Better coffee in the canteen")
    return campaign, post, ordinary


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_the_default_is_sign_in_to_read(app):
    assert db.session.get(SiteSettings, 1).read_requires_sign_in is True


@pytest.mark.parametrize("path", ["/", "/ideas", "/decided", "/campaigns/", "/search?q=pay",
                                  "/feeds/ideas.atom", "/feeds/decisions.atom"])
def test_signed_out_readers_are_sent_to_sign_in(client, sensitive, path):
    assert goes_to_sign_in(client.get(path))


def test_signed_out_readers_cannot_open_posts_plans_results_or_profiles(client, sensitive):
    campaign, post, ordinary = sensitive
    for path in (f"/ideas/{ordinary.public_id}", f"/ideas/{post.public_id}",
                 f"/campaigns/{campaign.slug}", f"/feeds/campaigns/{campaign.slug}.atom",
                 f"/people/{ordinary.author_id}"):
        response = client.get(path)
        assert goes_to_sign_in(response), path
        assert SENSITIVE_POST not in response.get_data(as_text=True)


def test_a_feed_token_reads_the_feed_as_its_owner_and_dies_on_reset(client, make_client,
                                                                   factory, sensitive):
    reader = factory.user(name="Feed Reader")
    token = feed_token(reader)
    feed = client.get(f"/feeds/ideas.atom?token={token}")  # no cookie: a feed reader
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    assert "Better coffee in the canteen" in feed.get_data(as_text=True)
    assert SENSITIVE_POST in feed.get_data(as_text=True)  # the owner may read it, signed in
    assert client.get(f"/feeds/ideas.atom?token={token}x").status_code == 404
    assert client.get(f"/feeds/campaigns/{sensitive[0].slug}.atom?token={token}"
                      ).status_code == 200
    assert goes_to_sign_in(client.get(f"/ideas?token={token}"))  # feeds only, never pages

    browser = make_client()
    sign_in(browser, reader)
    page = browser.get("/account/feeds").get_data(as_text=True)
    assert f"/feeds/ideas.atom?token={token}" in page
    assert browser.post_form("/account/feeds/reset").status_code == 302
    assert client.get(f"/feeds/ideas.atom?token={token}").status_code == 404
    db.session.expire_all()
    new_token = feed_token(db.session.get(User, reader.id))
    assert new_token != token
    assert client.get(f"/feeds/ideas.atom?token={new_token}").status_code == 200


def test_a_suspended_owners_feed_token_stops_working(client, factory):
    from ideaboard.services.accounts import suspend_user

    reader = factory.user()
    token = feed_token(reader)
    assert client.get(f"/feeds/decisions.atom?token={token}").status_code == 200
    suspend_user(reader, None, "Left the company")
    assert client.get(f"/feeds/decisions.atom?token={token}").status_code == 404


def test_signed_in_pages_offer_feed_links_with_the_readers_token(client, login_as, sensitive):
    me = login_as("employee")
    page = client.get("/ideas").get_data(as_text=True)
    assert f'href="/feeds/ideas.atom?token={feed_token(me)}"' in page


def test_an_admin_opens_reading_up_in_the_settings_and_it_is_audited(client, make_client,
                                                                     login_as, sensitive):
    login_as("admin")
    form = {"flag_threshold": "3", "small_group_minimum": "5", "smtp_security": "",
            "anonymity_window_minutes": "60"}  # the sign-in box left unticked
    assert client.post_form("/admin/settings/platform", form).status_code == 302
    assert db.session.get(SiteSettings, 1).read_requires_sign_in is False
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.platform"))
    assert entry.details["read_requires_sign_in"] == "True → False"
    visitor = make_client()
    assert visitor.get("/ideas").status_code == 200


@pytest.mark.usefixtures("reading_open")
def test_sensitive_campaigns_stay_sign_in_only_when_reading_is_open(client, sensitive,
                                                                   factory):
    campaign, post, _ordinary = sensitive
    assert goes_to_sign_in(client.get(f"/campaigns/{campaign.slug}"))
    assert goes_to_sign_in(client.get(f"/ideas/{post.public_id}"))
    assert client.get(f"/feeds/campaigns/{campaign.slug}.atom").status_code == 404
    for path in ("/", "/ideas", "/ideas?sort=new", "/feeds/ideas.atom", "/campaigns/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert SENSITIVE_POST not in response.get_data(as_text=True), path
    assert "Better coffee in the canteen" in client.get("/ideas").get_data(as_text=True)


@pytest.mark.usefixtures("reading_open")
def test_an_anonymous_plan_review_is_sign_in_only_when_reading_is_open(client, factory):
    owner = factory.user(Role.LEADER)
    campaign = create_campaign(owner, title="Plan 2027", description="",
                               kind=CampaignKind.PLAN_REVIEW, anonymity=Anonymity.ANONYMOUS_ONLY,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    assert goes_to_sign_in(client.get(f"/campaigns/{campaign.slug}/plan"))


def test_the_author_is_told_of_a_reveal_in_the_inbox_and_by_email(client, make_client,
                                                                   login_as, factory, app):
    app.config["MAIL_SERVER"] = "127.0.0.1"  # e-mail on: the outbox is filled
    writer = factory.user(name="Hidden Hannah")
    idea = factory.idea(writer, title="Executive pay is too high")
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_anonymous=True))
    db.session.commit()
    login_as("admin")
    reason = "Legal hold requested by the works council"
    client.post_form(f"/admin/ideas/{idea.public_id}/reveal", {"reason": reason})

    item = db.session.scalar(select(Notification).where(
        Notification.kind == NotificationKind.ANONYMITY_REVEALED))
    assert item.user_id == writer.id and item.detail == reason and item.actor_id is None
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.notification_id == item.id)) is not None
    author = make_client()
    sign_in(author, writer)
    inbox = author.get("/inbox/").get_data(as_text=True)
    assert "looked up who wrote your anonymous post" in inbox and reason in inbox
    opened = author.post_form(f"/inbox/{item.id}/open")
    assert urlsplit(opened.headers["Location"]).path == "/moderation/notices"


def test_the_reveal_notice_can_be_switched_off_like_any_other(client, login_as):
    login_as("employee")
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "looks up who wrote one of my anonymous posts" in page


def test_the_third_flagger_lands_on_a_page_that_exists(client, make_client, factory):
    idea = factory.idea(title="Buy my crypto course")
    for n in range(3):
        browser = make_client()
        sign_in(browser, factory.user())
        response = browser.post_form(f"/moderation/ideas/{idea.public_id}/flag",
                                     {"reason": "spam"}, follow_redirects=True)
        assert response.status_code == 200, n
    assert "it is hidden until a moderator" in response.get_data(as_text=True)
    assert urlsplit(response.request.url).path.startswith("/campaigns/")


def test_the_anonymous_author_is_told_how_timing_is_protected(client, login_as, factory):
    from ideaboard.models import Campaign

    login_as("employee")
    campaign = db.session.scalar(select(Campaign).where(Campaign.is_standing.is_(True)))
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                       .values(anonymity=Anonymity.OPTIONAL))
    db.session.commit()
    page = client.post_form("/ideas/new", {"title": "Pay bands are unclear", "body": "",
                                           "tags": "", "anonymous": "y", "publish": "1"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Posted anonymously" in page and "last 60 minutes" in page
    named = client.post_form("/ideas/new", {"title": "Named idea", "body": "", "tags": "",
                                            "publish": "1"}, follow_redirects=True)
    assert "Posted anonymously" not in named.get_data(as_text=True)


@pytest.mark.usefixtures("reading_open")
def test_search_leaves_sensitive_campaigns_out_for_readers_not_signed_in(client, login_as,
                                                                          sensitive):
    assert "pool rewards the wrong" not in client.get("/search?q=bonus").get_data(as_text=True)
    login_as("employee")
    assert "pool rewards the wrong" in client.get("/search?q=bonus").get_data(as_text=True)
