"""Votes on ideas and helpful marks on comments.

Tallies move by SQL increments in the vote's own transaction. The idea row is locked
first (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE already serialises writers on SQLite)
so that two requests from one user cannot both insert, and the score derived from the
returned tallies is the one for this exact state.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, update

from ideaboard.database import write_transaction
from ideaboard.errors import Gone
from ideaboard.models import Campaign, CampaignKind, Comment, CommentVote, Idea, Vote
from ideaboard.models.base import utcnow
from ideaboard.models.ideas import totals_hidden
from ideaboard.models.ranking import hot_score, wilson_lower_bound
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.review import escalate_if_due
from ideaboard.visibility import IdeaState, ensure_can_act, ensure_comment_open

SUPPORT, OPPOSE, RETRACT = 1, -1, 0


@dataclass(frozen=True)
class VoteResult:
    value: int
    supporters: int
    opposers: int
    score: float
    escalated: bool = False
    totals_hidden: bool = False  # anti-herding: the answer must not show the tallies


def _tally_delta(old: int, new: int) -> tuple[int, int]:
    """Change in (supporters, opposers) when a user's vote goes from old to new."""
    return (int(new == SUPPORT) - int(old == SUPPORT), int(new == OPPOSE) - int(old == OPPOSE))


class _VoteStatements:
    """The vote's statements, built once per process: votes are the hottest write, and
    building these constructs cost more Python time than SQLite took to run them."""

    def __init__(self) -> None:
        idea_id, user_id = bindparam("idea_id_"), bindparam("user_id_")
        mine = (Vote.idea_id == idea_id, Vote.user_id == user_id)
        # the one lookup of the idea a vote makes: by its public id, locked, with what the
        # visibility rule, the campaign's dates and its anti-herding setting need
        self.lock_idea = (
            select(Idea.id, Idea.author_id, Idea.hidden_at, Idea.deleted_at, Idea.status,
                   Idea.supporters, Idea.opposers, Idea.score, Idea.public_at,
                   Idea.broad_support, Campaign.kind, Campaign.anonymity, Campaign.opens_at,
                   Campaign.closes_at, Campaign.pairwise_enabled,
                   Campaign.hide_totals_until_close)
            .join(Campaign, Campaign.id == Idea.campaign_id)
            .where(Idea.public_id == bindparam("public_id_")).with_for_update(of=Idea))
        self.old_vote = select(Vote.value).where(*mine)
        self.insert_vote = insert(Vote).values(
            idea_id=idea_id, user_id=user_id, value=bindparam("value_"),
            created_at=bindparam("now_"), updated_at=bindparam("now_"))
        self.delete_vote = delete(Vote).where(*mine)
        self.change_vote = update(Vote).where(*mine).values(
            value=bindparam("value_"), updated_at=bindparam("now_"))
        # the counters move by SQL increments; the ranks come from the locked row's tallies
        self.update_idea = update(Idea).where(Idea.id == idea_id).values(
            supporters=Idea.supporters + bindparam("d_support_"),
            opposers=Idea.opposers + bindparam("d_oppose_"),
            score=bindparam("score_"), hot=bindparam("hot_"))


@cache
def _statements() -> _VoteStatements:
    return _VoteStatements()


def cast_vote(user, public_id: str, value: int) -> VoteResult:
    """Support (+1), oppose (-1) or retract (0) a vote; idempotent for a repeated value.
    The idea is looked up once, locked, by its public id; Gone when it is not there for
    this user (no such idea, or hidden from them)."""
    if value not in (SUPPORT, OPPOSE, RETRACT):
        raise InvalidInput(_l("Unknown vote."))
    statements = _statements()
    with write_transaction() as session:
        row = session.execute(statements.lock_idea, {"public_id_": public_id}).one_or_none()
        if row is None:
            raise Gone(_l("This idea no longer exists."))
        ensure_can_act(user, IdeaState(row.author_id, row.hidden_at, row.deleted_at,
                                       row.status, row.anonymity))
        idea_id, keys = row.id, {"idea_id_": row.id, "user_id_": user.id}
        hidden = totals_hidden(row)
        if row.author_id == user.id:
            raise NotAllowed(_l("You cannot vote on your own idea."))
        now = utcnow()
        if row.opens_at > now or (row.closes_at is not None and row.closes_at <= now):
            raise NotAllowed(_l("This campaign is closed: its votes are final."))
        old = session.scalar(statements.old_vote, keys) or RETRACT
        if old == value:
            return VoteResult(value, row.supporters, row.opposers, row.score,
                              totals_hidden=hidden)
        if old == RETRACT:
            session.execute(statements.insert_vote, keys | {"value_": value, "now_": now})
        elif value == RETRACT:
            session.execute(statements.delete_vote, keys)
        else:
            session.execute(statements.change_vote, keys | {"value_": value, "now_": now})
        # The row is locked (FOR UPDATE / BEGIN IMMEDIATE), so the tallies read above are
        # current and the ranks can be derived from them in the same single UPDATE.
        d_support, d_oppose = _tally_delta(old, value)
        supporters, opposers = row.supporters + d_support, row.opposers + d_oppose
        score = wilson_lower_bound(supporters, supporters + opposers)
        session.execute(statements.update_idea, keys | {
            "d_support_": d_support, "d_oppose_": d_oppose, "score_": score,
            "hot_": hot_score(score, row.public_at)})
        # consultation options are answered by the campaign's outcome, not the review queue
        escalated = (d_support > 0 and row.kind != CampaignKind.CONSULTATION
                     and escalate_if_due(session, idea_id, supporters, score,
                                         row.broad_support))
    return VoteResult(value, supporters, opposers, score, escalated, hidden)


def mark_helpful(user, comment: Comment, helpful: bool) -> int:
    """Add or remove a helpful mark; returns the new count. `comment.idea` must be loaded."""
    ensure_comment_open(user, comment, state_of_idea_of(comment))
    if comment.author_id == user.id:
        raise NotAllowed(_l("You cannot mark your own comment as helpful."))
    return set_helpful_mark(Comment, CommentVote, comment.id, user.id, helpful)


def set_helpful_mark(item_model, mark_model, item_id: int, user_id: int, helpful: bool) -> int:
    """Add or remove one user's helpful mark on a comment or a critique, with the counter
    moved in the same transaction; returns the new count. The checks are the caller's."""
    item_key = getattr(mark_model, f"{item_model.__tablename__}_id")
    mine = (item_key == item_id, mark_model.user_id == user_id)
    with write_transaction() as session:
        session.execute(select(item_model.id).where(item_model.id == item_id).with_for_update())
        marked = session.scalar(select(mark_model.user_id).where(*mine)) is not None
        if marked == helpful:
            return session.scalar(select(item_model.helpful_count)
                                  .where(item_model.id == item_id))
        if helpful:
            session.execute(insert(mark_model).values(
                {item_key.key: item_id, "user_id": user_id, "created_at": utcnow()}))
        else:
            session.execute(delete(mark_model).where(*mine))
        return session.execute(
            update(item_model).where(item_model.id == item_id)
            .values(helpful_count=item_model.helpful_count + (1 if helpful else -1))
            .returning(item_model.helpful_count)).scalar_one()
