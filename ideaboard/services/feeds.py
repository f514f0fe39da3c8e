"""Private feed links: a feed reader cannot sign in, so each person's feed URLs carry a
token that stands for them (read-only, feeds only). Tokens are signed, not stored: bumping
`User.feed_token_version` ("reset my feed links") makes every earlier link stop working."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import User

_SALT = "ideaboard.feed-token"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def feed_token(user: User) -> str:
    return _serializer().dumps([user.id, user.feed_token_version])


def user_for_feed_token(token: str | None) -> User | None:
    """The person a feed token stands for, while the link is current and they may sign in."""
    if not token or len(token) > 200:
        return None
    try:
        user_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.feed_token_version != version or not user.can_sign_in:
        return None
    return user


def reset_feed_token(user: User) -> None:
    """Every feed link given out so far stops working."""
    with write_transaction() as session:
        user.feed_token_version += 1
        session.add(user)
