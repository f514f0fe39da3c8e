"""Logs as JSON lines: one object per line with the time, level, logger, message, and inside
a request its id (also sent back as the X-Request-ID header), the route and, for reads, the
signed-in user's id; plus one summary line per request with its status and duration.

What is never logged: passwords, tokens or any form field; query strings; concrete paths
(only the route's pattern, so `/password/reset/<token>` and public ids stay out); and the user
of a request that writes (POST and the like), because that request may be posting
anonymously: a log must not tie an anonymous post to its author. The audit log records who
did every privileged act.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# A request id the reverse proxy set is kept if it looks like one (nginx's $request_id).
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record; `extra={...}` fields are kept as fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({key: value for key, value in vars(record).items()
                      if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestContextFilter(logging.Filter):
    """Adds the request id, route and (for reads) user id to records made in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
            record.route = request.url_rule.rule if request.url_rule else None
            user_id = _loggable_user_id()
            if user_id is not None:
                record.user_id = user_id
        return True


def _loggable_user_id() -> int | None:
    if request.method not in _SAFE_METHODS:
        return None
    user = g.get("_login_user")  # only if Flask-Login already loaded it: never a query here
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def configure_logging(app: Flask) -> None:
    """JSON (LOG_FORMAT=json) or plain lines on stderr, at LOG_LEVEL, and the request
    summary lines. Tests keep pytest's own capture (nothing is installed when TESTING)."""
    app.before_request(_start_request)
    app.after_request(_finish_request)
    if app.testing and not app.config.get("LOG_FORCE"):
        return
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", defaults={
                "request_id": "-"}))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "ideaboard", False):
            root.removeHandler(existing)
    handler.ideaboard = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # Flask's default handler would print every line twice
    app.logger.propagate = True
    # The development server's access lines carry full paths (tokens in links included):
    # the summary line above replaces them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up chatter


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    if "request_id" not in g:  # a request refused before our before_request ran
        return response
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    logging.getLogger("ideaboard.requests").info(
        "request", extra={"method": request.method, "endpoint": request.endpoint,
                          "status": response.status_code, "duration_ms": duration_ms})
    return response
