"""The four scenes finished (issue 12): a campaign owner presses "Close now"; a colleague
then finds the vote buttons and the comment form switched off with the reason (JavaScript on
and off), and the owner can reopen it. Screenshots at 360 px and 1280 px, both languages."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from ideaboard.extensions import db
from ideaboard.models import Level, Role
from tests.browser.scene_helpers import make_person, sign_in
from tests.web.test_campaigns import make_campaign


def test_close_now_switches_the_controls_off_with_the_reason(live_server, factory, new_page,
                                                             screenshot, js_enabled,
                                                             browser_errors, translate):
    owner = make_person(factory, Role.LEADER, "Grace Okafor", "Executive Office",
                        Level.EXECUTIVE)
    colleague = make_person(factory, Role.EMPLOYEE, "Luis Romero", "Field Sales")
    owner_user = db.session.get(type(factory.user()), owner.id)
    campaign = make_campaign(factory, owner=owner_user, title="Why are our launches late?")
    idea = factory.idea(title="Freeze scope two weeks before launch")
    from ideaboard.services.ideas import post_idea
    answer = post_idea(factory.user(), campaign, title="Publish one launch calendar",
                       body="Everyone sees the dates.", tags=[])
    campaign_url = f"{live_server}/campaigns/{campaign.slug}"
    answer_url = f"{live_server}/ideas/{answer.public_id}"
    del idea
    db.session.commit()

    # the owner closes it now, after a confirm page that says what closing does
    owner_page = sign_in(new_page, live_server, owner, js_enabled=js_enabled)
    owner_page.goto(campaign_url)
    owner_page.locator("main").get_by_role("link", name="Close now").click()
    expect(owner_page.locator("h1")).to_have_text("Close the campaign now?")
    expect(owner_page.locator("main")).to_contain_text("nobody can post, nominate, vote")
    with owner_page.expect_navigation():
        owner_page.get_by_role("button", name="Yes, close it now").click()
    expect(owner_page.locator(".flashes")).to_contain_text("The campaign is closed.")
    expect(owner_page.locator("main").get_by_role("link", name="Reopen")).to_be_visible()
    expect(owner_page.locator("main").get_by_role("link", name="Close now")).to_have_count(0)

    # a colleague sees why nothing can be pressed, where it would be pressed
    page = sign_in(new_page, live_server, colleague, js_enabled=js_enabled)
    page.goto(answer_url)
    for value in ("support", "oppose"):
        expect(page.locator(f"button.vote-{value}")).to_be_disabled()
    expect(page.locator(".vote-note")).to_contain_text("This campaign closed on")
    form = page.locator("form.comment-form")
    expect(form.get_by_role("button", name="Post comment")).to_be_disabled()
    expect(form.locator("#comment-why")).to_contain_text("This campaign closed on")
    expect(form.locator("textarea[name=body]")).to_be_disabled()
    page.goto(campaign_url)
    expect(page.locator(".shut-notice")).to_contain_text("This campaign closed on")
    # nothing to compose here now: the header shares into the standing campaign instead
    expect(page.locator(".site-header .nav-compose")).to_have_attribute(
        "href", re.compile(r"^/ideas/new$"))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(answer_url)
        screenshot(page, f"scenes-closed-idea-{width}-en-{'js' if js_enabled else 'nojs'}")
    if js_enabled:  # the same page in Chinese
        page.request.post(f"{live_server}/language", form={
            "locale": "zh", "csrf_token": page.locator(
                "input[name=csrf_token]").first.get_attribute("value")})
        page.goto(answer_url)
        expect(page.locator(".vote-note")).to_contain_text(
            translate("This campaign closed on %(date)s: votes, comments and critiques are "
                      "final, and everything stays readable.", date="X").split("X")[0])
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(page, f"scenes-closed-idea-{width}-zh")

    # the owner reopens it; the controls come back
    owner_page.locator("main").get_by_role("link", name="Reopen").click()
    expect(owner_page.locator("h1")).to_have_text("Reopen the campaign?")
    with owner_page.expect_navigation():
        owner_page.get_by_role("button", name="Reopen it").click()
    expect(owner_page.locator(".flashes")).to_contain_text("The campaign is open again.")
    page.goto(answer_url)
    expect(page.locator("button.vote-support")).to_be_enabled()
    expect(page.locator("form.comment-form textarea[name=body]")).to_be_enabled()
    browser_errors.assert_none()
