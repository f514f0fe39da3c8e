"""Moderation end to end in Chromium: an employee flags an abusive comment, two more flag
it and it disappears from the page; the admin opens the queue, hides it with a reason and
suspends its author; the author sees the reason and the end date at sign-in."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import FlagReason, Role, Stance, User
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from ideaboard.services.moderation import ModerationAction, flag, moderate
from tests.browser.scene_helpers import make_person, sign_in
from tests.conftest import TEST_PASSWORD

ABUSE = "Everyone in Logistics is an idiot and should be fired."


def flag_comment(page: Page, idea_url: str, comment_id: str) -> None:
    page.goto(idea_url)
    comment = page.locator(f"#c-{comment_id}")
    comment.get_by_role("link", name="Flag").click()  # the page's one flag form opens here
    comment.get_by_label("What is wrong?").select_option("abusive")
    with page.expect_navigation():
        comment.get_by_role("button", name="Send to the moderators").click()
    expect(page.locator(".flashes")).to_contain_text("Thank you")


def test_flag_hide_and_suspend(live_server, factory, new_page, screenshot, a11y,
                               browser_errors):
    author = make_person(factory, "employee", "Rude Rory", "Operations")
    owner = make_person(factory, "employee", "Idea Ines", "Operations")
    flaggers = [make_person(factory, "employee", f"Flagger {n}", "Sales") for n in "ABC"]
    admin = make_person(factory, "admin", "Admin Ada", "IT")
    idea = factory.idea(db.session.get(User, owner.id), title="Load trucks the evening before")
    comment = add_comment(db.session.get(User, author.id), idea_by_public_id(idea.public_id),
                          body=ABUSE, stance=Stance.AGAINST)
    idea_url, comment_id = f"{live_server}/ideas/{idea.public_id}", comment.public_id
    db.session.commit()  # end the read transaction before the server writes

    # 1. Three colleagues flag it; after the third it is gone from the page.
    pages = [sign_in(new_page, live_server, person) for person in flaggers]
    flag_comment(pages[0], idea_url, comment_id)
    expect(pages[0].locator(f"#c-{comment_id}")).to_contain_text(ABUSE)
    expect(pages[0].locator(f"#c-{comment_id}")).to_contain_text("Flagged")
    a11y.check(pages[0], "idea page with a flagged comment")
    flag_comment(pages[1], idea_url, comment_id)
    flag_comment(pages[2], idea_url, comment_id)
    expect(pages[2].locator(".flashes")).to_contain_text("it is hidden")
    hidden = pages[0]
    hidden.goto(idea_url)
    expect(hidden.locator(f"#c-{comment_id}")).not_to_contain_text(ABUSE)
    expect(hidden.locator(f"#c-{comment_id}")).to_contain_text("hidden pending review")
    screenshot(hidden, "moderation-1-hidden-comment")

    # 2. The admin opens the queue (Admin → Flags), hides it with the prefilled reason.
    admin_page = sign_in(new_page, live_server, admin)
    admin_page.locator(".site-header").get_by_role("link", name="Admin", exact=True).click()
    expect(admin_page.locator("h2")).to_contain_text("Flagged posts")
    group = admin_page.locator(f"#flagged-comment-{comment_id}")
    expect(group).to_contain_text(ABUSE)
    expect(group).to_contain_text("Abusive or disrespectful × 3")
    expect(group.get_by_label("Reason shown to the author")).to_have_value("abusive")
    a11y.check(admin_page, "flag queue")
    screenshot(admin_page, "moderation-2-flag-queue")
    group.get_by_label("In your words (optional)").fill("Insulting a whole team is not okay.")
    with admin_page.expect_navigation():
        group.get_by_role("button", name="Hide", exact=True).click()
    expect(admin_page.locator(".flashes")).to_contain_text("Hidden.")
    expect(admin_page.locator(".empty-state")).to_contain_text("No open flags")

    # 3. … and suspends its author for two weeks, from the author's admin page.
    admin_page.goto(f"{live_server}/admin/users?q=Rory")
    admin_page.get_by_role("link", name="Rude Rory").click()
    until = date.today() + timedelta(days=14)
    admin_page.get_by_label("Suspended until").fill(until.isoformat())
    admin_page.get_by_label("Reason (shown to them when they try to sign in)").fill(
        "Insulted a whole team in a comment.")
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Suspend", exact=True).click()
    expect(admin_page.locator(".flashes")).to_contain_text("Suspended.")
    a11y.check(admin_page, "user admin page")

    # 4. The author tries to sign in and reads why, and until when.
    author_page = new_page()
    author_page.goto(f"{live_server}/login")
    author_page.fill("#email", author.email)
    author_page.fill("#password", TEST_PASSWORD)
    with author_page.expect_navigation():
        author_page.get_by_role("button", name="Sign in").click()
    alert = author_page.locator(".alert-danger")
    expect(alert).to_contain_text("Insulted a whole team in a comment.")
    expect(alert).to_contain_text(str(until.year))
    expect(alert).to_contain_text("suspended until")
    screenshot(author_page, "moderation-3-suspended-sign-in")
    a11y.assert_clean()
    browser_errors.assert_none()



def test_admin_pages_are_accessible(live_server, factory, new_page, a11y, browser_errors):
    """axe on every admin page (with something on it) and on the author's notices page."""
    author = make_person(factory, "employee", "Anna Author", "Operations")
    admin = make_person(factory, "admin", "Admin Ada", "IT")
    writer = db.session.get(User, author.id)
    idea = factory.idea(writer, title="Shorter stand-ups")
    factory.idea(writer, title="Shorter daily stand-ups")
    comment = add_comment(writer, idea_by_public_id(idea.public_id), body="Fifteen minutes max",
                          stance=Stance.FOR)
    flag(factory.user(), idea_by_public_id(idea.public_id), FlagReason.OFF_TOPIC, "Not ours")
    moderate(factory.user(Role.ADMIN), db.session.get(type(comment), comment.id),
             ModerationAction.HIDE, reason_code=FlagReason.SPAM, reason="Looks like an ad")
    public_id, user_id = idea.public_id, author.id
    db.session.commit()

    page = sign_in(new_page, live_server, admin)
    for path in ["/admin/flags", "/admin/users", f"/admin/users/{user_id}",
                 "/admin/departments", "/admin/invites", "/admin/settings",
                 "/admin/settings/platform", "/admin/audit", "/admin/exports",
                 f"/admin/ideas/{public_id}/merge", f"/admin/ideas/{public_id}/edit",
                 f"/admin/ideas/{public_id}/reveal", f"/ideas/{public_id}"]:
        page.goto(live_server + path)
        expect(page.locator("h1")).to_be_visible()
        a11y.check(page, path)
    page.goto(f"{live_server}/admin/exports")
    with page.expect_navigation():
        page.get_by_role("button", name="Export").click()
    expect(page.locator("table")).to_contain_text("ideaboard-ideas-")
    a11y.check(page, "/admin/exports with an export")

    author_page = sign_in(new_page, live_server, author)
    author_page.goto(f"{live_server}/moderation/notices")
    expect(author_page.locator(".inbox")).to_contain_text("A moderator hid your comment")
    a11y.check(author_page, "/moderation/notices")
    author_page.goto(f"{live_server}/ideas/{public_id}")
    expect(author_page.locator(f"#c-{comment.public_id}")).to_contain_text("Looks like an ad")
    a11y.check(author_page, "idea page, author of a hidden comment")
    a11y.assert_clean()
    browser_errors.assert_none()
