"""Shared column helpers."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every timestamp is stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def random_public_id() -> str:
    """Unguessable id for URLs, so that ids reveal nothing about order or author."""
    return secrets.token_urlsafe(9)
