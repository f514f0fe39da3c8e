"""Users, departments, platform settings and exports in the admin UI."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import sqlite_utils
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Comment,
    DataExport,
    Department,
    Idea,
    IdeaStatus,
    Role,
    SiteSettings,
    Stance,
    User,
)
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from ideaboard.services.review import change_status, pull_into_queue
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient

CLIENT_CLASS = IsolatedClient  # every request in its own app context, as in production


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


# --- users ---------------------------------------------------------------------------------

def test_users_are_found_by_name_or_email(client, login_as, factory):
    login_as("admin")
    factory.user(name="Zhang Wei", email="zhang.wei@example.com")
    factory.user(name="Maria Lopez", email="m.lopez@example.com")
    by_name = client.get("/admin/users?q=zhang").get_data(as_text=True)
    assert "Zhang Wei" in by_name and "Maria Lopez" not in by_name
    by_email = client.get("/admin/users?q=LOPEZ@").get_data(as_text=True)
    assert "Maria Lopez" in by_email and "Zhang Wei" not in by_email
    assert "Nobody matches" in client.get("/admin/users?q=%25_").get_data(as_text=True)


def test_role_department_and_level_change(client, login_as, factory):
    login_as("admin")
    person = factory.user(name="Promoted Pat")
    sales = factory.department("Sales")
    url = f"/admin/users/{person.id}"
    refused = client.post_form(url, {"role": "leader", "department_id": str(sales.id),
                                     "level": "manager", "reason": ""})
    assert refused.status_code == 200 and "Give a reason" in refused.get_data(as_text=True)
    assert fresh(User, person.id).role == Role.EMPLOYEE

    client.post_form(url, {"role": "leader", "department_id": str(sales.id), "level": "manager",
                           "reason": "Now leads the launch team"})

    changed = fresh(User, person.id)
    assert (changed.role, changed.department_id, changed.level.value) == (
        Role.LEADER, sales.id, "manager")
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.action == "user.role" and entry.details["role"] == "employee → leader"


def test_an_admin_cannot_lock_themselves_out(client, login_as):
    me = login_as("admin")
    page = client.post_form(f"/admin/users/{me.id}", {
        "role": "employee", "department_id": str(me.department_id), "level": "frontline",
        "reason": "Stepping down"})
    assert "cannot remove your own administrator role" in page.get_data(as_text=True)
    page = client.post_form(f"/admin/users/{me.id}/access", {"action": "deactivate",
                                                             "reason": "Leaving now"})
    assert "cannot deactivate your own account" in page.get_data(as_text=True)
    assert fresh(User, me.id).role == Role.ADMIN


def test_deactivate_and_reactivate(client, make_client, login_as, factory):
    login_as("admin")
    leaver = factory.user()
    their_browser = make_client()
    sign_in(their_browser, leaver)
    client.post_form(f"/admin/users/{leaver.id}/access", {"action": "deactivate",
                                                          "reason": "Left the company"})
    assert their_browser.get("/account/profile").status_code == 302
    assert fresh(User, leaver.id).deactivated_at is not None
    client.post_form(f"/admin/users/{leaver.id}/access", {"action": "reactivate",
                                                          "reason": "Came back"})
    assert fresh(User, leaver.id).deactivated_at is None


def test_departments_are_added_and_renamed(client, login_as):
    login_as("admin")
    page = client.get("/admin/departments").get_data(as_text=True)
    for level in ("Frontline", "Manager", "Senior", "Executive"):
        assert level in page
    assert "at least 5 people" in page
    client.post_form("/admin/departments", {"name": "  Legal   Affairs "})
    legal = db.session.scalar(select(Department).where(Department.name == "Legal Affairs"))
    assert legal is not None
    again = client.post_form("/admin/departments", {"name": "legal affairs"})
    assert "already a department" in again.get_data(as_text=True)
    client.post_form(f"/admin/departments/{legal.id}", {"name": "Legal"})
    assert fresh(Department, legal.id).name == "Legal"


# --- settings ------------------------------------------------------------------------------

def test_settings_show_the_configured_defaults(client, login_as):
    login_as("admin")
    page = client.get("/admin/settings/platform").get_data(as_text=True)
    assert "as configured (example.com)" in page
    assert "as configured (10 per minute)" in page  # RATELIMIT_LOGIN
    assert "Default: 3." in page
    assert "Escalation rule" in client.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("allowed_signup_domains", "example.com, not a domain", "is not a domain name"),
    ("ratelimit_vote", "lots", "is not a rate limit"),
    ("small_group_minimum", "3", "Number must be between 5 and 1000"),
    ("flag_threshold", "0", "Number must be between 1 and 100"),
    ("smtp_port", "70000", "Number must be between 1 and 65535"),
])
def test_settings_are_validated(client, login_as, field, value, message):
    login_as("admin")
    form = {"flag_threshold": "3", "small_group_minimum": "5", "smtp_security": "",
            "read_requires_sign_in": "y", field: value}
    page = client.post_form("/admin/settings/platform", form)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert db.session.get(SiteSettings, 1).flag_threshold == 3


def test_saved_settings_take_effect(client, make_client, login_as, factory):
    login_as("admin")
    response = client.post_form("/admin/settings/platform", {
        "allowed_signup_domains": "newco.cn Example.org", "flag_threshold": "2",
        "small_group_minimum": "6", "ratelimit_login": "2 per minute", "smtp_host": "",
        "read_requires_sign_in": "y",
        "smtp_security": "starttls", "smtp_from": "Ideaboard <ideas@newco.cn>"})
    assert response.status_code == 302
    settings = fresh(SiteSettings, 1)
    assert settings.allowed_signup_domains == "newco.cn, example.org"
    assert (settings.flag_threshold, settings.smtp_security) == (2, "starttls")

    newcomer = make_client()
    signup = newcomer.post_form("/signup", {
        "email": "li@newco.cn", "password": "correct horse battery",
        "confirm": "correct horse battery", "display_name": "Li", "department_id": "0",
        "level": "frontline", "locale": ""})
    assert signup.status_code == 302
    assert db.session.scalar(select(User.id).where(User.email == "li@newco.cn"))
    refused = make_client().post_form("/signup", {
        "email": "someone@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery", "display_name": "Old", "department_id": "0",
        "level": "frontline", "locale": ""})
    assert "company e-mail addresses only" in refused.get_data(as_text=True)

    idea = factory.idea()
    for _ in range(2):
        flagger = make_client()
        sign_in(flagger, factory.user())
        flagger.post_form(f"/moderation/ideas/{idea.public_id}/flag", {"reason": "spam"})
    assert fresh(Idea, idea.id).hidden_at is not None


def test_the_smtp_settings_are_what_the_mailer_uses(app, client, login_as):
    from ideaboard.services.settings import mail_config

    login_as("admin")
    client.post_form("/admin/settings/platform", {
        "flag_threshold": "3", "small_group_minimum": "5", "smtp_host": "mail.newco.cn",
        "read_requires_sign_in": "y",
        "smtp_port": "2525", "smtp_security": "ssl", "smtp_username": "ideaboard"})
    db.session.expire_all()
    config = mail_config()
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_SSL"],
            config["MAIL_USE_TLS"], config["MAIL_USERNAME"]) == (
        "mail.newco.cn", 2525, True, False, "ideaboard")
    assert config["MAIL_TIMEOUT"] == app.config["MAIL_TIMEOUT"]


def test_small_group_minimum_applies_to_breakdowns(app, login_as, client):
    from ideaboard.queries.review import GroupSupport, fold_small_groups

    groups = [GroupSupport("Sales", 6, 0), GroupSupport("Ops", 6, 0)]
    assert [g.name for g in fold_small_groups(groups, "Other").groups] == ["Sales", "Ops"]
    db.session.execute(update(SiteSettings).values(small_group_minimum=7))
    db.session.commit()
    assert fold_small_groups(groups, "Other").groups == []


# --- exports -------------------------------------------------------------------------------

@pytest.fixture
def exportable(factory):
    named = factory.user(name="Named Nora")
    secret = factory.user(name="Secret Sid", email="sid@example.com")
    leader = factory.user(Role.LEADER, name="Leader Lou")
    public = factory.idea(named, title="Named idea")
    hidden_author = factory.idea(secret, title="Anonymous idea")
    db.session.execute(update(Idea).where(Idea.id == hidden_author.id).values(is_anonymous=True))
    db.session.commit()
    add_comment(secret, idea_by_public_id(public.public_id), body="Anonymous comment",
                stance=Stance.AGAINST)
    db.session.execute(update(Comment).values(is_anonymous=True))
    db.session.commit()
    voters = [factory.user() for _ in range(3)]
    for voter in voters[:2]:
        cast_vote(voter, public.public_id, SUPPORT)
    cast_vote(voters[2], public.public_id, OPPOSE)
    pull_into_queue(leader, idea_by_public_id(public.public_id), "Please answer")
    change_status(leader, idea_by_public_id(public.public_id), IdeaStatus.ACCEPTED,
                  "We will do this next quarter, starting with two pilot teams.")
    return named, secret, voters


def export(client, dataset: str, file_format: str) -> tuple[str, str]:
    client.post_form("/admin/exports", {"dataset": dataset, "file_format": file_format})
    page = client.get("/admin/exports").get_data(as_text=True)
    url = re.search(r'href="(/admin/exports/[^"]+)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return url, response.get_data(as_text=True)


def test_exports_leave_anonymous_authors_blank(client, login_as, exportable):
    _named, secret, _voters = exportable
    login_as("admin")
    _url, ideas_csv = export(client, "ideas", "csv")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(ideas_csv.lstrip("\ufeff")))}
    assert rows["Named idea"]["author"] == "Named Nora"
    assert rows["Anonymous idea"]["author"] == ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows["Anonymous idea"]["created"])
    assert "T" in rows["Named idea"]["created"]
    _url, ideas_json = export(client, "ideas", "json")
    _url, comments_json = export(client, "comments", "json")
    for text in (ideas_csv, ideas_json, comments_json):
        assert "Secret Sid" not in text and "sid@example.com" not in text
        assert str(secret.id) not in re.findall(r'"author_id": (\d+)', text)
    [comment] = json.loads(comments_json)
    assert comment["author"] == "" and comment["anonymous"] is True
    assert "Named Nora" not in comments_json


def test_votes_are_exported_per_idea_never_per_person(client, login_as, exportable):
    _named, _secret, voters = exportable
    login_as("admin")
    _url, votes_json = export(client, "votes", "json")
    rows = {row["title"]: row for row in json.loads(votes_json)}
    assert (rows["Named idea"]["supporters"], rows["Named idea"]["opposers"],
            rows["Named idea"]["voters"]) == (2, 1, 3)
    assert set(rows["Named idea"]) == {"idea", "title", "supporters", "opposers", "voters"}
    for voter in voters:
        assert voter.display_name not in votes_json and voter.email not in votes_json
    _url, decisions_csv = export(client, "decisions", "csv")
    assert "Leader Lou" in decisions_csv and "accepted" in decisions_csv


def test_on_sqlite_the_rows_are_read_with_sqlite_utils(client, login_as, exportable,
                                                      monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL exports go through SQLAlchemy")
    queries: list[str] = []
    original = sqlite_utils.Database.query

    def spy(self, sql, params=None):
        queries.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(sqlite_utils.Database, "query", spy)
    login_as("admin")
    for dataset in ("ideas", "comments", "votes", "decisions"):
        export(client, dataset, "json")
    assert len(queries) == 4 and all("SELECT" in sql for sql in queries)


def test_nobody_else_can_fetch_an_export(client, make_client, login_as, factory, exportable):
    login_as("admin")
    url, _content = export(client, "ideas", "csv")
    assert client.get(url).headers["Cache-Control"] == "no-store"
    other_admin = make_client()
    sign_in(other_admin, factory.user(Role.ADMIN))
    assert other_admin.get(url).status_code == 404
    assert url not in other_admin.get("/admin/exports").get_data(as_text=True)
    employee = make_client()
    sign_in(employee, factory.user())
    assert employee.get(url).status_code == 403
    assert make_client().get(url).status_code == 302
    owner_id = db.session.scalar(select(DataExport.owner_id))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.create"))
    assert entry.actor_id == owner_id
