"""Users (role, department, level, suspension, deactivation), departments and invitations."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import db
from ideaboard.forms.admin import (
    AccessForm,
    AccountForm,
    DepartmentForm,
    InviteForm,
    SuspendForm,
)
from ideaboard.forms.auth import LEVEL_CHOICES
from ideaboard.models import Department, Invite, Level, Role, User
from ideaboard.names import department_name
from ideaboard.queries.admin import (
    all_departments,
    audit_entries_about,
    departments_with_counts,
    search_users,
)
from ideaboard.services import DomainError
from ideaboard.services.admin import (
    add_department,
    deactivate,
    invite,
    lift_suspension,
    reactivate,
    rename_department,
    suspend,
    update_account,
)
from ideaboard.services.settings import current_platform_settings
from ideaboard.web.admin import bp
from ideaboard.web.arguments import query_int


@bp.get("/users")
def users():
    query = request.args.get("q", "")[:100]
    page = search_users(query, before=query_int("before"))
    return render_template("admin/users.html", page=page, query=query)


def department_choices() -> list[SelectChoice]:
    return [SelectChoice(0, _("— none —"))] + [SelectChoice(d.id, department_name(d.name))
                                               for d in all_departments()]


def _user_page(user: User, account_form=None, suspend_form=None, access_form=None,
               status: int = 200):
    if account_form is None:
        account_form = AccountForm(role=user.role.value, level=user.level.value,
                                   department_id=user.department_id or 0, formdata=None)
        account_form.department_id.choices = department_choices()
    return render_template(
        "admin/user.html", user=user, account_form=account_form,
        suspend_form=suspend_form or SuspendForm(formdata=None),
        access_form=access_form or AccessForm(formdata=None),
        history=audit_entries_about("user", user.id)), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = db.get_or_404(User, user_id)
    if request.method == "GET":
        return _user_page(user)
    form = AccountForm()
    form.department_id.choices = department_choices()
    if form.validate_on_submit():
        try:
            changes = update_account(current_user, user, role=Role(form.role.data),
                                     department_id=form.department_id.data or None,
                                     level=Level(form.level.data), reason=form.reason.data)
        except DomainError as refused:
            form.reason.errors.append(str(refused))
        else:
            flash(_("Saved.") if changes else _("Nothing changed."),
                  "success" if changes else "info")
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, account_form=form)


@bp.post("/users/<int:user_id>/suspend")
def user_suspend(user_id: int):
    user = db.get_or_404(User, user_id)
    form = SuspendForm()
    if form.validate_on_submit():
        if not form.permanent.data and form.until.data is None:
            form.until.errors.append(_("Choose the end date, or suspend until further notice."))
        else:
            try:
                suspend(current_user, user, None if form.permanent.data else form.until.data,
                        form.reason.data)
            except DomainError as refused:
                form.reason.errors.append(str(refused))
            else:
                flash(_("Suspended. They were signed out everywhere and will see your reason "
                        "when they try to sign in."), "success")
                return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, suspend_form=form)


ACCESS_ACTIONS = {"unsuspend": (lift_suspension, _l("Suspension lifted.")),
                  "deactivate": (deactivate, _l("Deactivated: they can no longer sign in.")),
                  "reactivate": (reactivate, _l("Reactivated."))}


@bp.post("/users/<int:user_id>/access")
def user_access(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AccessForm()
    action = request.form.get("action", "")
    if form.validate_on_submit() and action in ACCESS_ACTIONS:
        service, done = ACCESS_ACTIONS[action]
        try:
            service(current_user, user, form.reason.data)
        except DomainError as refused:
            form.reason.errors.append(str(refused))
        else:
            flash(str(done), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _user_page(user, access_form=form)


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            add_department(current_user, form.name.data)
        except DomainError as refused:
            form.name.errors.append(str(refused))
        else:
            flash(_("Department added."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/departments.html", form=form,
                           departments=departments_with_counts(), levels=LEVEL_CHOICES,
                           minimum=current_platform_settings().small_group_minimum)


@bp.post("/departments/<int:department_id>")
def department(department_id: int):
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            rename_department(current_user, db.get_or_404(Department, department_id),
                              form.name.data)
        except DomainError as refused:
            flash(str(refused), "warning")
        else:
            flash(_("Department renamed."), "success")
    else:
        flash(_("Give the department a name of up to 80 characters."), "warning")
    return redirect(url_for("admin.departments"))


@bp.route("/invites", methods=["GET", "POST"])
def invites():
    form = InviteForm()
    if form.validate_on_submit():
        created = invite(current_user, email=form.email.data or None,
                         role=Role(form.role.data), valid_days=form.valid_days.data)
        flash(_("Invitation created. Send this link: %(url)s",
                url=url_for("auth.signup", token=created.token, _external=True)), "success")
        return redirect(url_for("admin.invites"))
    recent = db.session.scalars(select(Invite).order_by(Invite.created_at.desc()).limit(50))
    return render_template("admin/invites.html", form=form, invites=list(recent))
