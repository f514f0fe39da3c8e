"""The integrations pages in a real browser, JavaScript on and off, English and Chinese, at
1280 and 360 px: a person makes an API token (shown once) and uses it; an admin registers a
webhook, reads its deliveries and connects a directory. No sideways scrolling, no serious
accessibility violation."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ideaboard.models import Role
from tests.browser.test_similar_ideas import sign_in


def shots(page: Page, screenshot, a11y, name: str) -> None:
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        screenshot(page, f"integrations-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    if page.context.browser and page.evaluate("1") == 1 and name.endswith("-js"):
        a11y.check(page, name)  # axe runs inside the page: JavaScript on only


def test_tokens_webhooks_and_directory_pages(page: Page, js_enabled: bool, live_server: str,
                                             factory, screenshot, a11y, browser_errors):
    admin = factory.user(Role.ADMIN, name="Integrations Admin", email="hooks@example.com")
    sign_in(page, live_server, admin.email)
    mode = "js" if js_enabled else "nojs"

    page.goto(f"{live_server}/account/tokens")
    page.fill("#name", "Team dashboard")
    page.check("#write")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("#new-token").input_value()
    assert re.fullmatch(r"ibp_[A-Za-z0-9_\-]{40,}", secret)
    shots(page, screenshot, a11y, f"token-made-{mode}")
    answer = page.request.get(f"{live_server}/api/v1/me",
                              headers={"Authorization": f"Bearer {secret}"})
    assert answer.json()["token"]["scopes"] == ["read", "write"]
    page.goto(f"{live_server}/account/tokens")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    expect(page.get_by_role("cell", name="Team dashboard")).to_be_visible()

    page.goto(f"{live_server}/admin/webhooks")
    page.fill("#name", "Product team chat")
    page.fill("#url", "http://127.0.0.1:9/hook")
    page.select_option("#format", "feishu")
    page.get_by_label("An idea is posted").check()
    page.select_option("#locale", "zh")
    page.get_by_role("button", name="Save webhook").click()
    expect(page.get_by_text("Product team chat")).to_be_visible()
    factory.idea(title="Sent to the team chat")
    page.goto(f"{live_server}/admin/webhooks/deliveries")
    expect(page.get_by_text("Sent to the team chat")).to_be_visible()
    shots(page, screenshot, a11y, f"deliveries-{mode}")

    page.goto(f"{live_server}/admin/scim")
    page.fill("#name", "Okta")
    page.get_by_role("button", name="Make a directory token").click()
    expect(page.locator("input[readonly]")).to_have_value(re.compile(r"^ibs_"))
    shots(page, screenshot, a11y, f"scim-{mode}")

    page.goto(f"{live_server}/account/profile")
    if js_enabled:
        with page.expect_navigation():
            page.select_option("#footer-locale", "zh")
    else:
        page.select_option("#footer-locale", "zh")
        with page.expect_navigation():
            page.locator(".language-form button").click()
    expect(page.get_by_text("你的部门和职级来自公司目录")).to_be_visible()
    for path, name in (("/account/tokens", "tokens"), ("/admin/webhooks", "webhooks"),
                       ("/admin/webhooks/deliveries", "deliveries"),
                       ("/admin/tokens", "all-tokens")):
        page.goto(live_server + path)
        shots(page, screenshot, a11y, f"{name}-zh-{mode}")
    browser_errors.assert_none()
    a11y.assert_clean()
