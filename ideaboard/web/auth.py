"""Sign in, sign out and sign up (open domains or invitation)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import db, limiter
from ideaboard.forms import ActionForm
from ideaboard.forms.auth import LoginForm, SignupForm
from ideaboard.models import Department, Level
from ideaboard.services import DomainError
from ideaboard.services.accounts import (
    AccountSuspended,
    authenticate,
    end_login_session,
    find_usable_invite,
    register_user,
    start_login_session,
)
from ideaboard.services.settings import rate_limit, signup_domains  # admin-set, else config
from ideaboard.web.access import public
from ideaboard.web.redirects import redirect_next

bp = Blueprint("auth", __name__)


def department_choices() -> list[SelectChoice]:
    departments = db.session.scalars(select(Department).order_by(Department.name))
    return [SelectChoice(0, _("— choose —"))] + [SelectChoice(d.id, d.name) for d in departments]


def _sign_in(user, remember: bool) -> None:
    login_session = start_login_session(user, request.user_agent.string)
    user.login_session_id = login_session.id
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: rate_limit("login"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_next(request.args.get("next"))
    form = LoginForm(next=request.args.get("next", ""))
    suspension = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountSuspended as refused:
            suspension = refused
        except DomainError as refused:
            form.password.errors.append(str(refused))
        else:
            _sign_in(user, form.remember.data)
            return redirect_next(form.next.data)
    return render_template("auth/login.html", form=form, suspension=suspension,
                           format_date=format_date)


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
@limiter.limit(lambda: rate_limit("signup"), methods=["POST"])
def signup(token: str | None = None):
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    invite = find_usable_invite(token) if token else None
    if token and invite is None:
        abort(404)
    form = SignupForm(email=invite.email if invite and invite.email else None)
    form.department_id.choices = department_choices()
    if form.validate_on_submit():
        try:
            user = register_user(
                email=form.email.data, password=form.password.data,
                display_name=form.display_name.data,
                department_id=form.department_id.data or None, level=Level(form.level.data),
                locale=form.locale.data, invite_token=token,
                allowed_domains=signup_domains())
        except DomainError as refused:
            form.email.errors.append(str(refused))
        else:
            _sign_in(user, remember=False)
            flash(_("Welcome to Ideaboard, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/signup.html", form=form, invite=invite,
                           domains=signup_domains())
