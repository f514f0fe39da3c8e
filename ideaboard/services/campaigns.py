"""Campaigns: questions put to the company, of four kinds, with an anonymity policy."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union

from ideaboard.anonymity import policy_refusal
from ideaboard.database import write_transaction
from ideaboard.integrations.events import announce_campaign_dates
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignFollow,
    CampaignKind,
    Comment,
    Idea,
    NotificationKind,
    User,
    Vote,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.permissions import can_manage_campaign, is_leader
from ideaboard.queries.campaigns import campaign_has_posts
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.notifications import fan_out
from ideaboard.text import render_markdown

MIN_OUTCOME_LENGTH = 30
POLICY_LOCKED = _l("People have already posted under this anonymity policy, so it can no "
                   "longer change: changing it would expose or hide them after the fact.")


def slug_for(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50]
    return f"{slug}-{random_public_id()[:6].lower()}" if slug else random_public_id().lower()


def _validate(title: str, opens_at: datetime, closes_at: datetime | None) -> str:
    title = title.strip()
    if not title:
        raise InvalidInput(_l("Give the campaign a title: the question you are asking."),
                           field="title")
    if closes_at is not None and closes_at <= opens_at:
        raise InvalidInput(_l("The closing date must come after the opening date."),
                           field="closes_at")
    return title


def _check_policy(kind: CampaignKind, anonymity: Anonymity) -> None:
    """Save exactly the policy chosen, or say why it is not allowed: never change it quietly."""
    refusal = policy_refusal(kind, anonymity)
    if refusal:
        raise InvalidInput(refusal, field="anonymity")
def _pairwise_allowed(kind: CampaignKind, wanted: bool, standing: bool = False) -> bool:
    """Comparing two at a time needs a campaign's worth of ideas: not a plan review (it has
    sections), nor the standing "Open ideas" campaign (every idea ever posted)."""
    return wanted and kind != CampaignKind.PLAN_REVIEW and not standing


def create_campaign(owner: User, *, title: str, description: str, kind: CampaignKind,
                    anonymity: Anonymity, opens_at: datetime, closes_at: datetime | None,
                    promised_answer_at: datetime | None = None, allow_nominations: bool = True,
                    hide_totals_until_close: bool = False,
                    pairwise_enabled: bool = False) -> Campaign:
    if not is_leader(owner):
        raise NotAllowed(_l("Only leaders and administrators open campaigns."))
    title = _validate(title, opens_at, closes_at)
    _check_policy(kind, anonymity)
    with write_transaction() as session:
        campaign = Campaign(
            slug=slug_for(title), title=title, description=description.strip(),
            description_html=render_markdown(description), kind=kind, anonymity=anonymity,
            owner_id=owner.id, opens_at=opens_at, closes_at=closes_at,
            promised_answer_at=promised_answer_at, allow_nominations=allow_nominations,
            hide_totals_until_close=hide_totals_until_close,
            pairwise_enabled=_pairwise_allowed(kind, pairwise_enabled))
        session.add(campaign)
        session.flush()
        record(session, owner, "campaign.create", "campaign", campaign.slug, kind=kind.value,
               anonymity=anonymity.value, pairwise_enabled=campaign.pairwise_enabled)
        announce_campaign_dates(session)  # webhooks: opened now (later dates: run-scheduled)
    return campaign


def edit_campaign(user: User, campaign: Campaign, *, title: str, description: str,
                  opens_at: datetime, closes_at: datetime | None,
                  promised_answer_at: datetime | None, allow_nominations: bool,
                  hide_totals_until_close: bool, anonymity: Anonymity | None = None,
                  pairwise_enabled: bool | None = None) -> None:
    """The anonymity policy can change until the first post; after that people have spoken
    under it, and changing it would expose or hide them after the fact."""
    if not can_manage_campaign(user, campaign):
        raise NotAllowed(_l("Only the campaign's owner or an administrator can edit it."))
    title = _validate(title, opens_at, closes_at)
    changes: dict[str, object] = {}
    if anonymity is not None and anonymity != campaign.anonymity:
        if campaign_has_posts(campaign):
            raise NotAllowed(POLICY_LOCKED, field="anonymity")
        _check_policy(campaign.kind, anonymity)
        changes["anonymity"] = f"{campaign.anonymity.value} → {anonymity.value}"
    with write_transaction() as session:
        campaign.title, campaign.description = title, description.strip()
        campaign.description_html = render_markdown(description)
        campaign.opens_at, campaign.closes_at = opens_at, closes_at
        campaign.promised_answer_at = promised_answer_at
        campaign.allow_nominations = allow_nominations
        campaign.hide_totals_until_close = hide_totals_until_close
        if anonymity is not None:
            campaign.anonymity = anonymity
        if pairwise_enabled is not None and _pairwise_allowed(
                campaign.kind, pairwise_enabled, campaign.is_standing) != campaign.pairwise_enabled:
            campaign.pairwise_enabled = not campaign.pairwise_enabled
            changes["pairwise_enabled"] = campaign.pairwise_enabled
        campaign.updated_at = utcnow()
        session.add(campaign)
        record(session, user, "campaign.edit", "campaign", campaign.slug, **changes)
        announce_campaign_dates(session)  # a close date moved into the past closes it now


def follow_campaign(user: User, campaign: Campaign, following: bool) -> None:
    with write_transaction() as session:
        existing = session.get(CampaignFollow, (user.id, campaign.id))
        if following and existing is None:
            session.add(CampaignFollow(user_id=user.id, campaign_id=campaign.id))
        elif not following and existing is not None:
            session.delete(existing)


def participants(campaign_id: int):
    """Everyone who took part: posted, voted, commented, or follows the campaign."""
    in_campaign = select(Idea.id).where(Idea.campaign_id == campaign_id)
    return union(
        select(Idea.author_id.label("user_id")).where(Idea.campaign_id == campaign_id),
        select(Vote.user_id).where(Vote.idea_id.in_(in_campaign)),
        select(Comment.author_id).where(Comment.idea_id.in_(in_campaign)),
        select(CampaignFollow.user_id).where(CampaignFollow.campaign_id == campaign_id),
    )


def publish_outcome(user: User, campaign: Campaign, outcome: str) -> None:
    """The owner's public answer to the campaign; everyone who took part is told."""
    if not can_manage_campaign(user, campaign):
        raise NotAllowed(_l("Only the campaign's owner or an administrator can publish the "
                            "outcome."))
    outcome = outcome.strip()
    if len(outcome) < MIN_OUTCOME_LENGTH:
        raise InvalidInput(_l("Explain the outcome in at least %(n)d characters: everyone who "
                              "took part will read it.", n=MIN_OUTCOME_LENGTH))
    with write_transaction() as session:
        campaign.outcome, campaign.outcome_html = outcome, render_markdown(outcome)
        campaign.outcome_published_at, campaign.outcome_by_id = utcnow(), user.id
        session.add(campaign)
        fan_out(session, NotificationKind.CAMPAIGN_OUTCOME, participants(campaign.id),
                campaign_id=campaign.id, exclude_user_id=user.id)
        record(session, user, "campaign.outcome", "campaign", campaign.slug, reason=outcome)
