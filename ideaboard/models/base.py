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


# The integers every integer column can hold on both databases: PostgreSQL's INTEGER is
# 32-bit (SQLite's is 64-bit). Every integer from a URL or a cursor is checked against this
# range before it reaches a query: outside it SQLite raises OverflowError (from 2^63) and
# PostgreSQL "integer out of range" (from 2^31), rather than finding nothing.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1


def fits_database_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) \
        and DB_INT_MIN <= value <= DB_INT_MAX
