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
from sqlalchemy import func, select, update
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
    SiteSettings,
    Stance,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.accounts import create_invite
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import post_idea
from tests.conftest import ROLES
from tests.web.integration_objects import IntegrationObjects, integration_objects
from tests.web.isolation import IsolatedClient
from tests.web.test_challenges_http import open_challenge
from tests.web.test_funding_http import FundingObjects, funding_objects
from tests.web.test_plans_http import PlanObjects, plan_objects
from tests.web.url_map import build_path, rule_id, rules

OK = "ok"                # 2xx
LOGIN = "login"          # 302 to /login
FORBIDDEN = "forbidden"  # 403
HOME = "home"            # 302 to / (signed-in users have no business on sign-in/sign-up)
NOT_FOUND = "not_found"  # 404 (someone else's private object, e.g. another admin's export)
UNAUTHORIZED = "unauthorized"  # 401: a bearer-token route (API, SCIM) — cookies never count

# Readable by everyone once an admin opens reading up; by default (sign in to read) visitors
# and dead sessions are sent to sign in, as on MEMBERS pages (see `expected`).
READERS = {"visitor": OK, "employee": OK, "leader": OK, "admin": OK, "suspended": OK}
ALWAYS_OPEN = dict(READERS)  # whatever the read setting: e-mailed links, health checks
MEMBERS = {"visitor": LOGIN, "employee": OK, "leader": OK, "admin": OK, "suspended": LOGIN}
AUTHOR_ONLY = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": FORBIDDEN,
               "admin": FORBIDDEN, "suspended": LOGIN}
LEADERS = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": OK, "admin": OK,
           "suspended": LOGIN}
ADMINS = {"visitor": LOGIN, "employee": FORBIDDEN, "leader": FORBIDDEN, "admin": OK,
          "suspended": LOGIN}
# integrations (issue 20): the JSON API and SCIM answer only bearer tokens, so every browser
# session, an admin's too, gets 401 (tests/web/test_api_http.py runs the token matrix)
BEARER_ONLY = dict.fromkeys(ROLES, UNAUTHORIZED)
SIGNED_OUT_ONLY = {"visitor": OK, "employee": HOME, "leader": HOME, "admin": HOME,
                   "suspended": OK}

GET_MATRIX: dict[str, dict[str, str]] = {
    "main.home": READERS,
    "ideas.index": READERS,
    "ideas.show": READERS,
    "ideas.compose": MEMBERS,
    "ideas.edit": AUTHOR_ONLY,              # the idea belongs to another employee
    "ideas.edit_comment_page": AUTHOR_ONLY,  # so does the comment
    "auth.login": SIGNED_OUT_ONLY,
    "auth.signup": SIGNED_OUT_ONLY,
    "account.profile": MEMBERS,
    "admin.index": ADMINS,
    "admin.invites": ADMINS,
    "admin.settings": ADMINS,
    "ideas.decided": READERS,
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
    # the forms behind the Reply and Flag links (one set of controls per page, issue 17)
    "ideas.reply_page": MEMBERS,
    "moderation.flag_comment": MEMBERS,
    "moderation.flag_critique": MEMBERS,
    # --- end moderation and administration
    # --- plan review (scene 4): the campaign and plan belong to another employee
    "plans.show": READERS,
    "plans.edit": ADMINS,               # the campaign's owner or an admin
    "plans.edit_section_page": ADMINS,
    "plans.report": LEADERS,            # and the owner
    "plans.edit_critique_page": AUTHOR_ONLY,
    "plans.edit_reply_page": AUTHOR_ONLY,
    # --- end plan review
    # campaigns (issue 5): the campaign belongs to another leader
    "campaigns.index": READERS,
    "campaigns.show": READERS,
    "campaigns.results": READERS,
    "campaigns.new": LEADERS,
    "campaigns.edit": ADMINS,           # the campaign's owner or an admin
    # the four scenes (issue 12)
    "campaigns.close": ADMINS,          # the campaign's owner or an admin
    "campaigns.reopen": ADMINS,
    "campaigns.nominate": MEMBERS,      # an open consultation
    "admin.campaigns": ADMINS,
    "main.person": READERS,
    # search and discovery (issue 6)
    "discovery.search": READERS,
    "discovery.similar": MEMBERS,       # the compose page asks as the author types
    "discovery.ideas_feed": READERS,
    "discovery.decisions_feed": READERS,
    "discovery.campaign_feed": READERS,
    "discovery.following": MEMBERS,
    "account.feeds": MEMBERS,
    "discovery.activity": MEMBERS,
    # identity (issue 19): e-mailed links work whoever opens them; SSO is not configured here
    "auth.signup_sent": ALWAYS_OPEN,
    "auth.verify_email": ALWAYS_OPEN,
    "auth.forgot_password": ALWAYS_OPEN,
    "auth.reset_password_page": ALWAYS_OPEN,
    "account.password": MEMBERS,
    "sso.callback": dict.fromkeys(ROLES, NOT_FOUND),
    "ops.healthz": ALWAYS_OPEN,  # load balancers ask without signing in
    "ops.readyz": ALWAYS_OPEN,
    # collective wisdom (issue 16): a campaign compared two at a time, of another leader
    "pairwise.compare": MEMBERS,
    "pairwise.results": MEMBERS,
    # funding and delivery (issue 14): the round belongs to another leader
    "funding.index": MEMBERS,
    "funding.new": LEADERS,
    "funding.show": MEMBERS,
    "funding.edit": ADMINS,             # the round's owner or an admin
    "funding.enter": MEMBERS,
    "funding.report": LEADERS,          # and the round's owner
    "funding.report_csv": LEADERS,
    "delivery.delivered_page": MEMBERS,
    # challenges, track record and analytics (issue 15)
    "challenges.index": MEMBERS,
    "challenges.show": MEMBERS,
    "challenges.raise_challenge": MEMBERS,  # the form (the idea is not decided yet)
    "leadership.overview": MEMBERS,         # restricted to leaders by a setting: test_track_record
    "leadership.leader": MEMBERS,
    "analytics.index": LEADERS,
    "analytics.export": LEADERS,
    # integrations (issue 20)
    "account.tokens": MEMBERS,
    "admin.tokens": ADMINS,
    "admin.scim": ADMINS,
    "admin.webhooks": ADMINS,
    "admin.webhook": ADMINS,
    "admin.deliveries": ADMINS,
    "admin.delivery": ADMINS,
    "api.openapi": ALWAYS_OPEN,  # the API's description, for client generators
    **{endpoint: BEARER_ONLY for endpoint in (
        "api.campaigns", "api.campaign", "api.decisions", "api.ideas", "api.idea",
        "api.comments", "api.me", "api.notifications", "scim.resource_types", "scim.schemas",
        "scim.service_provider_config", "scim.users", "scim.user")},
}
# An "ok" that is a redirect to another allowed page of the same area.
OK_REDIRECTS = {"admin.index": "/admin/flags",
                "auth.resend_confirmation": "/signup/sent"}  # identity (issue 19)
# Author-only pages: the author themself gets "ok".
OWNED_BY_VIEWER = {"ideas.edit", "ideas.edit_comment_page",
                   "plans.edit", "plans.edit_section_page", "plans.edit_critique_page",
                   "plans.edit_reply_page", "plans.report"}  # plan review (scene 4)

# POST routes a visitor may use; every other POST route must send visitors to sign in.
PUBLIC_POSTS = {"main.change_language", "auth.login", "auth.signup",
                # identity (issue 19)
                "auth.verify_email", "auth.resend_confirmation", "auth.forgot_password",
                "auth.reset_password_page", "sso.start"}
# Public POSTs whose right answer to a visitor is something else than OK or HOME.
PUBLIC_POST_OUTCOMES = {"auth.verify_email": (LOGIN,),  # confirmed: now sign in
                        "sso.start": (NOT_FOUND,)}       # no provider configured here
# POST routes that answer only a bearer token (issue 20): 401 to any browser session.
BEARER_POSTS = {"api.post", "api.comment", "api.follow", "api.vote", "scim.create"}
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
    links: dict | None = None  # identity (issue 19): live e-mailed link secrets
    compared: Campaign | None = None  # collective wisdom (issue 16)
    funding: FundingObjects | None = None  # funding and delivery (issue 14)
    challenge: Challenge | None = None  # challenges (issue 15)
    integrations: IntegrationObjects | None = None  # integrations (issue 20)

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
                **(self.links or {}),  # identity (issue 19)
                ("compare", "slug"): self.compared.slug if self.compared else "",  # issue 16
                # challenges (issue 15): someone else's challenge, a leader's track record
                ("challenges", "public_id"): self.challenge.public_id if self.challenge else "",
                ("leadership", "user_id"): str(self.challenge.decider_id
                                               if self.challenge else 0),
                **(self.integrations.path_values() if self.integrations else {}),  # 20
                **plan_values,  # plan review (scene 4)
                **(self.funding.path_values() if self.funding else {})}  # issue 14


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
    compared = create_campaign(factory.user("leader", name="Comparing owner"),  # issue 16
                               title="Which would help more?", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None,
                               pairwise_enabled=True)
    for title in ("First option", "Second option"):
        post_idea(author, compared, title=title, body="Why", tags=[])
    return Objects(idea, comment, invite, notification, export, inviter.department_id,
                   campaign, plan=plan_objects(author),  # plan review (scene 4)
                   links=account_links(author),  # identity (issue 19)
                   compared=compared,  # collective wisdom (issue 16)
                   funding=funding_objects(factory, factory.user("leader", name="Fund Owner")),
                   challenge=open_challenge(factory, author),  # challenges (issue 15)
                   integrations=integration_objects(factory, inviter, author))  # issue 20


def account_links(user) -> dict[tuple[str, str], str]:
    """Live verification and reset links of `user`, keyed like the routes' path slots."""
    from ideaboard.database import write_transaction
    from ideaboard.models import TokenPurpose
    from ideaboard.services.identity import link_secret, queue_account_mail

    with write_transaction() as session:
        verify = queue_account_mail(session, user, "verify_email", TokenPurpose.VERIFY_EMAIL)
        reset = queue_account_mail(session, user, "reset_password", TokenPurpose.RESET_PASSWORD)
    return {("verify", "token"): link_secret(verify), ("reset", "token"): link_secret(reset)}


@pytest.fixture
def objects(factory) -> Objects:
    return make_objects(factory)


def outcome_of(response, endpoint: str) -> str:
    """Classify a response as one of the matrix outcomes (or describe it if it is none)."""
    status = response.status_code
    location = urlsplit(response.headers.get("Location", ""))
    if 200 <= status < 300:
        return OK
    if status == 401:
        return UNAUTHORIZED
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
    assert {rule.endpoint for rule in POST_RULES} >= PUBLIC_POSTS | BEARER_POSTS
    for expected in GET_MATRIX.values():
        assert set(expected) == set(ROLES)


def expected(endpoint: str, role: str, reading_open: bool) -> str:
    """The matrix's outcome, with the read setting applied: signed out, a READERS page
    needs sign-in unless an admin opened reading up."""
    outcome = GET_MATRIX[endpoint][role]
    if (GET_MATRIX[endpoint] is READERS and role in ("visitor", "suspended")
            and not reading_open):
        return LOGIN
    return outcome


def open_reading() -> None:
    db.session.execute(update(SiteSettings).values(read_requires_sign_in=False))
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", GET_RULES, ids=rule_id)
def test_get_access(client, login_as, objects, rule: Rule, role: str):
    """The default: colleagues sign in to read."""
    assert rule.endpoint in GET_MATRIX, (
        f"GET route {rule.rule} ({rule.endpoint}) is not in the access matrix: "
        "decide who may open it and add it to GET_MATRIX.")
    login_as(role)
    path = build_path(rule, objects.path_values(rule.endpoint))

    response = client.get(path)

    assert outcome_of(response, rule.endpoint) == expected(rule.endpoint, role, False), path


@pytest.mark.parametrize("rule", GET_RULES, ids=rule_id)
def test_get_access_for_visitors_when_reading_is_open(client, objects, rule: Rule):
    open_reading()
    path = build_path(rule, objects.path_values(rule.endpoint))

    response = client.get(path)

    assert outcome_of(response, rule.endpoint) == expected(rule.endpoint, "visitor", True), path


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
    if rule.endpoint in BEARER_POSTS:
        assert outcome == UNAUTHORIZED, outcome
    elif rule.endpoint in PUBLIC_POSTS:
        assert outcome in PUBLIC_POST_OUTCOMES.get(rule.endpoint, (OK, HOME)), outcome
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
