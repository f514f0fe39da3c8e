"""A total deadline for one HTTP exchange made with requests.

requests' `timeout` bounds each wait for a byte, not the whole answer: a receiver that sends
one byte of its status line, headers or body just inside that timeout holds the caller for
as long as it likes. Here every socket a request uses is watched, and when the deadline
passes a timer shuts them down, so the exchange ends at once with a requests error and
`DeadlineWatch.expired` says why. Use a session from `session_with_deadlines()` inside
`with total_deadline(seconds) as watch:`.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class DeadlineWatch:
    """The sockets of one exchange; `cut()` shuts them all, now and any opened later."""

    def __init__(self) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def cut(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed, or handed over to TLS
        sock.shutdown(socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.add(sock)


class _WatchedConnection:
    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self.sock)  # type: ignore[attr-defined]

    def request(self, *args, **kwargs):
        _watch(self.sock)  # type: ignore[attr-defined]  # kept alive from an earlier exchange
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """Direct connections, and those through an HTTP(S) proxy, are watched."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def session_with_deadlines() -> requests.Session:
    """A requests session whose connections obey `total_deadline`."""
    http = requests.Session()
    adapter = _WatchedAdapter()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


@contextmanager
def total_deadline(seconds: float) -> Iterator[DeadlineWatch]:
    """Requests made in this block on this thread end at most `seconds` after it starts."""
    watch = DeadlineWatch()
    _current.watch = watch
    timer = threading.Timer(seconds, watch.cut)
    timer.daemon = True
    timer.start()
    try:
        yield watch
    finally:
        timer.cancel()
        _current.watch = None
