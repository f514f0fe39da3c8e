"""Connection set-up, the one way to open a write transaction, and what "the database is
unavailable" means.

SQLite: every connection gets WAL, foreign keys and a busy timeout; pysqlite's own
transaction handling is switched off so that we emit BEGIN ourselves, and a write
transaction begins IMMEDIATE. A deferred transaction that reads and then writes can
fail with "database is locked" whatever the busy timeout, because SQLite cannot
upgrade its read snapshot once another writer committed.

Writers of every process on the host queue for SQLite's one write lock on a lock file
beside the database (`WriterQueue`), so they are woken by the kernel when it is free instead
of polling with SQLite's growing sleeps. Every wait is bounded (WAIT_SECONDS in the queue,
then BUSY_TIMEOUT_MS for SQLite itself, both well under gunicorn's 30 s timeout); past it
the request fails with DatabaseBusy, which the web layer answers with 503 and Retry-After.
When the lock has been held for STALLED_AFTER_SECONDS, or a write has just timed out,
other writers do not queue at all: they fail at once, so a stuck database ties up the one
worker that waits at the head of the queue, never every worker.
"""
from __future__ import annotations

import fcntl
import os
import queue
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from ideaboard.extensions import db

BUSY_TIMEOUT_MS = 5_000  # SQLite: the writer at the head of the queue waits this long
WAIT_SECONDS = 5.0  # the longest a writer waits in the queue for its turn
STALLED_AFTER_SECONDS = 2.0  # a write lock held longer than this means the database is stuck
RETRY_AFTER_SECONDS = 5  # what a 503 tells the client, and how long writers then skip the queue
POSTGRES_LOCK_TIMEOUT_MS = 5_000  # PostgreSQL's own lock waits (row locks, DDL)
POSTGRES_CONNECT_TIMEOUT_S = 5
IMMEDIATE_OPTION = "ideaboard_begin_immediate"

# PostgreSQL SQLSTATEs that mean "try again shortly": lock_timeout, statement_timeout,
# deadlock, serialization failure, shutting down, too many connections.
_POSTGRES_RETRYABLE = {"55P03", "57014", "40P01", "40001", "57P01", "57P02", "57P03", "53300"}


class DatabaseBusy(Exception):
    """The database could not be reached or locked in time; nothing was written. The web
    layer answers 503 with Retry-After (`retry_after`, seconds)."""

    def __init__(self, reason: str, retry_after: int = RETRY_AFTER_SECONDS):
        super().__init__(reason)
        self.retry_after = retry_after


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says "locked, timed out or unreachable", not "wrong SQL": the
    request may well succeed a few seconds later."""
    if isinstance(error, DatabaseBusy | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        message = str(original).lower()
        return "locked" in message or "busy" in message or "unable to open" in message
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _POSTGRES_RETRYABLE or sqlstate.startswith("08")
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all
    return isinstance(error, OperationalError)


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


def postgres_connect_args(statement_timeout_s: float | None) -> dict:
    """Bounded waits on PostgreSQL: connecting, lock waits, and (for web workers) any
    statement, so that a request fails with a 503 before gunicorn kills its worker."""
    options = f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS}"
    if statement_timeout_s:
        options += f" -c statement_timeout={int(statement_timeout_s * 1000)}"
    return {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, "options": options}


# --- the writer queue ------------------------------------------------------------------------

_STATE = struct.Struct("<dd")  # in the lock file: held since, skip the queue until (epoch s)


@dataclass
class _Ticket:
    fd: int  # its own open file description: the helper's unlock can touch no other turn
    event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    granted: bool = False
    abandoned: bool = False


class WriterQueue:
    """One exclusive flock(2) per database file, shared by every process and thread.

    Threads of one process first take a threading lock (with a deadline), then the process
    takes the file lock through a descriptor opened for this turn. flock(2) cannot time out,
    so a helper thread makes the blocking call and the writer waits on an event with a
    deadline; a turn granted after its writer gave up is closed at once. The kernel releases
    the lock of a process that dies.
    """

    def __init__(self, lock_path: str):
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._setup = threading.Lock()
        self._pid: int | None = None
        self._fd = -1
        self._tickets: queue.SimpleQueue[_Ticket] = queue.SimpleQueue()

    def _ensure_open(self) -> None:
        """Open the lock file and start the helper once per process (again after a fork)."""
        with self._setup:
            if self._pid == os.getpid():
                return
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._tickets = queue.SimpleQueue()
            threading.Thread(target=self._grant_turns, args=(self._tickets,),
                             name="ideaboard-writer-queue", daemon=True).start()
            self._pid = os.getpid()

    @staticmethod
    def _grant_turns(tickets: queue.SimpleQueue) -> None:
        while True:
            ticket = tickets.get()
            fcntl.flock(ticket.fd, fcntl.LOCK_EX)
            with ticket.lock:
                if ticket.abandoned:
                    os.close(ticket.fd)  # releases the lock its writer no longer wants
                    continue
                ticket.granted = True
            ticket.event.set()

    def _state(self) -> tuple[float, float]:
        raw = os.pread(self._fd, _STATE.size, 0)
        return _STATE.unpack(raw) if len(raw) == _STATE.size else (0.0, 0.0)

    def _write_state(self, held_since: float, skip_until: float | None = None) -> None:
        if skip_until is None:
            skip_until = self._state()[1]
        os.pwrite(self._fd, _STATE.pack(held_since, skip_until), 0)

    def report_stuck(self) -> None:
        """A write timed out on the database itself: for a while, writers fail at once."""
        self._ensure_open()
        self._write_state(self._state()[0], time.time() + RETRY_AFTER_SECONDS)

    def _wait_for_file_lock(self, deadline: float) -> int:
        """A descriptor holding the lock, opened for this turn; DatabaseBusy otherwise."""
        fd = os.open(self.lock_path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd  # free: no queue
        except BlockingIOError:
            pass
        try:
            self._refuse_if_stuck()
        except BaseException:
            os.close(fd)
            raise
        ticket = _Ticket(fd)
        self._tickets.put(ticket)  # from here on the helper owns fd until it is granted
        ticket.event.wait(max(0.0, deadline - time.monotonic()))
        with ticket.lock:
            if not ticket.granted:
                ticket.abandoned = True
                raise DatabaseBusy("no turn to write within the time limit")
        return fd

    def _refuse_if_stuck(self, holding: bool = False) -> None:
        """Do not queue behind a holder that has been stuck for a while, nor write right
        after a write timed out: a worker waiting there would serve nobody."""
        held_since, skip_until = self._state()
        now = time.time()
        if now < skip_until:
            raise DatabaseBusy("the database timed out a moment ago",
                               max(1, round(skip_until - now)))
        if not holding and held_since and now - held_since > STALLED_AFTER_SECONDS:
            raise DatabaseBusy(f"the write lock has been held for {now - held_since:.0f} s")

    @contextmanager
    def turn(self, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold the host-wide write lock for the body; DatabaseBusy if no turn in time."""
        wait_seconds = WAIT_SECONDS if wait_seconds is None else wait_seconds
        self._ensure_open()
        deadline = time.monotonic() + wait_seconds
        if not self._threads.acquire(timeout=wait_seconds):
            raise DatabaseBusy("no turn to write within the time limit")
        try:
            fd = self._wait_for_file_lock(deadline)
            try:
                self._write_state(time.time())
                self._refuse_if_stuck(holding=True)  # it timed out while we queued
                yield
            finally:
                self._write_state(0.0)
                os.close(fd)  # releases the lock
        finally:
            self._threads.release()


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue_for(engine: Engine) -> WriterQueue | None:
    """The queue of a SQLite file database; None for PostgreSQL and in-memory SQLite."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    lock_path = os.path.abspath(path) + ".write-lock"
    with _queues_lock:
        if lock_path not in _queues:
            _queues[lock_path] = WriterQueue(lock_path)
        return _queues[lock_path]


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a use case as one write transaction that commits on success.

    Any read transaction the request already holds is closed first (with
    expire_on_commit off, loaded objects stay usable) so the write starts from a
    fresh snapshot that holds the write lock from its first statement. On SQLite the
    writer first waits its turn in the host-wide queue. DatabaseBusy when the database
    could not be locked in time; nothing is written then.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    writers = (writer_queue_for(db.engine)
               if current_app.config.get("SQLITE_WRITER_QUEUE", True) else None)
    with writers.turn() if writers else _no_queue():
        try:
            with session.begin():
                session.connection(execution_options={IMMEDIATE_OPTION: True})
                yield session
        except OperationalError as error:
            if writers and is_database_unavailable(error):
                writers.report_stuck()
                raise DatabaseBusy("the database stayed locked") from error
            raise


@contextmanager
def _no_queue() -> Iterator[None]:
    yield
