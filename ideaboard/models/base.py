"""Shared column helpers."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every timestamp is stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def same_as_created(context) -> datetime:
    """Column default for `public_at`: the row's own created_at (a named post's public time),
    so Core inserts that set only created_at (imports, the benchmark's generator) stay right."""
    return context.get_current_parameters().get("created_at") or utcnow()


def random_public_id() -> str:
    """Unguessable id for URLs, so that ids reveal nothing about order or author."""
    return secrets.token_urlsafe(9)
