"""Account administration: roles, departments, levels, suspension and deactivation.

Each function is one privileged act: one transaction, one audit entry.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ideaboard.database import write_transaction
from ideaboard.models import Department, Invite, Level, LoginSession, Role, User
from ideaboard.models.base import utcnow
from ideaboard.permissions import is_admin
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.accounts import checked_email
from ideaboard.services.audit import record

PERMANENT = datetime(9999, 12, 31)  # what services.accounts.suspend_user uses, too
MIN_REASON_LENGTH = 5
MAX_REASON_LENGTH = 500


def _require_admin(admin: User) -> None:
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can manage accounts."))


def _reason(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and len(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(_l("Give a reason (at least %(n)d characters): it is kept in the "
                              "audit log.", n=MIN_REASON_LENGTH))
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(_l("Keep the reason to %(n)d characters.", n=MAX_REASON_LENGTH))
    return reason


def _other_active_admins(session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.id != user.id, User.deactivated_at.is_(None)))


def _end_sessions(session, user: User) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def update_account(admin: User, user: User, *, role: Role, department_id: int | None,
                   level: Level, reason: str = "") -> dict[str, str]:
    """Change role, department and level. Returns what changed (nothing: no audit entry)."""
    _require_admin(admin)
    reason = _reason(reason, required=role != user.role)
    with write_transaction() as session:
        if department_id is not None and session.get(Department, department_id) is None:
            raise InvalidInput(_l("Choose a department from the list."))
        before = {"role": user.role.value, "department_id": user.department_id,
                  "level": user.level.value}
        after = {"role": role.value, "department_id": department_id, "level": level.value}
        changes = {key: f"{before[key]} → {after[key]}" for key in before
                   if before[key] != after[key]}
        if not changes:
            return {}
        if user.role == Role.ADMIN and role != Role.ADMIN:
            if user.id == admin.id:
                raise NotAllowed(_l("You cannot remove your own administrator role: ask "
                                    "another administrator."))
            if not _other_active_admins(session, user):
                raise NotAllowed(_l("This is the last administrator: make someone else an "
                                    "administrator first."))
        user.role, user.department_id, user.level = role, department_id, level
        session.add(user)
        record(session, admin, "user.role" if "role" in changes else "user.update", "user",
               user.id, reason=reason, **changes)
    return changes


def suspend(admin: User, user: User, until: date | None, reason: str) -> None:
    """Suspend until the start of `until` (None: until an admin lifts it); live sessions end
    at once, and the reason and end date are shown when they try to sign in."""
    _require_admin(admin)
    reason = _reason(reason)
    if user.id == admin.id:
        raise NotAllowed(_l("You cannot suspend yourself."))
    ends = datetime.combine(until, time.min) if until else PERMANENT
    if ends <= utcnow():
        raise InvalidInput(_l("Choose a date in the future, or suspend until further notice."))
    with write_transaction() as session:
        user.suspended_until, user.suspension_reason = ends, reason
        session.add(user)
        _end_sessions(session, user)
        record(session, admin, "user.suspend", "user", user.id, reason=reason,
               until=ends.date().isoformat() if until else "permanent")


def lift_suspension(admin: User, user: User, reason: str) -> None:
    _require_admin(admin)
    reason = _reason(reason)
    if not user.is_suspended():
        raise InvalidInput(_l("This account is not suspended."))
    with write_transaction() as session:
        user.suspended_until = user.suspension_reason = None
        session.add(user)
        record(session, admin, "user.unsuspend", "user", user.id, reason=reason)


def deactivate(admin: User, user: User, reason: str) -> None:
    """For people who left: they cannot sign in and get no e-mail; their posts stay."""
    _require_admin(admin)
    reason = _reason(reason)
    if user.id == admin.id:
        raise NotAllowed(_l("You cannot deactivate your own account."))
    if user.deactivated_at is not None:
        raise InvalidInput(_l("This account is already deactivated."))
    with write_transaction() as session:
        if user.role == Role.ADMIN and not _other_active_admins(session, user):
            raise NotAllowed(_l("This is the last administrator: make someone else an "
                                "administrator first."))
        user.deactivated_at = utcnow()
        session.add(user)
        _end_sessions(session, user)
        record(session, admin, "user.deactivate", "user", user.id, reason=reason)


def reactivate(admin: User, user: User, reason: str) -> None:
    _require_admin(admin)
    reason = _reason(reason)
    if user.deactivated_at is None:
        raise InvalidInput(_l("This account is active."))
    with write_transaction() as session:
        user.deactivated_at = None
        session.add(user)
        record(session, admin, "user.reactivate", "user", user.id, reason=reason)


def _department_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise InvalidInput(_l("Give the department a name of up to 80 characters."))
    return name


def _name_taken(session, name: str, except_id: int | None = None) -> bool:
    query = select(Department.id).where(func.lower(Department.name) == name.lower())
    if except_id is not None:
        query = query.where(Department.id != except_id)
    return session.scalar(query) is not None


def add_department(admin: User, name: str) -> Department:
    _require_admin(admin)
    name = _department_name(name)
    with write_transaction() as session:
        if _name_taken(session, name):
            raise InvalidInput(_l("There is already a department called “%(name)s”.",
                                  name=name))
        department = Department(name=name)
        session.add(department)
        session.flush()
        record(session, admin, "department.add", "department", department.id, name=name)
    return department


def rename_department(admin: User, department: Department, name: str) -> None:
    _require_admin(admin)
    name = _department_name(name)
    if name == department.name:
        raise InvalidInput(_l("That is already its name."))
    with write_transaction() as session:
        if _name_taken(session, name, except_id=department.id):
            raise InvalidInput(_l("There is already a department called “%(name)s”.",
                                  name=name))
        old, department.name = department.name, name
        session.add(department)
        record(session, admin, "department.rename", "department", department.id,
               name=f"{old} → {name}")


def invite(admin: User, *, email: str | None, role: Role, valid_days: int) -> Invite:
    """An invitation link, audited: it can hand out any role, administrator included.
    (services.accounts.create_invite is the same without the audit entry, for scripts.)"""
    _require_admin(admin)
    address = checked_email(email) if email else None
    with write_transaction() as session:
        created = Invite(email=address, role=role,
                         created_by_id=admin.id,
                         expires_at=utcnow() + timedelta(days=valid_days))
        session.add(created)
        session.flush()
        record(session, admin, "invite.create", "invite", created.id, role=role.value,
               email=created.email or "anyone with the link", valid_days=valid_days)
    return created
