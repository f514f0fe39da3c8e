"""Online backup of the SQLite database with SQLite's own backup API.

A plain file copy of a live WAL database can miss committed pages still in the -wal file
or catch a page half-written. `sqlite3.Connection.backup` copies every page in one step
inside a read transaction, so the copy is the database exactly as it was when the step
began, while the app keeps reading and writing (WAL readers do not block writers).
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

BUSY_TIMEOUT_SECONDS = 30


class BackupError(Exception):
    """The backup could not be made; str(error) tells the operator what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    pages: int
    size_bytes: int
    integrity: str


def sqlite_file(database_uri: str) -> Path:
    """The database file behind a SQLite URI; BackupError for anything else."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"This is a {url.get_backend_name()} database: back it up with pg_dump, e.g. "
            "pg_dump --format=custom --file=ideaboard.dump \"$DATABASE_URL\" "
            "(restore with pg_restore --clean --dbname=\"$DATABASE_URL\" ideaboard.dump).")
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy `source` to `target` consistently, check the copy, then move it into place."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    if target.resolve() == source.resolve():
        raise BackupError("The backup must go to another file than the database itself.")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already: choose a new name or pass --force.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # pages=-1: every page in one step, one consistent snapshot
        dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        integrity = dst.execute("PRAGMA integrity_check").fetchone()[0]
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {integrity}")
    os.replace(partial, target)
    return BackupReport(target, pages, target.stat().st_size, integrity)
