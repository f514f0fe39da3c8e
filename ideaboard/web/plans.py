"""Plan review: the plan page, writing and importing the plan, critiques, replies, answers,
and the review report for the owner and leadership."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.extensions import limiter
from ideaboard.forms import ActionForm
from ideaboard.forms.auth import LEVEL_CHOICES
from ideaboard.forms.ideas import HelpfulForm
from ideaboard.forms.plans import (
    AnswerForm,
    CriterionForm,
    CriterionToggleForm,
    CritiqueForm,
    PlanForm,
    ReplyForm,
    SectionForm,
    critique_form,
)
from ideaboard.models import Campaign, Critique, CritiqueReply, Plan, Section
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_manage_plan, can_see_plan_report
from ideaboard.queries.plans import (
    criteria_of,
    criterion_in,
    critique_by_public_id,
    plan_campaign,
    plan_has_critiques,
    plan_of,
    plan_page,
    plan_report,
    ratings_of,
    reply_by_public_id,
    section_in,
    sections_of,
)
from ideaboard.services import DomainError
from ideaboard.services.plans import (
    add_criterion,
    add_section,
    answer_critique,
    criterion_label,
    delete_critique,
    delete_reply,
    delete_section,
    edit_critique,
    edit_reply,
    edit_section,
    mark_critique_helpful,
    plan_markdown,
    post_critique,
    reply_to_critique,
    save_plan,
    set_criterion_active,
)
from ideaboard.services.settings import rate_limit, small_group_minimum
from ideaboard.visibility import campaign_access
from ideaboard.web.access import guard
from ideaboard.web.ideas import wants_json

bp = Blueprint("plans", __name__)
bp.add_app_template_global(criterion_label)


def load_campaign(slug: str) -> Campaign:
    campaign = plan_campaign(slug)
    if campaign is None:
        abort(404)
    guard(campaign_access(current_user, campaign))
    return campaign


def load_plan(campaign: Campaign) -> Plan:
    plan = plan_of(campaign)
    if plan is None:
        abort(404)
    return plan


def load_section(plan: Plan, section_id: int) -> Section:
    section = section_in(plan, section_id)
    if section is None:
        abort(404)
    return section


def load_critique(public_id: str) -> Critique:
    critique = critique_by_public_id(public_id)
    if critique is None:
        abort(404)
    guard(campaign_access(current_user, critique.plan.campaign))
    return critique


def load_reply(public_id: str) -> CritiqueReply:
    reply = reply_by_public_id(public_id)
    if reply is None:
        abort(404)
    guard(campaign_access(current_user, reply.critique.plan.campaign))
    return reply


def managed_plan(slug: str) -> tuple[Campaign, Plan]:
    """The campaign and its plan, for its owner or an admin only."""
    campaign = load_campaign(slug)
    if not can_manage_plan(current_user, campaign):
        abort(403)
    return campaign, load_plan(campaign)


def first_error(form, fallback: str) -> str:
    """For small forms that redirect back: the first thing to fix, as a flash message."""
    return next((error for errors in form.errors.values() for error in errors), fallback)


def to_plan(campaign: Campaign, anchor: str | None = None):
    return redirect(url_for("plans.show", slug=campaign.slug, _anchor=anchor))


def render_plan(campaign: Campaign, plan: Plan | None, failed: CritiqueForm | None = None,
                failed_section: int | None = None):
    """The plan page; a critique form that failed is shown again, with its errors."""
    page = plan_page(plan, current_user) if plan else None
    blank = critique_form(page.criteria, formdata=None) if page else None
    return render_template("plans/show.html", campaign=campaign, plan=plan, page=page,
                           blank_form=blank, failed_form=failed, failed_section=failed_section,
                           upcoming=campaign.opens_at > utcnow(),
                           can_manage=can_manage_plan(current_user, campaign),
                           can_report=can_see_plan_report(current_user, campaign))


@bp.get("/campaigns/<slug>/plan")
def show(slug: str):
    campaign = load_campaign(slug)
    return render_plan(campaign, plan_of(campaign))


@bp.route("/campaigns/<slug>/plan/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Write or import the plan; once critiqued, only the title here, sections one by one."""
    campaign = load_campaign(slug)
    if not can_manage_plan(current_user, campaign):
        abort(403)
    plan = plan_of(campaign)
    locked = plan is not None and plan_has_critiques(plan)
    sections = sections_of(plan) if plan else []
    form = PlanForm(title=plan.title if plan else "",
                    document=plan_markdown(sections) if sections else "")
    if locked:
        form.title.description = ""  # no document any more whose "# title" could win
    if form.validate_on_submit():
        try:
            document = None if locked else (form.uploaded_document() or form.document.data or "")
            plan = save_plan(current_user, campaign, plan, title=form.title.data or "",
                             document=document, introduction=_("Introduction"))
        except (DomainError, ValueError) as refused:
            (form.title if locked else form.document).errors.append(str(refused))
        else:
            flash(_("The plan is saved. Colleagues can critique it section by section."),
                  "success")
            return to_plan(campaign)
    return render_template(
        "plans/edit.html", campaign=campaign, plan=plan, form=form, locked=locked,
        sections=sections, criteria=criteria_of(plan, with_removed=True) if plan else [],
        section_form=SectionForm(formdata=None), criterion_form=CriterionForm(formdata=None))


@bp.post("/campaigns/<slug>/plan/sections")
@login_required
def add_section_action(slug: str):
    campaign, plan = managed_plan(slug)
    form = SectionForm()
    back = redirect(url_for("plans.edit", slug=slug, _anchor="add-section"))
    if not form.validate_on_submit():
        flash(first_error(form, _("Give the section a heading.")), "warning")
        return back
    try:
        section = add_section(current_user, campaign, plan, heading=form.heading.data,
                              body=form.body.data or "")
    except DomainError as refused:
        flash(str(refused), "warning")
        return back
    return to_plan(campaign, f"section-{section.id}")


@bp.route("/campaigns/<slug>/plan/sections/<int:section_id>/edit", methods=["GET", "POST"])
@login_required
def edit_section_page(slug: str, section_id: int):
    campaign, plan = managed_plan(slug)
    section = load_section(plan, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            edit_section(current_user, campaign, section, heading=form.heading.data,
                         body=form.body.data or "")
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            flash(_("The section is saved."), "success")
            return to_plan(campaign, f"section-{section.id}")
    return render_template("plans/section_edit.html", campaign=campaign, plan=plan,
                           section=section, form=form)


@bp.post("/campaigns/<slug>/plan/sections/<int:section_id>/delete")
@login_required
def delete_section_action(slug: str, section_id: int):
    campaign, plan = managed_plan(slug)
    section = load_section(plan, section_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_section(current_user, campaign, section)
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(_("The section “%(heading)s” was deleted.", heading=section.heading), "info")
    return redirect(url_for("plans.edit", slug=slug, _anchor="sections"))


@bp.post("/campaigns/<slug>/plan/criteria")
@login_required
def add_criterion_action(slug: str):
    campaign, plan = managed_plan(slug)
    form = CriterionForm()
    if not form.validate_on_submit():
        flash(first_error(form, _("Name the criterion.")), "warning")
    else:
        try:
            add_criterion(current_user, campaign, plan, form.label.data)
        except DomainError as refused:
            flash(str(refused), "warning")
    return redirect(url_for("plans.edit", slug=slug, _anchor="rubric"))


@bp.post("/campaigns/<slug>/plan/criteria/<int:criterion_id>")
@login_required
def set_criterion(slug: str, criterion_id: int):
    campaign, plan = managed_plan(slug)
    criterion = criterion_in(plan, criterion_id)
    form = CriterionToggleForm()
    if criterion is None:
        abort(404)
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        set_criterion_active(current_user, campaign, criterion, form.active.data == "1")
    except DomainError as refused:
        flash(str(refused), "warning")
    return redirect(url_for("plans.edit", slug=slug, _anchor="rubric"))


@bp.post("/campaigns/<slug>/plan/sections/<int:section_id>/critiques")
@login_required
@limiter.limit(lambda: rate_limit("comment"))
def critique(slug: str, section_id: int):
    campaign = load_campaign(slug)
    plan = load_plan(campaign)
    section = load_section(plan, section_id)
    form = critique_form(criteria_of(plan))
    if form.validate_on_submit():
        try:
            new = post_critique(current_user, campaign, section, stance=form.stance.data,
                                body=form.body.data, ratings=form.ratings(),
                                anonymous=form.anonymous.data)
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            flash(_("Thank you: your critique is posted."), "success")
            return to_plan(campaign, f"k-{new.public_id}")
    return render_plan(campaign, plan, failed=form, failed_section=section.id)


@bp.get("/campaigns/<slug>/plan/report")
@login_required
def report(slug: str):
    campaign = load_campaign(slug)
    if not can_see_plan_report(current_user, campaign):
        abort(403)
    plan = load_plan(campaign)
    data = plan_report(plan, _("Other departments"), _("Other levels"),
                       {choice.value: str(choice.label) for choice in LEVEL_CHOICES},
                       minimum=small_group_minimum())
    return render_template("plans/report.html", campaign=campaign, plan=plan, report=data)


@bp.route("/critiques/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit_critique_page(public_id: str):
    item = load_critique(public_id)
    if item.is_deleted or item.author_id != current_user.id:
        abort(403)
    scores = {f"rating_{criterion_id}": str(score)
              for criterion_id, score in ratings_of(item).items()}
    form = critique_form(criteria_of(item.plan), obj=item, **scores)
    if form.validate_on_submit():
        try:
            edit_critique(current_user, item, stance=form.stance.data, body=form.body.data,
                          ratings=form.ratings())
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            return to_plan(item.plan.campaign, f"k-{item.public_id}")
    return render_template("plans/critique_edit.html", critique=item, form=form,
                           campaign=item.plan.campaign)


@bp.post("/critiques/<public_id>/delete")
@login_required
def delete_critique_action(public_id: str):
    item = load_critique(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_critique(current_user, item)
    except DomainError:
        abort(403)
    return to_plan(item.plan.campaign, f"k-{item.public_id}")


@bp.post("/critiques/<public_id>/helpful")
@login_required
@limiter.limit(lambda: rate_limit("vote"))
def helpful(public_id: str):
    item = load_critique(public_id)
    form = HelpfulForm()
    if not form.validate_on_submit() or form.helpful.data not in ("0", "1"):
        abort(400)
    try:
        count = mark_critique_helpful(current_user, item.plan.campaign, item,
                                      form.helpful.data == "1")
    except DomainError as refused:
        if wants_json():
            return jsonify(error=str(refused)), 403
        flash(str(refused), "warning")
        count = item.helpful_count
    if wants_json():
        return jsonify(helpful=form.helpful.data == "1", count=count)
    return to_plan(item.plan.campaign, f"k-{item.public_id}")


@bp.post("/critiques/<public_id>/replies")
@login_required
@limiter.limit(lambda: rate_limit("comment"))
def reply(public_id: str):
    item = load_critique(public_id)
    form = ReplyForm()
    campaign = item.plan.campaign
    if not form.validate_on_submit():
        flash(first_error(form, _("Write something before posting.")), "warning")
        return to_plan(campaign, f"k-{item.public_id}")
    parent = load_reply(form.parent.data) if form.parent.data else None
    try:
        new = reply_to_critique(current_user, campaign, item, body=form.body.data,
                                parent=parent, anonymous=form.anonymous.data)
    except DomainError as refused:
        flash(str(refused), "warning")
        return to_plan(campaign, f"k-{item.public_id}")
    return to_plan(campaign, f"r-{new.public_id}")


@bp.post("/critiques/<public_id>/answer")
@login_required
def answer(public_id: str):
    item = load_critique(public_id)
    campaign = item.plan.campaign
    if not can_manage_plan(current_user, campaign):
        abort(403)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(first_error(form, _("Write your answer.")), "warning")
        return to_plan(campaign, f"k-{item.public_id}")
    try:
        answer_critique(current_user, campaign, item, form.answer.data)
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(_("Your answer is published; the critique's author is told."), "success")
    return to_plan(campaign, f"k-{item.public_id}")


@bp.route("/critique-replies/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit_reply_page(public_id: str):
    item = load_reply(public_id)
    if item.is_deleted or item.author_id != current_user.id:
        abort(403)
    form = ReplyForm(obj=item)
    if form.validate_on_submit():
        try:
            edit_reply(current_user, item, form.body.data)
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            return to_plan(item.critique.plan.campaign, f"r-{item.public_id}")
    return render_template("plans/reply_edit.html", reply=item, form=form,
                           campaign=item.critique.plan.campaign)


@bp.post("/critique-replies/<public_id>/delete")
@login_required
def delete_reply_action(public_id: str):
    item = load_reply(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_reply(current_user, item)
    except DomainError:
        abort(403)
    return to_plan(item.critique.plan.campaign, f"r-{item.public_id}")
