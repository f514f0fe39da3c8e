"""Campaigns: creating, editing, following, closing, consultations with hidden totals,
results with safe breakdowns and the published outcome."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    Campaign,
    CampaignKind,
    Idea,
    Level,
    Notification,
    NotificationKind,
    Role,
)
from ideaboard.models.base import utcnow
from ideaboard.services import NotAllowed
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.ideas import post_idea
from ideaboard.services.votes import SUPPORT, cast_vote

OUTCOME = "The board appoints Maria Garcia from 1 March, with the support of most voters."


def make_campaign(factory, kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED, owner=None,
                  **kwargs) -> Campaign:
    now = utcnow()
    kwargs.setdefault("opens_at", now - timedelta(days=1))
    kwargs.setdefault("closes_at", now + timedelta(days=10))
    return create_campaign(owner or factory.user(Role.LEADER), title=kwargs.pop("title", "Q?"),
                           description="Why we ask", kind=kind, anonymity=anonymity, **kwargs)


def test_leaders_open_campaigns_and_employees_cannot(client, login_as):
    login_as("employee")
    assert client.get("/campaigns/new").status_code == 403
    client.post_form("/logout")
    login_as("leader")
    response = client.post_form("/campaigns/new", {
        "title": "Why are our launches always late?", "description": "Tell me **why**.",
        "kind": "ideas", "anonymity": "optional", "opens_at": "2026-01-01T09:00",
        "closes_at": "2030-01-01T09:00", "promised_answer_at": "2030-02-01T09:00"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Why are our launches always late?" in page and "<strong>why</strong>" in page
    assert "Answer promised by" in page
    assert db.session.scalar(select(AuditEntry.action)) == "campaign.create"
    assert "Why are our launches" in client.get("/campaigns/").get_data(as_text=True)


def test_a_long_question_makes_a_long_slug_that_the_audit_log_can_hold(factory):
    """PostgreSQL enforces column lengths (SQLite does not): the audit entry names the slug."""
    title = "Executive pay, and the top team's strengths and weaknesses: what should change?"
    campaign = make_campaign(factory, title=title)
    assert len(campaign.slug) > 50
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.create"))
    assert entry.target_id == campaign.slug


def test_the_index_separates_open_upcoming_and_closed(client, factory, login_as):
    login_as("employee")
    now = utcnow()
    make_campaign(factory, title="Open one")
    make_campaign(factory, title="Future one", opens_at=now + timedelta(days=3),
                  closes_at=now + timedelta(days=9))
    make_campaign(factory, title="Past one", opens_at=now - timedelta(days=9),
                  closes_at=now - timedelta(days=2))
    page = client.get("/campaigns/").get_data(as_text=True)
    assert page.index("Open one") < page.index("Future one") < page.index("Past one")


def test_only_the_owner_or_an_admin_edits(client, login_as, factory):
    campaign = make_campaign(factory)
    login_as("leader")
    assert client.get(f"/campaigns/{campaign.slug}/edit").status_code == 403
    client.post_form("/logout")
    login_as("admin")
    assert client.get(f"/campaigns/{campaign.slug}/edit").status_code == 200


def test_posting_in_a_campaign_and_its_page(client, login_as, factory):
    campaign = make_campaign(factory, title="How do we ship on time?")
    login_as("employee")
    compose = client.get(f"/ideas/new?campaign={campaign.slug}").get_data(as_text=True)
    assert "How do we ship on time?" in compose
    client.post_form(f"/ideas/new?campaign={campaign.slug}",
                     {"title": "Freeze scope two weeks before", "publish": "Publish"})
    idea = db.session.scalar(select(Idea))
    assert idea.campaign_id == campaign.id
    assert "Freeze scope" in client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)


def test_a_closed_campaign_refuses_posts_votes_and_comments_but_stays_readable(
        client, login_as, factory):
    campaign = make_campaign(factory, title="Closed question")
    idea = post_idea(factory.user(), campaign, title="Early answer", body="", tags=[])
    campaign.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login_as("employee")
    refused = client.post_form(f"/ideas/new?campaign={campaign.slug}",
                               {"title": "Too late", "publish": "Publish"})
    # refused, and the form comes back with what was typed and the reason beside it
    assert refused.status_code == 200 and db.session.scalar(
        select(db.func.count()).select_from(Idea)) == 1
    assert 'value="Too late"' in refused.get_data(as_text=True)
    assert "closed" in refused.get_data(as_text=True)
    vote = client.post_form(f"/ideas/{idea.public_id}/vote", {"value": "support"},
                            headers={"Accept": "application/json"})
    assert vote.status_code == 403 and "closed" in vote.json["error"]
    client.post_form(f"/ideas/{idea.public_id}/comments", {"body": "late", "stance": "for"})
    assert db.session.get(Idea, idea.id).comment_count == 0
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Early answer" in page and "read-only" in page


def test_consultation_nominations_can_be_limited_to_the_owner(factory):
    owner = factory.user(Role.LEADER)
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner,
                             allow_nominations=False)
    from ideaboard.permissions import can_post_in_campaign
    assert can_post_in_campaign(owner, campaign) and not can_post_in_campaign(factory.user(),
                                                                              campaign)


def test_hidden_totals_stay_hidden_everywhere_until_close(client, login_as, factory):
    owner = factory.user(Role.LEADER)
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner,
                             hide_totals_until_close=True)
    option = post_idea(owner, campaign, title="Candidate A", body="", tags=[])
    for _ in range(7):
        cast_vote(factory.user(), option.public_id, SUPPORT)
    login_as("employee")
    page = client.get(f"/ideas/{option.public_id}").get_data(as_text=True)
    assert 'data-count="support"' not in page and "Totals stay hidden" in page
    assert "▲ 7" not in client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    results = client.get(f"/campaigns/{campaign.slug}/results").get_data(as_text=True)
    assert "hidden until" in results and "Candidate A" not in results
    vote = client.post_form(f"/ideas/{option.public_id}/vote", {"value": "support"},
                            headers={"Accept": "application/json"})
    assert vote.json == {"value": 1}
    assert "Candidate A" not in client.get("/ideas?sort=top").get_data(as_text=True)


def test_results_fold_departments_and_levels_under_five(client, login_as, factory):
    owner = factory.user(Role.LEADER)
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    option = post_idea(owner, campaign, title="Candidate B", body="", tags=[])
    for _ in range(6):
        cast_vote(factory.user(department="Sales", level=Level.FRONTLINE), option.public_id,
                  SUPPORT)
    for _ in range(4):
        cast_vote(factory.user(department="Legal", level=Level.FRONTLINE), option.public_id,
                  SUPPORT)
    cast_vote(factory.user(department="Finance", level=Level.EXECUTIVE), option.public_id, SUPPORT)
    login_as("employee")
    page = client.get(f"/campaigns/{campaign.slug}/results").get_data(as_text=True)
    department_table = page[page.index("By department"):page.index("By level")]
    assert "Sales" in department_table and "Legal" not in department_table
    assert "Finance" not in department_table and "Other departments" in department_table
    level_table = page[page.index("By level"):]
    # one executive: showing "Frontline 10" of 11 would reveal the executive's vote by
    # subtraction, so everything is folded together
    assert "Executive" not in level_table and "Frontline" not in level_table
    assert re.search(r'Other levels</th><td class="num">11</td>', level_table)


def test_the_outcome_is_published_and_participants_are_told(client, login_as, factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    option = post_idea(owner, campaign, title="Candidate C", body="", tags=[])
    voter = factory.user()
    cast_vote(voter, option.public_id, SUPPORT)
    short = client.post_form(f"/campaigns/{campaign.slug}/outcome", {"outcome_text": "Done."},
                             follow_redirects=True)
    assert "at least 30 characters" in short.get_data(as_text=True)
    client.post_form(f"/campaigns/{campaign.slug}/outcome", {"outcome_text": OUTCOME})
    assert OUTCOME in client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    told = db.session.scalar(select(Notification).where(Notification.user_id == voter.id))
    assert told.kind == NotificationKind.CAMPAIGN_OUTCOME and told.campaign_id == campaign.id


def test_employees_cannot_publish_outcomes(client, login_as, factory):
    campaign = make_campaign(factory)
    login_as("employee")
    assert client.post_form(f"/campaigns/{campaign.slug}/outcome",
                            {"outcome_text": OUTCOME}).status_code == 403
    with pytest.raises(NotAllowed):
        create_campaign(factory.user(), title="x", description="", kind=CampaignKind.IDEAS,
                        anonymity=Anonymity.NAMED, opens_at=utcnow(), closes_at=None)


def test_consultation_options_do_not_go_to_the_review_queue(factory):
    owner = factory.user(Role.LEADER)
    campaign = make_campaign(factory, CampaignKind.CONSULTATION, owner=owner)
    option = post_idea(owner, campaign, title="Candidate D", body="", tags=[])
    for _ in range(12):
        cast_vote(factory.user(), option.public_id, SUPPORT)
    assert db.session.get(Idea, option.id).status.value == "open"


def test_campaign_pages_issue_a_bounded_number_of_queries(client, factory, count_queries,
                                                          login_as):
    login_as("employee")
    campaign = make_campaign(factory)
    for n in range(3):
        post_idea(factory.user(), campaign, title=f"Post {n}", body="", tags=[])
    with count_queries() as few:
        client.get(f"/campaigns/{campaign.slug}")
    for n in range(40):
        post_idea(factory.user(), campaign, title=f"More {n}", body="", tags=[])
    with count_queries() as many:
        page = client.get(f"/campaigns/{campaign.slug}")
    assert page.status_code == 200
    assert few.count == many.count


# --- anonymity policy: offered by kind, saved as chosen, editable until the first post ------

def campaign_form(**changes) -> dict:
    now = utcnow()
    form = {"title": "How do we feel about executive pay?", "description": "Speak freely.",
            "kind": "discussion", "anonymity": "anonymous_only",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "closes_at": ""}
    return form | changes


def test_a_named_discussion_is_refused_beside_the_field_not_changed_quietly(client, login_as):
    login_as("leader")
    page = client.post_form("/campaigns/new", campaign_form(anonymity="named"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    error = html.index("is never named")
    assert html.rindex('name="anonymity"', 0, error) > html.rindex('name="title"', 0, error)
    assert db.session.scalar(select(Campaign).where(Campaign.kind == "discussion")) is None


@pytest.mark.parametrize("policy", ["anonymous_only", "optional"])
def test_a_discussion_saves_exactly_the_policy_chosen(client, login_as, policy):
    login_as("leader")
    response = client.post_form("/campaigns/new", campaign_form(anonymity=policy))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.kind == "discussion"))
    assert campaign.anonymity.value == policy


def test_the_form_explains_each_policy_and_offers_only_what_a_kind_allows(client, login_as):
    login_as("leader")
    page = client.get("/campaigns/new").get_data(as_text=True)
    assert "the choice for sensitive topics" in page
    assert "&#34;discussion&#34;: [&#34;optional&#34;, &#34;anonymous_only&#34;]" in page


def test_the_policy_can_change_until_the_first_post_then_it_is_locked(client, login_as,
                                                                      factory):
    owner = login_as("leader")
    campaign = make_campaign(factory, kind=CampaignKind.DISCUSSION,
                             anonymity=Anonymity.OPTIONAL, owner=owner)
    form = {"title": campaign.title, "description": "", "anonymity": "anonymous_only",
            "opens_at": campaign.opens_at.strftime("%Y-%m-%dT%H:%M"), "closes_at": ""}
    edit_page = client.get(f"/campaigns/{campaign.slug}/edit").get_data(as_text=True)
    assert 'name="anonymity"' in edit_page
    assert client.post_form(f"/campaigns/{campaign.slug}/edit", form).status_code == 302
    assert db.session.get(Campaign, campaign.id).anonymity == Anonymity.ANONYMOUS_ONLY
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.edit"))
    assert entry.details["anonymity"] == "optional → anonymous_only"

    post_idea(factory.user(), db.session.get(Campaign, campaign.id), title="First voice",
              body="", tags=[])
    locked = client.get(f"/campaigns/{campaign.slug}/edit").get_data(as_text=True)
    assert 'name="anonymity"' not in locked
    assert "can no longer change" in locked
    refused = client.post_form(f"/campaigns/{campaign.slug}/edit",
                               form | {"anonymity": "optional"})
    assert "can no longer change" in refused.get_data(as_text=True)
    assert db.session.get(Campaign, campaign.id).anonymity == Anonymity.ANONYMOUS_ONLY


def test_a_date_error_is_shown_beside_the_closing_date(client, login_as):
    login_as("leader")
    now = utcnow()
    html = client.post_form("/campaigns/new", campaign_form(
        kind="ideas", anonymity="named",
        closes_at=(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))).get_data(as_text=True)
    error = html.index("The closing date must come after the opening date")
    assert html.rindex('name="closes_at"', 0, error) > html.rindex('name="opens_at"', 0, error)
