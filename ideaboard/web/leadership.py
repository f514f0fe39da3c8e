"""Leaders' public track record: the overview (where the home page's queue counts lead)
and a page per leader. Every signed-in employee by default; leaders and administrators
only when an administrator says so."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from ideaboard.extensions import db
from ideaboard.models import User
from ideaboard.permissions import can_view_track_record
from ideaboard.queries.track_record import (
    RECENT_DAYS,
    is_or_was_a_decider,
    leader_records,
    leadership_totals,
    owned_overdue,
    recent_decisions,
)

bp = Blueprint("leadership", __name__, url_prefix="/leadership")


@bp.before_request
@login_required
def _who_may_see():
    if not can_view_track_record(current_user):
        abort(403)


@bp.get("/")
def overview():
    return render_template("leadership/overview.html", totals=leadership_totals(),
                           page=leader_records(request.args.get("after")),
                           recent_days=RECENT_DAYS)


@bp.get("/<int:user_id>")
def leader(user_id: int):
    person = db.get_or_404(User, user_id)
    if not is_or_was_a_decider(person):
        abort(404)
    return render_template("leadership/leader.html", person=person,
                           record=leader_records(user_id=person.id).leaders[0],
                           decisions=recent_decisions(person), overdue=owned_overdue(person),
                           recent_days=RECENT_DAYS)
