"""The read side of integrations: tokens, webhook endpoints and recent deliveries."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    ApiToken,
    TokenKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from ideaboard.models.base import utcnow

RECENT_DELIVERIES = 100


def directory_sync_on() -> bool:
    """A live SCIM token means the directory owns department and level."""
    now = utcnow()
    return db.session.scalar(select(ApiToken.id).where(
        ApiToken.kind == TokenKind.SCIM, ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)).limit(1)) is not None


def tokens_of(user, kind: TokenKind = TokenKind.PERSONAL) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.kind == kind).order_by(ApiToken.id.desc())))


def all_tokens(kind: TokenKind, limit: int = 500) -> list[ApiToken]:
    """Every token of a kind with its owner, live ones first (admins' list)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.kind == kind).options(joinedload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc()).limit(limit)))


def token_by_id(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def webhook_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def webhook_endpoint(endpoint_id: int) -> WebhookEndpoint | None:
    return db.session.get(WebhookEndpoint, endpoint_id)


def recent_deliveries(endpoint_id: int | None = None,
                      limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """The newest deliveries with their event and endpoint, in one statement."""
    query = (select(WebhookDelivery)
             .options(joinedload(WebhookDelivery.event), joinedload(WebhookDelivery.endpoint))
             .order_by(WebhookDelivery.id.desc()).limit(limit))
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return list(db.session.scalars(query))


def delivery_by_id(delivery_id: int) -> WebhookDelivery | None:
    return db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                             .options(joinedload(WebhookDelivery.event),
                                      joinedload(WebhookDelivery.endpoint)))


# --- directory sync (SCIM) ------------------------------------------------------------------

def directory_user(user_id: int):
    """(user, directory account, department name) of a provisioned account, or None."""
    from ideaboard.models import Department, DirectoryAccount, User

    return db.session.execute(
        select(User, DirectoryAccount, Department.name)
        .join(DirectoryAccount, DirectoryAccount.user_id == User.id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id == user_id)).one_or_none()


def directory_users(attribute: str | None, value: str | None, start: int,
                    count: int) -> tuple[int, list]:
    """Provisioned accounts matching `attribute eq value` (case-insensitively, as SCIM's
    userName is), in id order: the total and one page (start is 1-based)."""
    from sqlalchemy import func

    from ideaboard.models import Department, DirectoryAccount, User

    query = (select(User, DirectoryAccount, Department.name)
             .join(DirectoryAccount, DirectoryAccount.user_id == User.id)
             .outerjoin(Department, Department.id == User.department_id))
    if attribute == "username":
        query = query.where(func.lower(DirectoryAccount.user_name) == value.lower())
    elif attribute == "externalid":
        query = query.where(DirectoryAccount.external_id == value)
    elif attribute == "emails":
        query = query.where(User.email == value.lower())
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(User.id).offset(start - 1).limit(count)).all()
    return total, rows


def account_by_user_name(user_name: str):
    from sqlalchemy import func

    from ideaboard.models import DirectoryAccount

    return db.session.scalar(select(DirectoryAccount).where(
        func.lower(DirectoryAccount.user_name) == user_name.lower()))
