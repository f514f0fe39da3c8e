"""Giving points: never over the allowance, every total exact, under any concurrency.

On PostgreSQL each allocation takes a KEY SHARE lock on the round (so closing, which takes
FOR UPDATE, waits for allocations in flight and refuses later ones), then locks the backer's
wallet row, so one person's requests from several tabs run one after the other; a conditional
UPDATE with a CHECK behind it keeps the wallet within its allowance, and every counter moves
by an SQL increment in the same transaction. On SQLite, BEGIN IMMEDIATE serialises writers
and the same statements do the rest.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, exists, insert, not_, select, update
from sqlalchemy.exc import OperationalError

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    FundingAllocation,
    FundingEntry,
    FundingRound,
    FundingRoundDepartment,
    FundingWallet,
    Idea,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.funding import ENTRY_STATUSES
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.delivery import (
    insert_ignoring_duplicates,
)
from ideaboard.services.funding.rounds import MAX_ALLOWANCE

DEADLOCK_RETRIES = 3

@dataclass(frozen=True)
class Allocation:
    """The backer's own view after an allocation: what they gave, what is left, and the
    idea's totals (which the caller hides while the round hides totals)."""
    points: int
    spent: int
    allowance: int
    entry_points: int
    entry_backers: int

    @property
    def left(self) -> int:
        return self.allowance - self.spent


def allocate(user: User, funding_round_id: int, entry_id: int, points: int) -> Allocation:
    """Set the points `user` gives an entered idea (0 takes them all back). Idempotent, so
    a double click or a retried request changes nothing."""
    if not isinstance(points, int) or not 0 <= points <= MAX_ALLOWANCE:
        raise InvalidInput(_l("Give a whole number of points, 0 or more."))
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return _allocate_once(user, funding_round_id, entry_id, points)
        except OperationalError as error:  # PostgreSQL broke a deadlock: run it again
            if getattr(error.orig, "sqlstate", None) not in ("40P01", "40001") or (
                    attempt == DEADLOCK_RETRIES - 1):
                raise
            db.session.rollback()
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


class _AllocationStatements:
    """The allocation's statements, built once per process (as the vote's are): building
    these constructs costs more Python time than the database takes to run them."""

    def __init__(self) -> None:
        round_id, user_id, entry_id = (bindparam("round_id_"), bindparam("user_id_"),
                                       bindparam("entry_id_"))
        delta, now = bindparam("delta_"), bindparam("now_")
        wallet = (FundingWallet.round_id == round_id, FundingWallet.user_id == user_id)
        mine = (FundingAllocation.entry_id == entry_id, FundingAllocation.user_id == user_id)
        self.lock_round = (
            select(FundingRound.opens_at, FundingRound.closes_at, FundingRound.closed_at,
                   FundingRound.allowance).where(FundingRound.id == round_id)
            .with_for_update(read=True, key_share=True))
        self.entry = (select(FundingEntry.round_id, Idea.author_id, Idea.status,
                             Idea.deleted_at, Idea.hidden_at)
                      .join(Idea, Idea.id == FundingEntry.idea_id)
                      .where(FundingEntry.id == entry_id))
        chosen = select(FundingRoundDepartment.department_id).where(
            FundingRoundDepartment.round_id == round_id)
        self.eligible = select(not_(exists(chosen)) | exists(chosen.where(
            FundingRoundDepartment.department_id == bindparam("department_id_"))))
        self.lock_wallet = select(FundingWallet.spent).where(*wallet).with_for_update()
        self.old = select(FundingAllocation.points).where(*mine)
        self.totals = select(FundingEntry.points, FundingEntry.backers).where(
            FundingEntry.id == entry_id)
        self.spend = (update(FundingWallet)
                      .where(*wallet, FundingWallet.spent + delta <= FundingWallet.allowance,
                             FundingWallet.spent + delta >= 0)
                      .values(spent=FundingWallet.spent + delta, updated_at=now)
                      .returning(FundingWallet.spent))
        self.add = insert(FundingAllocation).values(
            entry_id=entry_id, user_id=user_id, round_id=round_id,
            points=bindparam("points_"), created_at=now, updated_at=now)
        self.remove = delete(FundingAllocation).where(*mine)
        self.change = update(FundingAllocation).where(*mine).values(
            points=bindparam("points_"), updated_at=now)
        self.count_entry = (
            update(FundingEntry).where(FundingEntry.id == entry_id).values(
                points=FundingEntry.points + delta,
                backers=FundingEntry.backers + bindparam("d_backers_"),
                root_sum=FundingEntry.root_sum + bindparam("d_roots_"))
            .returning(FundingEntry.points, FundingEntry.backers))
        self.count_round = update(FundingRound).where(FundingRound.id == round_id).values(
            points_spent=FundingRound.points_spent + delta,
            backer_count=FundingRound.backer_count + bindparam("d_participants_"))


@cache
def _statements() -> _AllocationStatements:
    return _AllocationStatements()


def _allocate_once(user: User, funding_round_id: int, entry_id: int, points: int) -> Allocation:
    statements = _statements()
    keys = {"round_id_": funding_round_id, "user_id_": user.id, "entry_id_": entry_id}
    with write_transaction() as session:
        round_row = session.execute(statements.lock_round, keys).one_or_none()
        if round_row is None:
            raise NotFound(_l("This funding round does not exist."))
        now = utcnow()
        if round_row.closed_at is not None or now >= round_row.closes_at:
            raise NotAllowed(_l("This round is closed: its points are final."))
        if now < round_row.opens_at:
            raise NotAllowed(_l("This round has not opened yet."))
        entry = session.execute(statements.entry, keys).one_or_none()
        if entry is None or entry.round_id != funding_round_id:
            raise NotFound(_l("This idea is not in the round."))
        if entry.author_id == user.id:
            raise NotAllowed(_l("You cannot give points to your own idea."))
        if not session.scalar(statements.eligible,
                              keys | {"department_id_": user.department_id}):
            raise NotAllowed(_l("This round is open to some departments only, and yours is "
                                "not one of them."))
        insert_ignoring_duplicates(session, FundingWallet, {
            "round_id": funding_round_id, "user_id": user.id,
            "allowance": round_row.allowance, "spent": 0, "updated_at": now})
        spent_before = session.scalar(statements.lock_wallet, keys)
        old = session.scalar(statements.old, keys) or 0
        delta = points - old
        if delta > 0 and (entry.deleted_at is not None or entry.hidden_at is not None
                          or entry.status not in ENTRY_STATUSES):
            raise NotAllowed(_l("This idea can no longer be funded: you can only take your "
                                "points back."))
        if delta == 0:
            totals = session.execute(statements.totals, keys).one()
            return Allocation(points, spent_before, round_row.allowance, *totals)
        moved = keys | {"delta_": delta, "now_": now, "points_": points}
        spent = session.scalar(statements.spend, moved)
        if spent is None:
            raise InvalidInput(_l("You have %(left)d points left: give at most %(most)d here.",
                                  left=round_row.allowance - spent_before,
                                  most=old + round_row.allowance - spent_before))
        session.execute(statements.add if old == 0 else
                        statements.remove if points == 0 else statements.change, moved)
        totals = session.execute(statements.count_entry, moved | {
            "d_backers_": int(points > 0) - int(old > 0),
            "d_roots_": math.sqrt(points) - math.sqrt(old)}).one()
        session.execute(statements.count_round, moved | {
            "d_participants_": int(spent > 0) - int(spent_before > 0)})
    return Allocation(points, spent, round_row.allowance, *totals)

