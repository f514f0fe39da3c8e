"""Keeping the analytics rollup current: who reached which funnel stage in which quarter.

"Took part" is rebuilt, in one transaction, for every quarter from the one holding the latest
activity already counted (less a day, for late writers) to now — exact for those quarters
however often it runs, without reading every vote each hour; `full=True` (or an empty
rollup) rebuilds all history. Every other stage follows ideas that move on (escalated,
answered, delivered), so it is rebuilt for the whole window each time. Then the totals by
department × level the page reads are counted again, with today's headcount, so the page shows
one consistent moment. `flask run-scheduled` runs this hourly; `flask refresh-analytics
--full` on demand.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, select, union_all

from ideaboard.database import write_transaction
from ideaboard.models import Participation, ParticipationTotal
from ideaboard.models.base import utcnow
from ideaboard.queries.analytics import (
    ANONYMOUS,
    FUNNEL_STAGES,
    QUARTERS_SHOWN,
    TOOK_PART,
    Periods,
    participation_events,
    totals_by_group,
)
from ideaboard.queries.periods import Quarter, last_quarters

LATE_WRITES = timedelta(days=1)
COLUMNS = ["user_id", "quarter_start", "stage", "last_at"]


def refresh_participation(now: datetime | None = None, full: bool = False) -> int:
    """Rebuild what can have changed; returns the rows written."""
    now = now or utcnow()
    written = 0
    with write_transaction() as session:
        stages = {stage.key: stage for stage in FUNNEL_STAGES if not stage.is_headcount}
        watermark = None if full else session.scalar(
            select(func.max(Participation.last_at)).where(Participation.stage == TOOK_PART))
        if watermark is None:
            events = union_all(*participation_events()).subquery("events")
            earliest = session.scalar(select(func.min(events.c.at)))
            session.execute(delete(Participation))
            first = Quarter.of(earliest) if earliest else None
        else:
            first = Quarter.of(min(watermark, now) - LATE_WRITES)
            session.execute(delete(Participation).where(
                Participation.stage == TOOK_PART, Participation.quarter_start >= first.start))
        if first is not None:
            written += _write(session, stages[TOOK_PART].selector(_span(first, now)), TOOK_PART)
        window = Periods(last_quarters(now, QUARTERS_SHOWN))
        session.execute(delete(Participation).where(Participation.stage != TOOK_PART))
        for key, stage in stages.items():
            if key == TOOK_PART:
                continue
            written += _write(session, stage.selector(window), key)
            if stage.idea_condition is not None:
                written += _write(session, stage.selector(window, anonymous=True),
                                  ANONYMOUS + key)
        session.execute(delete(ParticipationTotal))
        session.execute(insert(ParticipationTotal).from_select(
            ["department_id", "level", "stage", "quarter_start", "people", "counted_at"],
            totals_by_group(window, now)))
    return written


def _span(first: Quarter, now: datetime) -> Periods:
    quarters = [first]
    while quarters[-1] != Quarter.of(now) and quarters[-1].start < now:
        quarters.append(quarters[-1].following())
    return Periods(quarters)


def _write(session, rows, stage: str) -> int:
    rows = rows.subquery("rows")
    return session.execute(insert(Participation).from_select(
        COLUMNS, select(rows.c.user_id, rows.c.quarter_start, literal(stage), rows.c.last_at)
        .where(rows.c.quarter_start.is_not(None)))).rowcount
