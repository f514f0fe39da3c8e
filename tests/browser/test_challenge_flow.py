"""Issue 15 end to end in a real browser: an employee challenges a declined idea, nine
colleagues co-sign (an administrator set the threshold to 9 in the settings), a second
leader overturns the decision with a public rationale, and the author finds the new
decision in the inbox and on the timeline. Then the track record and the analytics, in
English and Chinese, at 1280 and 360 px. Three of the co-signers have JavaScript off."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import IdeaStatus, Level
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.review import change_status, pull_into_queue
from tests.browser.scene_helpers import IdCheck, forget_refused_form, header_link, make_person
from tests.browser.scene_helpers import sign_in as browser_sign_in

TITLE = "Move the Friday release to Tuesday"
DECLINE = ("Declined: changing the release day would upset the support rota and the "
           "customers who plan around Fridays.")
EVIDENCE = ("Support has moved to a seven-day rota since this was decided, and the customer "
            "survey in October found that 70 % would prefer mid-week releases.")
OVERTURN = ("The new rota and the survey answer both reasons we gave. We accept the idea: "
            "releases move to Tuesday from next month, and we will review it after a quarter.")


def challenge_world(factory):
    author = make_person(factory, "employee", "Mei Author", "Operations")
    decider = make_person(factory, "leader", "Lars Decider", "Product", Level.SENIOR)
    second = make_person(factory, "leader", "Sana Second", "Finance", Level.EXECUTIVE)
    admin = make_person(factory, "admin", "Ade Admin", "IT")
    challenger = make_person(factory, "employee", "Chen Challenger", "Support")
    signers = [make_person(factory, "employee", f"Signer {name}", dept)
               for name, dept in [("Ana", "Support"), ("Ben", "Support"), ("Cai", "Sales"),
                                  ("Dev", "Sales"), ("Eva", "Support"), ("Fei", "Sales"),
                                  ("Gus", "Support"), ("Hal", "Sales"), ("Ida", "Support")]]
    from ideaboard.models import User

    idea = factory.idea(db.session.get(User, author.id), title=TITLE,
                        body="Fridays are the worst day to release.")
    leader = db.session.get(User, decider.id)
    pull_into_queue(leader, idea, "Teams keep asking about this.")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.DECLINED, DECLINE)
    public_id = idea.public_id
    db.session.commit()
    return author, decider, second, admin, challenger, signers, public_id


def set_language(page: Page, locale: str) -> None:
    page.select_option("#footer-locale", locale)
    page.wait_for_load_state()
    if page.locator("#footer-locale").input_value() != locale:  # JavaScript off: press Change
        with page.expect_navigation():
            page.locator(".language-form button").click()


def evidence_shots(page: Page, screenshot, name: str) -> None:
    """1280 and 360 px; the header must not wrap words or scroll sideways at 360."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        screenshot(page, f"challenges-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_challenge_overturns_a_declined_decision(live_server, factory, new_page, screenshot,
                                                    a11y, browser_errors):
    author, decider, second, admin, challenger, signers, public_id = challenge_world(factory)
    idea_url = f"{live_server}/ideas/{public_id}"
    ids = IdCheck()

    # 1. An administrator sets the threshold to 9 co-signers in the settings.
    admin_page = browser_sign_in(new_page, live_server, admin)
    admin_page.goto(f"{live_server}/admin/settings/platform")
    expect(admin_page.get_by_role("heading", name="Challenges and transparency")).to_be_visible()
    admin_page.get_by_label("Co-signers that reopen a decision").fill("9")
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Save settings").click()
    expect(admin_page.locator(".flashes")).to_contain_text("Settings saved.")
    expect(admin_page.get_by_label("Co-signers that reopen a decision")).to_have_value("9")

    # 2. An employee challenges the declined idea from its page.
    page = browser_sign_in(new_page, live_server, challenger)
    page.goto(idea_url)
    expect(page.locator(".idea-header .status").first).to_have_text("Declined")
    page.get_by_role("link", name="Disagree with this decision? Challenge it with new "
                                   "evidence").click()
    expect(page.locator("h1")).to_have_text("Challenge a decision")
    expect(page.locator(".decision-side")).to_contain_text(DECLINE)
    a11y.check(page, "raise a challenge")
    ids.check(page, "raise a challenge")
    page.get_by_label("Your new evidence or argument").fill("Too short.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the challenge").click()
    expect(page.locator(".field-error")).to_contain_text("at least 30 characters")
    forget_refused_form(browser_errors, "/challenge")
    page.get_by_label("Your new evidence or argument").fill(EVIDENCE)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the challenge").click()
    expect(page.locator(".flashes")).to_contain_text("Your challenge is published.")
    challenge_url = page.url
    assert re.search(r"/challenges/[\w-]+$", challenge_url), challenge_url
    expect(page.locator(".decision-side")).to_contain_text(DECLINE)
    expect(page.locator(".challenge-side")).to_contain_text(EVIDENCE)
    expect(page.locator(".cosign-count")).to_have_text("0 co-signers of 9 needed")
    expect(page.locator("#cosign-why")).to_contain_text("You raised this challenge")
    a11y.check(page, "challenge page")
    ids.check(page, "challenge page")
    evidence_shots(page, screenshot, "open-en")

    # 3. Nine colleagues co-sign, from the idea page's link; three with JavaScript off.
    for count, signer in enumerate(signers, start=1):
        colleague = browser_sign_in(new_page, live_server, signer, js_enabled=count > 3)
        colleague.goto(idea_url)
        expect(colleague.locator(".challenge-callout")).to_contain_text(
            "Colleagues are challenging this decision.")
        colleague.get_by_role("link", name="Read the challenge and co-sign").click()
        expect(colleague).to_have_url(challenge_url)
        with colleague.expect_navigation():
            colleague.get_by_role("button", name="Co-sign this challenge").click()
        if count < 9:
            expect(colleague.locator(".flashes")).to_contain_text("Thank you for co-signing.")
            expect(colleague.locator(".cosign-count")).to_contain_text(f"{count} co-signer")
            expect(colleague.locator(".notice")).to_contain_text("You co-signed this challenge")
        else:
            expect(colleague.locator(".flashes")).to_contain_text(
                "Your signature completed the challenge")
            expect(colleague.locator(".challenge-head")).to_contain_text("Back with leadership")
        colleague.context.close()

    # The original decider is told why they cannot answer it.
    lars = browser_sign_in(new_page, live_server, decider)
    lars.goto(challenge_url)
    expect(lars.locator(".next-steps")).to_contain_text("Sana Second")
    expect(lars.get_by_role("heading", name="Answer the challenge")).to_have_count(0)

    # 4. The second leader finds it in the review queue and overturns the decision.
    leader = browser_sign_in(new_page, live_server, second)
    header_link(leader, "Review queue").click()
    row = leader.locator("table.queue-table tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("Challenged")
    expect(row.locator("td[data-label=Owner]")).to_have_text("Sana Second")
    row.get_by_role("link", name=TITLE).click()
    expect(leader.locator(".challenge-review")).to_contain_text("10 colleagues challenged")
    a11y.check(leader, "review item (challenged)")
    leader.get_by_role("link", name="Read the decision and the challenge side by side").click()
    expect(leader).to_have_url(challenge_url)
    answer = leader.locator("form[action$='/answer']")
    answer.get_by_role("radio", name="Overturn it").check()
    answer.get_by_role("radio", name="Accepted", exact=True).check()
    answer.get_by_label("Public rationale").fill(OVERTURN)
    with leader.expect_navigation():
        answer.get_by_role("button", name="Publish the answer").click()
    expect(leader).to_have_url(idea_url + "#timeline")
    expect(leader.locator(".flashes")).to_contain_text("Your answer is published")
    expect(leader.locator(".idea-header .status").first).to_have_text("Accepted")

    # 5. The author sees the new decision in the inbox and on the timeline.
    mei = browser_sign_in(new_page, live_server, author)
    mei.locator(".inbox-link").click()
    item = mei.locator(".inbox-item").filter(has_text="After a challenge")
    expect(item).to_contain_text(f"leadership changed its decision on “{TITLE}”: now accepted.")
    with mei.expect_navigation():
        item.locator("button").click()
    expect(mei).to_have_url(idea_url + "#timeline")
    timeline = mei.locator("#timeline")
    expect(timeline).to_contain_text("brought it to leadership on")
    expect(timeline).to_contain_text(DECLINE)
    expect(timeline.locator(".challenge-step")).to_contain_text("Chen Challenger")
    expect(timeline.locator(".challenge-step")).to_contain_text("9 co-signers of 9 needed.")
    expect(timeline.locator(".challenge-step")).to_contain_text("challenged by 10 colleagues")
    expect(timeline.locator(".challenge-answer")).to_contain_text("Decision overturned")
    expect(timeline).to_contain_text(OVERTURN)
    a11y.check(mei, "idea page (overturned)")
    ids.check(mei, "idea page (overturned)")
    evidence_shots(mei, screenshot, "idea-overturned-en")
    mei.goto(challenge_url)
    expect(mei.locator(".next-steps")).to_contain_text("Sana Second overturned the decision")
    evidence_shots(mei, screenshot, "overturned-en")

    # 6. The same in Chinese.
    set_language(mei, "zh")
    expect(mei.locator(".challenge-head")).to_contain_text("原决定被推翻")
    evidence_shots(mei, screenshot, "overturned-zh")
    mei.goto(idea_url)
    expect(mei.locator("#timeline .challenge-answer")).to_contain_text("原决定被推翻")
    evidence_shots(mei, screenshot, "idea-overturned-zh")

    # 7. The track record (any employee) and the analytics (leaders), both languages.
    mei.goto(f"{live_server}/")
    mei.locator(".trust-counts a").first.click()
    expect(mei).to_have_url(f"{live_server}/leadership/")
    expect(mei.locator("h1")).to_have_text("管理层履职记录")
    evidence_shots(mei, screenshot, "track-record-zh")
    mei.get_by_role("link", name="Lars Decider").click()
    expect(mei.locator("main")).to_contain_text("经质疑后被推翻")
    evidence_shots(mei, screenshot, "leader-zh")
    set_language(mei, "en")
    mei.goto(f"{live_server}/leadership/")
    a11y.check(mei, "track record")
    ids.check(mei, "track record")
    evidence_shots(mei, screenshot, "track-record-en")
    leader.goto(f"{live_server}/analytics/")
    expect(leader.locator("main")).to_contain_text("These figures have not been counted yet")
    from ideaboard.services.analytics import refresh_participation

    refresh_participation()  # what `flask run-scheduled` does every hour
    db.session.commit()
    for locale in ("en", "zh"):
        set_language(leader, locale)
        leader.goto(f"{live_server}/analytics/")
        expect(leader.locator("svg").first).to_be_visible()
        evidence_shots(leader, screenshot, f"analytics-{locale}")
    a11y.check(leader, "analytics (zh)")
    ids.check(leader, "analytics")

    ids.assert_clean()
    a11y.assert_clean()
    browser_errors.assert_none()
