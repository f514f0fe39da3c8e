"""People, their sessions and invitations."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.base import utcnow


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    LEADER = "leader"
    ADMIN = "admin"


class Level(enum.StrEnum):
    """Used for participation analytics only, never shown beside content or used in ranking."""
    FRONTLINE = "frontline"
    MANAGER = "manager"
    SENIOR = "senior"
    EXECUTIVE = "executive"


ROLE_RANK = {Role.EMPLOYEE: 0, Role.LEADER: 1, Role.ADMIN: 2}


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """Store enum values (not names) as VARCHAR with a CHECK, the same on SQLite and PostgreSQL."""
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True,
                values_callable=lambda members: [m.value for m in members], length=20)


def open_enum(enum_class: type[enum.Enum]) -> Enum:
    """An enum kept as VARCHAR without a CHECK: new members need no migration."""
    return Enum(enum_class, native_enum=False, create_constraint=False,
                values_callable=lambda members: [m.value for m in members], length=30)


class Department(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"), default=Level.FRONTLINE)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.EMPLOYEE)
    locale: Mapped[str | None] = mapped_column(String(10))
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    deactivated_at: Mapped[datetime | None]
    email_digest: Mapped[bool] = mapped_column(default=False)  # one daily e-mail instead of many
    last_digest_at: Mapped[datetime | None]
    feed_token_version: Mapped[int] = mapped_column(default=0)  # bumped to revoke feed links
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Self sign-up leaves it empty until the e-mailed link is followed; invitations and
    # single sign-on prove the address themselves.
    email_verified_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]

    department: Mapped[Department | None] = relationship(lazy="raise")

    # Set by the session loader: Flask-Login stores this (not the user id) in the cookie,
    # so deleting the LoginSession row ends that browser's session.
    login_session_id = None

    def get_id(self) -> str | None:
        return self.login_session_id

    def is_suspended(self, now: datetime | None = None) -> bool:
        if self.suspended_until is None:
            return False
        return self.suspended_until > (now or utcnow())

    @property
    def can_sign_in(self) -> bool:
        return self.deactivated_at is None and not self.is_suspended()

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row ends that session, whatever cookie it holds."""
    __tablename__ = "login_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True,
                                    default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class Invite(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True,
                                       default=lambda: secrets.token_urlsafe(24))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.EMPLOYEE)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")

    __table_args__ = (Index("ix_invite_created_at", "created_at"),)

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or utcnow())


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)


class AccountToken(db.Model):
    """A single-use link sent by e-mail. The secret in the link is an HMAC of this row under
    the app's SECRET_KEY, so neither the row nor the outbox holds anything a reader of the
    database could use."""
    __tablename__ = "account_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(open_enum(TokenPurpose))
    salt: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def is_live(self, now: datetime | None = None) -> bool:
        return self.used_at is None and self.expires_at > (now or utcnow())


class ExternalIdentity(db.Model):
    """An account at the company's OpenID Connect provider, linked to one of ours."""
    __tablename__ = "external_identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("issuer", "subject"),)
