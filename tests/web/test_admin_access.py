"""Every route of the admin blueprint × every role, generated from the URL map: employees
and leaders get 403, visitors and suspended users go to sign-in, admins get in."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.routing import Rule

from ideaboard.extensions import db
from ideaboard.models import DataExport, ExportDataset, ExportFormat, Stance
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from tests.conftest import ROLES
from tests.web.integration_objects import integration_objects
from tests.web.isolation import IsolatedClient
from tests.web.test_plans_http import plan_objects
from tests.web.url_map import build_path, rule_id, rules

ADMIN_RULES = [rule for rule in rules("GET") + rules("POST") if rule.rule.startswith("/admin")]
EXPECTED = {"visitor": "login", "suspended": "login", "employee": 403, "leader": 403}


@pytest.fixture
def client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def path_values(factory):
    """Objects for every kind of path argument; the export belongs to the viewing admin
    when there is one (set by the test), so that admins get in."""
    author = factory.user(name="Somebody Else")
    idea = factory.idea(author)
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="A comment",
                          stance=Stance.NEUTRAL)
    plan = plan_objects(factory.user("leader", name="Plan owner"), author)
    integrations = integration_objects(factory, factory.user("admin", name="Hook admin"),
                                       author)  # issue 20
    return {**integrations.path_values(),
            ("campaigns", "slug"): plan.campaign.slug,  # campaign management (issue 12)
            ("ideas", "public_id"): idea.public_id,
            ("comments", "public_id"): comment.public_id,
            ("critiques", "public_id"): plan.critique.public_id,
            ("users", "user_id"): str(author.id),
            ("departments", "department_id"): str(author.department_id)}


def test_the_admin_area_has_routes():
    assert len(ADMIN_RULES) >= 20
    assert {"admin.flags", "admin.users", "admin.audit", "admin.exports",
            "admin.settings_platform", "admin.merge"} <= {r.endpoint for r in ADMIN_RULES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", ADMIN_RULES, ids=rule_id)
def test_every_admin_route_for_every_role(client, login_as, path_values, rule: Rule, role):
    me = login_as(role)
    export = DataExport(owner_id=me.id if me and role == "admin" else
                        int(path_values[("users", "user_id")]), dataset=ExportDataset.VOTES,
                        file_format=ExportFormat.JSON, content=b"[]")
    db.session.add(export)
    db.session.commit()
    path = build_path(rule, {**path_values, ("exports", "token"): export.token})
    method = "GET" if "GET" in rule.methods else "POST"

    response = (client.get(path) if method == "GET" else
                client.post_form(path, {"reason": "A reason long enough to pass"}))

    if role == "admin":
        assert response.status_code < 400, (method, path, response.status_code)
        location = urlsplit(response.headers.get("Location", "")).path
        assert location != "/login"
    elif EXPECTED[role] == "login":
        assert response.status_code == 302, (method, path)
        assert urlsplit(response.headers["Location"]).path == "/login"
    else:
        assert response.status_code == 403, (method, path, role)
