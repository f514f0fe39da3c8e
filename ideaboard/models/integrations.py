"""Integrations (issue 20): personal access tokens and SCIM tokens, webhook endpoints, and
the webhook outbox (one event, one delivery per subscribed endpoint)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideaboard.extensions import db
from ideaboard.models.accounts import User, open_enum
from ideaboard.models.base import utcnow


class TokenKind(enum.StrEnum):
    PERSONAL = "personal"  # a person's own token for the JSON API
    SCIM = "scim"          # the directory's token for /scim/v2 (created by an admin)


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(db.Model):
    """A bearer token. Only the SHA-256 of the secret is stored: the secret is shown once,
    when it is made, and cannot be read back from the database."""
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(open_enum(TokenKind), default=TokenKind.PERSONAL)
    # the person it acts as (personal), or the admin who made it (SCIM)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise it
    scopes: Mapped[str] = mapped_column(String(40), default="read")  # "read" or "read write"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")

    def is_live(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and (self.expires_at is None
                                            or self.expires_at > (now or utcnow()))

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def allows(self, scope: TokenScope) -> bool:
        return scope.value in self.scope_list


class WebhookFormat(enum.StrEnum):
    GENERIC = "generic"    # JSON signed with HMAC-SHA256 (X-Ideaboard-Signature)
    FEISHU = "feishu"      # Feishu / Lark custom bot
    DINGTALK = "dingtalk"  # DingTalk group robot
    WECOM = "wecom"        # WeCom (企业微信) group robot
    SLACK = "slack"        # Slack incoming webhook
    TEAMS = "teams"        # Microsoft Teams incoming webhook / Workflows (Adaptive Card)


class EventKind(enum.StrEnum):
    IDEA_POSTED = "idea.posted"
    IDEA_ESCALATED = "idea.escalated"
    IDEA_DECIDED = "idea.decided"
    IDEA_CHALLENGED = "idea.challenged"
    IDEA_FUNDED = "idea.funded"
    IDEA_DELIVERED = "idea.delivered"
    CAMPAIGN_OPENED = "campaign.opened"
    CAMPAIGN_CLOSED = "campaign.closed"


class WebhookEndpoint(db.Model):
    """Where events go: a URL, the events it wants, the message format and its language.
    The secret signs generic deliveries, or is the chat tool's own signing secret."""
    __tablename__ = "webhook_endpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(2000))
    format: Mapped[WebhookFormat] = mapped_column(open_enum(WebhookFormat))
    events: Mapped[str] = mapped_column(String(400))  # ",idea.posted,idea.decided,"
    locale: Mapped[str] = mapped_column(String(10), default="en")
    secret: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return [kind for kind in self.events.split(",") if kind]


class WebhookEvent(db.Model):
    """Something public happened. `payload` holds only what anyone signed in may read (built
    through ideaboard/anonymity.py), frozen when it happened; each format renders it."""
    __tablename__ = "webhook_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(open_enum(EventKind))
    payload: Mapped[dict] = mapped_column(JSON)
    # events that happen by date (a campaign opening) are written once per date
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One event to one endpoint: the webhook outbox, like `OutboxMessage` for e-mail.

    Written in the event's transaction, claimed by a worker (a conditional UPDATE) before it
    is sent so two workers never send it twice, retried with back-off; after the last try it
    is marked failed and stays listed for an admin to resend.
    """
    __tablename__ = "webhook_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"),
                                          index=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]  # the receiver's HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up after the last try; an admin may resend
    resend_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="SET NULL"))

    event: Mapped[WebhookEvent] = relationship(lazy="raise")
    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_webhook_delivery_pending", "sent_at", "failed_at", "send_after"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
    )

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "failed"
        return "retrying" if self.attempts else "pending"


class DirectoryAccount(db.Model):
    """An account the company's directory provisions over SCIM: its `userName` and
    `externalId` there. Unlinked when the directory deletes the user (who stays deactivated
    here, their posts kept)."""
    __tablename__ = "directory_account"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_name: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    external_id: Mapped[str | None] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
