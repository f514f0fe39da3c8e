"""The read side of challenges: one challenge's page, the list of open challenges, and an
idea's challenges as they appear on its public timeline."""
from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, false, select, tuple_
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    Challenge,
    ChallengeCosign,
    ChallengeStatus,
    Decision,
    Escalation,
    EscalationReason,
    Idea,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.challenges import CHALLENGEABLE_STATUSES, standing_statuses
from ideaboard.queries.ideas import pack_cursor, unpack_cursor

ANSWERED = (ChallengeStatus.UPHELD, ChallengeStatus.OVERTURNED)


def _signed_in_id(user: User | None) -> int | None:
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def challenge_by_public_id(public_id: str) -> Challenge | None:
    """A challenge with everything its page shows, in one statement."""
    return db.session.scalar(
        select(Challenge).where(Challenge.public_id == public_id).options(
            joinedload(Challenge.idea).joinedload(Idea.campaign),
            joinedload(Challenge.decision).joinedload(Decision.author),
            joinedload(Challenge.decision).joinedload(Decision.merged_into),
            joinedload(Challenge.author), joinedload(Challenge.reviewer),
            joinedload(Challenge.answer_decision).joinedload(Decision.author)))


def has_cosigned(user: User | None, challenge: Challenge) -> bool:
    user_id = _signed_in_id(user)
    if user_id is None:
        return False
    return db.session.get(ChallengeCosign, (challenge.id, user_id)) is not None


def challengeable_decision(idea: Idea) -> Decision | None:
    """The idea's current decision, for the page where a challenge is raised."""
    return db.session.scalar(select(Decision).where(Decision.idea_id == idea.id)
                             .options(joinedload(Decision.author),
                                      joinedload(Decision.merged_into))
                             .order_by(Decision.id.desc()).limit(1))


@dataclass
class PriorRound:
    """How an idea first reached leadership, kept on the challenge that reopened it."""
    created_at: datetime
    reason: EscalationReason
    note: str
    created_by: User | None
    due_at: datetime | None
    is_current: bool = False


@dataclass
class ChallengeStory:
    """An idea's challenges, in the order they were raised, with what the timeline needs."""
    challenges: list[Challenge] = field(default_factory=list)
    cosigned: set[int] = field(default_factory=set)  # the viewer's signatures
    first_round: Escalation | PriorRound | None = None

    def after(self, decision: Decision) -> list[Challenge]:
        """The challenges to `decision` (shown right after it on the timeline)."""
        return [c for c in self.challenges if c.decision_id == decision.id]

    def answered_by(self, decision: Decision) -> Challenge | None:
        return next((c for c in self.challenges if c.answer_decision_id == decision.id), None)

    def challengeable(self, idea: Idea, decisions: list[Decision]) -> Decision | None:
        """The idea's current decision if it can be challenged now: decided with a public
        rationale, still standing, not itself the answer to a challenge, not already
        challenged (an open challenge past its window no longer counts)."""
        latest = decisions[-1] if decisions else None
        if (latest is None or latest.status not in CHALLENGEABLE_STATUSES
                or idea.status not in standing_statuses(latest.status)
                or idea.deleted_at is not None or idea.hidden_at is not None
                or self.answered_by(latest) is not None):
            return None
        if any(c.decision_id == latest.id and c.shown_status(idea.status) in (
                ChallengeStatus.OPEN, ChallengeStatus.REOPENED) for c in self.challenges):
            return None
        return latest

    @property
    def active(self) -> Challenge | None:
        return next((c for c in reversed(self.challenges) if c.status in (
            ChallengeStatus.OPEN, ChallengeStatus.REOPENED)), None)


def challenge_story(idea: Idea, escalation: Escalation | None,
                    viewer: User | None) -> ChallengeStory:
    """One statement: the idea's challenges with their challengers and reviewers, and
    which of them the viewer co-signed."""
    viewer_id = _signed_in_id(viewer)
    signed = (exists().where(ChallengeCosign.challenge_id == Challenge.id,
                             ChallengeCosign.user_id == viewer_id)
              if viewer_id is not None else false())
    rows = db.session.execute(
        select(Challenge, signed).where(Challenge.idea_id == idea.id)
        .options(joinedload(Challenge.author), joinedload(Challenge.reviewer),
                 joinedload(Challenge.prior_escalated_by))
        .order_by(Challenge.id)).all()
    story = ChallengeStory(challenges=[c for c, _ in rows],
                           cosigned={c.id for c, mine in rows if mine}, first_round=escalation)
    first = next((c for c in story.challenges if c.prior_escalated_at is not None), None)
    if first is not None:
        story.first_round = PriorRound(first.prior_escalated_at, first.prior_reason,
                                       first.prior_note, first.prior_escalated_by,
                                       first.prior_due_at)
    elif any(c.reopened_at for c in story.challenges):
        story.first_round = None  # decided without a queue round, then reopened
    return story


@dataclass
class ChallengePage:
    items: list[Challenge]
    next_cursor: str | None


def open_challenges(after: str | None = None, limit: int = 30) -> ChallengePage:
    """Challenges gathering co-signers, closing soonest first (keyset on the status and
    window index)."""
    now = utcnow()
    query = (select(Challenge).join(Idea, Idea.id == Challenge.idea_id)
             .where(Challenge.status == ChallengeStatus.OPEN, Challenge.expires_at > now,
                    Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
             .options(joinedload(Challenge.idea), joinedload(Challenge.author))
             .order_by(Challenge.expires_at, Challenge.id).limit(limit + 1))
    position = unpack_cursor(after)
    if position and len(position) == 2:
        with suppress(TypeError, ValueError):  # a malformed cursor means the first page
            query = query.where(tuple_(Challenge.expires_at, Challenge.id)
                                > (datetime.fromisoformat(position[0]), int(position[1])))
    items = list(db.session.scalars(query).unique())
    last = items[limit - 1] if len(items) > limit else None
    return ChallengePage(items[:limit], pack_cursor([last.expires_at.isoformat(), last.id])
                         if last else None)


def recently_answered(limit: int = 10) -> list[Challenge]:
    return list(db.session.scalars(
        select(Challenge).join(Idea, Idea.id == Challenge.idea_id)
        .where(Challenge.status.in_(ANSWERED), Idea.deleted_at.is_(None),
               Idea.hidden_at.is_(None))
        .options(joinedload(Challenge.idea), joinedload(Challenge.author))
        .order_by(Challenge.ended_at.desc(), Challenge.id.desc()).limit(limit)))
