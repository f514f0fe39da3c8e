"""Redirect targets taken from the request are followed only when they stay in the app."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, url_for
from werkzeug.wrappers import Response


def is_safe_next(target: str | None) -> bool:
    """Only absolute paths in this app: no scheme, no host, no `//` or `/\\` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def redirect_next(target: str | None, fallback_endpoint: str = "main.home", **values) -> Response:
    if is_safe_next(target):
        return redirect(target)
    return redirect(url_for(fallback_endpoint, **values))
