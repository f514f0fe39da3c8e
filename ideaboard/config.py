"""Configuration: defaults here, then `instance/config.py`, then `IDEABOARD_*` variables."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import Flask

WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "development"}
MIN_SECRET_KEY_LENGTH = 32
ENV_PREFIX = "IDEABOARD_"
SCIM_LEVEL_EXTENSION = "urn:ietf:params:scim:schemas:extension:ideaboard:2.0:User"


class DefaultConfig:
    """Every setting, its default and (in a trailing comment) what it is for: the comments
    feed `.env.example` (`python -m ideaboard.config > .env.example`)."""
    ENV_NAME = "development"  # "production" makes weak secrets fatal and cookies Secure
    SECRET_KEY: str | None = None  # required in production: 32+ random characters
    SQLALCHEMY_DATABASE_URI: str | None = None  # defaults to instance/ideaboard.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # e.g. {"pool_size": 5, "max_overflow": 5} per worker
    # PostgreSQL: cancel a statement after this many seconds (503, not a killed worker)
    DATABASE_STATEMENT_TIMEOUT: float | None = None  # gunicorn sets its timeout minus 5
    SQLITE_WRITER_QUEUE = True  # SQLite writers queue in arrival order (false: measure only)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # largest request body, in bytes
    SESSION_COOKIE_HTTPONLY = True  # scripts cannot read the session cookie
    SESSION_COOKIE_SAMESITE = "Lax"  # the session cookie is not sent by other sites' forms
    SESSION_COOKIE_SECURE = False  # https only (always on in production)
    REMEMBER_COOKIE_HTTPONLY = True  # the same for "keep me signed in"
    REMEMBER_COOKIE_SAMESITE = "Lax"  # the same for "keep me signed in"
    REMEMBER_COOKIE_SECURE = False  # https only (always on in production)
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # "keep me signed in" lasts, in seconds
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long compose sessions survive
    BABEL_DEFAULT_LOCALE = "en"  # language when the browser asks for none we have
    BABEL_DEFAULT_TIMEZONE = "UTC"  # time zone dates are shown in
    LANGUAGES = ["en", "zh"]  # languages of the interface
    ALLOWED_SIGNUP_DOMAINS: list[str] = ["example.com"]  # who may sign up without an invitation
    INVITE_VALID_DAYS = 7  # how long an invitation link works
    RATELIMIT_STORAGE_URI = "memory://"  # redis://host:6379/0 shares limits across workers
    RATELIMIT_HEADERS_ENABLED = True  # X-RateLimit-* headers on limited routes
    RATELIMIT_LOGIN = "10 per minute"  # sign-in attempts per address
    RATELIMIT_SIGNUP = "5 per minute"  # sign-ups and e-mailed links asked for, per address
    RATELIMIT_POST = "20 per hour"  # ideas per signed-in person
    RATELIMIT_COMMENT = "60 per hour"  # comments and critiques per signed-in person
    RATELIMIT_VOTE = "300 per minute"  # votes and helpful marks per signed-in person
    RATELIMIT_FLAG = "30 per hour"  # flags per signed-in person
    FORCE_HTTPS = False  # redirect to https and send HSTS
    PAGE_SIZE = 30  # ideas per list page and per review-queue page
    QUEUE_COUNTS_SECONDS = 15  # review-queue counts reused this long, in the app's cache (0: off)
    DELIVERY_STALLED_DAYS = 30  # no progress update for this long marks a delivery stalled
    # the fragment cache of cards and comments (README, "The fragment cache")
    CACHE_TYPE = "SimpleCache"  # per worker; RedisCache when CACHE_REDIS_URL is set; NullCache: off
    CACHE_REDIS_URL: str | None = None  # redis://host:6379/1 shares fragments across hosts
    CACHE_THRESHOLD = 4096  # fragments kept per worker by SimpleCache
    CACHE_DEFAULT_TIMEOUT = 24 * 60 * 60  # seconds a fragment is kept (keys never go stale)
    CACHE_KEY_PREFIX = "ideaboard:cache:"  # namespace in a shared Redis (fragments, queue counts)
    SQL_COUNT_HEADER = False  # adds X-SQL-Count to responses; the benchmark turns it on
    BOOTSTRAP_SERVE_LOCAL = True  # Bootstrap from this server, never a CDN
    BASE_URL = "http://127.0.0.1:5000"  # for links in e-mails
    MAIL_SERVER: str | None = None  # e-mail is off until a server is set
    MAIL_PORT = 25  # SMTP port
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False  # SMTP over TLS from the first byte (port 465)
    MAIL_USERNAME: str | None = None  # SMTP sign-in, if the server wants one
    MAIL_PASSWORD: str | None = None  # never stored in the database
    MAIL_FROM = "Ideaboard <ideaboard@localhost>"  # sender of every e-mail
    MAIL_TIMEOUT = 10  # seconds to wait for the SMTP server
    MAIL_MESSAGE_ID_DOMAIN = "ideaboard.local"  # right-hand side of Message-IDs
    # --- identity (issue 19)
    VERIFY_EMAIL_VALID_HOURS = 48  # how long a sign-up's confirmation link works
    PASSWORD_RESET_VALID_MINUTES = 60  # how long a password-reset link works
    SSO_ONLY = False  # true: password sign-in is off, except for SSO_BREAK_GLASS_EMAILS
    SSO_BREAK_GLASS_EMAILS: list[str] = []  # admins who may still sign in with a password
    OIDC_ISSUER: str | None = None  # OpenID Connect provider; single sign-on is off until set
    OIDC_CLIENT_ID: str | None = None  # this app's client id at the provider
    OIDC_CLIENT_SECRET: str | None = None  # and its secret
    OIDC_SCOPES = "openid email profile"  # add the scopes that carry groups or job level
    OIDC_PROVIDER_NAME: str | None = None  # "Sign in with …" (default: your company account)
    OIDC_NAME_CLAIM = "name"  # claim holding the display name
    OIDC_EMAIL_CLAIM = "email"  # claim holding the work e-mail address
    OIDC_DEPARTMENT_CLAIM = "department"  # claim holding the department's name
    OIDC_LEVEL_CLAIM = "job_level"  # claim (or group list) holding the level
    OIDC_LEVEL_VALUES: dict[str, str] = {}  # claim value → frontline/manager/senior/executive
    OIDC_GROUPS_CLAIM = "groups"  # claim listing the person's groups
    OIDC_ADMIN_GROUPS: list[str] = []  # members of these groups are admins
    OIDC_LEADER_GROUPS: list[str] = []  # members of these groups are leaders
    # --- operating (issue 19)
    PROXY_FIX_HOPS = 0  # reverse proxies in front of the app whose X-Forwarded-* to trust
    LOG_FORMAT = "json"  # "json": one JSON object a line; "text" for reading by eye
    LOG_LEVEL = "INFO"  # DEBUG, INFO, WARNING or ERROR
    # --- integrations (issue 20)
    WEBHOOK_TIMEOUT = 10  # seconds a webhook receiver has to connect, and to answer
    WEBHOOK_DEADLINE = 30  # seconds one delivery may take in all, however slowly it answers
    RATELIMIT_API = "600 per minute"  # JSON API requests per token's person (and SCIM token)
    API_PAGE_SIZE = 30  # items per API list page unless ?limit= (at most 100)
    SCIM_LEVEL_ATTRIBUTE = SCIM_LEVEL_EXTENSION + ":level"  # SCIM attribute holding the level
    SCIM_LEVEL_VALUES: dict[str, str] = {}  # its values → frontline/manager/senior/executive


def load_config(app: Flask, test_config: dict | None) -> None:
    """Layer the configuration and make sure there is a usable SECRET_KEY."""
    app.config.from_object(DefaultConfig)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
                os.environ["DATABASE_URL"])
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + str(Path(app.instance_path) / "ideaboard.sqlite3"))
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        bound_postgres_waits(app)
    for key in LIST_SETTINGS:
        if isinstance(app.config.get(key), str):
            app.config[key] = parse_list(app.config[key])
    production = app.config["ENV_NAME"] == "production"
    if production:
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            app.config[key] = True
    ensure_secret_key(app, production)


def bound_postgres_waits(app: Flask) -> None:
    """Connect, lock and statement timeouts on every PostgreSQL connection (database.py)."""
    from ideaboard.database import postgres_connect_args

    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {
        **postgres_connect_args(app.config.get("DATABASE_STATEMENT_TIMEOUT")),
        **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
LIST_SETTINGS = tuple(name for name, value in vars(DefaultConfig).items()
                      if name.isupper() and isinstance(value, list))


def parse_list(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("["):
        return list(json.loads(value))
    return [item.strip() for item in value.split(",") if item.strip()]


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and route them through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_secret_key(app: Flask, production: bool) -> None:
    """Generate a key once into instance/ for development; refuse a weak one in production."""
    key = app.config.get("SECRET_KEY")
    key_file = Path(app.instance_path) / "secret_key"
    if not key and not production:
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        key = key_file.read_text().strip()
        app.config["SECRET_KEY"] = key
    if production and (not key or key in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH):
        raise RuntimeError(
            "Refusing to start in production without a strong SECRET_KEY: set "
            "IDEABOARD_SECRET_KEY or SECRET_KEY in instance/config.py to at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_hex(32))').")


def documented_settings() -> list[tuple[str, object, str]]:
    """(name, default, what it is for) for every setting, read from DefaultConfig and the
    trailing comment on its line."""
    import inspect
    import re

    comments = {}
    for line in inspect.getsource(DefaultConfig).splitlines():
        match = re.match(r"\s+([A-Z][A-Z0-9_]*)\b[^#]*?(?:#\s*(.*))?$", line)
        if match:
            comments[match.group(1)] = (match.group(2) or "").strip()
    return [(name, value, comments.get(name, ""))
            for name, value in vars(DefaultConfig).items() if name.isupper()]


def env_value(value: object) -> str:
    """A default written as an environment file (systemd EnvironmentFile) line expects it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    text = value if isinstance(value, str) else json.dumps(value)
    return f"'{text}'" if any(c in text for c in " \"'<>#$") else text


def env_example() -> str:
    """The text of `.env.example`: every IDEABOARD_* setting, commented out, at its default."""
    lines = ["# Every setting Ideaboard reads from the environment, at its default. Uncomment",
             "# and change what you need; systemd reads this file (EnvironmentFile=), and",
             "# `python -m ideaboard.config > .env.example` regenerates it from config.py.",
             "# DATABASE_URL (postgresql://user:password@host/db) is read as well.", ""]
    for name, value, comment in documented_settings():
        if comment:
            lines.append(f"# {comment}")
        lines.append(f"#{ENV_PREFIX}{name}={env_value(value)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(env_example(), end="")
