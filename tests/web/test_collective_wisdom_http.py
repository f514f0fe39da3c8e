"""Collective wisdom over HTTP: the Common ground list, badge and idea-page score; the
escalation rule's broad-support clause in the admin form and its preview; comparing ideas two
at a time with and without JavaScript (JSON), suggesting an idea from the pair screen, the
ranking page, hidden totals; and SQL statements per page that do not grow with the data."""
from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    Campaign,
    CampaignKind,
    Idea,
    PairwiseChoice,
    Role,
    SiteSettings,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.ideas import post_idea, standing_campaign
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient

CLIENT_CLASS = IsolatedClient  # every request in its own app context, as in production


def scored_ideas(author_id: int, scores: list[float | None], campaign_id: int | None = None,
                 prefix: str = "Scored idea") -> list[Idea]:
    now, campaign_id = utcnow(), campaign_id or standing_campaign().id
    rows = [{"public_id": random_public_id(), "campaign_id": campaign_id,
             "author_id": author_id, "title": f"{prefix} {n}", "body": "b",
             "body_html": "<p>b</p>", "created_at": now, "updated_at": now,
             "supporters": 10, "score": 0.5, "broad_support": score,
             "broad_support_at": now if score is not None else None}
            for n, score in enumerate(scores)]
    ids = [row.id for row in db.session.execute(insert(Idea).returning(Idea.id), rows)]
    db.session.commit()
    return [db.session.get(Idea, idea_id) for idea_id in ids]


def titles(html: str) -> list[str]:
    return re.findall(r'class="idea-title"><a href="[^"]+">([^<]+)</a>', html)


# --- Common ground ----------------------------------------------------------------------

def test_common_ground_lists_scored_ideas_by_score_with_the_badge(client, factory, login_as):
    login_as("employee")
    author = factory.user()
    scored_ideas(author.id, [0.1, 0.75, None, 0.45, -0.2])
    page = client.get("/ideas?sort=common").get_data(as_text=True)
    assert titles(page) == ["Scored idea 1", "Scored idea 3", "Scored idea 0", "Scored idea 4"]
    assert page.count('class="common-ground-badge"') == 2  # 0.75 and 0.45 clear 0.40
    assert 'aria-current="page">Common ground</a>' in page
    assert "not by one group alone" in page
    top = client.get("/ideas?sort=top").get_data(as_text=True)
    assert "Scored idea 2" in top  # unscored ideas stay on every other list


def test_common_ground_pages_by_keyset(client, factory, login_as, app):
    login_as("employee")
    app.config["PAGE_SIZE"] = 3
    scored_ideas(factory.user().id, [0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.4])
    first = client.get("/ideas?sort=common").get_data(as_text=True)
    cursor = re.search(r'rel="next" href="[^"]*after=([^"&]+)', first).group(1)
    second = client.get(f"/ideas?sort=common&after={cursor}").get_data(as_text=True)
    assert titles(first) == ["Scored idea 0", "Scored idea 1", "Scored idea 2"]
    assert titles(second) == ["Scored idea 3", "Scored idea 5", "Scored idea 4"]
    assert client.get("/ideas?sort=common&after=not-a-cursor").status_code == 200


def test_cached_idea_cards_follow_a_new_fit(client, factory, login_as):
    """Idea cards are cached by what they show (ideaboard/web/fragments.py): the badge is
    part of the key, so a fit that lifts an idea past the threshold shows at once."""
    login_as("employee")
    (idea,) = scored_ideas(factory.user().id, [0.1])
    assert "common-ground-badge" not in client.get("/ideas?sort=new").get_data(as_text=True)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(broad_support=0.8))
    db.session.commit()
    assert "common-ground-badge" in client.get("/ideas?sort=new").get_data(as_text=True)


def test_an_empty_common_ground_list_says_why(client, login_as):
    login_as("employee")
    page = client.get("/ideas?sort=common").get_data(as_text=True)
    assert "No idea has a common-ground score yet" in page


def test_the_idea_page_shows_the_score_and_when_it_was_fitted(client, factory, login_as):
    login_as("employee")
    author = factory.user()
    high, unscored = scored_ideas(author.id, [0.62, None])
    page = client.get(f"/ideas/{high.public_id}").get_data(as_text=True)
    assert "Common-ground score: 0.62" in page and "common-ground-badge" in page
    assert "Computed" in page
    page = client.get(f"/ideas/{unscored.public_id}").get_data(as_text=True)
    assert "No common-ground score yet: it needs at least 5 votes" in page


def test_hidden_totals_hide_the_badge_and_the_common_ground_sort(client, factory, login_as):
    login_as("employee")
    owner = factory.user(Role.LEADER)
    campaign = create_campaign(owner, title="Hidden totals", description="",
                               kind=CampaignKind.CONSULTATION, anonymity=Anonymity.NAMED,
                               opens_at=utcnow() - timedelta(days=1),
                               closes_at=utcnow() + timedelta(days=5),
                               hide_totals_until_close=True)
    (idea,) = scored_ideas(owner.id, [0.9], campaign_id=campaign.id)
    page = client.get(f"/campaigns/{campaign.slug}?sort=common").get_data(as_text=True)
    assert "common-ground-badge" not in page and ">Common ground</a>" not in page
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Common-ground score" not in page


def test_the_common_ground_tab_is_translated(client, factory, login_as):
    login_as("employee", locale="zh")
    scored_ideas(factory.user().id, [0.8])
    page = client.get("/ideas?sort=common").get_data(as_text=True)
    assert "共识" in page and "Common ground" not in page


# --- the escalation rule's clause --------------------------------------------------------

def test_the_rule_form_previews_and_saves_the_broad_support_clause(client, factory, login_as):
    admin = login_as("admin")
    author = factory.user()
    scored_ideas(author.id, [0.8, 0.2, None])
    form = {"min_supporters": "5", "min_supporters_percent": "", "min_wilson": "0.4",
            "min_broad_support": "0.5", "sla_days": "14"}
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="min_broad_support"' in page and "have not been computed yet" not in page
    preview = client.post_form("/admin/settings", {**form, "preview": "1"})
    text = preview.get_data(as_text=True)
    assert "Under this rule, 1 open idea would go to the review queue" in text
    without = client.post_form("/admin/settings", {**form, "min_broad_support": "",
                                                   "preview": "1"})
    assert "3 open ideas would go" in without.get_data(as_text=True)
    saved = client.post_form("/admin/settings", {**form, "save": "1", "confirm": "y"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).escalation_min_broad_support == 0.5
    assert db.session.scalar(select(func.count()).select_from(Idea).where(
        Idea.status == "escalated")) == 1
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "settings.escalation_rule")).one()
    assert entry.actor_id == admin.id and entry.details["min_broad_support"] == "0.5"


def rule_in_force(page: str) -> str:
    found = re.search(r'<p id="rule-in-force"><strong>\s*(.*?)\s*</strong></p>', page, re.S)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_rule_page_describes_the_rule_in_force(client, login_as, locale):
    from ideaboard.models.ranking import SCORE_CONFIDENCE_PERCENT
    from ideaboard.ranking import BROAD_SUPPORT_BADGE, BROAD_SUPPORT_MIN_VOTES
    from ideaboard.services.review import EscalationRule, site_settings, update_escalation_rule

    admin = login_as("admin", locale=locale)
    update_escalation_rule(admin, min_supporters=7, percent=None, min_wilson=0.55,
                           min_broad_support=0.3, sla_days=10)
    rule = EscalationRule.of(site_settings(), db.session)
    assert (rule.min_supporters, rule.min_wilson, rule.min_broad_support) == (7, 0.55, 0.3)
    page = client.get("/admin/settings").get_data(as_text=True)
    said = {"en": "In force now: an open idea goes to leadership when it has at least "
                  "7 supporters, a support score of at least 0.55 and a broad-support score "
                  "of at least 0.30.",
            "zh": "当前规则：开放中的想法在获得至少 7 位支持者、支持分不低于 0.55 且共识分不低于 "
                  "0.30 时，提交给领导层。"}[locale]
    assert rule_in_force(page) == said
    assert "Wilson" not in page  # the score is explained, not named after its formula
    helps = {"en": [f"with {SCORE_CONFIDENCE_PERCENT} percent confidence",
                    f"fewer than {BROAD_SUPPORT_MIN_VOTES} votes",
                    f"from {BROAD_SUPPORT_BADGE:.2f}", "level or department is weighed"],
             "zh": [f"有 {SCORE_CONFIDENCE_PERCENT}% 的把握", f"不足 {BROAD_SUPPORT_MIN_VOTES} 票",
                    f"达到 {BROAD_SUPPORT_BADGE:.2f}", "职级或部门都不计入"]}[locale]
    assert [text for text in helps if text not in page] == []

    update_escalation_rule(admin, min_supporters=7, percent=2.5, min_wilson=0.6,
                           min_broad_support=None, sla_days=10)
    page = client.get("/admin/settings").get_data(as_text=True)
    said = {"en": "In force now: an open idea goes to leadership when it has at least as many "
                  "supporters as 2.5% of active employees and a support score of at least 0.60.",
            "zh": "当前规则：开放中的想法在获得至少 相当于在职员工人数 2.5% 的支持者且"
                  "支持分不低于 0.60 时，提交给领导层。"}[locale]
    assert rule_in_force(page) == said


def test_the_rule_form_refuses_a_clause_outside_0_to_1(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/settings", {
        "min_supporters": "5", "min_wilson": "0.4", "min_broad_support": "3",
        "sla_days": "14", "preview": "1"})
    assert response.status_code == 200
    assert "Number must be between 0 and 1" in response.get_data(as_text=True)
    assert db.session.get(SiteSettings, 1).escalation_min_broad_support is None


# --- comparing two at a time -------------------------------------------------------------

def comparing_campaign(factory, owner=None, **kwargs) -> Campaign:
    kwargs.setdefault("closes_at", utcnow() + timedelta(days=10))
    return create_campaign(owner or factory.user(Role.LEADER), title="Which would help more?",
                           description="", kind=CampaignKind.IDEAS,
                           anonymity=Anonymity.OPTIONAL, opens_at=utcnow() - timedelta(days=1),
                           pairwise_enabled=True, **kwargs)


def options(factory, campaign, count: int, author=None) -> list[Idea]:
    author = author or factory.user()
    return [post_idea(author, campaign, title=f"Option {n}", body=f"Because **{n}** helps",
                      tags=[]) for n in range(count)]


def shown_pair(html: str) -> tuple[str, str]:
    left = re.search(r'name="left" value="([^"]+)"', html).group(1)
    right = re.search(r'name="right" value="([^"]+)"', html).group(1)
    return left, right


def test_a_session_without_javascript_is_a_form_per_pair(client, factory, login_as):
    me = login_as("employee")
    campaign = comparing_campaign(factory)
    options(factory, campaign, 3)
    options(factory, campaign, 1, author=me)  # never shown to me
    seen = set()
    for answered in range(3):
        page = client.get(f"/compare/{campaign.slug}").get_data(as_text=True)
        assert "Which would help more?" in page
        assert page.count('name="choice"') == 3  # this one / this one / can't decide
        assert f"You have compared {answered} pair" in page
        left, right = shown_pair(page)
        assert left != right
        seen.add(frozenset((left, right)))
        response = client.post_form(f"/compare/{campaign.slug}/choose",
                                    {"left": left, "right": right,
                                     "choice": "skip" if answered == 1 else "left"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/compare/{campaign.slug}")
    assert len(seen) == 3
    page = client.get(f"/compare/{campaign.slug}").get_data(as_text=True)
    assert "You have compared every pair there is" in page
    mine = db.session.scalar(select(Idea.public_id).where(Idea.author_id == me.id))
    assert all(mine not in pair for pair in seen)
    assert db.session.scalar(select(func.count()).select_from(PairwiseChoice)) == 3


def test_with_javascript_the_next_pair_comes_as_json(client, factory, login_as):
    login_as("employee")
    campaign = comparing_campaign(factory)
    options(factory, campaign, 4)
    left, right = shown_pair(client.get(f"/compare/{campaign.slug}").get_data(as_text=True))
    response = client.post_form(f"/compare/{campaign.slug}/choose",
                                {"left": left, "right": right, "choice": "right"},
                                headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["done"] is False and data["answered"] == 1
    assert data["progress"] == "You have compared 1 pair so far."
    nxt = data["pair"]
    assert {nxt["left"]["id"], nxt["right"]["id"]} != {left, right}
    assert nxt["left"]["title"].startswith("Option") and "<" not in nxt["left"]["excerpt"]
    assert nxt["left"]["url"] == f"/ideas/{nxt['left']['id']}"
    again = client.post_form(f"/compare/{campaign.slug}/choose",
                             {"left": right, "right": left, "choice": "left"},
                             headers={"Accept": "application/json"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "You have already compared these two."
    assert again.get_json()["pair"]  # and the next pair to move on with


def test_hostile_pair_forms_get_a_clear_4xx(client, factory, login_as):
    login_as("employee")
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    elsewhere = factory.idea()
    url = f"/compare/{campaign.slug}/choose"
    assert client.post_form(url, {"left": a.public_id, "right": b.public_id,
                                  "choice": "both"}).status_code == 400
    assert client.post_form(url, {"left": a.public_id, "right": "nope",
                                  "choice": "left"}).status_code == 404
    assert client.post_form(url, {"left": a.public_id, "right": elsewhere.public_id,
                                  "choice": "left"}).status_code == 404
    same = client.post_form(url, {"left": a.public_id, "right": a.public_id, "choice": "left"},
                            headers={"Accept": "application/json"})
    assert same.status_code == 409
    assert client.post_form(url, {"left": "x" * 500, "right": b.public_id,
                                  "choice": "left"}).status_code == 400
    assert client.get("/compare/no-such-campaign").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PairwiseChoice)) == 0


def test_campaigns_that_do_not_compare_have_no_pair_pages(client, factory, login_as):
    login_as("employee")
    campaign = create_campaign(factory.user(Role.LEADER), title="Plain", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow(), closes_at=None)
    assert client.get(f"/compare/{campaign.slug}").status_code == 404
    assert client.get(f"/compare/{campaign.slug}/results").status_code == 404
    assert "Compare two at a time" not in client.get(
        f"/campaigns/{campaign.slug}").get_data(as_text=True)


def test_suggesting_an_idea_from_the_pair_screen_posts_it_into_the_campaign(
        client, factory, login_as):
    me = login_as("employee")
    campaign = comparing_campaign(factory)
    options(factory, campaign, 2)
    page = client.get(f"/compare/{campaign.slug}").get_data(as_text=True)
    assert "Is an idea missing? Suggest your own" in page and 'name="anonymous"' in page
    response = client.post_form(f"/compare/{campaign.slug}/suggest",
                                {"title": "Lunch with the team on day one", "body": "Simple"})
    assert response.status_code == 302
    idea = db.session.scalars(select(Idea).where(Idea.author_id == me.id)).one()
    assert idea.campaign_id == campaign.id and idea.title == "Lunch with the team on day one"
    assert "Lunch with the team on day one" in client.get(
        f"/campaigns/{campaign.slug}?sort=new").get_data(as_text=True)
    empty = client.post_form(f"/compare/{campaign.slug}/suggest", {"title": "", "body": "x"})
    assert empty.status_code == 200
    assert "This field is required." in empty.get_data(as_text=True)


def test_the_ranking_page_shows_chances_bands_and_comparisons(client, factory, login_as):
    login_as("employee")
    campaign = comparing_campaign(factory)
    best, worst = options(factory, campaign, 2)
    from ideaboard.services.pairwise import record_choice
    for _ in range(5):
        record_choice(factory.user(department="Sales"), campaign, best, worst, best)
    record_choice(factory.user(department="Sales"), campaign, best, worst, None)
    page = client.get(f"/compare/{campaign.slug}/results").get_data(as_text=True)
    assert page.index("Option 0") < page.index("Option 1")
    assert "5 choices so far" in page and "6 colleagues took part" in page
    assert "5 comparisons" in page and "chance to win" in page and "band " in page
    assert "<svg" in page and "95%" in page
    assert "Sales" in page  # six people from one department: a group of at least 5


def test_the_ranking_stays_hidden_until_close_except_for_the_owner(client, factory, login_as):
    owner = factory.user(Role.LEADER)
    campaign = comparing_campaign(factory, owner=owner, hide_totals_until_close=True)
    options(factory, campaign, 2)
    login_as("employee")
    page = client.get(f"/compare/{campaign.slug}/results").get_data(as_text=True)
    assert "The ranking stays hidden until the campaign closes" in page
    assert "chance to win" not in page
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Running totals are hidden until the campaign closes" in page
    assert "▲ 0" not in page  # the cards hide their counts too
    client.post_form("/logout")
    sign_in(client, owner)
    page = client.get(f"/compare/{campaign.slug}/results").get_data(as_text=True)
    assert "stays hidden" not in page and "Option 0" in page


def test_the_campaign_page_invites_people_to_compare(client, factory, login_as):
    login_as("employee")
    campaign = comparing_campaign(factory)
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "Compare two at a time" in page and f'href="/compare/{campaign.slug}"' in page


def test_owners_switch_comparing_on_in_the_campaign_form(client, factory, login_as):
    owner = login_as("leader")
    campaign = create_campaign(owner, title="Ideas please", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    form = client.get(f"/campaigns/{campaign.slug}/edit").get_data(as_text=True)
    assert 'name="pairwise_enabled"' in form
    response = client.post_form(f"/campaigns/{campaign.slug}/edit", {
        "title": "Ideas please", "description": "", "opens_at": "2026-01-01T09:00",
        "closes_at": "", "pairwise_enabled": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).pairwise_enabled


def test_the_pair_screen_in_chinese(client, factory, login_as):
    login_as("employee", locale="zh")
    campaign = comparing_campaign(factory)
    options(factory, campaign, 2)
    page = client.get(f"/compare/{campaign.slug}").get_data(as_text=True)
    assert "哪个更有帮助？" in page and "难以取舍" in page


# --- SQL statements per page -------------------------------------------------------------

def statements(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("page", ["common", "compare", "results"])
def test_new_pages_issue_the_same_statements_whatever_the_data(client, factory, login_as,
                                                               count_queries, page):
    me = login_as("employee")
    campaign = comparing_campaign(factory)
    author = factory.user()
    url = {"common": "/ideas?sort=common", "compare": f"/compare/{campaign.slug}",
           "results": f"/compare/{campaign.slug}/results"}[page]
    scored_ideas(author.id, [0.5] * 4, campaign_id=campaign.id, prefix="Few")
    few = statements(client, count_queries, url)
    scored_ideas(author.id, [0.3] * 120, campaign_id=campaign.id, prefix="Many")
    ideas = db.session.scalars(select(Idea).where(Idea.campaign_id == campaign.id)).all()
    db.session.execute(insert(PairwiseChoice), [
        {"campaign_id": campaign.id, "user_id": factory.user().id, "first_idea_id": a.id,
         "second_idea_id": b.id, "winner_idea_id": a.id, "created_at": utcnow()}
        for a, b in itertools.pairwise(ideas)])
    db.session.execute(update(Idea).where(Idea.campaign_id == campaign.id)
                       .values(comparison_count=2))
    db.session.commit()
    many = statements(client, count_queries, url)
    assert many == few
    assert many <= 12
    assert me.id not in {i.author_id for i in ideas}
