"""Campaigns and leadership's decisions."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ideaboard.queries.campaigns import campaign_index
from ideaboard.queries.review import decided
from ideaboard.web.api import bp, representations
from ideaboard.web.api.fields import page_limit
from ideaboard.web.campaigns import load_campaign


@bp.get("/campaigns")
def campaigns():
    """Open campaigns (soonest closing first), then upcoming, then the 30 most recently
    closed — the campaigns page's own lists."""
    index = campaign_index()
    return {"items": [representations.campaign(item)
                      for item in (*index.open, *index.upcoming, *index.closed)]}


@bp.get("/campaigns/<slug>")
def campaign(slug: str):
    return representations.campaign(load_campaign(slug))


@bp.get("/decisions")
def decisions():
    """Leadership's answers, newest first, each with its latest decision (keyset pages)."""
    page = decided(limit=page_limit(), before=request.args.get("after"), viewer=current_user)
    return {"items": [{"idea": representations.idea_summary(idea),
                       "decision": representations.decision(step) if step else None}
                      for idea, step in page.items],
            "next": page.next_cursor}
