"""The signed-in user's own profile."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ideaboard.forms import ActionForm
from ideaboard.forms.auth import ChangePasswordForm, ProfileForm
from ideaboard.forms.review import KIND_LABELS, PreferencesForm
from ideaboard.models import Level, NotificationKind
from ideaboard.queries.accounts import session_count
from ideaboard.queries.notifications import current_preferences
from ideaboard.services import DomainError
from ideaboard.services.accounts import update_profile
from ideaboard.services.feeds import reset_feed_token
from ideaboard.services.identity import change_password, sign_out_everywhere
from ideaboard.services.notifications import save_preferences
from ideaboard.web.auth import department_choices

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _members_only():
    """Every page here belongs to a signed-in user."""


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm(obj=current_user, department_id=current_user.department_id or 0,
                       locale=current_user.locale or "")
    form.department_id.choices = department_choices()
    if form.validate_on_submit():
        update_profile(current_user, display_name=form.display_name.data,
                       department_id=form.department_id.data or None,
                       level=Level(form.level.data), locale=form.locale.data)
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form)


@bp.get("/feeds")
def feeds():
    """The reader's private feed links, and a way to revoke them all."""
    return render_template("account/feeds.html", reset_form=ActionForm())


@bp.post("/feeds/reset")
def reset_feeds():
    if not ActionForm().validate_on_submit():
        abort(400)
    reset_feed_token(current_user)
    flash(_("Your old feed links no longer work. Copy the new ones into your feed reader."),
          "success")
    return redirect(url_for("account.feeds"))


@bp.route("/notifications", methods=["GET", "POST"])
def notifications():
    form = PreferencesForm()
    current = {p.kind: p for p in current_preferences(current_user)}
    if not form.is_submitted():
        form.email_digest.data = current_user.email_digest
        for kind in NotificationKind:
            preference = current.get(kind)
            form[f"{kind.value}_in_app"].data = preference.in_app if preference else True
            form[f"{kind.value}_email"].data = preference.email if preference else True
    if form.validate_on_submit():
        save_preferences(current_user, {
            kind: (form[f"{kind.value}_in_app"].data, form[f"{kind.value}_email"].data)
            for kind in NotificationKind}, form.email_digest.data)
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("account.notifications"))
    return render_template("account/notifications.html", form=form, kinds=KIND_LABELS,
                           leader_kinds={NotificationKind.QUEUE_NEW,
                                         NotificationKind.QUEUE_OVERDUE})


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change the password (other sessions end) and sign out everywhere."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data,
                            keep_session_id=current_user.login_session_id)
        except DomainError as refused:
            form.current_password.errors.append(str(refused))
        else:
            flash(_("Your password is changed. You stay signed in here; every other device "
                    "is signed out."), "success")
            return redirect(url_for("account.password"))
    return render_template("account/password.html", form=form, end_form=ActionForm(),
                           sessions=session_count(current_user))


@bp.post("/sessions/end")
def end_sessions():
    if ActionForm().validate_on_submit():
        sign_out_everywhere(current_user)
        logout_user()
        flash(_("You are signed out on every device, this one included."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.password"))
