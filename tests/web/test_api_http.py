"""The JSON API v1 over HTTP: every endpoint × token scope × role against an allow-matrix;
the web UI's rules (visibility, hidden content, closed campaigns, anonymity) hold because the
API calls the same services and queries; errors are JSON with a stable code and a message in
the token's person's language; the OpenAPI document describes every route, and every route's
real answers validate against it."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    ApiToken,
    Campaign,
    CampaignKind,
    FlagReason,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Role,
    Stance,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.accounts import suspend_user
from ideaboard.services.admin import deactivate
from ideaboard.services.api_tokens import create_personal_token, revoke_token
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import post_idea
from ideaboard.services.moderation import ModerationAction, moderate
from ideaboard.services.review import change_status, pull_into_queue

API = "/api/v1"
ROLES = ("employee", "leader", "admin")


def bearer(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def token_of(user: User, write: bool = False) -> str:
    return create_personal_token(user, name="Tests", write=write, expires_in_days=None).secret


@dataclass
class ApiWorld:
    author: User
    leader: User
    admin: User
    idea: Idea           # a named idea, decided, with a comment thread
    campaign: Campaign   # an open campaign of ideas


@pytest.fixture
def api_world(factory) -> ApiWorld:
    author = factory.user(name="Named Author")
    leader = factory.user(Role.LEADER, name="Deciding Leader")
    admin = factory.user(Role.ADMIN, name="Site Admin")
    campaign = create_campaign(leader, title="Shorter meetings", description="How?",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    idea = post_idea(author, campaign, title="Stand-up meetings", body="Fifteen minutes",
                     tags=["meetings"])
    first = add_comment(leader, idea_by_public_id(idea.public_id), body="Tell us more",
                        stance=Stance.NEUTRAL)
    add_comment(author, idea_by_public_id(idea.public_id), body="Gladly", stance=Stance.FOR,
                parent=first)
    pull_into_queue(leader, idea_by_public_id(idea.public_id), "Worth an answer")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED,
                  "Accepted: every team tries it for a month.")
    return ApiWorld(author, leader, admin, idea_by_public_id(idea.public_id), campaign)


# --- the allow-matrix ------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    method: str
    path: str          # {idea} and {campaign} are filled from the world
    body: dict | None  # JSON for writes
    ok: int            # the status when allowed


CALLS: dict[str, Call] = {
    "api.openapi": Call("GET", "/openapi.json", None, 200),
    "api.me": Call("GET", "/me", None, 200),
    "api.ideas": Call("GET", "/ideas?sort=new", None, 200),
    "api.idea": Call("GET", "/ideas/{idea}", None, 200),
    "api.comments": Call("GET", "/ideas/{idea}/comments", None, 200),
    "api.campaigns": Call("GET", "/campaigns", None, 200),
    "api.campaign": Call("GET", "/campaigns/{campaign}", None, 200),
    "api.decisions": Call("GET", "/decisions", None, 200),
    "api.notifications": Call("GET", "/notifications", None, 200),
    "api.post": Call("POST", "/ideas", {"title": "Posted through the API",
                                        "campaign": "{campaign}", "tags": ["api"]}, 201),
    "api.comment": Call("POST", "/ideas/{idea}/comments", {"body": "A comment by script",
                                                           "stance": "for"}, 201),
    "api.vote": Call("POST", "/ideas/{idea}/vote", {"value": "support"}, 200),
    "api.follow": Call("POST", "/ideas/{idea}/follow", {"following": True}, 200),
}
PUBLIC = {"api.openapi"}
# Credentials: what each kind of token may do. None = the endpoint's `ok`.
CREDENTIALS = ("read", "write", "none", "malformed", "revoked", "expired", "suspended",
               "deactivated")


def expected_status(endpoint: str, credential: str) -> int:
    call = CALLS[endpoint]
    if endpoint in PUBLIC or credential == "write":
        return call.ok
    if credential == "read":
        return call.ok if call.method == "GET" else 403
    if credential == "none" and call.method != "GET":
        return 400  # no bearer token at all: a browser's request, refused by the CSRF check
    return 401


def fill(text: str, world: ApiWorld) -> str:
    return text.replace("{idea}", world.idea.public_id).replace("{campaign}",
                                                                 world.campaign.slug)


def call(client, endpoint: str, world: ApiWorld, secret: str | None):
    spec = CALLS[endpoint]
    body = json.loads(fill(json.dumps(spec.body), world)) if spec.body is not None else None
    return client.open(API + fill(spec.path, world), method=spec.method, json=body,
                       headers=bearer(secret))


def secrets_for(factory, admin: User, role: str) -> dict[str, str | None]:
    """One token per credential kind, each of a fresh person of `role`."""
    def person():
        return factory.user(role)

    read, write = token_of(person()), token_of(person(), write=True)
    revoked_owner = person()
    revoked = create_personal_token(revoked_owner, name="Old", write=True, expires_in_days=None)
    revoke_token(revoked_owner, revoked.token)
    expired = create_personal_token(person(), name="Short", write=True, expires_in_days=1)
    db.session.execute(update(ApiToken).where(ApiToken.id == expired.token.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    suspended = person()
    suspended_secret = token_of(suspended, write=True)
    suspend_user(suspended, None, "Tests")
    departed = person()
    departed_secret = token_of(departed, write=True)
    deactivate(admin, departed, "Left the company")
    return {"read": read, "write": write, "none": None, "malformed": "ibp_not-a-real-token",
            "revoked": revoked.secret, "expired": expired.secret,
            "suspended": suspended_secret, "deactivated": departed_secret}


def test_the_matrix_covers_every_api_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("api.")}
    assert endpoints == set(CALLS), endpoints ^ set(CALLS)


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_by_scope_and_role(client, factory, api_world, role):
    tokens = secrets_for(factory, api_world.admin, role)
    wrong = []
    for credential in CREDENTIALS:
        for endpoint in CALLS:
            response = call(client, endpoint, api_world, tokens[credential])
            want = expected_status(endpoint, credential)
            if response.status_code != want:
                wrong.append((endpoint, credential, response.status_code, want,
                              response.get_data(as_text=True)[:200]))
            if response.status_code >= 400:
                error = response.get_json()["error"]
                assert error["code"] and error["message"]
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not wrong, wrong


def test_a_session_cookie_does_not_authenticate_the_api(client, login_as, api_world):
    login_as("admin")
    assert client.get(f"{API}/me").status_code == 401
    refused = client.post(f"{API}/ideas/{api_world.idea.public_id}/vote",
                          json={"value": "support"})
    assert refused.status_code == 400  # no token and no CSRF token: not an API call
    assert refused.get_json()["error"]["code"] == "csrf_failed"


def test_a_write_acts_as_the_tokens_person_through_the_services(client, factory, api_world):
    me = factory.user(name="Script Writer")
    secret = token_of(me, write=True)
    posted = client.post(f"{API}/ideas", headers=bearer(secret),
                         json={"title": "Quiet mornings", "body": "No meetings before 10",
                               "tags": ["focus"], "campaign": api_world.campaign.slug})
    assert posted.status_code == 201
    created = posted.get_json()
    assert posted.headers["Location"].endswith(f"/api/v1/ideas/{created['id']}")
    assert created["author"] == {"name": me.display_name, "anonymous": False, "id": me.id}
    assert idea_by_public_id(created["id"]).author_id == me.id
    vote = client.post(f"{API}/ideas/{api_world.idea.public_id}/vote", headers=bearer(secret),
                       json={"value": "support"}).get_json()
    assert vote["value"] == "support" and vote["supporters"] == 1
    listed = client.get(f"{API}/ideas?sort=new&campaign={api_world.campaign.slug}",
                        headers=bearer(secret)).get_json()
    assert [item["title"] for item in listed["items"]] == ["Quiet mornings",
                                                           "Stand-up meetings"]


def test_pages_by_keyset(client, factory, api_world):
    for number in range(5):
        factory.idea(title=f"Paged idea {number}")
    secret = token_of(api_world.author)
    seen, after = [], None
    while True:
        page = client.get(f"{API}/ideas?sort=new&limit=2" + (f"&after={after}" if after
                                                                else ""),
                          headers=bearer(secret)).get_json()
        seen += [item["id"] for item in page["items"]]
        assert len(page["items"]) <= 2
        after = page["next"]
        if not after:
            break
    assert len(seen) == len(set(seen)) == 6


# --- the web UI's rules hold -----------------------------------------------------------------

def test_hidden_ideas_are_gone_for_colleagues_and_kept_for_admins(client, factory, api_world):
    hidden = factory.idea(api_world.author, title="A hidden rant")
    moderate(api_world.admin, idea_by_public_id(hidden.public_id), ModerationAction.HIDE,
             reason_code=FlagReason.ABUSIVE)
    colleague = token_of(factory.user())
    answer = client.get(f"{API}/ideas/{hidden.public_id}", headers=bearer(colleague))
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"
    listed = client.get(f"{API}/ideas?sort=new", headers=bearer(colleague)).get_json()
    assert hidden.public_id not in {item["id"] for item in listed["items"]}
    refused = client.post(f"{API}/ideas/{hidden.public_id}/vote",
                          headers=bearer(token_of(factory.user(), write=True)),
                          json={"value": "support"})
    assert refused.status_code == 404
    assert client.get(f"{API}/ideas/{hidden.public_id}",
                      headers=bearer(token_of(api_world.admin))).status_code == 200


def test_closed_campaigns_take_no_posts(client, factory, api_world):
    closed = create_campaign(api_world.leader, title="Last year's question", description="",
                             kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                             opens_at=utcnow() - timedelta(days=9),
                             closes_at=utcnow() - timedelta(days=1))
    answer = client.post(f"{API}/ideas", headers=bearer(token_of(factory.user(), write=True)),
                         json={"title": "Too late", "campaign": closed.slug})
    assert answer.status_code == 403
    assert answer.get_json()["error"] == {"code": "not_allowed", "field": "campaign",
                                          "message": "This campaign is not taking new posts."}


def test_anonymous_posts_show_no_author_and_the_day_only(client, factory, api_world):
    author = factory.user(name="Hidden Person", email="hidden.person@example.com")
    secret = token_of(author, write=True)
    posted = client.post(f"{API}/ideas", headers=bearer(secret),
                         json={"title": "Pay transparency", "anonymous": True,
                               "campaign": api_world.campaign.slug}).get_json()
    comment = client.post(f"{API}/ideas/{api_world.idea.public_id}/comments",
                          headers=bearer(secret),
                          json={"body": "Said quietly", "anonymous": True}).get_json()
    reader = bearer(token_of(factory.user()))
    answers = [posted, comment,
               client.get(f"{API}/ideas/{posted['id']}", headers=reader).get_json(),
               client.get(f"{API}/ideas/{api_world.idea.public_id}/comments",
                          headers=reader).get_json(),
               client.get(f"{API}/ideas?sort=new", headers=reader).get_json()]
    for answer in answers:
        text = json.dumps(answer)
        assert "Hidden Person" not in text and "hidden.person" not in text
    for item in (posted, comment):
        assert item["author"] == {"name": "Anonymous employee", "anonymous": True}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["posted"])


# --- errors ----------------------------------------------------------------------------------

def test_errors_are_json_with_stable_codes(client, factory, api_world):
    secret = bearer(token_of(factory.user(), write=True))
    cases = [
        (client.get(f"{API}/ideas/nope", headers=secret), 404, "not_found", None),
        (client.get(f"{API}/ideas?sort=sideways", headers=secret), 422, "invalid_input",
         "sort"),
        (client.post(f"{API}/ideas", headers={**secret, "Content-Type": "application/json"},
                     data="{not json"), 400, "bad_request", None),
        (client.post(f"{API}/ideas", headers=secret, json={"body": "no title"}), 422,
         "invalid_input", "title"),
        (client.post(f"{API}/ideas", headers=secret, json={"title": ""}), 422,
         "invalid_input", "title"),
        (client.post(f"{API}/ideas/{api_world.idea.public_id}/vote", headers=secret,
                     json={"value": 7}), 422, "invalid_input", "value"),
        (client.delete(f"{API}/ideas/{api_world.idea.public_id}", headers=secret), 405,
         "method_not_allowed", None),
        (client.get(f"{API}/no-such-thing", headers=secret), 404, "not_found", None),
        (client.get(f"{API}/me"), 401, "unauthorized", None),
        (client.get(f"{API}/me", headers=bearer("ibp_forged")), 401, "invalid_token", None),
        (client.post(f"{API}/ideas", headers=bearer(token_of(factory.user())),
                     json={"title": "x"}), 403, "insufficient_scope", None),
    ]
    schema = client.get(f"{API}/openapi.json").get_json()
    error_schema = validator_for(schema, schema["components"]["schemas"]["Error"])
    for response, status, code, field in cases:
        assert response.status_code == status, (code, response.get_data(as_text=True))
        assert response.is_json
        error_schema.validate(response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == code
        assert error.get("field") == field
        assert error["message"]


def test_error_messages_speak_the_persons_language(client, factory, api_world):
    chinese = bearer(token_of(factory.user(locale="zh"), write=True))
    english = bearer(token_of(factory.user(locale="en"), write=True))
    for headers, words in ((chinese, "这里什么也没有"), (english, "There is nothing here")):
        missing = client.get(f"{API}/ideas/nope", headers=headers).get_json()["error"]
        assert missing["code"] == "not_found" and words in missing["message"]
    scope = client.post(f"{API}/ideas", headers=bearer(token_of(factory.user(locale="zh"))),
                        json={"title": "x"}).get_json()["error"]
    assert scope["code"] == "insufficient_scope" and "只能读取" in scope["message"]
    closed = create_campaign(api_world.leader, title="Closed", description="",
                             kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                             opens_at=utcnow() - timedelta(days=9),
                             closes_at=utcnow() - timedelta(days=1))
    refused = client.post(f"{API}/ideas", headers=chinese,
                          json={"title": "Too late", "campaign": closed.slug}).get_json()
    assert refused["error"]["code"] == "not_allowed"
    assert "不接受" in refused["error"]["message"]
    nobody = client.get(f"{API}/me", headers={"Accept-Language": "zh-CN"}).get_json()
    assert nobody["error"]["code"] == "unauthorized"


# --- the OpenAPI document --------------------------------------------------------------------

def validator_for(document: dict, schema: dict) -> Draft202012Validator:
    """A 2020-12 validator (OpenAPI 3.1's dialect) whose $refs resolve in the document."""
    root = {**schema, "components": document["components"]}
    return Draft202012Validator(root)


def response_schema(document: dict, path: str, method: str, status: int) -> dict:
    answer = document["paths"][path][method]["responses"][str(status)]
    return answer["content"]["application/json"]["schema"]


def test_the_document_describes_every_route(app, client):
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, operations in document["paths"].items()
                 for method in operations}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix(API))
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routed, described ^ routed
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_answer_validates_against_the_document(client, factory, api_world):
    document = client.get(f"{API}/openapi.json").get_json()
    reader = factory.user(name="Schema Reader")
    db.session.add(Notification(user_id=reader.id, kind=NotificationKind.DECISION,
                                idea_id=api_world.idea.id, status="accepted"))
    db.session.commit()
    anonymous = post_idea(factory.user(), api_world.campaign, title="Anonymous one",
                          body="", tags=[], anonymous=True)
    secret = bearer(token_of(reader, write=True))
    checked = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for public_id in (api_world.idea.public_id, anonymous.public_id):
                url = API + path.replace("{public_id}", public_id).replace(
                    "{slug}", api_world.campaign.slug)
                body = None
                if "requestBody" in operation:
                    name = operation["requestBody"]["content"]["application/json"][
                        "schema"]["$ref"].rsplit("/", 1)[1]
                    body = {"NewIdea": {"title": f"Valid {public_id}", "tags": ["x"],
                                        "anonymous": True},
                            "NewComment": {"body": "Valid", "stance": "against"},
                            "VoteRequest": {"value": "oppose"},
                            "FollowRequest": {"following": True}}[name]
                    validator_for(document, document["components"]["schemas"][name]
                                  ).validate(body)
                response = client.open(url, method=method.upper(), json=body, headers=secret)
                ok = next(status for status in operation["responses"]
                          if status.startswith("2"))
                assert str(response.status_code) == ok, (url, response.get_data(as_text=True))
                validator_for(document, response_schema(document, path, method, int(ok))
                              ).validate(response.get_json())
                for status, bad in ((401, client.open(url, method=method.upper(), json=body,
                                                      headers=bearer("ibp_revoked-or-mistyped"))),
                                    (404, client.open(
                                        url.replace(public_id, "missing"), method=method.upper(),
                                        json=body, headers=secret))):
                    if "{public_id}" not in path and status == 404:
                        continue
                    assert bad.status_code == status, (url, status)
                    assert str(status) in operation["responses"], (path, method, status)
                    validator_for(document, response_schema(document, path, method, status)
                                  ).validate(bad.get_json())
                checked.add((path, method))
    assert len(checked) == sum(len(operations) for operations in document["paths"].values())
