"""A whole funding round in a real browser, with JavaScript on and off (issue 14): a leader
opens a round with a ¥ pool; authors enter their ideas; six employees back them; the round
closes; the leader confirms the funded idea; its owner adds a milestone, a pledger joins the
team, an update reaches a backer's inbox; the idea is delivered with an outcome and shows on
the Delivered page. Screenshots at 1280 and 360 px, in English and Chinese."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models.base import utcnow
from tests.browser.scene_helpers import IdCheck, Person, header_link, make_person, sign_in

ROUND_TITLE = "Spring tools fund"
PURPOSE = "Money for the small tools that save colleagues hours every week."
WINNER = "A shared tool library for every site"
RUNNER_UP = "Label printers for the returns desk"
RATIONALE = "Six colleagues backed it and the first milestone is concrete: the money is released."
OUTCOME = ("The library is open at all three sites. What changed: tools are booked online; "
           "what we measured: time lost looking for tools fell from 3 to 1 hour a week.")
UPDATE = "The first shelves are up in Shanghai; twenty tools are already on loan."


def make_idea(factory, person: Person, title: str) -> str:
    from ideaboard.models import User

    idea = factory.idea(db.session.get(User, person.id), title=title, body="Why it matters.")
    public_id = idea.public_id
    db.session.commit()
    return public_id


def local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def submit(page: Page, button, js_enabled: bool) -> None:
    """Press a button that posts a form and wait for the next page."""
    with page.expect_navigation():
        button.click()


def give_points(page: Page, round_url: str, title: str, points: int, left: int,
                js_enabled: bool) -> None:
    """On the round page: type the points on an idea and save; with JavaScript the wallet
    updates in place, without it the page reloads with a message."""
    if page.url.split("#")[0] != round_url:
        page.goto(round_url)
    card = page.locator(".entry-card").filter(has_text=title)
    card.locator("input[name=points]").fill(str(points))
    save = card.get_by_role("button", name="Save")
    if js_enabled:
        with page.expect_response(lambda r: r.url.endswith("/points")
                                  and r.request.method == "POST") as response:
            save.click()
        assert response.value.status == 200, response.value.text()[:300]
        expect(card.locator("[data-points-status]")).to_contain_text(f"You give {points} points")
        assert page.url.split("#")[0] == round_url  # no reload
    else:
        submit(page, save, js_enabled)
        expect(page.locator(".flashes")).to_contain_text(f"You give {points} points")
    expect(page.locator(".wallet [data-wallet-left]")).to_have_text(str(left))


def screenshots(page: Page, screenshot, name: str) -> None:
    """1280 and 360 px, in English and Chinese (the footer's language form works without
    JavaScript too), then back to English."""
    url = page.url
    for lang in ("en", "zh"):
        page.goto(url)
        with page.expect_navigation():  # the select submits its form at once
            page.locator("#footer-locale").select_option(lang)
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            screenshot(page, f"funding-{name}-{lang}-{width}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, \
                f"{name} scrolls sideways at {width} px in {lang}"
    with page.expect_navigation():
        page.locator("#footer-locale").select_option("en")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)


def test_a_whole_funding_round(js_enabled: bool, live_server: str, factory, new_page,
                               screenshot, a11y, browser_errors):
    lead = make_person(factory, "leader", "Lena Fund", "Operations")
    author = make_person(factory, "employee", "Omar Owner", "Operations")
    second = make_person(factory, "employee", "Sofia Second", "Sales")
    backers = [make_person(factory, "employee", name, dept) for name, dept in [
        ("Ann Backer", "Sales"), ("Ben Backer", "Finance"), ("Cai Backer", "Marketing"),
        ("Dee Backer", "Operations"), ("Eli Backer", "Sales"), ("Fay Backer", "Finance")]]
    pledger = make_person(factory, "employee", "Pia Pledger", "Finance")
    winner_id = make_idea(factory, author, WINNER)
    runner_up_id = make_idea(factory, second, RUNNER_UP)
    evidence = js_enabled  # screenshots once; axe needs JavaScript in the page
    ids = IdCheck()

    # 1. A leader opens a round with a ¥ pool, from the header's Funding link.
    leader = sign_in(new_page, live_server, lead, js_enabled)
    header_link(leader, "Funding").click()
    expect(leader.locator("h1")).to_have_text("Funding rounds")
    leader.get_by_role("link", name="Open a funding round").click()
    expect(leader.locator("h1")).to_have_text("Open a funding round")
    if evidence:
        a11y.check(leader, "open a funding round")
        ids.check(leader, "open a funding round")
    leader.get_by_label("Title").fill(ROUND_TITLE)
    leader.get_by_label("Purpose").fill(PURPOSE)
    leader.get_by_label("Currency").select_option("CNY")
    leader.get_by_label("Money in the pool").fill("200000")
    leader.get_by_label("Points per employee").fill("100")
    leader.locator("input[name=division_rule][value=proportional]").check()
    leader.get_by_label("Minimum distinct backers").fill("5")
    leader.get_by_label("Opens").fill(local(utcnow() - timedelta(hours=1)))
    leader.get_by_label("Closes").fill(local(utcnow() + timedelta(days=7)))
    submit(leader, leader.get_by_role("button", name="Publish the round"), js_enabled)
    expect(leader.locator("h1")).to_have_text(ROUND_TITLE)
    expect(leader.locator(".round-facts")).to_contain_text("¥200,000")
    round_url = leader.url.split("#")[0]
    assert re.fullmatch(re.escape(live_server) + r"/funding/[\w-]+", round_url), round_url

    # 2. The authors enter their ideas: one from the idea page, one from the round page.
    owner = sign_in(new_page, live_server, author, js_enabled)
    owner.goto(f"{live_server}/ideas/{winner_id}")
    owner.get_by_role("link", name=f"Enter this idea in “{ROUND_TITLE}”").click()
    expect(owner.get_by_label("Your idea")).to_have_value(winner_id)
    owner.get_by_label("Money it needs").fill("50000")
    owner.get_by_label("The first milestone it would deliver").fill("Shelves at the first site")
    submit(owner, owner.get_by_role("button", name="Enter the idea"), js_enabled)
    expect(owner.locator(".flashes")).to_contain_text("is in the round")
    other = sign_in(new_page, live_server, second, js_enabled)
    other.goto(round_url)
    other.get_by_role("link", name="Enter your idea").click()
    other.get_by_label("Money it needs").fill("190000")
    other.get_by_label("The first milestone it would deliver").fill("Two printers installed")
    submit(other, other.get_by_role("button", name="Enter the idea"), js_enabled)
    expect(other.locator(".entry-card")).to_have_count(2)
    own_card = other.locator(".entry-card").filter(has_text=RUNNER_UP)
    expect(own_card).to_contain_text("Your own idea")  # the control says why it is off

    # 3. Six employees back the ideas; the wallet shows what is left.
    backer_pages: list[Page] = []
    for index, person in enumerate(backers):
        page = sign_in(new_page, live_server, person, js_enabled)
        give_points(page, round_url, WINNER, 40 + index, 60 - index, js_enabled)
        if index < 2:
            give_points(page, round_url, RUNNER_UP, 10, 50 - index, js_enabled)
        backer_pages.append(page)
    first = backer_pages[0]
    first.reload()
    winner_card = first.locator(".entry-card").filter(has_text=WINNER)
    expect(winner_card).to_contain_text("6 backers")
    expect(winner_card).to_contain_text("Would be funded if the round closed now")
    expect(first.locator(".wallet")).to_contain_text("Where they went")
    if evidence:
        a11y.check(first, "round page with a wallet")
        ids.check(first, "round page with a wallet")
        screenshots(first, screenshot, "round-open")

    # 4. The round closes: the leader closes it now.
    leader.goto(round_url)
    if js_enabled:
        leader.once("dialog", lambda dialog: dialog.accept())
    submit(leader, leader.get_by_role("button", name="Close now"), js_enabled)
    expect(leader.locator(".flashes")).to_contain_text("The round is closed")
    closed_card = leader.locator(".entry-card").filter(has_text=WINNER)
    expect(closed_card).to_contain_text("Funded: ¥50,000")
    expect(closed_card).to_contain_text("Awaiting leadership")
    expect(leader.locator(".entry-card").filter(has_text=RUNNER_UP)).to_contain_text(
        "Left out: fewer than 5 backers")
    if evidence:
        screenshots(leader, screenshot, "round-closed")
        leader.get_by_role("link", name="Report").click()
        expect(leader.locator("h1")).to_have_text(ROUND_TITLE)
        expect(leader.locator("main")).to_contain_text("Took part")
        a11y.check(leader, "round report")
        ids.check(leader, "round report")
        screenshots(leader, screenshot, "report")

    # 5. The leader confirms the funded idea from the review queue.
    header_link(leader, "Review queue").click()
    row = leader.locator("table.queue-table tbody tr").filter(has_text=WINNER)
    expect(row).to_contain_text("Funded")
    row.get_by_role("link", name=WINNER).click()
    panel = leader.locator("#funding-review")
    expect(panel).to_contain_text("Funded by 6 colleagues")
    expect(leader.locator(".review-actions")).to_contain_text(
        "because colleagues funded it in a funding round")
    panel.get_by_label("Confirm: release the money and people").check()
    panel.get_by_label("Public rationale").fill(RATIONALE)
    submit(leader, panel.get_by_role("button", name="Publish the answer"), js_enabled)
    expect(leader.locator(".flashes")).to_contain_text("The money and people are released")
    expect(leader.locator(".idea-header .status").first).to_have_text("Accepted")
    expect(leader.locator("#funding")).to_contain_text("Released")
    expect(leader.locator("#timeline")).to_contain_text("Funded by 6 colleagues")
    expect(leader.locator("#delivery")).to_contain_text("¥50,000")
    idea_url = f"{live_server}/ideas/{winner_id}"

    # 6. A colleague offers time; the owner adds a milestone and invites them; they join.
    helper = sign_in(new_page, live_server, pledger, js_enabled)
    helper.goto(idea_url)
    helper.locator("#volunteers summary").filter(has_text="Offer your time and skills").click()
    helper.get_by_label("Hours a week").fill("3")
    helper.get_by_label("For how many weeks").fill("6")
    helper.get_by_label("Skills").fill("carpentry, logistics")
    submit(helper, helper.get_by_role("button", name="Offer my time"), js_enabled)
    expect(helper.locator("#volunteers")).to_contain_text("1 colleague offered time")
    expect(helper.locator("#volunteers")).not_to_contain_text("Who offered time")  # names: no
    owner.goto(idea_url)
    owner.locator("#delivery summary").filter(has_text="Add a milestone").click()
    owner.get_by_label("Milestone", exact=True).fill("Tools catalogued online")
    submit(owner, owner.get_by_role("button", name="Add milestone"), js_enabled)
    expect(owner.locator(".milestones")).to_contain_text("Tools catalogued online")
    expect(owner.locator(".milestones")).to_contain_text("Shelves at the first site")
    pledge = owner.locator(".pledge").filter(has_text="Pia Pledger")
    submit(owner, pledge.get_by_role("button", name="Invite to the team"), js_enabled)
    helper.goto(idea_url)
    submit(helper, helper.get_by_role("button", name="Join the team"), js_enabled)
    expect(helper.locator(".team-list")).to_contain_text("Pia Pledger")

    # 7. The owner posts an update; it reaches a backer's inbox.
    owner.goto(idea_url)
    submit(owner, owner.get_by_role("button", name="Start work"), js_enabled)
    expect(owner.locator(".idea-header .status").first).to_have_text("In progress")
    if owner.locator("#update_body").is_hidden():
        owner.locator("#delivery summary").filter(has_text="Post a progress update").click()
    owner.get_by_label("Progress update").fill(UPDATE)
    owner.get_by_label("Spent since the last update").fill("12000")
    submit(owner, owner.get_by_role("button", name="Post update"), js_enabled)
    expect(owner.locator(".updates")).to_contain_text(UPDATE)
    expect(owner.locator(".delivery-facts")).to_contain_text("¥12,000")
    reader = backer_pages[3]
    reader.goto(f"{live_server}/inbox/")
    expect(reader.locator(".inbox")).to_contain_text(f"New progress update on “{WINNER}”")
    expect(reader.locator(".inbox")).to_contain_text("which you backed with your points")
    submit(reader, reader.locator(".inbox-item").filter(
        has_text="New progress update").get_by_role("button"), js_enabled)
    expect(reader).to_have_url(idea_url + "#delivery")

    # 8. Delivered with an outcome, and listed on the Delivered page.
    owner.locator("#delivery summary").filter(has_text="Mark as delivered").click()
    owner.get_by_label("Outcome").fill(OUTCOME)
    submit(owner, owner.get_by_role("button", name="Publish the outcome"), js_enabled)
    expect(owner.locator(".idea-header .status").first).to_have_text("Done")
    expect(owner.locator(".delivered-outcome")).to_contain_text("time lost looking for tools")
    if evidence:
        a11y.check(owner, "delivered idea")
        ids.check(owner, "delivered idea")
        screenshots(owner, screenshot, "idea-delivered")
    header_link(owner, "Funding").click()
    owner.get_by_role("link", name="What was delivered").click()
    item = owner.locator(".delivered-item").filter(has_text=WINNER)
    expect(item).to_contain_text("funded by 6 colleagues")
    expect(item).to_contain_text("¥50,000")
    expect(item).to_contain_text("time lost looking for tools")
    if evidence:
        a11y.check(owner, "Delivered page")
        ids.check(owner, "Delivered page")
        screenshots(owner, screenshot, "delivered")
        a11y.assert_clean()
        ids.assert_clean()
    del runner_up_id
    browser_errors.assert_none()
