"""SCIM 2.0 for the company's directory (Okta, Microsoft Entra ID …): `/scim/v2/Users`,
authenticated by a SCIM token an administrator made (web/api/auth.py)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, request, url_for
from werkzeug.exceptions import HTTPException

from ideaboard.database import DatabaseBusy
from ideaboard.extensions import limiter
from ideaboard.integrations.scim import (
    CORE_USER,
    ENTERPRISE_USER,
    LIST_RESPONSE,
    ScimError,
    apply_patch,
    from_resource,
    parse_filter,
)
from ideaboard.queries.integrations import directory_user, directory_users
from ideaboard.services import directory
from ideaboard.services.settings import rate_limit
from ideaboard.web.api.representations import stamp
from ideaboard.web.arguments import query_int

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
limiter.limit(lambda: rate_limit("api"))(bp)
MEDIA_TYPE = "application/scim+json"
MAX_RESULTS = 200


def answer(body: dict | None, status: int = 200, headers: dict | None = None) -> Response:
    text = "" if body is None else json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, headers=headers or {},
                    mimetype=None if body is None else MEDIA_TYPE)


@bp.errorhandler(ScimError)
def _scim_error(error: ScimError):
    return answer(error.body(), error.status)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return answer(ScimError(error.code or 500, error.description or error.name).body(),
                  error.code or 500)


@bp.errorhandler(DatabaseBusy)
def _busy(error: DatabaseBusy):
    return answer(ScimError(503, "the database is busy; retry shortly").body(), 503,
                  {"Retry-After": str(error.retry_after)})


@bp.before_request
def _token_required():
    if g.get("api_token") is None:
        raise ScimError(401, "a valid SCIM bearer token is required")


def _body() -> dict:
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ScimError(400, "the body must be a JSON object", "invalidSyntax")
    return data


def resource(row) -> dict:
    user, account, department = row
    levels = directory.level_mapping()
    schema, name = levels.split
    body = {
        "schemas": [CORE_USER, ENTERPRISE_USER] + ([schema] if schema and schema not in (
            CORE_USER, ENTERPRISE_USER) else []),
        "id": str(user.id),
        "userName": account.user_name,
        "name": {"formatted": user.display_name},
        "displayName": user.display_name,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": user.deactivated_at is None,
        ENTERPRISE_USER: {"department": department} if department else {},
        "meta": {"resourceType": "User", "created": stamp(account.created_at),
                 "lastModified": stamp(account.updated_at),
                 "location": url_for("scim.user", user_id=user.id, _external=True)},
    }
    if account.external_id:
        body["externalId"] = account.external_id
    level_holder = body.setdefault(schema, {}) if schema else body
    level_holder[name] = user.level.value
    return body


def _row(user_id: int):
    row = directory_user(user_id)
    if row is None:
        raise ScimError(404, f"User {user_id} not found")
    return row


@bp.get("/Users")
def users():
    start = max(1, query_int("startIndex") or 1)
    count = max(0, min(MAX_RESULTS, query_int("count") if query_int("count") is not None
                       else 100))
    attribute = value = None
    if request.args.get("filter"):
        attribute, value = parse_filter(request.args["filter"])
    total, rows = directory_users(attribute, value, start, count)
    return answer({"schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start,
                   "itemsPerPage": len(rows), "Resources": [resource(row) for row in rows]})


@bp.post("/Users")
def create():
    user = directory.provision(g.api_token.user, from_resource(_body(),
                                                               directory.level_mapping()))
    body = resource(_row(user.id))
    return answer(body, 201, {"Location": body["meta"]["location"]})


@bp.get("/Users/<int:user_id>")
def user(user_id: int):
    return answer(resource(_row(user_id)))


@bp.put("/Users/<int:user_id>")
def replace_user(user_id: int):
    found, account, _department = _row(user_id)
    directory.update(g.api_token.user, found, account,
                     from_resource(_body(), directory.level_mapping()))
    return answer(resource(_row(user_id)))


@bp.patch("/Users/<int:user_id>")
def patch_user(user_id: int):
    found, account, department = _row(user_id)
    current = directory.current_values(found, account, department)
    directory.update(g.api_token.user, found, account,
                     apply_patch(current, _body(), directory.level_mapping()))
    return answer(resource(_row(user_id)))


@bp.delete("/Users/<int:user_id>")
def delete_user(user_id: int):
    found, _account, _department = _row(user_id)
    directory.unlink(g.api_token.user, found)
    return answer(None, 204)


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    return answer({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": current_app.config["BASE_URL"].rstrip("/") + "/api/v1/openapi.json",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer token",
                                   "description": "A SCIM token from Admin → Directory sync",
                                   "primary": True}],
        "meta": {"resourceType": "ServiceProviderConfig"}})


@bp.get("/ResourceTypes")
def resource_types():
    user_type = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                 "id": "User", "name": "User", "endpoint": "/Users", "schema": CORE_USER,
                 "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": False}],
                 "meta": {"resourceType": "ResourceType"}}
    return answer({"schemas": [LIST_RESPONSE], "totalResults": 1, "startIndex": 1,
                   "itemsPerPage": 1, "Resources": [user_type]})


@bp.get("/Schemas")
def schemas():
    def attribute(name: str, kind: str = "string", **extra) -> dict:
        return {"name": name, "type": kind, "multiValued": False, "required": False,
                "mutability": "readWrite", "returned": "default", **extra}

    core = {"id": CORE_USER, "name": "User", "attributes": [
        attribute("userName", required=True, uniqueness="server"),
        attribute("displayName"), attribute("active", "boolean"),
        {**attribute("emails", "complex"), "multiValued": True},
        attribute("externalId")]}
    enterprise = {"id": ENTERPRISE_USER, "name": "EnterpriseUser",
                  "attributes": [attribute("department")]}
    return answer({"schemas": [LIST_RESPONSE], "totalResults": 2, "startIndex": 1,
                   "itemsPerPage": 2, "Resources": [core, enterprise]})
