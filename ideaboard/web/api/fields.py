"""Reading a JSON request body and query arguments, with JSON errors for what is wrong."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _

from ideaboard.web.api.errors import ApiError
from ideaboard.web.arguments import query_int

MAX_PAGE = 100


def json_body() -> dict:
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("Send a JSON object as the request body."))
    return data


def optional_text(data: dict, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:  # NUL: never text (PostgreSQL agrees)
        raise ApiError(422, "invalid_input", _("“%(name)s” must be text.", name=name), name)
    return value


def required_text(data: dict, name: str) -> str:
    value = optional_text(data, name)
    if value is None:
        raise ApiError(422, "invalid_input", _("“%(name)s” is required.", name=name), name)
    return value


def optional_bool(data: dict, name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(422, "invalid_input", _("“%(name)s” must be true or false.", name=name),
                       name)
    return value


def page_limit() -> int:
    """?limit= (1 to 100), else API_PAGE_SIZE."""
    value = query_int("limit")
    if value is None:
        return int(current_app.config["API_PAGE_SIZE"])
    return max(1, min(MAX_PAGE, value))
