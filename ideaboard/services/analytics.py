"""Keeping the analytics rollup current: who took part in which quarter.

The rollup is rebuilt, in one transaction, for every quarter from the one holding the latest
activity already counted (less a day, for late writers) to now, so it is exact for those
quarters however often it runs; `full=True` (or an empty rollup) rebuilds all history.
`flask run-scheduled` runs it hourly; `flask refresh-analytics --full` on demand.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, insert, literal, select, union_all

from ideaboard.database import write_transaction
from ideaboard.models import Participation
from ideaboard.models.base import utcnow
from ideaboard.queries.analytics import participation_events
from ideaboard.queries.periods import Quarter

LATE_WRITES = timedelta(days=1)


def refresh_participation(now: datetime | None = None, full: bool = False) -> int:
    """Rebuild the quarters that can still change; returns the rows written."""
    now = now or utcnow()
    events = union_all(*participation_events()).subquery("events")
    with write_transaction() as session:
        watermark = None if full else session.scalar(select(func.max(Participation.last_at)))
        if watermark is None:
            earliest = session.scalar(select(func.min(events.c.at)))
            session.execute(delete(Participation))
            if earliest is None:
                return 0
            first = Quarter.of(earliest)
        else:
            first = Quarter.of(min(watermark, now) - LATE_WRITES)
            session.execute(delete(Participation)
                            .where(Participation.quarter_start >= first.start))
        quarters = [first]
        while quarters[-1] != Quarter.of(now) and quarters[-1].start < now:
            quarters.append(quarters[-1].following())
        quarter_start = case(*[(events.c.at >= quarter.start, literal(quarter.start))
                               for quarter in reversed(quarters)])
        dated = (select(events.c.user_id, quarter_start.label("quarter_start"), events.c.at)
                 .where(events.c.at >= first.start).subquery("dated"))
        return session.execute(insert(Participation).from_select(
            ["user_id", "quarter_start", "last_at"],
            select(dated.c.user_id, dated.c.quarter_start, func.max(dated.c.at))
            .group_by(dated.c.user_id, dated.c.quarter_start))).rowcount
