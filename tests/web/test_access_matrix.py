"""Who may open what: an allow-matrix over every route in the URL map × every role.

A route missing from the matrix fails, so a new page cannot ship without deciding who sees
it. Objects in paths belong to someone else unless the test says otherwise; a suspended
user's session is dead, so they are treated exactly like a visitor.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignKind,
    Challenge,
    Comment,
    DataExport,
    ExportDataset,
    ExportFormat,
    Idea,
    Invite,
    Notification,
    NotificationKind,
    Role,
    Stance,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.accounts import create_invite
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.comments import add_comment
from tests.conftest import ROLES
from tests.web.isolation import IsolatedClient
from tests.web.test_challenges_http import open_challenge
from tests.web.test_plans_http import PlanObjects, plan_objects
from tests.web.url_map import build_path, rule_id, rules

OK = "ok"                # 2xx
LOGIN = "login"          # 302 to /login
FORBIDDEN = "forbidden"  # 403
HOME = "home"            # 302 to / (signed-in users have no business on sign-in/sign-up)
NOT_FOUND = "not_found"  # 404 (someone else's private object, e.g. another admin's export)

PUBLIC = {"visitor": OK, "employee": OK, "leader": OK, "admin": OK, "suspended": OK}
MEMBERS = {"visitor": LOGIN, "employee": OK, "leader": OK, "admin": OK, "suspended": LOGIN}
AUTHOR_ONLY = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": FORBIDDEN,
               "admin": FORBIDDEN, "suspended": LOGIN}
LEADERS = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": OK, "admin": OK,
           "suspended": LOGIN}
ADMINS = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": FORBIDDEN, "admin": OK,
          "suspended": LOGIN}
SIGNED_OUT_ONLY = {"visitor": OK, "employee": HOME, "leader": HOME, "admin": HOME,
                   "suspended": OK}

GET_MATRIX: dict[str, dict[str, str]] = {
    "main.home": PUBLIC,
    "ideas.index": PUBLIC,
    "ideas.show": PUBLIC,
    "ideas.compose": MEMBERS,
    "ideas.edit": AUTHOR_ONLY,              # the idea belongs to another employee
    "ideas.edit_comment_page": AUTHOR_ONLY,  # so does the comment
    "auth.login": SIGNED_OUT_ONLY,
    "auth.signup": SIGNED_OUT_ONLY,
    "account.profile": MEMBERS,
    "admin.index": ADMINS,
    "admin.invites": ADMINS,
    "admin.settings": ADMINS,
    "ideas.decided": PUBLIC,
    "review.queue": LEADERS,
    "review.item": LEADERS,
    "notifications.inbox": MEMBERS,
    "account.notifications": MEMBERS,
    # --- moderation and administration (issue 7)
    "admin.flags": ADMINS,
    "admin.edit_idea": ADMINS,
    "admin.edit_comment": ADMINS,
    "admin.edit_critique": ADMINS,
    "admin.reveal_idea": ADMINS,
    "admin.reveal_comment": ADMINS,
    "admin.reveal_critique": ADMINS,
    "admin.merge": ADMINS,
    "admin.users": ADMINS,
    "admin.user": ADMINS,
    "admin.departments": ADMINS,
    "admin.settings_platform": ADMINS,
    "admin.audit": ADMINS,
    "admin.exports": ADMINS,
    "admin.export_download": {**ADMINS, "admin": NOT_FOUND},  # another admin's export
    "moderation.notices": MEMBERS,
    # --- end moderation and administration
    # --- plan review (scene 4): the campaign and plan belong to another employee
    "plans.show": PUBLIC,
    "plans.edit": ADMINS,               # the campaign's owner or an admin
    "plans.edit_section_page": ADMINS,
    "plans.report": LEADERS,            # and the owner
    "plans.edit_critique_page": AUTHOR_ONLY,
    "plans.edit_reply_page": AUTHOR_ONLY,
    # --- end plan review
    # campaigns (issue 5): the campaign belongs to another leader
    "campaigns.index": PUBLIC,
    "campaigns.show": PUBLIC,
    "campaigns.results": PUBLIC,
    "campaigns.new": LEADERS,
    "campaigns.edit": ADMINS,           # the campaign's owner or an admin
    "main.person": PUBLIC,
    # search and discovery (issue 6)
    "discovery.search": PUBLIC,
    "discovery.similar": PUBLIC,
    "discovery.ideas_feed": PUBLIC,
    "discovery.decisions_feed": PUBLIC,
    "discovery.campaign_feed": PUBLIC,
    "discovery.following": MEMBERS,
    "discovery.activity": MEMBERS,
    # challenges, track record and analytics (issue 15)
    "challenges.index": MEMBERS,
    "challenges.show": MEMBERS,
    "challenges.raise_challenge": MEMBERS,  # the form (the idea is not decided yet)
    "leadership.overview": MEMBERS,         # restricted to leaders by a setting: test_track_record
    "leadership.leader": MEMBERS,
    "analytics.index": LEADERS,
    "analytics.export": LEADERS,
}
# An "ok" that is a redirect to another allowed page of the same area.
OK_REDIRECTS = {"admin.index": "/admin/flags"}
# Author-only pages: the author themself gets "ok".
OWNED_BY_VIEWER = {"ideas.edit", "ideas.edit_comment_page",
                   "plans.edit", "plans.edit_section_page", "plans.edit_critique_page",
                   "plans.edit_reply_page", "plans.report"}  # plan review (scene 4)

# POST routes a visitor may use; every other POST route must send visitors to sign in.
PUBLIC_POSTS = {"main.change_language", "auth.login", "auth.signup"}
# Areas gated by role on the blueprint: who must get 403 on every POST under the prefix.
ROLE_GATED_PREFIXES = {"/admin/": ("employee", "leader"), "/review/": ("employee",)}

GET_RULES = rules("GET")
POST_RULES = rules("POST")


@pytest.fixture
def client(app) -> IsolatedClient:
    """Each request in its own app context, as in production (see tests/web/isolation.py)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@dataclass
class Objects:
    idea: Idea
    comment: Comment
    invite: Invite
    notification: Notification
    export: DataExport  # moderation and administration (issue 7): owned by another admin
    department_id: int
    campaign: Campaign
    plan: PlanObjects | None = None  # plan review (scene 4)
    challenge: Challenge | None = None  # challenges (issue 15)

    def path_values(self, endpoint: str = "") -> dict[tuple[str, str], str]:
        """Plan-review routes get the plan's campaign; every other campaign route the
        consultation, whose results page exists."""
        plan_values = self.plan.path_values() if self.plan else {}
        if not endpoint.startswith("plans."):
            plan_values.pop(("campaigns", "slug"), None)
        return {("ideas", "public_id"): self.idea.public_id,
                ("comments", "public_id"): self.comment.public_id,
                ("signup", "token"): self.invite.token,
                ("review", "public_id"): self.idea.public_id,
                ("inbox", "notification_id"): str(self.notification.id),
                # moderation and administration (issue 7)
                ("users", "user_id"): str(self.idea.author_id),
                ("departments", "department_id"): str(self.department_id),
                ("exports", "token"): self.export.token,
                ("campaigns", "slug"): self.campaign.slug,  # campaigns (issue 5)
                ("people", "user_id"): str(self.idea.author_id),
                # challenges (issue 15): someone else's challenge, a leader's track record
                ("challenges", "public_id"): self.challenge.public_id if self.challenge else "",
                ("leadership", "user_id"): str(self.challenge.decider_id
                                               if self.challenge else 0),
                **plan_values}  # plan review (scene 4)


def make_objects(factory, author=None) -> Objects:
    author = author or factory.user("employee", name="Somebody Else")
    idea = factory.idea(author, title="Someone else's idea")
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="Their comment",
                          stance=Stance.NEUTRAL)
    inviter = factory.user("admin", name="Inviting admin")
    invite = create_invite(inviter, email=None, role=Role.EMPLOYEE, valid_days=7)
    notification = Notification(user_id=author.id, kind=NotificationKind.DECISION,
                                idea_id=idea.id)
    db.session.add(notification)
    export = DataExport(owner_id=inviter.id, dataset=ExportDataset.IDEAS,  # issue 7
                        file_format=ExportFormat.CSV, content=b"id\n")
    db.session.add(export)
    db.session.commit()
    campaign = create_campaign(factory.user("leader", name="Campaign owner"),
                               title="Who should lead marketing?", description="",
                               kind=CampaignKind.CONSULTATION, anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    return Objects(idea, comment, invite, notification, export, inviter.department_id,
                   campaign, plan=plan_objects(author),  # plan review (scene 4)
                   challenge=open_challenge(factory, author))  # challenges (issue 15)


@pytest.fixture
def objects(factory) -> Objects:
    return make_objects(factory)


def outcome_of(response, endpoint: str) -> str:
    """Classify a response as one of the matrix outcomes (or describe it if it is none)."""
    status = response.status_code
    location = urlsplit(response.headers.get("Location", ""))
    if 200 <= status < 300:
        return OK
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status in (301, 302, 303, 307, 308):
        if location.path == "/login":
            return LOGIN
        if location.path == OK_REDIRECTS.get(endpoint):
            return OK
        if location.path == "/":
            return HOME
    return f"{status} → {response.headers.get('Location')}"


def test_matrix_lists_only_real_routes():
    """Stale rows hide mistakes: every matrix entry must still be a GET route."""
    endpoints = {rule.endpoint for rule in GET_RULES}
    assert set(GET_MATRIX) <= endpoints, set(GET_MATRIX) - endpoints
    assert {rule.endpoint for rule in POST_RULES} >= PUBLIC_POSTS
    for expected in GET_MATRIX.values():
        assert set(expected) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", GET_RULES, ids=rule_id)
def test_get_access(client, login_as, objects, rule: Rule, role: str):
    assert rule.endpoint in GET_MATRIX, (
        f"GET route {rule.rule} ({rule.endpoint}) is not in the access matrix: "
        "decide who may open it and add it to GET_MATRIX.")
    login_as(role)
    path = build_path(rule, objects.path_values(rule.endpoint))

    response = client.get(path)

    assert outcome_of(response, rule.endpoint) == GET_MATRIX[rule.endpoint][role], path


@pytest.mark.parametrize("role", ["employee", "leader", "admin"])
@pytest.mark.parametrize("endpoint", sorted(OWNED_BY_VIEWER))
def test_authors_may_open_their_own_pages(client, factory, login_as, endpoint, role):
    me = login_as(role)
    mine = make_objects(factory, author=me)
    rule = next(rule for rule in GET_RULES if rule.endpoint == endpoint)

    response = client.get(build_path(rule, mine.path_values(endpoint)))

    assert response.status_code == 200


def test_login_redirect_remembers_the_page(client, objects):
    response = client.get(f"/ideas/{objects.idea.public_id}/edit")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert f"next=%2Fideas%2F{objects.idea.public_id}%2Fedit" in location.query


def test_suspended_session_is_dead_even_for_members_pages(client, login_as):
    user = login_as("suspended")
    response = client.get("/account/profile")
    assert outcome_of(response, "account.profile") == LOGIN
    home = client.get("/").get_data(as_text=True)
    assert user.display_name not in home
    assert 'action="/logout"' not in home


# --- POST routes -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["visitor", "suspended"])
@pytest.mark.parametrize("rule", POST_RULES, ids=rule_id)
def test_signed_out_posts_are_sent_to_sign_in(client, login_as, objects, rule, role):
    """Every POST route needs a member unless it is listed in PUBLIC_POSTS."""
    login_as(role)
    response = client.post_form(build_path(rule, objects.path_values(rule.endpoint)), {})
    outcome = outcome_of(response, rule.endpoint)
    if rule.endpoint in PUBLIC_POSTS:
        assert outcome in (OK, HOME), outcome
    else:
        assert outcome == LOGIN


GATED_POSTS = [(rule, role) for rule in POST_RULES for prefix, roles in ROLE_GATED_PREFIXES.items()
               if rule.rule.startswith(prefix) for role in roles]
ADMIN_POST_RULES = [rule for rule in POST_RULES if rule.rule.startswith("/admin/")]


def gated_id(case) -> str:
    return rule_id(case) if isinstance(case, Rule) else str(case)


def test_there_are_role_gated_post_routes():
    assert ADMIN_POST_RULES, "no POST route under /admin: the tests below would be empty"


def invite_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invite))


@pytest.mark.parametrize(("rule", "role"), GATED_POSTS, ids=gated_id)
def test_role_gated_posts_are_forbidden_to_lower_roles(client, login_as, objects, rule, role):
    login_as(role)
    before = invite_count()

    response = client.post_form(build_path(rule, objects.path_values(rule.endpoint)),
                                {"role": "admin", "valid_days": "7", "note": "Pull it",
                                 "status": "under_review"})

    assert response.status_code == 403
    assert invite_count() == before


@pytest.mark.parametrize("rule", ADMIN_POST_RULES, ids=rule_id)
def test_admin_posts_are_open_to_admins(client, login_as, objects, rule):
    """The control for the test above: the 403 comes from the role, not the request."""
    login_as("admin")
    response = client.post_form(build_path(rule, objects.path_values(rule.endpoint)),
                                {"role": "employee", "valid_days": "7"})
    assert outcome_of(response, rule.endpoint) not in (FORBIDDEN, LOGIN)
    assert response.status_code < 400
