"""The audit log: exactly one entry per privileged action, browsable and filterable with
keyset pages, and append-only — no route, no service and not even raw SQL can change or
delete an entry."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import AuditEntry, FlagReason, Idea, Role, Stance, User
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.audit import record
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import standing_campaign
from ideaboard.services.moderation import flag
from ideaboard.services.review import pull_into_queue
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient
from tests.web.test_csrf import FORM_DATA
from tests.web.url_map import build_path, rules

ROOT = Path(__file__).resolve().parents[2] / "ideaboard"
RATIONALE = "Both ideas ask for the same thing: one shared launch calendar."


@pytest.fixture
def client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def audit_rows() -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(AuditEntry.__table__)
                                                   .order_by(AuditEntry.id))]


def audit_count() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditEntry))


@pytest.fixture
def scene(factory, client):
    admin = factory.user(Role.ADMIN, name="Audit Admin")
    sign_in(client, admin)
    colleague = factory.user(name="Colleague Cleo")
    other = factory.user(name="Other Otto")
    ideas = [factory.idea(colleague, title=f"Idea {n}") for n in range(4)]
    comment = add_comment(colleague, idea_by_public_id(ideas[0].public_id),
                          body="A comment to moderate", stance=Stance.FOR)
    db.session.execute(update(Idea).where(Idea.id == ideas[3].id).values(is_anonymous=True))
    db.session.commit()
    pull_into_queue(admin, ideas[2], "Raised for an answer")
    for item in (ideas[0], comment):
        flag(other, db.session.get(type(item), item.id), FlagReason.ABUSIVE)
    return admin, colleague, ideas, comment


PRIVILEGED_ACTIONS = [
    ("role change", "/admin/users/{colleague}", {"role": "leader", "department_id": "0",
                                                 "level": "manager", "reason": "Leads launches"},
     "user.role"),
    ("level change", "/admin/users/{colleague}", {"role": "employee", "department_id": "0",
                                                  "level": "senior", "reason": ""},
     "user.update"),
    ("suspend", "/admin/users/{colleague}/suspend",
     {"until": (date.today() + timedelta(days=3)).isoformat(), "reason": "Cooling off"},
     "user.suspend"),
    ("deactivate", "/admin/users/{colleague}/access", {"action": "deactivate",
                                                       "reason": "Left the company"},
     "user.deactivate"),
    ("add department", "/admin/departments", {"name": "Legal"}, "department.add"),
    ("settings", "/admin/settings/platform", {"flag_threshold": "5", "small_group_minimum": "5",
                                              "smtp_security": "", "read_requires_sign_in": "y"},
     "settings.platform"),
    ("escalation rule", "/admin/settings", {"min_supporters": "7", "min_wilson": "0.5",
                                            "sla_days": "10", "confirm": "y", "save": "1"},
     "settings.escalation_rule"),
    ("hide", "/admin/ideas/{idea0}/moderate", {"action": "hide", "reason_code": "abusive"},
     "moderation.hide"),
    ("dismiss", "/admin/comments/{comment}/moderate", {"action": "dismiss"},
     "moderation.dismiss"),
    ("edit", "/admin/comments/{comment}/edit", {"body": "Cleaned", "reason": "Took out a name"},
     "moderation.edit"),
    ("delete", "/admin/comments/{comment}/moderate", {"action": "delete", "reason_code": "spam"},
     "moderation.delete"),
    ("reveal", "/admin/ideas/{idea3}/reveal", {"reason": "Legal hold requested by HR"},
     "anonymity.reveal"),
    ("merge", "/admin/ideas/{idea1}/merge", {"survivor": "{idea2}", "rationale": RATIONALE},
     "idea.merge"),
    ("decision", "/review/{idea2}/status", {"status": "under_review", "rationale": ""},
     "idea.status"),
    ("export", "/admin/exports", {"dataset": "decisions", "file_format": "json"},
     "export.create"),
    ("invite", "/admin/invites", {"email": "", "role": "admin", "valid_days": "3"},
     "invite.create"),
    ("rename department", "/admin/departments/{department}", {"name": "Ops"},
     "department.rename"),
    ("reactivate", "/admin/users/{inactive}/access", {"action": "reactivate",
                                                      "reason": "Came back from leave"},
     "user.reactivate"),
    ("lift suspension", "/admin/users/{suspended}/access", {"action": "unsuspend",
                                                            "reason": "Apologised in person"},
     "user.unsuspend"),
    ("restore", "/admin/ideas/{hidden}/moderate", {"action": "restore", "reason": "Fine"},
     "moderation.restore"),
]


@pytest.mark.parametrize(("name", "url", "form", "action"), PRIVILEGED_ACTIONS,
                         ids=[a[0] for a in PRIVILEGED_ACTIONS])
def test_each_privileged_action_writes_exactly_one_entry(client, scene, name, url, form,
                                                         action):
    admin, colleague, ideas, comment = scene
    values = {"colleague": colleague.id, "comment": comment.public_id,
              "department": colleague.department_id, **scene_extras(admin, colleague),
              **{f"idea{n}": idea.public_id for n, idea in enumerate(ideas)}}
    before = audit_rows()

    response = client.post_form(url.format(**values),
                                {k: v.format(**values) for k, v in form.items()})

    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    after = audit_rows()
    assert after[:len(before)] == before
    new = after[len(before):]
    assert [row[2] for row in new] == [action], name  # column 2 is the action
    assert new[0][1] == admin.id


def scene_extras(admin, colleague) -> dict:
    """An inactive and a suspended account, and a hidden idea, for the reversing actions."""
    inactive = User(email="inactive@example.com", display_name="Inactive", password_hash="x",
                    deactivated_at=utcnow())
    suspended = User(email="suspended@example.com", display_name="Suspended",
                     password_hash="x", suspended_until=utcnow() + timedelta(days=3),
                     suspension_reason="Cooling off")
    db.session.add_all([inactive, suspended])
    db.session.flush()
    hidden = Idea(campaign_id=standing_campaign().id, author_id=colleague.id, title="Hidden",
                  body="", body_html="", hidden_at=utcnow())
    db.session.add(hidden)
    db.session.commit()
    return {"inactive": inactive.id, "suspended": suspended.id, "hidden": hidden.public_id}


def test_a_no_op_writes_nothing(client, scene):
    _admin, colleague, _ideas, _comment = scene
    before = audit_count()
    client.post_form(f"/admin/users/{colleague.id}", {
        "role": "employee", "department_id": str(colleague.department_id),
        "level": colleague.level.value, "reason": ""})
    assert audit_count() == before


# --- append-only ---------------------------------------------------------------------------

class AnyPath(dict):
    """Path values for every route: other areas' objects we do not create get a value that
    names nothing (a 404 is fine here: the point is that no route rewrites the log)."""
    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key) -> str:
        return "0"


def test_no_post_route_ever_changes_or_removes_an_entry(client, scene):
    """Every POST route in the URL map, as an admin, with what a browser would send."""
    admin, colleague, ideas, comment = scene
    with write_transaction() as session:
        for n in range(5):
            record(session, admin, "test.seed", "idea", ideas[0].public_id, reason=f"seed {n}")
    values = AnyPath({("ideas", "public_id"): ideas[1].public_id,
                      ("comments", "public_id"): comment.public_id,
                      ("review", "public_id"): ideas[2].public_id,
                      ("users", "user_id"): str(colleague.id),
                      ("departments", "department_id"): str(colleague.department_id),
                      ("signup", "token"): "no-such-invite",
                      ("inbox", "notification_id"): "1"})
    skipped = {"auth.logout"}  # would end this admin's session; it writes no entry anyway
    history = audit_rows()
    covered = 0
    for rule in rules("POST"):
        if rule.endpoint in skipped:
            continue
        path = build_path(rule, values)
        form = {k: v.format(admin_email=admin.email, admin_id=admin.id)
                for k, v in FORM_DATA.get(rule.endpoint, {}).items()}
        response = client.post_form(path, form)
        assert response.status_code < 500, path
        now = audit_rows()
        assert now[:len(history)] == history, f"{path} changed or removed audit entries"
        history = now
        covered += 1
    assert covered >= 40


def test_the_database_refuses_to_change_or_delete_entries(app, scene):
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(update(AuditEntry).values(reason="rewritten"))
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(delete(AuditEntry))
    with pytest.raises(DBAPIError), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
    assert audit_count() > 0
    assert "rewritten" not in {row[5] for row in audit_rows()}


WRITE_PATTERNS = [
    r"update\(\s*AuditEntry", r"delete\(\s*AuditEntry", r"AuditEntry\.__table__\.(update|delete)",
    r"(?i)update\s+\"?audit_entry\"?\s+set", r"(?i)delete\s+from\s+\"?audit_entry",
    r"session\.delete\(\s*(entry|audit)", r"\.query\(\s*AuditEntry\s*\)",
]


def test_no_code_path_updates_or_deletes_entries():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in WRITE_PATTERNS:
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []
    audit_module = (ROOT / "services" / "audit.py").read_text(encoding="utf-8")
    assert re.findall(r"^def (\w+)", audit_module, re.M) == ["record"]


# --- browsing ------------------------------------------------------------------------------

def test_the_log_is_filtered_and_paged_by_keyset(client, scene):
    admin, colleague, _ideas, _comment = scene
    other_admin = db.session.scalar(select(User).where(User.id == colleague.id))
    with write_transaction() as session:
        for n in range(120):
            record(session, admin if n % 2 else other_admin, f"test.kind{n % 3}", "idea",
                   f"target{n}", reason=f"number {n}")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "number 119" in first and "number 70" in first and "number 69" not in first
    older = re.search(r'href="([^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "number 69" in second and "number 20" in second and "number 70" not in second

    by_action = client.get("/admin/audit?action=test.kind1").get_data(as_text=True)
    assert "number 118" in by_action and "number 119" not in by_action
    by_prefix = client.get("/admin/audit?action=test.").get_data(as_text=True)
    assert "number 119" in by_prefix and "number 118" in by_prefix
    by_actor = client.get(f"/admin/audit?actor={admin.email}").get_data(as_text=True)
    assert "number 119" in by_actor and "number 118" not in by_actor
    by_target = client.get("/admin/audit?target_type=idea&target_id=target7").get_data(
        as_text=True)
    assert "number 7<" in by_target and "number 8<" not in by_target
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = client.get(f"/admin/audit?since={tomorrow}").get_data(as_text=True)
    assert "No entries match" in future
    today = date.today().isoformat()
    assert "number 119" in client.get(f"/admin/audit?since={today}&until={today}").get_data(
        as_text=True)
