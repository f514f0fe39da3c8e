"""The one way a service announces an event to webhooks: `emit(session, kind, …)`, called
inside the service's own transaction, so an event and the change it reports commit together
(or not at all).

Only public facts of public campaigns leave the platform: nothing from a sensitive
(anonymous-only) campaign, nothing about a hidden or deleted idea, and an anonymous post is
"Anonymous employee" with its day only, its news held back to the end of the anonymity
window like every notification about it (ideaboard/anonymity.py decides both).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, literal, select
from sqlalchemy.orm import Session, joinedload

from ideaboard.anonymity import byline, is_sensitive
from ideaboard.models import (
    Campaign,
    EventKind,
    Idea,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from ideaboard.models.base import utcnow

# Campaigns open and close by their dates: the hourly job announces what passed within this
# long (a campaign whose date passed before, e.g. before webhooks were set up, stays quiet).
CAMPAIGN_LOOKBACK = timedelta(days=2)


def subscribed(kind: EventKind):
    """Active endpoints that asked for `kind` (events are stored as ",a,b,")."""
    return select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True),
                                            WebhookEndpoint.events.contains(f",{kind.value},"))


def emit(session: Session, kind: EventKind, *, idea_id: int | None = None,
         campaign_id: int | None = None, facts: dict | None = None,
         at: datetime | None = None, dedupe_key: str | None = None) -> WebhookEvent | None:
    """Record the event and one delivery per subscribed endpoint, in the caller's
    transaction. Returns None when there is nothing public to say or nobody listens.

    `facts` are extra public details (a decision's rationale, a round's totals); `at` holds
    the deliveries back until then (news of anonymous content); `dedupe_key` makes the event
    happen once (a campaign opening on a given date)."""
    if dedupe_key is None and session.scalar(subscribed(kind).limit(1)) is None:
        return None
    if dedupe_key is not None and session.scalar(
            select(WebhookEvent.id).where(WebhookEvent.dedupe_key == dedupe_key)) is not None:
        return None
    payload = _describe(session, idea_id, campaign_id)
    if payload is None:
        return None
    now = utcnow()
    when = max(at or now, now)
    payload |= {"event": kind.value, "occurred_at": when.isoformat(timespec="seconds") + "Z",
                **(facts or {})}
    event = WebhookEvent(kind=kind, payload=payload, dedupe_key=dedupe_key, created_at=when)
    session.add(event)
    session.flush()
    session.execute(insert(WebhookDelivery).from_select(
        ["event_id", "endpoint_id", "created_at", "send_after", "attempts"],
        select(literal(event.id), WebhookEndpoint.id, literal(now), literal(when), literal(0))
        .where(WebhookEndpoint.id.in_(subscribed(kind)))))
    return event


def _describe(session: Session, idea_id: int | None, campaign_id: int | None) -> dict | None:
    """The public description of an idea (with its campaign) or of a campaign; None when it
    must not leave the platform."""
    if idea_id is not None:
        idea = session.scalar(select(Idea).where(Idea.id == idea_id).options(
            joinedload(Idea.author), joinedload(Idea.campaign))
            .execution_options(populate_existing=True))  # statuses move by SQL UPDATE
        if idea is None or idea.hidden_at or idea.deleted_at or is_sensitive(idea.campaign):
            return None
        return {"idea": describe_idea(idea), "campaign": describe_campaign(idea.campaign)}
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or is_sensitive(campaign):
        return None
    return {"campaign": describe_campaign(campaign)}


def describe_idea(idea: Idea) -> dict:
    """What anyone signed in may read about an idea: never an anonymous author's name or id,
    and for an anonymous post the day only."""
    shown = byline(idea)
    return {
        "id": idea.public_id,
        "title": idea.title,
        "status": idea.status.value,
        "path": f"/ideas/{idea.public_id}",
        "tags": idea.tag_list,
        "author": {"anonymous": shown.anonymous,
                   "name": None if shown.anonymous else shown.name},
        "posted": (shown.moment.date().isoformat() if shown.day_only
                   else shown.moment.isoformat(timespec="seconds") + "Z"),
    }


def describe_campaign(campaign: Campaign) -> dict:
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "kind": campaign.kind.value,
        "path": f"/campaigns/{campaign.slug}",
        "opens_at": campaign.opens_at.isoformat(timespec="seconds") + "Z",
        "closes_at": (campaign.closes_at.isoformat(timespec="seconds") + "Z"
                      if campaign.closes_at else None),
    }


def _date_key(kind: EventKind, campaign_id: int, when: datetime) -> str:
    return f"{kind.value}:{campaign_id}:{when.isoformat(timespec='seconds')}"


def announce_campaign_dates(session: Session, now: datetime | None = None) -> int:
    """Campaigns open and close by date: announce each opening and closing that has passed
    (within CAMPAIGN_LOOKBACK) exactly once. Run hourly, and when a campaign is saved."""
    now = now or utcnow()
    since = now - CAMPAIGN_LOOKBACK
    count = 0
    opened = session.execute(select(Campaign.id, Campaign.opens_at).where(
        Campaign.is_standing.is_(False), Campaign.opens_at <= now, Campaign.opens_at > since,
        (Campaign.closes_at.is_(None)) | (Campaign.closes_at > now))).all()
    for campaign_id, opens_at in opened:
        count += emit(session, EventKind.CAMPAIGN_OPENED, campaign_id=campaign_id,
                      dedupe_key=_date_key(EventKind.CAMPAIGN_OPENED, campaign_id,
                                           opens_at)) is not None
    closed = session.execute(select(Campaign.id, Campaign.closes_at).where(
        Campaign.is_standing.is_(False), Campaign.closes_at <= now,
        Campaign.closes_at > since)).all()
    for campaign_id, closes_at in closed:
        count += emit(session, EventKind.CAMPAIGN_CLOSED, campaign_id=campaign_id,
                      dedupe_key=_date_key(EventKind.CAMPAIGN_CLOSED, campaign_id,
                                           closes_at)) is not None
    return count
