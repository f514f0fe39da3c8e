"""Scene 4, "Plan review", end to end in a real browser through the real UI only.

A business-unit head opens a plan review, imports the plan from a Markdown file (each `##`
heading becomes a section) and adds a criterion to the rubric; employees at every level
critique sections with a stance and 1–5 ratings, one of them anonymously; a colleague marks
the concern helpful and replies; the owner answers it on the plan; the critic is told; the
owner's review report shows the counts by stance, a server-drawn chart per criterion and the
most helpful concern — and stays closed to employees.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ideaboard.models import Level
from tests.browser.scene_helpers import (
    IdCheck,
    create_campaign,
    header_link,
    make_person,
    sign_in,
)

PLAN_TITLE = "Consumer Electronics BU — 2027 plan"
REVIEW_QUESTION = "Review the Consumer Electronics plan for 2027"
REVIEW_BACKGROUND = ("Every employee can rate the plan section by section. Tell us what works, "
                     "what worries you and what you would do instead.")
PLAN_MARKDOWN = f"""# {PLAN_TITLE}

Our three bets for next year.

## Market and customers

Grow the mid-range segment by **15 %** through retail partners in tier-2 cities.

## 产品路线图

第一季度发布两款新机型，第三季度推出配套应用。

## Budget and headcount

Hold headcount flat; move 10 % of the marketing budget to channel training.
"""
SECTIONS = ["Market and customers", "产品路线图", "Budget and headcount"]
HEADINGS = ["Introduction", *SECTIONS]
SUPPORT_TEXT = "Tier-2 retail is where our competitors are weakest; this is the right bet."
CONCERN_TEXT = "Flat headcount while launching two models means support queues will explode."
ALTERNATIVE_TEXT = "Hire six support staff and fund them from the trade-show budget instead."
REPLY_TEXT = "Agreed — last launch the queue hit four days."
ANSWER_TEXT = ("Fair point: we will add four support hires in Q1 and review the queue weekly "
               "during both launches.")


def critique(page: Page, section: str, stance: str, text: str, ratings: dict[str, str],
             anonymous: bool = False) -> None:
    """Open "Critique this section" under `section`, fill stance, text and ratings, post."""
    block = page.locator("section.plan-section").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(section))))
    block.locator("summary", has_text="Critique this section").click()
    form = block.locator("form.comment-form-fields")
    form.get_by_label(re.compile("^" + stance)).check()
    form.get_by_label("Your critique").fill(text)
    for criterion, score in ratings.items():
        form.get_by_label(criterion, exact=True).select_option(score)
    if anonymous:
        form.get_by_label("Critique anonymously").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Post critique").click()
    expect(page.locator(".flashes")).to_contain_text("Thank you: your critique is posted.")
    expect(block.locator("li.critique .comment-body").filter(has_text=text)).to_have_count(1)


def critique_item(page: Page, text: str):
    return page.locator("li.critique").filter(
        has=page.locator(".comment-body", has_text=text))


def test_scene_4_plan_review(live_server: str, factory, new_page, screenshot, a11y,
                             browser_errors, tmp_path):
    head = make_person(factory, "leader", "Mei Chen", "Consumer Electronics", Level.EXECUTIVE)
    engineer = make_person(factory, "employee", "Tomás Ruiz", "Engineering", Level.FRONTLINE)
    support = make_person(factory, "employee", "Grace Obi", "Customer Support", Level.SENIOR)
    manager = make_person(factory, "employee", "Lars Berg", "Sales", Level.MANAGER)
    ids = IdCheck()

    # 1. The head opens a plan review and imports the plan from a Markdown file.
    head_page = sign_in(new_page, live_server, head)
    campaign_url = create_campaign(head_page, live_server, title=REVIEW_QUESTION,
                                   background=REVIEW_BACKGROUND, kind="plan_review",
                                   anonymity="optional")
    head_page.get_by_role("link", name="Write or import the plan").click()
    expect(head_page.locator("h1")).to_have_text("Write the plan")
    plan_file = tmp_path / "plan-2027.md"
    plan_file.write_text(PLAN_MARKDOWN, encoding="utf-8")
    head_page.get_by_label("…or import a Markdown file").set_input_files(plan_file)
    with head_page.expect_navigation():
        head_page.get_by_role("button", name="Publish the plan").click()
    expect(head_page.locator(".flashes")).to_contain_text("The plan is saved.")
    expect(head_page.locator("h1")).to_have_text(PLAN_TITLE)
    # the text before the first "##" becomes the introduction, a section of its own
    expect(head_page.locator("section.plan-section h2")).to_have_text(
        [f"{number}. {heading}" for number, heading in enumerate(HEADINGS, 1)])
    expect(head_page.locator("section.plan-section").nth(1).locator(".prose strong")
           ).to_have_text("15 %")
    plan_url = head_page.url.split("#")[0]
    assert plan_url == f"{campaign_url}/plan", plan_url

    # 2. The head adds "Cost" to the default rubric (feasibility, impact, risk).
    head_page.get_by_role("link", name="Edit the plan").click()
    head_page.get_by_label("New criterion").fill("Cost")
    with head_page.expect_navigation():
        head_page.get_by_role("button", name="Add criterion").click()
    expect(head_page.locator(".rubric-list li")).to_have_count(4)
    head_page.goto(plan_url)
    expect(head_page.locator(".plan-facts")).to_contain_text(
        "Each section is rated on: Feasibility, Impact, Risk, Cost")
    screenshot(head_page, "scene-4-plan-owner")

    # 3. Employees critique: support, an anonymous concern, an alternative.
    ratings_high = {"Feasibility": "5", "Impact": "4", "Risk": "4", "Cost": "4"}
    ratings_low = {"Feasibility": "2", "Impact": "3", "Risk": "1", "Cost": "2"}
    engineer_page = sign_in(new_page, live_server, engineer)
    header_link(engineer_page, "Campaigns").click()
    engineer_page.get_by_role("link", name=REVIEW_QUESTION).first.click()
    engineer_page.get_by_role("link", name="Open the plan").click()
    expect(engineer_page).to_have_url(plan_url)
    expect(engineer_page.get_by_role("link", name="Review report")).to_have_count(0)
    critique(engineer_page, SECTIONS[0], "Support", SUPPORT_TEXT, ratings_high)
    a11y.check(engineer_page, "plan page with critiques")
    ids.check(engineer_page, "plan page with critiques")

    support_page = sign_in(new_page, live_server, support)
    support_page.goto(plan_url)
    critique(support_page, SECTIONS[2], "Concern", CONCERN_TEXT, ratings_low, anonymous=True)
    concern = critique_item(support_page, CONCERN_TEXT)
    expect(concern.locator(":scope > .comment-head .author")).to_have_text("Anonymous employee")

    manager_page = sign_in(new_page, live_server, manager)
    manager_page.goto(plan_url)
    critique(manager_page, SECTIONS[2], "Alternative", ALTERNATIVE_TEXT, ratings_low)

    # 4. A colleague finds the concern helpful and replies to it; nobody sees who wrote it.
    engineer_page.goto(plan_url)
    concern = critique_item(engineer_page, CONCERN_TEXT)
    expect(concern.locator(":scope > .comment-head .author")).to_have_text("Anonymous employee")
    assert support.name not in engineer_page.locator("main").inner_text()
    concern.get_by_role("button", name=re.compile("Helpful")).click()
    concern = critique_item(engineer_page, CONCERN_TEXT)
    expect(concern.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute(
        "aria-pressed", "true")
    expect(concern.locator("[data-helpful-count]")).to_have_text("1")
    concern.locator("summary", has_text="Reply").first.click()
    concern.get_by_label("Your reply").first.fill(REPLY_TEXT)
    with engineer_page.expect_navigation():
        concern.get_by_role("button", name="Post reply").first.click()
    expect(critique_item(engineer_page, CONCERN_TEXT).locator(".replies .comment-body")
           ).to_have_text([REPLY_TEXT])

    # 5. The owner answers the concern on the plan; the anonymous critic is told.
    head_page.goto(plan_url)
    concern = critique_item(head_page, CONCERN_TEXT)
    expect(concern.locator(":scope > .comment-head .author")).to_have_text("Anonymous employee")
    assert support.name not in head_page.locator("main").inner_text()
    concern.locator("summary", has_text="Answer").click()
    concern.get_by_label("Your answer, shown under the critique").fill(ANSWER_TEXT)
    with head_page.expect_navigation():
        concern.get_by_role("button", name="Publish answer").click()
    expect(head_page.locator(".flashes")).to_contain_text("Your answer is published")
    answer = critique_item(head_page, CONCERN_TEXT).locator(".owner-answer")
    expect(answer).to_contain_text(ANSWER_TEXT)
    expect(answer.locator(".owner-answer-head")).to_contain_text(head.name)

    support_page.goto(plan_url)
    expect(critique_item(support_page, CONCERN_TEXT).locator(".owner-answer")
           ).to_contain_text(ANSWER_TEXT)
    expect(support_page.locator(".inbox-link .unread-badge")).to_contain_text("1")
    support_page.locator(".inbox-link").click()
    expect(support_page.locator(".inbox")).to_contain_text(
        f"The plan’s owner answered your critique in “{REVIEW_QUESTION}”.")

    # 6. The review report: counts by stance, a chart per criterion, the most helpful concern.
    head_page.get_by_role("link", name="Review report").click()
    expect(head_page).to_have_url(f"{plan_url}/report")
    expect(head_page.locator("h1")).to_have_text(PLAN_TITLE)
    budget = head_page.locator("section.report-section").filter(
        has=head_page.get_by_role("heading", name=f"4. {SECTIONS[2]}"))
    expect(budget.locator(".report-stances")).to_have_text(
        "0 support · 1 concern · 1 alternative")
    charts = budget.locator("figure.score-chart svg[role=img]")
    expect(charts).to_have_count(4)
    expect(budget.locator("figure.score-chart figcaption").first).to_contain_text(
        "Feasibility · mean 2.0 (2 ratings)")
    expect(budget.locator(".arguments")).to_contain_text(CONCERN_TEXT)
    expect(budget.locator(".arguments .argument").filter(has_text=CONCERN_TEXT)
           ).to_contain_text("Anonymous employee")
    market = head_page.locator("section.report-section").filter(
        has=head_page.get_by_role("heading", name=f"2. {SECTIONS[0]}"))
    expect(market.locator(".report-stances")).to_have_text(
        "1 support · 0 concerns · 0 alternatives")
    assert support.name not in head_page.locator("main").inner_text()
    assert head_page.locator("link[rel=stylesheet][media=print]").count() == 1  # printable
    screenshot(head_page, "scene-4-report")
    a11y.check(head_page, "plan review report")
    ids.check(head_page, "plan review report")

    # ... and it is for the owner and leaders only.
    response = engineer_page.goto(f"{plan_url}/report")
    assert response is not None and response.status == 403

    browser_errors.messages[:] = [m for m in browser_errors.messages
                                  if "status of 403" not in m]
    browser_errors.assert_none()
    a11y.assert_clean()
    ids.assert_clean()
