"""Administration. The role gate sits on the blueprint so no route can forget it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.forms.admin import InviteForm
from ideaboard.forms.review import EscalationRuleForm
from ideaboard.models import Invite, Role
from ideaboard.permissions import is_admin
from ideaboard.services import DomainError
from ideaboard.services.accounts import create_invite
from ideaboard.services.review import (
    escalation_rule_preview,
    site_settings,
    update_escalation_rule,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if not is_admin(current_user):
        abort(403)


@bp.get("/")
def index():
    return redirect(url_for("admin.invites"))


@bp.route("/invites", methods=["GET", "POST"])
def invites():
    form = InviteForm()
    if form.validate_on_submit():
        invite = create_invite(current_user, email=form.email.data or None,
                               role=Role(form.role.data), valid_days=form.valid_days.data)
        flash(_("Invitation created. Send this link: %(url)s",
                url=url_for("auth.signup", token=invite.token, _external=True)), "success")
        return redirect(url_for("admin.invites"))
    recent = db.session.scalars(select(Invite).order_by(Invite.created_at.desc()).limit(50))
    return render_template("admin/invites.html", form=form, invites=list(recent))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The escalation rule: preview how many open ideas it covers, then save."""
    current = site_settings()
    form = EscalationRuleForm(
        min_supporters=current.escalation_min_supporters,
        min_supporters_percent=current.escalation_min_supporters_percent,
        min_wilson=current.escalation_min_wilson, sla_days=current.review_sla_days)
    preview = None
    if form.validate_on_submit():
        values = {"min_supporters": form.min_supporters.data,
                  "percent": float(form.min_supporters_percent.data)
                  if form.min_supporters_percent.data else None,
                  "min_wilson": float(form.min_wilson.data)}
        if "save" in request.form and form.confirm.data:
            try:
                escalated = update_escalation_rule(current_user, sla_days=form.sla_days.data,
                                                   **values)
            except DomainError as refused:
                flash(str(refused), "warning")
            else:
                flash(ngettext("Saved. %(num)d open idea reached the new rule and went to the "
                               "review queue.", "Saved. %(num)d open ideas reached the new rule "
                               "and went to the review queue.", escalated), "success")
                return redirect(url_for("admin.settings"))
        preview = escalation_rule_preview(**values)
        form.confirm.data = True
    return render_template("admin/settings.html", form=form, preview=preview, current=current)
