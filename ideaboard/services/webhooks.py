"""Administrators register webhook endpoints and resend deliveries; each act is audited
(the secret never goes into the audit log)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from ideaboard.database import write_transaction
from ideaboard.integrations.events import announce_campaign_dates
from ideaboard.models import (
    EventKind,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from ideaboard.models.base import utcnow
from ideaboard.permissions import is_admin
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record

LOCALES = ("en", "zh")
SIGNED_FORMATS = (WebhookFormat.GENERIC, WebhookFormat.FEISHU, WebhookFormat.DINGTALK)


@dataclass(frozen=True)
class EndpointSettings:
    name: str
    url: str
    format: WebhookFormat
    events: list[EventKind]
    locale: str
    secret: str | None  # None keeps the saved secret
    active: bool = True


def _require_admin(admin: User) -> None:
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators manage webhooks."))


def _clean(values: EndpointSettings) -> EndpointSettings:
    name, url = values.name.strip(), values.url.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_l("Give the endpoint a name of at most 80 characters."),
                           field="name")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InvalidInput(_l("Enter the full address the chat tool or service gave you, "
                              "starting with https://."), field="url")
    if not values.events:
        raise InvalidInput(_l("Choose at least one event to send."), field="events")
    if values.locale not in LOCALES:
        raise InvalidInput(_l("Choose a language."), field="locale")
    secret = values.secret.strip() if values.secret is not None else None
    if secret is not None and len(secret) > 200:
        raise InvalidInput(_l("The secret is at most 200 characters."), field="secret")
    return EndpointSettings(name, url, values.format, values.events, values.locale, secret,
                            values.active)


def _events_column(events: list[EventKind]) -> str:
    return "," + ",".join(kind.value for kind in EventKind if kind in events) + ","


def save_endpoint(admin: User, endpoint: WebhookEndpoint | None,
                  values: EndpointSettings) -> WebhookEndpoint:
    """Create an endpoint (endpoint None) or change one."""
    _require_admin(admin)
    values = _clean(values)
    if endpoint is None and values.format == WebhookFormat.GENERIC and not values.secret:
        raise InvalidInput(_l("Generic JSON deliveries are signed: enter a secret of at least "
                              "16 characters, and give the receiver the same one."),
                           field="secret")
    if values.format == WebhookFormat.GENERIC and values.secret is not None and \
            len(values.secret) < 16:
        raise InvalidInput(_l("Generic JSON deliveries are signed: enter a secret of at least "
                              "16 characters, and give the receiver the same one."),
                           field="secret")
    with write_transaction() as session:
        created = endpoint is None
        if created:
            endpoint = WebhookEndpoint(created_by_id=admin.id, created_at=utcnow())
        endpoint.name, endpoint.url, endpoint.format = values.name, values.url, values.format
        endpoint.events, endpoint.locale = _events_column(values.events), values.locale
        endpoint.active, endpoint.updated_at = values.active, utcnow()
        if values.secret is not None:
            endpoint.secret = values.secret
        elif created:
            endpoint.secret = ""
        session.add(endpoint)
        session.flush()
        record(session, admin, "webhook.create" if created else "webhook.edit", "webhook",
               endpoint.id, name=endpoint.name, url=endpoint.url, format=endpoint.format.value,
               events=endpoint.events.strip(","), locale=endpoint.locale,
               active=endpoint.active, secret_changed=values.secret is not None)
    return endpoint


def delete_endpoint(admin: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its deliveries (the audit log keeps that it existed)."""
    _require_admin(admin)
    with write_transaction() as session:
        session.execute(delete(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id))
        session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))
        record(session, admin, "webhook.delete", "webhook", endpoint.id, name=endpoint.name,
               url=endpoint.url)


def resend_delivery(admin: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event to the same endpoint again, as a new delivery (the old one and
    its outcome stay listed). Receivers see the same event id and can ignore repeats."""
    _require_admin(admin)
    with write_transaction() as session:
        now = utcnow()
        again = WebhookDelivery(event_id=delivery.event_id, endpoint_id=delivery.endpoint_id,
                                created_at=now, send_after=now, attempts=0,
                                resend_of_id=delivery.id)
        session.add(again)
        session.flush()
        record(session, admin, "webhook.resend", "webhook_delivery", delivery.id,
               endpoint=delivery.endpoint_id, event=delivery.event_id, new_delivery=again.id)
    return again


def announce_campaigns() -> int:
    """The hourly job: campaigns whose opening or closing date has passed, announced once."""
    with write_transaction() as session:
        return announce_campaign_dates(session)
