"""One visibility rule for every service; one merge; anonymous timing that tells nothing
finer than the anonymity window."""
from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard.anonymity import news_time, public_time
from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Comment,
    CommentVote,
    Decision,
    Escalation,
    Flag,
    FlagReason,
    Idea,
    IdeaFollow,
    IdeaStatus,
    Notification,
    Role,
    SearchDocument,
    Stance,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import comment_by_public_id, idea_by_public_id, list_ideas
from ideaboard.services import DomainError, NotAllowed, NotFound
from ideaboard.services.comments import add_comment
from ideaboard.services.moderation import flag
from ideaboard.services.review import change_status, follow_idea, pull_into_queue
from ideaboard.services.votes import SUPPORT, cast_vote, mark_helpful

RATIONALE = "Both ask for one shared launch calendar; the discussion continues there."


def make_hidden(idea: Idea) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(hidden_at=utcnow()))


def make_deleted(idea: Idea) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(deleted_at=utcnow()))


def make_merged(idea: Idea) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea.id)
                       .values(status=IdeaStatus.MERGED))


STATES: dict[str, Callable[[Idea], None]] = {
    "hidden": make_hidden, "merged": make_merged, "deleted": make_deleted}


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Every service that acts on an idea or its discussion, as (name, action, table it writes).
def _vote(user, idea, comment):
    cast_vote(user, idea.public_id, SUPPORT)


def _comment(user, idea, comment):
    add_comment(user, idea_by_public_id(idea.public_id), body="Me too", stance=Stance.FOR)


def _reply(user, idea, comment):
    add_comment(user, idea_by_public_id(idea.public_id), body="Agreed", stance=Stance.FOR,
                parent=comment_by_public_id(comment.public_id))


def _helpful(user, idea, comment):
    mark_helpful(user, comment_by_public_id(comment.public_id), True)


def _follow(user, idea, comment):
    follow_idea(user, idea_by_public_id(idea.public_id), True)


def _flag_idea(user, idea, comment):
    flag(user, idea_by_public_id(idea.public_id), FlagReason.SPAM)


def _flag_comment(user, idea, comment):
    flag(user, comment_by_public_id(comment.public_id), FlagReason.SPAM)


SERVICES = {"vote": (_vote, Vote), "comment": (_comment, Comment), "reply": (_reply, Comment),
            "helpful mark": (_helpful, CommentVote), "follow": (_follow, IdeaFollow),
            "flag the idea": (_flag_idea, Flag), "flag a comment": (_flag_comment, Flag)}


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_service_acts_on_a_hidden_merged_or_deleted_idea(factory, state, service):
    author = factory.user()
    idea = factory.idea(author, title="An idea that is no longer there")
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="First",
                          stance=Stance.NEUTRAL)
    action, table = SERVICES[service]
    STATES[state](idea)
    db.session.commit()
    db.session.expire_all()
    before = rows(table)

    with pytest.raises((NotFound, NotAllowed)):
        action(factory.user(), idea, comment)

    assert rows(table) == before


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_works_on_an_idea_that_is_there(factory, service):
    """The control: the refusals above come from the idea's state, not the call."""
    author = factory.user()
    idea = factory.idea(author, title="An idea that is there")
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="First",
                          stance=Stance.NEUTRAL)
    action, table = SERVICES[service]
    before = rows(table)
    action(factory.user(), idea, comment)
    assert rows(table) == before + 1


def test_a_hidden_comment_takes_no_reply_or_mark(factory):
    author = factory.user()
    idea = factory.idea(author)
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="Rude",
                          stance=Stance.NEUTRAL)
    db.session.execute(update(Comment).where(Comment.id == comment.id)
                       .values(hidden_at=utcnow()))
    db.session.commit()
    for action in (_reply, _helpful):
        with pytest.raises(DomainError):
            action(factory.user(), idea, comment)


# --- one merge ----------------------------------------------------------------------------

def test_a_leaders_merged_decision_moves_votes_comments_and_followers(factory):
    leader = factory.user(Role.LEADER)
    duplicate = factory.idea(title="Shared launch calendar")
    survivor = factory.idea(title="One calendar for every launch")
    voter, follower, talker = factory.user(), factory.user(), factory.user()
    cast_vote(voter, duplicate.public_id, SUPPORT)
    follow_idea(follower, idea_by_public_id(duplicate.public_id), True)
    comment = add_comment(talker, idea_by_public_id(duplicate.public_id),
                          body="Zanzibar planning board", stance=Stance.FOR)
    pull_into_queue(leader, idea_by_public_id(duplicate.public_id), "Needs an answer")

    change_status(leader, idea_by_public_id(duplicate.public_id), IdeaStatus.MERGED, RATIONALE,
                  merged_into=idea_by_public_id(survivor.public_id))

    db.session.expire_all()
    assert db.session.get(Idea, duplicate.id).status == IdeaStatus.MERGED
    assert db.session.scalar(select(Vote.idea_id).where(Vote.user_id == voter.id)) == survivor.id
    assert db.session.get(Comment, comment.id).idea_id == survivor.id
    assert db.session.get(IdeaFollow, (follower.id, survivor.id)) is not None
    assert db.session.get(Idea, survivor.id).supporters == 1
    document = db.session.scalar(select(SearchDocument).where(
        SearchDocument.doc_type == "comment", SearchDocument.doc_id == comment.id))
    assert document.idea_id == survivor.id  # the moved comment is found under the survivor
    decisions = db.session.scalars(select(Decision).where(Decision.idea_id == duplicate.id))
    assert [(d.status, d.merged_into_id) for d in decisions] == [
        (IdeaStatus.MERGED, survivor.id)]
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_id == duplicate.public_id)).all()
    assert actions.count("idea.merge") == 1 and "idea.status" not in actions
    assert db.session.scalar(select(Escalation.owner_id).where(
        Escalation.idea_id == duplicate.id)) == leader.id


def test_a_leader_cannot_merge_an_idea_outside_the_queue(factory):
    from ideaboard.services.merge import merge_ideas

    with pytest.raises(NotAllowed):
        merge_ideas(factory.user(Role.LEADER), factory.idea(), factory.idea(), RATIONALE)


# --- anonymous timing ---------------------------------------------------------------------

WINDOW = timedelta(hours=1)


def test_an_anonymous_public_time_is_uniform_within_the_window_before_posting():
    now = datetime(2026, 12, 3, 10, 37, 12)
    offsets = [(now - public_time(now, True, WINDOW)).total_seconds() for _ in range(4000)]
    assert min(offsets) >= 0 and max(offsets) <= WINDOW.total_seconds()
    assert abs(statistics.mean(offsets) - 1800) < 120  # uniform: centred on half the window
    quarters = [sum(q * 900 <= o < (q + 1) * 900 for o in offsets) for q in range(4)]
    assert min(quarters) > 800  # every quarter of the window is as likely
    assert public_time(now, False, WINDOW) == now  # named posts keep their own time


def test_news_of_anonymous_posts_goes_out_with_the_next_batch():
    early, late = datetime(2026, 12, 3, 10, 1), datetime(2026, 12, 3, 10, 59)
    assert news_time(early, True, WINDOW) == news_time(late, True, WINDOW) == datetime(
        2026, 12, 3, 11, 0)
    assert news_time(datetime(2026, 12, 3, 23, 30), True, WINDOW) == datetime(2026, 12, 4)
    assert news_time(early, False, WINDOW) == early


def test_an_anonymous_posts_place_in_the_new_list_is_uninformative(factory):
    """Named ideas posted a minute apart around an anonymous one: the anonymous one's place
    among them varies over the whole window instead of sitting where it was written."""
    from ideaboard.models import Anonymity, CampaignKind
    from ideaboard.services.campaigns import create_campaign
    from ideaboard.services.ideas import post_idea

    campaign = create_campaign(factory.user(Role.LEADER), title="Pay", description="",
                               kind=CampaignKind.DISCUSSION, anonymity=Anonymity.OPTIONAL,
                               opens_at=utcnow() - timedelta(days=1), closes_at=None)
    author = factory.user()
    places = []
    for trial in range(12):
        anonymous = post_idea(author, campaign, title=f"Anonymous {trial}", body="",
                              tags=[], anonymous=True)
        named_times = [utcnow() - timedelta(minutes=m) for m in range(0, 60, 5)]
        named = [post_idea(factory.user(), campaign, title=f"Named {trial}-{n}", body="",
                           tags=[]) for n in range(len(named_times))]
        for idea, moment in zip(named, named_times, strict=True):
            db.session.execute(update(Idea).where(Idea.id == idea.id)
                               .values(created_at=moment, public_at=moment))
        db.session.commit()
        order = [idea.id for idea in list_ideas("new", viewer=None, campaign_id=campaign.id,
                                                limit=200).items]
        batch = [anonymous.id] + [idea.id for idea in named]
        ranked = [idea_id for idea_id in order if idea_id in batch]
        places.append(ranked.index(anonymous.id))
        db.session.execute(update(Idea).where(Idea.id.in_(batch))
                           .values(deleted_at=utcnow()))
        db.session.commit()
    # Written after all twelve named ones, a post by time would always be first (place 0).
    assert len(set(places)) >= 4
    assert statistics.mean(places) > 3


def test_news_of_an_anonymous_comment_waits_for_its_batch(factory):
    author = factory.user()
    idea = factory.idea(author)
    from ideaboard.models import Anonymity, Campaign

    db.session.execute(update(Campaign).where(Campaign.id == idea.campaign_id)
                       .values(anonymity=Anonymity.OPTIONAL))
    db.session.commit()
    add_comment(factory.user(), idea_by_public_id(idea.public_id), body="Anonymous remark",
                stance=Stance.FOR, anonymous=True)
    named = add_comment(factory.user(), idea_by_public_id(idea.public_id), body="Named remark",
                        stance=Stance.FOR)
    items = {n.comment_id: n.created_at for n in db.session.scalars(select(Notification))}
    now = utcnow()
    assert items[named.id] <= now
    (held,) = [when for comment_id, when in items.items() if comment_id != named.id]
    assert held > now and held.minute == 0 and held.second == 0
    from ideaboard.queries.notifications import unread_count

    assert unread_count(author) == 1  # the named comment only, until the batch
