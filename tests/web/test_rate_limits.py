"""Rate limits: the friendly 429 page, limits set by admins, the start-up warning about
per-process memory:// storage, and limits shared by two app processes through Redis."""
from __future__ import annotations

import http.cookiejar
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import update

from ideaboard.extensions import db, limiter
from ideaboard.models import SiteSettings
from tests.conftest import CSRF_PATTERN, Client, sign_in

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = Path("/usr/bin/redis-server")
WARNING = "Rate limits are kept in memory:// storage"


@pytest.fixture
def limited(make_app):
    """An app with rate limiting on (the other tests switch it off)."""
    def build(**config):
        app = make_app(RATELIMIT_ENABLED=True, **config)
        app.test_client_class = Client
        with app.app_context():
            limiter.reset()
        return app
    return build


def test_flagging_is_limited_with_the_friendly_page(limited, factory):
    app = limited(RATELIMIT_FLAG="2 per minute")
    with app.app_context():
        ideas = [factory.idea() for _ in range(3)]
        client = app.test_client()
        sign_in(client, factory.user())
        statuses = [client.post_form(f"/moderation/ideas/{idea.public_id}/flag",
                                     {"reason": "spam"}) for idea in ideas]
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert "Slow down a little" in statuses[-1].get_data(as_text=True)


def test_a_limit_set_by_an_admin_replaces_the_configured_one(limited, factory):
    app = limited(RATELIMIT_LOGIN="100 per minute")
    with app.app_context():
        db.session.execute(update(SiteSettings).values(ratelimit_login="2 per minute"))
        db.session.commit()
        client = app.test_client()
        statuses = [client.post_form("/login", {"email": "nobody@example.com",
                                                "password": "wrong password"}).status_code
                    for _ in range(3)]
    assert statuses == [200, 200, 429]


# Every limited action, with a route of each kind (the plan routes share "comment" and
# "vote"); the path may name nothing: the limit is counted before the view runs.
LIMITED_ROUTES = [
    ("login", "/login", {"email": "nobody@example.com", "password": "wrong"}, False),
    ("signup", "/signup", {"email": "new@example.com"}, False),
    ("post", "/ideas/new", {"title": "", "body": ""}, True),
    ("comment", "/ideas/{idea}/comments", {"body": ""}, True),
    ("comment", "/critiques/nothing-here/replies", {"body": ""}, True),
    ("comment", "/campaigns/nothing-here/plan/sections/1/critiques", {}, True),
    ("vote", "/ideas/{idea}/vote", {"value": "neither"}, True),
    ("vote", "/comments/nothing-here/helpful", {"helpful": "1"}, True),
    ("vote", "/critiques/nothing-here/helpful", {"helpful": "1"}, True),
    ("flag", "/moderation/ideas/{idea}/flag", {"reason": ""}, True),
]


@pytest.mark.parametrize(("action", "path", "form", "signed_in"), LIMITED_ROUTES,
                         ids=[f"{r[0]}:{r[1]}" for r in LIMITED_ROUTES])
def test_every_limited_action_uses_the_admins_limit(limited, factory, action, path, form,
                                                    signed_in):
    """Sign-in, sign-up, posting, commenting, voting and flagging are all limited, and the
    limit in force is the one set in /admin/settings/platform, on every route of the kind."""
    app = limited(**{f"RATELIMIT_{action.upper()}": "100 per minute"})
    with app.app_context():
        db.session.execute(update(SiteSettings).values(**{f"ratelimit_{action}":
                                                          "2 per minute"}))
        db.session.commit()
        idea = factory.idea()
        client = app.test_client()
        if signed_in:
            sign_in(client, factory.user())
        url = path.format(idea=idea.public_id)
        responses = [client.post_form(url, form) for _ in range(3)]
    assert [r.status_code == 429 for r in responses] == [False, False, True], url
    assert "Slow down a little" in responses[-1].get_data(as_text=True)


@pytest.mark.parametrize(("environment", "config", "warned"), [
    ({"SERVER_SOFTWARE": "gunicorn/23.0.0"}, {}, True),
    ({"WEB_CONCURRENCY": "3"}, {}, True),
    ({}, {"ENV_NAME": "production"}, True),
    ({"SERVER_SOFTWARE": "gunicorn/23.0.0"}, {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"},
     False),
    ({}, {}, False),  # the development server: one process
])
def test_start_up_warns_when_limits_are_not_shared(make_app, monkeypatch, caplog, environment,
                                                   config, warned):
    for name in ("SERVER_SOFTWARE", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.WARNING):
        make_app(RATELIMIT_ENABLED=True, **config)
    assert (WARNING in caplog.text) is warned


# --- two processes, one Redis ------------------------------------------------------------

SERVE = """
import sys
from werkzeug.serving import make_server
from ideaboard import create_app

server = make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
print("serving", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up in {seconds} s")


@pytest.fixture
def redis_url(tmp_path):
    if not REDIS_SERVER.exists():
        pytest.skip("Debian's redis-server is not installed (/usr/bin/redis-server): "
                    "apt-get install redis-server to run the shared-limits test")
    port = free_port()
    process = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), 1).close() is None,
                 "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def two_app_processes(make_app, database_uri, redis_url, tmp_path):
    make_app()  # on PostgreSQL this empties the test database first
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("IDEABOARD_") and key != "DATABASE_URL"}
    env.update({
        "PYTHONPATH": str(ROOT),
        "IDEABOARD_INSTANCE_PATH": str(tmp_path / "instance"),
        "IDEABOARD_SQLALCHEMY_DATABASE_URI": database_uri,
        "IDEABOARD_SECRET_KEY": "shared-secret-key-for-both-processes-of-this-test",
        "IDEABOARD_RATELIMIT_STORAGE_URI": redis_url,
        "IDEABOARD_RATELIMIT_LOGIN": "3 per minute",
    })
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(subprocess.Popen([sys.executable, "-c", SERVE, str(port)],
                                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE))
            url = f"http://127.0.0.1:{port}"
            wait_for(lambda url=url: urllib.request.urlopen(url + "/login", timeout=2).status
                     == 200, f"app process on {url}")
            urls.append(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


class Browser:
    """Just enough of a browser: cookies, the CSRF token, status codes including 4xx."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in_attempt(self, base: str) -> int:
        _status, page = self.open(base + "/login")
        token = CSRF_PATTERN.search(page) or re.search(r'name="csrf_token" value="([^"]+)"',
                                                       page)
        return self.open(base + "/login", {"csrf_token": token.group(1),
                                           "email": "someone@example.com",
                                           "password": "not the password"})[0]


def test_two_processes_share_one_limit_through_redis(two_app_processes):
    first, second = two_app_processes
    attempts = [Browser().sign_in_attempt(first), Browser().sign_in_attempt(first),
                Browser().sign_in_attempt(second)]
    assert attempts == [200, 200, 200]  # 3 per minute: every attempt so far is allowed

    fourth = Browser().sign_in_attempt(second)

    assert fourth == 429  # the second process counted the first one's attempts too
    assert Browser().sign_in_attempt(first) == 429
