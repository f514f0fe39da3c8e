"""Funding rounds as a service: opening, entering ideas, allocating points, closing and
dividing the pool, the review queue, and leadership's answer."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Decision,
    Delivery,
    DivisionRule,
    Escalation,
    EscalationReason,
    FundingAllocation,
    FundingAnswer,
    FundingEntry,
    FundingRound,
    FundingWallet,
    Idea,
    IdeaStatus,
    Milestone,
    Notification,
    NotificationKind,
    Role,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.funding import (
    allocate,
    answer_funding,
    close_due_rounds,
    close_now,
    close_round,
    edit_round,
    enter_idea,
)
from ideaboard.services.review import change_status, pull_into_queue
from tests.unit.funding_helpers import back, entered_idea, fresh, hide, make_round

RATIONALE = "The backers made the case; we release the money for a pilot now."


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def kinds_for(user, kind) -> list[str | None]:
    return list(db.session.scalars(select(Notification.status).where(
        Notification.user_id == user.id, Notification.kind == kind)))


# --- opening a round ----------------------------------------------------------------------

def test_only_leaders_open_rounds_and_it_is_audited(factory):
    with pytest.raises(NotAllowed):
        make_round(factory, owner=factory.user())
    funding_round = make_round(factory)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "funding.create"))
    assert entry.target_id == funding_round.slug and entry.details["pool"] == "100000 CNY"


@pytest.mark.parametrize("changes", [
    {"title": " "}, {"pool_amount": 0}, {"pool_amount": -5}, {"allowance": 0},
    {"min_backers": 0}, {"answer_days": 0}, {"currency": "XXX"},
    {"closes_at": utcnow() - timedelta(hours=2)},
])
def test_a_round_needs_sensible_settings(factory, changes):
    with pytest.raises(InvalidInput):
        make_round(factory, **changes)


def test_departments_limit_who_may_take_part(factory):
    sales = factory.department("Sales")
    funding_round = make_round(factory, department_ids=(sales.id,))
    _idea, entry = entered_idea(factory, funding_round)
    outsider, insider = factory.user(department="Finance"), factory.user(department="Sales")
    with pytest.raises(NotAllowed):
        allocate(outsider, funding_round.id, entry.id, 10)
    assert allocate(insider, funding_round.id, entry.id, 10).spent == 10


def test_edit_keeps_the_promise_but_moves_the_date(factory):
    funding_round = make_round(factory)
    later = funding_round.closes_at + timedelta(days=3)
    owner = db.session.get(User, funding_round.owner_id)
    edit_round(owner, funding_round, title="Renamed", purpose="", closes_at=later)
    assert fresh(FundingRound, funding_round.id).closes_at == later
    with pytest.raises(NotAllowed):
        edit_round(factory.user(), funding_round, title="x", purpose="", closes_at=later)


# --- entering ideas -----------------------------------------------------------------------

def test_authors_enter_their_named_ideas_with_an_ask(factory):
    funding_round = make_round(factory)
    author = factory.user()
    idea = idea_by_public_id(factory.idea(author).public_id)
    with pytest.raises(NotAllowed):
        enter_idea(factory.user(), funding_round, idea, ask_amount=5, ask_people_weeks=0,
                   first_milestone="x")
    with pytest.raises(InvalidInput):  # more than the pool
        enter_idea(author, funding_round, idea, ask_amount=100_001, ask_people_weeks=0,
                   first_milestone="A pilot")
    with pytest.raises(InvalidInput):  # people-weeks the pool does not have
        enter_idea(author, funding_round, idea, ask_amount=0, ask_people_weeks=2,
                   first_milestone="A pilot")
    with pytest.raises(InvalidInput):  # no milestone
        enter_idea(author, funding_round, idea, ask_amount=5, ask_people_weeks=0,
                   first_milestone=" ")
    enter_idea(author, funding_round, idea, ask_amount=5_000, ask_people_weeks=0,
               first_milestone="A pilot")
    enter_idea(author, funding_round, idea, ask_amount=7_000, ask_people_weeks=0,
               first_milestone="A bigger pilot")  # entering again changes the ask
    entry = db.session.scalar(select(FundingEntry))
    assert (entry.ask_amount, entry.first_milestone) == (7_000, "A bigger pilot")
    assert fresh(FundingRound, funding_round.id).entry_count == 1


def test_anonymous_ideas_cannot_enter(factory):
    from ideaboard.models import Anonymity, CampaignKind
    from ideaboard.services.campaigns import create_campaign
    from ideaboard.services.ideas import post_idea

    funding_round = make_round(factory)
    author = factory.user()
    campaign = create_campaign(factory.user(Role.LEADER), title="Speak up", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    idea = post_idea(author, campaign, title="Secret", body="", tags=[], anonymous=True)
    with pytest.raises(NotAllowed, match="Anonymous"):
        enter_idea(author, funding_round, idea_by_public_id(idea.public_id), ask_amount=5,
                   ask_people_weeks=0, first_milestone="A pilot")


def test_one_open_round_at_a_time(factory):
    first, second = make_round(factory), make_round(factory, title="Another fund")
    idea, _entry = entered_idea(factory, first)
    with pytest.raises(InvalidInput, match="already in the round"):
        enter_idea(db.session.get(User, idea.author_id), second, idea, ask_amount=5,
                   ask_people_weeks=0, first_milestone="A pilot")


# --- allocating points --------------------------------------------------------------------

def test_points_move_the_wallet_and_the_totals_exactly(factory):
    funding_round = make_round(factory)
    _a, first = entered_idea(factory, funding_round)
    _b, second = entered_idea(factory, funding_round)
    backer = factory.user()
    assert allocate(backer, funding_round.id, first.id, 60).left == 40
    assert allocate(backer, funding_round.id, second.id, 40).left == 0
    with pytest.raises(InvalidInput, match="0 points left"):
        allocate(backer, funding_round.id, second.id, 41)
    result = allocate(backer, funding_round.id, first.id, 30)  # change it: 30 back
    assert (result.points, result.spent, result.entry_points, result.entry_backers) == (
        30, 70, 30, 1)
    allocate(backer, funding_round.id, second.id, 0)  # take it all back
    assert allocate(backer, funding_round.id, first.id, 30).spent == 30  # idempotent
    db.session.expire_all()
    assert db.session.get(FundingWallet, (funding_round.id, backer.id)).spent == 30
    assert (fresh(FundingEntry, second.id).points, fresh(FundingEntry, second.id).backers) == (
        0, 0)
    assert count(FundingAllocation) == 1
    stored = fresh(FundingRound, funding_round.id)
    assert (stored.points_spent, stored.backer_count) == (30, 1)
    assert fresh(FundingEntry, first.id).root_sum == pytest.approx(30 ** 0.5)


def test_nobody_backs_their_own_idea(factory):
    funding_round = make_round(factory)
    idea, entry = entered_idea(factory, funding_round)
    author = db.session.get(User, idea.author_id)
    with pytest.raises(NotAllowed, match="your own idea"):
        allocate(author, funding_round.id, entry.id, 10)
    assert count(FundingAllocation) == 0


def test_closed_and_unopened_rounds_refuse_points(factory):
    later = make_round(factory, opens_at=utcnow() + timedelta(days=1),
                       closes_at=utcnow() + timedelta(days=5))
    _idea, entry = entered_idea(factory, later)
    with pytest.raises(NotAllowed, match="not opened"):
        allocate(factory.user(), later.id, entry.id, 5)
    funding_round = make_round(factory)
    _idea, entry = entered_idea(factory, funding_round)
    close_now(db.session.get(User, funding_round.owner_id), funding_round)
    with pytest.raises(NotAllowed, match="closed"):
        allocate(factory.user(), funding_round.id, entry.id, 5)
    past_date = make_round(factory)
    _idea, entry = entered_idea(factory, past_date)
    db.session.execute(update(FundingRound).where(FundingRound.id == past_date.id).values(
        opens_at=utcnow() - timedelta(days=3), closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with pytest.raises(NotAllowed, match="closed"):  # past its date, not yet closed
        allocate(factory.user(), past_date.id, entry.id, 5)


def test_bad_amounts_and_wrong_rounds_are_refused(factory):
    funding_round, other = make_round(factory), make_round(factory, title="Other")
    _idea, entry = entered_idea(factory, funding_round)
    backer = factory.user()
    for points in (-1, 10_001, "5", 2.5):
        with pytest.raises(InvalidInput):
            allocate(backer, funding_round.id, entry.id, points)
    with pytest.raises(NotFound):
        allocate(backer, other.id, entry.id, 5)
    with pytest.raises(NotFound):
        allocate(backer, 99_999, entry.id, 5)


def test_a_hidden_idea_takes_no_more_points_but_gives_them_back(factory):
    funding_round = make_round(factory)
    idea, entry = entered_idea(factory, funding_round)
    backer = factory.user()
    allocate(backer, funding_round.id, entry.id, 20)
    hide(factory, idea)
    with pytest.raises(NotAllowed, match="no longer be funded"):
        allocate(backer, funding_round.id, entry.id, 30)
    assert allocate(backer, funding_round.id, entry.id, 0).spent == 0


# --- closing and dividing -----------------------------------------------------------------

def funded_round(factory, rule=DivisionRule.PROPORTIONAL):
    """The worked example of test_division, through the database: pool ¥100,000, 2 backers
    at least. A: 2 × 50 points, asks 50,000; B: 25 × 2, asks 30,000; C: 5 × 10, asks 35,000."""
    funding_round = make_round(factory, division_rule=rule)
    backers = [factory.user() for _ in range(25)]
    ideas = {}
    for key, ask, count_, points in (("A", 50_000, 2, 50), ("B", 30_000, 25, 2),
                                     ("C", 35_000, 5, 10)):
        idea, entry = entered_idea(factory, funding_round, ask=ask, title=f"Idea {key}",
                                   milestone=f"Milestone {key}")
        back(backers[:count_], funding_round, entry, points)
        ideas[key] = (idea, entry)
    return funding_round, ideas, backers


@pytest.mark.parametrize(("rule", "funded"), [
    (DivisionRule.PROPORTIONAL, {"A"}), (DivisionRule.QUADRATIC, {"B", "C"})])
def test_close_divides_the_pool_by_the_rule(factory, rule, funded):
    funding_round, ideas, _backers = funded_round(factory, rule)
    assert close_round(funding_round.id, actor=None, now=funding_round.closes_at)
    db.session.expire_all()
    entries = {key: db.session.get(FundingEntry, entry.id) for key, (_i, entry) in ideas.items()}
    assert {key for key, entry in entries.items() if entry.funded} == funded
    stored = db.session.get(FundingRound, funding_round.id)
    expected = {"A": 50_000, "B": 30_000, "C": 35_000}
    assert stored.awarded_amount == sum(expected[k] for k in funded)
    assert stored.funded_count == len(funded)
    assert stored.answer_due_at == stored.closed_at + timedelta(days=14)
    for key, entry in entries.items():
        assert entry.awarded_amount == (expected[key] if key in funded else 0)


def test_funded_ideas_enter_the_queue_exactly_once(factory):
    funding_round, ideas, backers = funded_round(factory)
    leaders = [factory.user(Role.LEADER) for _ in range(2)]
    assert close_round(funding_round.id, now=funding_round.closes_at)
    assert not close_round(funding_round.id, now=funding_round.closes_at)  # exactly once
    assert close_due_rounds(now=funding_round.closes_at + timedelta(days=1)) == 0
    with pytest.raises(InvalidInput):
        close_now(db.session.get(User, funding_round.owner_id), funding_round)
    idea_a = fresh(Idea, ideas["A"][0].id)
    assert idea_a.status == IdeaStatus.ESCALATED
    escalation = db.session.scalar(select(Escalation).where(Escalation.idea_id == idea_a.id))
    stored = db.session.get(FundingRound, funding_round.id)
    assert escalation.reason == EscalationReason.FUNDED
    assert escalation.due_at == stored.answer_due_at == idea_a.review_due_at
    assert count(Escalation) == 1
    for leader in leaders:
        assert kinds_for(leader, NotificationKind.QUEUE_NEW) == [None]
    author_a = db.session.get(User, idea_a.author_id)
    assert kinds_for(author_a, NotificationKind.FUNDING_RESULT) == ["funded"]
    author_b = db.session.get(User, ideas["B"][0].author_id)
    assert kinds_for(author_b, NotificationKind.FUNDING_RESULT) == ["not_funded"]
    # each backer of A hears privately; B's 23 other backers do not
    assert kinds_for(backers[0], NotificationKind.FUNDING_BACKED) == [None]
    assert kinds_for(backers[24], NotificationKind.FUNDING_BACKED) == []
    assert count(AuditEntry, AuditEntry.action == "funding.close") == 1


def test_the_scheduler_closes_only_due_rounds(factory):
    due, running = make_round(factory), make_round(factory, title="Still running")
    db.session.execute(update(FundingRound).where(FundingRound.id == due.id).values(
        opens_at=utcnow() - timedelta(days=9), closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert close_due_rounds() == 1
    assert fresh(FundingRound, due.id).closed_at is not None
    assert fresh(FundingRound, running.id).closed_at is None


def test_a_funded_idea_already_in_the_queue_keeps_its_escalation(factory):
    funding_round, ideas, _backers = funded_round(factory)
    leader = factory.user(Role.LEADER)
    idea_a = ideas["A"][0]
    pull_into_queue(leader, idea_by_public_id(idea_a.public_id), "Let us look at it")
    db.session.execute(update(Escalation).values(due_at=utcnow() + timedelta(days=60)))
    db.session.execute(update(Idea).where(Idea.id == idea_a.id).values(
        review_due_at=utcnow() + timedelta(days=60)))
    db.session.commit()
    close_round(funding_round.id, now=funding_round.closes_at)
    escalation = db.session.scalar(select(Escalation))
    stored = fresh(FundingRound, funding_round.id)
    assert escalation.reason == EscalationReason.PULLED_BY_LEADER  # one escalation per idea
    assert escalation.due_at == stored.answer_due_at  # the sooner deadline wins
    assert fresh(Idea, idea_a.id).review_due_at == stored.answer_due_at


def test_declined_and_removed_ideas_are_left_out(factory):
    funding_round = make_round(factory)
    backers = [factory.user() for _ in range(3)]
    _kept, kept_entry = entered_idea(factory, funding_round, ask=60_000)
    gone, gone_entry = entered_idea(factory, funding_round, ask=10_000)
    back(backers, funding_round, kept_entry, 10)
    back(backers, funding_round, gone_entry, 90)
    hide(factory, gone)
    close_round(funding_round.id, now=funding_round.closes_at)
    # the hidden idea's points count for nothing: the kept idea gets the whole pool's share
    assert fresh(FundingEntry, kept_entry.id).funded
    assert not fresh(FundingEntry, gone_entry.id).funded


# --- leadership's answer ------------------------------------------------------------------

def test_confirming_releases_the_money_and_starts_delivery(factory):
    funding_round, ideas, _backers = funded_round(factory)
    close_round(funding_round.id, now=funding_round.closes_at)
    leader = factory.user(Role.LEADER)
    entry = fresh(FundingEntry, ideas["A"][1].id)
    with pytest.raises(InvalidInput):
        answer_funding(leader, entry, True, "Too short.")
    with pytest.raises(NotAllowed):
        answer_funding(factory.user(), entry, True, RATIONALE)
    answer_funding(leader, entry, True, RATIONALE)
    entry = fresh(FundingEntry, entry.id)
    assert entry.answer == FundingAnswer.RELEASED and entry.answered_by_id == leader.id
    assert fresh(Idea, entry.idea_id).status == IdeaStatus.ACCEPTED
    assert db.session.get(Delivery, entry.idea_id) is not None
    assert db.session.scalars(select(Milestone.title)).all() == ["Milestone A"]
    assert count(AuditEntry, AuditEntry.action == "funding.released") == 1
    with pytest.raises(InvalidInput):
        answer_funding(leader, entry, False, RATIONALE)  # answered once


def test_declining_in_the_review_queue_declines_the_funding(factory):
    funding_round, ideas, backers = funded_round(factory)
    close_round(funding_round.id, now=funding_round.closes_at)
    leader = factory.user(Role.LEADER)
    idea = idea_by_public_id(ideas["A"][0].public_id)
    change_status(leader, idea, IdeaStatus.DECLINED, "Not now: the budget goes to the new "
                  "warehouse this year.")
    entry = fresh(FundingEntry, ideas["A"][1].id)
    assert entry.answer == FundingAnswer.DECLINED
    assert "warehouse" in entry.answer_note
    assert kinds_for(backers[0], NotificationKind.FUNDING_ANSWER) == ["declined"]


def test_an_accepted_idea_is_confirmed_on_its_own(factory):
    funding_round = make_round(factory)
    leader = factory.user(Role.LEADER)
    idea, entry = entered_idea(factory, funding_round, ask=20_000)
    back([factory.user() for _ in range(2)], funding_round, entry, 40)
    pull_into_queue(leader, idea_by_public_id(idea.public_id), "Worth an answer")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED, RATIONALE)
    close_round(funding_round.id, now=funding_round.closes_at)
    entry = fresh(FundingEntry, entry.id)
    assert entry.funded and entry.awaits_answer
    answer_funding(leader, entry, True, RATIONALE)
    assert fresh(FundingEntry, entry.id).answer == FundingAnswer.RELEASED
    assert fresh(Idea, idea.id).status == IdeaStatus.ACCEPTED
    steps = db.session.scalars(select(Decision.status)).all()
    assert steps == [IdeaStatus.ACCEPTED]  # no second decision on the timeline
