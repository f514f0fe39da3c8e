"""Challenges to decisions: the list, raising one, its page, co-signing, the second leader's
answer and an administrator closing an abusive one. Every page needs sign-in."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ideaboard.forms import ActionForm
from ideaboard.forms.challenges import AnswerChallengeForm, ChallengeForm, CloseChallengeForm
from ideaboard.models import Challenge, Escalation, Idea, IdeaStatus
from ideaboard.permissions import is_admin, is_leader
from ideaboard.queries.challenges import (
    ChallengeStory,
    challenge_by_public_id,
    challenge_story,
    challengeable_decision,
    has_cosigned,
    open_challenges,
    recently_answered,
)
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import DomainError
from ideaboard.services.challenges import answer_challenge, close_challenge, cosign
from ideaboard.services.challenges import raise_challenge as raise_challenge_service
from ideaboard.services.review import site_settings
from ideaboard.visibility import Access, idea_access
from ideaboard.web.ideas import load_idea
from ideaboard.web.review import idea_from_link

bp = Blueprint("challenges", __name__)


@bp.app_template_global("challenge_story")
def cached_challenge_story(idea: Idea, escalation: Escalation | None) -> ChallengeStory:
    """An idea's challenges for its timeline and panels: queried once a page."""
    stories = g.setdefault("challenge_stories", {})
    if idea.id not in stories:
        stories[idea.id] = challenge_story(idea, escalation, current_user)
    return stories[idea.id]


def _visible(idea: Idea) -> bool:
    """A challenge is there for whoever may read its idea (ideaboard/visibility.py): those
    of hidden ideas for admins and the idea's author only."""
    return idea_access(current_user, state_of_idea_of(idea)) not in (Access.GONE,
                                                                     Access.SIGN_IN)


def load_challenge(public_id: str) -> Challenge:
    challenge = challenge_by_public_id(public_id)
    if challenge is None or not _visible(challenge.idea):
        abort(404)
    return challenge


@bp.get("/challenges/")
@login_required
def index():
    return render_template("challenges/index.html",
                           page=open_challenges(request.args.get("after")),
                           answered=recently_answered())


@bp.route("/ideas/<public_id>/challenge", methods=["GET", "POST"])
@login_required
def raise_challenge(public_id: str):
    idea = load_idea(public_id)  # the visibility rule's 404 for an idea that is not there
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = raise_challenge_service(current_user, idea, form.evidence.data,
                                                anonymous=form.anonymous.data)
        except DomainError as refused:
            form.evidence.errors.append(str(refused))
        else:
            flash(_("Your challenge is published. Share its page: colleagues can co-sign it."),
                  "success")
            return redirect(url_for("challenges.show", public_id=challenge.public_id))
    status = 400 if form.is_submitted() else 200
    return render_template("challenges/new.html", idea=idea, form=form,
                           decision=challengeable_decision(idea),
                           rule=site_settings()), status


@bp.get("/challenges/<public_id>")
@login_required
def show(public_id: str):
    return render_challenge(load_challenge(public_id))


def render_challenge(challenge: Challenge, answer_form: AnswerChallengeForm | None = None,
                     close_form: CloseChallengeForm | None = None, status: int = 200):
    return render_template(
        "challenges/show.html", challenge=challenge, idea=challenge.idea,
        decision=challenge.decision, shown=challenge.shown_status(challenge.idea.status),
        cosigned=has_cosigned(current_user, challenge),
        answer_form=answer_form or AnswerChallengeForm(),
        close_form=close_form or CloseChallengeForm(),
        sla_days=site_settings().review_sla_days), status


@bp.post("/challenges/<public_id>/cosign")
@login_required
def cosign_challenge(public_id: str):
    challenge = load_challenge(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = cosign(current_user, challenge)
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        if result.reopened:
            flash(_("Your signature completed the challenge: the decision is back with "
                    "leadership, before a different leader."), "success")
        else:
            flash(ngettext("Thank you for co-signing. %(num)d more colleague is needed.",
                           "Thank you for co-signing. %(num)d more colleagues are needed.",
                           result.threshold - result.cosigners), "success")
    return redirect(url_for("challenges.show", public_id=public_id))


@bp.post("/challenges/<public_id>/answer")
@login_required
def answer(public_id: str):
    challenge = load_challenge(public_id)
    if not is_leader(current_user):
        abort(403)
    idea_public_id = challenge.idea.public_id
    form = AnswerChallengeForm()
    if form.validate_on_submit():
        uphold = form.outcome.data == "uphold"
        try:
            answer_challenge(current_user, challenge, uphold=uphold,
                             status=IdeaStatus(form.status.data) if form.status.data else None,
                             rationale=form.rationale.data or "",
                             merged_into=idea_from_link(form.merged_into.data))
        except DomainError as refused:
            form.rationale.errors.append(str(refused))
        else:
            flash(_("Your answer is published on the idea's timeline."), "success")
            return redirect(url_for("ideas.show", public_id=idea_public_id,
                                    _anchor="timeline"))
    return render_challenge(challenge, answer_form=form, status=400)


@bp.post("/challenges/<public_id>/close")
@login_required
def close(public_id: str):
    challenge = load_challenge(public_id)
    if not is_admin(current_user):
        abort(403)
    form = CloseChallengeForm()
    if form.validate_on_submit():
        try:
            close_challenge(current_user, challenge, form.reason.data)
        except DomainError as refused:
            form.reason.errors.append(str(refused))
        else:
            flash(_("The challenge is closed. The people who signed it are told why."), "info")
            return redirect(url_for("challenges.show", public_id=public_id))
    return render_challenge(challenge, close_form=form, status=400)
