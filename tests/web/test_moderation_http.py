"""Moderation through HTTP: flagging, the hidden-item rules on pages and lists, the flag
queue, merged ideas' old URLs, reveal, and suspension ending a live session."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.models import AuditEntry, Comment, Flag, Idea, Role, Stance
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from ideaboard.services.merge import merge_ideas
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

MERGE_RATIONALE = "Both ideas ask for the same thing: one shared launch calendar."


CLIENT_CLASS = IsolatedClient  # every request in its own app context, as in production


@pytest.fixture
def thread(factory):
    author = factory.user(name="Rude Robin")
    idea_author = factory.user(name="Idea Ivy")
    idea = factory.idea(idea_author, title="Quieter open-plan office")
    comment = add_comment(author, idea_by_public_id(idea.public_id),
                          body="You are all idiots", stance=Stance.AGAINST)
    return author, idea_author, idea, comment


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def flag_as(make_client, factory, url: str, reason: str = "abusive", note: str = ""):
    browser = make_client()
    sign_in(browser, factory.user())
    return browser.post_form(url, {"reason": reason, "note": note})


def test_three_flags_hide_a_comment_from_everyone_but_its_author_and_admins(
        client, make_client, factory, thread):
    author, _idea_author, idea, comment = thread
    url = f"/moderation/comments/{comment.public_id}/flag"
    page_url = f"/ideas/{idea.public_id}"
    for _ in range(2):
        assert flag_as(make_client, factory, url).status_code == 302
    assert "You are all idiots" in client.get(page_url).get_data(as_text=True)

    response = flag_as(make_client, factory, url, "other", "Insults the whole team")
    assert response.headers["Location"].endswith(f"#c-{comment.public_id}")

    visitor_page = client.get(page_url).get_data(as_text=True)
    assert "You are all idiots" not in visitor_page
    assert "hidden pending review" in visitor_page
    sign_in(client, author)
    own_page = client.get(page_url).get_data(as_text=True)
    assert "You are all idiots" in own_page
    assert "Several colleagues flagged your comment" in own_page
    assert "Abusive or disrespectful" in own_page  # the most common reason
    admin = make_client()
    sign_in(admin, factory.user(Role.ADMIN))
    assert "You are all idiots" in admin.get(page_url).get_data(as_text=True)
    queue = admin.get("/admin/flags").get_data(as_text=True)
    assert "You are all idiots" in queue and "Insults the whole team" in queue
    assert 'value="abusive" selected' in queue  # prefilled from the top reason


def test_flag_twice_is_refused_politely(client, factory, login_as, thread):
    _author, _idea_author, idea, _comment = thread
    login_as("employee")
    url = f"/moderation/ideas/{idea.public_id}/flag"
    client.post_form(url, {"reason": "spam"})
    again = client.post_form(url, {"reason": "spam"}, follow_redirects=True)
    assert "already flagged" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_a_hidden_idea_is_gone_from_lists_and_404_for_others(client, make_client, factory,
                                                             thread):
    _author, idea_author, idea, _comment = thread
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(hidden_at=func.now()))
    db.session.commit()
    for url in ("/", "/ideas", "/ideas?sort=new"):
        assert "Quieter open-plan office" not in client.get(url).get_data(as_text=True)
    assert client.get(f"/ideas/{idea.public_id}").status_code == 404
    other = make_client()
    sign_in(other, factory.user())
    assert other.get(f"/ideas/{idea.public_id}").status_code == 404
    assert other.post_form(f"/ideas/{idea.public_id}/vote",
                           {"value": "support"}).status_code == 404
    sign_in(client, idea_author)
    page = client.get(f"/ideas/{idea.public_id}")
    assert page.status_code == 200
    assert "Hidden pending review" in page.get_data(as_text=True)


def test_admin_hides_from_the_queue_in_one_click(client, make_client, factory, thread):
    author, _idea_author, idea, comment = thread
    flag_as(make_client, factory, f"/moderation/comments/{comment.public_id}/flag", "spam")
    admin = factory.user(Role.ADMIN)
    sign_in(client, admin)
    before = audit_count()

    response = client.post_form(f"/admin/comments/{comment.public_id}/moderate",
                                {"action": "hide", "reason_code": "spam", "reason": ""})

    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/flags")
    assert audit_count() == before + 1
    assert "No open flags" in client.get("/admin/flags").get_data(as_text=True)
    author_browser = make_client()
    sign_in(author_browser, author)
    page = author_browser.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "A moderator hid your comment" in page and "Spam or advertising" in page
    assert admin.display_name not in page
    notices = author_browser.get("/moderation/notices").get_data(as_text=True)
    assert "A moderator hid your comment" in notices


def test_the_old_url_of_a_merged_idea_leads_to_the_survivor(client, factory):
    duplicate = factory.idea(title="Duplicate calendar")
    survivor = factory.idea(title="Surviving calendar")
    merge_ideas(factory.user(Role.ADMIN), idea_by_public_id(duplicate.public_id),
                idea_by_public_id(survivor.public_id), MERGE_RATIONALE)

    response = client.get(f"/ideas/{duplicate.public_id}")

    assert response.status_code in (301, 302)
    assert response.headers["Location"].endswith(f"/ideas/{survivor.public_id}")
    assert "merged into this one" in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_merge_through_the_admin_page(client, login_as, factory):
    duplicate = factory.idea(title="Duplicate calendar")
    survivor = factory.idea(title="Surviving calendar")
    login_as("admin")
    assert client.get(f"/admin/ideas/{duplicate.public_id}/merge").status_code == 200
    before = audit_count()
    response = client.post_form(f"/admin/ideas/{duplicate.public_id}/merge",
                                {"survivor": f"http://x/ideas/{survivor.public_id}",
                                 "rationale": MERGE_RATIONALE})
    assert response.headers["Location"].endswith(f"/ideas/{survivor.public_id}")
    assert audit_count() == before + 1


def test_reveal_shows_the_name_only_in_that_response(client, make_client, login_as, factory):
    writer = factory.user(name="Hidden Hannah", email="hannah@example.com")
    idea = factory.idea(writer, title="Executive pay is too high")
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_anonymous=True))
    db.session.commit()
    admin = login_as("admin")
    url = f"/admin/ideas/{idea.public_id}/reveal"
    assert "Hidden Hannah" not in client.get(url).get_data(as_text=True)
    assert "Hidden Hannah" not in client.get("/admin/flags").get_data(as_text=True)

    refused = client.post_form(url, {"reason": "curious"})
    assert refused.status_code == 200 and "Hidden Hannah" not in refused.get_data(as_text=True)
    assert audit_count() == 0

    response = client.post_form(url, {"reason": "Legal hold requested by the works council"})

    assert "Hidden Hannah" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Hidden Hannah" not in client.get(url).get_data(as_text=True)
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "anonymity.reveal" in audit_page and "Hidden Hannah" not in audit_page
    entry = db.session.scalar(select(AuditEntry))
    assert entry.actor_id == admin.id and entry.reason.startswith("Legal hold")
    author_browser = make_client()
    sign_in(author_browser, writer)
    notices = author_browser.get("/moderation/notices").get_data(as_text=True)
    assert "looked up who wrote your anonymous idea" in notices
    assert admin.display_name not in notices


def test_suspension_ends_the_live_session_and_shows_reason_and_date_at_sign_in(
        client, make_client, factory):
    victim = factory.user(name="Suspended Sam")
    sign_in(client, victim)
    assert client.get("/account/profile").status_code == 200
    admin = make_client()
    sign_in(admin, factory.user(Role.ADMIN))
    until = date.today() + timedelta(days=30)

    response = admin.post_form(f"/admin/users/{victim.id}/suspend",
                               {"until": until.isoformat(), "reason": "Repeated insults"})

    assert response.status_code == 302
    refused = client.get("/account/profile")  # the same browser, next request
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    login = client.post_form("/login", {"email": victim.email,
                                        "password": "correct horse battery"})
    page = login.get_data(as_text=True)
    assert "Repeated insults" in page
    assert str(until.year) in page and "suspended until" in page


def test_suspend_forever_then_lift(client, make_client, login_as, factory):
    victim = factory.user()
    login_as("admin")
    client.post_form(f"/admin/users/{victim.id}/suspend",
                     {"permanent": "y", "reason": "Threatened a colleague"})
    db.session.expire_all()
    assert victim.suspended_until.year == 9999
    refused = make_client().post_form("/login", {"email": victim.email,
                                                 "password": "correct horse battery"})
    page = refused.get_data(as_text=True)
    assert "This account is suspended." in page and "Threatened a colleague" in page
    assert "9999" not in page
    missing = client.post_form(f"/admin/users/{victim.id}/suspend", {"reason": "No date given"})
    assert "Choose the end date" in missing.get_data(as_text=True)
    client.post_form(f"/admin/users/{victim.id}/access",
                     {"action": "unsuspend", "reason": "Apologised in person"})
    db.session.expire_all()
    assert victim.suspended_until is None
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user.suspend", "user.unsuspend"]


def test_moderator_deleted_comment_leaves_a_placeholder(client, login_as, thread):
    _author, _idea_author, idea, comment = thread
    login_as("admin")
    client.post_form(f"/admin/comments/{comment.public_id}/moderate",
                     {"action": "delete", "reason_code": "abusive", "reason": ""})
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Comment removed by a moderator." in page
    assert "You are all idiots" not in page
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).is_deleted


def test_admin_edits_a_post_and_keeps_the_original(client, login_as, thread):
    _author, _idea_author, idea, comment = thread
    login_as("admin")
    url = f"/admin/comments/{comment.public_id}/edit"
    assert "You are all idiots" in client.get(url).get_data(as_text=True)
    client.post_form(url, {"body": "I disagree strongly.", "reason": "Removed an insult"})
    assert "I disagree strongly." in client.get(f"/ideas/{idea.public_id}").get_data(
        as_text=True)
    history = client.get(url).get_data(as_text=True)
    assert "You are all idiots" in history and "Removed an insult" in history
