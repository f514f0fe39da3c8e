"""Similar ideas while composing, in a real browser: with JavaScript they appear under the
title as the author types and "Support this instead" votes in place; without it they are
listed on the preview step and the button is an ordinary form post. Then the header search
finds the idea in Chinese and English."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD

EXISTING_TITLE = "每周例会缩短到半小时"
EXISTING_BODY = "Our weekly meetings often run over an hour without a clear agenda."
DRAFT_TITLE = "例会太长了，能不能缩短"


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".user-menu summary")).to_be_visible()


def test_similar_idea_shows_while_composing_and_can_be_supported(
        page: Page, js_enabled: bool, live_server: str, factory, screenshot, a11y,
        browser_errors):
    author = factory.user(name="Existing Author")
    existing = factory.idea(author, title=EXISTING_TITLE, body=EXISTING_BODY,
                            tags=["meetings"])
    me = factory.user(name="Drafting Colleague", email="drafting@example.com")
    sign_in(page, live_server, me.email)

    page.goto(f"{live_server}/ideas/new")
    similar = page.locator("[data-similar]")
    expect(similar).to_be_hidden()
    page.fill("#title", DRAFT_TITLE)
    if js_enabled:
        # Debounced suggestions appear under the title, before the body field.
        similar = page.locator(".similar-ideas:not([data-similar])")
        expect(similar).to_be_visible()
        assert page.evaluate(
            "() => document.querySelector('#title').compareDocumentPosition("
            "document.querySelector('.similar-ideas:not([data-similar])'))"
            " & Node.DOCUMENT_POSITION_FOLLOWING")
        assert page.evaluate(
            "() => document.querySelector('.similar-ideas:not([data-similar])')"
            ".compareDocumentPosition(document.querySelector('#body'))"
            " & Node.DOCUMENT_POSITION_FOLLOWING")
    else:
        page.get_by_role("button", name="Preview").click()
        expect(similar).to_be_visible()
    item = similar.locator(".similar-item").filter(has_text=EXISTING_TITLE)
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name=EXISTING_TITLE)).to_have_attribute(
        "href", f"/ideas/{existing.public_id}")
    button = item.get_by_role("button", name="Support this instead")
    expect(button.locator("[data-count=support]")).to_have_text("0")
    if js_enabled:
        screenshot(page, "compose-similar-ideas")
        a11y.check(page, "compose with similar ideas")

    button.click()
    if js_enabled:
        # A vote in place: no navigation, the count and pressed state update.
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button.locator("[data-count=support]")).to_have_text("1")
        expect(page).to_have_url(f"{live_server}/ideas/new")
        expect(page.locator("#title")).to_have_value(DRAFT_TITLE)  # the draft is kept
    else:
        expect(page).to_have_url(f"{live_server}/ideas/{existing.public_id}")
        expect(page.locator("button.vote-support")).to_have_attribute("aria-pressed", "true")
    page.goto(f"{live_server}/ideas/{existing.public_id}")
    expect(page.locator("button.vote-support [data-count=support]")).to_have_text("1")

    # The header search finds it by a Chinese word inside the title and an English plural.
    for query, marked in (("例会", "例会"), ("meeting", "meetings")):
        page.goto(f"{live_server}/")
        search = page.get_by_role("search", name="Search the site")
        search.get_by_label("Search ideas, comments, campaigns and plans").fill(query)
        search.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(re.escape(live_server) + r"/search\?q=[^&]+$"))
        hit = page.locator(".search-hit").filter(has_text=EXISTING_TITLE)
        expect(hit).to_have_count(1)
        expect(hit.locator("mark").first).to_have_text(marked)
    if js_enabled:
        screenshot(page, "search-results")
        a11y.check(page, "search results")
        page.goto(f"{live_server}/search?q=xqzvbnmw")
        a11y.check(page, "search without results")
        page.goto(f"{live_server}/ideas?tag=meetings&status=open&sort=new")
        a11y.check(page, "ideas with filters")
        page.goto(f"{live_server}/following")
        a11y.check(page, "following")
        page.goto(f"{live_server}/activity")
        a11y.check(page, "my activity")
        screenshot(page, "my-activity")
    browser_errors.assert_none()
    a11y.assert_clean()
