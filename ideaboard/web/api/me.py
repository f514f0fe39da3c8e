"""The token's person: who they are, and their inbox."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from ideaboard.queries.notifications import inbox
from ideaboard.web.api import bp, representations
from ideaboard.web.api.fields import page_limit


@bp.get("/me")
def me():
    token = g.api_token
    return {"id": current_user.id, "name": current_user.display_name,
            "email": current_user.email, "role": current_user.role.value,
            "locale": current_user.locale,
            "token": {"name": token.name, "scopes": token.scope_list,
                      "expires_at": representations.stamp(token.expires_at)}}


@bp.get("/notifications")
def notifications():
    """The person's own inbox, newest first (keyset pages: ?before=)."""
    items, older = inbox(current_user, before=request.args.get("before"), limit=page_limit())
    return {"items": [representations.notification(item) for item in items], "next": older}
