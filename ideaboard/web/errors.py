"""Friendly error pages (HTML, or JSON for fetch requests)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


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
    code = error.code or 500
    title, advice = _messages().get(code, (error.name, error.description or ""))
    if isinstance(error, CSRFError):
        advice = _("The page was open too long or your session changed. "
                   "Reload the page and try again.")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=advice), code
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.testing:
            raise error
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(InternalServerError())
