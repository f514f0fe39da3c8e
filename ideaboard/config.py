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


class DefaultConfig:
    ENV_NAME = "development"  # "production" makes weak secrets fatal and cookies Secure
    SQLALCHEMY_DATABASE_URI: str | None = None  # defaults to instance/ideaboard.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so long compose sessions survive
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ["en", "zh"]
    ALLOWED_SIGNUP_DOMAINS: list[str] = ["example.com"]
    INVITE_VALID_DAYS = 7
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_SIGNUP = "5 per minute"
    RATELIMIT_POST = "20 per hour"
    RATELIMIT_COMMENT = "60 per hour"
    RATELIMIT_VOTE = "300 per minute"
    FORCE_HTTPS = False
    PAGE_SIZE = 30
    DELIVERY_STALLED_DAYS = 30  # no progress update for this long marks a delivery stalled
    FRAGMENT_CACHE_SIZE = 4096  # rendered idea cards kept per worker (0: off)
    SQL_COUNT_HEADER = False  # adds X-SQL-Count to responses; the benchmark turns it on
    BOOTSTRAP_SERVE_LOCAL = True
    BASE_URL = "http://127.0.0.1:5000"  # for links in e-mails
    MAIL_SERVER: str | None = None  # e-mail is off until a server is set
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "Ideaboard <ideaboard@localhost>"
    MAIL_TIMEOUT = 10
    MAIL_MESSAGE_ID_DOMAIN = "ideaboard.local"


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
    if isinstance(app.config["ALLOWED_SIGNUP_DOMAINS"], str):
        app.config["ALLOWED_SIGNUP_DOMAINS"] = parse_list(app.config["ALLOWED_SIGNUP_DOMAINS"])
    production = app.config["ENV_NAME"] == "production"
    if production:
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            app.config[key] = True
    ensure_secret_key(app, production)


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
