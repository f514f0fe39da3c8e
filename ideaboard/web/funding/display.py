"""What templates share: money, chart labels, the idea page's funding box, the review
page's funding panel and the funded ideas awaiting confirmation."""
from __future__ import annotations

import unicodedata
from functools import cache

from babel.numbers import format_decimal
from flask import (
    g,
)
from flask_babel import gettext as _
from flask_login import current_user

from ideaboard.catalog import current_locale
from ideaboard.forms.funding import (
    FundingAnswerForm,
)
from ideaboard.models import Idea, Level
from ideaboard.models.base import utcnow
from ideaboard.models.funding import CURRENCY_SYMBOLS
from ideaboard.permissions import (
    can_enter_idea,
)
from ideaboard.queries.delivery import owner_id_for, pledges_for
from ideaboard.queries.funding import (
    awaiting_confirmation,
    idea_funding,
)
from ideaboard.services.funding import (
    close_if_due,
)
from ideaboard.web.funding import bp


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


