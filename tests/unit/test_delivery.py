"""Volunteering and delivery as a service: pledges and the team, owners, milestones,
progress updates that reach backers, stalled detection at its boundary, done with an
outcome, and the scheduler that runs it all."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    CampaignKind,
    Decision,
    Delivery,
    DeliveryUpdate,
    Idea,
    IdeaStatus,
    Milestone,
    Notification,
    NotificationKind,
    Pledge,
    PledgeStatus,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.delivery import delivered, delivery_for, is_stalled, pledges_for
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.campaigns import create_campaign
from ideaboard.services.delivery import (
    add_milestone,
    invite_to_team,
    join_team,
    mark_delivered,
    name_owner,
    notify_stalled,
    pledge_time,
    post_update,
    remove_from_team,
    set_milestone_done,
    start_work,
    withdraw_pledge,
)
from ideaboard.services.funding import answer_funding, close_round
from ideaboard.services.ideas import post_idea
from ideaboard.services.review import change_status, follow_idea, pull_into_queue
from tests.unit.funding_helpers import back, entered_idea, fresh, hide, make_round

RATIONALE = "Accepted: the pilot starts next month with two teams."
OUTCOME = "Live in all warehouses; picking errors fell from 2.1% to 0.7% in six weeks."


def notices(user: User, kind: NotificationKind) -> list[str | None]:
    return list(db.session.scalars(select(Notification.status).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def accepted_idea(factory, author: User | None = None, anonymous: bool = False):
    """An idea leadership accepted; returns (idea, deciding leader)."""
    leader = factory.user(Role.LEADER, name="Deciding Leader")
    author = author or factory.user(name="The Author")
    if anonymous:
        campaign = create_campaign(leader, title="Speak freely", description="",
                                   kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL,
                                   opens_at=utcnow() - timedelta(days=1), closes_at=None)
        idea = post_idea(author, campaign, title="An anonymous idea", body="", tags=[],
                         anonymous=True)
    else:
        idea = factory.idea(author)
    pull_into_queue(leader, idea_by_public_id(idea.public_id), "Worth an answer")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED, RATIONALE)
    return idea_by_public_id(idea.public_id), leader


# --- pledges and the team -----------------------------------------------------------------

def test_pledges_are_offered_changed_and_withdrawn(factory):
    author = factory.user()
    idea = idea_by_public_id(factory.idea(author).public_id)
    pledger = factory.user()
    pledge_time(pledger, idea, hours_per_week=2, weeks=6, skills="Python, design", note="Hi")
    pledge_time(pledger, idea, hours_per_week=4, weeks=6, skills="python", note="")
    pledge = db.session.scalar(select(Pledge))
    assert (pledge.hours_per_week, pledge.skill_list, pledge.total_hours) == (4, ["python"], 24)
    assert notices(author, NotificationKind.PLEDGE_NEW) == [None]  # once, not per change
    with pytest.raises(NotAllowed):
        pledge_time(author, idea, hours_per_week=2, weeks=2, skills="", note="")
    with pytest.raises(InvalidInput):
        pledge_time(factory.user(), idea, hours_per_week=0, weeks=6, skills="", note="")
    with pytest.raises(InvalidInput):
        pledge_time(factory.user(), idea, hours_per_week=2, weeks=99, skills="", note="")
    withdraw_pledge(pledger, idea)
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0
    with pytest.raises(NotFound):
        withdraw_pledge(pledger, idea)


def test_declined_and_hidden_ideas_take_no_pledges(factory):
    idea = factory.idea()
    leader = factory.user(Role.LEADER)
    pull_into_queue(leader, idea_by_public_id(idea.public_id), "Answer it")
    change_status(leader, idea_by_public_id(idea.public_id), IdeaStatus.DECLINED, RATIONALE)
    with pytest.raises(InvalidInput):
        pledge_time(factory.user(), idea_by_public_id(idea.public_id), hours_per_week=2,
                    weeks=2, skills="", note="")
    other = factory.idea()
    hide(factory, other)
    with pytest.raises((NotAllowed, NotFound)):  # hidden: gone for others (visibility.py)
        pledge_time(factory.user(), idea_by_public_id(other.public_id), hours_per_week=2,
                    weeks=2, skills="", note="")


def test_the_author_forms_the_team_then_the_owner_does(factory):
    author = factory.user()
    idea = idea_by_public_id(factory.idea(author).public_id)
    pledger, stranger = factory.user(), factory.user()
    pledge = pledge_time(pledger, idea, hours_per_week=3, weeks=4, skills="", note="")
    with pytest.raises(NotAllowed):
        invite_to_team(stranger, pledge.id)
    invite_to_team(author, pledge.id)
    assert notices(pledger, NotificationKind.TEAM_INVITE) == [None]
    with pytest.raises(NotAllowed):
        join_team(stranger, pledge.id)
    join_team(pledger, pledge.id)
    assert fresh(Pledge, pledge.id).status == PledgeStatus.MEMBER
    remove_from_team(author, pledge.id)
    assert fresh(Pledge, pledge.id).status == PledgeStatus.OFFERED  # the offer stays


def test_only_the_author_owner_and_leaders_see_pledgers_names(factory):
    author = factory.user()
    idea = idea_by_public_id(factory.idea(author).public_id)
    pledge_time(factory.user(name="Quiet Helper"), idea, hours_per_week=2, weeks=5,
                skills="", note="")
    for viewer, sees in ((author, True), (factory.user(Role.LEADER), True),
                         (factory.user(), False), (None, False)):
        view = pledges_for(idea, viewer, author.id)
        assert (view.people, view.hours_per_week, view.total_hours) == (1, 2, 10)
        assert bool(view.named) is sees


# --- the delivery -------------------------------------------------------------------------

def test_accepting_starts_a_delivery_owned_by_the_author(factory):
    idea, leader = accepted_idea(factory)
    view = delivery_for(idea)
    assert view.owner_id == idea.author_id and view.delivery is not None
    author = db.session.get(User, idea.author_id)
    add_milestone(author, idea, "Pilot in one warehouse", (utcnow() + timedelta(days=9)).date())
    with pytest.raises(NotAllowed):
        add_milestone(factory.user(), idea, "Sneaky", None)
    start_work(author, idea)
    assert fresh(Idea, idea.id).status == IdeaStatus.IN_PROGRESS
    new_owner = factory.user(email="new.owner@example.com")
    name_owner(leader, idea, "New.Owner@example.com ")
    assert delivery_for(fresh(Idea, idea.id)).owner_id == new_owner.id
    with pytest.raises(InvalidInput):
        name_owner(leader, idea, "nobody@example.com")
    with pytest.raises(NotAllowed):
        name_owner(author, idea, "new.owner@example.com")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "delivery.owner")) == 1
    with pytest.raises(NotAllowed):  # the former default owner no longer runs it
        post_update(author, fresh(Idea, idea.id), "Still me?", 0)


def test_an_anonymous_authors_idea_waits_for_a_named_owner(factory):
    author = factory.user()
    idea, leader = accepted_idea(factory, author=author, anonymous=True)
    assert delivery_for(idea).owner_id is None  # owning it in public would unmask them
    with pytest.raises(NotAllowed):
        post_update(author, idea, "Hello", 0)
    post_update(leader, idea, "A leader can post until an owner is named.", 0)


def test_updates_reach_backers_pledgers_the_team_and_followers(factory):
    funding_round = make_round(factory, min_backers=1)
    idea, entry = entered_idea(factory, funding_round, ask=5_000)
    backers = [factory.user() for _ in range(2)]
    back(backers, funding_round, entry, 10)
    close_round(funding_round.id, now=funding_round.closes_at)
    leader = factory.user(Role.LEADER)
    answer_funding(leader, fresh(type(entry), entry.id), True, RATIONALE)
    idea = idea_by_public_id(idea.public_id)
    pledger, follower, bystander = factory.user(), factory.user(), factory.user()
    pledge_time(pledger, idea, hours_per_week=2, weeks=2, skills="", note="")
    follow_idea(follower, idea, True)
    author = db.session.get(User, idea.author_id)
    post_update(author, idea, "Pilot **running** in two teams.", spent_amount=1_200)
    for user in (*backers, pledger, follower):
        assert notices(user, NotificationKind.DELIVERY_UPDATE) == [None]
    assert notices(bystander, NotificationKind.DELIVERY_UPDATE) == []
    assert notices(author, NotificationKind.DELIVERY_UPDATE) == []  # not told of their own
    update_row = db.session.scalar(select(DeliveryUpdate))
    assert "<strong>running</strong>" in update_row.body_html
    assert db.session.get(Delivery, idea.id).spent_amount == 1_200
    with pytest.raises(InvalidInput):
        post_update(author, idea, " ", 0)
    with pytest.raises(InvalidInput):
        post_update(author, idea, "Refund?", -5)


def test_milestones_are_reached_and_removed(factory):
    idea, leader = accepted_idea(factory)
    milestone = add_milestone(leader, idea, "Pilot", (utcnow() - timedelta(days=1)).date())
    assert milestone.is_late()
    set_milestone_done(leader, milestone.id, True)
    assert fresh(Milestone, milestone.id).is_done and not fresh(Milestone, milestone.id).is_late()
    from ideaboard.services.delivery import delete_milestone

    delete_milestone(leader, milestone.id)
    assert db.session.get(Milestone, milestone.id) is None
    with pytest.raises(NotFound):
        set_milestone_done(leader, milestone.id, True)


def test_done_needs_an_outcome_and_lands_on_the_delivered_page(factory):
    funding_round = make_round(factory, min_backers=1)
    idea, entry = entered_idea(factory, funding_round, ask=5_000)
    backer = factory.user()
    back([backer], funding_round, entry, 10)
    close_round(funding_round.id, now=funding_round.closes_at)
    answer_funding(factory.user(Role.LEADER), fresh(type(entry), entry.id), True, RATIONALE)
    idea = idea_by_public_id(idea.public_id)
    owner = db.session.get(User, idea.author_id)
    start_work(owner, idea)
    with pytest.raises(InvalidInput, match="outcome"):
        mark_delivered(owner, idea, "Done.")
    mark_delivered(owner, idea, OUTCOME)
    assert fresh(Idea, idea.id).status == IdeaStatus.DONE
    decision = db.session.scalar(select(Decision).where(Decision.status == IdeaStatus.DONE))
    assert decision.rationale == OUTCOME and decision.author_id == owner.id
    assert notices(backer, NotificationKind.DELIVERY_UPDATE) == ["done"]
    page = delivered()
    assert [item.idea.id for item in page.items] == [idea.id]
    assert page.items[0].outcome.rationale == OUTCOME
    assert (page.items[0].funds.amount, page.items[0].funds.backers) == (5_000, 1)
    with pytest.raises(InvalidInput):  # nothing to run any more
        post_update(owner, fresh(Idea, idea.id), "After the end", 0)


def test_the_delivered_page_pages_by_keyset(factory):
    leader = factory.user(Role.LEADER)
    ids = []
    for index in range(5):
        idea, _leader = accepted_idea(factory)
        mark_delivered(leader, idea, OUTCOME)
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(
            decided_at=utcnow() - timedelta(days=index)))
        db.session.commit()
        ids.append(idea.id)
    first = delivered(limit=2)
    second = delivered(after=first.next_cursor, limit=2)
    third = delivered(after=second.next_cursor, limit=2)
    seen = [i.idea.id for page in (first, second, third) for i in page.items]
    assert seen == ids and third.next_cursor is None
    assert delivered(after="garbage!!", limit=2).items[0].idea.id == ids[0]


# --- stalled deliveries -------------------------------------------------------------------

def test_stalled_exactly_at_the_setting_not_a_second_before():
    now = utcnow()
    assert not is_stalled(now - timedelta(days=30) + timedelta(seconds=1), now, 30)
    assert is_stalled(now - timedelta(days=30), now, 30)


def test_stalled_deliveries_are_marked_and_told_once(factory):
    idea, leader = accepted_idea(factory)
    author = db.session.get(User, idea.author_id)
    start = utcnow()
    db.session.execute(update(Delivery).where(Delivery.idea_id == idea.id)
                       .values(started_at=start))
    db.session.commit()
    assert notify_stalled(now=start + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert not delivery_for(idea, now=start + timedelta(days=29, hours=23)).is_stalled
    assert delivery_for(idea, now=start + timedelta(days=30)).is_stalled
    assert notify_stalled(now=start + timedelta(days=30)) == 1
    assert notify_stalled(now=start + timedelta(days=31)) == 0  # once per quiet spell
    assert notices(author, NotificationKind.DELIVERY_STALLED) == [None]
    assert notices(leader, NotificationKind.DELIVERY_STALLED) == [None]  # the decider
    post_update(author, idea, "Moving again", 0)  # a new update clears the mark
    assert not delivery_for(idea).is_stalled


def test_the_stalled_setting_is_read_from_the_admins_setting(factory):
    _idea, _leader = accepted_idea(factory)
    start = utcnow()
    db.session.execute(update(Delivery).values(started_at=start))
    db.session.execute(update(SiteSettings).values(stalled_after_days=7))
    db.session.commit()
    assert notify_stalled(now=start + timedelta(days=7)) == 1


def test_run_scheduled_closes_rounds_and_marks_stalled_deliveries(factory, runner):
    funding_round = make_round(factory)
    db.session.execute(update(type(funding_round)).values(
        opens_at=utcnow() - timedelta(days=9), closes_at=utcnow() - timedelta(minutes=5)))
    _idea, _leader = accepted_idea(factory)
    db.session.execute(update(Delivery).values(started_at=utcnow() - timedelta(days=40)))
    db.session.commit()
    result = runner.invoke(args=["run-scheduled"])
    assert result.exit_code == 0, result.output
    assert "funding rounds closed: 1" in result.output
    assert "stalled deliveries: 1" in result.output
    assert fresh(type(funding_round), funding_round.id).closed_at is not None
