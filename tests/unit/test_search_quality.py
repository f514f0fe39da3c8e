"""Search quality: does a search find what an employee means?

A mixed corpus written for this test (tests/search_quality_corpus.py: Simplified and
Traditional Chinese, Japanese, English, mixed lines and codes) is indexed once per module
through the real services, and every hand-judged query is searched through `search()`.
Precision and recall are counted per query class (micro-averaged: found-and-wanted over
found, and over wanted). Run with `-s` to see the table. On PostgreSQL the same corpus is
also indexed on SQLite, and the two must return identical results for every query.
"""
from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass

import pytest

from ideaboard import create_app
from ideaboard.extensions import db
from ideaboard.models import Role, User
from ideaboard.search.query import SearchFilters, search
from ideaboard.services.ideas import post_idea, standing_campaign
from tests.conftest import FAST_HASH, POSTGRES_URL, _migrate, _reset_postgres, base_config
from tests.search_quality_corpus import DOCUMENTS, QUERIES

OVERALL_FLOOR = 0.95
CLASS_FLOOR = 0.90
CLASSES = sorted({query_class for query_class, _query, _wanted in QUERIES})


@dataclass(frozen=True)
class Score:
    found: int
    wanted: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.wanted if self.wanted else 1.0


def search_corpus(database_uri: str) -> dict[str, set[str]]:
    """Index the corpus on this database and return what each query finds (every page)."""
    app = create_app(base_config(database_uri))
    with app.app_context():
        if database_uri.startswith("postgresql"):
            _reset_postgres(app)
        author = User(email="quality@example.com", display_name="Quality Author",
                      role=Role.EMPLOYEE, password_hash=FAST_HASH)
        db.session.add(author)
        db.session.commit()
        campaign = standing_campaign()
        keys = {}
        for key, (title, body) in DOCUMENTS.items():
            keys[post_idea(author, campaign, title=title, body=body, tags=[]).id] = key
        found: dict[str, set[str]] = {}
        for _query_class, query, _wanted in QUERIES:
            hits: set[str] = set()
            page, more = 1, True
            while more:
                results = search(query, SearchFilters(doc_type="idea"), page=page)
                hits |= {keys[hit.doc_id] for hit in results.hits}
                page, more = page + 1, results.has_next
            found[query] = hits
        db.session.remove()
        db.engine.dispose()
    return found


@pytest.fixture(scope="module")
def found(database_template, tmp_path_factory) -> dict[str, set[str]]:
    if POSTGRES_URL:
        return search_corpus(database_template)
    path = tmp_path_factory.mktemp("quality") / "quality.sqlite3"
    shutil.copyfile(database_template, path)
    return search_corpus(f"sqlite:///{path}")


def scores(found: dict[str, set[str]]) -> dict[str, Score]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for query_class, query, wanted in QUERIES:
        for name in (query_class, "overall"):
            totals[name][0] += len(found[query])
            totals[name][1] += len(wanted)
            totals[name][2] += len(found[query] & wanted)
    return {name: Score(*counts) for name, counts in totals.items()}


def report(found: dict[str, set[str]]) -> str:
    table = scores(found)
    counts = defaultdict(int)
    for query_class, _query, _wanted in QUERIES:
        counts[query_class] += 1
        counts["overall"] += 1
    lines = [f"{'class':<10} {'queries':>7} {'precision':>9} {'recall':>6}"]
    for name in [*CLASSES, "overall"]:
        lines.append(f"{name:<10} {counts[name]:>7} {table[name].precision:>9.3f} "
                     f"{table[name].recall:>6.3f}")
    misses = [f"  {query!r}: extra {sorted(found[query] - wanted)}, "
              f"missing {sorted(wanted - found[query])}"
              for _query_class, query, wanted in QUERIES if found[query] != wanted]
    return "\n".join(lines + (["queries that differ:", *misses] if misses else []))


def test_the_corpus_and_queries_are_large_enough():
    assert len(DOCUMENTS) >= 150 and len(QUERIES) >= 100
    assert all(wanted <= DOCUMENTS.keys() for _c, _q, wanted in QUERIES)
    assert len({query for _c, query, _w in QUERIES}) == len(QUERIES)


def test_overall_precision_and_recall(found, capsys):
    overall = scores(found)["overall"]
    with capsys.disabled():
        print("\nSearch quality on", "PostgreSQL" if POSTGRES_URL else "SQLite")
        print(report(found))
    assert overall.precision >= OVERALL_FLOOR and overall.recall >= OVERALL_FLOOR, report(found)


@pytest.mark.parametrize("query_class", CLASSES)
def test_precision_and_recall_of_each_class(found, query_class):
    score = scores(found)[query_class]
    assert score.precision >= CLASS_FLOOR and score.recall >= CLASS_FLOOR, report(found)


@pytest.mark.skipif(not POSTGRES_URL, reason="compares PostgreSQL with SQLite")
def test_postgresql_finds_exactly_what_sqlite_finds(found, tmp_path_factory):
    path = tmp_path_factory.mktemp("quality-sqlite") / "quality.sqlite3"
    _migrate(f"sqlite:///{path}")
    on_sqlite = search_corpus(f"sqlite:///{path}")
    assert {q: sorted(found[q]) for q in found} == {q: sorted(on_sqlite[q]) for q in on_sqlite}
