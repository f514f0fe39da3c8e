"""E-mail through a real SMTP server on loopback (aiosmtpd): delivery, retry, no double sends."""
import email
import email.policy
import re
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import OutboxMessage, Role
from ideaboard.models.base import utcnow
from ideaboard.services.mail import backoff, send_pending
from ideaboard.services.review import pull_into_queue
from tests.conftest import Factory


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        with self.lock:
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield recorder, controller.port
    controller.stop()


@pytest.fixture
def app(make_app, smtp):
    """In this module the app sends mail to the test's SMTP server."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp[1])
    with app.app_context():
        yield app


def escalate_with_audience(factory, author_locale=None):
    author = factory.user(locale=author_locale, email="author@example.com")
    idea = factory.idea(author, title="Shorter release checklists")
    pull_into_queue(factory.user(Role.LEADER, email="boss@example.com"), idea, "Worth it")
    return idea


def test_messages_arrive_in_the_recipients_language(app, factory, smtp):
    recorder, _port = smtp
    escalate_with_audience(factory, author_locale="zh")
    report = send_pending()
    assert report.sent == 1 and report.failed == 0  # the author; the puller is not told
    (recipients, content), = recorder.messages
    assert recipients == ["author@example.com"]
    message = email.message_from_string(content, policy=email.policy.default)
    assert "Shorter release checklists" in message.get_content()
    subject = str(message["Subject"])
    assert "Shorter release checklists" in subject
    assert re.search(r"[\u4e00-\u9fff]", subject), subject  # written in Chinese
    assert db.session.scalar(select(OutboxMessage.sent_at)) is not None


def test_one_batch_speaks_each_readers_language(app, factory, smtp):
    """The catalog is cached per context: switching readers must switch it too."""
    recorder, _port = smtp
    leader = factory.user(Role.LEADER, email="boss@example.com")
    for n, locale in enumerate(["zh", "en", "zh", "en"]):
        author = factory.user(locale=locale, email=f"{locale}{n}@example.com")
        pull_into_queue(leader, factory.idea(author, title=f"Idea {n}"), "Worth it")
    assert send_pending().sent == 4
    for recipients, content in recorder.messages:
        subject = str(email.message_from_string(content, policy=email.policy.default)["Subject"])
        chinese = bool(re.search(r"[\u4e00-\u9fff]", subject))
        assert chinese == recipients[0].startswith("zh"), (recipients, subject)


def test_a_refusing_server_is_retried_with_back_off_and_nothing_is_lost(app, factory, smtp):
    recorder, _port = smtp
    escalate_with_audience(factory)
    recorder.refuse = True
    assert send_pending().failed == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.attempts == 1 and message.sent_at is None and "451" in message.last_error
    assert message.send_after > utcnow() + timedelta(seconds=30)
    assert send_pending().sent == 0  # not due yet
    recorder.refuse = False
    db.session.execute(update(OutboxMessage).values(send_after=utcnow()))
    db.session.commit()
    assert send_pending().sent == 1
    assert len(recorder.messages) == 1
    assert backoff(1) < backoff(3) <= timedelta(hours=6)


def test_two_workers_at_once_never_send_a_message_twice(app, factory, smtp):
    recorder, _port = smtp
    for n in range(8):
        author = factory.user(email=f"author{n}@example.com")
        pull_into_queue(factory.user(Role.LEADER), factory.idea(author), "Worth it")
    total = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    db.session.commit()  # end this read snapshot: the workers write in their own sessions
    barrier = threading.Barrier(2)
    errors, reports = [], []

    def worker(name):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                while (report := send_pending(limit=3, worker=name)).sent or report.failed:
                    reports.append((name, report))
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not [r for _name, r in reports if r.failed], reports
    sent_ids = [int(re.search(r"Message-ID: <outbox-(\d+)@", content).group(1))
                for _rcpts, content in recorder.messages]
    assert len(sent_ids) == total > 8
    assert sorted(sent_ids) == sorted(set(sent_ids))  # each outbox row delivered exactly once
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None))) == 0


def test_no_outbox_without_a_mail_server(make_app):
    plain = make_app()
    with plain.app_context():
        escalate_with_audience(Factory(plain))
        assert db.session.scalar(select(OutboxMessage)) is None
