"""The index, opening and editing a round, its page with the wallet, entering ideas,
giving points (a form post, or fetch for an instant wallet), closing, leadership's answer."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ideaboard.extensions import limiter
from ideaboard.forms import ActionForm
from ideaboard.forms.funding import (
    AllocationForm,
    EditRoundForm,
    EntryForm,
    FundingAnswerForm,
    RoundForm,
)
from ideaboard.models import DivisionRule, FundingRound, Idea
from ideaboard.models.base import utcnow
from ideaboard.models.division import EXAMPLE_IDEAS, EXAMPLE_MIN_BACKERS, EXAMPLE_POOL
from ideaboard.models.division import worked_example as division_example
from ideaboard.permissions import (
    can_manage_funding_round,
    can_open_funding_round,
    is_leader,
)
from ideaboard.queries.funding import (
    RoundPage,
    after_allocation,
    enterable_ideas,
    entry_by_id,
    entry_in_round,
    round_index,
    round_page,
)
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services import DomainError
from ideaboard.services.funding import (
    RoundSettings,
    allocate,
    answer_funding,
    close_if_due,
    close_now,
    create_round,
    edit_round,
    enter_idea,
)
from ideaboard.services.settings import rate_limit
from ideaboard.web.auth import department_choices
from ideaboard.web.funding import bp, load_round
from ideaboard.web.ideas import wants_json

# --- the index and opening a round --------------------------------------------------------

@bp.get("/")
def index():
    rounds = round_index(current_user)
    if any(close_if_due(r) for r in rounds.open):
        rounds = round_index(current_user)
    return render_template("funding/index.html", rounds=rounds, now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not can_open_funding_round(current_user):
        abort(403)
    now = utcnow().replace(second=0, microsecond=0)
    form = RoundForm(opens_at=now)
    form.departments.choices = [c for c in department_choices() if c.value]
    if form.validate_on_submit():
        try:
            funding_round = create_round(current_user, RoundSettings(
                title=form.title.data, purpose=form.purpose.data or "",
                currency=form.currency.data, pool_amount=form.pool_amount.data,
                pool_people_weeks=form.pool_people_weeks.data, allowance=form.allowance.data,
                division_rule=DivisionRule(form.division_rule.data),
                min_backers=form.min_backers.data, answer_days=form.answer_days.data,
                hide_totals_until_close=form.hide_totals_until_close.data,
                opens_at=form.opens_at.data, closes_at=form.closes_at.data,
                department_ids=tuple(form.departments.data or ())))
        except DomainError as refused:
            form.title.errors.append(str(refused))
        else:
            flash(_("The round is open. Tell colleagues to enter their ideas and spend their "
                    "points."), "success")
            return redirect(url_for("funding.show", slug=funding_round.slug))
    return render_template("funding/form.html", form=form, funding_round=None,
                           examples=_examples())


def _examples() -> dict:
    return {"proportional": division_example(DivisionRule.PROPORTIONAL.value),
            "quadratic": division_example(DivisionRule.QUADRATIC.value),
            "ideas": EXAMPLE_IDEAS, "pool": EXAMPLE_POOL, "min_backers": EXAMPLE_MIN_BACKERS}


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    funding_round = load_round(slug)
    if not can_manage_funding_round(current_user, funding_round):
        abort(403)
    form = EditRoundForm(obj=funding_round)
    if form.validate_on_submit():
        try:
            edit_round(current_user, funding_round, title=form.title.data,
                       purpose=form.purpose.data or "", closes_at=form.closes_at.data)
        except DomainError as refused:
            form.title.errors.append(str(refused))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("funding.show", slug=slug))
    return render_template("funding/edit.html", form=form, funding_round=funding_round)


@bp.post("/<slug>/close")
def close(slug: str):
    funding_round = load_round(slug)
    if not can_manage_funding_round(current_user, funding_round):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        close_now(current_user, funding_round)
        flash(_("The round is closed and the pool divided. Funded ideas went to leadership."),
              "success")
    except DomainError as refused:
        flash(str(refused), "warning")
    return redirect(url_for("funding.show", slug=slug))


# --- the round's page and giving points --------------------------------------------------

@bp.get("/<slug>")
def show(slug: str):
    funding_round = load_round(slug)
    page = round_page(funding_round, current_user)
    if wants_json() or request.args.get("format") == "json":
        return jsonify(round_json(page))
    return render_template("funding/show.html", page=page, funding_round=funding_round,
                           examples=_examples(), allocation_form=AllocationForm(),
                           my_ideas=_my_enterable(funding_round), now=utcnow())


def _my_enterable(funding_round: FundingRound) -> list[Idea]:
    if not funding_round.accepts_entries():
        return []
    return enterable_ideas(current_user)


def round_json(page: RoundPage) -> dict:
    """Totals and numbers of backers only — never who backed what."""
    funding_round, hidden = page.funding_round, page.funding_round.totals_hidden()
    data = {"slug": funding_round.slug, "title": funding_round.title,
            "currency": funding_round.currency, "pool_amount": funding_round.pool_amount,
            "pool_people_weeks": funding_round.pool_people_weeks,
            "allowance": funding_round.allowance, "rule": funding_round.division_rule.value,
            "min_backers": funding_round.min_backers,
            "opens_at": funding_round.opens_at.isoformat(),
            "closes_at": funding_round.closes_at.isoformat(),
            "closed": funding_round.is_closed}
    if not hidden:
        data |= {"points_spent": funding_round.points_spent,
                 "backers": funding_round.backer_count}
    if page.wallet is not None:
        data["wallet"] = {"allowance": page.wallet.allowance, "spent": page.wallet.spent,
                          "left": page.wallet.left}
    data["entries"] = [entry_json(view, hidden) for view in page.entries]
    return data


def entry_json(view, hidden: bool) -> dict:
    entry = view.entry
    data = {"id": entry.id, "idea": view.idea.public_id, "title": view.idea.title,
            "ask_amount": entry.ask_amount, "ask_people_weeks": entry.ask_people_weeks,
            "first_milestone": entry.first_milestone, "mine": view.mine}
    if not hidden:
        data |= {"points": entry.points, "backers": entry.backers,
                 "backers_needed": view.backers_needed,
                 "progress": round(view.progress, 3)}
        if view.share is not None:
            data |= {"offer_amount": int(view.share.offer_amount),
                     "offer_people_weeks": round(view.share.offer_people_weeks, 1),
                     "funded": view.share.funded}
    return data


@bp.post("/<slug>/entries/<int:entry_id>/points")
@limiter.limit(lambda: rate_limit("vote"))
def give_points(slug: str, entry_id: int):
    funding_round = load_round(slug)
    entry = entry_in_round(funding_round, entry_id)
    if entry is None:
        abort(404)
    form = AllocationForm()
    back = url_for("funding.show", slug=slug, _anchor=f"entry-{entry_id}")
    if request.form.get("next", "").startswith("/ideas/"):
        idea_page = url_for("ideas.show", public_id=entry.idea.public_id, _anchor="funding")
        back = idea_page if request.form["next"] == idea_page.split("#")[0] else back
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        message = _("Give a whole number of points, 0 or more.")
        if wants_json():
            return jsonify(error=message), 400
        flash(message, "warning")
        return redirect(back)
    try:
        result = allocate(current_user, funding_round.id, entry.id, form.points.data)
    except DomainError as refused:
        if wants_json():
            return jsonify(error=str(refused)), 409
        flash(str(refused), "warning")
        return redirect(back)
    if wants_json():
        return jsonify(points=result.points, spent=result.spent, left=result.left,
                       allowance=result.allowance,
                       message=_points_message(result.points, entry.idea.title, result.left),
                       **_fragments(*after_allocation(funding_round, current_user, entry.id)))
    flash(_points_message(result.points, entry.idea.title, result.left), "success")
    return redirect(back)


def _fragments(page: RoundPage, changed) -> dict:
    """The wallet, and the changed idea's bar and counts, rendered by the page's own macros,
    so the page updates in place after an allocation (static/js/funding.js). The other
    ideas' bars move a little too; they are redrawn on the next page load."""
    funding_round = page.funding_round
    data = {"wallet_html": _macro("wallet_panel")(page, funding_round) if page.wallet else ""}
    if changed is not None and not funding_round.totals_hidden():
        key = str(changed.entry.id)
        data["counts"] = {key: str(_macro("backer_count")(changed.entry, funding_round))}
        if changed.share is not None:
            data["bars"] = {key: str(_macro("funding_bar")(changed, funding_round))}
    return data


def _macro(name: str):
    return get_template_attribute("funding/_macros.html", name)


def _points_message(points: int, title: str, left: int) -> str:
    if points == 0:
        return _("You took your points back from “%(title)s”. %(left)d points left.",
                 title=title, left=left)
    return _("You give %(points)d points to “%(title)s”. %(left)d points left.",
             points=points, title=title, left=left)


# --- entering an idea ---------------------------------------------------------------------

@bp.route("/<slug>/enter", methods=["GET", "POST"])
def enter(slug: str):
    funding_round = load_round(slug)
    if not funding_round.accepts_entries():
        flash(_("This round is closed: it takes no new ideas."), "warning")
        return redirect(url_for("funding.show", slug=slug))
    ideas = enterable_ideas(current_user)
    form = EntryForm(idea=request.args.get("idea"))
    form.idea.choices = [SelectChoice(i.public_id, i.title) for i in ideas]
    if form.validate_on_submit():
        idea = idea_by_public_id(form.idea.data)
        try:
            if idea is None:
                abort(404)
            enter_idea(current_user, funding_round, idea, ask_amount=form.ask_amount.data,
                       ask_people_weeks=form.ask_people_weeks.data,
                       first_milestone=form.first_milestone.data)
        except DomainError as refused:
            form.idea.errors.append(str(refused))
        else:
            flash(_("“%(title)s” is in the round. Colleagues can now back it with their "
                    "points.", title=idea.title), "success")
            return redirect(url_for("funding.show", slug=slug, _anchor="entries"))
    return render_template("funding/enter.html", form=form, funding_round=funding_round,
                           ideas=ideas)


# --- leadership's answer ------------------------------------------------------------------

@bp.post("/entries/<int:entry_id>/answer")
def answer(entry_id: int):
    entry = entry_by_id(entry_id)
    if entry is None:
        abort(404)
    if not is_leader(current_user):
        abort(403)
    form = FundingAnswerForm()
    back = url_for("review.item", public_id=entry.idea.public_id)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(_("Choose confirm or decline, and explain it in at least 30 characters."),
              "warning")
        return redirect(back)
    try:
        answer_funding(current_user, entry, form.funding_decision.data == "release",
                       form.funding_rationale.data)
    except DomainError as refused:
        flash(str(refused), "warning")
        return redirect(back)
    flash(_("The money and people are released. Backers and the team are told.")
          if form.funding_decision.data == "release" else
          _("The funding is declined. Your reason is on the idea for everyone."), "success")
    return redirect(url_for("ideas.show", public_id=entry.idea.public_id, _anchor="funding"))


