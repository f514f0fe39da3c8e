"""The four scenes finished (issue 12), words and layout in the browser: at 360 px nothing
scrolls sideways and no word is split (header for employees, leaders and admins, the audit
log, the review queue, campaign and results pages), in English and Chinese; the admin header
fits on one line at 1280 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

from ideaboard.models import CampaignKind, Level, Role
from tests.browser.scene_helpers import make_person, sign_in
from tests.web.test_campaigns import make_campaign

# Horizontal overflow: the page is wider than the viewport, or a box is wider than its
# parent lets it be (cut off). Word splits: a word (a run of letters or CJK characters
# inside one text node) drawn on more than one line.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed'
        && !el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)')
        && !el.closest('.table-scroll, pre, code'))
      problems.push(`${el.tagName.toLowerCase()}.${el.className} sticks out to `
                    + Math.round(box.right));
  }
  return problems.slice(0, 10);
}"""

SPLIT_WORDS_JS = """([selector, cjk]) => {
  const split = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const pattern = cjk ? /[A-Za-z\\u00C0-\\u024F]{2,}|[\\u4e00-\\u9fff]{2,}/g
                          : /[A-Za-z\\u00C0-\\u024F]{2,}/g;
      let match;
      while ((match = pattern.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                              .map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return split.slice(0, 10);
}"""

# CJK runs may wrap between characters in running text; in the header and table headings
# (labels, not prose) they must not. Latin words must not split anywhere.
LABELS = ".site-header a, .site-header button, .site-header summary, .admin-nav a, th"
TEXT = "main, .site-header"


def layout_problems(page: Page) -> list[str]:
    split = page.evaluate(SPLIT_WORDS_JS, [LABELS, True]) + page.evaluate(SPLIT_WORDS_JS,
                                                                        [TEXT, False])
    labels = page.evaluate("""() => [...document.querySelectorAll('.stack-on-mobile td')]
        .filter(td => td.offsetParent && getComputedStyle(td, '::before').content !== 'none'
                && getComputedStyle(td, '::before').whiteSpace !== 'nowrap')
        .map(td => td.dataset.label).slice(0, 3)""")
    return page.evaluate(OVERFLOW_JS) + [f"word split: {word}" for word in split] + [
        f"table label may split: {label}" for label in labels]


@pytest.fixture
def world(factory):
    admin = make_person(factory, Role.ADMIN, "Sam Rivera", "People & Culture", Level.MANAGER)
    leader = make_person(factory, Role.LEADER, "陈静", "Product Development", Level.SENIOR)
    employee = make_person(factory, Role.EMPLOYEE, "Alex Morgan", "Operations")
    owner = factory.user(Role.LEADER, name="Campaign Owner")
    consultation = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner,
                                 title="Who should lead our brand work next year?")
    from ideaboard.services.ideas import post_idea
    from ideaboard.services.review import pull_into_queue
    option = post_idea(owner, consultation, title="Chen Jing, head of brand", body="Why",
                       tags=[])
    idea = factory.idea(title="Publish the launch calendar for every product line")
    pull_into_queue(owner, idea, "Sales keep asking for the dates")
    from ideaboard.extensions import db
    paths = {"home": "/", "campaign": f"/campaigns/{consultation.slug}",
             "results": f"/campaigns/{consultation.slug}/results",
             "option": f"/ideas/{option.public_id}", "idea": f"/ideas/{idea.public_id}",
             "queue": "/review/", "audit": "/admin/audit", "campaigns": "/admin/campaigns",
             "users": "/admin/users"}
    db.session.commit()
    return admin, leader, employee, paths


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_nothing_overflows_or_splits_words_at_360_px(live_server, new_page, world, screenshot,
                                                     locale):
    admin, leader, employee, paths = world
    found = {}
    for person, pages in ((employee, ("home", "campaign", "results", "option")),
                          (leader, ("home", "idea", "queue")),
                          (admin, ("home", "audit", "campaigns", "users"))):
        page = sign_in(new_page, live_server, person)
        page.goto(f"{live_server}/")
        page.set_viewport_size({"width": 360, "height": 800})
        if locale == "zh":
            page.request.post(f"{live_server}/language", form={
                "locale": "zh", "csrf_token": page.locator(
                    "input[name=csrf_token]").first.get_attribute("value")})
        for name in pages:
            page.goto(f"{live_server}{paths[name]}")
            problems = layout_problems(page)
            if problems:
                found[f"{person.name} {name}"] = problems
            screenshot(page, f"scenes-layout-360-{locale}-{person.name}-{name}")
    assert not found, found


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_admin_header_fits_on_one_line_at_1280_px(live_server, new_page, world, screenshot,
                                                      locale):
    admin, _leader, _employee, paths = world
    page = sign_in(new_page, live_server, admin)
    page.set_viewport_size({"width": 1280, "height": 900})
    if locale == "zh":
        page.request.post(f"{live_server}/language", form={
            "locale": "zh", "csrf_token": page.locator(
                "input[name=csrf_token]").first.get_attribute("value")})
    page.goto(f"{live_server}{paths['audit']}")
    screenshot(page, f"scenes-layout-1280-{locale}-admin-audit")
    # the brand, the links and the actions share one line (the search may take its own)
    tops = page.evaluate("""() => [...document.querySelectorAll(
        '.site-nav > .brand, .nav-links a, .nav-actions > *')]
        .map(el => Math.round(el.getBoundingClientRect().top))""")
    assert len(tops) >= 9 and max(tops) - min(tops) < 12, tops
    assert layout_problems(page) == []
