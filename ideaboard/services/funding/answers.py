"""Leadership's answer to a funded idea: the money and people released, or declined."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select, union
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    FundingAnswer,
    FundingEntry,
    Idea,
    IdeaStatus,
    NotificationKind,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.permissions import (
    is_leader,
)
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.delivery import (
    add_first_milestones,
    backers_of,
    ensure_delivery,
    ensure_idea_open_to_act,
    team_of,
)
from ideaboard.services.notifications import QUEUE_STATUSES, fan_out
from ideaboard.services.review import (
    MIN_RATIONALE_LENGTH,
    apply_status,
    check_transition,
)
from ideaboard.text import render_markdown


def answer_funding(leader: User, entry: FundingEntry, release: bool, rationale: str) -> None:
    """A leader confirms a funded idea (the money and people are released) or declines it,
    with a public rationale. An idea still in the queue is accepted or declined with it."""
    if not is_leader(leader):
        raise NotAllowed(_l("Only leaders can confirm or decline funding."))
    rationale = rationale.strip()
    if len(rationale) < MIN_RATIONALE_LENGTH:
        raise InvalidInput(_l("Explain the decision to everyone in at least %(n)d characters: "
                              "the rationale is shown publicly on the idea.",
                              n=MIN_RATIONALE_LENGTH))
    if not entry.awaits_answer:
        raise InvalidInput(_l("This funding has already been answered, or was not funded."))
    idea = db.session.get(Idea, entry.idea_id)
    ensure_idea_open_to_act(leader, idea)
    if idea.status in (*QUEUE_STATUSES, IdeaStatus.NEEDS_INFO):
        status = IdeaStatus.ACCEPTED if release else IdeaStatus.DECLINED
        rationale = check_transition(idea, status, rationale)
        with write_transaction() as session:
            apply_status(session, leader, idea, status, rationale)  # settles the funding
        idea.status = status
        return
    if idea.status not in (IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS):
        raise InvalidInput(_l("This idea is no longer being decided on."))
    with write_transaction() as session:
        _settle(session, leader, idea, FundingAnswer.RELEASED if release
                else FundingAnswer.DECLINED, rationale)


def after_status_change(session: Session, actor: User, idea: Idea, status: IdeaStatus,
                        rationale: str) -> None:
    """Called by review.apply_status in the same transaction: accepting a funded idea
    releases its funds and starts its delivery; declining or merging it declines them."""
    if status == IdeaStatus.ACCEPTED:
        _settle(session, actor, idea, FundingAnswer.RELEASED, rationale)
        ensure_delivery(session, idea.id)
    elif status in (IdeaStatus.DECLINED, IdeaStatus.MERGED):
        _settle(session, actor, idea, FundingAnswer.DECLINED, rationale)
    elif status == IdeaStatus.IN_PROGRESS:
        ensure_delivery(session, idea.id)
    elif status == IdeaStatus.DONE:
        fan_out(session, NotificationKind.DELIVERY_UPDATE,
                union(backers_of(idea.id), team_of(idea.id)), idea_id=idea.id,
                status=IdeaStatus.DONE.value, exclude_user_id=actor.id)


def _settle(session: Session, actor: User, idea: Idea, answer: FundingAnswer,
            rationale: str) -> None:
    pending = list(session.scalars(select(FundingEntry).where(
        FundingEntry.idea_id == idea.id, FundingEntry.funded.is_(True),
        FundingEntry.answer.is_(None))))
    if not pending:
        return
    now, html = utcnow(), render_markdown(rationale)
    for entry in pending:
        entry.answer, entry.answered_at, entry.answered_by_id = answer, now, actor.id
        entry.answer_note, entry.answer_note_html = rationale, html
        record(session, actor, f"funding.{answer.value}", "funding_entry", entry.id,
               reason=rationale, idea=idea.public_id, amount=entry.awarded_amount,
               people_weeks=entry.awarded_people_weeks)
    session.flush()
    if answer == FundingAnswer.RELEASED:
        ensure_delivery(session, idea.id)
        add_first_milestones(session, idea.id, [e.first_milestone for e in pending], actor)
    audience = union(select(literal(idea.author_id).label("user_id")), backers_of(idea.id),
                     team_of(idea.id))
    fan_out(session, NotificationKind.FUNDING_ANSWER, audience, idea_id=idea.id,
            status=answer.value, exclude_user_id=actor.id)
