"""Funding rounds: the index, opening and editing a round, its page with the wallet,
entering ideas, giving points (a form post, or fetch for an instant wallet), closing,
leadership's answer, and the round report with its CSV."""
from __future__ import annotations

import csv
import io
import unicodedata
from functools import cache

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ideaboard.catalog import current_locale
from ideaboard.extensions import limiter
from ideaboard.forms import ActionForm
from ideaboard.forms.funding import (
    AllocationForm,
    EditRoundForm,
    EntryForm,
    FundingAnswerForm,
    RoundForm,
)
from ideaboard.models import DivisionRule, FundingRound, Idea, Level
from ideaboard.models.base import utcnow
from ideaboard.models.division import EXAMPLE_IDEAS, EXAMPLE_MIN_BACKERS, EXAMPLE_POOL
from ideaboard.models.division import worked_example as division_example
from ideaboard.models.funding import CURRENCY_SYMBOLS
from ideaboard.permissions import (
    can_back,
    can_enter_idea,
    can_manage_funding_round,
    can_open_funding_round,
    can_see_round_report,
    is_leader,
)
from ideaboard.queries.delivery import owner_id_for, pledges_for
from ideaboard.queries.funding import (
    RoundPage,
    awaiting_confirmation,
    enterable_ideas,
    entry_by_id,
    entry_in_round,
    idea_funding,
    round_by_slug,
    round_index,
    round_page,
)
from ideaboard.queries.funding_report import round_report
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
from ideaboard.web.ideas import wants_json

bp = Blueprint("funding", __name__, url_prefix="/funding")


@bp.before_request
@login_required
def _members_only():
    """Funding rounds are for signed-in employees."""


def money(amount: float | int | None, currency: str) -> str:
    """¥200,000 — whole units, grouped the reader's way (a round page shows dozens, so the
    locale's group separator is looked up once, not formatted by Babel each time)."""
    grouped = f"{int(amount or 0):,}".replace(",", _group_separator(str(current_locale())))
    return f"{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{grouped}"


@cache
def _group_separator(locale: str) -> str:
    return format_decimal(1000, format="#,##0", locale=locale)[1]


def level_names() -> dict[str, str]:
    return {Level.FRONTLINE.value: _("Frontline"), Level.MANAGER.value: _("Manager"),
            Level.SENIOR.value: _("Senior"), Level.EXECUTIVE.value: _("Executive")}


def load_round(slug: str) -> FundingRound:
    funding_round = round_by_slug(slug)
    if funding_round is None:
        abort(404)
    close_if_due(funding_round)  # results never wait for the scheduler
    return funding_round


@bp.app_template_global()
def funding_panel(idea: Idea):
    """The idea page's funding box and timeline steps: its rounds, bar and the viewer's
    points (read once per request: the page asks twice)."""
    cache = g.setdefault("funding_panels", {})
    if idea.id not in cache:
        funding = idea_funding(idea, current_user, can_enter_idea(current_user, idea))
        if funding.current and close_if_due(funding.current.entry.round):
            funding = idea_funding(idea, current_user, can_enter_idea(current_user, idea))
        cache[idea.id] = funding
    return cache[idea.id]


@bp.app_template_global()
def funding_awaiting_confirmation():
    return awaiting_confirmation()


@bp.app_template_global()
def review_funding(idea: Idea) -> dict:
    """The review page's funding box: the idea's rounds, the answer form, the capacity
    colleagues pledged (leaders see names)."""
    return {"funding": idea_funding(idea, current_user, False),
            "pledges": pledges_for(idea, current_user, owner_id_for(idea)),
            "answer_form": FundingAnswerForm()}


bp.add_app_template_global(money)
bp.add_app_template_global(can_back)
bp.add_app_template_global(utcnow, "now_utc")


@bp.app_template_filter("fit_label")
def fit_label(text: str, units: int) -> str:
    """Shorten a chart label to `units` half-width characters (a Chinese character
    counts two), so it fits beside its bar."""
    used, kept = 0, []
    for char in text:
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > units:
            return "".join(kept).rstrip() + "…"
        kept.append(char)
    return text


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
                       **_fragments(round_page(funding_round, current_user)))
    flash(_points_message(result.points, entry.idea.title, result.left), "success")
    return redirect(back)


def _fragments(page: RoundPage) -> dict:
    """The wallet and every idea's bar and counts, rendered by the page's own macros, so the
    page updates in place after an allocation (static/js/funding.js)."""
    macro = lambda name: get_template_attribute("funding/_macros.html", name)  # noqa: E731
    funding_round = page.funding_round
    data = {"wallet_html": macro("wallet_panel")(page, funding_round) if page.wallet else ""}
    if not funding_round.totals_hidden():
        bar, counts = macro("funding_bar"), macro("backer_count")
        data["bars"] = {str(v.entry.id): str(bar(v, funding_round)) for v in page.entries
                        if v.share is not None}
        data["counts"] = {str(v.entry.id): str(counts(v.entry, funding_round))
                          for v in page.entries}
    return data


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


# --- the round report ---------------------------------------------------------------------

def _report_for(slug: str):
    funding_round = load_round(slug)
    if not can_see_round_report(current_user, funding_round):
        abort(403)
    return round_report(funding_round, _("Other departments"), _("Other levels"),
                        level_names())


@bp.get("/<slug>/report")
def report(slug: str):
    report = _report_for(slug)
    return render_template("funding/report.html", report=report,
                           funding_round=report.funding_round, charts=_chart_rows(report))


def _chart_rows(report) -> dict[str, list[tuple]]:
    """(label, value, marker, text) per bar; the tables beside the charts hold the same."""
    funding_round = report.funding_round

    def offer_text(view) -> str:
        offer = view.share.offer_amount if view.share else 0
        text = _("%(offer)s of %(ask)s", offer=money(offer, funding_round.currency),
                 ask=money(view.entry.ask_amount, funding_round.currency))
        return f"{text} ✓" if view.share and view.share.funded else text

    def group_rows(groups) -> list[tuple]:
        return [(g.name, g.funded, g.entered, _("%(funded)d of %(entered)d funded",
                                                funded=g.funded, entered=g.entered))
                for g in groups]

    return {
        "participation": [(g.name, round(100 * g.members / g.eligible) if g.eligible else 0,
                           None, f"{round(100 * g.members / g.eligible) if g.eligible else 0}% "
                           f"({g.members}/{g.eligible})") for g in report.participation],
        "division": [(v.idea.title, v.share.offer_amount if v.share else 0,
                      v.entry.ask_amount, offer_text(v)) for v in report.entries],
        "department": group_rows(report.by_department),
        "level": group_rows(report.by_level),
    }


@bp.get("/<slug>/report.csv")
def report_csv(slug: str):
    report = _report_for(slug)
    funding_round = report.funding_round
    answers = {a.view.entry.id: a for a in report.answers}
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(out)
    writer.writerow([_("Idea"), _("Link"), _("Ask (money)"), _("Ask (people-weeks)"),
                     _("Points"), _("Backers"), _("Weight"), _("Offer (money)"),
                     _("Offer (people-weeks)"), _("Funded"), _("Awarded (money)"),
                     _("Awarded (people-weeks)"), _("Leadership's answer"),
                     _("Days from close to answer")])
    for view in report.entries:
        entry, share = view.entry, view.share
        found = answers.get(entry.id)
        writer.writerow([
            view.idea.title, url_for("ideas.show", public_id=view.idea.public_id,
                                     _external=True),
            entry.ask_amount, entry.ask_people_weeks, entry.points, entry.backers,
            round(share.weight, 3) if share else "", int(share.offer_amount) if share else "",
            round(share.offer_people_weeks, 1) if share else "",
            _("yes") if share and share.funded else _("no"),
            share.awarded_amount if share else 0, share.awarded_people_weeks if share else 0,
            entry.answer.value if entry.answer else "",
            found.days if found and found.days is not None else ""])
    filename = f"funding-{funding_round.slug}.csv"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
