"""Flagging (any employee), the author's moderation notices, and what moderation does to the
idea pages: hidden ideas are 404 to everyone but their author and admins, and a merged
idea's page sends readers on to the surviving idea."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.extensions import limiter
from ideaboard.forms.moderation import FLAG_REASON_CHOICES, FLAG_REASON_LABELS, FlagForm
from ideaboard.models import FlagReason, Idea, IdeaStatus
from ideaboard.permissions import is_admin
from ideaboard.queries.admin import (
    ModerationView,
    idea_page_access,
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

# Idea routes whose <public_id> names an idea that a hidden idea must not be reachable by.
HIDDEN_IDEA_ENDPOINTS = frozenset({"ideas.show", "ideas.vote", "ideas.comment", "ideas.follow"})


@bp.before_app_request
def _moderated_idea_pages():
    """Hidden ideas do not exist for other readers; merged ideas lead to the survivor."""
    if request.endpoint not in HIDDEN_IDEA_ENDPOINTS or not request.view_args:
        return None
    state = idea_page_access(request.view_args.get("public_id", ""))
    if state is None:
        return None
    if state.hidden_at is not None and state.deleted_at is None and not (
            is_admin(current_user)
            or (current_user.is_authenticated and current_user.id == state.author_id)):
        abort(404)
    if (request.endpoint == "ideas.show" and state.status == IdeaStatus.MERGED
            and state.merged_into):
        flash(_("That idea was merged into this one; its votes and discussion are here now."),
              "info")
        return redirect(url_for("ideas.show", public_id=state.merged_into))
    return None


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


def _flag(item, back: str):
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
    return redirect(back)


@bp.post("/ideas/<public_id>/flag")
@login_required
@limiter.limit(lambda: rate_limit("flag"))
def flag_idea(public_id: str):
    idea = load_idea(public_id)
    return _flag(idea, url_for("ideas.show", public_id=idea.public_id))


@bp.post("/comments/<public_id>/flag")
@login_required
@limiter.limit(lambda: rate_limit("flag"))
def flag_comment(public_id: str):
    comment = load_comment(public_id)
    return _flag(comment, url_for("ideas.show", public_id=comment.idea.public_id,
                                  _anchor=f"c-{comment.public_id}"))


@bp.post("/critiques/<public_id>/flag")
@login_required
@limiter.limit(lambda: rate_limit("flag"))
def flag_critique(public_id: str):
    critique = load_critique(public_id)
    return _flag(critique, url_for("plans.show", slug=critique.plan.campaign.slug,
                                   _anchor=f"k-{critique.public_id}"))


@bp.get("/notices")
@login_required
def notices():
    """What moderation did to the viewer's own posts, and why."""
    return render_template("moderation/notices.html", notices=notices_for(current_user))
