"""Flagging (any employee) and the author's moderation notices. What moderation does to the
idea pages (hidden ideas are gone for others, merged ones lead to the survivor) is the
visibility rule (ideaboard/visibility.py), applied where ideas are loaded."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.extensions import limiter
from ideaboard.forms.moderation import FLAG_REASON_CHOICES, FLAG_REASON_LABELS, FlagForm
from ideaboard.models import Critique, FlagReason, Idea
from ideaboard.queries.admin import (
    ModerationView,
    moderation_view,
    notices_for,
    plan_moderation_view,
)
from ideaboard.services import DomainError
from ideaboard.services.moderation import flag
from ideaboard.services.settings import rate_limit
from ideaboard.web.ideas import load_comment, load_idea
from ideaboard.web.plans import load_critique

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

@bp.app_template_global("moderation_view")
def cached_moderation_view(idea: Idea) -> ModerationView:
    """What the viewer flagged on this page and what they were told; queried once a page."""
    views = g.setdefault("moderation_views", {})
    if idea.id not in views:
        views[idea.id] = moderation_view(current_user, idea)
    return views[idea.id]


@bp.app_template_global("plan_moderation_view")
def cached_plan_moderation_view(plan_id: int) -> ModerationView:
    """What the viewer flagged among a plan's critiques and what they were told about theirs;
    queried once a page."""
    views = g.setdefault("plan_moderation_views", {})
    if plan_id not in views:
        views[plan_id] = plan_moderation_view(current_user, plan_id)
    return views[plan_id]


@bp.app_template_global("flag_reason_label")
def flag_reason_label(reason: FlagReason | str | None) -> str:
    return str(FLAG_REASON_LABELS.get(FlagReason(reason), "")) if reason else ""


@bp.app_template_global("flag_reason_choices")
def flag_reason_choices() -> list[tuple[str, str]]:
    """Translated once a request: a discussion page shows the picker under every comment."""
    choices = g.get("flag_reason_choices")
    if choices is None:
        choices = g.flag_reason_choices = [(choice.value, str(choice.label))
                                           for choice in FLAG_REASON_CHOICES]
    return choices


def _flag(item, back: str, back_when_hidden: str | None = None):
    """Flag, thank, and return to a page that still exists for the flagger: a post that
    this flag hid is gone for them, so `back_when_hidden` (its campaign) is used then."""
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Choose what is wrong with the post."), "warning")
        return redirect(back)
    try:
        hidden = flag(current_user, item, FlagReason(form.reason.data), form.note.data or "")
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(_("Thank you. Several colleagues flagged it, so it is hidden until a moderator "
                "has looked at it.") if hidden else
              _("Thank you. A moderator will look at it; your name is not shown to the "
                "author."), "success")
        if hidden and back_when_hidden:
            return redirect(back_when_hidden)
    return redirect(back)


def _flag_page(item):
    """The flag form on its own page: what the Flag link opens without JavaScript. Someone
    who may not flag it (their own post, flagged already, hidden) is told why."""
    mod = (cached_plan_moderation_view(item.plan_id) if isinstance(item, Critique)
           else cached_moderation_view(item.idea))
    return render_template("moderation/flag.html", item=item, mod=mod,
                           back=_back_to(item))


def _back_to(item) -> str:
    if isinstance(item, Critique):
        return url_for("plans.show", slug=item.plan.campaign.slug, _anchor=f"k-{item.public_id}")
    return url_for("ideas.show", public_id=item.idea.public_id, _anchor=f"c-{item.public_id}")


@bp.post("/ideas/<public_id>/flag")
@login_required
@limiter.limit(lambda: rate_limit("flag"))
def flag_idea(public_id: str):
    idea = load_idea(public_id)
    return _flag(idea, url_for("ideas.show", public_id=idea.public_id),
                 url_for("campaigns.show", slug=idea.campaign.slug))


@bp.route("/comments/<public_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: rate_limit("flag"), methods=["POST"])
def flag_comment(public_id: str):
    comment = load_comment(public_id)
    if request.method == "GET":
        return _flag_page(comment)
    return _flag(comment, _back_to(comment))


@bp.route("/critiques/<public_id>/flag", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: rate_limit("flag"), methods=["POST"])
def flag_critique(public_id: str):
    critique = load_critique(public_id)
    if request.method == "GET":
        return _flag_page(critique)
    return _flag(critique, _back_to(critique))


@bp.get("/notices")
@login_required
def notices():
    """What moderation did to the viewer's own posts, and why."""
    return render_template("moderation/notices.html", notices=notices_for(current_user))
