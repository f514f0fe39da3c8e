"""The OpenAPI 3.1 document of the JSON API. tests/web/test_api_openapi.py checks every
route is described and validates every route's real answers against these schemas."""
from __future__ import annotations

from functools import cache

from flask import current_app

from ideaboard.models import IdeaStatus, NotificationKind
from ideaboard.queries.ideas import SORTS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
STAMP = {"type": "string", "format": "date-time"}
DAY_OR_STAMP = {"type": "string", "description": "A date-time; for an anonymous post the "
                                                  "day only (YYYY-MM-DD)."}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False}


SCHEMAS = {
    "Error": _object({"error": _object({"code": STRING, "message": STRING, "field": STRING},
                                       ["code", "message"])}),
    "Author": {
        "description": "An anonymous author is {\"name\": \"Anonymous employee\", "
                       "\"anonymous\": true} and never has an id.",
        "oneOf": [
            _object({"name": STRING, "anonymous": {"const": False}, "id": INTEGER}),
            _object({"name": STRING, "anonymous": {"const": True}}),
        ]},
    "CampaignRef": _object({"slug": STRING, "title": STRING}),
    "IdeaSummary": _object({
        "id": STRING, "title": STRING,
        "status": {"enum": [s.value for s in IdeaStatus]},
        "campaign": _ref("CampaignRef"), "author": _ref("Author"), "posted": DAY_OR_STAMP,
        "tags": {"type": "array", "items": STRING},
        "supporters": _nullable(INTEGER), "opposers": _nullable(INTEGER),
        "score": _nullable({"type": "number"}), "comment_count": INTEGER,
        "review_due": _nullable(STAMP), "overdue_days": INTEGER, "deleted": BOOLEAN,
        "hidden": BOOLEAN, "path": STRING,
        "my_vote": _nullable({"enum": ["support", "oppose"]})},
        ["id", "title", "status", "campaign", "author", "posted", "tags", "supporters",
         "opposers", "score", "comment_count", "review_due", "overdue_days", "deleted",
         "hidden", "path"]),
    "Decision": _object({"status": {"enum": [s.value for s in IdeaStatus]},
                         "rationale": STRING, "decided_at": STAMP, "by": STRING,
                         "merged_into": STRING},
                        ["status", "rationale", "decided_at", "by"]),
    "IdeaPage": _object({"items": {"type": "array", "items": _ref("IdeaSummary")},
                         "next": _nullable(STRING)}),
    "CommentList": _object({"items": {"type": "array", "items": _ref("Comment")}}),
    "Comment": _object({
        "id": STRING, "parent": _nullable(STRING), "depth": INTEGER,
        "stance": {"enum": ["for", "against", "neutral"]}, "body": _nullable(STRING),
        "body_html": _nullable(STRING), "author": _nullable(_ref("Author")),
        "posted": DAY_OR_STAMP, "helpful": INTEGER, "deleted": BOOLEAN, "hidden": BOOLEAN}),
    "Campaign": _object({
        "slug": STRING, "title": STRING,
        "kind": {"enum": ["ideas", "consultation", "discussion", "plan_review"]},
        "anonymity": {"enum": ["named", "optional", "anonymous_only"]},
        "state": {"enum": ["open", "upcoming", "closed"]}, "standing": BOOLEAN,
        "description": STRING, "opens_at": STAMP, "closes_at": _nullable(STAMP),
        "outcome": _nullable(STRING), "path": STRING}),
    "CampaignList": _object({"items": {"type": "array", "items": _ref("Campaign")}}),
    "DecisionPage": _object({
        "items": {"type": "array", "items": _object({
            "idea": _ref("IdeaSummary"), "decision": _nullable(_ref("Decision"))})},
        "next": _nullable(STRING)}),
    "Notification": _object({
        "id": INTEGER, "kind": {"enum": [k.value for k in NotificationKind]}, "text": STRING,
        "status": _nullable(STRING), "read": BOOLEAN, "created_at": STAMP,
        "idea": _nullable(_object({"id": STRING, "title": STRING})),
        "campaign": _nullable(_ref("CampaignRef"))}),
    "NotificationPage": _object({"items": {"type": "array", "items": _ref("Notification")},
                                 "next": _nullable(STRING)}),
    "Me": _object({"id": INTEGER, "name": STRING, "email": STRING,
                   "role": {"enum": ["employee", "leader", "admin"]},
                   "locale": _nullable(STRING),
                   "token": _object({"name": STRING, "scopes": {
                       "type": "array", "items": {"enum": ["read", "write"]}},
                       "expires_at": _nullable(STAMP)})}),
    "VoteResult": _object({"value": _nullable({"enum": ["support", "oppose"]}),
                           "supporters": INTEGER, "opposers": INTEGER,
                           "score": {"type": "number"}}, ["value"]),
    "FollowResult": _object({"following": BOOLEAN}),
    "NewIdea": _object({"title": {"type": "string", "maxLength": 140},
                        "body": STRING, "campaign": STRING,
                        "tags": {"type": "array", "items": STRING, "maxItems": 5},
                        "anonymous": BOOLEAN}, ["title"]),
    "NewComment": _object({"body": STRING, "stance": {"enum": ["for", "against", "neutral"]},
                           "parent": STRING, "anonymous": BOOLEAN}, ["body"]),
    "VoteRequest": _object({"value": {"enum": ["support", "oppose", "retract"]}}),
    "FollowRequest": _object({"following": BOOLEAN}, []),
}
def _detail_schema() -> dict:
    summary = SCHEMAS["IdeaSummary"]
    properties = dict(summary["properties"]) | {
        "body": STRING, "body_html": STRING, "following": BOOLEAN,
        "escalation": _nullable(_object({"reason": STRING, "escalated_at": STAMP,
                                         "due": STAMP})),
        "timeline": {"type": "array", "items": _ref("Decision")}}
    return _object(properties, [*summary["required"], "body", "body_html", "following",
                                "escalation", "timeline"])


SCHEMAS["IdeaDetail"] = _detail_schema()


def _answers(ok_status: str, schema: str, *errors: str) -> dict:
    answers = {ok_status: {"description": "OK", "content": {
        "application/json": {"schema": _ref(schema)}}}}
    for status in ("401", "429", *errors):
        answers[status] = {"description": "Error", "content": {
            "application/json": {"schema": _ref("Error")}}}
    return answers


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or STRING}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": STRING}


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


LIMIT = _query("limit", "Items per page, 1–100.", {"type": "integer", "minimum": 1,
                                                   "maximum": 100})
WRITE = [{"token": ["write"]}]


def _paths() -> dict:
    idea = [_path("public_id")]
    return {
        "/ideas": {
            "get": {"summary": "Ideas, in the UI's sorts and filters (keyset pages)",
                    "parameters": [
                        _query("sort", "Order.", {"enum": list(SORTS)}),
                        _query("status", "Only ideas with this status.",
                               {"enum": [s.value for s in IdeaStatus]}),
                        _query("tag", "Only ideas with this tag."),
                        _query("campaign", "A campaign's slug (consultation options are "
                                           "listed only in their campaign)."),
                        _query("after", "The `next` cursor of the previous page."), LIMIT],
                    "responses": _answers("200", "IdeaPage", "422")},
            "post": {"summary": "Post an idea (scope write)", "security": WRITE,
                     "requestBody": _body("NewIdea"),
                     "responses": _answers("201", "IdeaDetail", "400", "403", "422")}},
        "/ideas/{public_id}": {
            "get": {"summary": "One idea with its public timeline", "parameters": idea,
                    "responses": _answers("200", "IdeaDetail", "404")}},
        "/ideas/{public_id}/comments": {
            "get": {"summary": "The idea's discussion, depth first", "parameters": idea,
                    "responses": _answers("200", "CommentList", "404")},
            "post": {"summary": "Comment or reply (scope write)", "parameters": idea,
                     "security": WRITE, "requestBody": _body("NewComment"),
                     "responses": _answers("201", "Comment", "400", "403", "404", "422")}},
        "/ideas/{public_id}/vote": {
            "post": {"summary": "Support, oppose or retract (scope write)", "parameters": idea,
                     "security": WRITE, "requestBody": _body("VoteRequest"),
                     "responses": _answers("200", "VoteResult", "400", "403", "404", "422")}},
        "/ideas/{public_id}/follow": {
            "post": {"summary": "Follow or stop following (scope write)", "parameters": idea,
                     "security": WRITE, "requestBody": _body("FollowRequest"),
                     "responses": _answers("200", "FollowResult", "400", "403", "404")}},
        "/campaigns": {
            "get": {"summary": "Open, upcoming and recently closed campaigns",
                    "responses": _answers("200", "CampaignList")}},
        "/campaigns/{slug}": {
            "get": {"summary": "One campaign", "parameters": [_path("slug")],
                    "responses": _answers("200", "Campaign", "404")}},
        "/decisions": {
            "get": {"summary": "Leadership's answers, newest first",
                    "parameters": [_query("after", "The `next` cursor."), LIMIT],
                    "responses": _answers("200", "DecisionPage")}},
        "/notifications": {
            "get": {"summary": "Your inbox, newest first",
                    "parameters": [_query("before", "The `next` cursor."), LIMIT],
                    "responses": _answers("200", "NotificationPage")}},
        "/me": {"get": {"summary": "The token's person and the token's scopes",
                        "responses": _answers("200", "Me")}},
    }


@cache
def _document(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ideaboard API", "version": "1.0.0",
                 "description": "Ideas, discussions, campaigns and decisions, with the same "
                                "visibility, anonymity and rate limits as the web pages. "
                                "Authenticate with a personal access token "
                                "(Account → API tokens): `Authorization: Bearer ibp_…`. "
                                "Errors are JSON: {\"error\": {\"code\", \"message\"}}, the "
                                "message in the token's person's language."},
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "security": [{"token": ["read"]}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "A personal access token."}},
            "schemas": SCHEMAS},
        "paths": _paths(),
    }


def document() -> dict:
    return _document(current_app.config["BASE_URL"])
