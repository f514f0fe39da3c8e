"""`run-scheduled` and `send-mail` on several hosts: one holder at a time (PostgreSQL
advisory lock), so each overdue notice is written once however many runners start."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard.database import single_runner
from ideaboard.extensions import db
from ideaboard.models import (
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
)
from ideaboard.models.base import utcnow
from ideaboard.services.notifications import notify_overdue
from tests.conftest import POSTGRES_URL

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="the advisory lock is "
                                    "PostgreSQL's; set TEST_DATABASE_URL to run this")


def overdue_queue(factory, count: int):
    """`count` escalated ideas, all past their due date, owned by one leader."""
    leader = factory.user("leader")
    past = utcnow() - timedelta(days=3)
    for _ in range(count):
        idea = factory.idea()
        db.session.add(Escalation(idea_id=idea.id, due_at=past, owner_id=leader.id,
                                  reason=EscalationReason.PULLED_BY_LEADER,
                                  note="", created_at=past - timedelta(days=14)))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(
            status=IdeaStatus.ESCALATED))
    db.session.commit()
    return leader


def overdue_notices() -> list[tuple[int, int]]:
    db.session.rollback()
    return list(db.session.execute(
        select(Notification.idea_id, func.count()).where(
            Notification.kind == NotificationKind.QUEUE_OVERDUE)
        .group_by(Notification.idea_id)).all())


def test_on_sqlite_every_caller_may_run(app):
    if POSTGRES_URL:
        pytest.skip("SQLite behaviour")
    with single_runner("run-scheduled") as first, single_runner("run-scheduled") as second:
        assert first and second


@needs_postgres
def test_a_runner_skips_while_another_host_holds_the_lock(app, factory, runner):
    overdue_queue(factory, 2)
    with single_runner("run-scheduled") as held:  # "another host"
        assert held
        skipped = runner.invoke(args=["run-scheduled"])
        assert "skipped: another host" in skipped.output
        assert overdue_notices() == []
        with single_runner("run-scheduled") as again:
            assert not again
        mail = runner.invoke(args=["send-mail"])
        assert "sent" in mail.output  # another job's lock does not stop the mail worker
        with single_runner("send-mail") as mail_lock:
            assert "skipped: another host" in runner.invoke(args=["send-mail"]).output
            assert mail_lock
    ran = runner.invoke(args=["run-scheduled"])
    assert "overdue notices: 2" in ran.output
    assert sorted(count for _idea, count in overdue_notices()) == [1, 1]


@needs_postgres
def test_two_runners_started_together_write_each_notice_once(app, factory, make_app):
    """Two hosts (two apps, each with its own connection pool) start `run-scheduled` at the
    same instant; without the lock both would read the same overdue items and notify twice."""
    ideas = 60
    overdue_queue(factory, ideas)
    hosts = [make_app(), make_app()]
    start = threading.Barrier(len(hosts))
    sent: list[int | None] = []

    # The jobs are called under the same lock as the command, not through CliRunner: it swaps
    # the process-wide sys.stdout, so two runners in threads lose each other's output.
    def run(host) -> None:
        with host.app_context():
            start.wait(timeout=30)
            with single_runner("run-scheduled") as mine:
                sent.append(notify_overdue() if mine else None)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # one run sends every overdue notice; the other either skipped (the lock was held) or
    # began after the first had finished and found nothing left to do
    assert sorted(sent, key=lambda n: -1 if n is None else n) in ([None, ideas], [0, ideas]), sent
    notices = overdue_notices()
    assert len(notices) == ideas
    assert {count for _idea, count in notices} == {1}
