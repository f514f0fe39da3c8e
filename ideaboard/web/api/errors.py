"""Errors as JSON: a stable machine-readable `code` and a `message` in the user's language."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ideaboard.database import DatabaseBusy
from ideaboard.errors import DomainError, InvalidInput, NotAllowed, NotFound


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict | None = None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return jsonify(error=body), status, headers or {}


def _http_codes() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood: check the JSON body "
                               "and its fields.")),
        401: ("unauthorized", _("Send a valid personal access token: "
                                "Authorization: Bearer <token>.")),
        403: ("forbidden", _("Your token may not do this.")),
        404: ("not_found", _("There is nothing here, or it is not there for you.")),
        405: ("method_not_allowed", _("This address does not take that method.")),
        413: ("too_large", _("The request is too large.")),
        415: ("unsupported_media_type", _("Send JSON (Content-Type: application/json).")),
        422: ("invalid_input", _("Some fields are not valid.")),
        429: ("rate_limited", _("Too many requests: wait a minute and try again.")),
    }


def http_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, CSRFError):
        return error_response(400, "csrf_failed", _(
            "Without a valid bearer token this request needs the page's CSRF token: API "
            "clients send Authorization: Bearer <token>."))
    code, message = _http_codes().get(status, ("error", error.name))
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="ideaboard"'
    if status == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(status, code, message, headers=headers)


def domain_error(refused: DomainError):
    """A rule of the product refused the action (the same rules and words as the web UI)."""
    if isinstance(refused, NotFound):
        return error_response(404, "not_found", str(refused))
    if isinstance(refused, NotAllowed):
        return error_response(403, "not_allowed", str(refused), refused.field)
    if isinstance(refused, InvalidInput):
        return error_response(422, "invalid_input", str(refused), refused.field)
    return error_response(409, "refused", str(refused), refused.field)


def api_error(error: ApiError):
    headers = {"WWW-Authenticate": 'Bearer realm="ideaboard"'} if error.status == 401 else None
    return error_response(error.status, error.code, error.message, error.field, headers)


def database_busy(error: DatabaseBusy):
    return error_response(503, "database_busy", _("The database is busy. Nothing was saved; "
                                                  "try again in a few seconds."),
                          headers={"Retry-After": str(error.retry_after)})


def register(blueprint) -> None:
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(DomainError, domain_error)
    blueprint.register_error_handler(ApiError, api_error)
    blueprint.register_error_handler(DatabaseBusy, database_busy)
