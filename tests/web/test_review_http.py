"""The review queue through HTTP: role gates, decisions, public timeline, overdue, inbox."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import Escalation, Idea, Notification, Role
from ideaboard.models.base import utcnow
from ideaboard.services.review import pull_into_queue

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

RATIONALE = "We will pilot this with two teams next quarter and report back."


def queued_idea(factory, title="Publish the launch calendar"):
    idea = factory.idea(title=title)
    pull_into_queue(factory.user(Role.LEADER, name="Lead Puller"), idea, "Customers ask for it")
    return db.session.get(Idea, idea.id)


def review_urls(app, public_id: str) -> list[tuple[str, str]]:
    """Every route of the review blueprint, generated from the URL map."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("review."):
            path = rule.rule.replace("<public_id>", public_id)
            urls += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(urls) >= 6
    return urls


@pytest.mark.parametrize("role", ["employee", "visitor"])
def test_non_leaders_are_kept_out_of_every_review_route(app, client, login_as, factory, role):
    idea = queued_idea(factory)
    login_as(role)
    for method, url in review_urls(app, idea.public_id):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post_form(url, {"status": "accepted", "rationale": RATIONALE})
        expected = 403 if role == "employee" else 302
        assert response.status_code == expected, (method, url)
    assert db.session.get(Idea, idea.id).status.value == "escalated"


def test_the_queue_lists_most_overdue_first_with_its_columns(client, login_as, factory):
    login_as("leader")
    late = queued_idea(factory, "Late one")
    later = queued_idea(factory, "Later one")
    fresh = queued_idea(factory, "Fresh one")
    now = utcnow()
    for idea, due in ((late, now - timedelta(days=5)), (later, now - timedelta(days=1)),
                      (fresh, now + timedelta(days=9))):
        db.session.execute(update(Escalation).where(Escalation.idea_id == idea.id)
                           .values(due_at=due))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(review_due_at=due))
    db.session.commit()
    page = client.get("/review/").get_data(as_text=True)
    assert page.index("Late one") < page.index("Later one") < page.index("Fresh one")
    assert "5 days overdue" in page and "Open ideas" in page and "nobody yet" in page


def test_a_long_queue_comes_in_keyset_pages_in_due_order(app, client, login_as, factory,
                                                         count_queries):
    """Every queued idea appears exactly once across the pages, soonest due first, and a
    page costs the same statements however long the queue is."""
    app.config["PAGE_SIZE"] = 3
    login_as("leader")
    now = utcnow()
    ideas = [queued_idea(factory, f"Queued idea {n:02d}") for n in range(8)]
    for n, idea in enumerate(ideas):  # two share a due time: the id breaks the tie
        due = now + timedelta(days=(n * 3) % 8 // 2)
        db.session.execute(update(Escalation).where(Escalation.idea_id == idea.id)
                           .values(due_at=due))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(review_due_at=due))
    db.session.commit()
    expected = [idea.title for idea in sorted(
        ideas, key=lambda i: (db.session.scalar(select(Escalation.due_at).where(
            Escalation.idea_id == i.id)), i.id))]

    seen, url, statements, pages = [], "/review/", set(), 0
    while url:
        pages += 1
        with count_queries() as counter:
            page = client.get(url).get_data(as_text=True)
        statements.add(counter.count)
        seen += re.findall(r"Queued idea \d\d", page[page.index("queue-table"):])
        assert "8 ideas await an answer" in page
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == expected and pages == 3  # 3 + 3 + 2
    assert len(statements) == 1  # the first page and the last cost the same
    malformed = client.get("/review/?after=not-a-cursor").get_data(as_text=True)
    assert re.findall(r"Queued idea \d\d",
                      malformed[malformed.index("queue-table"):]) == expected[:3]  # page 1


def test_a_decision_without_rationale_is_refused_with_a_clear_message(client, login_as, factory):
    login_as("leader")
    idea = queued_idea(factory)
    response = client.post_form(f"/review/{idea.public_id}/status",
                                {"status": "declined", "rationale": "No."})
    assert response.status_code == 400
    assert "at least 30 characters" in response.get_data(as_text=True)
    assert db.session.get(Idea, idea.id).status.value == "escalated"


def test_claim_decide_and_the_public_timeline_shows_each_step(client, login_as, factory):
    leader = login_as("leader", name="Chen Jing")
    idea = queued_idea(factory)
    client.post_form(f"/review/{idea.public_id}/claim")
    assert db.session.scalar(select(Escalation.owner_id)) == leader.id
    client.post_form(f"/review/{idea.public_id}/status", {"status": "under_review"})
    response = client.post_form(f"/review/{idea.public_id}/status",
                                {"status": "accepted", "rationale": RATIONALE})
    assert response.status_code == 302
    client.post_form("/logout")
    client.signed_in = False
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)  # a visitor's view
    timeline = page[page.index('id="timeline"'):]
    assert "Lead Puller brought it to leadership on" in timeline
    assert timeline.index("Under review") < timeline.index("Accepted") < timeline.index(RATIONALE)
    assert "Chen Jing" in timeline
    decided = client.get("/decided").get_data(as_text=True)
    assert idea.title in decided and RATIONALE in decided


def test_overdue_items_are_marked_in_public_and_counted_on_the_home_page(client, factory):
    idea = queued_idea(factory, "Overdue idea")
    due = utcnow() - timedelta(days=3, hours=1)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(review_due_at=due))
    db.session.commit()
    assert "3 days overdue" in client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "3 days overdue" in client.get("/ideas").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> idea awaiting an answer", home)
    assert re.search(r"<strong>1</strong> overdue", home)


def test_leaders_pull_from_the_idea_page(client, login_as, factory):
    login_as("leader")
    idea = factory.idea()
    assert "Bring to the review queue" in client.get(f"/ideas/{idea.public_id}").get_data(
        as_text=True)
    client.post_form(f"/review/{idea.public_id}/pull", {"note": "Board asked about this"})
    assert db.session.get(Idea, idea.id).status.value == "escalated"


def test_inbox_shows_unread_count_and_opening_marks_read(client, login_as, factory):
    author = login_as("employee")
    idea = factory.idea(author, title="My idea")
    pull_into_queue(factory.user(Role.LEADER), idea, "Looks promising")
    home = client.get("/").get_data(as_text=True)
    assert 'class="unread-badge"' in home
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "brought “My idea” to leadership for a public answer" in inbox
    item = db.session.scalar(select(Notification))
    response = client.post_form(f"/inbox/{item.id}/open")
    assert response.headers["Location"].startswith(f"/ideas/{idea.public_id}")
    assert db.session.get(Notification, item.id).read_at is not None
    assert 'class="unread-badge"' not in client.get("/").get_data(as_text=True)


def test_nobody_opens_someone_elses_notification(client, login_as, factory):
    author = factory.user()
    pull_into_queue(factory.user(Role.LEADER), factory.idea(author), "x")
    login_as("employee")
    item = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert client.post_form(f"/inbox/{item.id}/open").status_code == 404
    assert db.session.get(Notification, item.id).read_at is None


def test_notification_preferences_turn_a_kind_off(client, login_as, factory):
    user = login_as("employee")
    client.post_form("/account/notifications", {"decision_in_app": "y", "decision_email": "y"})
    idea = factory.idea(user)
    pull_into_queue(factory.user(Role.LEADER), idea, "x")  # escalated: switched off
    assert db.session.scalar(select(Notification).where(Notification.user_id == user.id)) is None


def test_admin_previews_then_saves_the_escalation_rule(client, login_as, factory):
    login_as("admin")
    page = client.post_form("/admin/settings", {"min_supporters": 1, "min_wilson": "0.0",
                                                "sla_days": 10, "preview": "1"})
    assert "Under this rule" in page.get_data(as_text=True)
    assert db.session.scalar(select(Escalation)) is None
    client.post_form("/admin/settings", {"min_supporters": 1, "min_wilson": "0.0",
                                         "sla_days": 10, "save": "1", "confirm": "y"})
    from ideaboard.models import SiteSettings
    assert db.session.get(SiteSettings, 1).review_sla_days == 10
