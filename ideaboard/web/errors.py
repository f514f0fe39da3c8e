"""Friendly error pages (HTML, or JSON for fetch requests)."""
from __future__ import annotations

import re
from contextlib import suppress

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from ideaboard.database import RETRY_AFTER_SECONDS, DatabaseBusy, is_database_unavailable
from ideaboard.extensions import db, login_manager
from ideaboard.web.arguments import NulCharacterRefused

# Fields never echoed back into a page: a 503 on sign-in shows no re-send form at all.
_SECRET_FIELD = re.compile(r"pass|secret|token|confirm", re.IGNORECASE)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("That request could not be understood"),
              _("The form may have expired. Go back, reload the page and try again.")),
        403: (_("You do not have access to this page"),
              _("If you think you should, ask an administrator.")),
        404: (_("We could not find that page"),
              _("It may have been moved or deleted. Try the home page or the search.")),
        405: (_("That action is not available here"), _("Go back and use the page's buttons.")),
        413: (_("That upload is too large"), _("Shorten the text or attach a smaller file.")),
        429: (_("Slow down a little"),
              _("You have done that many times in a short while. Wait a minute and try again.")),
        500: (_("Something went wrong on our side"),
              _("It has been logged. Try again in a moment.")),
    }


def render_error(error: HTTPException):
    if request.path.startswith("/api/"):  # an address the JSON API does not have (issue 20)
        from ideaboard.web.api.errors import http_error

        return http_error(error)
    code = error.code or 500
    title, advice = _messages().get(code, (error.name, error.description or ""))
    if isinstance(error, CSRFError):
        advice = _("The page was open too long or your session changed. "
                   "Reload the page and try again.")
    elif isinstance(error, NulCharacterRefused):
        advice = str(error.description)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=advice), code
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def fields_to_resend() -> list[tuple[str, str, bool]] | None:
    """What a failed form POST sent, as (name, value, is_long_text), so the 503 page can
    offer it again; None when there is nothing to offer or it holds a password."""
    if request.method != "POST" or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != "csrf_token"]
    if not fields or any(_SECRET_FIELD.search(name) for name, _value in fields):
        return None
    return [(name, value, "\n" in value or len(value) > 60) for name, value in fields]


def render_database_unavailable(error: Exception):
    """503 with Retry-After: what the user sent comes back as a form that sends it again
    (with a fresh CSRF token), or as JSON that the page script retries. Rendered without
    touching the database, which may be the thing that is down."""
    with suppress(Exception):
        db.session.rollback()
    if "_login_user" not in g:  # loading the signed-in user needs the database
        g._login_user = login_manager.anonymous_user()
    retry_after = getattr(error, "retry_after", RETRY_AFTER_SECONDS)
    title = _("The database is busy")
    advice = _("Nothing was saved. Try again in a few seconds.")
    headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=advice, retry_after=retry_after), 503, headers
    current_app.logger.warning("Database unavailable for %s %s: %s", request.method,
                               request.path, error)
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        title=title, advice=advice, retry_after=retry_after, resend=fields_to_resend(),
        action=request.full_path.rstrip("?"),
        lang="zh-Hans" if str(get_locale() or "en") == "zh" else "en")
    return page, 503, headers


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.testing:
            raise error
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError())

    def _database_error(error: Exception):
        if is_database_unavailable(error):
            return render_database_unavailable(error)
        return _unexpected(error)

    for error_class in (DatabaseBusy, DBAPIError, PoolTimeout):
        app.register_error_handler(error_class, _database_error)
