"""Merging duplicate ideas — the one merge, whether an admin folds a duplicate from the flag
queue or a leader decides "merged" in the review queue: votes, comments and followers move
to the idea that stays, in one transaction, with a public decision on the merged one, and
the moved comments' search documents follow them."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, literal, select, union, update
from sqlalchemy.orm import Session, aliased

from ideaboard.database import write_transaction
from ideaboard.models import (
    Comment,
    Decision,
    Escalation,
    Flag,
    FlagResolution,
    Idea,
    IdeaFollow,
    IdeaStatus,
    NotificationKind,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.models.ranking import hot_score, wilson_lower_bound
from ideaboard.permissions import can_merge
from ideaboard.search.index import reindex
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.funding import after_status_change
from ideaboard.services.notifications import fan_out
from ideaboard.services.review import MIN_RATIONALE_LENGTH, announce_status, escalate_if_due
from ideaboard.text import render_markdown


@dataclass(frozen=True)
class MergeResult:
    votes_moved: int
    votes_dropped: int
    comments_moved: int
    supporters: int
    opposers: int


def merge_ideas(actor: User, duplicate: Idea, survivor: Idea, rationale: str) -> MergeResult:
    """Fold a duplicate into the surviving idea, in one transaction.

    Votes move over, one per user: a user who voted on both keeps their vote on the
    survivor, and votes by the survivor's author are dropped (nobody votes on their own
    idea). Comments and followers move too. Both ideas' tallies, scores and comment counts
    are recounted from the rows; the duplicate becomes "merged" with a public rationale,
    and authors and followers of both are notified. A leader deciding a queue item owns it.
    """
    admin = actor
    if not can_merge(actor, duplicate):
        raise NotAllowed(_l("Only administrators, or leaders deciding it in the review queue, "
                            "can merge an idea."))
    rationale = rationale.strip()
    if len(rationale) < MIN_RATIONALE_LENGTH:
        raise InvalidInput(_l("Explain the merge to everyone in at least %(n)d characters: "
                              "it is shown on the merged idea.", n=MIN_RATIONALE_LENGTH))
    if duplicate.id == survivor.id:
        raise InvalidInput(_l("Choose another idea to merge into."))
    for idea in (duplicate, survivor):
        if idea.is_deleted or idea.status == IdeaStatus.MERGED:
            raise InvalidInput(_l("Deleted or already merged ideas cannot take part in a "
                                  "merge."))
    with write_transaction() as session:
        session.execute(select(Idea.id).where(Idea.id.in_([duplicate.id, survivor.id]))
                        .order_by(Idea.id).with_for_update())
        now = utcnow()
        marked = session.execute(
            update(Idea).where(Idea.id == duplicate.id, Idea.status != IdeaStatus.MERGED,
                               Idea.deleted_at.is_(None))
            .values(status=IdeaStatus.MERGED, decided_at=now, review_due_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if marked != 1:
            raise InvalidInput(_l("Someone else changed this idea just now. Reload and retry."))
        audience = union(
            select(literal(duplicate.author_id).label("user_id")),
            select(literal(survivor.author_id).label("user_id")),
            select(IdeaFollow.user_id).where(IdeaFollow.idea_id.in_([duplicate.id,
                                                                     survivor.id])))
        votes_before = session.scalar(select(func.count()).select_from(Vote)
                                      .where(Vote.idea_id == duplicate.id))
        theirs = aliased(Vote)
        votes_moved = session.execute(
            update(Vote).where(
                Vote.idea_id == duplicate.id, Vote.user_id != survivor.author_id,
                ~exists().where(theirs.idea_id == survivor.id, theirs.user_id == Vote.user_id))
            .values(idea_id=survivor.id, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        session.execute(delete(Vote).where(Vote.idea_id == duplicate.id)
                        .execution_options(synchronize_session=False))
        moved_ids = list(session.scalars(select(Comment.id)
                                         .where(Comment.idea_id == duplicate.id)))
        comments_moved = session.execute(
            update(Comment).where(Comment.idea_id == duplicate.id).values(idea_id=survivor.id)
            .execution_options(synchronize_session=False)).rowcount
        reindex(session, Comment, moved_ids)
        _move_followers(session, duplicate, survivor, now)
        session.execute(update(Flag).where(Flag.idea_id == duplicate.id,
                                           Flag.resolved_at.is_(None))
                        .values(resolved_at=now, resolved_by_id=admin.id,
                                resolution=FlagResolution.MERGED)
                        .execution_options(synchronize_session=False))
        _recount(session, duplicate.id)
        supporters, opposers, score = _recount(session, survivor.id)
        session.execute(update(Escalation).where(Escalation.idea_id == duplicate.id,
                                                 Escalation.owner_id.is_(None))
                        .values(owner_id=admin.id, claimed_at=now)
                        .execution_options(synchronize_session=False))
        session.add(Decision(idea_id=duplicate.id, status=IdeaStatus.MERGED,
                             rationale=rationale, rationale_html=render_markdown(rationale),
                             author_id=admin.id, merged_into_id=survivor.id, created_at=now))
        fan_out(session, NotificationKind.DECISION, audience, idea_id=duplicate.id,
                status=IdeaStatus.MERGED.value, exclude_user_id=admin.id)
        after_status_change(session, admin, duplicate, IdeaStatus.MERGED, rationale)
        announce_status(session, duplicate.id, IdeaStatus.MERGED, rationale, survivor)
        escalate_if_due(session, survivor.id, supporters, score, survivor.broad_support)
        record(session, admin, "idea.merge", "idea", duplicate.public_id, reason=rationale,
               merged_into=survivor.public_id, votes_moved=votes_moved,
               votes_dropped=votes_before - votes_moved, comments_moved=comments_moved)
    duplicate.status = IdeaStatus.MERGED
    return MergeResult(votes_moved, votes_before - votes_moved, comments_moved, supporters,
                       opposers)


def _move_followers(session: Session, duplicate: Idea, survivor: Idea, now) -> None:
    """Followers (and the author) of the duplicate follow the survivor from now on."""
    already = aliased(IdeaFollow)
    followers = union(
        select(IdeaFollow.user_id.label("user_id")).where(IdeaFollow.idea_id == duplicate.id),
        select(literal(duplicate.author_id).label("user_id"))).subquery()
    session.execute(insert(IdeaFollow).from_select(
        ["user_id", "idea_id", "created_at"],
        select(followers.c.user_id, literal(survivor.id), literal(now)).where(
            followers.c.user_id != survivor.author_id,
            ~exists().where(already.idea_id == survivor.id,
                            already.user_id == followers.c.user_id))))


def _recount(session: Session, idea_id: int) -> tuple[int, int, float]:
    """Tallies, score, hot and comment count from the rows (the rows are locked)."""
    supporters, opposers = session.execute(
        select(func.count().filter(Vote.value == 1), func.count().filter(Vote.value == -1))
        .where(Vote.idea_id == idea_id)).one()
    comments = session.scalar(select(func.count()).select_from(Comment).where(
        Comment.idea_id == idea_id, Comment.deleted_at.is_(None)))
    created_at = session.scalar(select(Idea.created_at).where(Idea.id == idea_id))
    score = wilson_lower_bound(supporters, supporters + opposers)
    session.execute(update(Idea).where(Idea.id == idea_id).values(
        supporters=supporters, opposers=opposers, score=score, hot=hot_score(score, created_at),
        comment_count=comments).execution_options(synchronize_session=False))
    return supporters, opposers, score
