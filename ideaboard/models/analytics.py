"""Rollups behind the voice-equity analytics."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ideaboard.extensions import db


class Participation(db.Model):
    """Who took part (voted, posted, commented, critiqued, challenged or co-signed) in which
    calendar quarter (UTC). Rebuilt from those rows by services.analytics, hourly and for
    the quarters that can still change, so the analytics page never scans every vote."""
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    quarter_start: Mapped[datetime] = mapped_column(primary_key=True)
    last_at: Mapped[datetime]  # the latest activity counted, shown as "activity up to"

    __table_args__ = (Index("ix_participation_quarter", "quarter_start"),)
