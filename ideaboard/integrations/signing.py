"""Signatures on outgoing webhooks.

Generic JSON (ours): `X-Ideaboard-Signature: t=<unix seconds>,v1=<hex>` where the hex is
HMAC-SHA256 under the endpoint's secret of "<t>.<raw body>". Receivers recompute it, compare
in constant time and refuse a `t` more than REPLAY_WINDOW_SECONDS from their clock (README,
"Verifying a webhook").

The chat tools sign their own way (their documentation, custom robots / bots):
- Feishu / Lark: `timestamp` (seconds) and `sign` in the JSON body, sign =
  base64(HMAC-SHA256(key = "<timestamp>\\n<secret>", message = empty));
- DingTalk: `timestamp` (milliseconds) and `sign` in the URL's query, sign =
  urlencode(base64(HMAC-SHA256(key = secret, message = "<timestamp>\\n<secret>")));
- WeCom, Slack and Teams incoming webhooks have no signature: the URL itself is the secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Ideaboard-Signature"
REPLAY_WINDOW_SECONDS = 300


def generic_signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_generic_signature(secret: str, body: bytes, header: str, *,
                             now: float | None = None,
                             window: int = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver does: the reference implementation the README's snippet follows."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > window:
        return False
    expected = generic_signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The robot URL with `timestamp` and `sign` added to its query (urlencoded)."""
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", dingtalk_sign(secret, timestamp_ms))]
    return urlunsplit(parts._replace(query=urlencode(query)))
