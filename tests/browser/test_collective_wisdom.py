"""Collective wisdom in the browser: a pairwise session with JavaScript on (the next pair
arrives without a reload) and off (a form per pair), suggesting an idea from the pair screen
and the ranking; the Common ground list after a real fit; the escalation rule's preview with
the broad-support clause. Screenshots at 1280 and 360 px, in English and Chinese."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert, update

from ideaboard.extensions import db
from ideaboard.models import Anonymity, CampaignKind, Idea, Role, User, Vote
from ideaboard.models.base import utcnow
from ideaboard.services.broad_support import refresh_broad_support
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.ideas import post_idea, standing_campaign
from tests.browser.scene_helpers import IdCheck, make_person, sign_in

OPTIONS = [
    ("A buddy from another department", "Someone outside your team to ask the questions you "
     "would not ask your manager."),
    ("入职当天电脑和账号全部准备好", "第一天就能开始工作，才是最好的欢迎。"),
    ("A one-page map of who to ask for what", "IT, expenses, holidays and payroll on one "
     "page, with a name for each."),
    ("每月一次新同事午餐会", "让新同事直接和管理层聊聊公司方向。"),
    ("Shadow a customer call in week two", "A real customer explains our products better "
     "than any training deck."),
]
WIDTHS = (1280, 360)


def no_sideways_scroll(page: Page, width: int, where: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where} scrolls sideways at {width} px ({scroll} px wide)"


def shots(page: Page, screenshot, name: str) -> None:
    """The current page at both widths, checked for sideways scrolling."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        no_sideways_scroll(page, width, name)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def comparing(factory):
    owner = factory.user(Role.LEADER, name="Chen Jing", department="People & Culture")
    campaign = create_campaign(owner, title="Which would help new colleagues most?",
                               description="We fund the top two.", kind=CampaignKind.IDEAS,
                               anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=2),
                               closes_at=utcnow() + timedelta(days=12), pairwise_enabled=True)
    author = factory.user(name="Option author", department="Operations")
    for title, body in OPTIONS:
        post_idea(author, campaign, title=title, body=body, tags=[])
    slug = campaign.slug
    db.session.commit()
    return slug


def test_a_pairwise_session(js_enabled: bool, live_server: str, factory, new_page, comparing,
                            screenshot, a11y, browser_errors):
    person = make_person(factory, "employee", "Alex Morgan", "Sales")
    page = sign_in(new_page, live_server, person, js_enabled=js_enabled)
    label = "js" if js_enabled else "nojs"

    page.goto(f"{live_server}/campaigns/{comparing}")
    expect(page.locator("#pairwise-heading")).to_have_text("Compare two at a time")
    if js_enabled:
        shots(page, screenshot, "pairwise-campaign-en")
    page.get_by_role("link", name="Start comparing").click()
    expect(page).to_have_url(f"{live_server}/compare/{comparing}")
    expect(page.locator("h1")).to_have_text("Which would help more?")
    expect(page.locator("[data-pair-progress]")).to_have_text(
        "You have compared 0 pairs so far.")
    if js_enabled:
        a11y.check(page, "compare")
    shots(page, screenshot, f"pairwise-compare-en-{label}")

    seen = set()
    for answered, choice in enumerate(["left", "right", "skip", "left"], start=1):
        titles = tuple(page.locator("[data-pair-title]").all_inner_texts())
        assert len(titles) == 2 and titles[0] != titles[1]
        seen.add(frozenset(titles))
        page.evaluate("window.__samePage = true")
        button = (page.get_by_role("button", name="Can’t decide") if choice == "skip"
                  else page.locator(f"[data-pair-side={choice}] button"))
        if js_enabled:
            with page.expect_response(lambda r: r.url.endswith("/choose")) as reply:
                button.click()
            assert reply.value.status == 200
        else:
            with page.expect_navigation():
                button.click()
        expect(page.locator("[data-pair-progress]")).to_contain_text(
            f"You have compared {answered} pair")
        # JavaScript swaps the pair in place; without it, the form posts and the page reloads
        assert page.evaluate("window.__samePage === true") is js_enabled
    assert len(seen) == 4  # never the same pair twice

    page.locator("#suggest summary").click()
    page.get_by_label("Your idea", exact=True).fill("Lunch with the whole team on day one")
    with page.expect_navigation():
        page.get_by_role("button", name="Add my idea to the campaign").click()
    expect(page.locator(".flashes")).to_contain_text("Your idea is in the campaign.")

    page.get_by_role("link", name="See the ranking").first.click()
    expect(page.locator("h1")).to_have_text("Ranking from comparisons")
    expect(page.locator(".pairwise-row")).to_have_count(len(OPTIONS) + 1)
    charts = page.locator(".chance-chart").count()
    assert 3 <= charts <= len(OPTIONS)  # three decisive choices; a skip compares nothing
    expect(page.get_by_text("Not compared yet.")).to_have_count(len(OPTIONS) + 1 - charts)
    if js_enabled:
        a11y.check(page, "ranking")
    shots(page, screenshot, f"pairwise-results-en-{label}")
    a11y.assert_clean()
    browser_errors.assert_none()


def test_pairwise_pages_in_chinese(live_server: str, factory, new_page, comparing,
                                   screenshot, a11y, browser_errors):
    person = make_person(factory, "employee", "Wang Fang", "Finance")
    db.session.execute(update(User).where(User.id == person.id).values(locale="zh"))
    db.session.commit()
    page = sign_in(new_page, live_server, person)
    page.goto(f"{live_server}/compare/{comparing}")
    expect(page.locator("h1")).to_have_text("哪个更有帮助？")
    expect(page.get_by_role("button", name="难以取舍")).to_be_visible()
    a11y.check(page, "compare (zh)")
    shots(page, screenshot, "pairwise-compare-zh")
    page.locator("[data-pair-side=left] button").click()
    expect(page.locator("[data-pair-progress]")).to_have_text("你已经比较了 1 组。")
    page.goto(f"{live_server}/compare/{comparing}/results")
    expect(page.locator("h1")).to_have_text("两两比较排名")
    a11y.check(page, "ranking (zh)")
    shots(page, screenshot, "pairwise-results-zh")
    a11y.assert_clean()
    browser_errors.assert_none()


@pytest.fixture
def fitted(factory):
    """Sales votes as a bloc on its own ideas; one idea has support in every department;
    then the real fit."""
    departments = ("Sales", "Finance", "Operations", "Marketing", "Product")
    people = {d: [factory.user(department=d) for _ in range(6)] for d in departments}
    author = factory.user(department="Product")
    campaign = standing_campaign()
    now = utcnow()

    def idea_with(title: str, supporters, opposers) -> None:
        idea = post_idea(author, campaign, title=title, body="Why it matters.", tags=[])
        rows = [{"idea_id": idea.id, "user_id": u.id, "value": v, "created_at": now,
                 "updated_at": now} for group, v in ((supporters, 1), (opposers, -1))
                for u in group]
        db.session.execute(insert(Vote), rows)
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(
            supporters=len(supporters), opposers=len(opposers),
            score=0.5 + 0.01 * len(supporters)))
        db.session.commit()

    others = [u for d in departments[1:] for u in people[d]]
    for n, title in enumerate(["Sales gets the big meeting room first",
                               "Business class for every sales trip",
                               "Pay sales commission monthly"]):
        idea_with(title, people["Sales"], others[n::5][:4] if n else [])
    idea_with("Write every meeting's decisions in one shared log",
              [u for d in departments for u in people[d][:4]],
              [people[d][5] for d in departments[::2]])
    idea_with("每季度一天跨部门轮岗体验", [u for d in departments for u in people[d][:5]], [])
    report = refresh_broad_support()
    assert report.badges >= 2
    db.session.commit()


def test_common_ground_list_and_the_escalation_preview(live_server: str, factory, new_page,
                                                        fitted, screenshot, a11y,
                                                        browser_errors):
    admin = make_person(factory, "admin", "Sam Rivera", "People & Culture")
    page = sign_in(new_page, live_server, admin)
    page.goto(f"{live_server}/ideas")
    page.locator(".sort-tabs").get_by_role("link", name="Common ground").click()
    expect(page.locator(".sort-tabs [aria-current=page]")).to_have_text("Common ground")
    cards = page.locator(".idea-card")
    expect(cards.first.locator(".idea-title")).to_have_text("每季度一天跨部门轮岗体验")
    expect(cards.nth(1).locator(".idea-title")).to_have_text(
        "Write every meeting's decisions in one shared log")
    expect(cards.nth(0).locator(".common-ground-badge")).to_be_visible()
    expect(page.locator(".idea-card", has_text="Pay sales commission monthly")
           .locator(".common-ground-badge")).to_have_count(0)
    a11y.check(page, "common ground")
    shots(page, screenshot, "common-ground-en")
    cards.first.locator(".idea-title a").click()
    expect(page.locator(".common-ground-score")).to_contain_text("Common-ground score: 0.")
    a11y.check(page, "idea with its score")
    shots(page, screenshot, "common-ground-idea-en")

    page.goto(f"{live_server}/admin/settings")
    page.get_by_label("…and broad support at least (0–1)").fill("0.5")
    page.get_by_label("Supporters needed").fill("3")
    page.get_by_label("Minimum support score (0–1)").fill("0.5")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    notice = page.locator(".notice[role=status]")
    expect(notice).to_contain_text("open idea")
    expect(notice).to_contain_text("would go to the review queue")
    a11y.check(page, "escalation rule preview")
    shots(page, screenshot, "escalation-preview-en")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the rule").click()
    expect(page.locator(".flashes")).to_contain_text("Saved.")
    expect(page.get_by_label("…and broad support at least (0–1)")).to_have_value("0.50")

    with page.expect_navigation():
        page.locator("footer select[name=locale]").select_option("zh")
    page.goto(f"{live_server}/ideas?sort=common")
    expect(page.locator(".sort-tabs [aria-current=page]")).to_have_text("广泛共识")
    shots(page, screenshot, "common-ground-zh")
    page.goto(f"{live_server}/admin/settings")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()
    shots(page, screenshot, "escalation-preview-zh")
    ids = IdCheck()
    ids.check(page, "settings (zh)")
    ids.assert_clean()
    a11y.assert_clean()
    browser_errors.assert_none()
