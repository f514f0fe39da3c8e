"""Campaigns: the index, each campaign's page, creating and editing, results and outcome."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.anonymity import WHY_NOT_NAMED, allowed_policies
from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.campaigns import ANONYMITY_HINTS, CampaignForm, OutcomeForm
from ideaboard.models import Anonymity, Campaign, CampaignKind, Level
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_manage_campaign, can_post_in_campaign, is_leader
from ideaboard.queries.campaigns import (
    campaign_by_slug,
    campaign_has_posts,
    campaign_index,
    consultation_results,
    is_following_campaign,
)
from ideaboard.queries.ideas import SORTS, list_ideas
from ideaboard.services import DomainError
from ideaboard.services.campaigns import (
    POLICY_LOCKED,
    create_campaign,
    edit_campaign,
    follow_campaign,
    publish_outcome,
)
from ideaboard.visibility import campaign_access
from ideaboard.web.access import guard

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def load_campaign(slug: str) -> Campaign:
    """The campaign, if this viewer may read it (sensitive campaigns need sign-in)."""
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    guard(campaign_access(current_user, campaign))
    return campaign


def render_form(form: CampaignForm, campaign: Campaign | None):
    """The create/edit form, with the policies each kind allows and why (anonymity.py)."""
    locked = campaign is not None and campaign_has_posts(campaign)
    return render_template(
        "campaigns/form.html", form=form, campaign=campaign,
        policy_locked=str(POLICY_LOCKED) if locked else None,
        policies_by_kind={kind.value: [p.value for p in allowed_policies(kind)]
                          for kind in CampaignKind},
        anonymity_hints=ANONYMITY_HINTS, why_not_named=WHY_NOT_NAMED)


@bp.get("/")
def index():
    return render_template("campaigns/index.html", campaigns=campaign_index())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not is_leader(current_user):
        abort(403)
    form = CampaignForm(opens_at=utcnow().replace(second=0, microsecond=0))
    if form.validate_on_submit():
        try:
            campaign = create_campaign(
                current_user, title=form.title.data, description=form.description.data or "",
                kind=CampaignKind(form.kind.data), anonymity=Anonymity(form.anonymity.data),
                opens_at=form.opens_at.data, closes_at=form.closes_at.data,
                promised_answer_at=form.promised_answer_at.data,
                allow_nominations=form.allow_nominations.data,
                hide_totals_until_close=form.hide_totals_until_close.data,
                pairwise_enabled=form.pairwise_enabled.data)
        except DomainError as refused:
            show_refusal(form, refused, "title")
        else:
            flash(_("Your campaign is published."), "success")
            return redirect(url_for("campaigns.show", slug=campaign.slug))
    return render_form(form, None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    campaign = load_campaign(slug)
    if not can_manage_campaign(current_user, campaign):
        abort(403)
    form = CampaignForm(obj=campaign, kind=campaign.kind.value,
                        anonymity=campaign.anonymity.value)
    if form.validate_on_submit():
        try:
            edit_campaign(current_user, campaign, title=form.title.data,
                          description=form.description.data or "", opens_at=form.opens_at.data,
                          closes_at=form.closes_at.data,
                          promised_answer_at=form.promised_answer_at.data,
                          allow_nominations=form.allow_nominations.data,
                          hide_totals_until_close=form.hide_totals_until_close.data,
                          anonymity=Anonymity(form.anonymity.data),
                          pairwise_enabled=form.pairwise_enabled.data)
        except DomainError as refused:
            show_refusal(form, refused, "title")
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("campaigns.show", slug=slug))
    return render_form(form, campaign)


@bp.get("/<slug>")
def show(slug: str):
    campaign = load_campaign(slug)
    sort = request.args.get("sort", "new" if campaign.totals_hidden() else "top")
    if sort not in SORTS or (campaign.totals_hidden() and sort in ("top", "hot", "common")):
        sort = "new"
    page = list_ideas(sort, viewer=current_user, campaign_id=campaign.id,
                      cursor=request.args.get("after"),
                      limit=current_app.config["PAGE_SIZE"])
    return render_template(
        "campaigns/show.html", campaign=campaign, page=page,
        can_post=can_post_in_campaign(current_user, campaign),
        can_manage=can_manage_campaign(current_user, campaign),
        following=is_following_campaign(current_user, campaign), outcome_form=OutcomeForm())


@bp.post("/<slug>/follow")
@login_required
def follow(slug: str):
    campaign = load_campaign(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    follow_campaign(current_user, campaign, request.form.get("follow") == "1")
    return redirect(url_for("campaigns.show", slug=slug))


@bp.get("/<slug>/results")
def results(slug: str):
    campaign = load_campaign(slug)
    if campaign.kind != CampaignKind.CONSULTATION:
        abort(404)
    hidden = campaign.totals_hidden() and not can_manage_campaign(current_user, campaign)
    level_names = {Level.FRONTLINE.value: _("Frontline"), Level.MANAGER.value: _("Manager"),
                   Level.SENIOR.value: _("Senior"), Level.EXECUTIVE.value: _("Executive")}
    options = [] if hidden else consultation_results(
        campaign, _("Other departments"), _("Other levels"), level_names)
    return render_template("campaigns/results.html", campaign=campaign, options=options,
                           hidden=hidden)


@bp.post("/<slug>/outcome")
@login_required
def outcome(slug: str):
    campaign = load_campaign(slug)
    if not can_manage_campaign(current_user, campaign):
        abort(403)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            publish_outcome(current_user, campaign, form.outcome_text.data)
        except DomainError as refused:
            flash(str(refused), "warning")
        else:
            flash(_("The outcome is published and everyone who took part is told."), "success")
    return redirect(url_for("campaigns.show", slug=slug, _anchor="outcome"))
