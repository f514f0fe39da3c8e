"""`flask backup PATH`: a consistent online copy of the SQLite database taken with SQLite's
backup API while a writer keeps committing; PostgreSQL is pointed at pg_dump."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert

from ideaboard.extensions import db
from ideaboard.models import Idea, User
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.services.backup import BackupError, backup_sqlite, sqlite_file
from ideaboard.services.ideas import standing_campaign
from tests.conftest import FAST_HASH, POSTGRES_URL

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="the backup API is SQLite's")


def database_path(app) -> Path:
    return sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


def seed(ideas: int, users: int) -> tuple[list[int], list[int]]:
    """Enough rows that a backup takes a moment, and votes the writer can add."""
    now, campaign = utcnow(), standing_campaign().id
    user_ids = [row.id for row in db.session.execute(insert(User).returning(User.id), [
        {"email": f"voter{n}@example.com", "display_name": f"Voter {n}",
         "password_hash": FAST_HASH, "created_at": now, "level": "frontline",
         "role": "employee", "email_digest": False} for n in range(users)])]
    idea_ids = [row.id for row in db.session.execute(insert(Idea).returning(Idea.id), [
        {"public_id": random_public_id(), "campaign_id": campaign, "author_id": user_ids[0],
         "title": f"Idea {n}", "body": "x" * 2000, "body_html": "<p>" + "x" * 2000 + "</p>",
         "created_at": now, "updated_at": now} for n in range(ideas)])]
    db.session.commit()
    return idea_ids, user_ids


def committed_vote_ids(path: Path) -> set[int]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM vote")}


@sqlite_only
def test_backup_while_a_writer_commits_is_consistent_and_complete(app, tmp_path):
    idea_ids, user_ids = seed(ideas=3000, users=400)
    source = database_path(app)
    db.session.remove()
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        conn = sqlite3.connect(source, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        try:
            for n, (idea_id, user_id) in enumerate(
                    (i, u) for u in user_ids[1:] for i in idea_ids[:50]):
                if stop.is_set():
                    return
                conn.execute("BEGIN IMMEDIATE")
                cursor = conn.execute(
                    "INSERT INTO vote (idea_id, user_id, value, created_at, updated_at) "
                    "VALUES (?, ?, 1, ?, ?)", (idea_id, user_id, "2026-01-01", "2026-01-01"))
                conn.execute("UPDATE idea SET supporters = supporters + 1 WHERE id = ?",
                             (idea_id,))
                conn.execute("COMMIT")
                written.append(cursor.lastrowid)
                if n % 20 == 0:
                    time.sleep(0.001)
        except BaseException as error:
            errors.append(error)
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 200:  # the writer is well under way
        time.sleep(0.01)
    before_backup = set(written)

    report = backup_sqlite(source, tmp_path / "copy.sqlite3")

    during = len(written)
    stop.set()
    thread.join(timeout=60)
    assert not errors, errors
    assert report.integrity == "ok"
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        votes = conn.execute("SELECT count(*) FROM vote").fetchone()[0]
        supporters = conn.execute("SELECT sum(supporters) FROM idea").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM idea").fetchone()[0] == 3000
    assert before_backup <= committed_vote_ids(copy)
    assert votes == supporters  # one snapshot: every vote with its tally, never half of one
    assert len(before_backup) <= votes <= during + 1
    assert not list(tmp_path.glob("*.partial"))


@sqlite_only
def test_the_cli_backs_up_and_refuses_to_overwrite(app, runner, tmp_path):
    target = tmp_path / "nightly.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM site_settings").fetchone()[0] == 1

    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "--force" in again.output
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0


def test_postgresql_is_pointed_at_pg_dump(app, runner, tmp_path):
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_file("postgresql+psycopg://user@db.internal/ideaboard")
    if POSTGRES_URL:
        result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite3")])
        assert result.exit_code != 0
        assert "pg_dump" in result.output
        assert not (tmp_path / "x.sqlite3").exists()


def test_a_backup_never_overwrites_the_database_itself(tmp_path):
    database = tmp_path / "live.sqlite3"
    sqlite3.connect(database).close()
    with pytest.raises(BackupError):
        backup_sqlite(database, database, overwrite=True)
    with pytest.raises(BackupError):
        backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
