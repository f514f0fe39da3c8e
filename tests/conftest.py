"""Fixtures: a fresh migrated database per test (SQLite file or PostgreSQL), the app,
a client that speaks CSRF, sign-in as any role, and factories for data.

Set TEST_DATABASE_URL=postgresql://… to run the whole suite on PostgreSQL.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from ideaboard import create_app
from ideaboard.extensions import db
from ideaboard.models import Department, Idea, Level, Role, User
from ideaboard.models.base import utcnow

TEST_PASSWORD = "correct horse battery"
# Users made by the factory get a scrypt hash of low cost (N=2**10): checking it at sign-in
# takes well under a millisecond instead of ~100 ms. The app still hashes new passwords with
# its own method and cost (werkzeug reads the cost from the stored hash when checking).
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="scrypt:1024:8:1")
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ROLES = ("visitor", "employee", "leader", "admin", "suspended")
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _memoise_url_builders() -> None:
    """Every `create_app` compiles two Python functions per URL rule (werkzeug's URL
    builders: ~0.3-0.8 s an app here, most of `create_app`'s time). A builder depends only on
    the rule's text, its parsed parts and its defaults, so an identical rule of a later app
    reuses the code compiled for the first one (bound to its own Rule, as werkzeug binds it)."""
    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "memoised", False):
        return
    cache: dict[tuple, Callable] = {}

    def memoised(self: Rule, append_unknown: bool = True):
        key = (append_unknown, self.rule, tuple(self._trace),
               tuple(sorted((str(k), repr(v)) for k, v in (self.defaults or {}).items())),
               tuple(sorted((name, type(conv).__name__) for name, conv in
                            self._converters.items())))
        builder = cache.get(key)
        if builder is None:
            builder = cache[key] = compile_builder(self, append_unknown)
        return builder

    memoised.memoised = True
    Rule._compile_builder = memoised


_memoise_url_builders()


class SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for the whole session, shared by every app the tests
    build: each app has its own Jinja environment, which would otherwise compile every
    template it renders again. Jinja checks each entry against the template source's checksum;
    every app comes from create_app, so their environments compile templates alike."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = SharedBytecode()


def base_config(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_ENABLED": False,
        "QUEUE_COUNTS_SECONDS": 0,  # counted every time; test_review_queue_reads keeps them
        "ALLOWED_SIGNUP_DOMAINS": ["example.com"],
        "SERVER_NAME": None,
    }


def _migrate(database_uri: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(database_uri))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per worker: a template SQLite file, or a per-worker PostgreSQL database."""
    if POSTGRES_URL:
        import psycopg

        base = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        name = base.rsplit("/", 1)[1] + "_" + _worker_suffix()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + "/" + name
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return str(path)


_POSTGRES_SEED_ROWS: dict[str, list[dict]] = {}


def _reset_postgres(app: Flask) -> None:
    """Empty every table, then put back the rows the migrations themselves insert."""
    with app.app_context(), db.engine.begin() as conn:
        tables = db.metadata.sorted_tables
        if not _POSTGRES_SEED_ROWS:
            for table in tables:
                _POSTGRES_SEED_ROWS[table.name] = [
                    dict(row) for row in conn.execute(table.select()).mappings()]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                          + " RESTART IDENTITY CASCADE"))
        for table in tables:
            rows = _POSTGRES_SEED_ROWS[table.name]
            if rows:
                conn.execute(table.insert(), rows)
                if "id" in table.c:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"',"
                                      f" 'id'), (SELECT max(id) FROM \"{table.name}\"))"))


@pytest.fixture
def database_uri(database_template: str, tmp_path: Path) -> str:
    if POSTGRES_URL:
        return database_template
    path = tmp_path / "ideaboard.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_uri: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database, with extra config where a test needs it."""
    apps: list[Flask] = []

    def factory(**overrides) -> Flask:
        app = create_app({**base_config(database_uri), **overrides})
        app.jinja_env.bytecode_cache = SHARED_BYTECODE
        apps.append(app)
        if POSTGRES_URL and len(apps) == 1:
            _reset_postgres(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


class Client(FlaskClient):
    """A test client that fetches and sends the CSRF token like a browser would.

    Each request runs in a fresh context, as under a real server: its own app context,
    database session and locale cache. The test's own session ends its transaction
    first and forgets loaded state after, so it sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed inside a request's context
            return super().open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()

    def csrf_token(self) -> str:
        page = self.get("/", follow_redirects=True)  # signed out: the sign-in page
        match = CSRF_PATTERN.search(page.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    signed_in = False

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def client_class(request: pytest.FixtureRequest) -> type[Client]:
    """A test module may set CLIENT_CLASS (e.g. tests.web.isolation.IsolatedClient)."""
    return getattr(request.module, "CLIENT_CLASS", Client)


@pytest.fixture
def client(app: Flask, request: pytest.FixtureRequest) -> Client:
    app.test_client_class = client_class(request)
    return app.test_client()


@pytest.fixture
def make_client(app: Flask, request: pytest.FixtureRequest) -> Callable[[], Client]:
    """Another browser: its own cookies."""
    def new() -> Client:
        app.test_client_class = client_class(request)
        return app.test_client()
    return new


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class Factory:
    """Creates rows directly (fast) or through services (when the rule matters)."""
    app: Flask
    counter: int = 0

    def department(self, name: str) -> Department:
        dept = db.session.scalar(db.select(Department).where(Department.name == name))
        if dept is None:
            dept = Department(name=name)
            db.session.add(dept)
            db.session.commit()
        return dept

    def user(self, role: str | Role = Role.EMPLOYEE, *, name: str | None = None,
             email: str | None = None, department: str = "Operations",
             level: Level = Level.FRONTLINE, locale: str | None = None) -> User:
        self.counter += 1
        if role == "suspended":
            role = Role.EMPLOYEE
        user = User(email=email or f"user{self.counter}@example.com",
                    display_name=name or f"Person {self.counter}", role=Role(role),
                    password_hash=FAST_HASH, department_id=self.department(department).id,
                    level=level, locale=locale, email_verified_at=utcnow())
        db.session.add(user)
        db.session.commit()
        return user

    def idea(self, author: User | None = None, *, title: str | None = None, body: str = "Body",
             tags: list[str] | None = None, anonymous: bool = False) -> Idea:
        from ideaboard.services.ideas import post_idea, standing_campaign

        self.counter += 1
        return post_idea(author or self.user(), standing_campaign(),
                         title=title or f"Idea number {self.counter}", body=body,
                         tags=tags or [], anonymous=anonymous)


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


def sign_in(client: Client, user: User, password: str = TEST_PASSWORD):
    token = client.csrf_token()
    response = client.post("/login", data={"csrf_token": token, "email": user.email,
                                           "password": password})
    client.signed_in = response.status_code == 302
    return response


@pytest.fixture
def login_as(client: Client, factory: Factory) -> Callable[[str], User | None]:
    """Sign the client in as a fresh user of the given role ("visitor" stays signed out;
    "suspended" signs in and is then suspended, so the live session must end)."""
    from ideaboard.services.accounts import suspend_user

    def do_login(role: str, **user_kwargs) -> User | None:
        if role == "visitor":
            return None
        user = factory.user(role, **user_kwargs)
        response = sign_in(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        if role == "suspended":
            suspend_user(user, None, "Test suspension")
            client.signed_in = False
        return user

    return do_login


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries() -> Callable:
    """`with count_queries() as counter: …` then `counter.count`."""
    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(Engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(Engine, "before_cursor_execute", counter)
    return counting


@pytest.fixture
def reading_open(app) -> None:
    """An admin opened reading up: pages and feeds are readable without signing in (the
    default is sign in to read). Sensitive campaigns stay sign-in only."""
    from ideaboard.models import SiteSettings

    db.session.execute(db.update(SiteSettings).values(read_requires_sign_in=False))
    db.session.commit()
