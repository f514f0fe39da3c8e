"""Bearer-token authentication for the JSON API and SCIM, before anything else runs.

It runs first among the app's request hooks (before CSRF, rate limits and the read gate), so
the rate limiter counts per token's person and the read gate sees who the token acts as.
Cookies never authenticate these routes: a request without a valid token is anonymous
here, whatever session cookie the browser sends — which is why the API needs no CSRF token.
The CSRF check is skipped only for requests that carry a bearer token (a browser cannot be
made to send an Authorization header to another site without the site's CORS consent); a
wrong token answers 401. An unsafe request without one still goes through the CSRF check.
"""
from __future__ import annotations

from flask import Blueprint, Flask, g, request

from ideaboard.extensions import csrf, login_manager
from ideaboard.models import TokenKind
from ideaboard.services.api_tokens import authenticate

TOKEN_BLUEPRINTS = {"api": TokenKind.PERSONAL, "scim": TokenKind.SCIM}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def token_blueprint() -> str | None:
    """The token-authenticated blueprint this request is for, if any."""
    blueprint = (request.blueprint or "").split(".")[0]
    return blueprint if blueprint in TOKEN_BLUEPRINTS else None


def _authenticate_bearer() -> None:
    blueprint = token_blueprint()
    if blueprint is None:
        return
    secret = bearer_secret()
    token = authenticate(secret, TOKEN_BLUEPRINTS[blueprint]) if secret else None
    g.api_token = token
    g.api_token_offered = secret is not None
    g._login_user = token.user if token else login_manager.anonymous_user()
    if secret is None and request.method not in SAFE_METHODS:
        csrf.protect()  # no bearer token at all: a browser's request, so no exemption


def install_token_authentication(app: Flask, *blueprints: Blueprint) -> None:
    for blueprint in blueprints:
        csrf.exempt(blueprint)  # checked above instead, unless a valid token came
    app.before_request_funcs.setdefault(None, []).insert(0, _authenticate_bearer)
