"""The broad-support fit as a service: votes from the database, scores back onto ideas, the
write lock left alone while the model computes, rank-blindness, and the escalation rule's
optional broad-support clause."""
from __future__ import annotations

import sqlite3
import time

import numpy as np
import pytest
from sqlalchemy import insert, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Idea,
    IdeaStatus,
    Level,
    Role,
    SiteSettings,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.ranking import BROAD_SUPPORT_BADGE, BROAD_SUPPORT_MIN_VOTES
from ideaboard.services import InvalidInput
from ideaboard.services import broad_support as service
from ideaboard.services.review import (
    escalation_rule_preview,
    update_escalation_rule,
)
from ideaboard.services.votes import SUPPORT, cast_vote
from tests.conftest import POSTGRES_URL

DEPARTMENTS = ("Sales", "Finance", "Operations", "Marketing", "Product")
PER_DEPARTMENT = 10


def staff(factory) -> dict[str, list[User]]:
    return {name: [factory.user(department=name) for _ in range(PER_DEPARTMENT)]
            for name in DEPARTMENTS}


def add_votes(idea: Idea, voters, value: int) -> None:
    now = utcnow()
    db.session.execute(insert(Vote), [{"idea_id": idea.id, "user_id": u.id, "value": value,
                                       "created_at": now, "updated_at": now} for u in voters])
    supporters = len(voters) if value == 1 else 0
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(
        supporters=Idea.supporters + supporters,
        opposers=Idea.opposers + (len(voters) - supporters)))
    db.session.commit()


@pytest.fixture
def company(factory):
    """Sales votes as a bloc on a history of ideas the others oppose; then a bloc idea and
    an idea every department backs, with the same tallies."""
    people = staff(factory)
    author = factory.user(department="Product")
    others = [u for name, users in people.items() if name != "Sales" for u in users]
    for n in range(6):
        history = factory.idea(author, title=f"Sales wants {n}")
        add_votes(history, people["Sales"], 1)
        add_votes(history, others[n::4][:6], -1)
    bloc = factory.idea(author, title="Only Sales backs this")
    add_votes(bloc, people["Sales"][:10], 1)
    add_votes(bloc, [people[name][9] for name in DEPARTMENTS[1:]], -1)
    broad = factory.idea(author, title="Every department backs this")
    add_votes(broad, [u for users in people.values() for u in users[:4]], 1)
    add_votes(broad, [people[name][8] for name in DEPARTMENTS[1:]], -1)
    few = factory.idea(author, title="Too few votes")
    add_votes(few, people["Finance"][:BROAD_SUPPORT_MIN_VOTES - 1], 1)
    return {"people": people, "bloc": bloc, "broad": broad, "few": few, "author": author}


def stored(idea: Idea) -> tuple[float | None, object]:
    db.session.expire_all()
    row = db.session.get(Idea, idea.id)
    return row.broad_support, row.broad_support_at


def test_the_fit_stores_one_score_per_idea_with_the_time_of_the_fit(company):
    before = utcnow()
    report = service.refresh_broad_support()
    bloc, bloc_at = stored(company["bloc"])
    broad, broad_at = stored(company["broad"])
    assert bloc < BROAD_SUPPORT_BADGE <= broad
    assert bloc_at == broad_at == report.fitted_at and bloc_at >= before
    assert stored(company["few"]) == (None, None)
    assert report.scored == 8 and report.votes == 6 * 16 + 14 + 24 + 4
    assert report.badges >= 1


def test_scores_go_away_when_votes_fall_below_the_minimum(company):
    service.refresh_broad_support()
    assert stored(company["broad"])[0] is not None
    db.session.execute(Vote.__table__.delete().where(Vote.idea_id == company["broad"].id,
                                                     Vote.value == 1))
    db.session.commit()
    report = service.refresh_broad_support()
    assert stored(company["broad"]) == (None, None)
    assert report.cleared == 1


def test_the_same_votes_give_the_same_scores(company):
    service.refresh_broad_support()
    first = stored(company["bloc"])[0], stored(company["broad"])[0]
    service.refresh_broad_support()
    assert (stored(company["bloc"])[0], stored(company["broad"])[0]) == first


def test_rank_blind_levels_change_nothing(company):
    service.refresh_broad_support()
    first = [s for s, in db.session.execute(select(Idea.broad_support).order_by(Idea.id))]
    db.session.execute(update(User).values(level=Level.EXECUTIVE))
    db.session.commit()
    service.refresh_broad_support()
    again = [s for s, in db.session.execute(select(Idea.broad_support).order_by(Idea.id))]
    assert again == first


def test_votes_read_in_small_chunks_are_the_same_votes(company):
    """Chunked reads, each its own transaction; a pair read twice would count once."""
    votes = service.load_votes(chunk=7)
    everything = service.load_votes()
    assert votes.values.size == everything.values.size
    keys = votes.idea_ids * 10_000 + votes.user_ids
    assert np.unique(keys).size == keys.size


def test_the_model_computes_outside_any_transaction(company, monkeypatch):
    """While the model computes, the session holds no transaction and another connection
    can take SQLite's write lock at once."""
    real_fit = service.fit_broad_support
    seen = {}

    def watching_fit(*args, **kwargs):
        seen["in_transaction"] = db.session().in_transaction()
        if not POSTGRES_URL:
            path = db.engine.url.database
            other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
            try:
                started = time.perf_counter()
                other.execute("BEGIN IMMEDIATE")
                other.execute("UPDATE site_settings SET review_sla_days = review_sla_days")
                other.execute("COMMIT")
                seen["lock_wait"] = time.perf_counter() - started
            finally:
                other.close()
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(service, "fit_broad_support", watching_fit)
    service.refresh_broad_support(write_batch=3)
    assert seen["in_transaction"] is False
    if not POSTGRES_URL:
        assert seen["lock_wait"] < 0.2


def test_scores_are_written_in_short_batches(company, count_queries):
    with count_queries() as counter:
        report = service.refresh_broad_support(write_batch=3)
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE IDEA")]
    assert len(updates) >= report.scored // 3  # one executemany per batch of 3
    assert report.longest_write_seconds < 5


# --- the escalation rule's optional clause -----------------------------------------------

def set_score(idea: Idea, value: float | None) -> None:
    """As the last fit would have left it."""
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(broad_support=value))
    db.session.commit()


@pytest.fixture
def rule_ideas(factory):
    author = factory.user()
    ideas = {name: factory.idea(author, title=name) for name in ("bloc", "broad", "unscored")}
    voters = [factory.user() for _ in range(4)]
    for idea in ideas.values():
        add_votes(idea, voters, 1)
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(score=0.9))
    db.session.commit()
    set_score(ideas["bloc"], 0.1)
    set_score(ideas["broad"], 0.7)
    return ideas


def test_the_preview_counts_the_broad_support_clause(rule_ideas):
    assert escalation_rule_preview(3, None, 0.5) == 3
    assert escalation_rule_preview(3, None, 0.5, min_broad_support=0.5) == 1
    assert escalation_rule_preview(3, None, 0.5, min_broad_support=0.05) == 2


def test_saving_the_clause_escalates_what_it_covers_and_is_audited(factory, rule_ideas):
    admin = factory.user(Role.ADMIN)
    escalated = update_escalation_rule(admin, min_supporters=3, percent=None, min_wilson=0.5,
                                       sla_days=14, min_broad_support=0.5)
    assert escalated == 1
    assert db.session.get(Idea, rule_ideas["broad"].id).status == IdeaStatus.ESCALATED
    assert db.session.get(Idea, rule_ideas["bloc"].id).status == IdeaStatus.OPEN
    assert db.session.get(SiteSettings, 1).escalation_min_broad_support == 0.5
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "settings.escalation_rule")).one()
    assert entry.details["min_broad_support"] == "0.5"
    assert entry.details["before"].startswith("{")  # the rule before the change


def test_the_clause_takes_scores_between_0_and_1(factory):
    with pytest.raises(InvalidInput):
        update_escalation_rule(factory.user(Role.ADMIN), min_supporters=3, percent=None,
                               min_wilson=0.5, sla_days=14, min_broad_support=1.5)


def test_the_vote_that_tips_an_idea_reads_the_stored_score(factory, count_queries):
    admin = factory.user(Role.ADMIN)
    update_escalation_rule(admin, min_supporters=2, percent=None, min_wilson=0.0,
                           sla_days=14, min_broad_support=0.5)
    author = factory.user()
    low, high = factory.idea(author, title="Low"), factory.idea(author, title="High")
    set_score(low, 0.2)
    set_score(high, 0.8)
    voters = [factory.user() for _ in range(2)]
    results = {}
    for idea in (low, high):
        for voter in voters:
            with count_queries() as counter:
                results[idea.title] = cast_vote(voter, idea.public_id, SUPPORT)
    assert results["High"].escalated and not results["Low"].escalated
    assert counter.count <= 12  # the vote fits nothing: a handful of statements


def test_after_a_fit_ideas_that_now_meet_the_clause_are_escalated(factory, company):
    admin = factory.user(Role.ADMIN)
    update_escalation_rule(admin, min_supporters=5, percent=None, min_wilson=0.0,
                           sla_days=14, min_broad_support=BROAD_SUPPORT_BADGE)
    assert db.session.get(Idea, company["broad"].id).status == IdeaStatus.OPEN  # no score yet
    report = service.refresh_broad_support()
    assert report.escalated >= 1
    assert db.session.get(Idea, company["broad"].id).status == IdeaStatus.ESCALATED
    assert db.session.get(Idea, company["bloc"].id).status == IdeaStatus.OPEN


def test_without_the_clause_the_fit_escalates_nothing(company):
    assert service.refresh_broad_support().escalated == 0
    assert db.session.scalar(select(Idea.id).where(Idea.status != IdeaStatus.OPEN)) is None


def test_the_cli_fits_and_reports(runner, company):
    result = runner.invoke(args=["fit-broad-support"])
    assert result.exit_code == 0, result.output
    assert "ideas scored" in result.output
    assert stored(company["broad"])[0] is not None
    help_text = runner.invoke(args=["fit-broad-support", "--help"]).output
    assert "Community Notes" in help_text and "outside any transaction" in help_text


def test_run_scheduled_includes_the_fit(runner, company):
    result = runner.invoke(args=["run-scheduled"])
    assert result.exit_code == 0, result.output
    assert "broad support:" in result.output
    assert stored(company["broad"])[0] is not None
