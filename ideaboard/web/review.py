"""The leadership review queue. The role gate sits on the blueprint so no route can forget it."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import db
from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.review import AssignForm, DecisionForm, PullForm, QueueFilterForm
from ideaboard.models import IdeaStatus, Stance, User
from ideaboard.permissions import is_leader
from ideaboard.queries.discovery import campaign_choices
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.queries.review import (
    QueueFilter,
    escalation_for,
    info_answers,
    leader_choices,
    newest_escalations,
    queue_counts,
    queue_owner_choices,
    review_queue,
    similar_ideas,
    strongest_comments,
    support_by_department,
    timeline,
)
from ideaboard.services import DomainError
from ideaboard.services.review import assign, change_status, claim, pull_into_queue
from ideaboard.web.ideas import load_idea
from ideaboard.web.templating import campaign_title

bp = Blueprint("review", __name__, url_prefix="/review")
_PUBLIC_ID = re.compile(r"([\w-]{12})/?$")


@bp.before_request
@login_required
def _leaders_only():
    if not is_leader(current_user):
        abort(403)


def queue_filters() -> tuple[QueueFilterForm, QueueFilter]:
    """The filters from the query string; a value that names nothing is ignored."""
    form = QueueFilterForm(request.args)
    form.campaign.choices = [SelectChoice("", _("All campaigns")), *(
        SelectChoice(str(row.id), campaign_title(row)) for row in campaign_choices())]
    form.owner.choices = [SelectChoice("", _("Anyone")), SelectChoice("mine", _("Mine")),
                          SelectChoice("none", _("Nobody yet")), *(
                              SelectChoice(str(u.id), u.display_name)
                              for u in queue_owner_choices())]
    campaign, owner = form.campaign.data or "", form.owner.data or ""
    return form, QueueFilter(
        campaign_id=int(campaign) if campaign.isdigit() and len(campaign) < 10 else None,
        owner_id=(current_user.id if owner == "mine"
                  else int(owner) if owner.isdigit() and len(owner) < 10 else None),
        unowned=owner == "none", overdue=bool(form.overdue.data), newest=form.sort.data == "new")


@bp.get("/")
def queue():
    form, filters = queue_filters()
    return render_template("review/queue.html", filter_form=form, filters=filters,
                           page=review_queue(request.args.get("after"),
                                             current_app.config["PAGE_SIZE"], filters),
                           newest=newest_escalations(), counts=queue_counts())


@bp.get("/<public_id>")
def item(public_id: str):
    return render_item(load_idea(public_id), DecisionForm())


def render_item(idea, decision_form: DecisionForm, status: int = 200):
    escalation = escalation_for(idea)
    assign_form = AssignForm(owner=escalation.owner_id if escalation else None)
    assign_form.owner.choices = leader_options()
    page = render_template(
        "review/item.html", idea=idea, escalation=escalation, timeline=timeline(idea),
        answers=info_answers(idea, current_user),
        comments_for=strongest_comments(idea, Stance.FOR),
        comments_against=strongest_comments(idea, Stance.AGAINST),
        similar=similar_ideas(idea), breakdown=support_by_department(idea, _("Other departments")),
        decision_form=decision_form, assign_form=assign_form, pull_form=PullForm())
    return page, status


def leader_options() -> list[SelectChoice]:
    return [SelectChoice(u.id, u.display_name) for u in leader_choices()]


def idea_from_link(text: str | None):
    """The idea a pasted link or public id names, or None."""
    match = _PUBLIC_ID.search((text or "").strip())
    return idea_by_public_id(match.group(1)) if match else None


def _back_to_item(public_id: str):
    return redirect(url_for("review.item", public_id=public_id))


@bp.post("/<public_id>/claim")
def claim_item(public_id: str):
    idea = load_idea(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        claim(current_user, idea)
        flash(_("You now own this item. Answer it before the due date."), "success")
    except DomainError as refused:
        flash(str(refused), "warning")
    return _back_to_item(public_id)


@bp.post("/<public_id>/assign")
def assign_item(public_id: str):
    idea = load_idea(public_id)
    form = AssignForm()
    form.owner.choices = leader_options()
    if not form.validate_on_submit():
        abort(400)
    try:
        assign(current_user, idea, db.get_or_404(User, form.owner.data))
        flash(_("Owner changed."), "success")
    except DomainError as refused:
        flash(str(refused), "warning")
    return _back_to_item(public_id)


@bp.post("/<public_id>/status")
def decide(public_id: str):
    idea = load_idea(public_id)
    form = DecisionForm()
    if form.validate_on_submit():
        merged_into = idea_from_link(form.merged_into.data)
        try:
            change_status(current_user, idea, IdeaStatus(form.status.data),
                          form.rationale.data or "", merged_into)
        except DomainError as refused:
            show_refusal(form, refused, "rationale")
        else:
            flash(_("Decision published on the idea's timeline."), "success")
            return redirect(url_for("ideas.show", public_id=public_id, _anchor="timeline"))
    return render_item(idea, form, 400)


@bp.post("/<public_id>/pull")
def pull(public_id: str):
    idea = load_idea(public_id)
    form = PullForm()
    if not form.validate_on_submit():
        flash(_("Say in a sentence why this idea should get an answer."), "warning")
        return redirect(url_for("ideas.show", public_id=public_id))
    try:
        pull_into_queue(current_user, idea, form.note.data)
        flash(_("The idea is in the review queue."), "success")
    except DomainError as refused:
        flash(str(refused), "warning")
    return _back_to_item(public_id)
