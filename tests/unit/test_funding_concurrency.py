"""Sixteen processes allocate points for the same eight people at once (each person in two
processes: two tabs, or a script): no wallet ever goes over its allowance, and every total
equals the sum of the allocation rows. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL, each process with its own app and connection, as under gunicorn."""
from __future__ import annotations

import multiprocessing
import random

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import FundingAllocation, FundingEntry, FundingRound, FundingWallet, User
from tests.unit.funding_helpers import entered_idea, make_round

PROCESSES = 16
PASSES = 6
CHOICES = (0, 10, 25, 40, 60, 100)


def _allocate_in_a_process(database_uri: str, user_id: int, round_id: int,
                           entry_ids: list[int], seed: int, barrier, results) -> None:
    from ideaboard import create_app
    from ideaboard.services import InvalidInput
    from ideaboard.services.funding import allocate
    from tests.conftest import base_config

    refused = done = 0
    try:
        app = create_app(base_config(database_uri))
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()
            rng = random.Random(seed)
            barrier.wait(timeout=60)
            for _ in range(PASSES):
                for entry_id in rng.sample(entry_ids, len(entry_ids)):
                    try:
                        allocate(user, round_id, entry_id, rng.choice(CHOICES))
                        done += 1
                    except InvalidInput:
                        refused += 1  # over the allowance: refused, as it must be
            db.session.remove()
            db.engine.dispose()
        results.put(("ok", done, refused))
    except BaseException as error:  # reported to the parent, which fails the test
        results.put(("error", repr(error), 0))


def test_sixteen_processes_never_overspend_and_totals_stay_exact(app, factory, database_uri):
    funding_round = make_round(factory, allowance=100)
    entry_ids = [entered_idea(factory, funding_round)[1].id for _ in range(4)]
    backers = [factory.user().id for _ in range(PROCESSES // 2)]
    round_id = funding_round.id
    db.session.remove()
    db.engine.dispose()  # no connection may cross the fork

    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_allocate_in_a_process, args=(
        database_uri, backers[index // 2], round_id, entry_ids, index, barrier, results))
        for index in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(timeout=60)

    assert [o for o in outcomes if o[0] != "ok"] == []
    assert sum(o[1] for o in outcomes) > PROCESSES  # they really wrote
    assert sum(o[2] for o in outcomes) > 0  # and the allowance really bit
    wallets = db.session.scalars(select(FundingWallet)).all()
    assert len(wallets) == len(backers)
    for wallet in wallets:
        assert 0 <= wallet.spent <= wallet.allowance == 100
        given = db.session.scalar(select(func.coalesce(func.sum(FundingAllocation.points), 0))
                                  .where(FundingAllocation.user_id == wallet.user_id))
        assert wallet.spent == given
    for entry in db.session.scalars(select(FundingEntry)):
        rows = db.session.execute(select(func.coalesce(func.sum(FundingAllocation.points), 0),
                                         func.count()).where(
            FundingAllocation.entry_id == entry.id)).one()
        assert (entry.points, entry.backers) == tuple(rows)
        roots = sum(p ** 0.5 for p in db.session.scalars(select(FundingAllocation.points).where(
            FundingAllocation.entry_id == entry.id)))
        assert abs(entry.root_sum - roots) < 1e-6
    stored = db.session.get(FundingRound, round_id)
    assert stored.points_spent == sum(w.spent for w in wallets)
    assert stored.backer_count == sum(1 for w in wallets if w.spent > 0)


def test_four_closers_at_once_close_the_round_once(app, factory):
    """The scheduler, a page read after the close date and the owner's "Close now" may all
    arrive together: one divides the pool, the others find it closed."""
    import threading

    from ideaboard.models import Escalation, Notification, NotificationKind
    from ideaboard.services.funding import close_round
    from tests.unit.funding_helpers import back

    funding_round = make_round(factory, min_backers=2)
    _idea, entry = entered_idea(factory, funding_round, ask=10_000)
    back([factory.user() for _ in range(2)], funding_round, entry, 30)
    round_id, closes_at = funding_round.id, funding_round.closes_at
    barrier, outcomes = threading.Barrier(4), []

    def closer() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes.append(close_round(round_id, now=closes_at))
            except BaseException as error:  # reported below
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=closer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [False, False, False, True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == NotificationKind.FUNDING_RESULT)) == 1
