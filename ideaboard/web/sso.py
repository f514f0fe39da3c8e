"""Sign-in through the company's OpenID Connect provider (Authlib).

Authlib does the protocol: discovery from OIDC_ISSUER, the authorization-code flow with
PKCE (S256), `state` kept in this browser's session and dropped once used (a replayed or
foreign callback is refused), a `nonce`, and the ID token's signature, issuer, audience
(our client id) and expiry. services/sso.py turns the claims into an account.
"""
from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from ideaboard.extensions import by_address, limiter
from ideaboard.services import DomainError
from ideaboard.services.settings import rate_limit
from ideaboard.services.sso import profile_from_claims, sign_in_with_sso
from ideaboard.web.access import public
from ideaboard.web.auth import sign_in
from ideaboard.web.redirects import is_safe_next, redirect_next

bp = Blueprint("sso", __name__, url_prefix="/login/sso")
EXTENSION = "ideaboard_sso"
NEXT_KEY = "sso_next"
# What can go wrong between us and the provider, or with what it answers.
PROTOCOL_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError)


def init_sso(app: Flask) -> None:
    """Register the provider when OIDC_ISSUER is set; the routes answer 404 otherwise."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "company", client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "timeout": 10})


def _client():
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        abort(404)
    return client


@bp.post("")
@public
@limiter.limit(lambda: rate_limit("login"), key_func=by_address)
def start():
    client = _client()  # the CSRF token was checked before this view (CSRFProtect)
    next_page = request.args.get("next")
    session[NEXT_KEY] = next_page if is_safe_next(next_page) else None
    try:
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except PROTOCOL_ERRORS as error:
        return _failed(error, _("The company sign-in service cannot be reached right now. "
                                "Try again in a few minutes."), 502)


@bp.get("/callback")
@public
@limiter.limit(lambda: rate_limit("login"), key_func=by_address)
def callback():
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise ValueError("no ID token in the token response")
        issuer = client.load_server_metadata()["issuer"]
        if "userinfo_endpoint" in client.load_server_metadata():
            extra = client.userinfo(token=token)
            if extra.get("sub") == claims["sub"]:
                claims = {**extra, **claims}
    except PROTOCOL_ERRORS as error:
        return _failed(error, _("Signing in with your company account did not work: the "
                                "answer was out of date, already used or not meant for "
                                "Ideaboard. Start again from the sign-in page."), 400)
    try:
        user = sign_in_with_sso(profile_from_claims(issuer, claims))
    except DomainError as refused:
        return _failed(refused, str(refused), 403)
    sign_in(user, remember=False)
    return redirect_next(session.pop(NEXT_KEY, None))


def _failed(error: Exception, advice: str, status: int):
    current_app.logger.warning("single sign-on refused: %s", type(error).__name__)
    return render_template("errors/error.html", code=status, title=_("Sign-in failed"),
                           advice=advice), status
