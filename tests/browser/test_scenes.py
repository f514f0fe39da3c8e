"""The spec's acceptance scenes, end to end in a real browser through the real UI only
(the factory creates people and departments before the browser starts; nothing else).

- Scene 2, "Problem forum" (the review queue's acceptance test), with JavaScript on and off:
  a leader opens a campaign, employees answer, an admin lowers the escalation rule, peers
  support one answer until it escalates, the leader claims and decides it with a public
  rationale, and the author finds the decision through the inbox.
- Scene 1, "Consultation": the CEO asks who should be marketing director; employees
  nominate, argue and vote; the results fold small departments; the outcome reaches everyone.
- Scene 3, "Sensitive discussion": an anonymous-only discussion never shows the author's
  name, department or finer-than-a-day times to colleagues, leaders or admins.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ideaboard.models import Level
from tests.browser.scene_helpers import (
    IdCheck,
    compose_in_campaign,
    create_campaign,
    forget_refused_form,
    header_link,
    make_person,
    nominate,
    post_comment,
    sign_in,
    vote,
    vote_from_list,
)

# --- Scene 2: Problem forum ---------------------------------------------------------------

FORUM_TITLE = "Why are our launches always late?"
FORUM_BACKGROUND = ("Our last four launches slipped by six weeks on average. Tell us the causes "
                    "you see from where you sit, and what you would change first.")
ANSWERS = [
    ("Freeze the scope two weeks before launch",
     "Late scope changes reset testing every time. A freeze date would give QA a stable target."),
    ("Give compliance a seat in the kickoff",
     "Compliance reviews start after the build is done, so every finding becomes a delay."),
    ("Book pilot-run capacity when the project starts",
     "The pilot line is booked months ahead; we wait for a slot instead of testing."),
]
RATIONALE = ("We will freeze scope 14 days before every launch, starting with the spring range; "
             "the product council owns exceptions.")
SHORT_RATIONALE = "Too short."


def test_scene_2_problem_forum(js_enabled: bool, live_server: str, factory, new_page,
                               screenshot, a11y, browser_errors):
    head = make_person(factory, "leader", "Hana Product", "Product Development", Level.SENIOR)
    admin = make_person(factory, "admin", "Ade Admin", "IT")
    authors = [make_person(factory, "employee", name, dept) for name, dept in [
        ("Mei Author", "Operations"), ("Tom Second", "Quality"), ("Sara Third", "Compliance")]]
    extra_voter = make_person(factory, "employee", "Raj Voter", "Customer Care")
    evidence = js_enabled  # screenshots once; axe needs JavaScript in the page
    ids = IdCheck()

    # 1. The head of product asks the company a question.
    leader = sign_in(new_page, live_server, head, js_enabled)
    header_link(leader, "Campaigns").click()
    expect(leader).to_have_url(f"{live_server}/campaigns/")
    if evidence:
        a11y.check(leader, "campaigns index")
        ids.check(leader, "campaigns index")
    campaign_url = create_campaign(
        leader, live_server, title=FORUM_TITLE, background=FORUM_BACKGROUND, kind="ideas",
        anonymity="optional")
    expect(leader.locator(".campaign-facts")).to_contain_text("Asked by Hana Product")
    expect(leader.locator(".campaign-facts")).to_contain_text(FORUM_BACKGROUND)
    expect(leader.locator(".campaign-facts")).to_contain_text("You choose")
    header_link(leader, "Campaigns").click()
    expect(leader.locator(".campaign-card").filter(has_text=FORUM_TITLE)).to_have_count(1)

    # 2. Three employees each post a cause and a fix through "Add your answer".
    author_pages: list[Page] = []
    idea_urls: list[str] = []
    for person, (title, body) in zip(authors, ANSWERS, strict=True):
        page = sign_in(new_page, live_server, person, js_enabled)
        idea_urls.append(compose_in_campaign(page, campaign_url, "Add your answer",
                                             title=title, body=body))
        expect(page.locator(".idea-header")).to_contain_text(FORUM_TITLE)  # the campaign link
        expect(page.locator(".idea-header .author")).to_have_text(person.name)
        author_pages.append(page)
    leader.goto(campaign_url)
    expect(leader.locator(".idea-list .idea-title")).to_have_count(3)
    for title, _body in ANSWERS:
        expect(leader.locator(".idea-list")).to_contain_text(title)
    if evidence:
        screenshot(leader, "scene-2-campaign")
        a11y.check(leader, "campaign page (call for ideas)")
        ids.check(leader, "campaign page (call for ideas)")

    # 3. An admin lowers the escalation rule in the UI: preview first, then save.
    admin_page = sign_in(new_page, live_server, admin, js_enabled)
    expect(header_link(admin_page, "Admin")).to_be_visible()
    admin_page.goto(f"{live_server}/admin/settings")
    expect(admin_page.locator("h2")).to_have_text("Escalation rule")
    admin_page.get_by_label("Supporters needed").fill("3")
    admin_page.get_by_label("Minimum support score").fill("0.2")
    rule_form = admin_page.locator("main form")
    expect(rule_form.get_by_role("button", name="Save the rule")).to_have_count(0)
    with admin_page.expect_navigation():
        rule_form.get_by_role("button", name="Preview", exact=True).click()
    expect(rule_form.locator(".notice")).to_contain_text(
        "Under this rule, 0 open ideas would go to the review queue")
    expect(admin_page.get_by_label("Supporters needed")).to_have_value("3")
    with admin_page.expect_navigation():
        rule_form.get_by_role("button", name="Save the rule").click()
    expect(admin_page.locator(".flashes")).to_contain_text(
        "Saved. 0 open ideas reached the new rule")
    expect(admin_page.get_by_label("Supporters needed")).to_have_value("3")
    expect(admin_page.get_by_label("Minimum support score")).to_have_value(
        re.compile(r"^0\.20?$"))

    # 4. Three peers support the first answer; the third vote escalates it.
    winner_url, winner_title = idea_urls[0], ANSWERS[0][0]
    voters = [author_pages[1], author_pages[2], sign_in(new_page, live_server, extra_voter,
                                                        js_enabled)]
    for count, voter in enumerate(voters, start=1):
        vote(voter, winner_url, "support", js_enabled)
        voter.reload()
        expect(voter.locator("button.vote-support [data-count=support]")).to_have_text(str(count))
        status = voter.locator(".idea-header .status").first
        expect(status).to_have_text("Escalated" if count == 3 else "Open")
    escalated = voters[-1]
    timeline = escalated.locator("#timeline")
    expect(timeline.get_by_role("heading", name="Leadership’s answer")).to_be_visible()
    expect(timeline).to_contain_text(re.compile(  # one whole sentence (issue 12)
        r"It went to leadership on .+ because colleagues’ support met the escalation rule\."))
    # the other answers stay open
    escalated.goto(idea_urls[1])
    expect(escalated.locator(".idea-header .status").first).to_have_text("Open")

    # 5. The leader opens the review queue, claims the item and decides it.
    header_link(leader, "Review queue").click()
    expect(leader).to_have_url(f"{live_server}/review/")
    row = leader.locator("table.queue-table tbody tr").filter(has_text=winner_title)
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label=Support]")).to_have_text("3")
    expect(row.locator("td[data-label=Campaign]")).to_have_text(FORUM_TITLE)
    expect(row.locator("td[data-label=Owner]")).to_have_text("nobody yet")
    expect(row).to_contain_text("Escalated")
    expect(row).to_contain_text("14 days left")
    for title, _body in ANSWERS[1:]:
        expect(leader.locator("table.queue-table")).not_to_contain_text(title)
    if evidence:
        screenshot(leader, "scene-2-review-queue")
        a11y.check(leader, "review queue")
        ids.check(leader, "review queue")

    row.get_by_role("link", name=winner_title).click()
    expect(leader).to_have_url(re.compile(re.escape(live_server) + r"/review/[\w-]+$"))
    expect(leader.locator("h1")).to_have_text(winner_title)
    expect(leader.locator(".crowd-tally")).to_contain_text("3 support")
    with leader.expect_navigation():
        leader.get_by_role("button", name="Claim it").click()
    expect(leader.locator(".flashes")).to_contain_text("You now own this item.")
    owner_panel = leader.locator(".review-actions .card-panel").filter(
        has=leader.get_by_role("heading", name="Owner"))
    expect(owner_panel.locator("p").first).to_have_text("Hana Product")
    expect(leader.get_by_role("button", name="Claim it")).to_have_count(0)
    if evidence:
        screenshot(leader, "scene-2-review-item")
        a11y.check(leader, "review item")
        ids.check(leader, "review item")

    decide = leader.locator("form[action$='/status']")
    rationale_field = decide.locator(".field").filter(has=leader.locator("#rationale"))
    # a 10-character rationale is refused, with the error next to the field
    decide.get_by_role("radio", name="Accepted", exact=True).check()
    decide.get_by_label("Public rationale").fill(SHORT_RATIONALE)
    assert len(SHORT_RATIONALE) == 10
    with leader.expect_navigation():
        decide.get_by_role("button", name="Publish decision").click()
    expect(rationale_field.locator(".field-error")).to_contain_text("at least 30 characters")
    expect(leader.locator("#rationale")).to_have_attribute("aria-invalid", "true")
    expect(leader.locator("#rationale")).to_have_value(SHORT_RATIONALE)
    expect(decide.get_by_role("radio", name="Accepted", exact=True)).to_be_checked()
    expect(leader.locator(".review-actions")).not_to_contain_text("Accepted by")
    forget_refused_form(browser_errors, "/status")  # the 400 answering the refused form
    if evidence:
        screenshot(leader, "scene-2-review-item-error")
        a11y.check(leader, "review item (rationale too short)")
        ids.check(leader, "review item (rationale too short)")
    # a proper rationale publishes the decision on the idea's public timeline
    decide.get_by_role("radio", name="Accepted", exact=True).check()
    decide.get_by_label("Public rationale").fill(RATIONALE)
    with leader.expect_navigation():
        decide.get_by_role("button", name="Publish decision").click()
    expect(leader).to_have_url(winner_url + "#timeline")
    expect(leader.locator(".flashes")).to_contain_text("Decision published")
    expect(leader.locator(".idea-header .status").first).to_have_text("Accepted")
    expect(leader.locator("#timeline .rationale")).to_have_text(RATIONALE)
    header_link(leader, "Review queue").click()
    expect(leader.locator("main")).not_to_contain_text(winner_title)

    # 6. The author signs in, sees the unread badge, and follows the notification.
    author = sign_in(new_page, live_server, authors[0], js_enabled)
    badge = author.locator(".inbox-link .unread-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(re.compile(r"[1-9]"))
    unread_before = int(re.search(r"\d+", badge.inner_text()).group())
    assert unread_before >= 2, f"expected the escalation and the decision, got {unread_before}"
    author.locator(".inbox-link").click()
    expect(author).to_have_url(f"{live_server}/inbox/")
    expect(author.locator(".inbox")).to_contain_text(f"“{winner_title}” went to leadership")
    decision_note = author.locator(".inbox-item").filter(
        has_text=f"Hana Product updated “{winner_title}”: accepted.")  # who acted
    expect(decision_note).to_have_count(1)
    expect(decision_note).to_have_class(re.compile(r"\bunread\b"))
    with author.expect_navigation():
        decision_note.get_by_role("button").click()
    expect(author).to_have_url(winner_url + "#timeline")
    expect(author.locator("h1")).to_have_text(winner_title)
    expect(author.locator(".idea-header .status").first).to_have_text("Accepted")
    expect(author.locator("#timeline")).to_contain_text("Accepted")
    expect(author.locator("#timeline .rationale")).to_have_text(RATIONALE)
    expect(author.locator("#timeline")).to_contain_text("Hana Product accepted it on")
    expect(badge).to_have_text(re.compile(rf"(^|\D){unread_before - 1}$"))  # one fewer unread
    if evidence:
        screenshot(author, "scene-2-idea-decided")

    browser_errors.assert_none()
    a11y.assert_clean()
    ids.assert_clean()


# --- Scene 1: Consultation ----------------------------------------------------------------

CONSULTATION_TITLE = "Who should be our new marketing director?"
CONSULTATION_BACKGROUND = ("Our marketing director retires in March. Nominate the colleague you "
                           "would follow, say why, and argue for or against the nominees.")
OPTIONS = [
    ("Chen Jing, head of brand",
     "She rebuilt our brand in two years and the sales teams trust her numbers."),
    ("Marta Silva, growth lead",
     "She grew the online channel fivefold and hires people better than herself."),
]
ARGUMENT_FOR = "Chen knows every product line and kept the brand consistent through the merger."
ARGUMENT_AGAINST = "Chen has never run a budget this size; the director role is mostly budget."
OUTCOME = ("Marta Silva becomes marketing director from 1 March. The crowd backed her growth "
           "record; Chen Jing will lead the brand council.")
# department names that must never show in a breakdown of fewer than 5 voters each
CONSULTATION_DEPARTMENTS = ["Field Sales", "Customer Care", "Research and Development"]


def test_scene_1_consultation(live_server: str, factory, new_page, screenshot, a11y,
                              browser_errors):
    ceo = make_person(factory, "leader", "Grace Okafor", "Executive Office", Level.EXECUTIVE)
    luis = make_person(factory, "employee", "Luis Romero", "Field Sales")
    aiko = make_person(factory, "employee", "Aiko Tan", "Customer Care", Level.MANAGER)
    ben = make_person(factory, "employee", "Ben Costa", "Research and Development")
    dana = make_person(factory, "employee", "Dana Iqbal", "Field Sales", Level.SENIOR)
    ids = IdCheck()

    # 1. The CEO opens a consultation where employees may nominate.
    ceo_page = sign_in(new_page, live_server, ceo)
    campaign_url = create_campaign(
        ceo_page, live_server, title=CONSULTATION_TITLE, background=CONSULTATION_BACKGROUND,
        kind="consultation", anonymity="optional", nominations=True)
    expect(ceo_page.locator("main").get_by_role("heading", name="Options")).to_be_visible()
    expect(ceo_page.locator("main").get_by_role("link", name="Results")).to_be_visible()

    # 2. Two employees nominate a candidate each, with a reason.
    pages = {person: sign_in(new_page, live_server, person) for person in (luis, aiko, ben, dana)}
    option_urls = [  # with the consultation's own form and words (issue 12)
        nominate(pages[luis], campaign_url, title=OPTIONS[0][0], body=OPTIONS[0][1]),
        nominate(pages[aiko], campaign_url, title=OPTIONS[1][0], body=OPTIONS[1][1]),
    ]
    expect(pages[luis].locator(".idea-body")).to_contain_text(OPTIONS[0][1])

    # 3. Colleagues argue for and against, then vote.
    post_comment(pages[ben], option_urls[0], "For", ARGUMENT_FOR)
    post_comment(pages[dana], option_urls[0], "Against", ARGUMENT_AGAINST)
    thread = pages[dana].locator("#discussion > ol.thread > li.comment")
    expect(thread).to_have_count(2)
    expect(thread.filter(has_text=ARGUMENT_FOR).locator(".stance-badge")).to_have_text("For")
    expect(thread.filter(has_text=ARGUMENT_AGAINST).locator(".stance-badge")).to_have_text(
        "Against")
    votes = [(ben, 0, "support"), (aiko, 0, "support"), (dana, 0, "oppose"),
             (luis, 1, "support")]
    for person, option, value in votes:
        vote(pages[person], option_urls[option], value)
    for person in (ben, dana):  # voting from the option list (issue 12)
        vote_from_list(pages[person], campaign_url, OPTIONS[1][0], "support")

    # 4. The results list every option with its supporters, and fold the small departments.
    observer = pages[ben]
    observer.goto(campaign_url)
    expect(observer.locator(".option-list .idea-title")).to_have_count(2)
    observer.locator("main").get_by_role("link", name="Results").click()
    expect(observer).to_have_url(campaign_url + "/results")
    expect(observer.locator("h1")).to_have_text("Results")
    results = observer.locator("ol.results > li")
    expect(results).to_have_count(2)
    expect(results.locator(".idea-title")).to_have_text([OPTIONS[1][0], OPTIONS[0][0]])
    expect(results.nth(0).locator(".supporters")).to_have_text("▲ 3 support")
    expect(results.nth(0).locator(".opposers")).to_have_text("▼ 0 oppose")
    expect(results.nth(1).locator(".supporters")).to_have_text("▲ 2 support")
    expect(results.nth(1).locator(".opposers")).to_have_text("▼ 1 oppose")
    main_text = observer.locator("main").inner_text()
    for department in CONSULTATION_DEPARTMENTS:
        assert department not in main_text, f"the results name the department {department!r}"
    for result in (results.nth(0), results.nth(1)):
        expect(result.locator(".breakdowns")).to_contain_text("By department")
        department_rows = result.locator("table.breakdown:has(caption:text('By department'))"
                                          " tbody th")
        for name in department_rows.all_inner_texts():
            assert name == "Other departments", f"a small department is shown: {name!r}"
    chart = observer.locator("figure.results-chart svg[role=img]")  # issue 12
    expect(chart).to_have_count(2)
    expect(chart.first).to_have_attribute("aria-label", re.compile(r": 3 support, 0 oppose$"))
    expect(observer.locator("table.results-table tbody th")).to_have_text(
        [OPTIONS[1][0], OPTIONS[0][0]])
    screenshot(observer, "scene-1-results")
    a11y.check(observer, "consultation results")
    ids.check(observer, "consultation results")

    # 5. The CEO publishes the outcome on the campaign page.
    ceo_page.goto(campaign_url)
    outcome_form = ceo_page.locator("form[action$='/outcome']")
    outcome_form.get_by_label("The option chosen").select_option(label=OPTIONS[1][0])
    outcome_form.get_by_label("Outcome and rationale").fill(OUTCOME)
    with ceo_page.expect_navigation():
        outcome_form.get_by_role("button", name="Publish and tell everyone who took part").click()
    expect(ceo_page.locator(".flashes")).to_contain_text("The outcome is published")
    expect(ceo_page.locator("section#outcome")).to_contain_text(OUTCOME)

    # 6. A participant sees it on the campaign page and in the inbox.
    observer.goto(campaign_url)
    outcome = observer.locator("section#outcome")
    expect(outcome.get_by_role("heading", name="Outcome")).to_be_visible()
    expect(outcome).to_contain_text(OUTCOME)
    expect(observer.locator("main")).not_to_contain_text("Publish the outcome")  # owner only
    badge = observer.locator(".inbox-link .unread-badge")
    expect(badge).to_be_visible()
    observer.locator(".inbox-link").click()
    note = observer.locator(".inbox-item").filter(
        has_text=f"Grace Okafor published the outcome of “{CONSULTATION_TITLE}”.")  # who
    expect(note).to_have_count(1)
    with observer.expect_navigation():
        note.get_by_role("button").click()
    expect(observer).to_have_url(campaign_url + "#outcome")
    expect(outcome).to_contain_text(OUTCOME)
    # the outcome closed the options: buttons off with the reason; the winner is marked
    closed_vote = observer.locator(".option-card button.vote-support").first
    expect(closed_vote).to_be_disabled()
    expect(observer.locator(".option-card .vote-note").first).to_contain_text(
        "with its outcome published")
    observer.goto(campaign_url + "/results")
    expect(observer.locator("tr.is-winner th")).to_contain_text(OPTIONS[1][0])
    expect(observer.locator("tr.is-winner .winner-badge")).to_have_text("Chosen")
    screenshot(observer, "scene-1-results-chosen")
    observer.goto(campaign_url)
    screenshot(observer, "scene-1-campaign")
    a11y.check(observer, "campaign page (consultation, with outcome)")
    ids.check(observer, "campaign page (consultation, with outcome)")

    # 7. The owner's view holds both the published outcome and the form to update it.
    ceo_page.goto(campaign_url)
    expect(ceo_page.locator("main").get_by_role("heading", name="Update the outcome")
           ).to_be_visible()
    screenshot(ceo_page, "scene-1-campaign-owner")
    a11y.check(ceo_page, "campaign page (owner, outcome published)")
    browser_errors.assert_none()
    a11y.assert_clean()
    # the outcome section and the outcome field must not share an id: the field's label
    # would point at the section, leaving the textarea without a name for screen readers
    ids.check(ceo_page, "campaign page (owner, outcome published)")
    ids.assert_clean()
    expect(ceo_page.get_by_role("textbox", name="Outcome and rationale")).to_be_visible()


# --- Scene 3: Sensitive discussion --------------------------------------------------------

DISCUSSION_TITLE = "Executive pay, and the top team's strengths and weaknesses"
DISCUSSION_BACKGROUND = ("The board wants your honest view. Everything here is anonymous: say "
                         "what you would not say in a meeting.")
SECRET_NAME = "Ingrid Secret"
SECRET_DEPARTMENT = "Internal Audit Bureau"
POST_TITLE = "Executive bonuses should follow the same rules as everyone's"
POST_BODY = ("Last year the top team's bonuses paid out in full while the frontline bonus pool "
             "was cut by a third. Tie both to the same targets.")
SECRET_COMMENT = "To be clear: I mean the same targets, published in the same all-hands deck."


def anonymous_author_lines(page: Page):
    return page.locator(".author-line").filter(has=page.locator(".author.anonymous"))


def assert_nothing_reveals_the_author(page: Page, where: str, author_id: int) -> None:
    html = page.content()
    for secret in (SECRET_NAME, "Ingrid", "ingrid.secret", SECRET_DEPARTMENT):
        assert secret.lower() not in html.lower(), f"{where}: the page HTML contains {secret!r}"
    assert f"/people/{author_id}\"" not in html, f"{where}: links to the author's profile"
    lines = anonymous_author_lines(page)
    assert lines.count() >= 1, f"{where}: no anonymous author line"
    for index in range(lines.count()):
        line = lines.nth(index)
        expect(line.locator(".author")).to_have_text("Anonymous employee")
        times = line.locator("time")
        expect(times).to_have_count(1)
        stamp = times.get_attribute("datetime") or ""
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp), \
            f"{where}: an anonymous item shows a finer time than the day: {stamp!r}"
        assert times.get_attribute("title") is None, f"{where}: the exact time is on hover"
        assert "ago" not in line.inner_text(), f"{where}: relative time on an anonymous item"


def test_scene_3_sensitive_discussion(live_server: str, factory, new_page, screenshot, a11y,
                                      browser_errors):
    board = make_person(factory, "leader", "Henrik Olsen", "Board Office", Level.EXECUTIVE)
    ingrid = make_person(factory, "employee", SECRET_NAME, SECRET_DEPARTMENT, Level.SENIOR)
    colleague = make_person(factory, "employee", "Paul Fischer", "Operations")
    admin = make_person(factory, "admin", "Ada Admin", "IT")
    ids = IdCheck()

    # 1. The board opens an anonymous-only discussion.
    board_page = sign_in(new_page, live_server, board)
    campaign_url = create_campaign(
        board_page, live_server, title=DISCUSSION_TITLE, background=DISCUSSION_BACKGROUND,
        kind="discussion", anonymity="anonymous_only")
    expect(board_page.locator(".campaign-facts")).to_contain_text("Anonymous: names are hidden")

    # 2. Ingrid posts and comments; the compose page says everything is anonymous.
    ingrid_page = sign_in(new_page, live_server, ingrid)
    ingrid_page.goto(campaign_url)
    ingrid_page.locator("#options").get_by_role("link", name="Add your answer", exact=True).click()
    expect(ingrid_page.locator(".notice")).to_contain_text(
        "Everything in this campaign is anonymous")
    expect(ingrid_page.get_by_label("Post anonymously")).to_have_count(0)  # no way to opt out
    post_url = compose_in_campaign(ingrid_page, campaign_url, "Add your answer",
                                   title=POST_TITLE, body=POST_BODY)
    expect(ingrid_page.locator(".idea-header .author")).to_have_text("Anonymous employee")
    expect(ingrid_page.locator("form.comment-form .notice")).to_contain_text(
        "Everything in this campaign is anonymous")
    post_comment(ingrid_page, post_url, "For", SECRET_COMMENT)
    expect(ingrid_page.locator("#discussion li.comment .author")).to_have_text(
        "Anonymous employee")

    # 3. A colleague, the board (a leader, the campaign's owner) and an admin look.
    reply = "Targets alone will not fix it; publish the pay ratio as well."
    comments = [SECRET_COMMENT]
    for role, person in [("employee", colleague), ("leader", board), ("admin", admin)]:
        page = board_page if person == board else sign_in(new_page, live_server, person)
        page.goto(campaign_url)
        expect(page.locator(".idea-list")).to_contain_text(POST_TITLE)
        expect(page.locator(".idea-list .author")).to_have_text("Anonymous employee")
        assert_nothing_reveals_the_author(page, f"campaign page as {role}", ingrid.id)
        if role == "employee":
            screenshot(page, "scene-3-campaign")
            a11y.check(page, "campaign page (anonymous discussion)")
            ids.check(page, "campaign page (anonymous discussion)")
        page.locator(".idea-list").get_by_role("link", name=POST_TITLE).click()
        expect(page).to_have_url(post_url)
        expect(page.locator(".idea-body")).to_contain_text(POST_BODY)
        # anonymous comments are placed by their public time, drawn within the window
        expect(page.locator("#discussion .comment-body")).to_have_count(len(comments))
        assert sorted(text.strip() for text in page.locator(
            "#discussion .comment-body").all_inner_texts()) == sorted(comments)
        expect(page.locator(".author-line .author")).to_have_text(
            ["Anonymous employee"] * (1 + len(comments)))  # the post and every comment
        assert_nothing_reveals_the_author(page, f"post page as {role}", ingrid.id)
        if role == "employee":
            screenshot(page, "scene-3-post")
            ids.check(page, "post page (anonymous discussion)")
            # the colleague argues back: the comment is anonymous too
            post_comment(page, post_url, "Against", reply)
            comments.append(reply)
            expect(page.locator(".author-line .author")).to_have_text(
                ["Anonymous employee"] * 3)
            assert "Paul Fischer" not in page.locator("main").inner_text()
    screenshot(board_page, "scene-3-post-leader")

    browser_errors.assert_none()
    a11y.assert_clean()
    ids.assert_clean()
