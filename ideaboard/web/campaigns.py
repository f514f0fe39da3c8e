"""Campaigns: the index, each campaign's page, creating and editing, closing and reopening,
nominations, results and outcome."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ideaboard.anonymity import WHY_NOT_NAMED, allowed_policies
from ideaboard.extensions import limiter
from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.campaigns import (
    ANONYMITY_HINTS,
    CampaignForm,
    NominationForm,
    OutcomeForm,
    ReopenForm,
)
from ideaboard.models import Anonymity, Campaign, CampaignKind, Level
from ideaboard.models.base import utcnow
from ideaboard.permissions import (
    can_manage_campaign,
    can_post_in_campaign,
    can_take_part,
    is_leader,
    why_not_close_campaign,
    why_not_reopen_campaign,
)
from ideaboard.queries.campaigns import (
    campaign_by_slug,
    campaign_has_posts,
    campaign_index,
    campaign_options,
    consultation_results,
    is_following_campaign,
)
from ideaboard.queries.ideas import (
    SORTS,
    idea_by_public_id,
    list_ideas,
    votes_by_user,
)
from ideaboard.services import DomainError
from ideaboard.services.campaigns import (
    POLICY_LOCKED,
    close_campaign,
    create_campaign,
    edit_campaign,
    follow_campaign,
    publish_outcome,
    reopen_campaign,
)
from ideaboard.services.ideas import post_idea
from ideaboard.services.settings import rate_limit
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


def managed_campaign(slug: str) -> Campaign:
    campaign = load_campaign(slug)
    if not can_manage_campaign(current_user, campaign):
        abort(403)
    return campaign


@bp.app_template_global("compose_target")
def compose_target(campaign: Campaign | None) -> tuple[str, str] | None:
    """Where "share" leads on a campaign's pages — into that campaign: (url, label), or
    None when the viewer cannot post there now (the page says why)."""
    if campaign is None:
        return None
    if campaign.kind == CampaignKind.PLAN_REVIEW:
        return ((url_for("plans.show", slug=campaign.slug), _("Critique the plan"))
                if can_take_part(current_user, campaign) else None)
    if not can_post_in_campaign(current_user, campaign):
        return None
    if campaign.kind == CampaignKind.CONSULTATION:
        return url_for("campaigns.nominate", slug=campaign.slug), _("Nominate an option")
    if campaign.is_standing:
        return url_for("ideas.compose"), _("Share an idea")
    return url_for("ideas.compose", campaign=campaign.slug), _("Add your answer")


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
    campaign = managed_campaign(slug)
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


def outcome_form_for(campaign: Campaign, formdata=None) -> OutcomeForm | None:
    """The owner's outcome form; a consultation's lists its options to name the chosen one."""
    if not can_manage_campaign(current_user, campaign) or campaign.is_standing:
        return None
    options = (campaign_options(campaign, current_user)
               if campaign.kind == CampaignKind.CONSULTATION else [])
    chosen = next((o.public_id for o in options if o.id == campaign.winner_id), "")
    form = OutcomeForm(formdata=formdata, outcome_text=campaign.outcome, winner=chosen)
    form.winner.choices = [SelectChoice("", _("None of them")), *(
        SelectChoice(option.public_id, option.title) for option in options)]
    return form


def render_show(campaign: Campaign, outcome_form: OutcomeForm | None = None):
    sort = request.args.get("sort", "new" if campaign.totals_hidden() else "top")
    if sort not in SORTS or (campaign.totals_hidden() and sort in ("top", "hot", "common")):
        sort = "new"
    # a consultation's options carry vote boxes (ORM ideas); other campaigns show cards
    page = list_ideas(sort, viewer=current_user, campaign_id=campaign.id,
                      cursor=request.args.get("after"), limit=current_app.config["PAGE_SIZE"],
                      rows=campaign.kind != CampaignKind.CONSULTATION)
    return render_template(
        "campaigns/show.html", campaign=campaign, page=page,
        # the option list shows the reader's own votes; idea cards show none
        my_votes=(votes_by_user(current_user, [i.id for i in page.items])
                  if campaign.kind == CampaignKind.CONSULTATION else {}),
        can_manage=can_manage_campaign(current_user, campaign),
        following=is_following_campaign(current_user, campaign),
        outcome_form=outcome_form or outcome_form_for(campaign))


@bp.get("/<slug>")
def show(slug: str):
    return render_show(load_campaign(slug))


@bp.post("/<slug>/follow")
@login_required
def follow(slug: str):
    campaign = load_campaign(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    follow_campaign(current_user, campaign, request.form.get("follow") == "1")
    return redirect(url_for("campaigns.show", slug=slug))


def level_names() -> dict[str, str]:
    return {Level.FRONTLINE.value: _("Frontline"), Level.MANAGER.value: _("Manager"),
            Level.SENIOR.value: _("Senior"), Level.EXECUTIVE.value: _("Executive")}


@bp.get("/<slug>/results")
def results(slug: str):
    campaign = load_campaign(slug)
    if campaign.kind != CampaignKind.CONSULTATION:
        abort(404)
    hidden = campaign.totals_hidden() and not can_manage_campaign(current_user, campaign)
    options = [] if hidden else consultation_results(
        campaign, current_user, _("Other departments"), _("Other levels"), level_names())
    return render_template("campaigns/results.html", campaign=campaign, options=options,
                           hidden=hidden,
                           my_votes=votes_by_user(current_user, [o.idea.id for o in options]))


@bp.route("/<slug>/nominate", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: rate_limit("post"), methods=["POST"])
def nominate(slug: str):
    """A consultation's own form: a candidate or option, and why."""
    campaign = load_campaign(slug)
    if campaign.kind != CampaignKind.CONSULTATION:
        return redirect(url_for("ideas.compose", campaign=slug))
    if request.method == "GET" and not can_post_in_campaign(current_user, campaign):
        flash(_("This consultation is not taking nominations."), "warning")
        return redirect(url_for("campaigns.show", slug=slug))
    form = NominationForm()
    if form.validate_on_submit():
        try:  # refused (closed meanwhile): the form comes back with what was typed
            option = post_idea(current_user, campaign, title=form.title.data,
                               body=form.body.data or "", tags=[],
                               anonymous=form.anonymous.data)
        except DomainError as refused:
            show_refusal(form, refused, "title")
        else:
            flash(_("Your nomination is in. Colleagues can now argue for or against it, "
                    "and vote."), "success")
            return redirect(url_for("ideas.show", public_id=option.public_id))
    return render_template("campaigns/nominate.html", campaign=campaign, form=form,
                           options=campaign_options(campaign, current_user))


@bp.post("/<slug>/outcome")
@login_required
def outcome(slug: str):
    campaign = managed_campaign(slug)
    form = outcome_form_for(campaign, formdata=request.form)
    if form is None:
        abort(404)
    if form.validate_on_submit():
        winner = idea_by_public_id(form.winner.data) if form.winner.data else None
        try:
            publish_outcome(current_user, campaign, form.outcome_text.data, winner)
        except DomainError as refused:
            show_refusal(form, refused, "outcome_text")
        else:
            flash(_("The outcome is published and everyone who took part is told."), "success")
            return redirect(url_for("campaigns.show", slug=slug, _anchor="outcome"))
    return render_show(campaign, form)


@bp.route("/<slug>/close", methods=["GET", "POST"])
@login_required
def close(slug: str):
    """"Close now", with a confirm step: this page says what closing does."""
    campaign = managed_campaign(slug)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            close_campaign(current_user, campaign)
        except DomainError as refused:
            flash(str(refused), "warning")
        else:
            flash(_("The campaign is closed. Everything in it stays readable."), "success")
        return redirect(url_for("campaigns.show", slug=slug))
    return render_template("campaigns/close.html", campaign=campaign, form=form,
                           refusal=why_not_close_campaign(current_user, campaign))


@bp.route("/<slug>/reopen", methods=["GET", "POST"])
@login_required
def reopen(slug: str):
    """"Reopen", with a confirm step and an optional new closing date."""
    campaign = managed_campaign(slug)
    form = ReopenForm()
    refusal = why_not_reopen_campaign(current_user, campaign)
    if form.validate_on_submit():
        try:
            reopen_campaign(current_user, campaign, form.closes_at.data)
        except DomainError as refused:
            show_refusal(form, refused, "closes_at")
        else:
            flash(_("The campaign is open again."), "success")
            return redirect(url_for("campaigns.show", slug=slug))
    return render_template("campaigns/reopen.html", campaign=campaign, form=form,
                           refusal=refusal)
