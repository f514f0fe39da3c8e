"""The foundation's acceptance loop in a real browser, with JavaScript on and off:
sign up, switch to Chinese, compose with preview, publish; a colleague finds the idea,
supports it, argues against it and gets a nested reply; the author cannot vote on it.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.identity_mail import mailed_link

AUTHOR_EMAIL = "li.na@example.com"
AUTHOR_NAME = "Li Na"
AUTHOR_PASSWORD = "river-stone-lantern-42"
COLLEAGUE_EMAIL = "wang.fang@example.com"
COLLEAGUE_NAME = "Wang Fang"

TITLE = "缩短新品上市周期的三个办法"
STEPS = ["每周一次跨部门评审，当场拍板", "提前锁定关键供应商的产能", "合规检查与小批量试产并行"]
BODY = "新品从立项到上市平均要九个月，竞争对手只要六个月。我建议：\n\n" + "".join(
    f"- {step}\n" for step in STEPS)
COMMENT = "Locking in suppliers early ties up cash we need for the spring launch."
REPLY = "Fair point — we could reserve capacity without prepaying, as Logistics did last year."
DRAFT_TITLE = "Let teams book the big meeting room from their phones"
DRAFT_STEPS = ["Show free slots", "Book in two taps", "Release no-shows after 10 minutes"]


def vote_buttons(page: Page):
    return page.locator("button.vote-support"), page.locator("button.vote-oppose")


def test_core_loop(page: Page, js_enabled: bool, live_server: str, factory, new_page,
                   translate, screenshot, a11y, browser_errors):
    factory.department("Operations")
    factory.department("Research and Development")
    factory.user(name=COLLEAGUE_NAME, email=COLLEAGUE_EMAIL,
                 department="Research and Development")
    evidence = js_enabled  # screenshots once (JS run); axe needs JavaScript in the page
    home_url = re.compile(re.escape(live_server) + r"/\??$")

    # 1. A new colleague signs up with a company address, confirms it from the e-mail and
    #    signs in.
    page.goto(f"{live_server}/signup")
    page.fill("#email", AUTHOR_EMAIL)
    page.fill("#display_name", AUTHOR_NAME)
    page.fill("#password", AUTHOR_PASSWORD)
    page.fill("#confirm", AUTHOR_PASSWORD)
    page.select_option("#department_id", label="Operations")
    page.select_option("#level", "manager")
    page.select_option("#locale", "en")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{live_server}/signup/sent")
    db.session.rollback()  # see what the server wrote
    page.goto(live_server + mailed_link(AUTHOR_EMAIL, "verify_email"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.fill("#email", AUTHOR_EMAIL)
    page.fill("#password", AUTHOR_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page).to_have_url(home_url)
    expect(page.locator(".user-menu summary")).to_have_text(AUTHOR_NAME)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # 2. Switches the interface to Chinese with the footer's language control.
    share_zh = translate("Share an idea")
    assert share_zh != "Share an idea", "the zh catalog does not translate 'Share an idea'"
    page.locator("footer select[name=locale]").select_option("zh")
    if not js_enabled:
        page.locator("footer .language-form").get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(home_url)
    share_link = page.locator(".site-header a[href$='/ideas/new']")
    expect(share_link).to_have_text(share_zh)
    expect(page.locator("footer select[name=locale]")).to_have_value("zh")

    # 3. Composes in Chinese with a Markdown list, previews, publishes.
    share_link.click()
    expect(page).to_have_url(f"{live_server}/ideas/new")
    expect(page.locator("h1")).to_have_text(share_zh)
    page.fill("#title", TITLE)
    preview = page.locator("[data-preview-target]")
    preview_items = preview.locator("[data-preview-body] ul > li")
    if js_enabled:
        page.locator("#body").press_sequentially(BODY)
        expect(preview).to_be_visible()  # live preview, rendered by the server's sanitiser
        expect(preview_items).to_have_text(STEPS)
    else:
        page.fill("#body", BODY)
        expect(preview).to_be_hidden()
    with page.expect_event("load"):
        page.get_by_role("button", name=translate("Preview"), exact=True).click()
    expect(page).to_have_url(f"{live_server}/ideas/new")
    expect(preview).to_be_visible()
    expect(preview_items).to_have_text(STEPS)
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#body")).to_have_value(BODY)
    if evidence:
        screenshot(page, "compose-zh")
        a11y.check(page, "compose page (zh, with preview)")

    with page.expect_event("load"):
        page.get_by_role("button", name=translate("Publish"), exact=True).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    idea_url = page.url
    assert re.fullmatch(re.escape(live_server) + r"/ideas/[^/?#]+", idea_url), idea_url
    assert not idea_url.endswith("/ideas/new")
    expect(page.locator(".flashes")).to_contain_text(
        translate("Your idea is published. Colleagues can now support it."))
    expect(page.locator(".idea-body .prose ul > li")).to_have_text(STEPS)

    # 4. The author cannot vote on their own idea.
    for button in vote_buttons(page):
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("title", translate("You cannot vote on your own idea."))

    # 5. A colleague signs in through the form, in a browser of their own.
    other = new_page(js_enabled=js_enabled)
    other.goto(f"{live_server}/login")
    other.fill("#email", COLLEAGUE_EMAIL)
    other.fill("#password", TEST_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other).to_have_url(home_url)
    expect(other.locator(".user-menu summary")).to_have_text(COLLEAGUE_NAME)

    # finds the idea among the newest and opens it
    other.goto(f"{live_server}/ideas?sort=new")
    other.locator(".idea-list").get_by_role("link", name=TITLE).click()
    expect(other).to_have_url(idea_url)
    expect(other.locator("h1")).to_have_text(TITLE)
    expect(other.locator("html")).to_have_attribute("lang", "en")

    # 6. Supports it: in place with JavaScript, through a form post and redirect without.
    support, oppose = vote_buttons(other)
    support_count = support.locator("[data-count=support]")
    expect(support).to_be_enabled()
    expect(support).to_have_attribute("aria-pressed", "false")
    expect(support_count).to_have_text("0")
    if js_enabled:
        other.wait_for_load_state("load")  # the page's own late load event is not the vote's
        loads: list[str] = []
        other.on("load", lambda loaded: loads.append(loaded.url))
        other.evaluate("window.__samePage = true")
        with other.expect_response(
                lambda r: r.url == f"{idea_url}/vote" and r.request.method == "POST") as vote:
            support.click()
        assert vote.value.status == 200
        assert vote.value.json()["supporters"] == 1
        expect(support_count).to_have_text("1")
        expect(support).to_have_attribute("aria-pressed", "true")
        assert other.url == idea_url
        assert loads == [], f"the vote navigated: {loads}"
        assert other.evaluate("window.__samePage === true"), "the vote reloaded the page"
    else:
        with other.expect_event("load"):
            support.click()
        assert other.url == idea_url
        expect(support_count).to_have_text("1")
        expect(support).to_have_attribute("aria-pressed", "true")
    expect(oppose).to_have_attribute("aria-pressed", "false")
    other.reload()  # the vote is stored, not only shown
    expect(support_count).to_have_text("1")
    expect(support).to_have_attribute("aria-pressed", "true")

    # 7. Argues against it, then replies to that comment through the Reply disclosure.
    comment_form = other.locator("form.comment-form")
    comment_form.get_by_role("radio", name="Against").check()
    comment_form.locator("textarea[name=body]").fill(COMMENT)
    with other.expect_event("load"):
        comment_form.get_by_role("button", name="Post comment").click()
    top_level = other.locator("#discussion > ol.thread > li.comment")
    expect(top_level).to_have_count(1)
    comment = top_level.first
    expect(comment).to_have_class(re.compile(r"\bstance-against\b"))
    expect(comment.locator(":scope > .comment-head .stance-badge")).to_have_text("Against")
    expect(comment.locator(":scope > .comment-body")).to_have_text(COMMENT)

    # Reply is a link: with JavaScript the page's one reply form opens under the comment,
    # without it the link leads to the reply page (issue 17: no form per comment)
    expect(other.locator("textarea#reply-live")).to_have_count(0)
    comment.locator(":scope > .comment-actions").get_by_role("link", name="Reply").click()
    reply_form = other.locator("form.reply-form")
    expect(reply_form).to_have_count(1)
    if js_enabled:
        expect(comment.locator(":scope > .comment-actions form.reply-form")).to_be_visible()
    else:
        expect(other).to_have_url(re.compile(r"/comments/[\w-]+/reply$"))
    reply_form.get_by_label("Your reply").fill(REPLY)
    with other.expect_event("load"):
        reply_form.get_by_role("button", name="Post reply").click()
    reply = other.locator("#discussion > ol.thread > li.comment > ol.thread > li.comment")
    expect(reply).to_have_count(1)
    expect(reply.locator(":scope > .comment-body")).to_have_text(REPLY)
    expect(top_level).to_have_count(1)  # the reply is nested, not a second top-level comment
    expect(other.locator("#discussion-heading")).to_contain_text("(2)")

    if evidence:
        # English views from the colleague's browser
        screenshot(other, "idea-en")
        a11y.check(other, "idea page (en)")
        other.goto(f"{live_server}/")
        expect(other.locator(".idea-list").first).to_contain_text(TITLE)
        screenshot(other, "home-en")
        a11y.check(other, "home page (en)")
        other.goto(f"{live_server}/ideas/new")
        other.fill("#title", DRAFT_TITLE)
        other.locator("#body").press_sequentially(
            "Booking needs a desktop today.\n\n" + "".join(f"- {s}\n" for s in DRAFT_STEPS))
        expect(other.locator("[data-preview-body] ul > li")).to_have_text(DRAFT_STEPS)
        screenshot(other, "compose-en")
        a11y.check(other, "compose page (en, with live preview)")
        other.set_viewport_size({"width": 360, "height": 800})
        other.goto(idea_url)
        expect(other.locator("h1")).to_have_text(TITLE)
        screenshot(other, "idea-mobile")
        # the deepest Reply form open too: nothing may push the page wider than the screen
        other.locator("#discussion li.comment li.comment").get_by_role("link",
                                                                      name="Reply").click()
        expect(other.locator(".reply-form")).to_be_visible()
        width = other.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the idea page scrolls sideways at 360 px ({width} px wide)"

    # 8. Back with the author: still no vote for them, and the discussion is there in Chinese.
    page.goto(idea_url)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    for button in vote_buttons(page):
        expect(button).to_be_disabled()
    expect(vote_buttons(page)[0].locator("[data-count=support]")).to_have_text("1")
    expect(page.locator("#discussion > ol.thread > li.comment .stance-badge").first).to_have_text(
        translate("Against"))
    if evidence:
        screenshot(page, "idea-zh")
        a11y.check(page, "idea page (zh)")
        page.goto(f"{live_server}/")
        expect(page.locator(".idea-list").first).to_contain_text(TITLE)
        screenshot(page, "home-zh")
        a11y.check(page, "home page (zh)")

    browser_errors.assert_none()
    a11y.assert_clean()
