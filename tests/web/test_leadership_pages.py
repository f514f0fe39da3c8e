"""Leaders' track record and the voice-equity analytics through HTTP: who sees them (under
both settings of the track record), the figures on the pages, the CSV, and SQL statements
per page that do not grow with the data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from ideaboard.extensions import db
from ideaboard.models import (
    Decision,
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.services.analytics import refresh_participation
from ideaboard.services.ideas import standing_campaign
from tests.conftest import FAST_HASH, sign_in
from tests.web.test_challenges_http import reopened

ROLES = ("employee", "leader", "admin")


def restrict_track_record(restricted: bool) -> None:
    db.session.get(SiteSettings, 1).track_record_leaders_only = restricted
    db.session.commit()


@pytest.mark.parametrize("restricted", [False, True])
@pytest.mark.parametrize("role", ["visitor", *ROLES])
def test_who_sees_the_track_record(client, login_as, factory, role, restricted):
    leader = factory.user(Role.LEADER, name="Lena Leader")
    restrict_track_record(restricted)
    login_as(role)
    for url in ("/leadership/", f"/leadership/{leader.id}"):
        response = client.get(url)
        if role == "visitor":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        elif role == "employee" and restricted:
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            assert "Lena Leader" in response.get_data(as_text=True)


@pytest.mark.parametrize("restricted", [False, True])
def test_the_home_page_counts_lead_to_the_overview(client, login_as, restricted):
    restrict_track_record(restricted)
    login_as("employee")
    home = client.get("/").get_data(as_text=True)
    assert ('href="/leadership/"' in home) is (not restricted)


def test_only_admins_change_the_setting_and_it_is_audited(client, login_as):
    from ideaboard.models import AuditEntry

    login_as("admin")
    response = client.post_form("/admin/settings/platform", {
        "flag_threshold": "3", "small_group_minimum": "5", "smtp_security": "",
        "challenge_min_cosigners": "9", "challenge_window_days": "21",
        "track_record_leaders_only": "y"})
    assert response.status_code == 302
    settings = db.session.get(SiteSettings, 1)
    assert settings.track_record_leaders_only is True
    assert (settings.challenge_min_cosigners, settings.challenge_window_days) == (9, 21)
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "settings.platform"))
    assert "track_record_leaders_only" in entry.details
    page = client.get("/admin/settings/platform").get_data(as_text=True)
    assert "Co-signers that reopen a decision" in page


@pytest.mark.parametrize("role", ["visitor", *ROLES])
def test_who_sees_the_analytics(client, login_as, role):
    login_as(role)
    for url in ("/analytics/", "/analytics/export.csv"):
        response = client.get(url)
        expected = {"visitor": 302, "employee": 403}.get(role, 200)
        assert response.status_code == expected, (role, url)


def test_a_leaders_page_shows_their_figures(client, login_as, factory):
    idea, decider, second, challenge = reopened(factory)
    from ideaboard.queries.challenges import challenge_by_public_id
    from ideaboard.queries.ideas import idea_by_public_id
    from ideaboard.services.challenges import answer_challenge

    answer_challenge(second, challenge_by_public_id(challenge.public_id), uphold=False,
                     status=IdeaStatus.ACCEPTED,
                     rationale="With the new prices the pilot is worth running now.")
    assert idea_by_public_id(idea.public_id).status == IdeaStatus.ACCEPTED
    login_as("employee")
    page = client.get(f"/leadership/{decider.id}").get_data(as_text=True)
    assert "Lars Decider" in page and "overturned after a challenge" in page
    figures = re.search(r"Decisions challenged</th><td class=\"num\"[^>]*>(\d+)</td>"
                        r"<td class=\"num\"[^>]*>(\d+)", page)
    assert figures.groups() == ("1", "1")
    overview = client.get("/leadership/").get_data(as_text=True)
    assert "Sana Second" in overview and "Lars Decider" in overview


def test_the_analytics_page_and_its_csv_show_the_same_figures(client, login_as, factory):
    from tests.unit.test_analytics import generate

    generate()
    refresh_participation()
    login_as("leader")
    page = client.get("/analytics/?by=department").get_data(as_text=True)
    assert "Does every voice reach the top?" in page and "<svg" in page
    assert "Sales" in page and "Legal" not in page  # Legal (3 people) is folded
    csv = client.get("/analytics/export.csv?by=department")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True).lstrip("\ufeff")
    assert text.startswith("table,group,quarter,measure,count,share_of_headcount")
    assert "funnel,Sales," in text and "Legal" not in text
    refused = client.get("/analytics/?by=level&within=department:999").get_data(as_text=True)
    assert "too small to be shown on its own" in refused
    for hostile in ("?quarter=1999-Q9", "?trend=<script>", "?within=level:nope"):
        assert client.get("/analytics/" + hostile).status_code == 200
    assert client.get("/analytics/?by=%00").status_code == 400  # a NUL anywhere: one clear 400


# --- SQL statements per page -----------------------------------------------------------------

def bulk_history(count: int, leaders: list[int], author_id: int) -> None:
    """`count` decided ideas with escalations and decisions, spread over the leaders."""
    now, campaign_id = utcnow(), standing_campaign().id
    ideas = [{"public_id": random_public_id(), "campaign_id": campaign_id,
              "author_id": author_id, "title": f"Decided {n}", "body": "b", "body_html": "b",
              "status": IdeaStatus.DECLINED, "created_at": now - timedelta(days=n % 300 + 5),
              "updated_at": now, "decided_at": now} for n in range(count)]
    ids = [row.id for row in db.session.execute(insert(Idea).returning(Idea.id), ideas)]
    db.session.execute(insert(Escalation), [
        {"idea_id": i, "reason": EscalationReason.THRESHOLD_MET, "note": "",
         "created_at": now - timedelta(days=n % 300 + 4),
         "due_at": now - timedelta(days=n % 300 - 10)} for n, i in enumerate(ids)])
    db.session.execute(insert(Decision), [
        {"idea_id": i, "status": IdeaStatus.DECLINED, "rationale": "r" * 30,
         "rationale_html": "r", "author_id": leaders[n % len(leaders)],
         "created_at": now - timedelta(days=n % 300)} for n, i in enumerate(ids)])
    db.session.commit()


def more_leaders(count: int) -> list[int]:
    rows = [{"email": f"lead{n}-{random_public_id()}@example.com", "display_name": f"Lead {n}",
             "password_hash": FAST_HASH, "role": Role.LEADER, "created_at": utcnow()}
            for n in range(count)]
    return [row.id for row in db.session.execute(insert(User).returning(User.id), rows)]


def statements(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_statements_per_page_do_not_grow_with_the_data(client, factory, count_queries):
    from tests.unit.test_analytics import generate

    generate()
    idea, decider, _second, challenge = reopened(factory)
    author = factory.user()
    leaders = [*more_leaders(3), decider.id]
    bulk_history(10, leaders, author.id)
    refresh_participation()
    sign_in(client, factory.user(Role.ADMIN))
    urls = ["/leadership/", f"/leadership/{decider.id}", "/analytics/",
            "/analytics/?by=department", "/analytics/export.csv", "/challenges/",
            f"/challenges/{challenge.public_id}", f"/ideas/{idea.public_id}"]
    few = {url: statements(client, count_queries, url) for url in urls}
    leaders += more_leaders(80)  # more than a page of leaders
    bulk_history(400, leaders, author.id)
    db.session.execute(update(User).where(User.id.in_(leaders[:40])).values(role=Role.ADMIN))
    db.session.commit()
    refresh_participation(full=True)
    many = {url: statements(client, count_queries, url) for url in urls}
    assert many == few
    assert max(n for url, n in few.items() if not url.startswith("/ideas/")) <= 10, few
    assert few[f"/ideas/{idea.public_id}"] <= 18  # decided: challenges, funding, delivery
