"""Outgoing webhooks against real HTTP receivers that the tests start on loopback: the
signature verifies, a 500 is retried with back-off, a hanging receiver times out, a slow-drip
one is cut off at the total deadline, two workers deliver each event exactly once, chat tools
get their own documented payloads (with their signing), and only public events of public
campaigns leave the platform."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.integrations.signing import (
    SIGNATURE_HEADER,
    dingtalk_sign,
    feishu_sign,
    verify_generic_signature,
)
from ideaboard.integrations.webhooks import MAX_ATTEMPTS, send_pending
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignKind,
    EventKind,
    FlagReason,
    IdeaStatus,
    Role,
    WebhookDelivery,
    WebhookEvent,
    WebhookFormat,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.ideas import post_idea
from ideaboard.services.moderation import ModerationAction, moderate
from ideaboard.services.review import pull_into_queue
from ideaboard.services.webhooks import EndpointSettings, resend_delivery, save_endpoint

SECRET = "a-shared-secret-of-some-length"


@dataclass
class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records what it gets and answers from a script."""
    answers: list[tuple[int, bytes]] = field(default_factory=list)  # consumed in order
    default: tuple[int, bytes] = (200, b"ok")
    hang: threading.Event | None = None  # set: answer at once; unset: wait (a hung receiver)
    drip: float | None = None  # seconds between the answer's bytes (a slow-drip receiver)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cut_off: bool = False  # a dripping answer was cut off by the sender

    def start(self) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body})
                    status, answer = (receiver.answers.pop(0) if receiver.answers
                                      else receiver.default)
                if receiver.hang is not None:
                    receiver.hang.wait(10)
                if receiver.drip is not None:
                    return self.trickle(status, answer)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def trickle(self, status: int, answer: bytes) -> None:
                """The whole answer, status line first, one byte at a time."""
                whole = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(answer)}\r\n\r\n").encode() + answer
                for byte in whole:
                    try:
                        self.wfile.write(bytes([byte]))
                    except OSError:  # the sender gave up on us
                        receiver.cut_off = True
                        return
                    time.sleep(receiver.drip)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def stop(self) -> None:
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()

    def json_bodies(self) -> list[dict]:
        return [json.loads(item["body"]) for item in self.requests]


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(**options) -> tuple[Receiver, str]:
        receiver = Receiver(**options)
        url = receiver.start()
        started.append(receiver)
        return receiver, url

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN, name="Hook Admin")


def endpoint(admin, url: str, fmt: WebhookFormat = WebhookFormat.GENERIC, *,
             events=(EventKind.IDEA_POSTED,), secret: str = SECRET, locale: str = "en"):
    return save_endpoint(admin, None, EndpointSettings(
        name=f"{fmt.value} receiver", url=url, format=fmt, events=list(events), locale=locale,
        secret=secret))


def deliveries() -> list[WebhookDelivery]:
    db.session.commit()  # a fresh snapshot: the worker wrote in its own transactions
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def make_due() -> None:
    """Time passes: every waiting delivery is due now."""
    db.session.execute(update(WebhookDelivery).values(send_after=utcnow() - timedelta(
        seconds=1)))
    db.session.commit()


def test_generic_json_is_signed_and_the_signature_verifies(app, factory, admin, receivers):
    receiver, url = receivers()
    endpoint(admin, url)
    idea = factory.idea(title="Signed and sealed")

    report = send_pending()

    assert (report.sent, report.failed) == (1, 0)
    [got] = receiver.requests
    header = got["headers"][SIGNATURE_HEADER]
    assert verify_generic_signature(SECRET, got["body"], header)
    assert not verify_generic_signature(SECRET, got["body"] + b" ", header)  # tampered
    assert not verify_generic_signature("another-secret-entirely", got["body"], header)
    assert not verify_generic_signature(SECRET, got["body"], header,
                                        now=time.time() + 301)  # replayed too late
    body = json.loads(got["body"])
    assert body["type"] == "idea.posted" and body["id"].startswith("evt_")
    assert body["data"]["idea"]["title"] == "Signed and sealed"
    assert body["data"]["idea"]["url"].endswith(f"/ideas/{idea.public_id}")
    assert got["headers"]["X-Ideaboard-Event"] == "idea.posted"
    assert deliveries()[0].state == "sent"
    assert send_pending().sent == 0  # never sent twice


def test_a_500_is_retried_with_back_off_and_then_delivered(app, factory, admin, receivers):
    receiver, url = receivers(answers=[(500, b"boom"), (503, b"busy")])
    endpoint(admin, url)
    factory.idea(title="Try again")

    first = send_pending()
    [delivery] = deliveries()
    assert (first.sent, first.failed) == (0, 1)
    assert (delivery.attempts, delivery.last_status, delivery.state) == (1, 500, "retrying")
    pause = delivery.send_after - utcnow()
    assert timedelta(seconds=50) < pause <= timedelta(minutes=1)
    assert send_pending().sent + send_pending().failed == 0  # not due yet: nobody sends it

    make_due()
    assert send_pending().failed == 1
    [delivery] = deliveries()
    assert delivery.attempts == 2 and delivery.last_status == 503
    assert timedelta(minutes=1, seconds=50) < delivery.send_after - utcnow() <= timedelta(
        minutes=2)  # the pause doubles

    make_due()
    assert send_pending().sent == 1
    [delivery] = deliveries()
    assert delivery.state == "sent" and delivery.attempts == 3
    ids = {body["id"] for body in receiver.json_bodies()}
    assert len(receiver.requests) == 3 and len(ids) == 1  # the same event each time


def test_after_the_last_try_it_is_failed_and_an_admin_can_resend(app, factory, admin,
                                                                 receivers):
    receiver, url = receivers(default=(500, b"down"))
    endpoint(admin, url)
    factory.idea(title="Never gets through")
    for _ in range(MAX_ATTEMPTS):
        make_due()
        send_pending()
    [delivery] = deliveries()
    assert delivery.state == "failed" and delivery.attempts == MAX_ATTEMPTS
    make_due()
    assert send_pending().failed == 0  # given up: no more tries on its own

    receiver.default = (200, b"ok")
    again = resend_delivery(admin, delivery)
    assert send_pending().sent == 1
    assert [d.state for d in deliveries()] == ["failed", "sent"]
    assert again.resend_of_id == delivery.id
    assert len({body["id"] for body in receiver.json_bodies()}) == 1


def test_a_hanging_receiver_times_out_and_is_retried(app, factory, admin, receivers):
    receiver, url = receivers(hang=threading.Event())
    app.config["WEBHOOK_TIMEOUT"] = 0.5
    endpoint(admin, url)
    factory.idea(title="Anyone there?")

    started = time.monotonic()
    report = send_pending()

    assert time.monotonic() - started < 5
    assert report.failed == 1
    [delivery] = deliveries()
    assert delivery.state == "retrying" and delivery.last_status is None
    assert "Timeout" in delivery.last_error
    assert len(receiver.requests) == 1  # it did arrive, and then nobody answered
    assert delivery.claimed_by is None  # released for the next try


def test_a_slow_drip_receiver_is_cut_off_at_the_total_deadline(app, factory, admin,
                                                              receivers):
    """Each byte comes well within the per-read timeout, so only a total deadline ends it:
    without one this answer (about 110 bytes, 0.1 s apart) would hold the worker 11 s."""
    receiver, url = receivers(drip=0.1, default=(200, b'{"ok": true}' + b" " * 40))
    app.config.update(WEBHOOK_TIMEOUT=2, WEBHOOK_DEADLINE=1.5)
    endpoint(admin, url)
    factory.idea(title="Are you still there?")

    started = time.monotonic()
    report = send_pending()

    assert time.monotonic() - started < 4
    assert report.failed == 1 and report.sent == 0
    [delivery] = deliveries()
    assert delivery.state == "retrying" and delivery.attempts == 1
    assert delivery.last_error.startswith("DeadlineExceeded: no complete answer within 1.5 s")
    assert delivery.claimed_by is None and delivery.sent_at is None
    assert timedelta(seconds=50) < delivery.send_after - utcnow() <= timedelta(minutes=1)
    time.sleep(0.3)
    assert receiver.cut_off  # the connection was closed, not left dripping

    receiver.drip = 0.001  # the receiver recovers: the retry, when due, goes through
    make_due()
    assert send_pending().sent == 1
    [delivery] = deliveries()
    assert delivery.state == "sent" and delivery.attempts == 2


def test_two_workers_deliver_each_event_once(app, factory, admin, receivers):
    receiver, url = receivers()
    endpoint(admin, url)
    author = factory.user()
    for number in range(12):
        factory.idea(author, title=f"Concurrent idea {number}")
    assert len(deliveries()) == 12
    reports = {}
    start = threading.Barrier(2)

    def work(name: str) -> None:
        with app.app_context():
            start.wait()
            total = 0
            for _ in range(6):  # small batches, so the two really interleave
                report = send_pending(limit=2, worker=name)
                total += report.sent
            reports[name] = total
            db.session.remove()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    ids = [body["id"] for body in receiver.json_bodies()]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 12
    assert sum(reports.values()) == 12
    assert all(d.state == "sent" for d in deliveries())


def test_chat_tools_get_their_documented_payloads(app, factory, admin, receivers):
    received = {}
    for fmt in WebhookFormat:
        if fmt == WebhookFormat.GENERIC:
            continue
        receiver, url = receivers()
        endpoint(admin, url + "?access_token=abc", fmt, locale="zh",
                 secret="SEC-robot-secret" if fmt in (WebhookFormat.FEISHU,
                                                      WebhookFormat.DINGTALK) else "")
        received[fmt] = receiver
    factory.idea(title="<b>Lunch</b> *menu* [link](http://evil.example)")

    assert send_pending().sent == 5
    bodies = {fmt: receiver.json_bodies()[0] for fmt, receiver in received.items()}
    feishu = bodies[WebhookFormat.FEISHU]
    assert feishu["msg_type"] == "post"
    assert feishu["sign"] == feishu_sign("SEC-robot-secret", int(feishu["timestamp"]))
    assert "新想法" in feishu["content"]["post"]["zh_cn"]["title"]
    ding_query = parse_qs(urlsplit(received[WebhookFormat.DINGTALK].requests[0]["path"]).query)
    assert ding_query["access_token"] == ["abc"]
    assert ding_query["sign"] == [dingtalk_sign("SEC-robot-secret",
                                                int(ding_query["timestamp"][0]))]
    assert bodies[WebhookFormat.DINGTALK]["msgtype"] == "markdown"
    assert "\\[link\\]" in bodies[WebhookFormat.DINGTALK]["markdown"]["text"]  # no live link
    assert bodies[WebhookFormat.WECOM]["msgtype"] == "markdown"
    assert len(bodies[WebhookFormat.WECOM]["markdown"]["content"].encode()) <= 4096
    slack = bodies[WebhookFormat.SLACK]
    assert "新想法" in slack["text"] and slack["blocks"][0]["type"] == "section"
    assert "<b>" not in slack["blocks"][0]["text"]["text"]  # escaped: &lt;b&gt;
    card = bodies[WebhookFormat.TEAMS]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"


def test_a_chat_tools_refusal_in_a_200_is_a_failure(app, factory, admin, receivers):
    receiver, url = receivers(answers=[(200, b'{"code":19021,"msg":"sign match fail"}')])
    endpoint(admin, url, WebhookFormat.FEISHU, secret="wrong")
    factory.idea(title="Refused politely")
    assert send_pending().failed == 1
    [delivery] = deliveries()
    assert "19021" in delivery.last_error and delivery.state == "retrying"
    assert len(receiver.requests) == 1


def test_only_public_events_of_public_campaigns_are_sent(app, factory, admin, receivers):
    receiver, url = receivers()
    endpoint(admin, url, events=list(EventKind))
    leader = factory.user(Role.LEADER)
    sensitive = create_campaign(leader, title="Pay and bonuses", description="",
                                kind=CampaignKind.DISCUSSION,
                                anonymity=Anonymity.ANONYMOUS_ONLY,
                                opens_at=utcnow() - timedelta(days=1), closes_at=None)
    secret_post = post_idea(factory.user(), sensitive, title="Secret pay idea", body="",
                            tags=[])
    pull_into_queue(leader, idea_by_public_id(secret_post.public_id), "Answer it")
    hidden = factory.idea(title="Soon hidden")
    moderate(admin, idea_by_public_id(hidden.public_id), ModerationAction.HIDE,
             reason_code=FlagReason.ABUSIVE)
    pull_into_queue(leader, idea_by_public_id(hidden.public_id), "Escalated while hidden")
    public = factory.idea(title="A public idea")
    pull_into_queue(leader, idea_by_public_id(public.public_id), "Worth an answer")

    make_due()
    send_pending()
    sent = [(body["type"], body["data"]["idea"]["title"]) for body in receiver.json_bodies()]
    assert ("idea.posted", "A public idea") in sent
    assert ("idea.escalated", "A public idea") in sent
    assert ("idea.escalated", "Soon hidden") not in sent  # hidden: nothing more goes out
    assert all(title != "Secret pay idea" for _, title in sent)
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent).where(
        WebhookEvent.payload.is_not(None))) == len(sent)


def test_an_anonymous_post_is_announced_late_without_its_author(app, factory, admin,
                                                                receivers):
    receiver, url = receivers()
    endpoint(admin, url)
    leader = factory.user(Role.LEADER)
    optional = create_campaign(leader, title="Ideas welcome", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    author = factory.user(name="Quiet Quentin", email="quentin@example.com")
    post_idea(author, optional, title="Anonymous suggestion", body="", tags=[],
              anonymous=True)
    [delivery] = deliveries()
    assert delivery.send_after > utcnow()  # news of it waits for the anonymity window
    assert send_pending().sent == 0
    make_due()
    assert send_pending().sent == 1
    raw = receiver.requests[0]["body"].decode()
    assert "Quentin" not in raw and "quentin" not in raw and f'"id":{author.id}' not in raw
    idea = json.loads(raw)["data"]["idea"]
    assert idea["author"] == {"anonymous": True, "name": "Anonymous employee"}
    assert len(idea["posted"]) == 10  # the day only


def test_send_webhooks_command(app, factory, admin, receivers):
    receiver, url = receivers()
    endpoint(admin, url)
    factory.idea(title="From the command line")
    result = app.test_cli_runner().invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "delivered 1, failed 0" in result.output
    assert len(receiver.requests) == 1


def test_each_event_is_emitted_by_its_service_once(app, factory, admin, receivers):
    """idea.posted/escalated/decided/delivered/challenged/funded and campaign.opened/closed,
    each from the service that makes it happen, in its transaction."""
    from ideaboard.services.challenges import raise_challenge
    from ideaboard.services.funding import close_round
    from ideaboard.services.review import change_status
    from ideaboard.services.webhooks import announce_campaigns
    from tests.unit.test_funding import funded_round

    receiver, url = receivers()
    endpoint(admin, url, events=list(EventKind))
    leader = factory.user(Role.LEADER)
    idea = factory.idea(title="Lifecycle")
    pull_into_queue(leader, idea_by_public_id(idea.public_id), "Answer it")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED,
                  "Accepted: it starts next month.")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.DONE,
                  "Done: waiting times fell from nine days to four.")
    declined = factory.idea(title="Declined one")
    pull_into_queue(leader, idea_by_public_id(declined.public_id), "Answer it")
    change_status(leader, idea_by_public_id(declined.public_id), IdeaStatus.DECLINED,
                  "Declined: the budget is spent this year.")
    raise_challenge(factory.user(), idea_by_public_id(declined.public_id),
                    "The budget for next year was approved yesterday; the reason is gone.")
    funding_round, _ideas, _backers = funded_round(factory)
    close_round(funding_round.id, now=funding_round.closes_at)
    campaign = create_campaign(leader, title="Short question", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow() - timedelta(hours=2),
                               closes_at=utcnow() + timedelta(seconds=2))
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
        closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert announce_campaigns() == 1  # the closing; the opening went out when it was saved
    assert announce_campaigns() == 0  # exactly once

    make_due()
    send_pending(limit=500)
    sent = [(body["type"], (body["data"].get("idea") or body["data"]["campaign"])["title"])
            for body in receiver.json_bodies()]
    for expected in [("idea.posted", "Lifecycle"), ("idea.escalated", "Lifecycle"),
                     ("idea.decided", "Lifecycle"), ("idea.delivered", "Lifecycle"),
                     ("idea.decided", "Declined one"), ("idea.challenged", "Declined one"),
                     ("idea.funded", "Idea A"), ("campaign.opened", "Short question"),
                     ("campaign.closed", "Short question")]:
        assert sent.count(expected) == 1, (expected, sent)
    decided = next(body for body in receiver.json_bodies() if body["type"] == "idea.decided")
    assert decided["data"]["decision"] == {"status": "accepted",
                                           "rationale": "Accepted: it starts next month."}


def test_a_crashed_workers_claim_expires_and_the_delivery_is_not_lost(app, factory, admin,
                                                                       receivers):
    from ideaboard.integrations.webhooks import claim_batch

    receiver, url = receivers()
    endpoint(admin, url)
    factory.idea(title="Claimed, then the worker died")
    assert len(claim_batch("dead-worker", 10)) == 1  # claimed, never sent: the process died
    assert send_pending(worker="alive").sent == 0  # the claim holds for a while …
    db.session.execute(update(WebhookDelivery).values(
        claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert send_pending(worker="alive").sent == 1  # … then another worker sends it
    assert len(receiver.requests) == 1
