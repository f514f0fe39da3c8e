"""Challenges: colleagues ask leadership, with new evidence, to reconsider a decision.

A challenge gathers co-signers until its threshold or its window runs out. The co-sign that
reaches the threshold reopens the decision exactly once: every co-sign of a challenge first
increments its counter with one guarded UPDATE (status still open, window still open), which
queues concurrent co-signs on the challenge's row (PostgreSQL's row lock, SQLite's write
lock), so exactly one of them sees the count reach the threshold, and the conditional
UPDATEs that follow (challenge open → reopened, idea decided → escalated) cannot both win.

Reopening reuses the idea's one escalation row (escalation.idea_id is unique, and the review
queue, overdue notices and decisions all read that one row): it becomes the new round —
reason "challenged", a new due date under the normal SLA, owned by a leader other than the
one who decided. The round it replaces is copied onto the challenge (`prior_*`), so the
public timeline keeps the whole story. The second leader answers through the ordinary
decision (services.review.change_status), which calls `settle_challenge` in its transaction:
keeping the challenged status upholds the decision, any other decision overturns it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, exists, func, literal, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ideaboard.anonymity import news_time, will_be_anonymous
from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.integrations.events import emit
from ideaboard.models import (
    Campaign,
    Challenge,
    ChallengeCosign,
    ChallengeStatus,
    Decision,
    Escalation,
    EscalationReason,
    EventKind,
    Idea,
    IdeaFollow,
    IdeaStatus,
    NotificationKind,
    Role,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.models.challenges import (
    CHALLENGEABLE_STATUSES,
    MAX_EVIDENCE_LENGTH,
    MIN_EVIDENCE_LENGTH,
    standing_statuses,
)
from ideaboard.permissions import (
    can_answer_challenge,
    can_raise_challenge,
    is_admin,
    is_leader,
    is_signed_in,
)
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.notifications import QUEUE_STATUSES, fan_out, leaders
from ideaboard.services.review import (
    active_employee_count,
    change_status,
    site_settings,
)
from ideaboard.services.settings import ChallengeRule, anonymity_window, challenge_rule
from ideaboard.text import render_markdown
from ideaboard.visibility import IdeaState, ensure_decision_open_to_challenge

MIN_CLOSE_REASON_LENGTH = 10


def required_cosigners(rule: ChallengeRule, session: Session) -> int:
    """The co-signers a new challenge needs: a fixed number, or a share of active employees."""
    if rule.percent:
        return max(1, math.ceil(rule.percent / 100 * active_employee_count(session)))
    return rule.min_cosigners


def _idea_row(session: Session, idea_id: int):
    return session.execute(select(Idea.id, Idea.status, Idea.author_id, Idea.campaign_id,
                                  Idea.deleted_at, Idea.hidden_at, Campaign.anonymity)
                           .join(Campaign, Campaign.id == Idea.campaign_id)
                           .where(Idea.id == idea_id)).one()


def _ensure_open_to_challenge(user: User, row) -> None:
    ensure_decision_open_to_challenge(user, IdeaState(row.author_id, row.hidden_at,
                                                      row.deleted_at, row.status,
                                                      row.anonymity))


def latest_decision(session: Session, idea_id: int) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.idea_id == idea_id)
                          .order_by(Decision.id.desc()).limit(1))


def answers_a_challenge(session: Session, decision_id: int) -> bool:
    return bool(session.scalar(select(exists().where(
        Challenge.answer_decision_id == decision_id))))


def challenge_audience(challenge: Challenge, idea_author_id: int,
                       supporters: bool = False) -> Select:
    """Challenger, co-signers, the deciding leader, the idea's author and its followers (and
    with `supporters`, everyone who supports the idea, as for any decision)."""
    parts = [
        select(literal(challenge.author_id).label("user_id")),
        select(literal(challenge.decider_id).label("user_id")),
        select(literal(idea_author_id).label("user_id")),
        select(ChallengeCosign.user_id).where(ChallengeCosign.challenge_id == challenge.id),
        select(IdeaFollow.user_id).where(IdeaFollow.idea_id == challenge.idea_id),
    ]
    if supporters:
        parts.append(select(Vote.user_id).where(Vote.idea_id == challenge.idea_id,
                                                Vote.value == 1))
    return union(*parts)


def _signatories(challenge: Challenge) -> Select:
    return union(select(literal(challenge.author_id).label("user_id")),
                 select(ChallengeCosign.user_id).where(
                     ChallengeCosign.challenge_id == challenge.id))


# --- raising a challenge --------------------------------------------------------------------

def raise_challenge(user: User, idea: Idea, evidence: str, anonymous: bool = False) -> Challenge:
    """Challenge the idea's current decision with new evidence or a new argument."""
    if not is_signed_in(user):
        raise NotAllowed(_l("Sign in to challenge a decision."))
    evidence = evidence.strip()
    if len(evidence) < MIN_EVIDENCE_LENGTH:
        raise InvalidInput(_l("Give your new evidence or argument in at least %(n)d characters: "
                              "it is what colleagues and leadership will weigh.",
                              n=MIN_EVIDENCE_LENGTH))
    if len(evidence) > MAX_EVIDENCE_LENGTH:
        raise InvalidInput(_l("Keep the challenge to %(n)d characters.", n=MAX_EVIDENCE_LENGTH))
    evidence_html = render_markdown(evidence)  # before the write lock
    try:
        with write_transaction() as session:
            row = _idea_row(session, idea.id)
            _ensure_open_to_challenge(user, row)
            decision = latest_decision(session, idea.id)
            if (decision is None or decision.status not in CHALLENGEABLE_STATUSES
                    or row.status not in standing_statuses(decision.status)):
                raise InvalidInput(_l("Only a decision leadership has made — accepted, declined, "
                                      "needs information or merged — can be challenged."))
            if not can_raise_challenge(user, decision.author_id):
                raise NotAllowed(_l("You made this decision. To change it, decide again "
                                    "from the review queue."))
            if answers_a_challenge(session, decision.id):
                raise InvalidInput(_l("This decision already answered a challenge, in public, "
                                      "by a second leader. It cannot be challenged again."))
            now = utcnow()
            _end_stale(session, now, decision_id=decision.id)
            campaign = session.get(Campaign, row.campaign_id)
            rule = challenge_rule(session)
            challenge = Challenge(
                idea_id=idea.id, decision_id=decision.id, decision_status=decision.status,
                decider_id=decision.author_id, author_id=user.id,
                is_anonymous=will_be_anonymous(campaign, anonymous), evidence=evidence,
                evidence_html=evidence_html, status=ChallengeStatus.OPEN, cosigner_count=0,
                threshold=required_cosigners(rule, session), created_at=now,
                expires_at=now + timedelta(days=rule.window_days))
            session.add(challenge)
            session.flush()
            audience = union(select(literal(decision.author_id).label("user_id")),
                             select(literal(row.author_id).label("user_id")),
                             select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id))
            fan_out(session, NotificationKind.CHALLENGE_RAISED, audience, idea_id=idea.id,
                    status=decision.status.value, exclude_user_id=user.id)
            announce_challenge(session, challenge, at=news_time(
                now, challenge.is_anonymous, anonymity_window(session)))
    except IntegrityError:  # the partial unique index: one challenge in play per decision
        raise InvalidInput(_l("This decision is already being challenged: co-sign that "
                              "challenge instead.")) from None
    return challenge


# --- co-signing and reopening ---------------------------------------------------------------

@dataclass(frozen=True)
class CosignResult:
    cosigners: int
    threshold: int
    reopened: bool


def cosign(user: User, challenge: Challenge) -> CosignResult:
    """Add the user's signature; the one that reaches the threshold reopens the decision."""
    if not is_signed_in(user):
        raise NotAllowed(_l("Sign in to co-sign a challenge."))
    if user.id == challenge.author_id:
        raise NotAllowed(_l("You raised this challenge, so it already counts you. Ask "
                            "colleagues to co-sign it."))
    if user.id == challenge.decider_id:
        raise NotAllowed(_l("You made the decision under challenge, so you cannot co-sign "
                            "it. You will hear how it is answered."))
    now = utcnow()
    try:
        with write_transaction() as session:
            counted = session.execute(
                update(Challenge)
                .where(Challenge.id == challenge.id, Challenge.status == ChallengeStatus.OPEN,
                       Challenge.expires_at > now)
                .values(cosigner_count=Challenge.cosigner_count + 1)
                .returning(Challenge.cosigner_count, Challenge.threshold)
                .execution_options(synchronize_session=False)).one_or_none()
            if counted is None:
                raise InvalidInput(_not_collecting_message(session, challenge.id, now))
            if session.scalar(select(exists().where(ChallengeCosign.challenge_id == challenge.id,
                                                    ChallengeCosign.user_id == user.id))):
                raise InvalidInput(_l("You have already co-signed this challenge."))
            row = _idea_row(session, challenge.idea_id)
            _ensure_open_to_challenge(user, row)
            if row.status not in standing_statuses(challenge.decision_status):
                raise InvalidInput(_l("The decision has changed since this challenge was "
                                      "raised, so it no longer takes signatures."))
            session.add(ChallengeCosign(challenge_id=challenge.id, user_id=user.id,
                                        created_at=now))
            session.flush()
            cosigners, threshold = counted
            reopened = cosigners >= threshold and _reopen(session, challenge.id, now)
    except IntegrityError:  # the same person in two tabs at once
        raise InvalidInput(_l("You have already co-signed this challenge.")) from None
    return CosignResult(cosigners, threshold, reopened)


def _not_collecting_message(session: Session, challenge_id: int, now: datetime):
    status, expires_at = session.execute(select(Challenge.status, Challenge.expires_at)
                                         .where(Challenge.id == challenge_id)).one()
    if status == ChallengeStatus.EXPIRED or (status == ChallengeStatus.OPEN
                                             and expires_at <= now):
        return _l("This challenge has expired: it did not reach its co-signers in time.")
    if status in (ChallengeStatus.REOPENED, ChallengeStatus.UPHELD, ChallengeStatus.OVERTURNED):
        return _l("This challenge already has enough co-signers: the decision went back to "
                  "leadership.")
    return _l("This challenge no longer takes signatures.")


def choose_reviewer(session: Session, exclude: set[int], now: datetime) -> int | None:
    """The leader who answers a reopened decision: never one of `exclude` (the original
    decider, the challenger, the idea's author); leaders before administrators, then the
    fewest open queue items they own, then the longest-serving (lowest id)."""
    open_items = (select(func.count()).select_from(Escalation)
                  .join(Idea, Idea.id == Escalation.idea_id)
                  .where(Escalation.owner_id == User.id, Idea.status.in_(QUEUE_STATUSES),
                         Idea.deleted_at.is_(None))
                  .correlate(User).scalar_subquery())
    return session.scalar(
        select(User.id).where(
            User.role.in_([Role.LEADER, Role.ADMIN]), User.deactivated_at.is_(None),
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
            User.id.not_in(exclude))
        .order_by(case((User.role == Role.ADMIN, 1), else_=0), open_items, User.id).limit(1))


def _reopen(session: Session, challenge_id: int, now: datetime) -> bool:
    """Send the decision back to the review queue, in the co-sign's own transaction."""
    won = session.execute(
        update(Challenge).where(Challenge.id == challenge_id,
                                Challenge.status == ChallengeStatus.OPEN)
        .values(status=ChallengeStatus.REOPENED, reopened_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        return False
    challenge = session.scalars(select(Challenge).where(Challenge.id == challenge_id)
                                .execution_options(populate_existing=True)).one()
    settings = site_settings(session)
    due = now + timedelta(days=settings.review_sla_days)
    moved = session.execute(
        update(Idea).where(Idea.id == challenge.idea_id,
                           Idea.status.in_(standing_statuses(challenge.decision_status)),
                           Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
        .values(status=IdeaStatus.ESCALATED, review_due_at=due)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise InvalidInput(_l("The decision changed just now. Reload the page to see it."))
    idea_author_id = session.scalar(select(Idea.author_id).where(Idea.id == challenge.idea_id))
    reviewer_id = choose_reviewer(
        session, {challenge.decider_id, challenge.author_id, idea_author_id}, now)
    escalation = session.scalars(select(Escalation).where(
        Escalation.idea_id == challenge.idea_id).execution_options(populate_existing=True)
    ).one_or_none()
    if escalation is None:  # decided without a queue round (an administrator's merge)
        escalation = Escalation(idea_id=challenge.idea_id)
        session.add(escalation)
    else:
        challenge.prior_reason, challenge.prior_note = escalation.reason, escalation.note
        challenge.prior_escalated_at = escalation.created_at
        challenge.prior_escalated_by_id = escalation.created_by_id
        challenge.prior_due_at = escalation.due_at
    escalation.reason, escalation.note = EscalationReason.CHALLENGED, ""
    escalation.created_by_id, escalation.created_at, escalation.due_at = None, now, due
    escalation.owner_id = reviewer_id
    escalation.claimed_at = now if reviewer_id else None
    escalation.overdue_notified_at = None
    challenge.reviewer_id, challenge.review_due_at = reviewer_id, due
    session.flush()
    fan_out(session, NotificationKind.CHALLENGE_REOPENED,
            challenge_audience(challenge, idea_author_id), idea_id=challenge.idea_id,
            status=IdeaStatus.ESCALATED.value)
    announce_challenge(session, challenge)
    queue_audience = (select(literal(reviewer_id).label("user_id")) if reviewer_id
                      else leaders().where(User.id.not_in(
                          [challenge.decider_id, challenge.author_id, idea_author_id])))
    fan_out(session, NotificationKind.QUEUE_NEW, queue_audience, idea_id=challenge.idea_id)
    return True


# --- the second leader's answer -------------------------------------------------------------

def announce_challenge(session: Session, challenge: Challenge,
                       at: datetime | None = None) -> None:
    """Webhooks hear when a decision is challenged and when the challenge reopens it; never
    who challenged (an anonymous challenge's news waits for the anonymity window)."""
    emit(session, EventKind.IDEA_CHALLENGED, idea_id=challenge.idea_id, at=at, facts={
        "challenge": {"id": challenge.public_id, "status": challenge.status.value,
                      "decision_status": challenge.decision_status.value,
                      "cosigners": challenge.cosigner_count, "threshold": challenge.threshold,
                      "path": f"/challenges/{challenge.public_id}"}})


def challenge_under_review(session: Session, idea_id: int) -> Challenge | None:
    """The idea's reopened challenge, if a second leader has yet to answer it (callers use
    only its fixed columns; its status changes through guarded UPDATEs)."""
    return session.scalars(select(Challenge).where(
        Challenge.idea_id == idea_id, Challenge.status == ChallengeStatus.REOPENED)
    ).one_or_none()


def refuse_conflicted_leader(challenge: Challenge, leader_id: int) -> None:
    """Called by the review queue: the original decider (and the challenger) neither own
    nor decide a reopened decision."""
    if leader_id == challenge.decider_id:
        raise NotAllowed(_l("This decision was challenged by colleagues: a leader other than "
                            "the one who made it answers the challenge."))
    if leader_id == challenge.author_id:
        raise NotAllowed(_l("You raised this challenge, so another leader answers it."))


def settle_challenge(session: Session, challenge: Challenge, decision: Decision,
                     leader: User, idea_author_id: int) -> dict[str, str]:
    """Called by services.review.change_status when a reopened idea gets its new decision:
    the same status upholds the challenged decision, another overturns it. Tells the
    challenger, co-signers, the original decider, the author, supporters and followers.
    Returns details for the decision's audit entry."""
    session.flush()
    outcome = (ChallengeStatus.UPHELD if decision.status == challenge.decision_status
               else ChallengeStatus.OVERTURNED)
    moved = session.execute(
        update(Challenge).where(Challenge.id == challenge.id,
                                Challenge.status == ChallengeStatus.REOPENED)
        .values(status=outcome, answer_decision_id=decision.id, ended_at=decision.created_at,
                ended_by_id=leader.id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise InvalidInput(_l("Someone else answered this challenge just now. Reload and "
                              "retry."))
    kind = (NotificationKind.CHALLENGE_UPHELD if outcome == ChallengeStatus.UPHELD
            else NotificationKind.CHALLENGE_OVERTURNED)
    fan_out(session, kind, challenge_audience(challenge, idea_author_id, supporters=True),
            idea_id=challenge.idea_id, status=decision.status.value, exclude_user_id=leader.id)
    return {"challenge": challenge.public_id, "challenge_outcome": outcome.value}


def answer_challenge(leader: User, challenge: Challenge, *, uphold: bool,
                     status: IdeaStatus | None, rationale: str,
                     merged_into: Idea | None = None) -> Decision:
    """Uphold (the challenged status again) or overturn (another decision), with a public
    rationale; a thin front for the ordinary decision, which settles the challenge."""
    if not is_leader(leader):
        raise NotAllowed(_l("Only leaders can answer a challenge."))
    refuse_conflicted_leader(challenge, leader.id)
    if not can_answer_challenge(leader, challenge):
        raise InvalidInput(_l("This challenge is not waiting for an answer."))
    if uphold:
        status = challenge.decision_status
        if status == IdeaStatus.MERGED:
            merged_into = challenge.decision.merged_into
    elif status not in CHALLENGEABLE_STATUSES or status == challenge.decision_status:
        raise InvalidInput(_l("To overturn the decision, choose a different one: accepted, "
                              "declined, needs information or merged."))
    idea = db.session.scalars(select(Idea).where(Idea.id == challenge.idea_id)
                              .execution_options(populate_existing=True)).one()
    return change_status(leader, idea, status, rationale, merged_into)


# --- administrators and the clock -----------------------------------------------------------

def close_challenge(admin: User, challenge: Challenge, reason: str) -> None:
    """Close an abusive challenge with a public reason; audited, and its signatories told."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only administrators can close a challenge."))
    reason = reason.strip()
    if len(reason) < MIN_CLOSE_REASON_LENGTH:
        raise InvalidInput(_l("Say in at least %(n)d characters why you close it: the reason "
                              "is shown on the challenge.", n=MIN_CLOSE_REASON_LENGTH))
    with write_transaction() as session:
        now = utcnow()
        moved = session.execute(
            update(Challenge).where(Challenge.id == challenge.id,
                                    Challenge.status == ChallengeStatus.OPEN)
            .values(status=ChallengeStatus.CLOSED, ended_at=now, ended_by_id=admin.id,
                    close_reason=reason)
            .execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            raise InvalidInput(_l("Only a challenge that is still gathering co-signers can be "
                                  "closed."))
        fan_out(session, NotificationKind.CHALLENGE_ENDED, _signatories(challenge),
                idea_id=challenge.idea_id, status=ChallengeStatus.CLOSED.value)
        record(session, admin, "challenge.close", "challenge", challenge.public_id,
               reason=reason, idea=session.scalar(select(Idea.public_id).where(
                   Idea.id == challenge.idea_id)))


def _end_stale(session: Session, now: datetime, decision_id: int | None = None) -> int:
    """Record what `Challenge.shown_status` already shows: open challenges past their window
    have expired, and those whose decision changed are superseded. Tells the signatories."""
    query = (select(Challenge, Idea.status, Idea.deleted_at)
             .join(Idea, Idea.id == Challenge.idea_id)
             .where(Challenge.status == ChallengeStatus.OPEN))
    if decision_id is not None:
        query = query.where(Challenge.decision_id == decision_id)
    ended = 0
    for challenge, idea_status, deleted_at in session.execute(query).all():
        if deleted_at is not None or idea_status not in standing_statuses(
                challenge.decision_status):
            outcome = ChallengeStatus.SUPERSEDED
        elif challenge.expires_at <= now:
            outcome = ChallengeStatus.EXPIRED
        else:
            continue
        moved = session.execute(
            update(Challenge).where(Challenge.id == challenge.id,
                                    Challenge.status == ChallengeStatus.OPEN)
            .values(status=outcome, ended_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if moved:
            fan_out(session, NotificationKind.CHALLENGE_ENDED, _signatories(challenge),
                    idea_id=challenge.idea_id, status=outcome.value)
            ended += 1
    return ended


def end_stale_challenges(now: datetime | None = None) -> int:
    """Scheduled (`flask run-scheduled`): expire and supersede open challenges."""
    with write_transaction() as session:
        return _end_stale(session, now or utcnow())
