"""Single sign-on: turning a validated OpenID Connect identity into an Ideaboard account.

The web layer (web/sso.py) runs the protocol with Authlib: discovery, PKCE, state, nonce and
the ID token's signature, issuer, audience and expiry. What arrives here is trusted claims;
this module maps them (names configurable, OIDC_*_CLAIM) and creates or updates the account
in one transaction. The provider is the source of truth for name, department and level at
every sign-in, and for the role when group mappings are configured.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ideaboard.database import write_transaction
from ideaboard.models import Department, ExternalIdentity, Level, Role, User
from ideaboard.models.base import utcnow
from ideaboard.services import NotAllowed
from ideaboard.services.accounts import AccountSuspended, normalise_email
from ideaboard.services.audit import record

UNUSABLE_PASSWORD = "!sso"  # noqa: S105 (matches no password: such accounts sign in by SSO)


class SsoRefused(NotAllowed):
    pass


@dataclass(frozen=True)
class SsoProfile:
    issuer: str
    subject: str
    email: str
    name: str
    department: str | None
    level: Level | None
    role: Role | None  # None: the provider says nothing about roles (no group mapping)


def _values(claim: object) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(item) for item in claim]
    return [str(claim)]


def _level(claim: object, mapping: Mapping[str, str]) -> Level | None:
    """The first value of the level claim that names a level (directly or through
    OIDC_LEVEL_VALUES); the claim may be one value or a list such as groups."""
    for value in _values(claim):
        named = mapping.get(value, value).strip().lower()
        if named in Level._value2member_map_:
            return Level(named)
    return None


def _role(groups: list[str], config: Mapping) -> Role | None:
    admin_groups, leader_groups = config["OIDC_ADMIN_GROUPS"], config["OIDC_LEADER_GROUPS"]
    if not admin_groups and not leader_groups:
        return None
    if set(groups) & set(admin_groups):
        return Role.ADMIN
    if set(groups) & set(leader_groups):
        return Role.LEADER
    return Role.EMPLOYEE


def profile_from_claims(issuer: str, claims: Mapping[str, object]) -> SsoProfile:
    """Map the provider's claims with the configured claim names."""
    config = current_app.config
    email = claims.get(config["OIDC_EMAIL_CLAIM"])
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused(_l("Your company account has no e-mail address we can use. "
                            "Ask your IT team to release the e-mail claim to Ideaboard."))
    if claims.get("email_verified") is False:
        raise SsoRefused(_l("Your company account's e-mail address is not verified."))
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused(_l("The sign-in answer did not say who you are."))
    name = claims.get(config["OIDC_NAME_CLAIM"])
    department = claims.get(config["OIDC_DEPARTMENT_CLAIM"])
    return SsoProfile(
        issuer=issuer, subject=subject[:255], email=normalise_email(email)[:254],
        name=(str(name).strip() if name else email.partition("@")[0])[:80],
        department=str(department).strip()[:80] if department else None,
        level=_level(claims.get(config["OIDC_LEVEL_CLAIM"]), config["OIDC_LEVEL_VALUES"]),
        role=_role(_values(claims.get(config["OIDC_GROUPS_CLAIM"])), config))


def sign_in_with_sso(profile: SsoProfile) -> User:
    """Find the account by the provider's subject (else by e-mail, then link it), or create
    it; bring it up to date with the claims. Refuses suspended and deactivated accounts."""
    with write_transaction() as session:
        identity = session.scalar(select(ExternalIdentity).where(
            ExternalIdentity.issuer == profile.issuer,
            ExternalIdentity.subject == profile.subject))
        user = session.get(User, identity.user_id) if identity else session.scalar(
            select(User).where(User.email == profile.email))
        if user is not None and user.deactivated_at is not None:
            raise SsoRefused(_l("This account has been deactivated."))
        if user is not None and user.is_suspended():
            raise AccountSuspended(user.suspended_until, user.suspension_reason)
        department_id = _department_id(session, profile.department)
        now = utcnow()
        if user is None:
            user = User(email=profile.email, password_hash=UNUSABLE_PASSWORD,
                        display_name=profile.name, role=profile.role or Role.EMPLOYEE,
                        level=profile.level or Level.FRONTLINE, department_id=department_id,
                        email_verified_at=now)
            session.add(user)
            session.flush()
            record(session, user, "user.created_by_sso", "user", user.id,
                   issuer=profile.issuer, role=user.role.value)
        else:
            user.display_name = profile.name
            user.department_id = department_id or user.department_id
            user.level = profile.level or user.level
            user.email_verified_at = user.email_verified_at or now
            if profile.role is not None and profile.role is not user.role:
                record(session, user, "user.role_from_sso", "user", user.id,
                       issuer=profile.issuer, role=f"{user.role.value} → {profile.role.value}")
                user.role = profile.role
        if identity is None:
            identity = ExternalIdentity(user_id=user.id, issuer=profile.issuer,
                                        subject=profile.subject)
            session.add(identity)
        identity.last_sign_in_at = now
    return user


def _department_id(session, name: str | None) -> int | None:
    """The department the provider names, created the first time it is seen."""
    if not name:
        return None
    department = session.scalar(select(Department).where(Department.name == name))
    if department is None:
        department = Department(name=name)
        session.add(department)
        session.flush()
    return department.id
