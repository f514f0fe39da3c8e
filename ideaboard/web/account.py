"""The signed-in user's own profile."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.auth import ChangePasswordForm, ProfileForm
from ideaboard.forms.integrations import TokenForm
from ideaboard.forms.review import KIND_LABELS, PreferencesForm
from ideaboard.models import Level, NotificationKind, TokenKind
from ideaboard.permissions import can_edit_own_department_and_level
from ideaboard.queries.accounts import session_count
from ideaboard.queries.integrations import token_by_id, tokens_of
from ideaboard.queries.notifications import current_preferences
from ideaboard.services import DomainError
from ideaboard.services.accounts import update_profile
from ideaboard.services.api_tokens import create_personal_token, revoke_token
from ideaboard.services.feeds import reset_feed_token
from ideaboard.services.identity import change_password, sign_out_everywhere
from ideaboard.services.notifications import save_preferences
from ideaboard.web.auth import department_choices
from ideaboard.web.issued_tokens import keep_for_one_display, take_issued

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
    synced = not can_edit_own_department_and_level(current_user)
    if synced:  # the directory owns them (SCIM): shown, not editable
        form.department_id.data = current_user.department_id or 0
        form.level.data = current_user.level.value
        for name in ("department_id", "level"):
            form[name].render_kw = {"disabled": True}
    if form.validate_on_submit():
        try:
            update_profile(current_user, display_name=form.display_name.data,
                           department_id=form.department_id.data or None,
                           level=Level(form.level.data), locale=form.locale.data)
        except DomainError as refused:
            show_refusal(form, refused, "department_id")
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form, synced=synced)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    """Personal access tokens for the JSON API: made here, shown once, revoked here."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            issued = create_personal_token(
                current_user, name=form.name.data, write=form.write.data,
                expires_in_days=int(form.expires_in_days.data or 0) or None)
        except DomainError as refused:
            show_refusal(form, refused, "name")
        else:
            keep_for_one_display(issued)
            return redirect(url_for("account.tokens"))
    response = make_response(render_template(
        "account/tokens.html", form=form, tokens=tokens_of(current_user),
        issued=take_issued(TokenKind.PERSONAL, current_user.id),
        revoke_form=ActionForm(), api_url=url_for("api.openapi", _external=True)
        .rsplit("/openapi.json", 1)[0]))
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page once
    return response


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token_action(token_id: int):
    token = token_by_id(token_id)
    if token is None or token.kind != TokenKind.PERSONAL or token.user_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    revoke_token(current_user, token)
    flash(_("The token is revoked: it stopped working at once."), "success")
    return redirect(url_for("account.tokens"))


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
