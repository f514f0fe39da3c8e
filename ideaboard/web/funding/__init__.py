"""Funding rounds: one blueprint. display.py holds what templates share (money, the idea
page's funding box, the review page's panel); rounds.py the index, opening and editing a
round, its page with the wallet, entering ideas, giving points, closing and leadership's
answer; report.py the round report and its CSV."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from ideaboard.models import FundingRound
from ideaboard.queries.funding import round_by_slug
from ideaboard.services.funding import close_if_due

bp = Blueprint("funding", __name__, url_prefix="/funding")


@bp.before_request
@login_required
def _members_only():
    """Funding rounds are for signed-in employees."""


def load_round(slug: str) -> FundingRound:
    funding_round = round_by_slug(slug)
    if funding_round is None:
        abort(404)
    close_if_due(funding_round)  # results never wait for the scheduler
    return funding_round


from ideaboard.web.funding import display, report, rounds  # noqa: E402, F401  (the routes)
