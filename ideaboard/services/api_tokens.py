"""Personal access tokens for the JSON API and the directory's SCIM tokens.

A token is a random secret (256 bits) shown once; the database keeps its SHA-256 only, so
a copy of the database holds nothing that signs anyone in. A salted slow hash is not needed:
the secret is not a password a person chose, and guessing 256 random bits is hopeless.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import ApiToken, TokenKind, TokenScope, User
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_revoke_token, is_admin
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record

PREFIXES = {TokenKind.PERSONAL: "ibp_", TokenKind.SCIM: "ibs_"}
MAX_NAME_LENGTH = 80
MAX_EXPIRY_DAYS = 366
USE_RECORDED_EVERY = timedelta(minutes=10)  # last_used_at is a hint, not a log: few writes


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_l("Name the token after what uses it, such as “Team dashboard”."),
                           field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(_l("Keep the name to %(n)d characters.", n=MAX_NAME_LENGTH),
                           field="name")
    return name


def _issue(session, user: User, kind: TokenKind, name: str, scopes: list[TokenScope],
           expires_in_days: int | None) -> IssuedToken:
    secret = PREFIXES[kind] + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(kind=kind, user_id=user.id, name=name, token_hash=token_hash(secret),
                     prefix=secret[:10], scopes=" ".join(s.value for s in scopes),
                     expires_at=expires_at, created_at=utcnow())
    session.add(token)
    session.flush()
    return IssuedToken(token, secret)


def create_personal_token(user: User, *, name: str, write: bool,
                          expires_in_days: int | None) -> IssuedToken:
    """A token that acts as `user` in the API: `read`, or `read` and `write`."""
    name = _name(name)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(_l("Choose an expiry between 1 and %(n)d days, or none.",
                              n=MAX_EXPIRY_DAYS), field="expires_in_days")
    scopes = [TokenScope.READ, TokenScope.WRITE] if write else [TokenScope.READ]
    with write_transaction() as session:
        return _issue(session, user, TokenKind.PERSONAL, name, scopes, expires_in_days)


def create_scim_token(admin: User, *, name: str) -> IssuedToken:
    """The directory's token (Okta, Microsoft Entra ID …): it manages accounts, so only
    administrators make one, and the audit log says who."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators manage directory sync."))
    name = _name(name)
    with write_transaction() as session:
        issued = _issue(session, admin, TokenKind.SCIM, name,
                        [TokenScope.READ, TokenScope.WRITE], None)
        record(session, admin, "scim.token_create", "api_token", issued.token.id, name=name)
    return issued


def revoke_token(actor: User, token: ApiToken) -> None:
    """The owner revokes their own token; an admin anyone's (audited). It stops at once."""
    if not can_revoke_token(actor, token):
        raise NotAllowed(_l("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        return
    with write_transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token.id,
                                               ApiToken.revoked_at.is_(None))
                        .values(revoked_at=utcnow(), revoked_by_id=actor.id))
        if token.kind == TokenKind.SCIM:
            record(session, actor, "scim.token_revoke", "api_token", token.id, name=token.name)
        elif token.user_id != actor.id:
            record(session, actor, "api.token_revoke", "api_token", token.id, name=token.name,
                   owner=token.user_id)
    token.revoked_at = utcnow()


def authenticate(secret: str | None, kind: TokenKind) -> ApiToken | None:
    """The live token of `kind` for this secret (its user loaded), or None. A suspended or
    deactivated person's tokens do not work, like their sessions."""
    if not secret or not secret.startswith(PREFIXES[kind]) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == token_hash(secret), ApiToken.kind == kind))
    if token is None or not token.is_live():
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.can_sign_in:
        return None
    if kind == TokenKind.SCIM and not is_admin(user):
        return None  # its maker is no longer an administrator
    token.user = user
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        with write_transaction() as session:
            session.execute(update(ApiToken).where(ApiToken.id == token.id)
                            .values(last_used_at=now))
        token.last_used_at = now
    return token
