"""Production gunicorn settings: `gunicorn -c python:ideaboard.gunicorn_conf ideaboard.wsgi:app`

Environment: GUNICORN_BIND (host:port) or PORT (served on 127.0.0.1, behind the reverse
proxy), WEB_CONCURRENCY (workers), GUNICORN_ACCESS_LOG ("-" for stderr, or a file),
GUNICORN_CONTROL_SOCKET (a path, to enable `gunicornc`).
bench/README.md has the measurements behind these numbers.
"""
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# Sync workers, one request at a time per process:
# - SQLite has one writer at a time, so threads inside a worker add no write throughput,
#   only contention for the GIL and the write lock;
# - a prototype with gthread workers doing writes showed a p99 of ~700 ms;
# - every write transaction waits its turn in a host-wide writer queue (a flock beside the
#   database, ideaboard/database.py), then begins IMMEDIATE, so concurrent writers queue
#   instead of failing, and a queue of whole processes is the shortest such queue;
# - a stuck database ties up only the worker whose write waits at the head of the queue:
#   once a turn has lasted 2 s, other writers answer 503 at once, and reads never wait.
worker_class = "sync"

# Measured on the 2-core box (tier M on SQLite, 16 connections; bench/README.md):
#   2 workers: top 24 req/s, vote 69 req/s (p99 371 ms)
#   3 workers: top 39 req/s, vote 76 req/s (p99 336 ms)
#   4 workers: top 37 req/s, vote 91 req/s (p99 571 ms; 859 ms at 4 connections)
# A third worker overlaps one worker's socket and disk waits with another's CPU; a fourth
# only adds ~100 MB and longer queues on the SQLite write lock. Elsewhere, start from
# nproc + 1 and measure with `WEB_CONCURRENCY=N make bench`.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))

# Recycle workers now and then, so a slow leak cannot grow forever; the jitter keeps them
# from restarting together. High enough that a restart (~2 s of CPU to import the app)
# stays rare under load.
max_requests = 10_000
max_requests_jitter = 1_000

timeout = 30  # a sync worker stuck this long is killed and replaced
# Every database wait ends well before that, with a 503 and Retry-After instead of a killed
# worker: SQLite writers wait at most 5 s in the writer queue plus 5 s on SQLite's busy
# timeout (ideaboard/database.py); on PostgreSQL, lock waits end after 5 s and any statement
# after this many seconds:
os.environ.setdefault("IDEABOARD_DATABASE_STATEMENT_TIMEOUT", str(timeout - 5))
graceful_timeout = 30
keepalive = 2  # only matters if worker_class changes: sync workers close every connection

# Off by default: the reverse proxy already logs every request.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Each worker imports the app and opens its own database connections after the fork;
# a preloaded app would share SQLite handles and sockets across processes.
preload_app = False

# gunicorn ≥ 25.1 opens a control socket at one fixed path per user ($HOME/.gunicorn), so
# two instances (the app and bench/hello.py, or two sites) would take each other's. Off
# unless asked for; older gunicorn ignores these names.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# The heartbeat file lives in memory, not on a possibly slow or full disk.
HEARTBEAT_DIR = "/dev/shm"  # noqa: S108 (gunicorn creates its files there with mkstemp)
if os.path.isdir(HEARTBEAT_DIR):
    worker_tmp_dir = HEARTBEAT_DIR

# gunicorn's own lines (start-up, worker restarts, errors) as JSON too, like the app's
# (ideaboard/logs.py), unless IDEABOARD_LOG_FORMAT=text.
if os.environ.get("IDEABOARD_LOG_FORMAT", "json").strip('"') == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ideaboard.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            # Off, as without this dict: its lines carry full paths (links with tokens);
            # the app's own summary line per request replaces them.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def post_worker_init(_worker) -> None:
    """Load the search's word dictionary and character tables as each worker starts (about
    0.1 s), so that no user's first search waits for them."""
    from ideaboard.search.tokens import warm_up

    warm_up()
