"""Reading needs sign-in unless an admin opens the platform up (Admin → Settings →
Platform). A few pages are always open (`@public`: sign-in, sign-up, the language switch);
feeds (`@feed`) also accept the reader's personal feed token instead of a session. Whether
one idea or campaign is there for a viewer is ideaboard/visibility.py; this module turns
its answers into 404s and sign-in redirects."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, g, request
from flask_login import current_user

from ideaboard.extensions import login_manager
from ideaboard.models import User
from ideaboard.services.feeds import user_for_feed_token
from ideaboard.services.settings import read_requires_sign_in
from ideaboard.visibility import Access

ALWAYS_OPEN = {"static", "bootstrap.static"}
TOKEN_AUTHENTICATED = {"api", "scim"}  # bearer tokens, never cookies (issue 20)


def public(view: Callable) -> Callable:
    """Open to everyone, whatever the read setting (sign-in, sign-up, language)."""
    view.ideaboard_public = True
    return view


def feed(view: Callable) -> Callable:
    """A feed: readable with a personal feed token (`?token=`) when sign-in is required."""
    view.ideaboard_feed = True
    return view


def viewer() -> User | None:
    """Who is reading: the signed-in user, or the owner of the feed token on a feed."""
    if current_user.is_authenticated:
        return current_user
    return g.get("feed_viewer")


def guard(access: Access, *, in_feed: bool = False) -> None:
    """A 404 for what is not there for this viewer; sign-in for a sensitive campaign (a feed
    reader cannot sign in, so in a feed that is a 404 too)."""
    if access == Access.GONE or (access == Access.SIGN_IN and in_feed):
        abort(404)
    if access == Access.SIGN_IN:
        abort(login_manager.unauthorized())


def init_read_gate(app: Flask) -> None:
    @app.before_request
    def _sign_in_to_read():
        endpoint = request.endpoint
        if endpoint is None or endpoint in ALWAYS_OPEN:
            return None  # unknown URLs answer 404 as usual
        if request.blueprint in TOKEN_AUTHENTICATED:
            return None  # the API and SCIM answer 401 themselves (web/api/auth.py)
        view = app.view_functions.get(endpoint)
        if getattr(view, "ideaboard_public", False) or current_user.is_authenticated:
            return None
        if getattr(view, "ideaboard_feed", False) and "token" in request.args:
            g.feed_viewer = user_for_feed_token(request.args.get("token"))
            if g.feed_viewer is None:
                abort(404)  # a reset or forged link: nothing here for it
            return None
        if read_requires_sign_in():
            return login_manager.unauthorized()
        return None
