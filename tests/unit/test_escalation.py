"""The escalation rule, exactly-once escalation, pulls, decisions and their notifications."""
import threading

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Decision,
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    Role,
    SiteSettings,
    Stance,
    User,
)
from ideaboard.models.ranking import wilson_lower_bound
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.comments import add_comment
from ideaboard.services.review import (
    change_status,
    escalation_rule_preview,
    follow_idea,
    pull_into_queue,
    update_escalation_rule,
)
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote


def set_rule(**values) -> None:
    settings = db.session.get(SiteSettings, 1)
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.commit()


def status_of(idea) -> IdeaStatus:
    db.session.expire_all()
    return db.session.get(Idea, idea.id).status


def support(idea, count: int) -> list[User]:
    voters = []
    for _ in range(count):
        voter = User(email=f"v{idea.id}-{len(voters)}-{id(voters)}@example.com",
                     display_name="Voter", password_hash="x")
        db.session.add(voter)
        voters.append(voter)
    db.session.commit()
    for voter in voters:
        cast_vote(voter, idea.public_id, SUPPORT)
    return voters


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_nine_supporters_stay_open_and_the_tenth_escalates(factory):
    idea = factory.idea()
    support(idea, 9)
    assert status_of(idea) == IdeaStatus.OPEN
    result = cast_vote(factory.user(), idea.public_id, SUPPORT)
    assert result.escalated and status_of(idea) == IdeaStatus.ESCALATED
    escalation = db.session.scalar(select(Escalation))
    assert escalation.reason == EscalationReason.THRESHOLD_MET
    assert (escalation.due_at - escalation.created_at).days == 14


def test_wilson_just_under_the_minimum_does_not_escalate_and_at_it_does(factory):
    at_ten = wilson_lower_bound(10, 10)
    set_rule(escalation_min_wilson=at_ten + 1e-9)
    under = factory.idea()
    support(under, 10)
    assert status_of(under) == IdeaStatus.OPEN
    set_rule(escalation_min_wilson=at_ten)
    at = factory.idea()
    support(at, 10)
    assert status_of(at) == IdeaStatus.ESCALATED


def test_the_default_minimum_score_holds_back_a_contested_idea(factory):
    idea = factory.idea()
    for _ in range(8):
        cast_vote(factory.user(), idea.public_id, OPPOSE)
    support(idea, 12)  # 12 of 20: Wilson lower bound ≈ 0.39 < 0.6
    assert status_of(idea) == IdeaStatus.OPEN


def test_a_percentage_of_active_employees_replaces_the_fixed_number(factory):
    set_rule(escalation_min_supporters=1000, escalation_min_supporters_percent=50.0,
             escalation_min_wilson=0.5)
    idea = factory.idea()  # 1 user so far
    voters = [factory.user() for _ in range(9)]  # 10 active employees → 5 needed
    for voter in voters[:4]:
        cast_vote(voter, idea.public_id, SUPPORT)
    assert status_of(idea) == IdeaStatus.OPEN
    cast_vote(voters[4], idea.public_id, SUPPORT)
    assert status_of(idea) == IdeaStatus.ESCALATED


def test_concurrent_tipping_votes_escalate_exactly_once(app, factory):
    idea = factory.idea()
    support(idea, 8)
    leader = factory.user(Role.LEADER)
    voters = [factory.user().id for _ in range(12)]
    barrier = threading.Barrier(len(voters))
    errors = []

    def vote(user_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                cast_vote(user, idea.public_id, SUPPORT)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=vote, args=(user_id,)) for user_id in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert count(Escalation, Escalation.idea_id == idea.id) == 1
    assert status_of(idea) == IdeaStatus.ESCALATED
    assert count(Notification, Notification.user_id == leader.id,
                 Notification.kind == NotificationKind.QUEUE_NEW) == 1


def test_leaders_pull_and_admins_raise_with_a_note(factory):
    first, second = factory.idea(), factory.idea()
    with pytest.raises(NotAllowed):
        pull_into_queue(factory.user(), first, "please")
    pull_into_queue(factory.user(Role.LEADER), first, "Customers keep asking for this")
    pull_into_queue(factory.user(Role.ADMIN), second, "Raised after the town hall")
    reasons = dict(db.session.execute(select(Escalation.idea_id, Escalation.reason)).all())
    assert reasons == {first.id: EscalationReason.PULLED_BY_LEADER,
                       second.id: EscalationReason.RAISED_BY_ADMIN}
    with pytest.raises(InvalidInput):
        pull_into_queue(factory.user(Role.LEADER), db.session.get(Idea, first.id), "again")
    assert count(AuditEntry, AuditEntry.action == "idea.escalate") == 2


def escalated_idea(factory, author=None):
    idea = factory.idea(author)
    pull_into_queue(factory.user(Role.LEADER), idea, "Worth an answer")
    return db.session.get(Idea, idea.id)


RATIONALE = "We will pilot this with two teams next quarter and report back."


def test_decisions_need_a_public_rationale_of_thirty_characters(factory):
    idea = escalated_idea(factory)
    leader = factory.user(Role.LEADER)
    for status in (IdeaStatus.ACCEPTED, IdeaStatus.DECLINED, IdeaStatus.NEEDS_INFO):
        with pytest.raises(InvalidInput, match="30"):
            change_status(leader, idea, status, "Too short to explain it.")
    with pytest.raises(InvalidInput):
        change_status(leader, idea, IdeaStatus.MERGED, RATIONALE)  # no target
    with pytest.raises(NotAllowed):
        change_status(factory.user(), idea, IdeaStatus.ACCEPTED, RATIONALE)
    assert status_of(idea) == IdeaStatus.ESCALATED


def test_the_lifecycle_to_done_is_recorded_step_by_step(factory):
    idea = escalated_idea(factory)
    leader = factory.user(Role.LEADER)
    change_status(leader, idea, IdeaStatus.UNDER_REVIEW, "")
    with pytest.raises(InvalidInput):
        change_status(leader, idea, IdeaStatus.DONE, "")  # not accepted yet
    change_status(leader, idea, IdeaStatus.ACCEPTED, RATIONALE)
    db.session.expire_all()
    stored = db.session.get(Idea, idea.id)
    assert stored.review_due_at is None and stored.decided_at is not None
    change_status(leader, idea, IdeaStatus.IN_PROGRESS, "")
    with pytest.raises(InvalidInput):  # done needs an outcome statement (issue 14)
        change_status(leader, idea, IdeaStatus.DONE, "Finished.")
    change_status(leader, idea, IdeaStatus.DONE, "Shipped; waiting times fell from 9 to 4 days.")
    steps = db.session.scalars(select(Decision.status).order_by(Decision.id)).all()
    assert steps == [IdeaStatus.UNDER_REVIEW, IdeaStatus.ACCEPTED, IdeaStatus.IN_PROGRESS,
                     IdeaStatus.DONE]
    assert count(AuditEntry, AuditEntry.action == "idea.status") == 4
    assert db.session.scalar(select(Escalation.owner_id)) == leader.id  # first decider owns it


def test_merge_decision_points_at_the_surviving_idea(factory):
    idea, survivor = escalated_idea(factory), factory.idea()
    change_status(factory.user(Role.LEADER), idea, IdeaStatus.MERGED, RATIONALE, survivor)
    assert db.session.scalar(select(Decision.merged_into_id)) == survivor.id


def test_author_supporters_and_followers_hear_of_escalation_and_decisions(factory):
    author = factory.user()
    idea = factory.idea(author)
    supporter, follower, opposer, muted = (factory.user() for _ in range(4))
    cast_vote(supporter, idea.public_id, SUPPORT)
    cast_vote(opposer, idea.public_id, OPPOSE)
    cast_vote(muted, idea.public_id, SUPPORT)
    follow_idea(follower, idea, True)
    db.session.add(NotificationPreference(user_id=muted.id, kind=NotificationKind.ESCALATED,
                                          in_app=False, email=False))
    db.session.commit()
    pull_into_queue(factory.user(Role.LEADER), idea, "Worth an answer")

    def told(kind):
        return set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == kind, Notification.idea_id == idea.id)))

    assert told(NotificationKind.ESCALATED) == {author.id, supporter.id, follower.id}
    leader = factory.user(Role.LEADER)
    change_status(leader, db.session.get(Idea, idea.id), IdeaStatus.ACCEPTED, RATIONALE)
    assert told(NotificationKind.DECISION) == {author.id, supporter.id, follower.id, muted.id}


def test_authors_hear_of_comments_and_commenters_of_replies(factory):
    author, commenter, replier = factory.user(), factory.user(), factory.user()
    idea = factory.idea(author)
    db.session.refresh(idea, ["campaign"])
    parent = add_comment(commenter, idea, body="Why not?", stance=Stance.FOR)
    add_comment(replier, idea, body="Because.", stance=Stance.AGAINST, parent=parent)
    kinds = db.session.execute(select(Notification.user_id, Notification.kind)
                               .order_by(Notification.id)).all()
    assert kinds == [(author.id, NotificationKind.COMMENT_ON_IDEA),
                     (author.id, NotificationKind.COMMENT_ON_IDEA),
                     (commenter.id, NotificationKind.REPLY)]


def test_rule_preview_counts_and_saving_escalates_those_ideas_openly(factory):
    admin = factory.user(Role.ADMIN)
    ideas = [factory.idea() for _ in range(3)]
    for idea in ideas[:2]:
        support(idea, 3)
    assert escalation_rule_preview(3, None, 0.3) == 2
    assert count(Escalation) == 0  # previewing changes nothing
    assert update_escalation_rule(admin, min_supporters=3, percent=None, min_wilson=0.3,
                                  sla_days=7) == 2
    assert count(Escalation) == 2
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "settings.escalation_rule"))
    assert entry.details["escalated_now"] == "2" and entry.actor_id == admin.id
    with pytest.raises(NotAllowed):
        update_escalation_rule(factory.user(Role.LEADER), min_supporters=3, percent=None,
                               min_wilson=0.3, sla_days=7)
