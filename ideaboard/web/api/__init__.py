"""The JSON API, v1 (`/api/v1/…`): one more blueprint over the SAME services and queries as
the web pages, so visibility, anonymity, closed campaigns, permissions and rate limits hold
exactly as they do there. Authenticated by personal access tokens (web/api/auth.py); the
OpenAPI 3.1 document is at /api/v1/openapi.json."""
from __future__ import annotations

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _

from ideaboard.extensions import limiter
from ideaboard.models import TokenScope
from ideaboard.services.settings import rate_limit
from ideaboard.web.access import public
from ideaboard.web.api import errors
from ideaboard.web.api.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
errors.register(bp)
limiter.limit(lambda: rate_limit("api"))(bp)  # every API request, per token's person
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def _token_required():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "ideaboard_public", False):
        return
    token = g.get("api_token")
    if token is None:
        raise ApiError(401, "unauthorized" if not g.get("api_token_offered") else
                       "invalid_token",
                       _("Send a valid personal access token: Authorization: Bearer <token>.")
                       if not g.get("api_token_offered") else
                       _("This token is not valid: it may be mistyped, expired or revoked."))
    if request.method in WRITE_METHODS and not token.allows(TokenScope.WRITE):
        raise ApiError(403, "insufficient_scope",
                       _("This token may only read. Make a token with the “write” scope "
                         "to post, comment, vote or follow."))


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 description of this API (no token needed to read it)."""
    from ideaboard.web.api.openapi import document

    return document()


from ideaboard.web.api import campaigns, ideas, me  # noqa: E402,F401  (routes)
