"""Proving who someone is: e-mailed single-use links (confirming a sign-up's address,
resetting a forgotten password), changing a password, ending every session, and the
"single sign-on only" rule with its break-glass administrators.

A link's secret is an HMAC, under SECRET_KEY, of its `account_token` row: nothing stored in
the database (neither the row nor the outbox message that carries it) is enough to use it.
A link dies when it is used, when it expires and when the password changes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import AccountToken, LoginSession, OutboxMessage, Role, TokenPurpose, User
from ideaboard.models.base import utcnow
from ideaboard.services import InvalidInput, NotAllowed

PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash method name)
MIN_PASSWORD_LENGTH = 10
# Where the links in e-mails lead (the routes in web/auth.py answer them).
LINK_PATHS = {TokenPurpose.VERIFY_EMAIL: "/verify/{token}",
              TokenPurpose.RESET_PASSWORD: "/password/reset/{token}"}
# Outbox kinds of the account e-mails; "signup_exists" tells the owner of an address that
# someone tried to sign up with it (so the sign-up page never says the address is taken).
ACCOUNT_MAIL_KINDS = ("verify_email", "reset_password", "signup_exists")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("Use at least %(n)d characters for the password.",
                              n=MIN_PASSWORD_LENGTH))


# --- links -------------------------------------------------------------------------------

def _signature(token: AccountToken) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{token.purpose.value}:{token.id}:{token.user_id}:{token.salt}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_secret(token: AccountToken) -> str:
    """What goes in the e-mailed URL: the row's id and its signature."""
    return f"{token.id}.{_signature(token)}"


def link_url(token: AccountToken, base_url: str) -> str:
    return base_url.rstrip("/") + LINK_PATHS[token.purpose].format(token=link_secret(token))


def _lifetime(purpose: TokenPurpose) -> timedelta:
    config = current_app.config
    if purpose is TokenPurpose.VERIFY_EMAIL:
        return timedelta(hours=config["VERIFY_EMAIL_VALID_HOURS"])
    return timedelta(minutes=config["PASSWORD_RESET_VALID_MINUTES"])


def queue_account_mail(session: Session, user: User, kind: str,
                       purpose: TokenPurpose | None = None) -> AccountToken | None:
    """Write the e-mail (and its link, if any) to the outbox in the caller's transaction."""
    token = None
    now = utcnow()
    if purpose is not None:
        token = AccountToken(user_id=user.id, purpose=purpose, created_at=now,
                             expires_at=now + _lifetime(purpose))
        session.add(token)
        session.flush()
    session.add(OutboxMessage(user_id=user.id, kind=kind, created_at=now, send_after=now,
                              account_token_id=token.id if token else None))
    return token


def live_token(secret: str, purpose: TokenPurpose) -> AccountToken | None:
    """The link's row if the link is genuine, of this purpose, unused and unexpired."""
    token_id, _dot, signature = (secret or "").partition(".")
    if not token_id.isdigit() or len(token_id) > 18 or not signature:
        return None
    token = db.session.get(AccountToken, int(token_id))
    if token is None or token.purpose is not purpose or not token.is_live():
        return None
    if not hmac.compare_digest(_signature(token), signature):
        return None
    return token


def _spend(session: Session, token: AccountToken) -> bool:
    """Mark the link used; False if another request used it first."""
    result = session.execute(update(AccountToken).where(
        AccountToken.id == token.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    return result.rowcount == 1


def _spend_all(session: Session, user_id: int) -> None:
    session.execute(update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.used_at.is_(None)).values(
        used_at=utcnow()))


class LinkExpired(NotAllowed):
    def __init__(self) -> None:
        super().__init__(str(_l("This link has expired or was already used. "
                                "Ask for a new one below.")))


# --- confirming an address ---------------------------------------------------------------

def confirm_email(secret: str) -> User:
    """Follow a sign-up's link: the address is proven and the account may sign in."""
    with write_transaction() as session:
        token = live_token(secret, TokenPurpose.VERIFY_EMAIL)
        if token is None or not _spend(session, token):
            raise LinkExpired()
        user = session.get(User, token.user_id)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
    return user


def resend_verification(email: str) -> None:
    """Send a fresh link to an unconfirmed account; says nothing about whether one exists."""
    from ideaboard.services.accounts import normalise_email

    with write_transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None or user.email_verified_at is not None or user.deactivated_at:
            return
        queue_account_mail(session, user, "verify_email", TokenPurpose.VERIFY_EMAIL)


# --- forgotten and changed passwords -----------------------------------------------------

def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address has an account that may use a password.

    The caller shows the same answer either way, so nobody learns who has an account."""
    from ideaboard.services.accounts import normalise_email

    with write_transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None or user.deactivated_at is not None or not password_sign_in_allowed(user):
            return
        queue_account_mail(session, user, "reset_password", TokenPurpose.RESET_PASSWORD)


def reset_password(secret: str, new_password: str) -> User:
    """Set a new password from a reset link; every session and every other link ends.

    Following the link proves the address too, so an unconfirmed account becomes confirmed."""
    check_new_password(new_password)
    new_hash = hash_password(new_password)
    with write_transaction() as session:
        token = live_token(secret, TokenPurpose.RESET_PASSWORD)
        if token is None or not _spend(session, token):
            raise LinkExpired()
        user = session.get(User, token.user_id)
        _set_password(session, user, new_hash)
        user.email_verified_at = user.email_verified_at or utcnow()
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return user


def change_password(user: User, current_password: str, new_password: str,
                    keep_session_id: str | None) -> None:
    """Change one's own password; every other session ends, this one stays."""
    if not check_password_hash(user.password_hash, current_password):
        raise InvalidInput(_l("Your current password is not right."))
    check_new_password(new_password)
    new_hash = hash_password(new_password)
    with write_transaction() as session:
        user = session.merge(user)
        _set_password(session, user, new_hash)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                   LoginSession.id != keep_session_id))


def _set_password(session: Session, user: User, new_hash: str) -> None:
    user.password_hash = new_hash
    user.password_changed_at = utcnow()
    _spend_all(session, user.id)


def sign_out_everywhere(user: User) -> int:
    """End every session of the user, this browser's included. Returns how many ended."""
    with write_transaction() as session:
        result = session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return result.rowcount


# --- single sign-on only -----------------------------------------------------------------

def sso_only() -> bool:
    return bool(current_app.config["SSO_ONLY"])


def is_break_glass(user: User) -> bool:
    """A configured administrator who may still use a password when SSO is the only way in
    (for when the identity provider is down or misconfigured)."""
    listed = {address.strip().lower() for address in current_app.config["SSO_BREAK_GLASS_EMAILS"]}
    return user.role is Role.ADMIN and user.email.lower() in listed


def password_sign_in_allowed(user: User) -> bool:
    return not sso_only() or is_break_glass(user)
