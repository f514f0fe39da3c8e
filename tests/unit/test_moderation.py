"""Flags and the automatic hide, admin actions on posts, revealing an author, merging."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Comment,
    ContentRevision,
    Decision,
    Flag,
    FlagReason,
    Idea,
    IdeaFollow,
    IdeaStatus,
    ModerationNotice,
    NoticeKind,
    Notification,
    NotificationKind,
    Role,
    SiteSettings,
    Stance,
    User,
    Vote,
)
from ideaboard.queries.admin import flag_queue
from ideaboard.queries.ideas import comment_by_public_id, idea_by_public_id, list_ideas
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.comments import add_comment
from ideaboard.services.merge import merge_ideas
from ideaboard.services.moderation import (
    ModerationAction,
    edit_post,
    flag,
    moderate,
    reveal_author,
)
from ideaboard.services.review import follow_idea
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote

MERGE_RATIONALE = "Both ideas ask for the same thing: one shared launch calendar."


def audit_count(action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalar(query)


def notices(user: User) -> list[ModerationNotice]:
    return list(db.session.scalars(select(ModerationNotice).where(
        ModerationNotice.user_id == user.id).order_by(ModerationNotice.id)))


def anonymous(idea: Idea) -> Idea:
    """As if posted in a campaign that allows anonymity."""
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_anonymous=True))
    db.session.commit()
    return fresh(idea)


def fresh(item):
    db.session.expire_all()
    return db.session.get(type(item), item.id)


@pytest.fixture
def post(factory):
    author = factory.user(name="Pat Poster")
    idea = factory.idea(author, title="Paint the office green")
    comment = add_comment(author, idea_by_public_id(idea.public_id), body="Rude words here",
                          stance=Stance.AGAINST)
    return author, fresh(idea), fresh(comment)


# --- flags -------------------------------------------------------------------------------

def test_one_flag_per_user_per_item(factory, post):
    _author, idea, _comment = post
    flagger = factory.user()
    assert flag(flagger, idea, FlagReason.SPAM) is False
    with pytest.raises(InvalidInput):
        flag(flagger, idea, FlagReason.ABUSIVE)
    db.session.rollback()
    with pytest.raises(IntegrityError):  # the unique constraint is the last line of defence
        db.session.execute(insert(Flag).values(user_id=flagger.id, idea_id=idea.id,
                                               reason=FlagReason.OTHER, note="x"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_the_same_user_may_flag_an_idea_and_a_comment_on_it(factory, post):
    _author, idea, comment = post
    flagger = factory.user()
    flag(flagger, idea, FlagReason.SPAM)
    flag(flagger, comment, FlagReason.ABUSIVE)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 2


def test_nobody_flags_their_own_post_and_other_needs_words(factory, post):
    author, idea, _comment = post
    with pytest.raises(NotAllowed):
        flag(author, idea, FlagReason.SPAM)
    with pytest.raises(InvalidInput):
        flag(factory.user(), idea, FlagReason.OTHER, "  ")


def test_third_distinct_flag_hides_the_comment_exactly_once(factory, post):
    author, idea, comment = post
    flaggers = [factory.user() for _ in range(3)]
    assert flag(flaggers[0], comment, FlagReason.ABUSIVE) is False
    assert flag(flaggers[1], comment, FlagReason.ABUSIVE, "insults a colleague") is False
    assert fresh(comment).hidden_at is None

    assert flag(flaggers[2], comment, FlagReason.SPAM) is True

    assert fresh(comment).hidden_at is not None
    assert fresh(idea).hidden_at is None
    [notice] = notices(author)
    assert (notice.kind, notice.reason_code) == (NoticeKind.AUTO_HIDDEN, FlagReason.ABUSIVE)
    assert notice.comment_id == comment.id and notice.idea_id == idea.id
    assert audit_count("moderation.auto_hide") == 1
    with pytest.raises(InvalidInput):  # already hidden: nothing more to do
        flag(factory.user(), fresh(comment), FlagReason.SPAM)
    assert audit_count("moderation.auto_hide") == 1


def test_the_threshold_is_the_admins_setting(factory, post):
    _author, idea, _comment = post
    db.session.execute(update(SiteSettings).values(flag_threshold=1))
    db.session.commit()
    assert flag(factory.user(), idea, FlagReason.OFF_TOPIC) is True
    assert idea.id not in [i.id for i in list_ideas("new", viewer=None).items]


def test_concurrent_flags_hide_exactly_once(app, factory, post):
    author, _idea, comment = post
    flaggers = [factory.user().id for _ in range(6)]
    barrier = threading.Barrier(len(flaggers))
    errors: list[BaseException] = []
    results: list[bool] = []

    def worker(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Comment, comment.id)
                db.session.commit()
                barrier.wait(timeout=30)
                results.append(flag(user, target, FlagReason.ABUSIVE))
            except InvalidInput:
                results.append(False)  # came after the hide: "already hidden"
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(user_id,)) for user_id in flaggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert results.count(True) == 1
    assert audit_count("moderation.auto_hide") == 1
    assert [n.kind for n in notices(author)] == [NoticeKind.AUTO_HIDDEN]
    assert fresh(comment).hidden_at is not None


def test_the_queue_groups_open_flags_by_post_longest_waiting_first(factory, post):
    _author, idea, comment = post
    other = factory.idea(title="Another idea")
    first, second, third = (factory.user() for _ in range(3))
    flag(first, idea, FlagReason.SPAM)
    flag(second, idea, FlagReason.OFF_TOPIC, "Belongs in the canteen thread")
    flag(first, comment, FlagReason.ABUSIVE)
    flag(third, fresh(other), FlagReason.SPAM)
    # The comment's flag came third but is the oldest: it leads the queue.
    db.session.execute(update(Flag).where(Flag.comment_id == comment.id)
                       .values(created_at=datetime(2020, 1, 1)))
    db.session.commit()
    moderate(factory.user(Role.ADMIN), fresh(other), ModerationAction.DISMISS)

    queue = flag_queue()

    assert queue.total == 2  # the dismissed post has left the queue
    assert [(g.kind, g.item.id) for g in queue.groups] == [("comment", comment.id),
                                                           ("idea", idea.id)]
    comment_group, idea_group = queue.groups
    assert comment_group.idea.id == idea.id  # shown in the context of its idea
    assert [f.user_id for f in idea_group.flags] == [first.id, second.id]
    assert idea_group.reasons == [(FlagReason.SPAM, 1), (FlagReason.OFF_TOPIC, 1)]
    assert idea_group.notes == ["Belongs in the canteen thread"]


# --- admin actions -----------------------------------------------------------------------

def flag_three_times(factory, item) -> None:
    for _ in range(3):
        flag(factory.user(), item, FlagReason.ABUSIVE)


def test_each_admin_action_writes_one_audit_entry_and_tells_the_author(factory, post):
    author, _idea, comment = post
    admin = factory.user(Role.ADMIN)
    flag_three_times(factory, comment)
    before = audit_count()

    moderate(admin, fresh(comment), ModerationAction.HIDE, reason_code=FlagReason.ABUSIVE,
             reason="Personal attack")
    assert audit_count() == before + 1
    assert fresh(comment).hidden_at is not None
    assert db.session.scalar(select(func.count()).select_from(Flag)
                             .where(Flag.resolved_at.is_(None))) == 0
    hidden = notices(author)[-1]
    assert (hidden.kind, hidden.reason_code, hidden.reason) == (
        NoticeKind.HIDDEN, FlagReason.ABUSIVE, "Personal attack")

    moderate(admin, fresh(comment), ModerationAction.RESTORE, reason="Context makes it fine")
    assert audit_count() == before + 2
    assert fresh(comment).hidden_at is None
    assert notices(author)[-1].kind == NoticeKind.RESTORED

    edit_post(admin, fresh(comment), body="Polite words here", reason="Removed an insult")
    assert audit_count() == before + 3
    [revision] = db.session.scalars(select(ContentRevision)).all()
    assert revision.body == "Rude words here" and revision.comment_id == comment.id
    assert fresh(comment).body == "Polite words here"
    assert notices(author)[-1].kind == NoticeKind.EDITED

    count_before = db.session.scalar(select(Idea.comment_count).where(
        Idea.id == comment.idea_id))
    moderate(admin, fresh(comment), ModerationAction.DELETE, reason_code=FlagReason.SPAM)
    assert audit_count() == before + 4
    deleted = fresh(comment)
    assert deleted.is_deleted and deleted.hidden_at is not None and deleted.body == ""
    assert db.session.scalar(select(Idea.comment_count).where(
        Idea.id == comment.idea_id)) == count_before - 1
    assert notices(author)[-1].kind == NoticeKind.REMOVED
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-4:] == ["moderation.hide", "moderation.restore", "moderation.edit",
                            "moderation.delete"]


def test_dismissing_flags_restores_an_auto_hidden_post(factory, post):
    author, idea, _comment = post
    admin = factory.user(Role.ADMIN)
    flag_three_times(factory, idea)
    assert fresh(idea).hidden_at is not None

    moderate(admin, fresh(idea), ModerationAction.DISMISS)

    assert fresh(idea).hidden_at is None
    assert audit_count("moderation.dismiss") == 1
    assert [n.kind for n in notices(author)] == [NoticeKind.AUTO_HIDDEN, NoticeKind.RESTORED]
    assert set(db.session.scalars(select(Flag.resolution))) == {"dismissed"}
    with pytest.raises(InvalidInput):
        moderate(admin, fresh(idea), ModerationAction.DISMISS)


def test_hide_and_delete_need_a_reason_and_an_admin(factory, post):
    _author, idea, _comment = post
    with pytest.raises(NotAllowed):
        moderate(factory.user(Role.LEADER), idea, ModerationAction.HIDE,
                 reason_code=FlagReason.SPAM)
    admin = factory.user(Role.ADMIN)
    with pytest.raises(InvalidInput):
        moderate(admin, idea, ModerationAction.HIDE)
    with pytest.raises(InvalidInput):
        moderate(admin, idea, ModerationAction.DELETE, reason_code=FlagReason.OTHER, reason="")
    assert audit_count() == 0


def test_an_idea_deleted_by_a_moderator_is_a_tombstone(factory, post):
    _author, idea, _comment = post
    moderate(factory.user(Role.ADMIN), idea, ModerationAction.DELETE,
             reason_code=FlagReason.PERSONAL_INFO, reason="Phone number in the text")
    gone = fresh(idea)
    assert gone.is_deleted and gone.hidden_at is not None
    assert (gone.title, gone.body, gone.tag_names) == ("", "", "")


# --- revealing an anonymous author -------------------------------------------------------

def test_reveal_needs_a_reason_is_audited_without_the_name_and_the_author_is_told(factory):
    author = factory.user(name="Secret Writer", email="secret.writer@example.com")
    idea = anonymous(factory.idea(author, title="About executive pay"))
    admin = factory.user(Role.ADMIN)
    with pytest.raises(InvalidInput):
        reveal_author(admin, fresh(idea), "because")
    assert audit_count() == 0

    revealed = reveal_author(admin, fresh(idea), "Legal hold requested by the works council")

    assert revealed.id == author.id
    [entry] = db.session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "anonymity.reveal", admin.id, idea.public_id)
    text = f"{entry.reason} {entry.details} {entry.target_type}"
    assert "Secret Writer" not in text and "secret.writer" not in text and str(author.id) not in (
        entry.details or {}).values()
    [notice] = notices(author)
    assert notice.kind == NoticeKind.REVEALED
    assert notice.reason == "Legal hold requested by the works council"


def test_a_named_post_cannot_be_revealed(factory, post):
    _author, idea, _comment = post
    with pytest.raises(InvalidInput):
        reveal_author(factory.user(Role.ADMIN), idea, "Just curious about this one really")


# --- merging duplicates ------------------------------------------------------------------

@pytest.fixture
def duplicates(factory):
    dup_author = factory.user(name="Duplicate Author")
    survivor_author = factory.user(name="Survivor Author")
    duplicate = factory.idea(dup_author, title="Shared launch calendar please")
    survivor = factory.idea(survivor_author, title="One calendar for all launches")
    return dup_author, survivor_author, fresh(duplicate), fresh(survivor)


def loaded(idea: Idea) -> Idea:
    return idea_by_public_id(idea.public_id)


def vote_rows(idea_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(Vote.user_id, Vote.value).where(
        Vote.idea_id == idea_id)).all())


def test_merge_counts_overlapping_voters_once_and_recounts_from_the_rows(factory, duplicates):
    dup_author, survivor_author, duplicate, survivor = duplicates
    both_support, both_mixed, only_dup, only_dup_oppose, only_survivor = (
        factory.user() for _ in range(5))
    cast_vote(both_support, duplicate.public_id, SUPPORT)
    cast_vote(both_support, survivor.public_id, SUPPORT)
    cast_vote(both_mixed, duplicate.public_id, SUPPORT)
    cast_vote(both_mixed, survivor.public_id, OPPOSE)  # the survivor's vote is the one kept
    cast_vote(only_dup, duplicate.public_id, SUPPORT)
    cast_vote(only_dup_oppose, duplicate.public_id, OPPOSE)
    cast_vote(only_survivor, survivor.public_id, SUPPORT)
    cast_vote(survivor_author, duplicate.public_id, SUPPORT)  # cannot vote on their own idea
    cast_vote(dup_author, survivor.public_id, SUPPORT)  # may keep theirs on the other idea
    admin = factory.user(Role.ADMIN)

    result = merge_ideas(admin, fresh(duplicate), fresh(survivor), MERGE_RATIONALE)

    rows = vote_rows(survivor.id)
    assert rows == {both_support.id: SUPPORT, both_mixed.id: OPPOSE, only_dup.id: SUPPORT,
                    only_dup_oppose.id: OPPOSE, only_survivor.id: SUPPORT,
                    dup_author.id: SUPPORT}
    assert survivor_author.id not in rows
    assert vote_rows(duplicate.id) == {}
    assert (result.votes_moved, result.votes_dropped) == (2, 3)
    kept = fresh(survivor)
    assert (kept.supporters, kept.opposers) == (
        sum(v == SUPPORT for v in rows.values()), sum(v == OPPOSE for v in rows.values()))
    assert kept.score > 0
    merged = fresh(duplicate)
    assert merged.status == IdeaStatus.MERGED
    assert (merged.supporters, merged.opposers, merged.score) == (0, 0, 0.0)
    decision = db.session.scalar(select(Decision).where(Decision.idea_id == duplicate.id))
    assert decision.merged_into_id == survivor.id and decision.status == IdeaStatus.MERGED
    assert audit_count("idea.merge") == 1 and audit_count() == 1


def test_merge_moves_comments_and_followers_and_tells_both_audiences(factory, duplicates):
    dup_author, survivor_author, duplicate, survivor = duplicates
    talker, dup_follower, survivor_follower = (factory.user() for _ in range(3))
    add_comment(talker, loaded(duplicate), body="On the duplicate", stance=Stance.FOR)
    gone = add_comment(talker, loaded(duplicate), body="Deleted later", stance=Stance.FOR)
    gone.deleted_at = gone.created_at
    db.session.add(gone)
    db.session.execute(update(Idea).where(Idea.id == duplicate.id)
                       .values(comment_count=Idea.comment_count - 1))
    db.session.commit()
    add_comment(talker, loaded(survivor), body="On the survivor", stance=Stance.AGAINST)
    follow_idea(dup_follower, duplicate, True)
    follow_idea(survivor_follower, survivor, True)
    admin = factory.user(Role.ADMIN)

    result = merge_ideas(admin, fresh(duplicate), fresh(survivor), MERGE_RATIONALE)

    assert result.comments_moved == 2
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.idea_id == survivor.id)) == 3
    assert fresh(survivor).comment_count == 2  # tombstones are not counted
    assert fresh(duplicate).comment_count == 0
    followers = set(db.session.scalars(select(IdeaFollow.user_id).where(
        IdeaFollow.idea_id == survivor.id)))
    assert {dup_follower.id, survivor_follower.id, dup_author.id} <= followers
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == NotificationKind.DECISION, Notification.idea_id == duplicate.id)))
    assert {dup_author.id, survivor_author.id, dup_follower.id, survivor_follower.id} <= told
    assert admin.id not in told


def test_merge_refusals(factory, duplicates):
    _dup_author, _survivor_author, duplicate, survivor = duplicates
    admin = factory.user(Role.ADMIN)
    with pytest.raises(InvalidInput):
        merge_ideas(admin, duplicate, survivor, "too short")
    with pytest.raises(InvalidInput):
        merge_ideas(admin, duplicate, duplicate, MERGE_RATIONALE)
    with pytest.raises(NotAllowed):
        merge_ideas(factory.user(Role.LEADER), duplicate, survivor, MERGE_RATIONALE)
    merge_ideas(admin, duplicate, survivor, MERGE_RATIONALE)
    with pytest.raises(InvalidInput):
        merge_ideas(admin, fresh(duplicate), fresh(survivor), MERGE_RATIONALE)
    assert audit_count() == 1


def test_merge_can_escalate_the_survivor(factory, duplicates):
    _dup_author, _survivor_author, duplicate, survivor = duplicates
    db.session.execute(update(SiteSettings).values(escalation_min_supporters=3,
                                                   escalation_min_wilson=0.0))
    db.session.commit()
    for idea in (duplicate, duplicate, survivor):
        cast_vote(factory.user(), idea.public_id, SUPPORT)

    merge_ideas(factory.user(Role.ADMIN), fresh(duplicate), fresh(survivor), MERGE_RATIONALE)

    assert fresh(survivor).status == IdeaStatus.ESCALATED


def test_comment_by_public_id_still_finds_a_moved_comment(factory, duplicates):
    _dup_author, _survivor_author, duplicate, survivor = duplicates
    comment = add_comment(factory.user(), loaded(duplicate), body="Moves along",
                          stance=Stance.FOR)
    merge_ideas(factory.user(Role.ADMIN), fresh(duplicate), fresh(survivor), MERGE_RATIONALE)
    db.session.expire_all()
    assert comment_by_public_id(comment.public_id).idea_id == survivor.id
