"""Markdown previews, rendered so that people typing cannot take the site from people
reading (issue 13): one preview at a time on the whole host (per site), on a thread at low
CPU priority, and a quick 503 with Retry-After when one is already rendering.

Rendering is linear (ideaboard/text.py), but a 20,000-character pathological preview still
costs a few hundred milliseconds of CPU; four clients sending them back to back would
otherwise keep every sync worker and both cores busy. Publishing is not affected: it is
rate-limited per user and renders in the request as before.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from pathlib import Path

from flask import current_app

from ideaboard.text import render_markdown

WAIT_SECONDS = 5.0  # a preview still rendering after this answers "busy"; it finishes alone
RETRY_AFTER_SECONDS = 1
PREVIEW_NICENESS = 10  # ~1/10 of a core against one busy worker: previews still progress

_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_executor_lock = threading.Lock()


class PreviewBusy(Exception):
    """Another preview is rendering on this host; ask again in RETRY_AFTER_SECONDS."""


def _lower_this_threads_priority() -> None:
    """Linux applies setpriority to one thread: this one yields the CPU to requests.
    (A thread may always lower its own priority; it is never raised again.)"""
    with suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PREVIEW_NICENESS)


def _renderer() -> ThreadPoolExecutor:
    global _executor, _executor_pid
    with _executor_lock:
        if _executor_pid != os.getpid():  # one per process, started after gunicorn's fork
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview",
                                           initializer=_lower_this_threads_priority)
            _executor_pid = os.getpid()
        return _executor


def preview_lock_path() -> Path:
    """One lock file per site (its database) in instance/: every worker of a site shares it."""
    site = hashlib.sha256(current_app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()
    return Path(current_app.instance_path) / f"preview-{site[:16]}.lock"


def _take_host_slot() -> int:
    """An exclusive, non-blocking flock on the site's preview lock: held until the render
    ends (closing the descriptor releases it, also if the process dies)."""
    path = preview_lock_path()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise PreviewBusy from None
    return fd


def render_preview(source: str) -> str:
    """The same HTML as on publish; PreviewBusy if another preview is rendering."""
    slot = _take_host_slot()
    try:
        future: Future[str] = _renderer().submit(render_markdown, source)
    except BaseException:
        os.close(slot)
        raise
    future.add_done_callback(lambda _done: os.close(slot))
    try:
        return future.result(timeout=WAIT_SECONDS)
    except FutureTimeout:
        raise PreviewBusy from None
