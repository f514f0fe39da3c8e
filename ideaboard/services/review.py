"""Escalation and the leadership review queue: every idea the crowd backs gets a public answer."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.integrations.events import emit
from ideaboard.models import (
    Campaign,
    CampaignKind,
    Decision,
    Escalation,
    EscalationReason,
    EventKind,
    Idea,
    IdeaFollow,
    IdeaStatus,
    NotificationKind,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.ranking import wilson_lower_bound
from ideaboard.permissions import is_admin, is_leader
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.notifications import (
    QUEUE_STATUSES,
    except_leaders,
    fan_out,
    idea_audience,
    leaders,
)
from ideaboard.text import render_markdown
from ideaboard.visibility import ensure_can_act

MIN_RATIONALE_LENGTH = 30
RATIONALE_REQUIRED = {IdeaStatus.ACCEPTED, IdeaStatus.DECLINED, IdeaStatus.NEEDS_INFO,
                      IdeaStatus.MERGED}
OUTCOME_REQUIRED = {IdeaStatus.DONE}  # what changed, what was measured (issue 14)
DECIDED_STATUSES = RATIONALE_REQUIRED | {IdeaStatus.IN_PROGRESS, IdeaStatus.DONE}
ALLOWED_TRANSITIONS: dict[IdeaStatus, set[IdeaStatus]] = {
    IdeaStatus.ESCALATED: {IdeaStatus.UNDER_REVIEW} | RATIONALE_REQUIRED,
    IdeaStatus.UNDER_REVIEW: set(RATIONALE_REQUIRED),
    IdeaStatus.NEEDS_INFO: {IdeaStatus.UNDER_REVIEW} | RATIONALE_REQUIRED - {IdeaStatus.NEEDS_INFO},
    IdeaStatus.ACCEPTED: {IdeaStatus.IN_PROGRESS, IdeaStatus.DONE},
    IdeaStatus.IN_PROGRESS: {IdeaStatus.DONE},
}


def site_settings(session: Session | None = None) -> SiteSettings:
    return (session or db.session).get(SiteSettings, 1)


def active_employee_count(session: Session) -> int:
    now = utcnow()
    return session.scalar(select(func.count()).select_from(User).where(
        User.deactivated_at.is_(None),
        (User.suspended_until.is_(None)) | (User.suspended_until <= now)))


def required_supporters(settings: SiteSettings, session: Session) -> int:
    """The supporter threshold: a fixed number, or a share of active employees when set."""
    if settings.escalation_min_supporters_percent:
        share = settings.escalation_min_supporters_percent / 100
        return max(1, math.ceil(share * active_employee_count(session)))
    return settings.escalation_min_supporters


def _open_escalation(session: Session, idea_id: int, reason: EscalationReason,
                     actor: User | None, note: str, settings: SiteSettings,
                     due: datetime | None = None) -> bool:
    """Move an open idea into the queue. The conditional UPDATE makes it happen exactly once.
    The answer is due after the review SLA, or at `due` (a funding round's deadline)."""
    now = utcnow()
    due = due or now + timedelta(days=settings.review_sla_days)
    moved = session.execute(
        update(Idea).where(Idea.id == idea_id, Idea.status == IdeaStatus.OPEN)
        .values(status=IdeaStatus.ESCALATED, review_due_at=due)).rowcount
    if moved != 1:
        return False
    session.add(Escalation(idea_id=idea_id, reason=reason, note=note.strip(),
                           created_by_id=actor.id if actor else None, created_at=now,
                           due_at=due))
    emit(session, EventKind.IDEA_ESCALATED, idea_id=idea_id,
         facts={"escalation": {"reason": reason.value, "due": due.date().isoformat()}})
    author_id = session.scalar(select(Idea.author_id).where(Idea.id == idea_id))
    # one inbox item each: leaders hear of it as a new queue item, everyone else who wrote,
    # supports or follows it as news of the idea
    acted = {"actor_id": actor.id if actor else None, "detail": note.strip() or None}
    fan_out(session, NotificationKind.ESCALATED, except_leaders(idea_audience(idea_id, author_id)),
            idea_id=idea_id, status=IdeaStatus.ESCALATED.value, **acted)
    fan_out(session, NotificationKind.QUEUE_NEW, leaders(), idea_id=idea_id,
            exclude_user_id=actor.id if actor else None, **acted)
    return True


@dataclass(frozen=True)
class EscalationRule:
    """The escalation rule, once: checked in Python by the vote that may tip an idea, and as
    SQL conditions by the preview, by saving a new rule and after a broad-support fit."""
    min_supporters: int
    min_wilson: float
    min_broad_support: float | None = None  # the optional "and broad support at least B"

    @classmethod
    def of(cls, settings: SiteSettings, session: Session) -> EscalationRule:
        return cls(max(1, required_supporters(settings, session)),
                   settings.escalation_min_wilson, settings.escalation_min_broad_support)

    def met_by(self, supporters: int, score: float, broad_support: float | None) -> bool:
        return self.crowd_met(supporters, score) and self.broad_support_met(broad_support)

    def crowd_met(self, supporters: int, score: float) -> bool:
        """The part of the rule a vote can move: enough supporters and a high enough score."""
        return supporters >= self.min_supporters and score >= self.min_wilson

    def broad_support_met(self, broad_support: float | None) -> bool:
        """The optional clause only the hourly fit can move (never a single vote)."""
        return self.min_broad_support is None or (
            broad_support is not None and broad_support >= self.min_broad_support)

    def supporters_to_go(self, supporters: int, opposers: int,
                         limit: int = 1_000_000) -> int | None:
        """How many more supporters (and no new opposers) would meet `crowd_met`: each one
        adds to the count and to the score, scored as the vote scores them. None when no
        number up to `limit` would (a score threshold support cannot reach)."""
        def enough(more: int) -> bool:
            backing = supporters + more
            return self.crowd_met(backing, wilson_lower_bound(backing, backing + opposers))

        if enough(0):
            return 0
        low, high = 0, max(1, self.min_supporters - supporters)
        while not enough(high):  # the score rises with every supporter: double, then halve
            low, high = high, high * 2
            if high > limit:
                return None
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if enough(middle) else (middle, high)
        return high

    def conditions(self) -> list[ColumnElement[bool]]:
        """Open, listed ideas meeting the rule (consultation options are answered by their
        campaign's outcome, never by the review queue)."""
        consultations = select(Campaign.id).where(Campaign.kind == CampaignKind.CONSULTATION)
        met = [Idea.status == IdeaStatus.OPEN, Idea.deleted_at.is_(None),
               Idea.hidden_at.is_(None), Idea.campaign_id.not_in(consultations),
               Idea.supporters >= self.min_supporters, Idea.score >= self.min_wilson]
        if self.min_broad_support is not None:
            met.append(Idea.broad_support >= self.min_broad_support)
        return met


@dataclass(frozen=True)
class EscalationProgress:
    """How far an open idea is from reaching leadership, by the rule in force."""
    supporters_to_go: int | None  # None: more support alone cannot get it there
    needs_broad_support: float | None  # the common-ground score it still needs, if any
    rule: EscalationRule


def escalation_progress(idea: Idea) -> EscalationProgress | None:
    """For an open idea the crowd can still send to leadership (not a consultation option,
    whose answer is the campaign's outcome): what it still needs, computed by the same
    rule the vote applies. None when the idea cannot escalate by votes."""
    if (idea.status != IdeaStatus.OPEN or idea.is_deleted or idea.hidden_at is not None
            or idea.campaign.kind == CampaignKind.CONSULTATION or not idea.campaign.is_open()
            or idea.campaign.totals_hidden()):  # "3 more" would tell the hidden count
        return None
    rule = EscalationRule.of(site_settings(), db.session)
    to_go = rule.supporters_to_go(idea.supporters, idea.opposers)
    broad = None if rule.broad_support_met(idea.broad_support) else rule.min_broad_support
    return EscalationProgress(to_go, broad, rule)


def escalate_if_due(session: Session, idea_id: int, supporters: int, score: float,
                    broad_support: float | None = None) -> bool:
    """Called inside the vote's transaction: the vote that tips an idea escalates it. The
    broad-support score is the one stored by the last fit; the vote never fits anything."""
    settings = site_settings(session)
    if score < settings.escalation_min_wilson or supporters < 1:
        return False
    if not EscalationRule.of(settings, session).met_by(supporters, score, broad_support):
        return False
    return _open_escalation(session, idea_id, EscalationReason.THRESHOLD_MET, None, "", settings)


def _escalate_every_idea_meeting(session: Session, settings: SiteSettings) -> int:
    due = list(session.scalars(select(Idea.id).where(
        *EscalationRule.of(settings, session).conditions())))
    return sum(_open_escalation(session, idea_id, EscalationReason.THRESHOLD_MET, None, "",
                                settings) for idea_id in due)


def escalate_all_due() -> int:
    """After a broad-support fit: escalate, openly, the ideas the rule now covers (their
    scores rose past the clause without a vote to tip them). Returns how many."""
    with write_transaction() as session:
        settings = site_settings(session)
        if settings.escalation_min_broad_support is None:
            return 0
        return _escalate_every_idea_meeting(session, settings)


def pull_into_queue(actor: User, idea: Idea, note: str) -> None:
    """A leader pulls (or an admin raises) an open idea into the queue, with a note."""
    if not is_leader(actor):
        raise NotAllowed(_l("Only leaders can bring an idea to the review queue."))
    if idea.status != IdeaStatus.OPEN or idea.is_deleted:
        raise InvalidInput(_l("Only open ideas can be brought to the review queue."))
    reason = (EscalationReason.RAISED_BY_ADMIN if actor.role == Role.ADMIN
              else EscalationReason.PULLED_BY_LEADER)
    with write_transaction() as session:
        if not _open_escalation(session, idea.id, reason, actor, note, site_settings(session)):
            raise InvalidInput(_l("This idea is already in the review queue."))
        record(session, actor, "idea.escalate", "idea", idea.public_id, reason=note,
               escalation_reason=reason.value)


def _escalation(session: Session, idea: Idea) -> Escalation:
    escalation = session.scalar(select(Escalation).where(Escalation.idea_id == idea.id))
    if escalation is None:
        raise InvalidInput(_l("This idea is not in the review queue."))
    return escalation


def claim(leader: User, idea: Idea) -> None:
    assign(leader, idea, leader)


def assign(leader: User, idea: Idea, owner: User) -> None:
    """Make a leader the owner of a queue item (claiming is assigning to oneself)."""
    if not is_leader(leader) or not is_leader(owner):
        raise NotAllowed(_l("Queue items can only be owned by leaders."))
    from ideaboard.services.challenges import challenge_under_review, refuse_conflicted_leader

    with write_transaction() as session:
        escalation = _escalation(session, idea)
        challenge = challenge_under_review(session, idea.id)  # challenges (issue 15)
        if challenge is not None:
            refuse_conflicted_leader(challenge, owner.id)
        escalation.owner_id, escalation.claimed_at = owner.id, utcnow()
        record(session, leader, "idea.assign", "idea", idea.public_id, owner=owner.email)


def check_transition(idea: Idea, status: IdeaStatus, rationale: str,
                     merged_into: Idea | None = None) -> str:
    """The rules of a status change, before anything is written; returns the clean text."""
    rationale = rationale.strip()
    if status not in ALLOWED_TRANSITIONS.get(idea.status, set()):
        raise InvalidInput(_l("An idea that is “%(current)s” cannot move to “%(new)s”.",
                              current=idea.status.value, new=status.value))
    if status in RATIONALE_REQUIRED and len(rationale) < MIN_RATIONALE_LENGTH:
        raise InvalidInput(_l("Explain the decision to everyone in at least %(n)d characters: "
                              "the rationale is shown publicly on the idea.",
                              n=MIN_RATIONALE_LENGTH), field="rationale")
    if status in OUTCOME_REQUIRED and len(rationale) < MIN_RATIONALE_LENGTH:
        raise InvalidInput(_l("Describe the outcome in at least %(n)d characters: what changed "
                              "and what was measured. It is shown publicly on the idea.",
                              n=MIN_RATIONALE_LENGTH), field="rationale")
    if status == IdeaStatus.MERGED and (
            merged_into is None or merged_into.id == idea.id or merged_into.is_deleted):
        raise InvalidInput(_l("Choose the idea this one is merged into."), field="merged_into")
    return rationale


def change_status(leader: User, idea: Idea, status: IdeaStatus, rationale: str,
                  merged_into: Idea | None = None) -> Decision:
    """Move a queue item on (review, decide, start, finish); decisions need a public rationale."""
    if not is_leader(leader):
        raise NotAllowed(_l("Only leaders can decide on ideas."))
    rationale = check_transition(idea, status, rationale, merged_into)
    if status == IdeaStatus.MERGED:
        # the one merge: votes, comments and followers move, as when an admin merges
        from ideaboard.services.merge import merge_ideas  # merge.py builds on this module
        merge_ideas(leader, idea, merged_into, rationale)
        return db.session.scalar(select(Decision).where(Decision.idea_id == idea.id)
                                 .order_by(Decision.id.desc()).limit(1))
    with write_transaction() as session:
        decision = apply_status(session, leader, idea, status, rationale)
    idea.status = status
    return decision


def apply_status(session: Session, actor: User, idea: Idea, status: IdeaStatus,
                 rationale: str) -> Decision:
    """Write a checked status change inside the caller's transaction: the idea, its public
    timeline, the notices and the audit entry; then funding and delivery follow it. A
    reopened (challenged) decision is answered by another leader, and that answer settles
    the challenge (services/challenges.py imports this module, hence the late import)."""
    from ideaboard.services.challenges import (
        challenge_under_review,
        refuse_conflicted_leader,
        settle_challenge,
    )

    escalation = _escalation(session, idea)
    challenge = challenge_under_review(session, idea.id)
    if challenge is not None:
        refuse_conflicted_leader(challenge, actor.id)
    now = utcnow()
    values = {"status": status}
    if status in QUEUE_STATUSES:
        values["review_due_at"] = escalation.due_at
    else:
        values["review_due_at"] = None
        values["decided_at"] = now
    moved = session.execute(update(Idea).where(Idea.id == idea.id, Idea.status == idea.status)
                            .values(**values)).rowcount
    if moved != 1:
        raise InvalidInput(_l("Someone else changed this idea just now. Reload and retry."))
    if escalation.owner_id is None and is_leader(actor):
        escalation.owner_id, escalation.claimed_at = actor.id, now
    decision = Decision(idea_id=idea.id, status=status, rationale=rationale,
                        rationale_html=render_markdown(rationale), author_id=actor.id,
                        created_at=now)
    session.add(decision)
    settled = {}
    if challenge is not None and status in RATIONALE_REQUIRED:
        settled = settle_challenge(session, challenge, decision, actor, idea.author_id)
    else:
        fan_out(session, NotificationKind.DECISION, idea_audience(idea.id, idea.author_id),
                idea_id=idea.id, status=status.value, exclude_user_id=actor.id,
                actor_id=actor.id, detail=rationale or None)
    record(session, actor, "idea.status", "idea", idea.public_id, reason=rationale,
           status=status.value, **settled)
    announce_status(session, idea.id, status, rationale)
    from ideaboard.services.funding import after_status_change  # it imports this module

    after_status_change(session, actor, idea, status, rationale)
    return decision


def announce_status(session: Session, idea_id: int, status: IdeaStatus, rationale: str,
                    merged_into: Idea | None = None) -> None:
    """Webhooks hear of decisions (with their public rationale) and of delivery (with its
    outcome statement); other steps of the timeline stay inside the platform."""
    if status == IdeaStatus.DONE:
        emit(session, EventKind.IDEA_DELIVERED, idea_id=idea_id,
             facts={"outcome": rationale})
    elif status in RATIONALE_REQUIRED:
        decision = {"status": status.value, "rationale": rationale}
        if merged_into is not None:
            decision["merged_into"] = {"id": merged_into.public_id, "title": merged_into.title,
                                       "path": f"/ideas/{merged_into.public_id}"}
        emit(session, EventKind.IDEA_DECIDED, idea_id=idea_id, facts={"decision": decision})


def follow_idea(user: User, idea: Idea, following: bool) -> None:
    """Follow (or stop following) an idea; only an idea that is there can be followed."""
    if following:
        ensure_can_act(user, state_of_idea_of(idea))
    with write_transaction() as session:
        existing = session.get(IdeaFollow, (user.id, idea.id))
        if following and existing is None:
            session.add(IdeaFollow(user_id=user.id, idea_id=idea.id))
        elif not following and existing is not None:
            session.delete(existing)


def escalation_rule_preview(min_supporters: int, percent: float | None,
                            min_wilson: float, min_broad_support: float | None = None) -> int:
    """How many open ideas the rule would escalate right now."""
    probe = SiteSettings(escalation_min_supporters=min_supporters,
                         escalation_min_supporters_percent=percent,
                         escalation_min_wilson=min_wilson,
                         escalation_min_broad_support=min_broad_support)
    return db.session.scalar(select(func.count()).select_from(Idea).where(
        *EscalationRule.of(probe, db.session).conditions()))


def update_escalation_rule(admin: User, *, min_supporters: int, percent: float | None,
                           min_wilson: float, sla_days: int,
                           min_broad_support: float | None = None) -> int:
    """Save the rule and escalate, openly, the ideas it now covers. Returns how many."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can change the escalation rule."))
    if min_supporters < 1 or not 0 <= min_wilson <= 1 or sla_days < 1 or (
            percent is not None and not 0 < percent <= 100) or (
            min_broad_support is not None and not 0 <= min_broad_support <= 1):
        raise InvalidInput(_l("Check the values: supporters at least 1, the scores between 0 "
                              "and 1, the percentage between 0 and 100, at least one day."))
    with write_transaction() as session:
        settings = site_settings(session)
        before = {"min_supporters": settings.escalation_min_supporters,
                  "percent": settings.escalation_min_supporters_percent,
                  "min_wilson": settings.escalation_min_wilson,
                  "min_broad_support": settings.escalation_min_broad_support,
                  "sla_days": settings.review_sla_days}
        settings.escalation_min_supporters = min_supporters
        settings.escalation_min_supporters_percent = percent
        settings.escalation_min_wilson = min_wilson
        settings.escalation_min_broad_support = min_broad_support
        settings.review_sla_days = sla_days
        settings.updated_at, settings.updated_by_id = utcnow(), admin.id
        escalated = _escalate_every_idea_meeting(session, settings)
        record(session, admin, "settings.escalation_rule", "settings", "escalation",
               before=before, min_supporters=min_supporters, percent=percent,
               min_wilson=min_wilson, min_broad_support=min_broad_support, sla_days=sla_days,
               escalated_now=escalated)
    return escalated
