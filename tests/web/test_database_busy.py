"""A locked or unreachable database answers 503 with Retry-After, after a bounded wait, and
loses nothing the user typed (issue 13).

SQLite: another process holds the file's write lock (BEGIN IMMEDIATE, then sleeps). Writes
answer 503, nothing is half-written, a read completes while a write waits, and once a write
has waited for a while the others fail at once instead of tying up more workers.
PostgreSQL: a wrong port, and a lock held past lock_timeout, answer 503 as well.
"""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import func, select, text

from ideaboard import create_app, database
from ideaboard.extensions import db
from ideaboard.models import Comment, Vote
from tests.conftest import POSTGRES_URL, base_config, sign_in
from tests.web.isolation import IsolatedClient

CLIENT_CLASS = IsolatedClient
sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="holds a SQLite file's lock")
postgres_only = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.fixture
def short_waits(monkeypatch, app):
    """The same rules with waits a test can afford: 1 s in the queue, 1 s on SQLite."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 1000)
    monkeypatch.setattr(database, "WAIT_SECONDS", 1.0)
    monkeypatch.setattr(database, "STALLED_AFTER_SECONDS", 0.3)
    monkeypatch.setattr(database, "RETRY_AFTER_SECONDS", 2)
    db.session.remove()
    db.engine.dispose()  # new connections take the shorter busy timeout


@contextmanager
def file_locked_by_another_process(seconds: float):
    path = db.engine.url.database
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path, str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def counts() -> tuple[int, int]:
    db.session.rollback()
    return (db.session.scalar(select(func.count()).select_from(Comment)),
            db.session.scalar(select(func.count()).select_from(Vote)))


@pytest.fixture
def world(app, factory, client):
    author, reader = factory.user("employee"), factory.user("employee")
    idea = factory.idea(author, title="Fewer status meetings")
    sign_in(client, reader)
    return idea


@sqlite_only
def test_a_locked_database_answers_503_and_keeps_what_was_typed(client, world, short_waits):
    typed = "Two thoughts:\n\n1. <b>agenda</b> the day before\n2. notes & owners"
    before = counts()
    with file_locked_by_another_process(10):
        started = time.monotonic()
        response = client.post_form(f"/ideas/{world.public_id}/comments",
                                    {"body": typed, "stance": "for"})
        waited = time.monotonic() - started
        vote = client.post_form(f"/ideas/{world.public_id}/vote", {"value": "support"},
                                headers={"Accept": "application/json"})

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert waited < 5, "the wait is bounded (here 1 s queue + 1 s busy timeout)"
    page = response.get_data(as_text=True)
    assert "Try again in a few seconds" in page
    form = re.search(r'<form method="post" action="([^"]+)" class="resend-form">(.*?)</form>',
                     page, re.S)
    assert form and form.group(1) == f"/ideas/{world.public_id}/comments"
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', form.group(2))
    assert unescape(re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>',
                              form.group(2), re.S).group(1)) == typed
    assert '<input type="hidden" name="stance" value="for">' in form.group(2)
    assert "<b>agenda</b>" not in page  # shown as text, never as markup

    assert vote.status_code == 503
    assert vote.is_json and vote.get_json()["retry_after"] >= 1
    assert "Retry-After" in vote.headers
    assert counts() == before, "nothing half-written"

    time.sleep(database.RETRY_AFTER_SECONDS)  # writers skip the queue for this long
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">',
                             form.group(2)))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.group(2))
    resent = client.post(form.group(1), data={**fields, "body": typed,
                                              "csrf_token": token.group(1)})
    assert resent.status_code == 302, "the re-send form posts what was typed, and it works"
    assert counts()[0] == before[0] + 1


@sqlite_only
def test_reads_go_on_and_a_stuck_writer_occupies_one_worker(app, world, make_client,
                                                          short_waits, factory, monkeypatch):
    # room for a slow, busy machine: the read below must finish while the writer still waits
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 8000)
    db.engine.dispose()
    writer, second, reader = make_client(), make_client(), make_client()
    for browser in (writer, second, reader):
        sign_in(browser, factory.user("employee"))
    waiting: dict[str, object] = {}

    def write():
        started = time.monotonic()
        waiting["status"] = writer.post_form(f"/ideas/{world.public_id}/comments",
                                             {"body": "First in line", "stance": "for"},
                                             headers={"Accept": "application/json"}
                                             ).status_code
        waiting["seconds"] = time.monotonic() - started

    with file_locked_by_another_process(15):
        first = threading.Thread(target=write)
        first.start()
        time.sleep(0.5)  # the first writer holds the queue and waits on SQLite
        started = time.monotonic()
        page = reader.get(f"/ideas/{world.public_id}")
        read_seconds = time.monotonic() - started
        assert first.is_alive(), "the read completed while the write was still waiting"
        started = time.monotonic()
        refused = second.post_form(f"/ideas/{world.public_id}/vote", {"value": "support"},
                                   headers={"Accept": "application/json"})
        refused_seconds = time.monotonic() - started
        first.join()

    assert page.status_code == 200 and read_seconds < 3
    assert refused.status_code == 503 and refused_seconds < 1.5, (
        "a writer arriving behind a stuck one fails at once: it does not occupy a worker")
    assert waiting["status"] == 503 and waiting["seconds"] < 12  # refused before the lock ends


@sqlite_only
def test_writers_queue_in_turn_and_all_get_through(app, factory):
    """Sixteen threads of one process write through the queue: no 'database is locked'."""
    from ideaboard.models import Stance
    from ideaboard.queries.ideas import idea_by_public_id
    from ideaboard.services.comments import add_comment

    idea = factory.idea(factory.user("employee"))
    people = [factory.user("employee") for _ in range(16)]
    errors = []

    def comment(person):
        with app.app_context():
            try:
                add_comment(person, idea_by_public_id(idea.public_id), body="In turn",
                            stance=Stance.NEUTRAL)
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=comment, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts()[0] == 16


def test_an_unreachable_database_answers_503():
    app = create_app(base_config("postgresql://postgres@127.0.0.1:1/nowhere"))
    client = app.test_client()
    for path, headers in (("/", {}), ("/ideas", {}), ("/ideas", {"Accept": "application/json"})):
        response = client.get(path, headers=headers)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"]
    assert "Try again in a few seconds" in client.get("/").get_data(as_text=True)


@postgres_only
def test_a_postgres_lock_timeout_answers_503(make_app, factory, app):
    author, voter = factory.user("employee"), factory.user("employee")
    idea = factory.idea(author)
    quick = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {
        "options": "-c lock_timeout=300"}})
    quick.test_client_class = IsolatedClient
    client = quick.test_client()
    sign_in(client, voter)
    token = client.csrf_token()
    with db.engine.connect() as holder:  # another transaction holds the idea's row
        holder.execute(text("SELECT id FROM idea WHERE id = :id FOR UPDATE"), {"id": idea.id})
        started = time.monotonic()
        page = client.get(f"/ideas/{idea.public_id}")  # reads do not wait for row locks
        response = client.post(f"/ideas/{idea.public_id}/vote",
                               data={"value": "support", "csrf_token": token},
                               headers={"Accept": "application/json"})
        waited = time.monotonic() - started
        holder.rollback()
    assert page.status_code == 200
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert waited < 3
    assert counts()[1] == 0


@postgres_only
def test_statement_timeout_is_set_from_the_configuration(make_app):
    quick = make_app(DATABASE_STATEMENT_TIMEOUT=2.5)
    with quick.app_context():
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "2500ms"
        assert db.session.execute(text("SHOW lock_timeout")).scalar() == "5s"
