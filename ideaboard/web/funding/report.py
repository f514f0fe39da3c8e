"""The round report for its owner, leaders and admins: SVG charts, tables, and a CSV."""
from __future__ import annotations

import csv
import io

from flask import (
    Response,
    abort,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ideaboard.permissions import (
    can_see_round_report,
)
from ideaboard.queries.funding_report import round_report
from ideaboard.web.funding import bp, load_round
from ideaboard.web.funding.display import level_names, money

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
