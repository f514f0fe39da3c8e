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
from ideaboard.permissions import (
    can_manage_campaign,
    is_admin,
    is_leader,
    why_not_close_campaign,
    why_not_reopen_campaign,
)
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


def publish_outcome(user: User, campaign: Campaign, outcome: str,
                    winner: Idea | None = None) -> None:
    """The owner's public answer to the campaign; everyone who took part is told. It closes
    the campaign: people have their answer, so nominations, votes and comments end. In a
    consultation the owner names the chosen option (`winner`), marked on the results."""
    if not can_manage_campaign(user, campaign):
        raise NotAllowed(_l("Only the campaign's owner or an administrator can publish the "
                            "outcome."))
    if campaign.is_standing:
        raise NotAllowed(_l("The standing campaign is always open and has no outcome: "
                            "leadership answers its ideas one by one."))
    outcome = outcome.strip()
    if len(outcome) < MIN_OUTCOME_LENGTH:
        raise InvalidInput(_l("Explain the outcome in at least %(n)d characters: everyone who "
                              "took part will read it.", n=MIN_OUTCOME_LENGTH),
                           field="outcome_text")
    if winner is not None and (winner.campaign_id != campaign.id or winner.is_deleted
                               or campaign.kind != CampaignKind.CONSULTATION):
        raise InvalidInput(_l("Choose one of this consultation's options."), field="winner")
    with write_transaction() as session:
        now = utcnow()
        closed_now = campaign.closes_at is None or campaign.closes_at > now
        campaign.outcome, campaign.outcome_html = outcome, render_markdown(outcome)
        campaign.outcome_published_at, campaign.outcome_by_id = now, user.id
        campaign.winner_id = winner.id if winner is not None else None
        if closed_now:
            campaign.closes_at = now
        campaign.updated_at = now
        session.add(campaign)
        fan_out(session, NotificationKind.CAMPAIGN_OUTCOME, participants(campaign.id),
                campaign_id=campaign.id, exclude_user_id=user.id, actor_id=user.id)
        record(session, user, "campaign.outcome", "campaign", campaign.slug, reason=outcome,
               winner=winner.public_id if winner is not None else None,
               closed=closed_now or None)


def close_campaign(user: User, campaign: Campaign) -> None:
    """"Close now": the campaign stops taking posts, votes, comments and critiques at once;
    everything stays readable. Audited."""
    refusal = why_not_close_campaign(user, campaign)
    if refusal == "not_owner":
        raise NotAllowed(_l("Only the campaign's owner or an administrator can close it."))
    if refusal == "standing":
        raise NotAllowed(_l("The standing campaign is always open."))
    if refusal is not None:
        raise InvalidInput(_l("This campaign is not open, so there is nothing to close."))
    with write_transaction() as session:
        now = utcnow()
        before = campaign.closes_at
        campaign.closes_at = campaign.updated_at = now
        session.add(campaign)
        record(session, user, "campaign.close", "campaign", campaign.slug,
               planned_close=before.isoformat(timespec="minutes") if before else None)


def reopen_campaign(user: User, campaign: Campaign, closes_at: datetime | None) -> None:
    """Open a closed campaign again, until `closes_at` (None: until someone closes it).
    Refused once the outcome is published: people have read the answer. Audited."""
    refusal = why_not_reopen_campaign(user, campaign)
    if refusal == "not_owner":
        raise NotAllowed(_l("Only the campaign's owner or an administrator can reopen it."))
    if refusal == "open":
        raise InvalidInput(_l("This campaign is open already."))
    if refusal == "answered":
        raise NotAllowed(_l("The outcome is published, so the campaign stays closed: people "
                            "have read the answer, and the votes under it must not move."))
    now = utcnow()
    if closes_at is not None and closes_at <= now:
        raise InvalidInput(_l("Choose a closing date in the future, or leave it empty to keep "
                              "the campaign open until you close it."), field="closes_at")
    with write_transaction() as session:
        campaign.closes_at, campaign.updated_at = closes_at, now
        session.add(campaign)
        record(session, user, "campaign.reopen", "campaign", campaign.slug,
               closes_at=closes_at.isoformat(timespec="minutes") if closes_at else None)


def reassign_campaign(admin: User, campaign: Campaign, owner: User, reason: str) -> None:
    """An administrator hands a campaign to another leader (the owner left, or changed
    role): the new owner edits it, closes it and publishes its outcome. Audited."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can hand a campaign to another owner."))
    if not is_leader(owner) or owner.deactivated_at is not None:
        raise InvalidInput(_l("Campaigns are owned by leaders: choose an active leader or "
                              "administrator."), field="owner")
    if owner.id == campaign.owner_id:
        raise InvalidInput(_l("%(name)s owns this campaign already.", name=owner.display_name),
                           field="owner")
    with write_transaction() as session:
        previous = session.get(User, campaign.owner_id) if campaign.owner_id else None
        campaign.owner_id, campaign.updated_at = owner.id, utcnow()
        session.add(campaign)
        record(session, admin, "campaign.owner", "campaign", campaign.slug,
               reason=reason.strip(), owner=owner.email,
               previous_owner=previous.email if previous else None)
