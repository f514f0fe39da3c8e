"""The e-mail worker: claims pending outbox rows, renders them in the recipient's language,
sends them over SMTP and retries failures with back-off. Two workers never send one row twice:
a row is claimed by a conditional UPDATE before it is sent."""
from __future__ import annotations

import contextlib
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import render_template
from sqlalchemy import func, select, update

from ideaboard.catalog import speaking
from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import AccountToken, Notification, OutboxMessage, User
from ideaboard.models.base import utcnow
from ideaboard.permissions import is_leader
from ideaboard.queries.notifications import WITH_TARGETS, unread_items
from ideaboard.queries.review import queue_counts
from ideaboard.services.identity import ACCOUNT_MAIL_KINDS, link_url
from ideaboard.services.settings import mail_config

CLAIM_SECONDS = 300
MAX_BACKOFF_MINUTES = 6 * 60


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, capped at six hours: a failed message is retried, never lost."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def claim_batch(worker: str, limit: int) -> list[int]:
    now = utcnow()
    with write_transaction() as session:
        pending = (select(OutboxMessage.id).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.send_after <= now,
            (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now))
            .order_by(OutboxMessage.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            pending = pending.with_for_update(skip_locked=True)
        ids = list(session.scalars(pending))
        if not ids:
            return []
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id.in_(ids),
            (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < now))
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
    return list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker,
        OutboxMessage.sent_at.is_(None))))


def render_message(message: OutboxMessage) -> EmailMessage:
    config = mail_config()  # SMTP settings from the admin page, else config
    user = db.session.get(User, message.user_id)
    context = {"user": user, "base_url": config["BASE_URL"].rstrip("/")}
    with speaking(user.locale or config["BABEL_DEFAULT_LOCALE"]):
        if message.kind in ACCOUNT_MAIL_KINDS:
            token = (db.session.get(AccountToken, message.account_token_id)
                     if message.account_token_id else None)
            context["link"] = link_url(token, context["base_url"]) if token else None
            context["forgot_url"] = context["base_url"] + "/password/forgot"
            template = f"email/{message.kind}"
        elif message.kind == "digest":
            since = user.last_digest_at - timedelta(days=1) if user.last_digest_at else None
            context["items"] = list(db.session.scalars(unread_items(user, since)))
            context["queue"] = queue_counts() if is_leader(user) else None
            template = "email/digest"
        else:
            notification = db.session.scalar(
                select(Notification).where(Notification.id == message.notification_id)
                .options(*WITH_TARGETS))
            context["item"] = notification
            template = "email/notification"
        subject = render_template(f"{template}_subject.txt", **context).strip()
        body = render_template(f"{template}.txt", **context)
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = user.email
    email["Subject"] = subject
    email["Message-ID"] = f"<outbox-{message.id}@{config['MAIL_MESSAGE_ID_DOMAIN']}>"
    email.set_content(body)
    return email


def _smtp() -> smtplib.SMTP:
    config = mail_config()  # SMTP settings from the admin page, else config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        client = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    else:
        client = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            client.starttls()
    if config.get("MAIL_USERNAME"):
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return client


def send_pending(limit: int = 100, worker: str | None = None) -> SendReport:
    """Send what is due. Safe to run from cron or in a loop, several at once."""
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    report = SendReport()
    ids = claim_batch(worker, limit)
    if not ids:
        return report
    client = None
    try:
        client = _smtp()
    except (OSError, smtplib.SMTPException) as error:
        for message_id in ids:
            _record_failure(message_id, worker, f"connect: {error}")
            report.failed += 1
        return report
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            try:
                client.send_message(render_message(message))
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message_id, worker, str(error))
                report.failed += 1
            else:
                with write_transaction() as session:
                    session.execute(update(OutboxMessage).where(
                        OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
                        .values(sent_at=utcnow(), claimed_until=None))
                report.sent += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return report


def _record_failure(message_id: int, worker: str, error: str) -> None:
    with write_transaction() as session:
        attempts = session.scalar(select(OutboxMessage.attempts).where(
            OutboxMessage.id == message_id)) + 1
        session.execute(update(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker).values(
            attempts=attempts, last_error=error[:2000], claimed_by=None, claimed_until=None,
            send_after=utcnow() + backoff(attempts)))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None)))
