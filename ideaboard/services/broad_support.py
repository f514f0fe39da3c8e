"""The scheduled broad-support fit: read the votes, fit, store each idea's score.

The fit runs outside any transaction: votes are read in short chunks (each its own read,
so no snapshot is held while computing), the model is fitted with no connection in use,
and the scores go back in short write transactions of WRITE_BATCH ideas each. SQLite's
write lock is therefore held for milliseconds at a time, never while the model computes,
and votes keep landing during the fit (a vote cast meanwhile counts at the next fit).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import numpy as np
from sqlalchemy import bindparam, select, update

from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import Idea, User, Vote
from ideaboard.models.base import utcnow
from ideaboard.ranking import BROAD_SUPPORT_BADGE
from ideaboard.ranking.broad_support import Penalties, dense_indexes, fit_broad_support
from ideaboard.services.review import escalate_all_due

LOAD_CHUNK = 100_000
WRITE_BATCH = 500  # ~50 ms of SQLite's write lock at a time
FIT_SEED = 20240601  # fixed, so the same votes always give the same scores

log = logging.getLogger(__name__)


@dataclass
class FitReport:
    votes: int
    voters: int
    scored: int        # ideas that have a score now
    cleared: int       # ideas that lost theirs (votes withdrawn below the minimum)
    badges: int        # ideas at or above the badge threshold
    sweeps: int
    converged: bool
    escalated: int     # ideas the escalation rule's broad-support clause let through now
    load_seconds: float
    fit_seconds: float
    write_seconds: float
    longest_write_seconds: float
    fitted_at: datetime

    def summary(self) -> str:
        return (f"{self.votes:,} votes by {self.voters:,} people: {self.scored:,} ideas scored, "
                f"{self.badges:,} at common ground, {self.cleared:,} cleared; "
                f"{self.sweeps} sweeps{'' if self.converged else ' (stopped at the cap)'}; "
                f"{self.escalated} escalated; load {self.load_seconds:.1f} s, "
                f"fit {self.fit_seconds:.1f} s, write {self.write_seconds:.1f} s "
                f"(longest write transaction {self.longest_write_seconds * 1000:.0f} ms)")


@dataclass
class VoteArrays:
    idea_ids: np.ndarray
    user_ids: np.ndarray
    values: np.ndarray


def load_votes(chunk: int = LOAD_CHUNK) -> VoteArrays:
    """Every vote on an idea that is not deleted, in keyset chunks by vote id, each read in
    its own short transaction. A vote withdrawn and cast again between two chunks could be
    read twice: the later row wins."""
    parts: list[np.ndarray] = []
    after = 0
    statement = (select(Vote.id, Vote.idea_id, Vote.user_id, Vote.value)
                 .where(Vote.id > bindparam("after")).order_by(Vote.id).limit(chunk))
    while True:
        rows = _fetch_plain_rows(statement, {"after": after})
        db.session.rollback()  # end the read: nothing held between chunks
        if not rows:
            break
        part = np.fromiter(chain.from_iterable(rows), dtype=np.int64,
                           count=4 * len(rows)).reshape(-1, 4)
        parts.append(part)
        after = int(part[-1, 0])
        if len(rows) < chunk:
            break
    deleted = np.fromiter(db.session.scalars(select(Idea.id).where(
        Idea.deleted_at.is_not(None))), dtype=np.int64)  # few: ix_idea_deleted
    db.session.rollback()
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return VoteArrays(empty, empty, empty)
    table = np.concatenate(parts)
    table = table[~np.isin(table[:, 1], deleted)]
    keys = table[:, 1] * (int(table[:, 2].max(initial=0)) + 1) + table[:, 2]
    _unique, last = np.unique(keys[::-1], return_index=True)  # the latest row per pair
    keep = np.sort(table.shape[0] - 1 - last)
    return VoteArrays(table[keep, 1], table[keep, 2], table[keep, 3])


def _fetch_plain_rows(statement, params: dict) -> list[tuple]:
    """The statement's rows as plain tuples from the driver's own cursor: a million votes
    through SQLAlchemy's Row objects cost more than twice the time SQLite takes."""
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    values = compiled.construct_params(params)
    if compiled.positional:
        values = tuple(values[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, values)
        return cursor.fetchall()
    finally:
        cursor.close()


def departments_of(user_ids: np.ndarray) -> np.ndarray:
    """Each voter's department as a dense index from 0, or −1 without one. Used only as the
    fit's prior for viewpoints; nothing about departments is stored."""
    rows = db.session.execute(select(User.id, User.department_id)).all()
    db.session.rollback()
    department = {user_id: dept for user_id, dept in rows}
    raw = np.array([department.get(int(u)) or 0 for u in user_ids], dtype=np.int64)
    groups = np.full(raw.size, -1, dtype=np.int64)
    if raw.size and raw.max() > 0:
        present = raw > 0
        _ids, groups[present] = dense_indexes(raw[present])
    return groups


def refresh_broad_support(*, penalties: Penalties = Penalties(),
                          write_batch: int = WRITE_BATCH) -> FitReport:
    """Fit the model to every vote and store each idea's score with the time of the fit;
    then escalate the open ideas that the rule's broad-support clause held back."""
    started = time.perf_counter()
    votes = load_votes()
    idea_ids, idea_index = dense_indexes(votes.idea_ids)
    user_ids, voter_index = dense_indexes(votes.user_ids)
    groups = departments_of(user_ids)
    previously = set(db.session.scalars(select(Idea.id).where(Idea.broad_support.is_not(None))))
    db.session.rollback()
    loaded = time.perf_counter()

    fit = fit_broad_support(idea_index, voter_index, votes.values.astype(np.float64), groups,
                            n_ideas=idea_ids.size, n_voters=user_ids.size, penalties=penalties,
                            seed=FIT_SEED)
    fitted = time.perf_counter()

    fitted_at = utcnow()
    scored = ~np.isnan(fit.scores)
    rows = [{"b_id": int(i), "b_score": float(s), "b_at": fitted_at}
            for i, s in zip(idea_ids[scored], fit.scores[scored], strict=True)]
    cleared = sorted(previously - {row["b_id"] for row in rows})
    rows += [{"b_id": i, "b_score": None, "b_at": None} for i in cleared]
    longest = _write_scores(rows, write_batch)
    escalated = escalate_all_due()
    written = time.perf_counter()
    report = FitReport(
        votes=int(votes.values.size), voters=int(user_ids.size), scored=int(scored.sum()),
        cleared=len(cleared), badges=int(np.sum(fit.scores[scored] >= BROAD_SUPPORT_BADGE)),
        sweeps=fit.sweeps, converged=fit.converged, escalated=escalated,
        load_seconds=loaded - started, fit_seconds=fitted - loaded,
        write_seconds=written - fitted, longest_write_seconds=longest, fitted_at=fitted_at)
    log.info("broad support: %s", report.summary())
    return report


_SAVE = (update(Idea.__table__).where(Idea.__table__.c.id == bindparam("b_id"))
         .values(broad_support=bindparam("b_score"), broad_support_at=bindparam("b_at")))


def _write_scores(rows: list[dict], batch: int) -> float:
    """Short write transactions of `batch` ideas; returns the longest one in seconds."""
    longest = 0.0
    for start in range(0, len(rows), batch):
        began = time.perf_counter()
        with write_transaction() as session:
            session.connection().execute(_SAVE, rows[start:start + batch])
        longest = max(longest, time.perf_counter() - began)
    return longest
