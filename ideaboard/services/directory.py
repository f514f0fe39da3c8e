"""Directory sync (SCIM 2.0): the company's directory creates, updates and deactivates
accounts. Deactivating ends every session at once; department and level then come from the
directory only (people cannot change their own while sync is on)."""
from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import delete, func, select

from ideaboard.database import write_transaction
from ideaboard.integrations.scim import UNSET, DirectoryUser, LevelMapping, ScimError
from ideaboard.models import (
    Department,
    DirectoryAccount,
    Level,
    LoginSession,
    Role,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.services.audit import record
from ideaboard.services.identity import hash_password


def level_mapping() -> LevelMapping:
    return LevelMapping(current_app.config["SCIM_LEVEL_ATTRIBUTE"],
                        dict(current_app.config["SCIM_LEVEL_VALUES"] or {}))


def current_values(user: User, account: DirectoryAccount,
                   department: str | None) -> DirectoryUser:
    """The account as the directory last described it (the base a PATCH applies to)."""
    return DirectoryUser(user_name=account.user_name, external_id=account.external_id,
                         email=user.email, display_name=user.display_name,
                         active=user.deactivated_at is None, department=department,
                         level=user.level)


def _email_for(incoming: DirectoryUser) -> str:
    email = incoming.email if incoming.email is not UNSET else incoming.user_name
    if not isinstance(email, str) or "@" not in email:
        raise ScimError(400, "a user needs an e-mail address (emails or an e-mail userName)",
                        "invalidValue")
    return email.strip().lower()


def _department_id(session, name: object, current: int | None) -> int | None:
    if name is UNSET:
        return current
    if name is None:
        return None
    department = session.scalar(select(Department).where(
        func.lower(Department.name) == str(name).lower()))
    if department is None:
        department = Department(name=str(name))
        session.add(department)
        session.flush()
    return department.id


def _apply(session, actor: User, user: User, account: DirectoryAccount,
           incoming: DirectoryUser) -> dict[str, str]:
    """Write what the directory said; returns what changed (for the audit entry)."""
    changes: dict[str, str] = {}
    clash = session.scalar(select(DirectoryAccount.user_id).where(
        func.lower(DirectoryAccount.user_name) == incoming.user_name.lower(),
        DirectoryAccount.user_id != user.id))
    if clash is not None:
        raise ScimError(409, "userName is already taken", "uniqueness")
    if incoming.email is not UNSET:
        email = _email_for(incoming)
        if session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
            raise ScimError(409, "another account has this e-mail address", "uniqueness")
        if email != user.email:
            changes["email"], user.email = email, email
    if incoming.display_name is not UNSET and incoming.display_name != user.display_name:
        changes["display_name"], user.display_name = incoming.display_name, \
            incoming.display_name
    department_id = _department_id(session, incoming.department, user.department_id)
    if department_id != user.department_id:
        changes["department_id"] = f"{user.department_id} → {department_id}"
        user.department_id = department_id
    if isinstance(incoming.level, Level) and incoming.level != user.level:
        changes["level"] = f"{user.level.value} → {incoming.level.value}"
        user.level = incoming.level
    if incoming.active is not UNSET:
        if incoming.active is False and user.deactivated_at is None:
            user.deactivated_at = utcnow()
            changes["active"] = "false"
            session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        elif incoming.active is True and user.deactivated_at is not None:
            user.deactivated_at = None
            changes["active"] = "true"
    account.user_name = incoming.user_name
    if incoming.external_id is not UNSET:
        account.external_id = incoming.external_id
    account.updated_at = utcnow()
    session.add_all([user, account])
    return changes


def provision(actor: User, incoming: DirectoryUser) -> User:
    """POST /Users: create the account, or take over an existing one with that e-mail (a
    company moving to directory sync already has accounts)."""
    email = _email_for(incoming)
    with write_transaction() as session:
        if session.scalar(select(DirectoryAccount.user_id).where(
                func.lower(DirectoryAccount.user_name) == incoming.user_name.lower())):
            raise ScimError(409, "userName is already taken", "uniqueness")
        user = session.scalar(select(User).where(User.email == email))
        adopted = user is not None
        if user is None:
            user = User(email=email, display_name=(incoming.display_name
                                                   if incoming.display_name is not UNSET
                                                   else incoming.user_name)[:80],
                        password_hash=hash_password(secrets.token_urlsafe(32)),
                        role=Role.EMPLOYEE, level=Level.FRONTLINE,
                        email_verified_at=utcnow(), created_at=utcnow())
            session.add(user)
            session.flush()
        elif session.get(DirectoryAccount, user.id) is not None:
            raise ScimError(409, "this account is already provisioned", "uniqueness")
        account = DirectoryAccount(user_id=user.id, user_name=incoming.user_name,
                                   created_at=utcnow(), updated_at=utcnow())
        session.add(account)
        changes = _apply(session, actor, user, account, incoming)
        record(session, actor, "scim.user_link" if adopted else "scim.user_create", "user",
               user.id, user_name=incoming.user_name, **changes)
    return user


def update(actor: User, user: User, account: DirectoryAccount,
           incoming: DirectoryUser) -> None:
    """PUT (the whole resource) and PATCH (the changed one) both end here."""
    with write_transaction() as session:
        user = session.get(User, user.id)
        account = session.get(DirectoryAccount, user.id)
        changes = _apply(session, actor, user, account, incoming)
        if changes:
            action = ("scim.user_deactivate" if changes.get("active") == "false" else
                      "scim.user_update")
            record(session, actor, action, "user", user.id, **changes)


def unlink(actor: User, user: User) -> None:
    """DELETE: the person left the directory's scope. They are deactivated (sessions end at
    once; their posts stay) and no longer provisioned."""
    with write_transaction() as session:
        user = session.get(User, user.id)
        if user.deactivated_at is None:
            user.deactivated_at = utcnow()
            session.add(user)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        session.execute(delete(DirectoryAccount).where(DirectoryAccount.user_id == user.id))
        record(session, actor, "scim.user_delete", "user", user.id)

