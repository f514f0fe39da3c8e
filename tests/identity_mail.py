"""The e-mails the identity features write to the outbox, as their recipients read them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, User
from ideaboard.services.mail import render_message

LINK = re.compile(r"https?://\S+")


def account_mails(email: str, kind: str | None = None) -> list[OutboxMessage]:
    query = (select(OutboxMessage).join(User, User.id == OutboxMessage.user_id)
             .where(User.email == email).order_by(OutboxMessage.id))
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def mailed_link(email: str, kind: str) -> str:
    """The path of the link in the newest e-mail of this kind to this address."""
    messages = account_mails(email, kind)
    assert messages, f"no {kind} e-mail was queued for {email}"
    body = render_message(messages[-1]).get_content()
    links = [link for link in LINK.findall(body) if "/verify/" in link or "/reset/" in link]
    assert links, body
    return urlsplit(links[0]).path
