"""Voice-equity analytics (leaders and administrators): the page and its CSV, built from the
same view so the download holds exactly what the page shows."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from ideaboard.permissions import can_view_analytics
from ideaboard.queries.analytics import AnalyticsView, build_view, load_base, view_csv
from ideaboard.services.settings import small_group_minimum

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


@bp.before_request
@login_required
def _leaders_only():
    if not can_view_analytics(current_user):
        abort(403)


def requested_view() -> AnalyticsView:
    return build_view(load_base(), dimension=request.args.get("by", "level"),
                      filter_key=request.args.get("within") or None,
                      quarter=request.args.get("quarter"), trend=request.args.get("trend"),
                      minimum=small_group_minimum())


@bp.get("/")
def index():
    response = Response(render_template("analytics/index.html", view=requested_view()))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.csv")
def export():
    view = requested_view()
    name = f"voice-equity-{view.dimension}-{view.quarters[view.quarter].key}.csv"
    return Response(("\ufeff" + view_csv(view)).encode(),  # the BOM: Excel reads UTF-8
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})
