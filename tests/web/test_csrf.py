"""CSRF on every state change, generated from the URL map: a POST without a token is refused
with 400 and leaves the database exactly as it was; the same POST with a token goes through."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignKind,
    ChallengeStatus,
    Comment,
    Idea,
    Invite,
    Notification,
    NotificationKind,
    Role,
    Stance,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.accounts import create_invite
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import post_idea
from ideaboard.services.review import pull_into_queue
from tests.conftest import TEST_PASSWORD
from tests.web.integration_objects import IntegrationObjects, integration_objects
from tests.web.isolation import IsolatedClient
from tests.web.test_challenges_http import decided_rows, open_challenge
from tests.web.test_funding_http import FundingObjects, funding_objects
from tests.web.test_plans_http import PlanObjects, plan_objects
from tests.web.url_map import build_path, rule_id, rules

POST_RULES = rules("POST")

# What a real browser would send to each POST endpoint (besides the token): with a token
# these are accepted, so a 400 without one can only come from the CSRF check.
FORM_DATA: dict[str, dict[str, str]] = {
    "main.change_language": {"locale": "zh", "next": "/ideas"},
    "auth.login": {"email": "{admin_email}", "password": TEST_PASSWORD},
    "auth.logout": {},
    # identity (issue 19)
    "auth.verify_email": {},
    "auth.resend_confirmation": {"email": "{admin_email}"},
    "auth.forgot_password": {"email": "{admin_email}"},
    "auth.reset_password_page": {"password": "a brand new passphrase",
                                 "confirm": "a brand new passphrase"},
    "account.password": {"current_password": TEST_PASSWORD, "password": "a brand new passphrase",
                         "confirm": "a brand new passphrase"},
    "account.end_sessions": {},
    "sso.start": {},
    "auth.signup": {"email": "newcomer@example.com", "password": TEST_PASSWORD,
                    "confirm": TEST_PASSWORD, "display_name": "Newcomer",
                    "department_id": "0", "level": "frontline", "locale": ""},
    "ideas.compose": {"title": "A brand new idea", "body": "Details", "tags": "process",
                      "publish": "Publish"},
    "ideas.preview": {"body": "**bold**"},
    "ideas.edit": {"title": "An edited title", "body": "Edited body", "tags": "",
                   "publish": "Save changes"},
    "ideas.delete": {},
    "ideas.vote": {"value": "support"},
    "ideas.comment": {"body": "A new comment", "stance": "for"},
    "ideas.edit_comment_page": {"body": "An edited comment", "stance": "against"},
    "ideas.delete_comment_action": {},
    "ideas.helpful": {"helpful": "1"},
    "ideas.answer_info": {"info_answer": "The figure you asked for: 40 hours a month."},
    "account.profile": {"display_name": "Renamed admin", "department_id": "0",
                        "level": "manager", "locale": "zh"},
    "admin.invites": {"email": "", "role": "employee", "valid_days": "7"},
    "admin.settings": {"min_supporters": "5", "min_wilson": "0.5", "sla_days": "10",
                       "confirm": "y", "save": "Save"},
    "account.notifications": {"email_digest": "y"},
    "ideas.follow": {"follow": "1"},
    "account.reset_feeds": {},
    "review.claim_item": {},
    "review.assign_item": {"owner": "{admin_id}"},
    "review.decide": {"status": "under_review", "rationale": "", "merged_into": ""},
    "review.pull": {"note": "Leadership should answer this one."},
    "notifications.open_item": {},
    "notifications.read_all": {},
    # --- campaigns (issue 5): the plan review campaign the admin owns
    "campaigns.new": {"title": "Why are launches late?", "description": "", "kind": "ideas",
                      "anonymity": "named", "opens_at": "2026-01-01T09:00", "closes_at": ""},
    "campaigns.edit": {"title": "An edited question", "description": "",
                       "opens_at": "2026-01-01T09:00", "closes_at": ""},
    "campaigns.outcome": {"outcome_text": "We act on the three best-supported answers now."},
    "campaigns.follow": {"follow": "1"},
    # the four scenes (issue 12): the plan review closes; reopening an open one is refused
    "campaigns.close": {},
    "campaigns.reopen": {"closes_at": ""},
    "campaigns.nominate": {"title": "Chen Jing, head of brand", "body": "Knows the market",
                           "publish": "Nominate"},
    "admin.campaign_owner": {"owner": "{admin_id}", "reason": "Grace moved to the board"},
    "discovery.follow": {"tag": "process", "follow": "1"},
    # --- moderation and administration (issue 7)
    "moderation.flag_idea": {"reason": "spam", "note": ""},
    "moderation.flag_comment": {"reason": "other", "note": "Names a colleague's illness"},
    "admin.moderate_idea": {"action": "hide", "reason_code": "abusive", "reason": ""},
    "admin.moderate_comment": {"action": "delete", "reason_code": "spam", "reason": "Ad"},
    "admin.edit_idea": {"title": "Edited by a moderator", "body": "Cleaned text",
                        "reason": "Removed a phone number"},
    "admin.edit_comment": {"body": "Cleaned comment", "reason": "Removed a phone number"},
    "admin.reveal_idea": {"reason": "Legal hold requested by the works council"},
    "admin.reveal_comment": {"reason": "Legal hold requested by the works council"},
    "moderation.flag_critique": {"reason": "abusive", "note": ""},  # the colleague's critique
    "admin.moderate_critique": {"action": "hide", "reason_code": "abusive", "reason": ""},
    "admin.edit_critique": {"body": "Cleaned critique", "reason": "Removed a phone number"},
    "admin.reveal_critique": {"reason": "Legal hold requested by the works council"},
    "admin.merge": {"survivor": "", "rationale": "Both ideas ask for one launch calendar."},
    "admin.user": {"role": "leader", "department_id": "0", "level": "manager",
                   "reason": "Now leads the launch team"},
    "admin.user_suspend": {"until": "", "permanent": "y", "reason": "Repeated abuse"},
    "admin.user_access": {"action": "deactivate", "reason": "Left the company"},
    "admin.departments": {"name": "Legal"},
    "admin.department": {"name": "Operations and Logistics"},
    "admin.settings_platform": {"allowed_signup_domains": "example.com", "flag_threshold": "4",
                                "small_group_minimum": "6", "ratelimit_login": "5 per minute",
                                "smtp_security": "", "read_requires_sign_in": "y"},
    "admin.exports": {"dataset": "ideas", "file_format": "csv"},
    # --- end moderation and administration
    # --- plan review (scene 4); ratings are left out, so critique forms come back with errors
    "plans.edit": {"title": "A retitled plan", "document": "## Only\n\nText"},
    "plans.add_section_action": {"heading": "A new section", "body": "Text"},
    "plans.edit_section_page": {"heading": "An edited section", "body": "Text"},
    "plans.delete_section_action": {},
    "plans.add_criterion_action": {"label": "Cost"},
    "plans.set_criterion": {"active": "0"},
    "plans.critique": {"stance": "concern", "body": "A concern"},
    "plans.edit_critique_page": {"stance": "support", "body": "Edited"},
    "plans.delete_critique_action": {},
    "plans.helpful": {"helpful": "1"},
    "plans.reply": {"body": "A reply"},
    "plans.answer": {"answer": "Thank you, we will change it."},
    "plans.edit_reply_page": {"body": "An edited reply"},
    "plans.delete_reply_action": {},
    # --- end plan review
    # --- collective wisdom (issue 16): a colleague's two ideas in a campaign compared in pairs
    "pairwise.choose": {"left": "", "right": "", "choice": "left"},  # the pair: form_for
    "pairwise.suggest": {"title": "A suggestion from the pair screen", "body": "Details"},
    # --- funding and delivery (issue 14): the admin owns the round; the entry is a colleague's
    "funding.new": {"title": "A new fund", "purpose": "", "currency": "CNY",
                    "pool_amount": "1000", "pool_people_weeks": "0", "allowance": "100",
                    "division_rule": "proportional", "min_backers": "5", "answer_days": "14",
                    "opens_at": "2026-01-01T09:00", "closes_at": "2099-01-01T09:00"},
    "funding.edit": {"title": "A renamed fund", "purpose": "", "closes_at": "2099-01-01T09:00"},
    "funding.close": {},
    "funding.enter": {"idea": "", "ask_amount": "100", "ask_people_weeks": "0",
                      "first_milestone": "A pilot"},
    "funding.give_points": {"points": "10"},
    "funding.answer": {"funding_decision": "release",
                       "funding_rationale": "Backed broadly: the pilot gets the money now."},
    "delivery.pledge": {"hours_per_week": "2", "weeks": "4", "skills": "design",
                        "pledge_note": ""},
    "delivery.withdraw": {},
    "delivery.invite": {},
    "delivery.join": {},
    "delivery.remove": {},
    "delivery.owner": {"owner_email": "{admin_email}"},
    "delivery.milestone": {"milestone_title": "A pilot", "milestone_due": ""},
    "delivery.milestone_done": {"done": "1"},
    "delivery.milestone_delete": {},
    "delivery.update": {"update_body": "Pilot running", "spent_amount": "0"},
    "delivery.start": {},
    "delivery.done": {"outcome": "Live everywhere; waiting times fell from 9 to 4 days."},
    # --- challenges (issue 15): a declined idea, an open and a reopened challenge
    "challenges.raise_challenge": {"evidence": "New prices make the cost argument obsolete."},
    "challenges.cosign_challenge": {},
    "challenges.answer": {"outcome": "uphold", "status": "",
                          "rationale": "We checked the new figures; the decision stands."},
    "challenges.close": {"reason": "Insults a named colleague"},
    # --- integrations (issue 20): the admin's own token; API and SCIM take bearer tokens only
    "account.tokens": {"name": "My scripts", "write": "y", "expires_in_days": "30"},
    "account.revoke_token_action": {},
    "admin.revoke_personal_token": {},
    "admin.scim": {"name": "Okta"},
    "admin.revoke_scim_token": {},
    "admin.webhooks": {"name": "Team chat", "url": "http://127.0.0.1:9/hook",
                       "format": "slack", "events": "idea.posted", "locale": "en",
                       "secret": "", "active": "y"},
    "admin.webhook": {"name": "Renamed chat", "url": "http://127.0.0.1:9/hook",
                      "format": "slack", "events": "idea.decided", "locale": "zh",
                      "secret": "", "active": "y"},
    "admin.delete_webhook": {},
    "admin.resend": {},
    "api.post": {}, "api.comment": {}, "api.vote": {}, "api.follow": {}, "scim.create": {},
}

# Which object a path argument names, per endpoint where the owner matters: the admin's own
# idea and comment can be edited and deleted, someone else's can be voted on / marked helpful.
OTHERS_OBJECTS = {"ideas.vote", "ideas.helpful", "ideas.comment", "ideas.follow",
                  "moderation.flag_idea", "moderation.flag_comment"}


@pytest.fixture
def client(app) -> IsolatedClient:
    """Each request in its own app context, as in production (see tests/web/isolation.py)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@dataclass
class World:
    admin: User
    own_idea: Idea
    others_idea: Idea
    own_comment: Comment
    others_comment: Comment
    invite: Invite
    queued_idea: Idea
    notification: Notification
    plan: PlanObjects | None = None  # plan review (scene 4): the admin's plan, others' critique
    compared: Campaign | None = None  # collective wisdom (issue 16)
    pair: tuple[Idea, Idea] | None = None
    funding: FundingObjects | None = None  # issue 14: the admin's round, a colleague's entry
    challenges: dict | None = None  # challenges (issue 15)
    integrations: IntegrationObjects | None = None  # integrations (issue 20)

    def path_values(self, endpoint: str) -> dict[tuple[str, str], str]:
        others = endpoint in OTHERS_OBJECTS
        idea = self.others_idea if others else self.own_idea
        if endpoint.startswith("challenges.") and self.challenges:  # issue 15
            idea = self.challenges["decided_idea"]
        comment = self.others_comment if others else self.own_comment
        return {
            ("ideas", "public_id"): idea.public_id,
            ("comments", "public_id"): comment.public_id,
            ("signup", "token"): self.invite.token,
            ("review", "public_id"): self.queued_idea.public_id,
            ("inbox", "notification_id"): str(self.notification.id),
            ("verify", "token"): "1.no-such-link",  # identity (issue 19)
            ("reset", "token"): "1.no-such-link",
            # moderation and administration (issue 7)
            ("users", "user_id"): str(self.others_idea.author_id),
            ("departments", "department_id"): str(self.admin.department_id),
            **(self.plan.path_values() if self.plan else {}),  # plan review (scene 4)
            ("compare", "slug"): self.compared.slug if self.compared else "",  # issue 16
            **(self.funding.path_values() if self.funding else {}),  # issue 14
            ("challenges", "public_id"): (self.challenges or {}).get(  # issue 15
                "reopened" if endpoint == "challenges.answer" else "open", ""),
            **(self.integrations.path_values() if self.integrations else {}),  # issue 20
        }


@pytest.fixture
def world(factory, login_as) -> World:
    admin = login_as("admin")
    colleague = factory.user("employee")
    own_idea = factory.idea(admin, title="The admin's own idea")
    others_idea = factory.idea(colleague, title="A colleague's idea")
    own_comment = add_comment(admin, idea_by_public_id(others_idea.public_id),
                              body="Admin comment", stance=Stance.NEUTRAL)
    others_comment = add_comment(colleague, idea_by_public_id(own_idea.public_id),
                                 body="Colleague comment", stance=Stance.FOR)
    invite = create_invite(admin, email=None, role=Role.EMPLOYEE, valid_days=7)
    queued_idea = factory.idea(colleague, title="An idea in the review queue")
    pull_into_queue(admin, queued_idea, "Raised for an answer")
    notification = Notification(user_id=admin.id, kind=NotificationKind.DECISION,
                                idea_id=others_idea.id)
    db.session.add(notification)
    db.session.commit()
    compared = create_campaign(admin, title="Which would help more?", description="",  # 16
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None,
                               pairwise_enabled=True)
    pair = tuple(post_idea(colleague, compared, title=title, body="Why", tags=[])
                 for title in ("First option", "Second option"))
    return World(admin, own_idea, others_idea, own_comment, others_comment, invite,
                 queued_idea, notification,
                 plan=plan_objects(admin, colleague),  # plan review (scene 4)
                 compared=compared, pair=pair,
                 funding=funding_objects(factory, admin, colleague),  # issue 14
                 challenges={  # challenges (issue 15)
                     "decided_idea": decided_rows(factory)[0],
                     "open": open_challenge(factory).public_id,
                     "reopened": open_challenge(factory, status=ChallengeStatus.REOPENED
                                                ).public_id},
                 integrations=integration_objects(factory, admin, admin))  # issue 20


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, read on a fresh connection (committed state only)."""
    snapshot = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            snapshot[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


def form_for(rule: Rule, world: World) -> dict[str, str]:
    if rule.endpoint not in FORM_DATA:
        raise AssertionError(f"New POST route {rule.rule} ({rule.endpoint}): add the form a "
                             "browser would send to FORM_DATA in this module.")
    form = {key: value.format(admin_email=world.admin.email, admin_id=world.admin.id)
            for key, value in FORM_DATA[rule.endpoint].items()}
    if rule.endpoint == "pairwise.choose" and world.pair:  # issue 16: the colleague's pair
        form.update(left=world.pair[0].public_id, right=world.pair[1].public_id)
    return form


def test_csrf_protection_is_switched_on(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is not False
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is not False
    assert "csrf" in app.extensions


def test_every_post_route_is_covered():
    """Guard against an empty parametrisation hiding every case below."""
    endpoints = {rule.endpoint for rule in POST_RULES}
    assert {"ideas.vote", "ideas.comment", "auth.logout", "admin.invites"} <= endpoints
    assert endpoints <= set(FORM_DATA), f"add to FORM_DATA: {endpoints - set(FORM_DATA)}"


@pytest.mark.parametrize("rule", POST_RULES, ids=rule_id)
def test_post_without_token_is_refused_and_changes_nothing(client, world, rule):
    path = build_path(rule, world.path_values(rule.endpoint))
    data = form_for(rule, world)
    before = database_snapshot()

    response = client.post(path, data=data)

    assert response.status_code == 400, (path, response.status_code)
    assert database_snapshot() == before
    # The session survived: the admin is still signed in after the refused POST.
    assert client.get("/admin/invites").status_code == 200


@pytest.mark.parametrize("rule", POST_RULES, ids=rule_id)
def test_post_with_a_forged_token_is_refused(client, world, rule):
    path = build_path(rule, world.path_values(rule.endpoint))
    data = {**form_for(rule, world), "csrf_token": "IjAxMjM0NTY3ODkwYWJjZGVmIg.forged.token"}
    before = database_snapshot()

    assert client.post(path, data=data).status_code == 400
    assert database_snapshot() == before


@pytest.mark.parametrize("rule", POST_RULES, ids=rule_id)
def test_post_with_token_is_not_refused(client, world, rule):
    """The control: the same request with the page's token passes the CSRF check."""
    path = build_path(rule, world.path_values(rule.endpoint))
    response = client.post_form(path, form_for(rule, world))
    assert response.status_code != 400, (path, response.get_data(as_text=True)[:300])
    assert response.status_code < 500


def test_vote_with_token_is_recorded_and_without_is_not(client, world):
    path = f"/ideas/{world.others_idea.public_id}/vote"

    def votes() -> int:
        with db.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Vote))

    assert client.post(path, data={"value": "support"}).status_code == 400
    assert votes() == 0

    response = client.post_form(path, {"value": "support"})
    assert response.status_code == 302
    assert votes() == 1
    with db.engine.connect() as conn:
        assert conn.scalar(select(Idea.supporters).where(Idea.id == world.others_idea.id)) == 1


def test_json_vote_needs_the_token_too(client, world):
    """fetch() requests are not exempt: the token must come in the form or the header."""
    path = f"/ideas/{world.others_idea.public_id}/vote"
    refused = client.post(path, data={"value": "support"},
                          headers={"Accept": "application/json",
                                   "X-Requested-With": "XMLHttpRequest"})
    assert refused.status_code == 400
    assert refused.is_json

    accepted = client.post(path, data={"value": "support"},
                           headers={"Accept": "application/json",
                                    "X-CSRFToken": client.csrf_token()})
    assert accepted.status_code == 200
    assert accepted.get_json()["supporters"] == 1


def test_comment_without_token_adds_no_row(client, world):
    path = f"/ideas/{world.others_idea.public_id}/comments"
    before = db.session.scalar(select(func.count()).select_from(Comment))
    assert client.post(path, data={"body": "Sneaky", "stance": "for"}).status_code == 400
    with db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Comment)) == before
