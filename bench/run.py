"""Load benchmark: the app and a bare Flask "hello" under the production gunicorn config.

    python -m bench.run --tier S|M [--db sqlite|postgres] [--smoke] [--only top,vote]

Builds (or reuses) the tier's dataset, runs every scenario with wrk at 16 and 4
connections, checks the database after each write scenario, and writes the table to
bench/results/. Everything listens on 127.0.0.1 and is stopped at the end. See
bench/README.md for what each scenario measures and how to read the table.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import runpy
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode, urlsplit

from sqlalchemy import create_engine, make_url, select, text

from bench.dataset import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    DATA_DIR,
    DETAIL_COMMENTS,
    FUNDING_CHECKS,
    PAIRWISE_SLUG,
    TIERS,
    Phrases,
    bench_app,
    consistency_problems,
    default_database_url,
    ensure_dataset,
    sqlite_path,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LUA_SCRIPT = BENCH_DIR / "lua" / "scenario.lua"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET_KEY = "bench-run-" + "9b1e4c7a2f6d3e80" * 3
USER_AGENT = "ideaboard-bench"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LOCKED = "database is locked"

CONNECTIONS = (16, 4)
WARMUP_SECONDS, RUN_SECONDS, RUNS = 2, 10, 3
SMOKE_CONNECTIONS, SMOKE_SECONDS = (4,), 2
SIGNED_IN_USERS, SIGNED_IN_LEADERS = 200, 10
SMOKE_USERS, SMOKE_LEADERS = 30, 3
DEEP_POSITION = 30_000  # ~1000 pages of 30 into the top order (less on small tiers)
WRITE_TARGETS = 5_000  # votes and comments go to the top ideas
MIX = {"vote": 8, "comment": 2}  # percent; the remaining 90 % read top, detail and deep
ATTACKERS = 4  # the hostile scenario: clients sending maximum-size pathological previews
PREVIEW_LENGTH = 20_000  # the longest body the forms accept


def pathological_bodies(length: int = PREVIEW_LENGTH) -> list[str]:
    """Markdown shapes that were (or could be) expensive to render, each `length` long."""
    return [
        "a" * length,                                              # one long word
        "https://example.com/" + "a" * (length - 20),              # one long URL
        "*" * (length // 2) + "a" + "*" * (length // 2),           # nested emphasis
        "[" * length,                                              # open brackets
        "|a|b|\n|-|-|\n" + "|a|b|\n" * ((length - 12) // 6),      # a long table
        "- a\n" * (length // 4),                                   # a long list
        "[a](http://x.co) " * (length // 18),                      # many links
        "a@b.co " * (length // 7),                                 # many e-mail addresses
    ]
# a 2-character Chinese word, two Chinese words typed together, an English plural
SEARCH_TERMS = {"zh": "会议", "zh4": "报销流程", "en": "meetings"}
FUNDED_ENTRIES = 40  # ideas entered in the bench's funding round (issue 14)
ALLOCATION_POINTS = [0, 5, 10, 20, 30, 40]  # of an allowance of 100: wallets fill up fast
PG_PORT = 55433
PG_DATABASE = "ideaboard_bench"


# --- scenarios ------------------------------------------------------------------------------

@dataclass
class Context:
    """What scenarios need to know about the running bench."""
    detail_public_id: str
    deep_path: str
    deep_page: int
    round_path: str = ""  # the funding round's page (issue 14)
    plan_report_path: str = ""  # a plan's review report (issue 17)


@dataclass(frozen=True)
class Scenario:
    name: str
    measures: str
    mode: str  # what bench/lua/scenario.lua sends: hello | get | vote | comment | allocate
    #            | mixed
    server: str = "app"
    writes: bool = False
    paths: Callable[[Context], list[str]] | None = None  # for mode "get"
    readers: str = "users"  # or "leaders"
    probe: str | None = None  # GET path: a 404 means the route does not exist yet
    attackers: int = 0  # clients sending pathological previews (mode "preview") meanwhile
    # what the page it times must show: (HTML marker, at least this many); checked before
    # timing, so a scenario cannot time an empty or an error page (issue 17)
    shows: tuple[str, int] | None = None


IDEA_CARD = ('<article class="idea-card"', 20)
PLAN_SECTIONS, PLAN_CRITIQUES = 8, 200  # the plan_report scenario's plan
EMPTY_ANSWER = '{"ideas":[]}'


SCENARIOS = [
    Scenario("hello", "bare Flask under the same gunicorn: the ceiling", "hello",
             server="hello"),
    # the floor of every signed-in page: session cookie, the session row and its user, CSRF
    # and security headers around an empty answer (the compose page's similar-ideas lookup
    # with nothing typed: JSON, no query of its own; signed out it redirects to sign-in)
    Scenario("empty", "GET /ideas/similar with nothing typed: an empty signed-in response",
             "get", paths=lambda ctx: ["/ideas/similar"], shows=(EMPTY_ANSWER, 1)),
    Scenario("top", "first page of GET /ideas?sort=top", "get",
             paths=lambda ctx: ["/ideas?sort=top"], shows=IDEA_CARD),
    Scenario("deep", "a keyset page deep in the top order", "get",
             paths=lambda ctx: [ctx.deep_path], shows=IDEA_CARD),
    Scenario("detail", "GET /ideas/<id> of the idea with 50 threaded comments", "get",
             paths=lambda ctx: [f"/ideas/{ctx.detail_public_id}"],
             shows=('<li class="comment ', DETAIL_COMMENTS)),
    Scenario("search_zh", f"GET /search?q={SEARCH_TERMS['zh']} (a 2-character Chinese word)",
             "get", paths=lambda ctx: [f"/search?q={quote(SEARCH_TERMS['zh'])}"],
             probe=f"/search?q={quote(SEARCH_TERMS['zh'])}"),
    Scenario("search_zh4", f"GET /search?q={SEARCH_TERMS['zh4']} (two Chinese words typed "
             "together)", "get", paths=lambda ctx: [f"/search?q={quote(SEARCH_TERMS['zh4'])}"],
             probe=f"/search?q={quote(SEARCH_TERMS['zh4'])}"),
    Scenario("search_en", f"GET /search?q={SEARCH_TERMS['en']} (English, stemmed)", "get",
             paths=lambda ctx: [f"/search?q={quote(SEARCH_TERMS['en'])}"],
             probe=f"/search?q={quote(SEARCH_TERMS['en'])}"),
    Scenario("review", "GET /review, the leaders' queue", "get", readers="leaders",
             paths=lambda ctx: ["/review"], probe="/review", shows=("<tr class=", 1)),
    Scenario("home", "GET /, the home page", "get", paths=lambda ctx: ["/"],
             shows=('<article class="idea-card"', 1)),
    Scenario("campaign", "GET /campaigns/<slug>: a campaign's page with its ideas", "get",
             paths=lambda ctx: [f"/campaigns/{PAIRWISE_SLUG}"],
             shows=('<article class="idea-card"', 1)),
    Scenario("hostile", f"GET / while {ATTACKERS} clients POST {PREVIEW_LENGTH:,}-character "
             "pathological previews", "get", paths=lambda ctx: ["/"], attackers=ATTACKERS),
    Scenario("round", "GET /funding/<slug>: a funding round with 40 ideas and the wallet", "get",
             paths=lambda ctx: [ctx.round_path], shows=('<li class="entry-card', 40)),
    Scenario("plan_report", f"GET /campaigns/<slug>/plan/report: a plan's review report "
             f"({PLAN_CRITIQUES} rated critiques over {PLAN_SECTIONS} sections) as a leader",
             "get", readers="leaders", paths=lambda ctx: [ctx.plan_report_path],
             shows=('class="report-stances"', PLAN_SECTIONS)),
    Scenario("track_record", "GET /leadership/, leaders' track record (issue 15)", "get",
             paths=lambda ctx: ["/leadership/"], probe="/leadership/",
             shows=("leaders-table", 1)),
    Scenario("analytics", "GET /analytics/?by=department, voice-equity analytics (issue 15)",
             "get", readers="leaders", paths=lambda ctx: ["/analytics/?by=department"],
             probe="/analytics/", shows=("report-table", 1)),
    Scenario("vote", "POST /ideas/<id>/vote: new votes, changes and retractions", "vote",
             writes=True),
    Scenario("allocate", "POST /funding/<slug>/entries/<id>/points: give, change, take back "
             "(over the allowance: refused with 409)", "allocate", writes=True),
    Scenario("comment", "POST /ideas/<id>/comments with a stance", "comment", writes=True),
    # collective wisdom (issue 16): the Common ground list (scores from the fit run before
    # the servers start) and one person's answer to a pair they have not answered before
    Scenario("common", "GET /ideas?sort=common, the Common ground list", "get",
             paths=lambda ctx: ["/ideas?sort=common"], shows=('<article class="idea-card"', 1)),
    Scenario("pairwise", "POST /compare/<slug>/choose: a new pair each time, as JSON",
             "pairwise", writes=True, probe=f"/compare/{PAIRWISE_SLUG}"),
    Scenario("mixed", "90 % top/detail/deep reads, 8 % votes, 2 % comments", "mixed",
             writes=True),
]


@dataclass(frozen=True)
class Goal:
    scenario: str
    label: str
    check: Callable[[dict], bool | None]  # given the scenario's 16-connection row


GOAL_CONNECTIONS = 16
# The goals of issue 17 (which revised issue 3's ratios), as written there; "missed" is
# reported, never hidden.
GOALS = [
    Goal("empty", "empty signed-in response ≥ 0.5× hello", lambda r: r["ratio"] >= 0.5),
    Goal("top", "top ≥ 0.20× hello", lambda r: r["ratio"] >= 0.20),
    Goal("top", "top p99 ≤ 60 ms", lambda r: r["p99_ms"] <= 60),
    Goal("deep", "deep ≥ 0.20× hello", lambda r: r["ratio"] >= 0.20),
    Goal("deep", "deep p99 ≤ 60 ms", lambda r: r["p99_ms"] <= 60),
    Goal("deep", "deep ≥ 0.9× top (keyset)", lambda r: r["ratio_to_top"] >= 0.9),
    Goal("detail", "detail ≥ 0.08× hello", lambda r: r["ratio"] >= 0.08),
    Goal("review", "review ≥ 0.10× hello", lambda r: r["ratio"] >= 0.10),
    Goal("home", "home ≥ 0.15× hello", lambda r: r["ratio"] >= 0.15),
    Goal("campaign", "campaign page ≥ 0.15× hello", lambda r: r["ratio"] >= 0.15),
    Goal("search_zh", "search (Chinese) ≥ 0.08× hello", lambda r: r["ratio"] >= 0.08),
    Goal("search_zh", "search (Chinese) p99 ≤ 150 ms", lambda r: r["p99_ms"] <= 150),
    Goal("search_zh4", "search (two Chinese words) ≥ 0.08× hello",
         lambda r: r["ratio"] >= 0.08),
    Goal("search_zh4", "search (two Chinese words) p99 ≤ 150 ms", lambda r: r["p99_ms"] <= 150),
    Goal("search_en", "search (English) ≥ 0.08× hello", lambda r: r["ratio"] >= 0.08),
    Goal("search_en", "search (English) p99 ≤ 150 ms", lambda r: r["p99_ms"] <= 150),
    Goal("vote", "vote ≥ 0.12× hello", lambda r: r["ratio"] >= 0.12),
    Goal("vote", "vote p99 ≤ 100 ms", lambda r: r["p99_ms"] <= 100),
    Goal("vote", "vote: 0 errors", lambda r: r["errors"] == 0),
    Goal("vote", "vote: tallies exact", lambda r: r.get("tallies_exact")),
    # issue 13: writers queue in arrival order (SQLite: the flock writer queue)
    Goal("vote", "vote p99 ≤ 3× its p50 (writer queue)", lambda r: r["p99_ms"] <= 3 * r["p50_ms"]),
    Goal("comment", "comment p99 ≤ 3× its p50 (writer queue)",
         lambda r: r["p99_ms"] <= 3 * r["p50_ms"]),
    Goal("comment", "comment: 0 errors", lambda r: r["errors"] == 0),
    # issue 13: hostile previews do not take the home page down
    Goal("hostile", "home p99 under hostile previews ≤ 2× home p99",
         lambda r: r.get("p99_vs_home") is not None and r["p99_vs_home"] <= 2),
    Goal("allocate", "allocate: no wallet over its allowance, totals equal allocations",
         lambda r: r.get("funding_exact")),
    Goal("allocate", "allocate: 0 errors", lambda r: r["errors"] == 0),
]
FIT_RUNS, FIT_LIMIT_SECONDS = 3, 60  # the broad-support fit: slowest of 3 runs < 1 minute
SEARCH_SCENARIOS = {"search_zh": "zh", "search_zh4": "zh4", "search_en": "en"}
READ_SCENARIOS = ("empty", "top", "deep", "detail", "search_zh", "search_zh4", "search_en",
                  "review", "home", "campaign", "common", "round", "plan_report", "track_record",
                  "analytics")
GROWTH_LIMIT = 1.3  # every read page's p50 latency on tier M at most this times tier S


def latest_rows(tier: str, db: str, connections: int) -> dict[str, tuple[dict, dict]]:
    """Each scenario's newest measured row (at `connections`) on a tier and database, from
    full or partial runs (not smoke runs, nor runs without the writer queue), with the run's
    meta: a partial run of the read pages is as good a baseline as a full one."""
    runs = sorted(path for path in RESULTS_DIR.glob(f"{tier}-{db}-*.json")
                  if not path.stem.endswith(("-smoke", "-noqueue")))
    newest: dict[str, tuple[dict, dict]] = {}
    for path in runs:  # oldest first: a newer run's row replaces an older one
        result = json.loads(path.read_text())
        for row in result["rows"]:
            if row.get("connections") == connections and "skipped" not in row:
                newest[row["scenario"]] = (row, result["meta"])
    return newest


# --- plain HTTP -----------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str


def http_request(port: int, method: str, path: str, *, cookie: str = "",
                 form: dict | None = None, accept: str = "text/html") -> Reply:
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers,
                     response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


@dataclass
class SignedIn:
    user_id: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, reply: Reply) -> None:
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if match := CSRF_PATTERN.search(reply.body):
            self.csrf = match.group(1)


def sign_in(port: int, user_id: int) -> SignedIn:
    """The browser's way in: the form, its CSRF token, POST /login, then one page."""
    user = SignedIn(user_id)
    user.remember(http_request(port, "GET", "/login"))
    reply = http_request(port, "POST", "/login", cookie=user.cookie, form={
        "csrf_token": user.csrf, "email": BENCH_EMAIL.format(user_id),
        "password": BENCH_PASSWORD, "next": ""})
    if reply.status != 302:
        raise RuntimeError(f"Signing in as user {user_id} answered {reply.status}")
    user.remember(reply)
    reply = http_request(port, "GET", "/ideas", cookie=user.cookie)
    user.remember(reply)
    if reply.status != 200 or not user.csrf:
        raise RuntimeError(f"User {user_id} is not signed in after POST /login")
    return user


# --- processes ------------------------------------------------------------------------------

def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master started with the production config; stopped by its own id."""

    def __init__(self, name: str, app: str, env: dict[str, str], log_path: Path):
        self.name, self.app, self.log_path = name, app, log_path
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", str(GUNICORN_CONF), self.app], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up; see {self.log_path}")
            with suppress(OSError):
                # any answer will do: with sign in to read on, the app's "/" redirects
                if http_request(self.port, "GET", "/").status < 500:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """User + system CPU used so far by the master, its live workers, and the workers
        it has already reaped (max_requests recycles them)."""
        master, workers = self.process.pid, []
        with suppress(OSError):
            workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ticks = 0
        for pid in [master, *map(int, workers)]:
            with suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
                if pid == master:
                    ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_text(self, offset: int = 0) -> str:
        with self.log_path.open(errors="replace") as log:
            log.seek(offset)
            return log.read()

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this run started
            self.process.wait()


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: go through the `postgres` account."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


def postgres_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if not found:
        raise SystemExit("PostgreSQL binaries not found: install postgresql or set PG_BIN "
                         "(or set DATABASE_URL to use a running server).")
    return found[-1].parent


@contextmanager
def throwaway_postgres(tier: str, log: Callable[[str], None]) -> Iterator[str]:
    """A private cluster on 127.0.0.1:PG_PORT in bench/data/pg-<tier>, fsync on; yields
    the server's base URL and stops the cluster on the way out."""
    bindir, data = postgres_bin(), DATA_DIR / f"pg-{tier}"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        log(f"Creating a PostgreSQL cluster in {data}")
        subprocess.run(as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                                    "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL)
    options = (f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c fsync=on "
               f"-c unix_socket_directories={data}")
    running = subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "status"]),
                             capture_output=True).returncode == 0
    if not running:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l",
                                    str(data / "server.log"), "-o", options, "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}"
    finally:
        subprocess.run(as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                    "-w", "stop"]), stdout=subprocess.DEVNULL)


def postgres_admin(server: str, statement: str, *params) -> list[tuple]:
    """One statement on the cluster's maintenance database, outside any transaction."""
    import psycopg

    dsn = make_url(server + "/postgres").set(drivername="postgresql")
    with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as conn:
        cursor = conn.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


# --- the run --------------------------------------------------------------------------------

@dataclass
class Settings:
    tier: str
    db: str
    smoke: bool
    only: set[str] | None
    writer_queue: bool = True

    @property
    def connections(self) -> tuple[int, ...]:
        return SMOKE_CONNECTIONS if self.smoke else CONNECTIONS

    @property
    def runs(self) -> int:
        return 1 if self.smoke else RUNS

    @property
    def seconds(self) -> int:
        return SMOKE_SECONDS if self.smoke else RUN_SECONDS

    @property
    def warmup(self) -> int:
        return 0 if self.smoke else WARMUP_SECONDS


def log(message: str) -> None:
    print(message, flush=True)


def lua_literal(value) -> str:
    """Python data → Lua source (strings as escaped bytes, so any text survives)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}"
                             for b in value.encode()) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_literal(k)}] = {lua_literal(v)}"
                               for k, v in value.items()) + "}"
    return "{" + ",\n".join(lua_literal(v) for v in value) + "}"


WRK_RUNS = count(1)  # each wrk process's number: the pairwise scenario's pairs start from it


def run_wrk(server: Gunicorn, scenario: Scenario, connections: int, seconds: int,
            data_file: Path) -> dict:
    env = {**os.environ, "BENCH_MODE": scenario.mode, "BENCH_SCENARIO": scenario.name,
           "BENCH_DATA": str(data_file), "BENCH_RUN": str(next(WRK_RUNS))}
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout",
               "5s", "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{server.port}"]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=seconds + 120)
    cpu = server.cpu_seconds() - cpu_before
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line.removeprefix("BENCH_RESULT "))
            result["rps"] = result["requests"] / result["duration_s"]
            result["cpu_ms_per_request"] = (cpu * 1000 / result["requests"]
                                            if result["requests"] else None)
            if result["requests"] == 0:  # nothing answered within the run: that is a failure
                result["errors"] = max(1, result["errors"])
                result["note"] = "no response completed"
            return result
    raise RuntimeError(f"wrk gave no result for {scenario.name}:\n{done.stdout}\n{done.stderr}")


def open_funding_round(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """A round open for the whole run, with FUNDED_ENTRIES of the best-supported ideas
    entered by their authors (through the services, as in the app)."""
    from ideaboard.extensions import db
    from ideaboard.models import DivisionRule, Idea, Role, User
    from ideaboard.models.base import utcnow
    from ideaboard.models.funding import ENTRY_STATUSES
    from ideaboard.queries.ideas import idea_by_public_id
    from ideaboard.services.funding import RoundSettings, create_round, enter_idea

    owner = db.session.scalar(select(User).where(User.role == Role.LEADER).limit(1))
    now = utcnow()
    funding_round = create_round(owner, RoundSettings(
        title=f"Bench fund {now:%Y%m%d%H%M%S}", purpose="Load test", currency="CNY",
        pool_amount=500_000, pool_people_weeks=0, allowance=100,
        division_rule=DivisionRule.QUADRATIC, min_backers=5, answer_days=14,
        hide_totals_until_close=False, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30)))
    ideas = list(db.session.execute(select(Idea.public_id, Idea.author_id).where(
        Idea.deleted_at.is_(None), Idea.hidden_at.is_(None), Idea.is_anonymous.is_(False),
        Idea.status.in_(ENTRY_STATUSES)).order_by(Idea.score.desc()).limit(FUNDED_ENTRIES)))
    entries = []
    for public_id, author_id in ideas:
        entry = enter_idea(db.session.get(User, author_id), funding_round,
                           idea_by_public_id(public_id), ask_amount=rng.randint(5, 60) * 1000,
                           ask_people_weeks=0, first_milestone="A pilot")
        entries.append((entry.id, author_id))
    return funding_round.slug, entries


def open_plan_review(rng: random.Random, critics: list[int]) -> str:
    """A plan under review with PLAN_SECTIONS sections and a critique, rated on every
    criterion of the rubric, by each of `critics` (through the services, as in the app);
    its review report is the plan_report scenario's page."""
    from ideaboard.extensions import db
    from ideaboard.models import (
        Anonymity,
        CampaignKind,
        Criterion,
        CritiqueStance,
        Role,
        Section,
        User,
    )
    from ideaboard.models.base import utcnow
    from ideaboard.services.campaigns import create_campaign
    from ideaboard.services.plans import post_critique, save_plan

    owner = db.session.scalar(select(User).where(User.role == Role.LEADER).limit(1))
    now = utcnow()
    campaign = create_campaign(
        owner, title=f"Bench plan {now:%Y%m%d%H%M%S}", description="Load test",
        kind=CampaignKind.PLAN_REVIEW, anonymity=Anonymity.OPTIONAL,
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=30))
    document = "\n\n".join(f"## Part {n + 1}\n\nWhat we will do in part {n + 1}, and why."
                            for n in range(PLAN_SECTIONS))
    plan = save_plan(owner, campaign, None, title="Bench plan", document=document,
                     introduction="Introduction")
    sections = list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)))
    criteria = list(db.session.scalars(select(Criterion).where(Criterion.plan_id == plan.id)))
    for n, critic_id in enumerate(critics):
        post_critique(db.session.get(User, critic_id), campaign, sections[n % len(sections)],
                      stance=rng.choice(list(CritiqueStance)),
                      body=f"Critique {n}: the numbers in this part need a second look.",
                      ratings={c.id: rng.randint(1, 5) for c in criteria},
                      anonymous=n % 3 == 0)
    return campaign.slug


class Bench:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.tier = settings.tier
        self.work_dir = DATA_DIR / f"run-{self.tier}-{settings.db}"
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.servers: list[Gunicorn] = []
        self.rows: dict[tuple[str, int], dict] = {}
        self.skipped: dict[str, str] = {}
        self.sql_counts: dict[str, str] = {}
        self.gates: dict[str, dict[str, object]] = {}
        self.dataset: dict[str, str] = {}
        self.database_note = ""
        self.attack_results: dict[tuple[str, int], dict] = {}
        self.fit: dict | None = None  # the broad-support fit's measurement (issue 16)
        self.pairwise_ideas: list[str] = []

    # database

    def prepare_sqlite(self) -> str:
        self.dataset = ensure_dataset(self.tier, log=log)
        source = sqlite_path(default_database_url(self.tier))
        target = self.work_dir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        started = time.monotonic()
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        log(f"Working copy {target} ({time.monotonic() - started:.1f} s); "
            "the dataset file stays pristine")
        self.database_note = "SQLite working copy of bench/data/tier-" + self.tier + ".sqlite3"
        return f"sqlite:///{target}"

    def prepare_postgres(self, server: str | None) -> str:
        if os.environ.get("DATABASE_URL"):
            from ideaboard.config import normalise_database_url

            url = normalise_database_url(os.environ["DATABASE_URL"])
            self.dataset = ensure_dataset(self.tier, url, log=log)
            self.database_note = ("PostgreSQL from DATABASE_URL (writes of earlier runs "
                                  "accumulate there)")
            return url
        dataset_db = f"{PG_DATABASE}_{self.tier.lower()}"
        if not postgres_admin(server, "SELECT 1 FROM pg_database WHERE datname = %s",
                              dataset_db):
            postgres_admin(server, f"CREATE DATABASE {dataset_db}")
        self.dataset = ensure_dataset(self.tier, f"{server}/{dataset_db}", log=log)
        run_db = f"{dataset_db}_run"
        postgres_admin(server, f"DROP DATABASE IF EXISTS {run_db} WITH (FORCE)")
        postgres_admin(server, f"CREATE DATABASE {run_db} TEMPLATE {dataset_db}")
        self.database_note = (f"throwaway PostgreSQL cluster on 127.0.0.1:{PG_PORT} "
                              f"(bench/data/pg-{self.tier}), fsync on; a fresh copy per run")
        return f"{server}/{run_db}"

    # servers

    def start_servers(self, database_url: str) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("IDEABOARD_", "GUNICORN_")) and k not in (
                   "DATABASE_URL", "PORT")}
        app_env = {**env, "IDEABOARD_SECRET_KEY": SECRET_KEY, "IDEABOARD_ENV_NAME": "production",
                   "IDEABOARD_RATELIMIT_ENABLED": "false", "IDEABOARD_SQL_COUNT_HEADER": "true",
                   "IDEABOARD_SQLITE_WRITER_QUEUE": "true" if self.settings.writer_queue
                   else "false"}
        if self.settings.db == "sqlite":
            app_env["IDEABOARD_SQLALCHEMY_DATABASE_URI"] = database_url
        else:
            app_env["DATABASE_URL"] = database_url
        self.app = Gunicorn("app", "wsgi:app", app_env, self.work_dir / "app.log")
        self.hello = Gunicorn("hello", "bench.hello:app", env, self.work_dir / "hello.log")
        self.servers = [self.app, self.hello]
        for server in self.servers:
            server.start()
        for server in self.servers:
            server.wait_ready()
        log(f"gunicorn up: app on :{self.app.port}, hello on :{self.hello.port} "
            f"({self.workers()} sync workers each)")

    def workers(self) -> int:
        return runpy.run_path(str(GUNICORN_CONF))["workers"]

    def stop_servers(self) -> None:
        for server in self.servers:
            server.stop()

    # who and what

    def prepare_load(self, database_url: str) -> Context:
        from ideaboard.extensions import db
        from ideaboard.models import Campaign, Idea, Role, User
        from ideaboard.queries.ideas import encode_cursor, listed_ideas

        rng = random.Random(7)
        app = bench_app(database_url)
        with app.app_context():
            round_slug, entries = open_funding_round(rng)
            critics = list(db.session.scalars(
                select(User.id).where(User.role == Role.EMPLOYEE).order_by(User.id)
                .limit(PLAN_CRITIQUES)))
            plan_slug = open_plan_review(rng, critics)
            top = listed_ideas(None).order_by(Idea.score.desc(), Idea.id.desc())
            listed = db.session.scalar(select(db.func.count()).select_from(top.subquery()))
            position = min(DEEP_POSITION, listed - 2 * app.config["PAGE_SIZE"])
            after = db.session.scalars(top.offset(position - 1).limit(1)).one()
            cursor = encode_cursor("top", after)
            detail = self.dataset["detail_public_id"]
            targets = [(pid, author) for pid, author in db.session.execute(
                select(Idea.public_id, Idea.author_id).where(Idea.deleted_at.is_(None))
                .order_by(Idea.score.desc(), Idea.id.desc()).limit(WRITE_TARGETS + 1))
                if pid != detail][:WRITE_TARGETS]
            people = db.session.execute(select(User.id, User.role)).all()
            pairwise_ideas = list(db.session.scalars(
                select(Idea.public_id).join(Campaign, Campaign.id == Idea.campaign_id)
                .where(Campaign.slug == PAIRWISE_SLUG).order_by(Idea.id)))
            db.engine.dispose()
        employees = [uid for uid, role in people if role == Role.EMPLOYEE]
        leaders = [uid for uid, role in people if role == Role.LEADER]
        want_users, want_leaders = ((SMOKE_USERS, SMOKE_LEADERS) if self.settings.smoke
                                    else (SIGNED_IN_USERS, SIGNED_IN_LEADERS))
        chosen = rng.sample(employees, want_users) + rng.sample(leaders, want_leaders)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            signed_in = list(pool.map(lambda uid: sign_in(self.app.port, uid), chosen))
        log(f"Signed in {len(signed_in)} users ({want_leaders} leaders) in "
            f"{time.monotonic() - started:.1f} s")
        self.users = signed_in[:want_users]
        self.leaders = signed_in[want_users:]
        self.targets = targets
        phrases = Phrases(rng)
        context = Context(detail_public_id=detail, deep_path=f"/ideas?sort=top&after={cursor}",
                          deep_page=position // app.config["PAGE_SIZE"] + 1,
                          round_path=f"/funding/{round_slug}",
                          plan_report_path=f"/campaigns/{plan_slug}/plan/report")
        self.round_slug, self.entries = round_slug, entries

        def lua_user(user: SignedIn) -> dict:
            return {"id": user.user_id, "cookie": user.cookie, "csrf": user.csrf}

        self.paths = {s.name: [self.canonical(path) for path in s.paths(context)]
                      for s in SCENARIOS if s.paths}
        paths = {**self.paths,
                 "mixed": self.paths["top"] + self.paths["detail"] + self.paths["deep"]}
        data = {
            "user_agent": USER_AGENT,
            "users": [lua_user(u) for u in self.users],
            "readers": {s.name: [lua_user(u) for u in self.leaders]  # leaders-only pages
                        for s in SCENARIOS if s.readers == "leaders"},
            "ideas": [{"id": pid, "author": author} for pid, author in targets],
            "paths": paths,
            "vote_values": ["support", "support", "support", "oppose", "oppose", "retract"],
            "stances": ["for", "against", "neutral"],
            "comment_bodies": [quote_plus(phrases.comment(lang))
                               for lang in ("en", "zh") * 40],
            "preview_bodies": [quote_plus(body) for body in pathological_bodies()],
            "mix": MIX,
            "pairwise": {"slug": PAIRWISE_SLUG, "ideas": pairwise_ideas,
                         "n": len(pairwise_ideas)},
            "round": round_slug,
            "entries": [{"id": entry_id, "author": author} for entry_id, author in entries],
            "points_values": ALLOCATION_POINTS,
        }
        self.pairwise_ideas = pairwise_ideas
        self.data_file = self.work_dir / "data.lua"
        self.data_file.write_text("return " + lua_literal(data) + "\n")
        log(f"Deep page: position {position:,} of {listed:,} listed ideas "
            f"(page {context.deep_page}); detail idea {detail}")
        return context

    def canonical(self, path: str) -> str:
        """The path the app really serves (after a permanent redirect such as /review →
        /review/), so wrk measures the page rather than the redirect."""
        reply = http_request(self.app.port, "GET", path, cookie=self.leaders[0].cookie)
        if reply.status not in (301, 308) or not reply.headers.get("Location"):
            return path
        target = urlsplit(reply.headers["Location"])
        return target.path + (f"?{target.query}" if target.query else "")

    # measuring

    def sql_count(self, scenario: Scenario) -> str:
        """X-SQL-Count of one request of the scenario, sent from Python."""
        rng = random.Random(scenario.name)
        user = rng.choice(self.leaders if scenario.readers == "leaders" else self.users)
        if scenario.mode == "get":
            counts = [http_request(self.app.port, "GET", path, cookie=user.cookie)
                      .headers.get("X-SQL-Count", "?") for path in self.paths[scenario.name]]
            return "/".join(counts)
        if scenario.mode == "pairwise":  # pair 0–1: never one of the Lua script's pairs
            reply = http_request(self.app.port, "POST", f"/compare/{PAIRWISE_SLUG}/choose",
                                 cookie=user.cookie, accept="application/json", form={
                                     "csrf_token": user.csrf, "left": self.pairwise_ideas[0],
                                     "right": self.pairwise_ideas[1], "choice": "left"})
            return reply.headers.get("X-SQL-Count", "?")
        if scenario.mode in ("vote", "comment"):
            pid = next(p for p, author in self.targets if author != user.user_id)
            form = ({"value": "support"} if scenario.mode == "vote"
                    else {"body": "Counting statements.", "stance": "neutral"})
            path = f"/ideas/{pid}/vote" if scenario.mode == "vote" else f"/ideas/{pid}/comments"
            reply = http_request(self.app.port, "POST", path, cookie=user.cookie,
                                 form={"csrf_token": user.csrf, **form},
                                 accept="application/json")
            return reply.headers.get("X-SQL-Count", "?")
        if scenario.mode == "allocate":
            entry_id = next(e for e, author in self.entries if author != user.user_id)
            reply = http_request(self.app.port, "POST",
                                 f"/funding/{self.round_slug}/entries/{entry_id}/points",
                                 cookie=user.cookie,
                                 form={"csrf_token": user.csrf, "points": "5"},
                                 accept="application/json")
            return reply.headers.get("X-SQL-Count", "?")
        return "—"

    def route_missing(self, scenario: Scenario) -> bool:
        if not scenario.probe:
            return False
        user = (self.leaders or self.users)[0] if scenario.readers == "leaders" else self.users[0]
        return http_request(self.app.port, "GET", scenario.probe,
                            cookie=user.cookie).status == 404

    @contextmanager
    def attack(self, scenario: Scenario, connections: int, seconds: float) -> Iterator[None]:
        """Clients sending pathological previews for the whole measurement (their own wrk)."""
        if not scenario.attackers:
            yield
            return
        env = {**os.environ, "BENCH_MODE": "preview", "BENCH_SCENARIO": scenario.name,
               "BENCH_DATA": str(self.data_file)}
        attacker = subprocess.Popen(
            ["wrk", "-t1", f"-c{scenario.attackers}", f"-d{int(seconds) + 2}s", "--timeout",
             "30s", "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{self.app.port}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)  # let the attackers saturate first
        try:
            yield
        finally:  # wrk prints its summary only at the end of its run: let it finish
            try:
                output, _ = attacker.communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                attacker.kill()
                output, _ = attacker.communicate()
            for line in output.splitlines():
                if line.startswith("BENCH_RESULT "):
                    result = json.loads(line.removeprefix("BENCH_RESULT "))
                    self.attack_results[(scenario.name, connections)] = result

    def measure(self, scenario: Scenario) -> None:
        if self.route_missing(scenario):
            self.skipped[scenario.name] = "route not present yet"
            log(f"{scenario.name:<8} skipped: route not present yet")
            return
        server = self.hello if scenario.server == "hello" else self.app
        if scenario.server == "app":
            self.sql_counts[scenario.name] = self.sql_count(scenario)
        if scenario.name in SEARCH_SCENARIOS:
            self.gates[scenario.name] = self.search_results(scenario)
        elif scenario.shows:
            self.gates[scenario.name] = self.page_shows(scenario)
        log_offset = self.app.log_size()
        settings = self.settings
        for connections in settings.connections:
            with self.attack(scenario, connections,
                             settings.warmup + settings.runs * (settings.seconds + 1)):
                if settings.warmup:
                    run_wrk(server, scenario, connections, settings.warmup, self.data_file)
                runs = [run_wrk(server, scenario, connections, settings.seconds,
                                self.data_file) for _ in range(settings.runs)]
            cpu = [r["cpu_ms_per_request"] for r in runs if r["cpu_ms_per_request"]]
            row = {
                "rps": statistics.median(r["rps"] for r in runs),
                "cpu_ms": statistics.median(cpu) if cpu else None,
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "requests": sum(r["requests"] for r in runs),
                "runs": runs,
            }
            self.rows[(scenario.name, connections)] = row
            log(f"{scenario.name:<8} c={connections:<3} {row['rps']:8.1f} req/s  "
                f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
                f"errors {row['errors']}")
        if scenario.writes:
            self.gates[scenario.name] = self.integrity(log_offset)

    def search_results(self, scenario: Scenario) -> dict[str, object]:
        """What a search scenario finds: results on the page it times, and every document
        of the index that matches (counted in the database); it must find something."""
        from ideaboard.search.query import match_expression
        from ideaboard.search.tokens import parse_query

        reply = http_request(self.app.port, "GET", scenario.probe, cookie=self.users[0].cookie)
        shown = reply.body.count('class="search-hit"')
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                terms = parse_query(SEARCH_TERMS[SEARCH_SCENARIOS[scenario.name]]).required
                match = match_expression(conn.dialect.name, all_of=terms)
                matching = conn.scalar(text(
                    "SELECT count(*) FROM search_fts WHERE search_fts MATCH :match"
                    if conn.dialect.name == "sqlite" else
                    "SELECT count(*) FROM search_document WHERE visible "
                    "AND terms_vector @@ CAST(:match AS tsquery)"), {"match": match})
        finally:
            engine.dispose()
        log(f"{scenario.name:<8} finds {matching:,} documents, {shown} on the page it times")
        return {"results on the page": shown, "documents matching": matching,
                "returns results": shown > 0}

    def page_shows(self, scenario: Scenario) -> dict[str, object]:
        """What the timed page shows, fetched once as the scenario's reader: a benchmark of
        an error page or of an empty list would measure nothing."""
        marker, least = scenario.shows
        user = self.leaders[0] if scenario.readers == "leaders" else self.users[0]
        counts = []
        for path in self.paths[scenario.name]:
            reply = http_request(self.app.port, "GET", path, cookie=user.cookie)
            counts.append(reply.body.count(marker) if reply.status == 200 else -reply.status)
        log(f"{scenario.name:<8} shows {counts} × {marker!r} (at least {least} expected)")
        return {f"{marker} on the page": min(counts),
                "shows what it should": min(counts) >= least}

    def integrity(self, log_offset: int) -> dict[str, object]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                problems = consistency_problems(conn, tags=False)
        finally:
            engine.dispose()
        errors_log = self.app.log_text(log_offset)
        gates: dict[str, object] = {name: count == 0 for name, count in problems.items()}
        gates[f'no "{LOCKED}" in the error log'] = LOCKED not in errors_log
        gates["no tracebacks in the error log"] = "Traceback" not in errors_log
        path = sqlite_path(self.database_url)
        if path is not None:
            wal = Path(str(path) + "-wal")
            gates["WAL size (MB)"] = round(wal.stat().st_size / 1e6, 1) if wal.exists() else 0
        failed = [name for name, ok in gates.items() if ok is False]
        log(f"         integrity: {'FAILED ' + ', '.join(failed) if failed else 'all exact'}")
        return gates

    # the whole thing

    def run(self) -> int:
        settings = self.settings
        log(f"Tier {self.tier} on {settings.db}{' (smoke)' if settings.smoke else ''}")
        with self.database() as database_url:
            self.database_url = database_url
            self.load_before = os.getloadavg()[0]
            cpu = CpuMeter()
            self.measure_fit(database_url)
            try:
                self.start_servers(database_url)
                context = self.prepare_load(database_url)
                for scenario in SCENARIOS:
                    if settings.only and scenario.name not in settings.only | {"hello"}:
                        continue
                    self.measure(scenario)
            finally:
                self.stop_servers()
            self.others_cpu = cpu.others_share()
        report = self.report(context)
        print()
        print(report["markdown"])
        self.save(report)
        if self.failed_gates() or (settings.smoke and self.errored_scenarios()):
            log("FAILED: " + ", ".join(self.failed_gates() + self.errored_scenarios()))
            return 1
        return 0

    @contextmanager
    def database(self) -> Iterator[str]:
        if self.settings.db == "sqlite":
            yield self.prepare_sqlite()
        elif os.environ.get("DATABASE_URL"):
            yield self.prepare_postgres(None)
        else:
            with throwaway_postgres(self.tier, log) as server:
                url = self.prepare_postgres(server)
                yield url

    def measure_fit(self, database_url: str) -> None:
        """The broad-support fit on this working copy, before the servers start (so the
        Common ground list has scores): FIT_RUNS runs, with another process taking the write
        lock every 25 ms meanwhile (bench/fit.py)."""
        from bench.fit import measure_fit

        self.fit = None
        if self.settings.only and "fit" not in self.settings.only and \
                "common" not in self.settings.only:
            return
        log("Broad-support fit:")
        measurement = measure_fit(database_url, self.tier, 1 if self.settings.smoke
                                  else FIT_RUNS, log=log)
        self.fit = {"summary": measurement.summary(),
                    "runs": [vars(run) for run in measurement.runs]}

    def failed_gates(self) -> list[str]:
        return [f"{scenario}: {name}" for scenario, gates in self.gates.items()
                for name, ok in gates.items() if ok is False]

    def errored_scenarios(self) -> list[str]:
        return [f"{name} c={c}: {row['errors']} errors" for (name, c), row in self.rows.items()
                if row["errors"]]

    # reporting

    def table_rows(self) -> list[dict]:
        rows = []
        for scenario in SCENARIOS:
            if scenario.name in self.skipped:
                rows.append({"scenario": scenario.name, "skipped": self.skipped[scenario.name]})
                continue
            for connections in self.settings.connections:
                row = self.rows.get((scenario.name, connections))
                if row is None:
                    continue
                hello = self.rows.get(("hello", connections))
                top = self.rows.get(("top", connections))
                gates = self.gates.get(scenario.name, {})
                rows.append({
                    "scenario": scenario.name, "connections": connections,
                    "rps": round(row["rps"], 1),
                    "ratio": round(row["rps"] / hello["rps"], 3) if hello else None,
                    "ratio_to_top": round(row["rps"] / top["rps"], 3) if top else None,
                    "cpu_ms": round(row["cpu_ms"], 2) if row["cpu_ms"] else None,
                    "cpu_ratio": (round(hello["cpu_ms"] / row["cpu_ms"], 3)
                                  if hello and hello["cpu_ms"] and row["cpu_ms"] else None),
                    "p50_ms": round(row["p50_ms"], 1), "p99_ms": round(row["p99_ms"], 1),
                    "sql": self.sql_counts.get(scenario.name, "—"),
                    "errors": row["errors"], "requests": row["requests"],
                    "tallies_exact": gates.get("tallies != vote rows") if gates else None,
                    "funding_exact": all(gates.get(name) for name in FUNDING_CHECKS)
                    if gates else None,
                    "runs": row["runs"]})
                home = self.rows.get(("home", connections))
                if scenario.attackers and home:
                    rows[-1]["p99_vs_home"] = round(row["p99_ms"] / home["p99_ms"], 2)
                    rows[-1]["attackers"] = self.attack_results.get((scenario.name, connections))
        return rows

    def goal_checks(self, rows: list[dict]) -> list[dict]:
        by_scenario = {r["scenario"]: r for r in rows
                       if r.get("connections") == GOAL_CONNECTIONS or "skipped" in r}
        checks = []
        for goal in GOALS:
            row = by_scenario.get(goal.scenario)
            if row is None or "skipped" in row:
                status = "not measured" if row is None else "skipped (route not present yet)"
            else:
                status = "met" if goal.check(row) else "missed"
            checks.append({"goal": goal.label, "status": status})
        return checks + self.cross_tier_checks(by_scenario) + self.fit_checks()

    def fit_checks(self) -> list[dict]:
        label = (f"broad-support fit < {FIT_LIMIT_SECONDS} s on tier M (slowest run), the "
                 "write lock never held while computing")
        if not self.fit:
            return [{"goal": label, "status": "not measured"}]
        summary = self.fit["summary"]
        held = summary["longest_lock_wait_ms"]
        if self.tier != "M":
            return [{"goal": label,
                     "status": f"tier {self.tier}: {summary['max_s']} s (orientation)"}]
        ok = summary["max_s"] < FIT_LIMIT_SECONDS and (held is None or held < 1000)
        return [{"goal": label, "status": (
            f"{'met' if ok else 'missed'} ({summary['min_s']}–{summary['max_s']} s over "
            f"{summary['runs']} runs; other writers waited at most "
            f"{'n/a' if held is None else f'{held:.0f} ms'})")}]

    def cross_tier_checks(self, by_scenario: dict[str, dict]) -> list[dict]:
        """Cost must not grow with the data: this tier-M run against each page's newest tier-S
        measurement on the same database (run `make bench` before `make bench TIER=M`)."""
        if self.tier != "M" or self.settings.smoke:
            return []
        growth = f"every read page's p50 latency on M ≤ {GROWTH_LIMIT}× tier S"
        same_sql = "SQL statements per request the same on S and M (every read scenario)"
        small = latest_rows("S", self.settings.db, GOAL_CONNECTIONS)
        compared = [name for name in READ_SCENARIOS
                    if name in by_scenario and name in small and "skipped" not in by_scenario[name]]
        if not compared:
            missing = ("not measured (no tier S run of these pages on this database in "
                       "bench/results)")
            return [{"goal": growth, "status": missing}, {"goal": same_sql, "status": missing}]
        small_rows = {name: small[name][0] for name in compared}
        source = "tier S " + ", ".join(sorted({
            f"run {meta['date']}, commit {meta['commit']}" for _row, meta in (
                small[name] for name in compared)}))
        factors = {name: by_scenario[name]["p50_ms"] / small_rows[name]["p50_ms"]
                   for name in compared if small_rows[name].get("p50_ms")}
        grown = {name: factor for name, factor in factors.items() if factor > GROWTH_LIMIT}
        listing = ", ".join(f"{name} {factor:.2f}×"
                            for name, factor in (grown or factors).items())
        checks = [{"goal": growth, "status": (
            "not measured (no read scenario in both runs)" if not factors
            else f"{'missed' if grown else 'met'} ({listing}; {source})")}]
        differing = [f"{name} {small_rows[name]['sql']}→{by_scenario[name]['sql']}"
                     for name in compared
                     if by_scenario[name].get("sql") != small_rows[name].get("sql")]
        checks.append({"goal": same_sql, "status": (
            f"missed ({', '.join(differing)}; {source})" if differing else f"met ({source})")})
        return checks

    def report(self, context: Context) -> dict:
        rows = self.table_rows()
        goals = self.goal_checks(rows)
        meta = machine() | {
            "date": datetime.now().isoformat(timespec="seconds"),
            "commit": git_commit(), "tier": self.tier, "db": self.settings.db,
            "database": self.database_note, "smoke": self.settings.smoke,
            "workers": self.workers(), "worker_class": "sync",
            "writer_queue": self.settings.writer_queue,
            "dataset": {k: v for k, v in self.dataset.items() if k != "password"},
            "deep_page": context.deep_page,
            "load_before": round(self.load_before, 2),
            "nice": os.nice(0),
            "others_cpu_share": round(self.others_cpu, 3),
            "runs": f"{self.settings.runs} × {self.settings.seconds} s after "
                    f"{self.settings.warmup} s warm-up, wrk -t2, "
                    f"{'/'.join(map(str, self.settings.connections))} connections",
        }
        return {"meta": meta, "rows": rows, "goals": goals, "gates": self.gates,
                "fit": self.fit,
                "markdown": markdown(meta, rows, goals, self.gates, self.tier, self.fit)}

    def save(self, report: dict) -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        suffix = ("-smoke" if self.settings.smoke else "") + (
            "" if self.settings.writer_queue else "-noqueue")
        if self.settings.only:  # a partial run never stands in for the latest full one
            suffix += "-only-" + "-".join(sorted(self.settings.only))
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        name = f"{self.tier}-{self.settings.db}-{stamp}{suffix}"
        (RESULTS_DIR / f"{name}.json").write_text(json.dumps(
            {k: v for k, v in report.items() if k != "markdown"}, indent=2,
            ensure_ascii=False) + "\n")
        latest = RESULTS_DIR / f"latest-{self.tier}-{self.settings.db}{suffix}.md"
        latest.write_text(report["markdown"])
        log(f"Results: bench/results/{name}.json and {latest.relative_to(ROOT)}")


class CpuMeter:
    """How much of the machine went to processes outside this run (other sessions, cron…).

    Busy time from /proc/stat minus this process and its waited-for children (gunicorn
    masters with their workers, wrk); read it after the servers have been stopped.
    """

    def __init__(self):
        self.start_busy, self.start_ours = self._busy(), self._ours()
        self.started = time.monotonic()

    @staticmethod
    def _busy() -> float:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _ours() -> float:
        return sum(os.times()[:4])

    def others_share(self) -> float:
        capacity = (time.monotonic() - self.started) * len(os.sched_getaffinity(0))
        others = (self._busy() - self.start_busy) - (self._ours() - self.start_ours)
        return max(0.0, others / capacity) if capacity else 0.0


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal")), 0)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu,
            "ram_gib": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "wrk": wrk.strip()}


def git_commit() -> str:
    """HEAD's short hash, read from .git without running git (also in a worktree, whose
    .git is a file naming its own directory; branches live in the common one)."""
    git = common = ROOT / ".git"
    try:
        if git.is_file():
            git = Path(git.read_text().split("gitdir:", 1)[1].strip())
            common = (git / (git / "commondir").read_text().strip()).resolve()
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head.removeprefix("ref: ")
        if (common / ref).exists():
            return (common / ref).read_text().strip()[:7]
        for line in (common / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line[:7]
    except (OSError, IndexError):
        pass
    return "unknown"


def markdown(meta: dict, rows: list[dict], goals: list[dict], gates: dict, tier: str,
             fit: dict | None = None) -> str:
    lines = [
        f"# Benchmark: tier {meta['tier']} on {meta['db']}"
        f"{' (smoke)' if meta['smoke'] else ''}", "",
        f"- Machine: {meta['nproc']} CPUs ({meta['cpu']}), {meta['ram_gib']} GiB RAM",
        f"- Date: {meta['date']}; commit {meta['commit']}",
        f"- Tier {tier}: " + ", ".join(f"{meta['dataset'].get(k, '?')} {k}" for k in
                                     ("users", "ideas", "votes", "comments"))
        + f" (dataset built in {meta['dataset'].get('build_seconds', '?')} s)",
        f"- Database: {meta['database']}",
        f"- Server: gunicorn -c gunicorn.conf.py, {meta['workers']} {meta['worker_class']} "
        f"workers; Python {meta['python']}, SQLite {meta['sqlite']}, {meta['wrk']}"
        + ("" if meta.get("writer_queue", True) else "; SQLite writer queue OFF (busy polling)"),
        f"- Runs: {meta['runs']}; req/s, p50 and p99 are medians over runs; errors are summed",
        f"- Deep page: page {meta['deep_page']} of the top order",
        f"- Other work on the machine: load average {meta['load_before']} before the run; "
        f"{meta['others_cpu_share']:.0%} of all CPU time during it went to processes outside "
        "this run" + (" (including the PostgreSQL server)" if meta["db"] == "postgres"
                      else "") + (" — figures are disturbed" if meta["others_cpu_share"] > 0.05
                                  and meta["db"] == "sqlite" else "")
        + (f"; this run had scheduling priority nice {meta['nice']}" if meta["nice"] else ""),
        "",
        "| scenario | conns | req/s | × hello | p50 ms | p99 ms | SQL/req | errors "
        "| server CPU ms/req | × hello by CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def number(value: float | None, digits: int) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    for row in rows:
        if "skipped" in row:
            lines.append(f"| {row['scenario']} | | | | | | | skipped: {row['skipped']} | | |")
            continue
        lines.append(f"| {row['scenario']} | {row['connections']} | {row['rps']:.0f} | "
                     f"{number(row['ratio'], 2)} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                     f"{row['sql']} | {row['errors']} | {number(row['cpu_ms'], 2)} | "
                     f"{number(row['cpu_ratio'], 2)} |")
    for row in rows:
        if row.get("p99_vs_home") is None:
            continue
        attack = row.get("attackers") or {"requests": 0, "http_errors": 0, "p50_ms": 0}
        lines += ["", f"Hostile previews, {row['connections']} readers: home p99 "
                  f"{row['p99_ms']:.1f} ms with {ATTACKERS} attackers, "
                  f"{row['p99_vs_home']:.2f}× its p99 without them; the attackers sent "
                  f"{attack['requests']} previews, {attack['requests'] - attack['http_errors']} "
                  f"rendered and {attack['http_errors']} refused as busy (p50 "
                  f"{attack['p50_ms']:.0f} ms)."]
    lines += ["", "## Goals (tier M, 16 connections)", ""]
    if tier != "M":
        lines += [f"Tier {tier} is not the goal tier; shown for orientation only.", ""]
    lines += ["| goal | status |", "|---|---|"]
    lines += [f"| {g['goal']} | {g['status']} |" for g in goals]
    if fit:
        f = fit["summary"]
        lines += ["", "## Broad-support fit (flask fit-broad-support)", "",
                  f"{f['votes']:,} votes; {f['scored']:,} ideas scored ({f['badges']:,} at "
                  f"common ground); {f['sweeps']} sweeps"
                  f"{'' if f['converged'] else ' (stopped at the cap)'}. Run before the "
                  "servers start, with another process taking the write lock every 25 ms.", "",
                  "| runs | total s (median) | min–max s | load s | fit s | write s "
                  "| longest write transaction ms | longest wait of another writer ms |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {f['runs']} | {f['median_s']} | {f['min_s']}–{f['max_s']} | "
                  f"{f['load_s']} | {f['fit_s']} | {f['write_s']} | "
                  f"{f['longest_write_transaction_ms']} | "
                  f"{'n/a' if f['longest_lock_wait_ms'] is None else f['longest_lock_wait_ms']} |"]
    if gates:
        lines += ["", "## Integrity after each write scenario; what each search finds", "",
                  "| scenario | check | result |", "|---|---|---|"]
        for scenario, checks in gates.items():
            for name, value in checks.items():
                shown = ("ok" if value else "FAILED") if isinstance(value, bool) else value
                lines.append(f"| {scenario} | {name} | {shown} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="postgres uses DATABASE_URL if set, else a throwaway cluster")
    parser.add_argument("--smoke", action="store_true",
                        help="CI check: tier S, one 2 s run at 4 connections per scenario; "
                             "fails on any error or integrity problem")
    parser.add_argument("--only", default="",
                        help="comma-separated scenarios to run (hello always runs); "
                             "\"fit\" is the broad-support fit, measured before the servers "
                             "start (also with \"common\")")
    parser.add_argument("--no-writer-queue", action="store_true",
                        help="SQLite writers poll on the busy timeout instead of queueing "
                             "(to measure what the writer queue changes)")
    args = parser.parse_args(argv)
    names = {s.name for s in SCENARIOS} | {"fit"}  # fit: the broad-support job alone
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    if only and not only <= names:
        parser.error(f"unknown scenario(s): {', '.join(sorted(only - names))}")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    # `kill` stops a run the way Ctrl-C does: the finally blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tier = "S" if args.smoke else args.tier
    if args.smoke and args.tier != "S":
        log("--smoke always uses tier S")
    return Bench(Settings(tier=tier, db=args.db, smoke=args.smoke, only=only,
                          writer_queue=not args.no_writer_queue)).run()


if __name__ == "__main__":
    sys.exit(main())
