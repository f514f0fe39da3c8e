"""Benchmark dataset: people, ideas, votes and threaded comments at a chosen size.

    python -m bench.dataset --tier S|M [--database-url URL] [--force]

Writes into its own database (by default bench/data/tier-<T>.sqlite3), never the app's.
The schema comes from the real migrations; rows go in as bulk Core inserts, one
transaction per table, with every denormalised column (tallies, score, hot,
comment_count, tag_names, use_count) computed to match the rows. A `bench_dataset`
table written last marks a finished build, so asking again for the same tier is a no-op.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import math
import random
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    inspect,
    make_url,
    select,
    text,
)
from werkzeug.security import generate_password_hash

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
DATASET_VERSION = 8  # 5: pairwise (16), 6: search index (18), 7: both, 8: analytics rollup
BENCH_PASSWORD = "bench-password"
BENCH_SECRET_KEY = "bench-" + "5f0c2a9e7d3b4618" * 3
BENCH_EMAIL = "user{}@example.com"
DETAIL_COMMENTS = 50  # the idea the `detail` scenario opens has exactly this many
CHUNK_ROWS = 20_000
YEARS_OF_HISTORY = 2
PAIRWISE_SLUG = "bench-which-would-help-more"
PAIRWISE_IDEAS = 201  # odd: bench/lua/scenario.lua walks distinct pairs with it
PAIRWISE_CHOICES_PER_VOTE = 0.03  # choices already made (by leaders only): 3,000 on S, 30,000 on M


@dataclass(frozen=True)
class Tier:
    users: int
    ideas: int
    votes: int
    comments: int


TIERS = {
    "S": Tier(users=1_000, ideas=10_000, votes=100_000, comments=20_000),
    "M": Tier(users=10_000, ideas=100_000, votes=1_000_000, comments=300_000),
}

MARKER = Table("bench_dataset", MetaData(),
               Column("key", String(40), primary_key=True),
               Column("value", Text, nullable=False))


# --- words ----------------------------------------------------------------------------------
# Chinese sentences are built from real two- and three-character words so that search can
# later be measured on terms such as 会议, 流程 or 供应链 sitting inside running text.

EN_NOUNS = [  # (singular, plural)
    ("meeting", "meetings"), ("report", "reports"), ("approval", "approvals"),
    ("invoice", "invoices"), ("workflow", "workflows"), ("customer", "customers"),
    ("supplier", "suppliers"), ("laptop", "laptops"), ("dashboard", "dashboards"),
    ("shift", "shifts"), ("warehouse", "warehouses"), ("delivery", "deliveries"),
    ("policy", "policies"), ("process", "processes"), ("database", "databases"),
    ("expense claim", "expense claims"), ("ticket", "tickets"), ("checklist", "checklists"),
    ("template", "templates"), ("handover", "handovers"), ("forecast", "forecasts"),
    ("printer", "printers"), ("parking space", "parking spaces"), ("survey", "surveys"),
    ("contract", "contracts"), ("release", "releases"), ("training course", "training courses"),
    ("spare part", "spare parts"), ("sample", "samples"), ("purchase order", "purchase orders"),
]
EN_VERBS = ["simplify", "automate", "digitise", "standardise", "review", "share", "reduce",
            "combine", "schedule", "track", "shorten", "improve", "translate", "measure",
            "centralise", "rethink"]
EN_GROUPS = ["new hires", "the night shift", "field engineers", "the sales team",
             "remote colleagues", "the Shanghai office", "the Berlin warehouse",
             "customer support", "finance", "the test lab", "all team leads", "drivers"]
EN_TOOLS = ["a shared spreadsheet", "the intranet", "a chat bot", "a simple web form",
            "a kanban board", "QR codes", "the existing ERP", "a weekly digest"]
EN_TITLES = [
    "{Verb} the {nouns} for {group}",
    "Let us {verb} our {nouns}",
    "Use {tool} to {verb} {nouns}",
    "Fewer {nouns}, more {nouns2}",
    "A shared {noun} for {group}",
    "Why not {verb} the {nouns} every month",
    "{Verb} {nouns} and {nouns2} together",
    "One {noun} instead of three {nouns2}",
]
EN_SENTENCES = [
    "Right now our {nouns} take too long because every step needs a separate {noun2}.",
    "If we {verb} the {nouns}, {group} would save about {n} hours a week.",
    "Other teams already {verb} their {nouns} with {tool} and it works well.",
    "The cost is small: {tool} and a short training for {group}.",
    "I am happy to help run a pilot with {group} for {n} weeks.",
    "Most complaints from {group} are about {nouns} that nobody owns.",
    "We could measure the result by counting {nouns2} before and after.",
    "This also helps {group} when {nouns} arrive late.",
    "Several {nouns} are printed, signed and scanned again, which wastes paper and time.",
]
EN_COMMENTS = [
    "I agree, the {nouns} are a real pain for {group}.",
    "Have we checked what {tool} would cost for {n} sites?",
    "We tried this with {group} last year and it helped a lot.",
    "Not sure this works for {group}, their {nouns} are different.",
    "Happy to help with a pilot, we have {n} {nouns} waiting right now.",
    "Could we start with the {nouns2} first and see what happens?",
    "Good point. The {noun} part worries me more than the {nouns2}.",
]

ZH_NOUNS = ["会议", "流程", "客户", "培训", "供应链", "数据库", "报销", "审批", "系统", "库存",
            "仓库", "质量", "安全", "员工", "食堂", "停车场", "办公室", "新员工", "工作流", "绩效",
            "成本", "设备", "文档", "知识库", "报表", "沟通", "物流", "采购", "合同", "发票",
            "差旅", "预算", "排班", "考勤", "打印机", "周报", "客服", "工单", "交接", "质检"]
ZH_VERBS = ["优化", "简化", "改进", "统一", "自动化", "规范", "减少", "合并", "调整", "升级",
            "共享", "整合", "梳理", "公开"]
ZH_GROUPS = ["销售团队", "夜班同事", "新员工", "客服中心", "财务部", "上海办公室", "研发部",
             "一线员工", "仓库同事", "外地同事"]
ZH_TOOLS = ["共享表格", "在线文档", "小程序", "看板", "自助终端", "数据看板", "企业微信"]
ZH_TITLES = [
    "建议{verb}{noun}{noun2}",
    "能否{verb}{group}的{noun}",
    "关于{noun}{noun2}的改进建议",
    "{group}的{noun}需要{verb}",
    "用{tool}来{verb}{noun}",
    "每月{verb}一次{noun}和{noun2}",
]
ZH_SENTENCES = [
    "目前{noun}{noun2}需要{n}个步骤，{group}经常要等好几天。",
    "如果把{noun}和{noun2}合并，每周可以节省大约{n}个小时。",
    "其他部门已经在用{tool}管理{noun}，效果很好。",
    "建议先在{group}试点一个月，再决定是否推广。",
    "这样做可以提高{noun}效率，也能提升客户满意度。",
    "我愿意参与方案设计，也可以给{group}做培训。",
    "很多{noun}问题其实来自{noun2}，没有人负责跟进。",
]
ZH_COMMENTS = [
    "同意，{noun}确实是{group}的痛点。",
    "这个建议的成本是多少？需要{tool}吗？",
    "我们{group}去年试过类似的做法，效果不错。",
    "担心会增加{noun}的工作量，{noun2}也要一起考虑。",
    "支持！可以先从{noun}开始。",
    "有没有数据说明{noun}{noun2}现在要花多少时间？",
]

EN_ACCEPT = [
    "Accepted: we will {verb} the {nouns} for {group} next quarter and report back.",
    "Accepted. A pilot with {group} starts next month, using {tool} for the {nouns}.",
]
EN_DECLINE = [
    "Declined for now: the {nouns} are being replaced this year, so {tool} would not last.",
    "Declined. The cost for {group} is higher than the time saved on {nouns}.",
]
ZH_ACCEPT = [
    "采纳：下个季度开始{verb}{group}的{noun}，并在每月例会上通报进展和效果。",
    "采纳。下个月先在{group}试点，用{tool}管理{noun}，三个月后评估效果再决定是否推广。",
]
ZH_DECLINE = [
    "暂不采纳：今年{noun}系统会整体更换，现在{verb}{noun2}意义不大，明年再讨论。",
    "暂不采纳。{group}的{noun}成本高于节省的时间，我们会继续寻找更简单的办法。",
]

EN_FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Chris", "Jamie", "Robin", "Casey",
            "Riley", "Dana", "Lee", "Pat", "Kim", "Noah", "Emma", "Lena", "Omar", "Priya",
            "Tom", "Ines", "Marco", "Sara", "Felix"]
EN_LAST = ["Morgan", "Rivera", "Carter", "Nguyen", "Schmidt", "Rossi", "Khan", "Silva", "Brown",
           "Meyer", "Novak", "Dubois", "Okafor", "Larsen", "Costa", "Walsh"]
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ZH_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
            "涛", "明", "超", "秀英", "建国", "晓东", "婷婷", "海燕", "志强", "文博"]

TAGS = sorted(["process", "customers", "safety", "training", "it", "cost", "quality", "hr",
               "sustainability", "remote-work", "tools", "onboarding", "supply-chain", "office",
               "wellbeing"])
TAG_WEIGHTS = [1.0 / (rank + 2) for rank in range(len(TAGS))]  # a few tags are common

LEVEL_WEIGHTS = {"frontline": 60, "manager": 25, "senior": 10, "executive": 5}
STANCE_WEIGHTS = {"for": 45, "against": 25, "neutral": 30}


class Phrases:
    """Varied titles, bodies, comments and names from the word lists above."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def _fill(self, template: str, lang: str) -> str:
        choice = self.rng.choice
        if lang == "zh":
            noun, noun2 = self.rng.sample(ZH_NOUNS, 2)
            return template.format(noun=noun, noun2=noun2, verb=choice(ZH_VERBS),
                                   group=choice(ZH_GROUPS), tool=choice(ZH_TOOLS),
                                   n=self.rng.randint(2, 12))
        (noun, nouns), (noun2, nouns2) = self.rng.sample(EN_NOUNS, 2)
        verb = choice(EN_VERBS)
        return template.format(noun=noun, nouns=nouns, noun2=noun2, nouns2=nouns2, verb=verb,
                               Verb=verb.capitalize(), group=choice(EN_GROUPS),
                               tool=choice(EN_TOOLS), n=self.rng.randint(2, 12))

    def title(self, lang: str) -> str:
        return self._fill(self.rng.choice(ZH_TITLES if lang == "zh" else EN_TITLES), lang)

    def paragraphs(self, lang: str, count: int) -> list[str]:
        sentences = ZH_SENTENCES if lang == "zh" else EN_SENTENCES
        glue = "" if lang == "zh" else " "
        return [glue.join(self._fill(self.rng.choice(sentences), lang)
                          for _ in range(self.rng.randint(1, 3))) for _ in range(count)]

    def comment(self, lang: str) -> str:
        return self._fill(self.rng.choice(ZH_COMMENTS if lang == "zh" else EN_COMMENTS), lang)

    def rationale(self, lang: str, accepted: bool) -> str:
        """A decision's public rationale, longer than MIN_RATIONALE_LENGTH."""
        if lang == "zh":
            template = (ZH_ACCEPT if accepted else ZH_DECLINE)
        else:
            template = (EN_ACCEPT if accepted else EN_DECLINE)
        return self._fill(self.rng.choice(template), lang)

    def name(self, lang: str) -> str:
        if lang == "zh":
            return self.rng.choice(ZH_SURNAMES) + self.rng.choice(ZH_GIVEN)
        return f"{self.rng.choice(EN_FIRST)} {self.rng.choice(EN_LAST)}"


def paragraphs_html(paragraphs: list[str]) -> str:
    """What ideaboard.text.render_markdown makes of plain paragraphs (checked at build time)."""
    return "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paragraphs)


# --- distributions --------------------------------------------------------------------------

def zipf_counts(total: int, slots: int, cap: int, rng: random.Random,
                exponent: float = 1.0) -> list[int]:
    """`total` items over `slots` (in random rank order), Zipf-like, none above `cap`."""
    ranks = list(range(1, slots + 1))
    rng.shuffle(ranks)

    def allocated(scale: float) -> int:
        return sum(min(cap, int(scale / r ** exponent)) for r in ranks)

    low, high = 0.0, float(total) * 10
    for _ in range(60):
        middle = (low + high) / 2
        if allocated(middle) < total:
            low = middle
        else:
            high = middle
    counts = [min(cap, int(low / r ** exponent)) for r in ranks]
    shortfall = total - sum(counts)
    open_slots = [i for i, c in enumerate(counts) if c < cap]
    for i in rng.sample(open_slots, min(shortfall, len(open_slots))):
        counts[i] += 1
    return counts


def weighted_choices(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def spread_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.random() * max(0.0, (end - start).total_seconds()))


# --- the build ------------------------------------------------------------------------------

def default_database_url(tier: str) -> str:
    return f"sqlite:///{DATA_DIR / f'tier-{tier}.sqlite3'}"


def bench_app(database_url: str) -> Flask:
    """The real app on the bench database (no instance config, no environment)."""
    from ideaboard import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": BENCH_SECRET_KEY,
                       "RATELIMIT_ENABLED": False})


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def read_marker(database_url: str) -> dict[str, str] | None:
    """The finished build's description, or None if the database holds no bench dataset."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(MARKER.name):
                return None
            return {key: value for key, value in conn.execute(select(MARKER.c.key,
                                                                     MARKER.c.value))}
    finally:
        engine.dispose()


def table_names(database_url: str) -> list[str]:
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return []
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def wipe(database_url: str) -> None:
    """Remove a previous bench build (only ever called on a database carrying our marker)."""
    path = sqlite_path(database_url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def schema_fingerprint() -> str:
    """Migration head(s) plus a hash of every migration file: a dataset built by other
    migrations (or an earlier edit of the same one) is stale."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import ideaboard

    directory = Path(ideaboard.__file__).parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(directory))
    heads = ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))
    digest = hashlib.sha256()
    for script in sorted((directory / "versions").glob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return f"{heads}@{digest.hexdigest()[:12]}"


def ensure_dataset(tier: str, database_url: str | None = None, *, force: bool = False,
                   log: Callable[[str], None] = print) -> dict[str, str]:
    """Build the tier's dataset unless the database already holds exactly that one
    (same tier, same generator version, same migrations)."""
    database_url = database_url or default_database_url(tier)
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    marker = read_marker(database_url)
    wanted = {"tier": tier, "version": str(DATASET_VERSION), "schema": schema_fingerprint()}
    if marker and not force:
        stale = [key for key, value in wanted.items() if marker.get(key) != value]
        if not stale:
            log(f"Dataset tier {tier} already built ({marker['built_at']}, "
                f"{marker['build_seconds']} s): {_display(database_url)}")
            return marker
        log(f"Rebuilding tier {tier}: the dataset's {' and '.join(stale)} changed")
    ours = marker is not None or (path is not None and DATA_DIR in path.resolve().parents)
    if table_names(database_url):
        if not ours:
            raise SystemExit(f"Refusing to write the benchmark dataset into "
                             f"{_display(database_url)}: it already holds other data. "
                             "Point --database-url (or DATABASE_URL) at an empty database.")
        log(f"Removing the previous bench build in {_display(database_url)}")
        wipe(database_url)
    return build(tier, database_url, log=log)


def _display(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def build(tier_name: str, database_url: str, *, seed: int = 20240601,
          log: Callable[[str], None] = print) -> dict[str, str]:
    from flask_migrate import upgrade

    from ideaboard.extensions import db

    tier = TIERS[tier_name]
    started = time.monotonic()
    log(f"Building dataset tier {tier_name} ({tier.users:,} users, {tier.ideas:,} ideas, "
        f"{tier.votes:,} votes, {tier.comments:,} comments) in {_display(database_url)}")
    app = bench_app(database_url)
    with app.app_context():
        upgrade(revision="heads")  # all branches, while parallel work awaits a merge
        try:
            with db.engine.connect() as conn:
                loader = Loader(conn, random.Random(seed), tier, log)
                marker = loader.load()
                conn.commit()
                rollup_started = time.monotonic()
                from ideaboard.services.analytics import refresh_participation

                rows = refresh_participation(full=True)  # what run-scheduled keeps current
                log(f"  participation {rows:>6,} rows in "
                    f"{time.monotonic() - rollup_started:5.1f} s")
                marker.update(tier=tier_name, version=str(DATASET_VERSION), seed=str(seed),
                              schema=schema_fingerprint(),
                              build_seconds=f"{time.monotonic() - started:.1f}",
                              built_at=datetime.now().isoformat(timespec="seconds"))
                with conn.begin():
                    MARKER.create(conn)
                    conn.execute(insert(MARKER), [{"key": k, "value": v}
                                                  for k, v in marker.items()])
                loader.finish()
        finally:
            db.engine.dispose()
    path = sqlite_path(database_url)
    if path is not None:  # fold the WAL back in, so the file can be copied on its own
        with closing(sqlite3.connect(path)) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"Dataset tier {tier_name} built in {marker['build_seconds']} s")
    return marker


def chunked(rows: Iterable[dict], size: int = CHUNK_ROWS) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Loader:
    """Generates each table in memory and writes it in one transaction."""

    def __init__(self, conn: Connection, rng: random.Random, tier: Tier,
                 log: Callable[[str], None]):
        self.conn, self.rng, self.tier, self.log = conn, rng, tier, log
        self.phrases = Phrases(rng)
        self.sqlite = conn.dialect.name == "sqlite"
        self.now = datetime.now().replace(microsecond=0)
        self.public_ids: set[str] = set()

    def write(self, table: Table, rows: Iterable[dict]) -> int:
        started, count = time.monotonic(), 0
        with self.conn.begin():
            for chunk in chunked(rows):
                self.conn.execute(insert(table), chunk)
                count += len(chunk)
        self.log(f"  {table.name:<10} {count:>9,} rows in {time.monotonic() - started:5.1f} s")
        return count

    def public_id(self) -> str:
        from ideaboard.models.base import random_public_id

        while (value := random_public_id()) in self.public_ids:
            pass
        self.public_ids.add(value)
        return value

    def load(self) -> dict[str, str]:
        from ideaboard.demo_content import DEPARTMENTS
        from ideaboard.models import Campaign, Department, Tag

        if self.sqlite:  # a throwaway build: trade durability for speed while loading
            raw = self.conn.connection.dbapi_connection  # outside any transaction
            raw.execute("PRAGMA synchronous = OFF")
            raw.execute("PRAGMA cache_size = -1000000")
        self.campaign_id = self.conn.scalar(select(Campaign.id).where(Campaign.is_standing))
        self.conn.commit()
        self.write(Department.__table__, ({"id": i, "name": name}
                                          for i, name in enumerate(DEPARTMENTS, start=1)))
        self.department_count = len(DEPARTMENTS)
        self.load_users()
        self.ideas = self.generate_ideas()
        self.generate_votes()
        self.generate_comments()
        self.generate_escalations()
        tag_uses = Counter(tag for idea in self.ideas for tag in idea["tags"])
        self.write(Tag.__table__, ({"id": i, "name": name, "use_count": tag_uses[name]}
                                   for i, name in enumerate(TAGS, start=1)))
        self.write_ideas()
        self.write_escalations()
        self.write_pairwise_campaign()
        self.write_search_index()  # last: it indexes everything written before
        return {"detail_public_id": self.detail["public_id"],
                "pairwise_slug": PAIRWISE_SLUG, "pairwise_ideas": str(PAIRWISE_IDEAS),
                "pairwise_choices": str(self.pairwise_choices),
                "detail_idea_id": str(self.detail["id"]),
                "users": str(self.tier.users), "ideas": str(self.tier.ideas),
                "votes": str(self.vote_count), "comments": str(len(self.comments)),
                "escalated": str(len(self.escalations)),
                "decided": str(len(self.decisions)),
                "password": BENCH_PASSWORD}

    def load_users(self) -> None:
        from ideaboard.models import Level, Role, User

        rng, tier = self.rng, self.tier
        password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
        levels = weighted_choices(rng, LEVEL_WEIGHTS, tier.users)
        history_start = self.now - timedelta(days=365 * (YEARS_OF_HISTORY + 1))
        self.user_langs = ["zh" if rng.random() < 0.3 else "en" for _ in range(tier.users)]

        self.leaders: list[int] = []

        def role(user_id: int, level: str) -> Role:
            if user_id == 1:
                return Role.ADMIN
            if level == "executive" or (level == "senior" and rng.random() < 0.2):
                self.leaders.append(user_id)
                return Role.LEADER
            return Role.EMPLOYEE

        self.write(User.__table__, (
            {"id": uid, "email": BENCH_EMAIL.format(uid), "password_hash": password_hash,
             "display_name": self.phrases.name(lang),
             "department_id": rng.randint(1, self.department_count),
             "level": Level(level), "role": role(uid, level),
             "locale": lang if rng.random() < 0.5 else None,
             "created_at": (joined := spread_between(
                 rng, history_start, self.now - timedelta(days=365 * YEARS_OF_HISTORY))),
             "email_verified_at": joined}  # bench people sign in with a password
            for uid, (level, lang) in enumerate(zip(levels, self.user_langs, strict=True),
                                                start=1)))

    def generate_ideas(self) -> list[dict]:
        from ideaboard.text import render_markdown

        rng, tier = self.rng, self.tier
        start = self.now - timedelta(days=365 * YEARS_OF_HISTORY)
        times = sorted(spread_between(rng, start, self.now) for _ in range(tier.ideas))
        activity = [rng.paretovariate(1.5) for _ in range(tier.users)]  # some post a lot
        authors = rng.choices(range(1, tier.users + 1), weights=activity, k=tier.ideas)
        ideas = []
        for idea_id, (created, author) in enumerate(zip(times, authors, strict=True), start=1):
            author_lang = self.user_langs[author - 1]
            lang = "zh" if rng.random() < (0.8 if author_lang == "zh" else 0.15) else "en"
            paragraphs = self.phrases.paragraphs(lang, rng.randint(1, 3))
            body = "\n\n".join(paragraphs)
            tag_count = rng.choice((0, 1, 2, 2, 3))
            tags = sorted(set(rng.choices(TAGS, weights=TAG_WEIGHTS, k=tag_count)))
            edited = rng.random() < 0.1
            idea = {"id": idea_id, "public_id": self.public_id(), "author_id": author,
                    "lang": lang, "title": self.phrases.title(lang)[:140], "body": body,
                    "body_html": paragraphs_html(paragraphs), "tags": tags,
                    "created_at": created,
                    "updated_at": spread_between(rng, created, self.now) if edited else created,
                    "deleted_at": None}
            if rng.random() < 0.003:  # a few tombstones, as delete_idea leaves them
                idea.update(title="", body="", body_html="", tags=[],
                            deleted_at=spread_between(rng, created, self.now))
            ideas.append(idea)
        for idea in ideas[:300]:
            if idea["body"] and render_markdown(idea["body"]) != idea["body_html"]:
                raise AssertionError(f"Generated HTML differs from render_markdown for "
                                     f"{idea['body']!r}")
        return ideas

    def generate_votes(self) -> None:
        rng, tier = self.rng, self.tier
        counts = zipf_counts(tier.votes, tier.ideas, tier.users - 1, rng)
        self.votes: list[tuple[int, int, int, datetime]] = []
        users = range(1, tier.users + 1)
        for idea, count in zip(self.ideas, counts, strict=True):
            voters = [u for u in rng.sample(users, count + 1) if u != idea["author_id"]][:count]
            support_share = rng.betavariate(5, 2)
            supporters = 0
            for user_id in voters:
                value = 1 if rng.random() < support_share else -1
                supporters += value == 1
                self.votes.append((idea["id"], user_id, value,
                                   spread_between(rng, idea["created_at"], self.now)))
            idea["supporters"], idea["opposers"] = supporters, count - supporters
        self.vote_count = len(self.votes)

    def generate_comments(self) -> None:
        """Threads (depth ≤ MAX_DEPTH) with stances; ids follow time so parents come first."""
        from ideaboard.services.comments import MAX_DEPTH

        rng, tier = self.rng, self.tier
        by_votes = sorted((i for i in self.ideas if i["deleted_at"] is None),
                          key=lambda i: i["supporters"] + i["opposers"], reverse=True)
        self.detail = by_votes[min(25, len(by_votes) - 1)]  # popular, but not the very top
        weights = [(i["supporters"] + i["opposers"] + 2) ** 0.7 * rng.lognormvariate(0, 0.8)
                   for i in self.ideas]
        remaining = tier.comments - DETAIL_COMMENTS
        scale = remaining / (sum(weights) - weights[self.detail["id"] - 1])
        counts = [min(400, int(w * scale + rng.random())) for w in weights]
        counts[self.detail["id"] - 1] = 0
        while (gap := remaining - sum(counts)) != 0:  # land on the exact total
            i = rng.randrange(len(counts))
            if i != self.detail["id"] - 1 and (gap > 0 or counts[i] > 0):
                counts[i] += 1 if gap > 0 else -1
        counts[self.detail["id"] - 1] = DETAIL_COMMENTS
        stances = list(STANCE_WEIGHTS)
        stance_weights = list(STANCE_WEIGHTS.values())
        drafts = []  # (created_at, idea_id, local index, parent local index, depth, ...)
        for idea, count in zip(self.ideas, counts, strict=True):
            times = sorted(spread_between(rng, idea["created_at"], self.now)
                           for _ in range(count))
            depths: list[int] = []
            for local, created in enumerate(times):
                parent = None
                if local and rng.random() < 0.45:
                    recent = [j for j in range(max(0, local - 8), local)
                              if depths[j] < MAX_DEPTH]
                    parent = rng.choice(recent) if recent else None
                depths.append(depths[parent] + 1 if parent is not None else 0)
                deleted = idea is not self.detail and rng.random() < 0.02
                drafts.append((created, idea["id"], local, parent, depths[-1], deleted))
        drafts.sort(key=lambda d: (d[0], d[1], d[2]))
        ids = {(d[1], d[2]): n for n, d in enumerate(drafts, start=1)}
        self.comments = []
        live = Counter()
        ideas_lang = {i["id"]: i["lang"] for i in self.ideas}
        for comment_id, (created, idea_id, _local, parent, depth, deleted) in enumerate(
                drafts, start=1):
            lang = ideas_lang[idea_id] if rng.random() < 0.85 else rng.choice(("en", "zh"))
            body = "" if deleted else self.phrases.comment(lang)
            self.comments.append({
                "id": comment_id, "public_id": self.public_id(), "idea_id": idea_id,
                "parent_id": ids[(idea_id, parent)] if parent is not None else None,
                "author_id": rng.randint(1, tier.users), "is_anonymous": False,
                "stance": rng.choices(stances, weights=stance_weights)[0], "body": body,
                "body_html": paragraphs_html([body]) if body else "", "depth": depth,
                "helpful_count": 0, "created_at": created, "updated_at": created,
                "deleted_at": spread_between(rng, created, self.now) if deleted else None})
            live[idea_id] += not deleted
        for idea in self.ideas:
            idea["comment_count"] = live[idea["id"]]
        if live[self.detail["id"]] != DETAIL_COMMENTS:
            raise AssertionError("the detail idea must have exactly 50 comments")

    def generate_escalations(self) -> None:
        """Ideas whose votes met the escalation rule at some moment are in the review queue,
        as the vote that tipped them would have put them there (services.review
        .escalate_if_due), minus the notifications it sent. Otherwise the first vote the
        benchmark casts on such an idea would escalate it, with a fan-out to every
        supporter and leader that steady state never sees."""
        from sqlalchemy.orm import Session

        from ideaboard.models.ranking import wilson_lower_bound
        from ideaboard.services.review import required_supporters, site_settings

        with Session(bind=self.conn) as session:
            settings = site_settings(session)
            required = required_supporters(settings, session)
            min_wilson, sla = settings.escalation_min_wilson, settings.review_sla_days
        self.sla_days = sla
        self.conn.rollback()
        by_idea: dict[int, list[tuple[datetime, int]]] = {}
        for idea_id, _user, value, created in self.votes:
            by_idea.setdefault(idea_id, []).append((created, value))
        self.escalations: dict[int, datetime] = {}
        for idea in self.ideas:
            if idea["deleted_at"] is not None or idea["supporters"] < required:
                continue
            supporters = 0
            for total, (created, value) in enumerate(sorted(by_idea[idea["id"]]), start=1):
                supporters += value == 1
                if supporters >= required and \
                        wilson_lower_bound(supporters, total) >= min_wilson:
                    self.escalations[idea["id"]] = created
                    idea["review_due_at"] = created + timedelta(days=sla)
                    break
        self.generate_decisions()

    def generate_decisions(self) -> None:
        """Leaders have answered what was escalated more than two review periods ago (as
        services.review.change_status does: a decision with a public rationale, the item
        claimed by its decider, an audit entry), so the queue holds recent items only."""
        from ideaboard.models import IdeaStatus
        from ideaboard.services.review import MIN_RATIONALE_LENGTH
        from ideaboard.text import render_markdown

        rng = self.rng
        cutoff = self.now - timedelta(days=2 * self.sla_days)
        ideas = {idea["id"]: idea for idea in self.ideas}
        self.decisions: list[dict] = []
        self.claims: dict[int, tuple[int, datetime]] = {}
        for idea_id, tipped in self.escalations.items():
            if tipped >= cutoff:
                continue
            idea, leader = ideas[idea_id], rng.choice(self.leaders)
            decided = tipped + timedelta(days=rng.uniform(1, 2 * self.sla_days))
            status = IdeaStatus.ACCEPTED if rng.random() < 0.55 else IdeaStatus.DECLINED
            rationale = self.phrases.rationale(idea["lang"], status == IdeaStatus.ACCEPTED)
            self.decisions.append({"idea_id": idea_id, "status": status, "rationale": rationale,
                                   "rationale_html": paragraphs_html([rationale]),
                                   "author_id": leader, "created_at": decided,
                                   "public_id": idea["public_id"]})
            self.claims[idea_id] = (leader, decided)
            idea.update(status=status, decided_at=decided, review_due_at=None)
        for n, decision in enumerate(self.decisions):
            if len(decision["rationale"]) < MIN_RATIONALE_LENGTH or (
                    n < 50 and render_markdown(decision["rationale"])
                    != decision["rationale_html"]):
                raise AssertionError(f"Unusable rationale {decision['rationale']!r}")

    def write_escalations(self) -> None:
        from ideaboard.models import AuditEntry, Decision, Escalation, EscalationReason

        self.write(Escalation.__table__, (
            {"idea_id": idea_id, "reason": EscalationReason.THRESHOLD_MET, "note": "",
             "created_at": tipped, "due_at": tipped + timedelta(days=self.sla_days),
             "owner_id": self.claims.get(idea_id, (None, None))[0],
             "claimed_at": self.claims.get(idea_id, (None, None))[1]}
            for idea_id, tipped in self.escalations.items()))
        self.write(Decision.__table__, (
            {key: value for key, value in decision.items() if key != "public_id"}
            for decision in self.decisions))
        self.write(AuditEntry.__table__, (
            {"actor_id": d["author_id"], "action": "idea.status", "target_type": "idea",
             "target_id": d["public_id"], "reason": d["rationale"],
             "details": {"status": d["status"].value, "merged_into": None},
             "created_at": d["created_at"]}
            for d in sorted(self.decisions, key=lambda d: d["created_at"])))

    def write_ideas(self) -> None:
        from ideaboard.models import Comment, Idea, IdeaStatus, IdeaTag, Stance, Vote
        from ideaboard.models.ranking import hot_score, wilson_lower_bound

        def idea_rows() -> Iterator[dict]:
            for idea in self.ideas:
                score = wilson_lower_bound(idea["supporters"],
                                           idea["supporters"] + idea["opposers"])
                yield {"id": idea["id"], "public_id": idea["public_id"],
                       "campaign_id": self.campaign_id, "author_id": idea["author_id"],
                       "is_anonymous": False, "title": idea["title"], "body": idea["body"],
                       "body_html": idea["body_html"],
                       "status": idea.get("status") or (
                           IdeaStatus.ESCALATED if idea["id"] in self.escalations
                           else IdeaStatus.OPEN),
                       "review_due_at": idea.get("review_due_at"),
                       "decided_at": idea.get("decided_at"),
                       "supporters": idea["supporters"], "opposers": idea["opposers"],
                       "score": score, "hot": hot_score(score, idea["created_at"]),
                       "comment_count": idea["comment_count"],
                       "tag_names": ",".join(idea["tags"]), "created_at": idea["created_at"],
                       "updated_at": idea["updated_at"], "deleted_at": idea["deleted_at"]}

        tag_ids = {name: i for i, name in enumerate(TAGS, start=1)}
        self.write(Idea.__table__, idea_rows())
        self.write(IdeaTag.__table__, ({"idea_id": idea["id"], "tag_id": tag_ids[name]}
                                       for idea in self.ideas for name in idea["tags"]))
        self.write(Vote.__table__, (
            {"id": n, "idea_id": idea_id, "user_id": user_id, "value": value,
             "created_at": created, "updated_at": created}
            for n, (idea_id, user_id, value, created) in enumerate(self.votes, start=1)))
        stance = {s.value: s for s in Stance}
        self.write(Comment.__table__, ({**row, "stance": stance[row["stance"]]}
                                       for row in self.comments))

    def write_pairwise_campaign(self) -> None:
        """Issue 16: a campaign compared two at a time, its ideas written by the
        administrator (user 1, never one of the benchmark's signed-in employees, so every
        pair is one they may answer) and choices already made by leaders, with each idea's
        comparison_count matching them."""
        from ideaboard.models import Anonymity, Campaign, CampaignKind, Idea, PairwiseChoice
        from ideaboard.models.ranking import hot_score

        rng, tier = self.rng, self.tier
        opened = self.now - timedelta(days=30)
        with self.conn.begin():
            campaign_id = self.conn.execute(insert(Campaign.__table__).values(
                slug=PAIRWISE_SLUG, title="Which would help our customers more?",
                description="Compare two ideas at a time.", description_html=(
                    "<p>Compare two ideas at a time.</p>\n"),
                kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED, owner_id=1,
                opens_at=opened, pairwise_enabled=True)).inserted_primary_key[0]
        first_id = tier.ideas + 1
        ids = list(range(first_id, first_id + PAIRWISE_IDEAS))
        leaders = [uid for uid in self.leaders if uid != 1]
        counts = Counter()
        seen: set[tuple[int, int, int]] = set()
        choices = []
        while len(choices) < int(tier.votes * PAIRWISE_CHOICES_PER_VOTE):
            user = rng.choice(leaders)
            a, b = sorted(rng.sample(ids, 2))
            if (user, a, b) in seen:
                continue
            seen.add((user, a, b))
            counts.update((a, b))
            winner = rng.choice((a, b, a, b, None))
            choices.append({"campaign_id": campaign_id, "user_id": user, "first_idea_id": a,
                            "second_idea_id": b, "winner_idea_id": winner,
                            "created_at": spread_between(rng, opened, self.now)})
        self.pairwise_choices = len(choices)
        rows = []
        for idea_id in ids:
            lang = "zh" if rng.random() < 0.3 else "en"
            paragraphs = self.phrases.paragraphs(lang, 1)
            created = spread_between(rng, opened, self.now)
            rows.append({"id": idea_id, "public_id": self.public_id(),
                         "campaign_id": campaign_id, "author_id": 1, "is_anonymous": False,
                         "title": self.phrases.title(lang)[:140], "body": paragraphs[0],
                         "body_html": paragraphs_html(paragraphs), "supporters": 0,
                         "opposers": 0, "score": 0.0, "hot": hot_score(0.0, created),
                         "comment_count": 0, "tag_names": "", "created_at": created,
                         "updated_at": created, "comparison_count": counts[idea_id]})
        self.write(Idea.__table__, rows)
        self.write(PairwiseChoice.__table__, choices)

    def write_search_index(self) -> None:
        """The search index, built as `flask reindex` builds it (the same rows, the same
        tokens), in one transaction: documents in batches, then the visibility flags."""
        from sqlalchemy.orm import Session

        from ideaboard.search.index import index_everything

        started = time.monotonic()
        with self.conn.begin():
            counts = index_everything(self.conn, Session(bind=self.conn), batch_size=2000)
        self.log(f"  {'search':<10} {sum(counts.values()):>9,} docs in "
                 f"{time.monotonic() - started:5.1f} s")

    def finish(self) -> None:
        """PostgreSQL: move sequences past the explicit ids and gather planner statistics."""
        if self.sqlite:
            return
        started = time.monotonic()
        with self.conn.begin():
            for table in ("department", "user", "tag", "idea", "vote", "comment", "campaign",
                          "pairwise_choice"):
                self.conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT max(id) FROM \"{table}\"))"))
        self.conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE")
        self.log(f"  finishing  {time.monotonic() - started:15.1f} s")


# --- consistency ----------------------------------------------------------------------------

TALLY_MISMATCHES = """
SELECT count(*) FROM idea i LEFT JOIN (
  SELECT idea_id, sum(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS s,
                  sum(CASE WHEN value = -1 THEN 1 ELSE 0 END) AS o
  FROM vote GROUP BY idea_id) v ON v.idea_id = i.id
WHERE i.supporters != coalesce(v.s, 0) OR i.opposers != coalesce(v.o, 0)"""
DUPLICATE_VOTES = """
SELECT count(*) FROM (SELECT idea_id, user_id FROM vote
                      GROUP BY idea_id, user_id HAVING count(*) > 1) d"""
QUEUE_MISMATCHES = """
SELECT count(*) FROM idea i
WHERE (i.status = 'open') = EXISTS (SELECT 1 FROM escalation e WHERE e.idea_id = i.id)"""
UNEXPLAINED_DECISIONS = """
SELECT count(*) FROM idea i WHERE i.decided_at IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.idea_id = i.id AND d.status = i.status)"""
COMPARISON_COUNT_MISMATCHES = """
SELECT count(*) FROM idea i LEFT JOIN (
  SELECT idea_id, count(*) AS n FROM (
    SELECT first_idea_id AS idea_id FROM pairwise_choice
    UNION ALL SELECT second_idea_id FROM pairwise_choice) shown GROUP BY idea_id
) c ON c.idea_id = i.id WHERE i.comparison_count != coalesce(c.n, 0)"""
DUPLICATE_CHOICES = """
SELECT count(*) FROM (SELECT user_id, first_idea_id, second_idea_id FROM pairwise_choice
                      GROUP BY user_id, first_idea_id, second_idea_id HAVING count(*) > 1) d"""
IMPOSSIBLE_CHOICES = """
SELECT count(*) FROM pairwise_choice c
JOIN idea a ON a.id = c.first_idea_id JOIN idea b ON b.id = c.second_idea_id
WHERE c.first_idea_id >= c.second_idea_id OR a.author_id = c.user_id
   OR b.author_id = c.user_id OR a.campaign_id != c.campaign_id
   OR b.campaign_id != c.campaign_id
   OR (c.winner_idea_id IS NOT NULL
       AND c.winner_idea_id NOT IN (c.first_idea_id, c.second_idea_id))"""
COMMENT_COUNT_MISMATCHES = """
SELECT count(*) FROM idea i LEFT JOIN (
  SELECT idea_id, count(*) AS n FROM comment WHERE deleted_at IS NULL GROUP BY idea_id
) c ON c.idea_id = i.id WHERE i.comment_count != coalesce(c.n, 0)"""


# Funding rounds (issue 14): no wallet over its allowance, every total equal to its rows.
WALLETS_OVER_ALLOWANCE = """
SELECT count(*) FROM funding_wallet WHERE spent < 0 OR spent > allowance"""
WALLET_MISMATCHES = """
SELECT count(*) FROM funding_wallet w WHERE w.spent != (
  SELECT coalesce(sum(a.points), 0) FROM funding_allocation a
  WHERE a.round_id = w.round_id AND a.user_id = w.user_id)"""
ENTRY_MISMATCHES = """
SELECT count(*) FROM funding_entry e LEFT JOIN (
  SELECT entry_id, sum(points) AS p, count(*) AS n FROM funding_allocation GROUP BY entry_id
) a ON a.entry_id = e.id WHERE e.points != coalesce(a.p, 0) OR e.backers != coalesce(a.n, 0)"""
ROUND_MISMATCHES = """
SELECT count(*) FROM funding_round r LEFT JOIN (
  SELECT round_id, sum(spent) AS s, sum(CASE WHEN spent > 0 THEN 1 ELSE 0 END) AS n
  FROM funding_wallet GROUP BY round_id
) w ON w.round_id = r.id
WHERE r.points_spent != coalesce(w.s, 0) OR r.backer_count != coalesce(w.n, 0)"""
FUNDING_CHECKS = {
    "wallets over their allowance": WALLETS_OVER_ALLOWANCE,
    "wallet spent != its allocations": WALLET_MISMATCHES,
    "idea totals != allocations": ENTRY_MISMATCHES,
    "round counters != wallets": ROUND_MISMATCHES,
}


def consistency_problems(conn: Connection, *, tags: bool = True) -> dict[str, int]:
    """Rows whose denormalised columns disagree with the rows they summarise (0 = exact)."""
    from ideaboard.models.ranking import wilson_lower_bound

    problems = {
        "tallies != vote rows": conn.scalar(text(TALLY_MISMATCHES)),
        "duplicate (idea, user) votes": conn.scalar(text(DUPLICATE_VOTES)),
        "comment_count != live comments": conn.scalar(text(COMMENT_COUNT_MISMATCHES)),
        "open ideas with, or others without, an escalation": conn.scalar(
            text(QUEUE_MISMATCHES)),
        "decided ideas without their decision": conn.scalar(text(UNEXPLAINED_DECISIONS)),
        # comparing two at a time (issue 16)
        "comparison_count != answered pairs": conn.scalar(text(COMPARISON_COUNT_MISMATCHES)),
        "a pair answered twice by one person": conn.scalar(text(DUPLICATE_CHOICES)),
        "choices on one's own idea, a self-pair or outside the campaign": conn.scalar(
            text(IMPOSSIBLE_CHOICES)),
        "score != wilson(tallies)": sum(
            1 for s, o, score in conn.execute(text(
                "SELECT supporters, opposers, score FROM idea"))
            if not math.isclose(score, wilson_lower_bound(s, s + o), abs_tol=1e-9)),
        **{name: conn.scalar(text(query)) for name, query in FUNDING_CHECKS.items()},
    }
    if tags:
        names: dict[int, list[str]] = {}
        for idea_id, name in conn.execute(text(
                "SELECT it.idea_id, t.name FROM idea_tag it JOIN tag t ON t.id = it.tag_id")):
            names.setdefault(idea_id, []).append(name)
        problems["tag_names != idea_tag rows"] = sum(
            1 for idea_id, tag_names in conn.execute(text("SELECT id, tag_names FROM idea"))
            if tag_names != ",".join(sorted(names.get(idea_id, []))))
        problems["tag.use_count != usage"] = conn.scalar(text(
            "SELECT count(*) FROM tag t WHERE use_count != "
            "(SELECT count(*) FROM idea_tag it WHERE it.tag_id = t.id)"))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--database-url", default=None,
                        help="where to build it (default: bench/data/tier-<T>.sqlite3); "
                             "must be empty or an earlier bench build")
    parser.add_argument("--force", action="store_true", help="rebuild even if it exists")
    parser.add_argument("--check", action="store_true",
                        help="afterwards, verify that every denormalised column is exact")
    args = parser.parse_args(argv)
    url = args.database_url
    if url:
        from ideaboard.config import normalise_database_url
        url = normalise_database_url(url)
    ensure_dataset(args.tier, url, force=args.force)
    if args.check:
        engine = create_engine(url or default_database_url(args.tier))
        with engine.connect() as conn:
            problems = consistency_problems(conn)
        engine.dispose()
        for name, count in problems.items():
            print(f"  {'ok  ' if count == 0 else 'FAIL'} {name}: {count}")
        return 0 if not any(problems.values()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
