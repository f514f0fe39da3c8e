"""Sign in, sign out and sign up (open domains or invitation)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import by_address, db, limiter
from ideaboard.forms import ActionForm
from ideaboard.forms.auth import EmailLinkForm, LoginForm, ResetPasswordForm, SignupForm
from ideaboard.models import Department, Level, TokenPurpose
from ideaboard.names import department_name
from ideaboard.permissions import department_and_level_are_self_declared
from ideaboard.services import DomainError
from ideaboard.services.accounts import (
    AccountSuspended,
    EmailNotConfirmed,
    authenticate,
    end_login_session,
    find_usable_invite,
    register_user,
    start_login_session,
)
from ideaboard.services.identity import (
    confirm_email,
    live_token,
    request_password_reset,
    resend_verification,
    reset_password,
    sso_only,
)
from ideaboard.services.notifications import mail_enabled
from ideaboard.services.settings import rate_limit, signup_domains  # admin-set, else config
from ideaboard.web.access import public
from ideaboard.web.redirects import redirect_next

bp = Blueprint("auth", __name__)


def department_choices() -> list[SelectChoice]:
    departments = db.session.scalars(select(Department).order_by(Department.name))
    return [SelectChoice(0, _("— choose —"))] + [SelectChoice(d.id, department_name(d.name))
                                                    for d in departments]


def sign_in(user, remember: bool) -> None:
    """Start a LoginSession row for this browser (password and single sign-on alike)."""
    login_session = start_login_session(user, request.user_agent.string)
    user.login_session_id = login_session.id
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: rate_limit("login"), methods=["POST"], key_func=by_address)
def login():
    if current_user.is_authenticated:
        return redirect_next(request.args.get("next"))
    form = LoginForm(next=request.args.get("next", ""))
    suspension = resend = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountSuspended as refused:
            suspension = refused
        except EmailNotConfirmed as refused:
            form.password.errors.append(str(refused))
            resend = EmailLinkForm(email=form.email.data)
        except DomainError as refused:
            form.password.errors.append(str(refused))
        else:
            sign_in(user, form.remember.data)
            return redirect_next(form.next.data)
    return render_template("auth/login.html", form=form, suspension=suspension,
                           resend=resend, format_date=format_date, sso_only=sso_only())


@bp.post("/logout")
@login_required
def logout():
    if ActionForm().validate_on_submit():
        end_login_session(current_user.login_session_id)
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/signup", methods=["GET", "POST"])
@bp.route("/signup/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: rate_limit("signup"), methods=["POST"], key_func=by_address)
def signup(token: str | None = None):
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    invite = find_usable_invite(token) if token else None
    if token and invite is None:
        abort(404)
    form = SignupForm(email=invite.email if invite and invite.email else None)
    self_declared = department_and_level_are_self_declared()
    if self_declared:
        form.department_id.choices = department_choices()
    else:  # the directory sets them: not offered, and not read if posted anyway
        del form.department_id, form.level
    if form.validate_on_submit():
        try:
            user = register_user(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data,
                department_id=(form.department_id.data or None) if self_declared else None,
                level=Level(form.level.data) if self_declared else None,
                locale=form.locale.data, invite_token=token,
                allowed_domains=signup_domains())
        except DomainError as refused:
            form.email.errors.append(str(refused))
        else:
            if user is None:  # a confirmation link is on its way
                return redirect(url_for("auth.signup_sent"))
            sign_in(user, remember=False)
            flash(_("Welcome to Ideaboard, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/signup.html", form=form, invite=invite,
                           domains=signup_domains(), sso_only=sso_only(),
                           self_declared=self_declared)


@bp.get("/signup/sent")
@public
def signup_sent():
    return render_template("auth/link_sent.html", purpose="verify", mail_enabled=mail_enabled(),
                           form=EmailLinkForm())


@bp.route("/verify/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    """GET only shows a button, so a mail scanner that opens links confirms nothing."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            confirm_email(token)
        except DomainError as refused:
            return _dead_link("verify", str(refused))
        flash(_("Your e-mail address is confirmed. Sign in to start."), "success")
        return redirect(url_for("auth.login"))
    if live_token(token, TokenPurpose.VERIFY_EMAIL) is None:
        return _dead_link("verify")
    return render_template("auth/verify.html", form=form)


@bp.post("/verify/resend")
@public
@limiter.limit(lambda: rate_limit("signup"), key_func=by_address)
def resend_confirmation():
    form = EmailLinkForm()
    if form.validate_on_submit():
        resend_verification(form.email.data)
    return redirect(url_for("auth.signup_sent"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: rate_limit("signup"), methods=["POST"], key_func=by_address)
def forgot_password():
    form = EmailLinkForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        return render_template("auth/link_sent.html", purpose="reset",
                               mail_enabled=mail_enabled(), form=None)
    return render_template("auth/forgot.html", form=form, mail_enabled=mail_enabled())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: rate_limit("login"), methods=["POST"], key_func=by_address)
def reset_password_page(token: str):
    if live_token(token, TokenPurpose.RESET_PASSWORD) is None:
        return _dead_link("reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data)
        except DomainError as refused:
            form.password.errors.append(str(refused))
        else:
            if current_user.is_authenticated:
                logout_user()  # its session row is gone with the others
            flash(_("Your password is changed and every session has ended. "
                    "Sign in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


def _dead_link(purpose: str, message: str | None = None):
    """Used, expired or made-up links all look the same: 404 with a way to get a new one."""
    return render_template("auth/dead_link.html", purpose=purpose, message=message,
                           form=EmailLinkForm()), 404
