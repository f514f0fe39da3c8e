"""The four scenes finished (issue 12), at the service level: escalation progress is the rule
itself, closing and reopening campaigns, the outcome's winner, handing a campaign over, and
the author's answer to "needs information"."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    Campaign,
    CampaignKind,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Role,
)
from ideaboard.models.base import utcnow
from ideaboard.models.ranking import wilson_lower_bound
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.campaigns import (
    close_campaign,
    create_campaign,
    publish_outcome,
    reassign_campaign,
    reopen_campaign,
)
from ideaboard.services.ideas import post_idea, standing_campaign
from ideaboard.services.information import answer_information_request
from ideaboard.services.review import (
    EscalationRule,
    assign,
    change_status,
    pull_into_queue,
)


def campaign_of(factory, owner, kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED, **kwargs):
    kwargs.setdefault("closes_at", utcnow() + timedelta(days=10))
    return create_campaign(owner, title="Q?", description="", kind=kind, anonymity=anonymity,
                           opens_at=utcnow() - timedelta(days=1), **kwargs)


@pytest.mark.parametrize("rule", [EscalationRule(10, 0.6), EscalationRule(3, 0.0),
                                  EscalationRule(1, 0.9), EscalationRule(25, 0.75)])
def test_supporters_to_go_is_exactly_where_the_rule_is_first_met(rule):
    for supporters in range(0, 30, 3):
        for opposers in (0, 1, 4, 12):
            to_go = rule.supporters_to_go(supporters, opposers)
            assert to_go is not None

            def met(more, supporters=supporters, opposers=opposers):
                backing = supporters + more
                return rule.crowd_met(backing, wilson_lower_bound(backing, backing + opposers))

            assert met(to_go), (supporters, opposers, to_go)
            assert to_go == 0 or not met(to_go - 1), (supporters, opposers, to_go)


def test_supporters_to_go_says_none_when_support_cannot_reach_the_score():
    assert EscalationRule(1, 1.0).supporters_to_go(0, 1) is None


def test_close_and_reopen_are_the_owners_and_audited(factory):
    owner, other = factory.user(Role.LEADER), factory.user(Role.LEADER)
    campaign = campaign_of(factory, owner)
    with pytest.raises(NotAllowed):
        close_campaign(other, campaign)
    with pytest.raises(NotAllowed):
        close_campaign(owner, standing_campaign())
    close_campaign(owner, campaign)
    assert campaign.is_closed()
    with pytest.raises(InvalidInput):
        close_campaign(owner, campaign)
    with pytest.raises(InvalidInput) as past:
        reopen_campaign(owner, campaign, utcnow() - timedelta(days=1))
    assert past.value.field == "closes_at"
    reopen_campaign(factory.user(Role.ADMIN), campaign, None)
    assert campaign.is_open()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["campaign.close", "campaign.reopen"]


def test_the_outcome_closes_the_campaign_names_a_winner_and_stays_closed(factory):
    owner = factory.user(Role.LEADER)
    consultation = campaign_of(factory, owner, CampaignKind.CONSULTATION)
    option = post_idea(owner, consultation, title="Option A", body="", tags=[])
    stranger = factory.idea(title="Elsewhere")
    with pytest.raises(InvalidInput) as refused:
        publish_outcome(owner, consultation, "A long enough outcome to publish.", stranger)
    assert refused.value.field == "winner"
    with pytest.raises(NotAllowed):
        publish_outcome(owner, standing_campaign(), "A long enough outcome to publish.")
    publish_outcome(owner, consultation, "Option A, for the reasons argued.", option)
    stored = db.session.get(Campaign, consultation.id)
    assert stored.winner_id == option.id and stored.is_closed()
    with pytest.raises(NotAllowed):
        reopen_campaign(owner, stored, None)
    with pytest.raises(NotAllowed):
        post_idea(factory.user(), stored, title="Too late", body="", tags=[])


def test_only_admins_hand_a_campaign_to_an_active_leader(factory):
    owner, admin = factory.user(Role.LEADER), factory.user(Role.ADMIN)
    campaign = campaign_of(factory, owner)
    with pytest.raises(NotAllowed):
        reassign_campaign(owner, campaign, factory.user(Role.LEADER), "")
    with pytest.raises(InvalidInput):
        reassign_campaign(admin, campaign, factory.user(), "an employee")
    with pytest.raises(InvalidInput):
        reassign_campaign(admin, campaign, owner, "the same owner")
    successor = factory.user(Role.LEADER)
    reassign_campaign(admin, campaign, successor, "Grace moved on")
    assert db.session.get(Campaign, campaign.id).owner_id == successor.id


def needs_info(factory, author, anonymous=False):
    leader, owner = factory.user(Role.LEADER), factory.user(Role.LEADER)
    campaign = campaign_of(factory, leader, anonymity=Anonymity.OPTIONAL)
    idea = post_idea(author, campaign, title="Four-day week pilot", body="", tags=[],
                     anonymous=anonymous)
    pull_into_queue(leader, idea, "Worth an answer")
    assign(leader, db.session.get(Idea, idea.id), owner)
    change_status(leader, db.session.get(Idea, idea.id), IdeaStatus.NEEDS_INFO,
                  "How many hours a month does the current rota lose?")
    return db.session.get(Idea, idea.id), leader, owner


def told(kind, user_id):
    return db.session.scalars(select(Notification).where(
        Notification.kind == kind, Notification.user_id == user_id)).all()


def test_the_answer_sends_the_idea_back_and_tells_the_deciding_leader_and_the_owner(factory):
    author = factory.user()
    idea, leader, owner = needs_info(factory, author)
    with pytest.raises(NotAllowed):
        answer_information_request(factory.user(), idea, "Not my idea")
    with pytest.raises(InvalidInput) as empty:
        answer_information_request(author, idea, "   ")
    assert empty.value.field == "info_answer"
    answer_information_request(author, idea, "About 40 hours a month.")
    assert db.session.get(Idea, idea.id).status == IdeaStatus.UNDER_REVIEW
    for person in (leader, owner):
        items = told(NotificationKind.INFO_ANSWERED, person.id)
        assert len(items) == 1 and items[0].actor_id == author.id
        assert items[0].detail == "About 40 hours a month."
    assert told(NotificationKind.INFO_ANSWERED, author.id) == []
    with pytest.raises(InvalidInput):
        answer_information_request(author, db.session.get(Idea, idea.id), "Again")


def test_an_anonymous_authors_answer_never_names_them(factory):
    author = factory.user()
    idea, leader, _owner = needs_info(factory, author, anonymous=True)
    answer = answer_information_request(author, idea, "About 40 hours a month.")
    assert answer.is_anonymous
    items = told(NotificationKind.INFO_ANSWERED, leader.id)
    assert items and all(item.actor_id is None for item in items)
