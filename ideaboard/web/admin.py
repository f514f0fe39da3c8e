"""Administration. The role gate sits on the blueprint so no route can forget it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.forms.admin import InviteForm
from ideaboard.models import Invite, Role
from ideaboard.permissions import is_admin
from ideaboard.services.accounts import create_invite

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
