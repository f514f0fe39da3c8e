"""Running behind a reverse proxy and being watched: trusted proxy hops, rate limits per
person and per address, health checks, request ids, and JSON-lines logs that leak nothing."""
from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select, text, update

from ideaboard.extensions import db, limiter
from ideaboard.models import Anonymity, Campaign, Idea
from tests.conftest import TEST_PASSWORD, Client, Factory, sign_in
from tests.identity_mail import mailed_link

PROXY = "10.0.0.1"  # the reverse proxy's own address, as the app sees the connection


@pytest.fixture
def make_limited(make_app):
    def build(**config):
        app = make_app(RATELIMIT_ENABLED=True, **config)
        app.test_client_class = Client
        with app.app_context():
            limiter.reset()
        return app
    return build


def login_statuses(app, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for address in forwarded_for:
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
        statuses.append(client.post_form("/login", {"email": "someone@example.com",
                                                    "password": "wrong"}).status_code)
    return statuses


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(make_limited):
    app = make_limited(PROXY_FIX_HOPS=1, RATELIMIT_LOGIN="2 per minute")
    with app.app_context():
        twelve = [f"198.51.100.{n}" for n in range(1, 13)]
        assert 429 not in login_statuses(app, twelve)  # 12 people, 1 attempt each
        assert login_statuses(app, ["198.51.100.1", "198.51.100.1"]) == [200, 429]


def test_forwarded_headers_are_ignored_when_no_proxy_is_trusted(make_limited):
    app = make_limited(RATELIMIT_LOGIN="2 per minute")  # PROXY_FIX_HOPS defaults to 0
    with app.app_context():
        spoofed = ["203.0.113.7", "203.0.113.8", "203.0.113.9"]
        assert login_statuses(app, spoofed) == [200, 200, 429]  # all counted as PROXY


def test_a_trusted_proxy_also_gives_the_scheme_and_host(make_limited):
    app = make_limited(PROXY_FIX_HOPS=1)
    with app.app_context():
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=PROXY)
        response = client.get("/login?next=/ideas", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "ideas.corp.example"})
        assert response.status_code == 200
        # Flask-Login's redirect for a members page is built from the forwarded host.
        members = client.get("/account/profile", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "ideas.corp.example"})
        assert members.headers["Location"].startswith(
            ("/login", "https://ideas.corp.example/login"))


def test_signed_in_actions_are_limited_per_person_not_per_address(make_limited):
    app = make_limited(PROXY_FIX_HOPS=0, RATELIMIT_VOTE="2 per minute")
    with app.app_context():
        factory = Factory(app)
        ideas = [factory.idea() for _ in range(3)]
        first, second = app.test_client(), app.test_client()
        for client in (first, second):  # both behind the same address
            client.environ_base.update(REMOTE_ADDR=PROXY)
            sign_in(client, factory.user())

        def vote(client, idea) -> int:
            return client.post_form(f"/ideas/{idea.public_id}/vote",
                                    {"value": "support"}).status_code

        assert [vote(first, idea) for idea in ideas] == [302, 302, 429]
        assert [vote(second, idea) for idea in ideas[:2]] == [302, 302]


# --- health ------------------------------------------------------------------------------

def test_health_and_readiness(client, app):
    live = client.get("/healthz")
    assert (live.status_code, live.get_json()) == (200, {"status": "ok"})
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "Set-Cookie" not in ready.headers and "Set-Cookie" not in live.headers

    current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_foundation'"))
    db.session.commit()
    try:
        behind = client.get("/readyz")
        assert behind.status_code == 503
        assert behind.get_json()["migrations"] == "behind"
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_readiness_fails_when_the_database_is_unreachable(make_app, tmp_path):
    make_app()  # the test database itself (on PostgreSQL the first app resets it)
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/login")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-5f2a9c1e77"})
    assert kept.headers["X-Request-ID"] == "nginx-5f2a9c1e77"
    forged = client.get("/healthz", headers={"X-Request-ID": "not an id; DROP"})
    assert forged.headers["X-Request-ID"] != "not an id; DROP"


# --- logs --------------------------------------------------------------------------------

@pytest.fixture
def json_logs(make_app):
    """An app logging JSON lines as in production, into a buffer; yields (app, read_lines)."""
    root = logging.getLogger()
    saved = list(root.handlers)
    app = make_app(LOG_FORCE=True, LOG_FORMAT="json", LOG_LEVEL="INFO")
    app.test_client_class = Client
    [ours] = [h for h in root.handlers if getattr(h, "ideaboard", False)]
    buffer = io.StringIO()
    ours.setStream(buffer)
    # Only the app's handler: pytest's and alembic's (from the migrations run at the start of
    # the session; a production process has none, see migrations/env.py) stay out of it.
    root.handlers = [ours]

    def lines() -> list[str]:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return [line for line in text.splitlines() if line.strip()]

    try:
        yield app, lines
    finally:
        root.handlers = [h for h in saved if not getattr(h, "ideaboard", False)]


def test_logs_are_json_lines_that_never_tie_an_anonymous_post_to_its_author(json_logs):
    app, read_lines = json_logs
    with app.app_context():
        factory = Factory(app)
        author = factory.user(name="Distinctive Author", email="distinctive.author@example.com")
        reader = factory.user(name="Some Reader")
        author_id, reader_id, author_email = author.id, reader.id, author.email
        author_client, reader_client = app.test_client(), app.test_client()
        sign_in(author_client, author)
        sign_in(reader_client, reader)
        db.session.execute(update(Campaign).where(Campaign.is_standing.is_(True)).values(
            anonymity=Anonymity.OPTIONAL))  # the standing campaign lets people choose
        db.session.commit()
        read_lines()  # forget the set-up

        assert author_client.get("/ideas/new").status_code == 200
        posted = author_client.post_form("/ideas/new", {
            "title": "Pay transparency for the top team", "body": "Publish the bands.",
            "tags": "", "anonymous": "y", "publish": "Publish"})
        assert posted.status_code == 302
        idea = db.session.scalar(select(Idea).where(Idea.title.like("Pay transparency%")))
        assert idea.is_anonymous
        public_id = idea.public_id
        assert reader_client.get(posted.headers["Location"]).status_code == 200
        author_client.get(posted.headers["Location"])
        # A password reset and a password change pass through the logs too.
        author_client.post_form("/password/forgot", {"email": author.email})
        link = mailed_link(author.email, "reset_password")
        author_client.post_form(link, {"password": "a new passphrase here",
                                       "confirm": "a new passphrase here"})
        lines = read_lines()

    records = [json.loads(line) for line in lines]  # every line is valid JSON
    requests = [r for r in records if r.get("logger") == "ideaboard.requests"]
    assert requests and all({"request_id", "route", "status", "duration_ms", "method"}
                            <= set(r) for r in requests)
    post = next(r for r in requests if r["route"] == "/ideas/new" and r["method"] == "POST")
    assert post["status"] == 302 and "user_id" not in post
    same_request = [r for r in records if r.get("request_id") == post["request_id"]]
    assert all(r.get("user_id") != author_id for r in same_request)
    # Reads by signed-in people carry their id; the idea page read by the author is a read
    # of a public page and shows nothing that ties it to the post.
    reads = [r for r in requests if r["method"] == "GET" and r["route"] == "/ideas/<public_id>"]
    assert {r.get("user_id") for r in reads} == {reader_id, author_id}
    text_of_logs = "\n".join(lines)
    for secret in (TEST_PASSWORD, "a new passphrase here", link.rsplit("/", 1)[1],
                   public_id, author_email, "Distinctive Author"):
        assert secret not in text_of_logs, secret
