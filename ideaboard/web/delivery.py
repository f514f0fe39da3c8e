"""Volunteering and delivery on the idea page (pledges, team, owner, milestones, updates,
start and finish) and the public Delivered page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.forms import ActionForm
from ideaboard.forms.delivery import (
    MilestoneForm,
    OutcomeForm,
    OwnerForm,
    PledgeForm,
    UpdateForm,
)
from ideaboard.models import Idea
from ideaboard.queries.delivery import (
    delivered,
    delivery_for,
    idea_of_milestone,
    idea_of_pledge,
    owner_id_for,
    pledges_for,
)
from ideaboard.services import DomainError
from ideaboard.services.delivery import (
    add_milestone,
    delete_milestone,
    invite_to_team,
    join_team,
    mark_delivered,
    name_owner,
    pledge_time,
    post_update,
    remove_from_team,
    set_milestone_done,
    start_work,
    withdraw_pledge,
)
from ideaboard.web.ideas import load_idea

bp = Blueprint("delivery", __name__)


@bp.before_request
@login_required
def _members_only():
    """Volunteering and delivery are for signed-in employees."""


@bp.app_template_global()
def delivery_panel(idea: Idea) -> dict:
    """What the idea page shows of pledges, the team and the delivery, with its forms."""
    delivery = delivery_for(idea)
    owner_id = delivery.owner_id if delivery else owner_id_for(idea)
    return {"delivery": delivery, "owner_id": owner_id,
            "pledges": pledges_for(idea, current_user, owner_id),
            "pledge_form": PledgeForm(), "milestone_form": MilestoneForm(),
            "update_form": UpdateForm(), "owner_form": OwnerForm(),
            "outcome_form": OutcomeForm()}


def _back(idea: Idea, anchor: str = "delivery"):
    return redirect(url_for("ideas.show", public_id=idea.public_id, _anchor=anchor))


def _run(action, idea: Idea, success: str, anchor: str = "delivery"):
    """Call one service, flash its outcome, go back to the idea."""
    try:
        action()
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(success, "success")
    return _back(idea, anchor)


def _form_or_back(form, idea: Idea, anchor: str):
    """A valid form, or None after flashing its first error (400 without a CSRF token)."""
    if form.validate_on_submit():
        return form
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        abort(400)
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "warning")
            return None
    return None


# --- the Delivered page -------------------------------------------------------------------

@bp.get("/delivered")
def delivered_page():
    return render_template("delivery/delivered.html",
                           page=delivered(after=request.args.get("after")))


# --- pledges and the team -----------------------------------------------------------------

@bp.post("/ideas/<public_id>/pledge")
def pledge(public_id: str):
    idea = load_idea(public_id)
    form = _form_or_back(PledgeForm(), idea, "volunteers")
    if form is None:
        return _back(idea, "volunteers")
    return _run(lambda: pledge_time(current_user, idea, hours_per_week=form.hours_per_week.data,
                                    weeks=form.weeks.data, skills=form.skills.data or "",
                                    note=form.pledge_note.data or ""), idea,
                _("Thank you. The author sees your offer; others see only how many people "
                  "and hours."), "volunteers")


def _action() -> None:
    """A button: only the CSRF token to check."""
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/ideas/<public_id>/pledge/withdraw")
def withdraw(public_id: str):
    idea = load_idea(public_id)
    _action()
    return _run(lambda: withdraw_pledge(current_user, idea), idea,
                _("Your offer is withdrawn."), "volunteers")


def _pledge_idea(pledge_id: int) -> Idea:
    idea = idea_of_pledge(pledge_id)
    if idea is None:
        abort(404)
    return idea


@bp.post("/pledges/<int:pledge_id>/invite")
def invite(pledge_id: int):
    idea = _pledge_idea(pledge_id)
    _action()
    return _run(lambda: invite_to_team(current_user, pledge_id), idea,
                _("Invitation sent. They join the team when they accept."), "volunteers")


@bp.post("/pledges/<int:pledge_id>/join")
def join(pledge_id: int):
    idea = _pledge_idea(pledge_id)
    _action()
    return _run(lambda: join_team(current_user, pledge_id), idea,
                _("Welcome to the team. You will hear of every progress update."), "volunteers")


@bp.post("/pledges/<int:pledge_id>/remove")
def remove(pledge_id: int):
    idea = _pledge_idea(pledge_id)
    _action()
    return _run(lambda: remove_from_team(current_user, pledge_id), idea,
                _("They are no longer on the team; their offer stays."), "volunteers")


# --- the delivery -------------------------------------------------------------------------

@bp.post("/ideas/<public_id>/delivery/owner")
def owner(public_id: str):
    idea = load_idea(public_id)
    form = _form_or_back(OwnerForm(), idea, "delivery")
    if form is None:
        return _back(idea)
    return _run(lambda: name_owner(current_user, idea, form.owner_email.data), idea,
                _("The delivery has a new owner."))


@bp.post("/ideas/<public_id>/milestones")
def milestone(public_id: str):
    idea = load_idea(public_id)
    form = _form_or_back(MilestoneForm(), idea, "delivery")
    if form is None:
        return _back(idea)
    return _run(lambda: add_milestone(current_user, idea, form.milestone_title.data,
                                            form.milestone_due.data),
                idea, _("Milestone added."))


def _milestone_idea(milestone_id: int) -> Idea:
    idea = idea_of_milestone(milestone_id)
    if idea is None:
        abort(404)
    return idea


@bp.post("/milestones/<int:milestone_id>/done")
def milestone_done(milestone_id: int):
    idea = _milestone_idea(milestone_id)
    _action()
    done = request.form.get("done", "1") == "1"
    return _run(lambda: set_milestone_done(current_user, milestone_id, done), idea,
                _("Milestone reached.") if done else _("Milestone reopened."))


@bp.post("/milestones/<int:milestone_id>/delete")
def milestone_delete(milestone_id: int):
    idea = _milestone_idea(milestone_id)
    _action()
    return _run(lambda: delete_milestone(current_user, milestone_id), idea,
                _("Milestone removed."))


@bp.post("/ideas/<public_id>/updates")
def update(public_id: str):
    idea = load_idea(public_id)
    form = _form_or_back(UpdateForm(), idea, "delivery")
    if form is None:
        return _back(idea)
    return _run(lambda: post_update(current_user, idea, form.update_body.data,
                                          form.spent_amount.data),
                idea, _("Update posted. Backers, volunteers and followers are told."))


@bp.post("/ideas/<public_id>/delivery/start")
def start(public_id: str):
    idea = load_idea(public_id)
    _action()
    return _run(lambda: start_work(current_user, idea), idea,
                _("Work has started: the idea is now in progress."))


@bp.post("/ideas/<public_id>/delivery/done")
def done(public_id: str):
    idea = load_idea(public_id)
    form = _form_or_back(OutcomeForm(), idea, "delivery")
    if form is None:
        return _back(idea)
    return _run(lambda: mark_delivered(current_user, idea, form.outcome.data), idea,
                _("Delivered. The outcome is on the idea and on the Delivered page."))
