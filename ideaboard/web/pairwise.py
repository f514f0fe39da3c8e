"""Comparing a campaign's ideas two at a time: the pair, the answer, a new idea, the ranking.

Every page works as plain HTML forms; static/js/pairwise.js fetches the next pair without
a reload, through the same POST route answering JSON.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ideaboard.extensions import limiter
from ideaboard.forms.pairwise import PairForm, SuggestForm
from ideaboard.models import Campaign
from ideaboard.permissions import can_manage_campaign, can_post_in_campaign
from ideaboard.queries.campaigns import campaign_by_slug
from ideaboard.queries.pairwise import (
    ComparingState,
    comparing_state,
    excerpt,
    ideas_of_pair,
    pairwise_results,
)
from ideaboard.services import DomainError, InvalidInput, NotAllowed, NotFound
from ideaboard.services.ideas import post_idea
from ideaboard.services.pairwise import record_choice
from ideaboard.services.settings import rate_limit, small_group_minimum
from ideaboard.visibility import campaign_access
from ideaboard.web.access import guard

bp = Blueprint("pairwise", __name__, url_prefix="/compare")
ERROR_STATUS = {NotFound: 404, NotAllowed: 403, InvalidInput: 409}


def load_comparing_campaign(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
    if campaign is None or not campaign.pairwise_enabled:
        abort(404)
    guard(campaign_access(current_user, campaign))
    return campaign


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def pair_payload(state: ComparingState) -> dict:
    """The next pair as the page's script shows it."""
    progress = ngettext("You have compared %(num)d pair so far.",
                        "You have compared %(num)d pairs so far.", state.answered)
    if state.pair is None:
        return {"done": True, "answered": state.answered, "progress": progress}
    return {"done": False, "answered": state.answered, "progress": progress, "pair": {
        side: {"id": idea.public_id, "title": idea.title, "excerpt": excerpt(idea),
               "url": url_for("ideas.show", public_id=idea.public_id)}
        for side, idea in (("left", state.pair.left), ("right", state.pair.right))}}


def render_compare(campaign: Campaign, suggest_form: SuggestForm | None = None):
    return render_template(
        "pairwise/compare.html", campaign=campaign,
        state=comparing_state(campaign, current_user), form=PairForm(formdata=None),
        suggest_form=suggest_form or SuggestForm(formdata=None),
        can_post=can_post_in_campaign(current_user, campaign), excerpt=excerpt)


@bp.get("/<slug>")
@login_required
def compare(slug: str):
    return render_compare(load_comparing_campaign(slug))


@bp.post("/<slug>/choose")
@login_required
@limiter.limit(lambda: rate_limit("vote"))
def choose(slug: str):
    campaign = load_comparing_campaign(slug)
    form = PairForm()
    if not form.validate_on_submit():
        abort(400)
    pair = ideas_of_pair(campaign, form.left.data, form.right.data)
    if pair is None:
        abort(404)
    left, right = pair
    try:
        record_choice(current_user, campaign, left, right,
                      {"left": left, "right": right}.get(form.choice.data))
    except DomainError as refused:
        if wants_json():
            return jsonify(error=str(refused), **pair_payload(
                comparing_state(campaign, current_user))), ERROR_STATUS.get(type(refused), 400)
        flash(str(refused), "warning")
    else:
        if wants_json():
            return jsonify(pair_payload(comparing_state(campaign, current_user)))
    return redirect(url_for("pairwise.compare", slug=slug))


@bp.post("/<slug>/suggest")
@login_required
@limiter.limit(lambda: rate_limit("post"))
def suggest(slug: str):
    campaign = load_comparing_campaign(slug)
    form = SuggestForm()
    if not form.validate_on_submit():
        return render_compare(campaign, form)
    if not can_post_in_campaign(current_user, campaign):
        flash(_("This campaign is not taking new posts."), "warning")
        return redirect(url_for("pairwise.compare", slug=slug))
    try:
        post_idea(current_user, campaign, title=form.title.data, body=form.body.data or "",
                  tags=[], anonymous=form.anonymous.data)
    except DomainError as refused:
        form.title.errors.append(str(refused))
        return render_compare(campaign, form)
    flash(_("Your idea is in the campaign. Colleagues will start seeing it in their pairs; "
            "you will not be asked about your own idea."), "success")
    return redirect(url_for("pairwise.compare", slug=slug))


@bp.get("/<slug>/results")
@login_required
def results(slug: str):
    campaign = load_comparing_campaign(slug)
    hidden = campaign.totals_hidden() and not can_manage_campaign(current_user, campaign)
    return render_template(
        "pairwise/results.html", campaign=campaign, hidden=hidden,
        results=None if hidden else pairwise_results(campaign, _("Other departments")),
        small_group_minimum=small_group_minimum())
