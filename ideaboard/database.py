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
import hashlib
import os
import queue
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import event, text
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

# The queue's shared state, in the lock file: when the current turn began, until when writers
# skip the queue (epoch seconds), and the next ticket. Each field is written on its own.
_HELD_SINCE, _SKIP_UNTIL, _NEXT_TICKET = (struct.Struct("<d"), 0), (struct.Struct("<d"), 8), \
    (struct.Struct("<q"), 16)


_DONE = b"done"  # written into a ticket's file when its writer's turn is over


@dataclass
class _Turn:
    own_fd: int  # our ticket's lock file, held from the ticket on: our successor waits on it
    previous_ticket: int  # the writer ahead of us, whose file we wait on
    previous_fd: int | None
    event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    granted: bool = False
    abandoned: bool = False


class WriterQueue:
    """A strict first-come, first-served queue for the write lock, shared by every process
    and thread on the host, with no polling.

    A writer takes the next ticket (a counter in the lock file, under a short flock of it)
    and locks a file of its own for that ticket, then waits with a blocking flock(2) on its
    predecessor's file: the kernel wakes exactly that one writer when the predecessor closes
    it, whatever the load (SQLite's busy handler polls with sleeps growing to 100 ms, and a
    plain shared flock lets the releasing process take the lock straight back). A writer
    writes "done" into its file when its turn is over; a file released without it belonged
    to a process that ended while it queued, so its successor waits for the writer before.

    flock(2) cannot time out: a helper thread per process makes the blocking call and the
    writer waits on an event with a deadline. A writer that gives up keeps its place until
    the writers ahead are done (its successor must not overtake them), then the helper passes
    the turn on at once. Threads of one process take tickets one at a time. SQLite's own lock
    stays the guarantee underneath: the queue only decides who asks it first.
    """

    def __init__(self, lock_path: str):
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._setup = threading.Lock()
        self._pid: int | None = None
        self._fd = -1
        self._turns: queue.SimpleQueue[_Turn] = queue.SimpleQueue()

    def _ensure_open(self) -> None:
        """Open the lock file and start the helper once per process (again after a fork)."""
        with self._setup:
            if self._pid == os.getpid():
                return
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._turns = queue.SimpleQueue()
            threading.Thread(target=self._wait_for_predecessors, args=(self._turns,),
                             name="ideaboard-writer-queue", daemon=True).start()
            self._pid = os.getpid()

    def _ticket_path(self, ticket: int) -> str:
        return f"{self.lock_path}.{ticket}"

    def _open_ticket(self, ticket: int) -> int | None:
        try:
            return os.open(self._ticket_path(ticket), os.O_RDWR)
        except FileNotFoundError:
            return None  # its successor already removed it: that writer is long done

    def _await_writers_ahead(self, turn: _Turn, blocking: bool) -> None:
        """Return once every writer ahead is done; BlockingIOError when not `blocking` and
        one is still writing (the turn then records how far it got)."""
        while turn.previous_fd is not None:
            fcntl.flock(turn.previous_fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            finished = os.pread(turn.previous_fd, len(_DONE), 0) == _DONE
            with suppress(OSError):
                os.unlink(self._ticket_path(turn.previous_ticket))  # we are its only waiter
            os.close(turn.previous_fd)
            turn.previous_fd = None
            if not finished:  # it left the queue without its turn: wait for the one before
                turn.previous_ticket -= 1
                turn.previous_fd = self._open_ticket(turn.previous_ticket)

    @staticmethod
    def _pass_on(own_fd: int) -> None:
        os.pwrite(own_fd, _DONE, 0)
        os.close(own_fd)  # wakes our successor

    def _wait_for_predecessors(self, turns: queue.SimpleQueue) -> None:
        while True:
            turn = turns.get()
            self._await_writers_ahead(turn, blocking=True)
            with turn.lock:
                if turn.abandoned:
                    self._pass_on(turn.own_fd)  # its writer is gone: the next one goes
                    continue
                turn.granted = True
            turn.event.set()

    def _read(self, item) -> float | int:
        layout, offset = item
        raw = os.pread(self._fd, layout.size, offset)
        return layout.unpack(raw)[0] if len(raw) == layout.size else 0

    def _write(self, item, value: float | int) -> None:
        layout, offset = item
        os.pwrite(self._fd, layout.pack(value), offset)

    def report_stuck(self) -> None:
        """A write timed out on the database itself: for a while, writers fail at once."""
        self._ensure_open()
        self._write(_SKIP_UNTIL, time.time() + RETRY_AFTER_SECONDS)

    def _refuse_if_stuck(self, holding: bool = False) -> None:
        """Do not queue behind a turn that has lasted too long, nor write right after a
        write timed out: a worker waiting there would serve nobody."""
        held_since, skip_until = self._read(_HELD_SINCE), self._read(_SKIP_UNTIL)
        now = time.time()
        if now < skip_until:
            raise DatabaseBusy("the database timed out a moment ago",
                               max(1, round(skip_until - now)))
        if not holding and held_since and now - held_since > STALLED_AFTER_SECONDS:
            raise DatabaseBusy(f"the write lock has been held for {now - held_since:.0f} s")

    def _take_ticket(self) -> _Turn:
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # held for a few system calls only
        try:
            ticket = int(self._read(_NEXT_TICKET))
            self._write(_NEXT_TICKET, ticket + 1)
            own_fd = os.open(self._ticket_path(ticket), os.O_RDWR | os.O_CREAT | os.O_TRUNC,
                             0o600)
            fcntl.flock(own_fd, fcntl.LOCK_EX)  # a new file: free
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return _Turn(own_fd, ticket - 1, self._open_ticket(ticket - 1))

    def _wait_for_turn(self, deadline: float) -> int:
        """The descriptor whose closing passes the turn on; DatabaseBusy otherwise."""
        self._refuse_if_stuck()
        turn = self._take_ticket()
        try:
            self._await_writers_ahead(turn, blocking=False)
            return turn.own_fd  # nobody ahead: no queue
        except BlockingIOError:
            pass
        self._turns.put(turn)  # from here on the helper owns the turn until it is granted
        turn.event.wait(max(0.0, deadline - time.monotonic()))
        with turn.lock:
            if not turn.granted:
                turn.abandoned = True
                raise DatabaseBusy("no turn to write within the time limit")
        return turn.own_fd

    @contextmanager
    def turn(self, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold the host-wide write turn for the body; DatabaseBusy if no turn in time."""
        wait_seconds = WAIT_SECONDS if wait_seconds is None else wait_seconds
        self._ensure_open()
        deadline = time.monotonic() + wait_seconds
        if not self._threads.acquire(timeout=wait_seconds):
            raise DatabaseBusy("no turn to write within the time limit")
        try:
            own_fd = self._wait_for_turn(deadline)
            try:
                self._write(_HELD_SINCE, time.time())
                self._refuse_if_stuck(holding=True)  # it timed out while we queued
                yield
            finally:
                self._write(_HELD_SINCE, 0.0)
                self._pass_on(own_fd)
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
