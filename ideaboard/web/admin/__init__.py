"""Administration. The role gate sits on the blueprint so no route can forget it.

Flags first (the queue), then users, departments, settings, the audit log and exports;
one module per area. Every POST is one call to one service, which writes one audit entry.
"""
from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_login import current_user, login_required

from ideaboard.permissions import is_admin
from ideaboard.web.redirects import is_safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if not is_admin(current_user):
        abort(403)


@bp.get("/")
def index():
    return redirect(url_for("admin.flags"))


def back_to(default: str):
    """Back where the form came from (a checked "next"), else to `default`."""
    back = request.form.get("next")
    return redirect(back if is_safe_next(back) else default)


def private(response):
    """Pages that show what only this admin may see are never cached."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


from ideaboard.web.admin import (  # noqa: E402  (the routes register themselves on bp)
    campaigns,
    integrations,
    moderation,
    people,
    records,
    settings,
)

__all__ = ["bp", "campaigns", "integrations", "moderation", "people", "records", "settings"]
