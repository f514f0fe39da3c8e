"""Sign-up, sign-in, sessions, invitations and profiles."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, delete, select
from werkzeug.security import check_password_hash

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import Department, Invite, Level, LoginSession, Role, TokenPurpose, User
from ideaboard.models.base import utcnow
from ideaboard.services import DomainError, InvalidInput, NotAllowed
from ideaboard.services.identity import (
    MIN_PASSWORD_LENGTH,
    check_new_password,
    hash_password,
    password_sign_in_allowed,
    queue_account_mail,
    sso_only,
)

__all__ = ["MIN_PASSWORD_LENGTH"]
# A hash of a random string, checked when the e-mail is unknown so timing reveals nothing.
_DUMMY_HASH = hash_password("not-a-real-password-4f9c")


class SignInRefused(DomainError):
    pass


class EmailNotConfirmed(SignInRefused):
    """Right password, but the sign-up's e-mailed link has not been followed yet."""

    def __init__(self) -> None:
        super().__init__(str(_l("Confirm your e-mail address first: follow the link we sent "
                                "you. No e-mail? Ask for a new link below.")))


class PasswordSignInOff(SignInRefused):
    def __init__(self) -> None:
        super().__init__(str(_l("Sign in with single sign-on: password sign-in is switched "
                                "off for this company.")))


class AccountSuspended(SignInRefused):
    def __init__(self, until: datetime | None, reason: str | None):
        self.until, self.reason = until, reason
        super().__init__(str(_l("This account is suspended.")))


class InvalidEmail(InvalidInput):
    pass


MAX_EMAIL_LENGTH = 254


def normalise_email(email: str) -> str:
    return email.strip().lower()


def checked_email(email: str) -> str:
    """The one check for an e-mail address we store or send to (sign-up, invitations):
    its syntax, by email-validator, without a DNS lookup. Returns it normalised."""
    address = normalise_email(email or "")
    try:
        if len(address) > MAX_EMAIL_LENGTH:
            raise EmailNotValidError("too long")
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as refused:
        raise InvalidEmail(_l("Enter a valid e-mail address, such as name@example.com.")) \
            from refused
    return address


def email_domain_allowed(email: str, allowed_domains: list[str]) -> bool:
    domain = normalise_email(email).rpartition("@")[2]
    return domain in {d.lower().lstrip("@") for d in allowed_domains}


def find_usable_invite(token: str) -> Invite | None:
    invite = db.session.scalar(select(Invite).where(Invite.token == token))
    return invite if invite and invite.is_usable() else None


def register_user(*, email: str, password: str, display_name: str,
                  department_id: int | None, level: Level | None, locale: str | None,
                  allowed_domains: list[str], invite_token: str | None = None) -> User | None:
    """Self sign-up is open to the allowed e-mail domains, or to anyone holding a live invite.
    While the directory owns department and level, neither may be given here (None).

    With an invitation the account is ready at once (the invitation link proved the address)
    and is returned. Otherwise None: a confirmation link goes to the address, and the account
    cannot sign in until it is followed. If the address already has an account, its owner is
    told by e-mail instead, and the caller cannot tell the difference.
    """
    from ideaboard.permissions import department_and_level_are_self_declared

    email = normalise_email(email)
    check_new_password(password)
    if sso_only():
        raise NotAllowed(_l("Accounts are created by signing in with single sign-on."))
    if (department_id is not None or level is not None) and \
            not department_and_level_are_self_declared():
        raise NotAllowed(_l("Your department and level come from the company directory: ask "
                            "HR or IT to change them there."), field="department_id")
    password_hash = hash_password(password)
    with write_transaction() as session:
        invite = None
        if invite_token:
            invite = session.scalar(select(Invite).where(Invite.token == invite_token))
            if invite is None or not invite.is_usable():
                raise NotAllowed(_l("This invitation has expired or was already used. "
                                    "Ask an administrator for a new one."))
            if invite.email and normalise_email(invite.email) != email:
                raise NotAllowed(_l("This invitation is for a different e-mail address."))
        elif not email_domain_allowed(email, allowed_domains):
            raise NotAllowed(_l("Sign-up is open to company e-mail addresses only. "
                                "Ask an administrator for an invitation."))
        existing = session.scalar(select(User).where(User.email == email))
        if existing is not None and invite:
            raise InvalidInput(_l("An account with this e-mail already exists. Sign in instead."))
        if existing is not None:
            if existing.email_verified_at is None:
                queue_account_mail(session, existing, "verify_email", TokenPurpose.VERIFY_EMAIL)
            else:
                queue_account_mail(session, existing, "signup_exists")
            return None
        user = User(email=email, password_hash=password_hash,
                    display_name=display_name.strip(), department_id=department_id,
                    level=level or Level.FRONTLINE, locale=locale or None,
                    role=invite.role if invite else Role.EMPLOYEE,
                    email_verified_at=utcnow() if invite else None)
        session.add(user)
        session.flush()
        if invite:
            invite.used_at, invite.used_by_id = utcnow(), user.id
            return user
        queue_account_mail(session, user, "verify_email", TokenPurpose.VERIFY_EMAIL)
    return None


def authenticate(email: str, password: str) -> User:
    """Check credentials; raises SignInRefused (or AccountSuspended with the reason)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise SignInRefused(_l("That e-mail and password do not match. Check both and try again."))
    if not check_password_hash(user.password_hash, password):
        raise SignInRefused(_l("That e-mail and password do not match. Check both and try again."))
    if user.deactivated_at is not None:
        raise SignInRefused(_l("This account has been deactivated."))
    if user.is_suspended():
        raise AccountSuspended(user.suspended_until, user.suspension_reason)
    if not password_sign_in_allowed(user):
        raise PasswordSignInOff()
    if user.email_verified_at is None:
        raise EmailNotConfirmed()
    return user


def start_login_session(user: User, user_agent: str | None) -> LoginSession:
    with write_transaction() as session:
        login_session = LoginSession(user_id=user.id, user_agent=(user_agent or "")[:200])
        session.add(login_session)
    return login_session


def end_login_session(session_id: str) -> None:
    """Logout: the row goes, so the old cookie (or remember cookie) no longer works."""
    with write_transaction() as session:
        session.execute(delete(LoginSession).where(LoginSession.id == session_id))


@cache
def _user_of_session() -> Select:
    """The user joined to their session row, built once per process: it runs on every
    signed-in request, and building it cost more than SQLite took to answer it."""
    return (select(User).join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.id == bindparam("session_id")))


def load_login_session(session_id: str) -> User | None:
    """Resolve a session cookie to its user, refusing suspended or deactivated accounts.

    One statement, read on every request and never cached: a signed-out session (its row
    deleted) or a suspended user fails on the very next request, on any worker or host."""
    user = db.session.scalar(_user_of_session(), {"session_id": session_id})
    if user is None or not user.can_sign_in:
        return None
    user.login_session_id = session_id
    return user


def suspend_user(user: User, until: datetime | None, reason: str) -> None:
    """Suspend until a date (None = permanently) and end every live session at once."""
    with write_transaction() as session:
        user.suspended_until = until or datetime(9999, 12, 31)
        user.suspension_reason = reason
        session.add(user)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def create_invite(admin: User, *, email: str | None, role: Role, valid_days: int) -> Invite:
    address = checked_email(email) if email else None
    with write_transaction() as session:
        invite = Invite(email=address, role=role,
                        created_by_id=admin.id,
                        expires_at=utcnow() + timedelta(days=valid_days))
        session.add(invite)
    return invite


def update_profile(user: User, *, display_name: str, department_id: int | None, level: Level,
                   locale: str | None) -> None:
    from ideaboard.permissions import can_edit_own_department_and_level

    if (department_id != user.department_id or level != user.level) and \
            not can_edit_own_department_and_level(user):
        raise NotAllowed(_l("Your department and level come from the company directory: ask "
                            "HR or IT to change them there."), field="department_id")
    with write_transaction() as session:
        user.display_name = display_name.strip()
        user.department_id = department_id
        user.level = level
        user.locale = locale or None
        session.add(user)


def set_locale(user: User, locale: str | None) -> None:
    with write_transaction() as session:
        user.locale = locale or None
        session.add(user)


def ensure_departments(names: list[str]) -> dict[str, Department]:
    with write_transaction() as session:
        existing = {d.name: d for d in session.scalars(select(Department))}
        for name in names:
            if name not in existing:
                existing[name] = Department(name=name)
                session.add(existing[name])
    return existing


def create_user(*, email: str, password: str, display_name: str, role: Role = Role.EMPLOYEE,
                department_id: int | None = None, level: Level = Level.FRONTLINE,
                locale: str | None = None) -> User:
    """Create an account directly (CLI and demo data), bypassing the sign-up domain rule."""
    with write_transaction() as session:
        if session.scalar(select(User.id).where(User.email == normalise_email(email))):
            raise InvalidInput(_l("An account with this e-mail already exists. Sign in instead."))
        user = User(email=normalise_email(email), display_name=display_name, role=role,
                    password_hash=hash_password(password), email_verified_at=utcnow(),
                    department_id=department_id, level=level, locale=locale)
        session.add(user)
    return user
