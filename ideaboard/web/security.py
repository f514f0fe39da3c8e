"""Login, security headers, caching rules and per-request SQL accounting."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ideaboard.extensions import login_manager, talisman

STATIC_ENDPOINTS = {"static", "bootstrap.static"}
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


@login_manager.user_loader
def _load_user(session_id: str):
    from ideaboard.services.accounts import load_login_session
    return load_login_session(session_id)


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(*_args) -> None:
    if has_request_context():
        g.sql_statements = g.get("sql_statements", 0) + 1


def content_security_policy(app: Flask) -> dict[str, str]:
    """The policy, letting the sign-in form go on to the single sign-on provider (browsers
    apply form-action to the redirects that follow a form's submission)."""
    policy = dict(CONTENT_SECURITY_POLICY)
    issuer = app.config.get("OIDC_ISSUER")
    if issuer:
        parts = urlsplit(issuer)
        policy["form-action"] += f" {parts.scheme}://{parts.netloc}"
    return policy


def init_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=content_security_policy(app),
        frame_options="DENY",
        referrer_policy="same-origin",
        strict_transport_security=app.config["FORCE_HTTPS"],
    )

    @app.after_request
    def _signed_in_pages_are_private(response):
        if request.endpoint not in STATIC_ENDPOINTS and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        if app.config["SQL_COUNT_HEADER"]:
            response.headers["X-SQL-Count"] = str(g.get("sql_statements", 0))
        return response
