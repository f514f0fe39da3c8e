"""Connection set-up and the one way to open a write transaction.

SQLite: every connection gets WAL, foreign keys and a busy timeout; pysqlite's own
transaction handling is switched off so that we emit BEGIN ourselves, and a write
transaction begins IMMEDIATE. A deferred transaction that reads and then writes can
fail with "database is locked" whatever the busy timeout, because SQLite cannot
upgrade its read snapshot once another writer committed.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from ideaboard.extensions import db

BUSY_TIMEOUT_MS = 10_000
IMMEDIATE_OPTION = "ideaboard_begin_immediate"


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(IMMEDIATE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a use case as one write transaction that commits on success.

    Any read transaction the request already holds is closed first (with
    expire_on_commit off, loaded objects stay usable) so the write starts from a
    fresh snapshot that holds the write lock from its first statement.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    with session.begin():
        session.connection(execution_options={IMMEDIATE_OPTION: True})
        yield session


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, from the job's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def single_runner(name: str) -> Iterator[bool]:
    """Yields True when this process may run the job `name`, False when another holds it.

    PostgreSQL: a session-level advisory lock on a connection of its own, so one host at a
    time runs the job whatever transactions it makes meanwhile; released at the end.
    SQLite is one file on one host, and its write transactions (BEGIN IMMEDIATE) already
    serialise the job's steps, so every caller may run.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = _lock_key(name)
    with db.engine.connect() as conn:
        acquired = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
