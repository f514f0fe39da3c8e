"""The in-app inbox."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ideaboard.forms import ActionForm
from ideaboard.models import NotificationKind
from ideaboard.queries.notifications import inbox as inbox_items
from ideaboard.services.notifications import mark_read

bp = Blueprint("notifications", __name__, url_prefix="/inbox")
NOTICE_ANCHORS = {  # funding and delivery (issue 14): where on the idea each notice points
    NotificationKind.FUNDING_RESULT: "funding", NotificationKind.FUNDING_BACKED: "funding",
    NotificationKind.FUNDING_ANSWER: "funding", NotificationKind.PLEDGE_NEW: "volunteers",
    NotificationKind.TEAM_INVITE: "volunteers", NotificationKind.DELIVERY_UPDATE: "delivery",
    NotificationKind.DELIVERY_STALLED: "delivery"}


@bp.before_request
@login_required
def _members_only():
    """Every inbox page belongs to a signed-in user."""


@bp.get("/")
def inbox():
    items, older = inbox_items(current_user, before=request.args.get("before"))
    return render_template("notifications/inbox.html", items=items, older=older)


@bp.post("/<int:notification_id>/open")
def open_item(notification_id: int):
    """Mark as read and go to what happened (a POST: reading changes state)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    item = mark_read(current_user, notification_id)
    if item is None:
        abort(404)
    if item.kind == NotificationKind.ANONYMITY_REVEALED:
        return redirect(url_for("moderation.notices"))
    if item.campaign is not None:
        return redirect(url_for("campaigns.show", slug=item.campaign.slug, _anchor="outcome"))
    if item.idea is None:
        return redirect(url_for("notifications.inbox"))
    anchor = "discussion" if item.comment_id else NOTICE_ANCHORS.get(item.kind, "timeline")
    return redirect(url_for("ideas.show", public_id=item.idea.public_id, _anchor=anchor))


@bp.post("/read-all")
def read_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_read(current_user)
    return redirect(url_for("notifications.inbox"))
