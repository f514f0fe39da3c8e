"""Rollups behind the voice-equity analytics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ideaboard.extensions import db


class Participation(db.Model):
    """Who reached which stage of the analytics funnel in which calendar quarter (UTC): took
    part (voted, posted, commented, critiqued, challenged or co-signed), posted an idea, saw
    it reach leadership, and so on — one row per person, quarter and stage; "anonymous:…"
    stages count people who posted anonymously, company-wide only. Rebuilt by
    services.analytics, so the analytics page never scans every vote or idea."""
    # the key's order serves "had this person taken part before this quarter?"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    quarter_start: Mapped[datetime] = mapped_column(primary_key=True)
    last_at: Mapped[datetime]  # the latest activity counted


class ParticipationTotal(db.Model):
    """The rollup added up by department × level (as they were when it was counted), with
    the headcount ("employees", no quarter), repeat participants and, without a group, the
    people who posted anonymously: all the analytics page reads, a few thousand rows."""
    __tablename__ = "participation_total"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None]
    level: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(40))
    quarter_start: Mapped[datetime | None]
    people: Mapped[int]
    counted_at: Mapped[datetime]
