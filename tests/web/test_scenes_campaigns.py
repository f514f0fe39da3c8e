"""The four scenes finished (issue 12), campaign flows over HTTP: composing from a campaign
lands in it, consultations nominate / vote from the list / rank with a chart and mark the
winner, close now and reopen, closed controls disabled with the reason, escalation progress."""
import re
from datetime import timedelta

from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Campaign,
    CampaignKind,
    Comment,
    Idea,
    IdeaStatus,
    Role,
    SiteSettings,
)
from ideaboard.models.base import utcnow
from ideaboard.services.campaigns import publish_outcome
from ideaboard.services.ideas import post_idea
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote
from tests.web.test_campaigns import make_campaign


def hrefs(page: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', page)]


def test_every_compose_link_on_a_campaign_page_posts_into_that_campaign(client, login_as,
                                                                        factory):
    campaign = make_campaign(factory, title="Why are launches late?")
    login_as("employee")
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    compose_links = [h for h in hrefs(page) if h.startswith("/ideas/new")]
    assert len(compose_links) >= 2  # the header's button and the section's (and the empty state)
    assert all(h == f"/ideas/new?campaign={campaign.slug}" for h in compose_links), compose_links
    assert re.search(r'class="[^"]*nav-compose[^"]*" href="/ideas/new\?campaign=', page)
    client.post_form(compose_links[0], {"title": "Freeze scope early", "publish": "Publish"})
    assert db.session.scalar(select(Idea.campaign_id)) == campaign.id


def test_a_consultation_nominates_with_its_own_form_and_words(client, login_as, factory):
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, title="Who should lead brand?")
    login_as("employee")
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    nominate = f"/campaigns/{campaign.slug}/nominate"
    assert nominate in hrefs(page) and not [h for h in hrefs(page) if h.startswith("/ideas/new")]
    # the generic compose page sends nominations to their own form
    assert client.get(f"/ideas/new?campaign={campaign.slug}").headers["Location"] == nominate
    form = client.get(nominate).get_data(as_text=True)
    assert "Candidate or option" in form and "Why this one?" in form
    assert "What is the problem" not in form
    response = client.post_form(nominate, {"title": "Chen Jing, head of brand",
                                           "body": "Ten years in the market", "publish": "1"})
    option = db.session.scalar(select(Idea))
    assert option.campaign_id == campaign.id and option.title == "Chen Jing, head of brand"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your nomination is in" in shown and "your idea was published" not in shown.lower()


def test_options_are_voted_from_the_list_and_ranked_with_a_chart_and_a_table(client, login_as,
                                                                              factory):
    owner = factory.user(Role.LEADER)
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    first = post_idea(owner, campaign, title="Option Alpha", body="", tags=[])
    second = post_idea(owner, campaign, title="Option Beta", body="", tags=[])
    for _ in range(3):
        cast_vote(factory.user(), second.public_id, SUPPORT)
    cast_vote(factory.user(), first.public_id, SUPPORT)
    login_as("employee")
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    for option in (first, second):
        assert f'action="/ideas/{option.public_id}/vote"' in page
    voted = client.post_form(f"/ideas/{first.public_id}/vote",
                             {"value": "support", "next": f"/campaigns/{campaign.slug}"})
    assert voted.headers["Location"] == f"/campaigns/{campaign.slug}"
    results = client.get(f"/campaigns/{campaign.slug}/results").get_data(as_text=True)
    chart = results[results.index("<svg"):results.index("</svg>")]
    assert "<rect" in chart and 'role="img"' in chart
    table = results[results.index('class="table table-sm results-table'):]
    assert table.index("Option Beta") < table.index("Option Alpha")  # 3 before 2
    assert "Chosen" not in results


def test_the_published_outcome_marks_the_winner_and_closes_the_options(client, login_as,
                                                                       factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    loser = post_idea(owner, campaign, title="Option Alpha", body="", tags=[])
    winner = post_idea(owner, campaign, title="Option Beta", body="", tags=[])
    show = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f'<option value="{winner.public_id}">Option Beta</option>' in show
    response = client.post_form(f"/campaigns/{campaign.slug}/outcome", {
        "winner": winner.public_id,
        "outcome_text": "Beta wins: it is cheaper and the team backs it, as argued."})
    assert response.status_code == 302
    stored = db.session.get(Campaign, campaign.id)
    assert stored.winner_id == winner.id and stored.is_closed()
    results = client.get(f"/campaigns/{campaign.slug}/results").get_data(as_text=True)
    row = re.search(r'<tr class="is-winner">.*?</tr>', results, re.S).group(0)
    assert "Option Beta" in row and "Chosen" in row and "Option Alpha" not in row
    voter = factory.user()
    client.post_form("/logout")
    login_as("employee")
    refused = client.post_form(f"/ideas/{loser.public_id}/vote", {"value": "support"},
                               headers={"Accept": "application/json"})
    assert refused.status_code == 403 and voter.id
    assert db.session.get(Idea, loser.id).supporters == 0


def test_a_winner_from_another_campaign_is_refused_beside_its_field(client, login_as, factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    post_idea(owner, campaign, title="Option Alpha", body="", tags=[])
    stranger = factory.idea(title="Not an option")
    response = client.post_form(f"/campaigns/{campaign.slug}/outcome", {
        "winner": stranger.public_id, "outcome_text": "A long enough outcome to publish here."})
    assert response.status_code == 200
    assert db.session.get(Campaign, campaign.id).outcome_published_at is None


def test_owners_close_now_and_reopen_audited_and_others_cannot(client, login_as, factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, owner=owner)
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f"/campaigns/{campaign.slug}/close" in page
    assert "nobody can post" in client.get(f"/campaigns/{campaign.slug}/close").get_data(
        as_text=True)
    client.post_form(f"/campaigns/{campaign.slug}/close")
    assert db.session.get(Campaign, campaign.id).is_closed()
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f"/campaigns/{campaign.slug}/reopen" in page
    assert f"/campaigns/{campaign.slug}/close" not in page
    # a date in the past is refused beside the date field
    past = client.post_form(f"/campaigns/{campaign.slug}/reopen",
                            {"closes_at": "2020-01-01T09:00"}).get_data(as_text=True)
    assert re.search(r'name="closes_at".*?class="field-error"[^>]*>Choose a closing date',
                     past, re.S)
    client.post_form(f"/campaigns/{campaign.slug}/reopen", {"closes_at": ""})
    assert db.session.get(Campaign, campaign.id).is_open()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["campaign.close", "campaign.reopen"]
    client.post_form("/logout")
    login_as("employee")
    assert client.post_form(f"/campaigns/{campaign.slug}/close").status_code == 403
    assert db.session.get(Campaign, campaign.id).is_open()


def test_a_published_outcome_cannot_be_reopened(client, login_as, factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, owner=owner)
    publish_outcome(owner, campaign, "We act on the three best answers, starting now.")
    page = client.get(f"/campaigns/{campaign.slug}/reopen").get_data(as_text=True)
    assert "The outcome is published" in page
    client.post_form(f"/campaigns/{campaign.slug}/reopen", {"closes_at": ""})
    assert db.session.get(Campaign, campaign.id).is_closed()


def test_the_edit_form_puts_a_date_error_beside_the_date(client, login_as, factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, owner=owner)
    page = client.post_form(f"/campaigns/{campaign.slug}/edit", {
        "title": "Q?", "description": "", "anonymity": "named",
        "opens_at": "2030-01-01T09:00", "closes_at": "2029-01-01T09:00"}).get_data(as_text=True)
    error = page.index("The closing date must come after the opening date.")
    assert page.rindex('name="closes_at"', 0, error) > page.rindex('name="title"', 0, error)


def test_a_closed_campaign_shows_its_controls_disabled_and_keeps_a_refused_comment(
        client, login_as, factory):
    campaign = make_campaign(factory)
    idea = post_idea(factory.user(), campaign, title="Early answer", body="", tags=[])
    login_as("employee")
    open_page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "<fieldset disabled" not in open_page
    db.session.execute(update(Campaign).values(closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" class="vote vote-[^>]*>', page)
    assert len(buttons) == 2 and all(re.search(r'\sdisabled title="This campaign closed on', b)
                                     for b in buttons)
    assert '<fieldset class="comment-fields" disabled aria-describedby="comment-why">' in page
    assert re.search(r'id="comment-why">This campaign closed on', page)
    # the form was open when the page loaded: the refusal keeps what was typed
    refused = client.post_form(f"/ideas/{idea.public_id}/comments",
                               {"body": "My long considered argument", "stance": "for"})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "My long considered argument</textarea>" in text and "closed" in text
    assert db.session.scalar(select(db.func.count()).select_from(Comment)) == 0


def test_open_ideas_show_the_supporters_still_needed_by_the_escalation_rule(client, login_as,
                                                                           factory):
    db.session.execute(update(SiteSettings).values(escalation_min_supporters=4,
                                                   escalation_min_wilson=0.0))
    db.session.commit()
    idea = factory.idea(title="Shorter stand-ups")
    cast_vote(factory.user(), idea.public_id, SUPPORT)
    login_as("employee")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "3 more supporters to reach leadership." in page
    for _ in range(2):
        cast_vote(factory.user(), idea.public_id, SUPPORT)
    assert "1 more supporter to reach leadership." in client.get(
        f"/ideas/{idea.public_id}").get_data(as_text=True)
    cast_vote(factory.user(), idea.public_id, SUPPORT)  # the fourth tips it, as the page said
    assert db.session.get(Idea, idea.id).status == IdeaStatus.ESCALATED
    assert "reach leadership" not in client.get(f"/ideas/{idea.public_id}").get_data(
        as_text=True)


def test_progress_says_when_support_alone_cannot_get_there(client, login_as, factory):
    db.session.execute(update(SiteSettings).values(escalation_min_supporters=1,
                                                   escalation_min_wilson=0.99))
    db.session.commit()
    idea = factory.idea(title="Contested")
    for _ in range(3):
        cast_vote(factory.user(), idea.public_id, OPPOSE)
    login_as("employee")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "more supporters to reach leadership" in page  # 0.99 is reachable, slowly
    db.session.execute(update(SiteSettings).values(escalation_min_wilson=1.0))
    db.session.commit()
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "More support alone will not bring this idea to leadership" in page


def test_admins_list_campaigns_and_hand_one_to_another_leader_audited(client, login_as,
                                                                     factory):
    first_owner = factory.user(Role.LEADER, name="Grace Owner")
    successor = factory.user(Role.LEADER, name="Hana Successor")
    campaign = make_campaign(factory, owner=first_owner, title="Why are launches late?")
    login_as("admin")
    page = client.get("/admin/campaigns").get_data(as_text=True)
    assert "Why are launches late?" in page and "Open ideas" in page
    for action in ("edit", "close"):
        assert f"/campaigns/{campaign.slug}/{action}" in page
    response = client.post_form(f"/admin/campaigns/{campaign.slug}/owner",
                                {"owner": str(successor.id), "reason": "Grace moved on"})
    assert response.status_code == 302
    assert db.session.get(Campaign, campaign.id).owner_id == successor.id
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.action == "campaign.owner" and entry.reason == "Grace moved on"
    assert entry.details["owner"] == successor.email
    # an employee cannot own a campaign
    employee = factory.user()
    client.post_form(f"/admin/campaigns/{campaign.slug}/owner", {"owner": str(employee.id)})
    assert db.session.get(Campaign, campaign.id).owner_id == successor.id
    # the new owner may close it now; the old one may not
    client.post_form("/logout")
    login_as("leader")
    assert client.get(f"/campaigns/{campaign.slug}/close").status_code == 403


def test_the_audit_log_reads_as_sentences_in_both_languages(client, login_as, factory):
    admin = login_as("admin", name="Sam Rivera")
    campaign = make_campaign(factory, owner=admin)
    client.post_form(f"/campaigns/{campaign.slug}/close")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Sam Rivera closed the campaign early." in page
    assert "planned_close" not in page and "Was to close" in page
    client.post_form("/language", {"locale": "zh"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Sam Rivera提前关闭了活动。" in page and "原定关闭时间" in page


def test_seeded_department_names_are_shown_in_the_readers_language(client, login_as, factory):
    from ideaboard.models import Department
    db.session.add(Department(name="Marketing"))
    db.session.commit()
    login_as("admin")
    client.post_form("/language", {"locale": "zh"})
    signup_choices = client.get("/account/profile").get_data(as_text=True)
    assert ">市场部</option>" in signup_choices
    assert "开放想法" in client.get("/campaigns/").get_data(as_text=True)


def test_progress_is_not_shown_where_totals_are_hidden(client, login_as, factory):
    db.session.execute(update(SiteSettings).values(escalation_min_supporters=4,
                                                   escalation_min_wilson=0.0))
    db.session.commit()
    campaign = make_campaign(factory, hide_totals_until_close=True, pairwise_enabled=True)
    idea = post_idea(factory.user(), campaign, title="Hidden count", body="", tags=[])
    cast_vote(factory.user(), idea.public_id, SUPPORT)
    login_as("employee")
    assert "reach leadership" not in client.get(f"/ideas/{idea.public_id}").get_data(
        as_text=True)
