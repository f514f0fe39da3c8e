"""Funding rounds over HTTP: opening a round, entering an idea, giving points with and
without JavaScript, closing, confirming, the report and its CSV."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import (
    FundingEntry,
    FundingRound,
    FundingWallet,
    Idea,
    IdeaStatus,
    Milestone,
    Pledge,
    Role,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.delivery import add_milestone, pledge_time
from ideaboard.services.funding import allocate, close_round
from tests.conftest import sign_in
from tests.unit.funding_helpers import back, entered_idea, make_round
from tests.web.isolation import IsolatedClient

JSON = {"Accept": "application/json"}
CLIENT_CLASS = IsolatedClient  # several people sign in one after the other


@dataclass
class FundingObjects:
    """An open round with an entered idea, a pledge and a milestone, for the route × role
    matrices (tests/web/test_access_matrix.py, test_csrf.py)."""
    funding_round: FundingRound   # open, owned by the given owner
    entry: FundingEntry           # in that round, by someone else
    pledge: Pledge
    milestone: Milestone

    def path_values(self) -> dict[tuple[str, str], str]:
        return {("funding", "slug"): self.funding_round.slug,
                ("entries", "entry_id"): str(self.entry.id),
                ("pledges", "pledge_id"): str(self.pledge.id),
                ("milestones", "milestone_id"): str(self.milestone.id)}


def funding_objects(factory, owner: User, author: User | None = None) -> FundingObjects:
    """`owner` (a leader) owns the round and accepted the entered idea; `author` (default:
    someone else) wrote it; a colleague offered time to it."""
    from ideaboard.services.review import change_status, pull_into_queue

    author = author or factory.user(name="Entry Author")
    funding_round = make_round(factory, owner=owner, title=f"Fund {secrets.token_hex(3)}")
    idea, entry = entered_idea(factory, funding_round, author=author, title="An entered idea")
    pledge = pledge_time(factory.user(name="Pledging Colleague"),
                         idea_by_public_id(idea.public_id), hours_per_week=2, weeks=4,
                         skills="design", note="")
    pull_into_queue(owner, idea_by_public_id(idea.public_id), "Worth an answer")
    change_status(owner, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED,
                  "Accepted: the pilot starts next month with two teams.")
    milestone = add_milestone(owner, idea_by_public_id(idea.public_id), "A first pilot", None)
    return FundingObjects(funding_round, entry, pledge, milestone)


@pytest.fixture
def browser_of(make_client):
    """`browser_of(user)`: another browser, signed in as that user."""
    def signed_in(user: User):
        other = make_client()
        sign_in(other, user)
        return other
    return signed_in


@pytest.fixture
def owner(factory) -> User:
    return factory.user(Role.LEADER, name="Fund Owner")


def test_a_leader_opens_a_round_in_the_web_ui(client, login_as):
    login_as("leader")
    page = client.get("/funding/new").get_data(as_text=True)
    assert "Quadratic matching" in page and "Worked example" in page
    response = client.post_form("/funding/new", {
        "title": "Spring fund", "purpose": "For **faster** launches", "currency": "CNY",
        "pool_amount": "200000", "pool_people_weeks": "12", "allowance": "100",
        "division_rule": "quadratic", "min_backers": "5", "answer_days": "14",
        "opens_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    funding_round = db.session.scalar(select(FundingRound))
    assert (funding_round.pool_amount, funding_round.pool_people_weeks) == (200_000, 12)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "¥200,000" in page and "<strong>faster</strong>" in page
    assert "12 people-weeks" in page


def test_employees_may_not_open_rounds(client, login_as):
    login_as("employee")
    assert client.get("/funding/new").status_code == 403
    assert client.post_form("/funding/new", {"title": "x"}).status_code == 403


def test_a_bad_round_is_explained_next_to_the_form(client, login_as):
    login_as("leader")
    response = client.post_form("/funding/new", {
        "title": "Nothing in it", "currency": "CNY", "pool_amount": "0",
        "pool_people_weeks": "0", "allowance": "100", "division_rule": "proportional",
        "min_backers": "5", "answer_days": "14",
        "opens_at": utcnow().strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert "Put something in the pool" in response.get_data(as_text=True)


def test_the_author_enters_an_idea_from_the_idea_page(client, factory, owner):
    funding_round = make_round(factory, owner=owner)
    author = factory.user()
    idea = factory.idea(author, title="Self-service returns")
    sign_in(client, author)
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert f"/funding/{funding_round.slug}/enter?idea={idea.public_id}" in page
    form = client.get(f"/funding/{funding_round.slug}/enter?idea={idea.public_id}")
    assert "selected" in form.get_data(as_text=True)
    response = client.post_form(f"/funding/{funding_round.slug}/enter", {
        "idea": idea.public_id, "ask_amount": "30000", "ask_people_weeks": "0",
        "first_milestone": "A pilot in the Shanghai warehouse"})
    assert response.status_code == 302
    entry = db.session.scalar(select(FundingEntry))
    assert (entry.idea_id, entry.ask_amount) == (idea.id, 30_000)
    too_much = client.post_form(f"/funding/{funding_round.slug}/enter", {
        "idea": idea.public_id, "ask_amount": "999999", "ask_people_weeks": "0",
        "first_milestone": "x"})
    assert "Ask for at most the whole pool" in too_much.get_data(as_text=True)


def test_giving_points_without_javascript(client, factory, owner):
    funding_round = make_round(factory, owner=owner)
    idea, entry = entered_idea(factory, funding_round, title="Night-shift canteen")
    sign_in(client, factory.user())
    url = f"/funding/{funding_round.slug}/entries/{entry.id}/points"
    response = client.post_form(url, {"points": "30"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#entry-{entry.id}")
    page = client.get(f"/funding/{funding_round.slug}").get_data(as_text=True)
    assert "You give 30 points to “Night-shift canteen”. 70 points left." in page
    assert 'data-wallet-left>70<' in page
    over = client.post_form(url, {"points": "101"}, follow_redirects=True)
    assert "You have 70 points left: give at most 100 here." in over.get_data(as_text=True)
    bad = client.post_form(url, {"points": "lots"}, follow_redirects=True)
    assert "whole number" in bad.get_data(as_text=True)
    # from the idea page the form comes back to the idea page
    back_to_idea = client.post_form(url, {"points": "20", "next": f"/ideas/{idea.public_id}"})
    assert back_to_idea.headers["Location"].endswith(f"/ideas/{idea.public_id}#funding")


def test_giving_points_with_javascript_returns_the_wallet_and_bars(client, factory, owner):
    funding_round = make_round(factory, owner=owner)
    _idea, entry = entered_idea(factory, funding_round)
    sign_in(client, factory.user())
    url = f"/funding/{funding_round.slug}/entries/{entry.id}/points"
    response = client.post_form(url, {"points": "25"}, headers=JSON)
    data = response.get_json()
    assert response.status_code == 200
    assert (data["points"], data["left"], data["spent"]) == (25, 75, 25)
    assert "data-wallet" in data["wallet_html"] and "75" in data["wallet_html"]
    assert str(entry.id) in data["bars"] and "1 backer" in data["counts"][str(entry.id)]
    refused = client.post_form(url, {"points": "500"}, headers=JSON)
    assert refused.status_code == 409 and "points left" in refused.get_json()["error"]


def test_own_ideas_and_closed_rounds_show_why_points_are_off(client, factory, owner):
    funding_round = make_round(factory, owner=owner)
    author = factory.user()
    _idea, entry = entered_idea(factory, funding_round, author=author)
    sign_in(client, author)
    page = client.get(f"/funding/{funding_round.slug}").get_data(as_text=True)
    assert "Your own idea: colleagues back it, you cannot." in page
    refused = client.post_form(f"/funding/{funding_round.slug}/entries/{entry.id}/points",
                               {"points": "5"}, headers=JSON)
    assert refused.status_code == 409 and "own idea" in refused.get_json()["error"]


def test_hidden_totals_stay_hidden_in_the_page_and_the_json(client, factory, owner):
    funding_round = make_round(factory, owner=owner, hide_totals_until_close=True)
    _idea, entry = entered_idea(factory, funding_round)
    back([factory.user() for _ in range(3)], funding_round, entry, 17)
    sign_in(client, factory.user())
    page = client.get(f"/funding/{funding_round.slug}").get_data(as_text=True)
    assert "Running totals are hidden" in page and "51 points" not in page
    data = client.get(f"/funding/{funding_round.slug}", headers=JSON).get_json()
    assert "points" not in data["entries"][0] and "points_spent" not in data
    given = client.post_form(f"/funding/{funding_round.slug}/entries/{entry.id}/points",
                             {"points": "5"}, headers=JSON).get_json()
    assert "bars" not in given and "counts" not in given and given["left"] == 95


def test_the_round_json_has_totals_and_the_viewers_own_wallet(client, factory, owner):
    funding_round = make_round(factory, owner=owner)
    _idea, entry = entered_idea(factory, funding_round, ask=40_000)
    back([factory.user() for _ in range(2)], funding_round, entry, 30)
    viewer = factory.user()
    allocate(viewer, funding_round.id, entry.id, 10)
    sign_in(client, viewer)
    data = client.get(f"/funding/{funding_round.slug}?format=json").get_json()
    assert data["wallet"] == {"allowance": 100, "spent": 10, "left": 90}
    assert data["entries"][0]["points"] == 70 and data["entries"][0]["backers"] == 3
    assert data["entries"][0]["mine"] == 10
    assert data["points_spent"] == 70 and data["backers"] == 3


def test_the_owner_closes_now_and_the_page_shows_the_result(client, factory, owner, browser_of):
    funding_round = make_round(factory, owner=owner, min_backers=2)
    _idea, entry = entered_idea(factory, funding_round, ask=20_000, title="Funded thing")
    back([factory.user() for _ in range(2)], funding_round, entry, 40)
    sign_in(client, factory.user())
    assert client.post_form(f"/funding/{funding_round.slug}/close").status_code == 403
    response = browser_of(owner).post_form(f"/funding/{funding_round.slug}/close",
                                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The round is closed and the pool divided." in page
    assert "Funded: ¥20,000" in page and "Awaiting leadership" in page
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Idea, entry.idea_id).status == IdeaStatus.ESCALATED


def test_a_round_past_its_date_closes_when_its_page_is_read(client, factory, owner):
    funding_round = make_round(factory, owner=owner, min_backers=1)
    _idea, entry = entered_idea(factory, funding_round, ask=1_000)
    back([factory.user()], funding_round, entry, 5)
    funding_round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sign_in(client, factory.user())
    page = client.get(f"/funding/{funding_round.slug}").get_data(as_text=True)
    assert "Result" in page
    db.session.expire_all()
    assert db.session.get(FundingRound, funding_round.id).closed_at is not None
    assert db.session.get(FundingEntry, entry.id).funded


def test_leaders_confirm_funding_from_the_review_page(client, factory, owner, browser_of):
    funding_round = make_round(factory, owner=owner, min_backers=1)
    idea, entry = entered_idea(factory, funding_round, ask=5_000, milestone="Pilot live")
    back([factory.user()], funding_round, entry, 5)
    close_round(funding_round.id, actor=owner)
    leader = factory.user(Role.LEADER)
    sign_in(client, leader)
    review = client.get(f"/review/{idea.public_id}").get_data(as_text=True)
    assert "Funding and volunteers" in review and "Publish the answer" in review
    assert "because colleagues funded it in a funding round" in review
    short = client.post_form(f"/funding/entries/{entry.id}/answer",
                             {"funding_decision": "release", "funding_rationale": "ok"},
                             follow_redirects=True)
    assert "at least 30 characters" in short.get_data(as_text=True)
    response = client.post_form(f"/funding/entries/{entry.id}/answer", {
        "funding_decision": "release",
        "funding_rationale": "Broad support and a clear first milestone: go ahead."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == IdeaStatus.ACCEPTED
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Released" in page and "Pilot live" in page and "Funds released" in page
    assert browser_of(factory.user()).post_form(f"/funding/entries/{entry.id}/answer", {
        "funding_decision": "decline", "funding_rationale": "x" * 40}).status_code == 403


def test_the_report_and_its_csv(client, factory, owner, browser_of):
    funding_round = make_round(factory, owner=owner, min_backers=2)
    _idea, entry = entered_idea(factory, funding_round, ask=20_000, title="Reported idea")
    back([factory.user() for _ in range(6)], funding_round, entry, 10)
    close_round(funding_round.id, actor=owner)
    sign_in(client, owner)
    page = client.get(f"/funding/{funding_round.slug}/report").get_data(as_text=True)
    assert "Took part" in page and "<svg" in page and "Reported idea" in page
    assert "Days from close to answer" in page
    csv = client.get(f"/funding/{funding_round.slug}/report.csv")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("\ufeffIdea,") and "Reported idea" in text and ",20000," in text
    colleague = browser_of(factory.user())
    assert colleague.get(f"/funding/{funding_round.slug}/report").status_code == 403
    assert colleague.get(f"/funding/{funding_round.slug}/report.csv").status_code == 403


def test_index_lists_rounds_with_the_wallet(client, factory, owner):
    funding_round = make_round(factory, owner=owner, title="Summer fund")
    _idea, entry = entered_idea(factory, funding_round)
    viewer = factory.user()
    allocate(viewer, funding_round.id, entry.id, 40)
    sign_in(client, viewer)
    page = client.get("/funding/").get_data(as_text=True)
    assert "Summer fund" in page and "You have 60 of 100 points left" in page
    assert 'href="/funding/"' in client.get("/").get_data(as_text=True)  # header link


def test_unknown_rounds_and_entries_are_404(client, factory, owner, login_as):
    login_as("employee")
    funding_round = make_round(factory, owner=owner)
    assert client.get("/funding/no-such-round").status_code == 404
    assert client.post_form(f"/funding/{funding_round.slug}/entries/999/points",
                            {"points": "1"}).status_code == 404
    assert client.post_form("/funding/entries/999/answer", {}).status_code in (403, 404)


def test_wallet_counts_stay_with_the_backer(factory, owner):
    funding_round = make_round(factory, owner=owner)
    _idea, entry = entered_idea(factory, funding_round)
    backer = factory.user()
    allocate(backer, funding_round.id, entry.id, 12)
    assert db.session.scalar(select(func.count()).select_from(FundingWallet)) == 1


def test_the_owner_edits_the_round_and_another_leader_may_not(client, factory, owner,
                                                              browser_of):
    funding_round = make_round(factory, owner=owner)
    assert browser_of(factory.user(Role.LEADER)).get(
        f"/funding/{funding_round.slug}/edit").status_code == 403
    mine = browser_of(owner)
    assert mine.get(f"/funding/{funding_round.slug}/edit").status_code == 200
    later = (funding_round.closes_at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = mine.post_form(f"/funding/{funding_round.slug}/edit",
                              {"title": "Renamed fund", "purpose": "", "closes_at": later})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FundingRound, funding_round.id).title == "Renamed fund"
    assert mine.get(f"/funding/{funding_round.slug}/report").status_code == 200


def test_admins_set_the_days_before_a_delivery_stalls(client, login_as):
    from ideaboard.models import AuditEntry, SiteSettings
    from ideaboard.services.settings import stalled_after_days

    login_as("admin")
    page = client.get("/admin/settings/platform").get_data(as_text=True)
    assert "marked stalled" in page and "as configured (30)" in page
    response = client.post_form("/admin/settings/platform", {
        "flag_threshold": "3", "small_group_minimum": "5", "smtp_security": "",
        "stalled_after_days": "21"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).stalled_after_days == 21
    assert stalled_after_days() == 21
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "settings.platform"))
    assert "21" in entry.details["stalled_after_days"]
    refused = client.post_form("/admin/settings/platform", {
        "flag_threshold": "3", "small_group_minimum": "5", "stalled_after_days": "0"})
    assert refused.status_code == 200 and db.session.get(SiteSettings, 1).stalled_after_days == 21
