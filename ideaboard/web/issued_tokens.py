"""A new token's secret, shown on exactly one page after it is made (personal and directory
tokens alike): the POST that makes it keeps it in the session and redirects; the GET that
follows takes it out again, so a reload neither makes a second token nor shows the secret
twice. The session cookie already stands for the signed-in person, so the secret is no safer
anywhere else for that one hop."""
from __future__ import annotations

from flask import session

from ideaboard.models import TokenKind
from ideaboard.queries.integrations import token_by_id
from ideaboard.services.api_tokens import IssuedToken

_KEY = "issued_token"


def keep_for_one_display(issued: IssuedToken) -> None:
    session[_KEY] = {"id": issued.token.id, "secret": issued.secret}


def take_issued(kind: TokenKind, owner_id: int | None = None) -> IssuedToken | None:
    """The token just made, once: of this kind (and this owner's, when given), else None."""
    kept = session.pop(_KEY, None)  # never lingers in the cookie, whatever page comes next
    if not kept:
        return None
    token = token_by_id(kept["id"])
    if token is None or token.kind != kind or (owner_id is not None
                                               and token.user_id != owner_id):
        return None
    return IssuedToken(token=token, secret=kept["secret"])
