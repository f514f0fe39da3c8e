"""The webhook worker: claims due deliveries from the outbox, renders each in its endpoint's
format and language, POSTs it, and retries failures with back-off — like the e-mail worker
(services/mail.py). Two workers never send one delivery twice: a delivery is claimed by a
conditional UPDATE (and FOR UPDATE SKIP LOCKED on PostgreSQL) before it is sent."""
from __future__ import annotations

import json
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

import requests
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.integrations.deadline import session_with_deadlines, total_deadline
from ideaboard.integrations.formats import build_request
from ideaboard.models import WebhookDelivery, WebhookFormat
from ideaboard.models.base import utcnow
from ideaboard.services.mail import backoff

CLAIM_SECONDS = 300  # longer than any delivery may take (WEBHOOK_DEADLINE, capped below)
LONGEST_DEADLINE = CLAIM_SECONDS - 60
MAX_ATTEMPTS = 12  # 1, 2, 4 … minutes, at most six hours apart: about a day of tries
USER_AGENT = "Ideaboard-Webhooks/1"


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def _pending(now):
    return (WebhookDelivery.sent_at.is_(None), WebhookDelivery.failed_at.is_(None),
            WebhookDelivery.send_after <= now,
            (WebhookDelivery.claimed_until.is_(None)) | (WebhookDelivery.claimed_until < now))


def claim_batch(worker: str, limit: int) -> list[int]:
    now = utcnow()
    with write_transaction() as session:
        due = select(WebhookDelivery.id).where(*_pending(now)).order_by(
            WebhookDelivery.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if not ids:
            return []
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id.in_(ids), *_pending(now))
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
    return list(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.id.in_(ids), WebhookDelivery.claimed_by == worker,
        WebhookDelivery.sent_at.is_(None)).order_by(WebhookDelivery.id)))


def refusal_in_body(fmt: WebhookFormat, response: requests.Response) -> str | None:
    """Feishu, DingTalk and WeCom answer 200 with an error code in the JSON body (a bad
    signature, a blocked keyword, too many messages): that is a failure too."""
    if fmt not in (WebhookFormat.FEISHU, WebhookFormat.DINGTALK, WebhookFormat.WECOM):
        return None
    try:
        answer = response.json()
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    code = answer.get("code", answer.get("errcode", answer.get("StatusCode", 0)))
    if code in (0, None, "0"):
        return None
    return f"{code}: {answer.get('msg') or answer.get('errmsg') or ''}"[:500]


def deliver(delivery_id: int, worker: str, http: requests.Session) -> bool:
    """Send one claimed delivery; True when the receiver took it."""
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id).options(joinedload(WebhookDelivery.event),
                                                   joinedload(WebhookDelivery.endpoint)))
    endpoint = delivery.endpoint
    if not endpoint.active:
        _record_failure(delivery_id, worker, None, "endpoint switched off", give_up=True)
        return False
    request = build_request(endpoint, delivery.event, delivery,
                            current_app.config["BASE_URL"])
    timeout = float(current_app.config["WEBHOOK_TIMEOUT"])
    deadline = min(float(current_app.config["WEBHOOK_DEADLINE"]), LONGEST_DEADLINE)
    with total_deadline(deadline) as watch:
        try:
            response = http.post(request.url, data=request.body,
                                 headers={**request.headers, "User-Agent": USER_AGENT},
                                 timeout=(timeout, timeout), allow_redirects=False)
        except requests.RequestException as error:
            response, reason = None, f"{type(error).__name__}: {error}"
    if watch.expired:  # cut off mid-answer: what was read may look whole but is not
        response, reason = None, (f"DeadlineExceeded: no complete answer within {deadline:g} s "
                                  "(the receiver was still sending)")
    if response is None:
        _record_failure(delivery_id, worker, None, reason)
        return False
    refused = refusal_in_body(WebhookFormat(endpoint.format), response)
    if not 200 <= response.status_code < 300 or refused:
        _record_failure(delivery_id, worker, response.status_code,
                        refused or response.text[:500] or response.reason or "")
        return False
    with write_transaction() as session:
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == worker)
            .values(sent_at=utcnow(), claimed_until=None, last_status=response.status_code,
                    attempts=WebhookDelivery.attempts + 1, last_error=None))
    return True


def send_pending(limit: int = 50, worker: str | None = None) -> SendReport:
    """Send what is due. Safe to run from cron or in a loop, several at once."""
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    report = SendReport()
    ids = claim_batch(worker, limit)
    if not ids:
        return report
    with session_with_deadlines() as http:
        for delivery_id in ids:
            if deliver(delivery_id, worker, http):
                report.sent += 1
            else:
                report.failed += 1
    return report


def _record_failure(delivery_id: int, worker: str, status: int | None, error: str,
                    give_up: bool = False) -> None:
    with write_transaction() as session:
        attempts = session.scalar(select(WebhookDelivery.attempts).where(
            WebhookDelivery.id == delivery_id)) + 1
        now = utcnow()
        final = give_up or attempts >= MAX_ATTEMPTS
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == worker).values(
            attempts=attempts, last_status=status, last_error=error[:2000], claimed_by=None,
            claimed_until=None, send_after=now + backoff(attempts),
            failed_at=now if final else None))


def preview(delivery: WebhookDelivery) -> str:
    """The body this delivery sends (admins' delivery list), pretty-printed."""
    request = build_request(delivery.endpoint, delivery.event, delivery,
                            current_app.config["BASE_URL"])
    return json.dumps(json.loads(request.body), ensure_ascii=False, indent=2)
