"""Is the database there, and is its schema at the migrations' head?"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ideaboard.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@dataclass(frozen=True)
class Readiness:
    database: str  # "ok" or "unreachable"
    migrations: str  # "ok", "behind" (run `flask db upgrade`) or "unknown"

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.migrations == "ok"


@cache
def head_revisions() -> frozenset[str]:
    """The heads of the migration scripts this code ships (read once per process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def database_readiness() -> Readiness:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            try:
                current = {row[0] for row in conn.execute(
                    text("SELECT version_num FROM alembic_version"))}
            except SQLAlchemyError:  # never migrated
                current = set()
    except SQLAlchemyError:
        return Readiness("unreachable", "unknown")
    return Readiness("ok", "ok" if current == head_revisions() else "behind")
