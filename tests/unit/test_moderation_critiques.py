"""Flags and moderation of plan-review critiques: the same rules as for comments."""
from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    ContentRevision,
    Critique,
    CritiqueRating,
    CritiqueStance,
    Flag,
    FlagReason,
    NoticeKind,
    Role,
    Section,
)
from ideaboard.queries.admin import flag_queue, plan_moderation_view
from ideaboard.queries.plans import plan_page, plan_report, sections_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.moderation import (
    ModerationAction,
    edit_post,
    flag,
    moderate,
    reveal_author,
)
from ideaboard.services.plans import post_critique
from tests.unit.test_moderation import audit_count, notices
from tests.unit.test_plans import make_campaign, make_plan, rate_all


def fresh(item):
    db.session.expire_all()
    return db.session.get(type(item), item.id)


@pytest.fixture
def critique_post(factory):
    owner = factory.user("leader", name="Plan Owner")
    author = factory.user(name="Cross Critic")
    campaign = make_campaign(owner)
    plan = make_plan(owner, campaign)
    section = sections_of(plan)[0]
    critique = post_critique(author, campaign, section, stance=CritiqueStance.CONCERN,
                             body="This plan is written by fools", ratings=rate_all(plan, 1))
    return author, plan, section, fresh(critique)


def test_one_flag_per_user_per_critique(factory, critique_post):
    author, _plan, _section, critique = critique_post
    flagger = factory.user()
    assert flag(flagger, critique, FlagReason.ABUSIVE) is False
    with pytest.raises(InvalidInput):
        flag(flagger, fresh(critique), FlagReason.SPAM)
    db.session.rollback()
    with pytest.raises(IntegrityError):  # the unique constraint is the last line of defence
        db.session.execute(insert(Flag).values(user_id=flagger.id, critique_id=critique.id,
                                               reason=FlagReason.OTHER, note="x"))
    db.session.rollback()
    with pytest.raises(NotAllowed):
        flag(author, fresh(critique), FlagReason.SPAM)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_a_flag_names_exactly_one_target(factory, critique_post):
    _author, _plan, _section, critique = critique_post
    idea = factory.idea(factory.user(), title="Some idea")
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Flag).values(user_id=factory.user().id, idea_id=idea.id,
                                               critique_id=critique.id,
                                               reason=FlagReason.SPAM, note=""))
    db.session.rollback()


def test_third_distinct_flag_hides_the_critique_exactly_once(factory, critique_post):
    author, plan, _section, critique = critique_post
    flaggers = [factory.user() for _ in range(3)]
    assert flag(flaggers[0], critique, FlagReason.ABUSIVE) is False
    assert flag(flaggers[1], fresh(critique), FlagReason.ABUSIVE, "insults") is False
    assert fresh(critique).hidden_at is None

    assert flag(flaggers[2], fresh(critique), FlagReason.SPAM) is True

    assert fresh(critique).hidden_at is not None
    [notice] = notices(author)
    assert (notice.kind, notice.reason_code) == (NoticeKind.AUTO_HIDDEN, FlagReason.ABUSIVE)
    assert notice.critique_id == critique.id and notice.idea_id is None
    assert audit_count("moderation.auto_hide") == 1
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "moderation.auto_hide"))
    assert (entry.target_type, entry.target_id) == ("critique", critique.public_id)
    with pytest.raises(InvalidInput):  # already hidden: nothing more to do
        flag(factory.user(), fresh(critique), FlagReason.SPAM)
    assert audit_count("moderation.auto_hide") == 1

    # The author still sees it, and is told why; others do not count it.
    view = plan_moderation_view(author, plan.id)
    assert view.can_see_hidden(critique) and view.notice_for(critique) == notice
    other = plan_moderation_view(factory.user(), plan.id)
    assert not other.can_see_hidden(critique) and not other.can_flag(fresh(critique))
    first = plan_page(plan, author).sections[0]
    assert [c.id for c in first.critiques] == [critique.id]  # the template decides who sees it
    assert first.stances["concern"] == 0 and first.means == {}
    report = plan_report(plan, "Other departments", "Other levels", {})
    assert report.critiques == 0
    assert all(stats.total == 0 for section in report.sections for stats in section.scores)
    assert report.sections[0].top["concern"] == []


def test_the_queue_groups_critique_flags_with_the_critique_in_context(factory, critique_post):
    _author, _plan, section, critique = critique_post
    flag(factory.user(), critique, FlagReason.ABUSIVE)
    flag(factory.user(), fresh(critique), FlagReason.OTHER, "Calls us fools")
    queue = flag_queue()
    [group] = queue.groups
    assert queue.total == 1
    assert group.kind == "critique" and group.item.id == critique.id and group.idea is None
    assert group.critique.section.heading == section.heading
    assert group.critique.plan.campaign.slug
    assert group.notes == ["Calls us fools"]
    assert group.top_reason == FlagReason.ABUSIVE


def test_each_admin_action_on_a_critique_writes_one_audit_entry(factory, critique_post):
    author, _plan, section, critique = critique_post
    admin = factory.user(Role.ADMIN)
    for _ in range(3):
        flag(factory.user(), fresh(critique), FlagReason.ABUSIVE)
    assert fresh(critique).hidden_at is not None
    before = audit_count()

    moderate(admin, fresh(critique), ModerationAction.RESTORE, reason="Harsh but fair")
    assert audit_count() == before + 1
    assert fresh(critique).hidden_at is None
    assert notices(author)[-1].kind == NoticeKind.RESTORED
    assert db.session.scalar(select(func.count()).select_from(Flag)
                             .where(Flag.resolved_at.is_(None))) == 0
    assert set(db.session.scalars(select(Flag.resolution))) == {"restored"}

    moderate(admin, fresh(critique), ModerationAction.HIDE, reason_code=FlagReason.ABUSIVE,
             reason="Personal attack")
    assert audit_count() == before + 2
    assert fresh(critique).hidden_at is not None
    hidden = notices(author)[-1]
    assert (hidden.kind, hidden.reason_code, hidden.reason) == (
        NoticeKind.HIDDEN, FlagReason.ABUSIVE, "Personal attack")

    moderate(admin, fresh(critique), ModerationAction.RESTORE)
    flag(factory.user(), fresh(critique), FlagReason.SPAM)
    moderate(admin, fresh(critique), ModerationAction.DISMISS)
    assert audit_count() == before + 4
    assert audit_count("moderation.dismiss") == 1

    edit_post(admin, fresh(critique), body="This plan needs more thought",
              reason="Removed an insult")
    assert audit_count() == before + 5
    [revision] = db.session.scalars(select(ContentRevision)).all()
    assert revision.body == "This plan is written by fools"
    assert revision.critique_id == critique.id and revision.comment_id is None
    assert fresh(critique).body == "This plan needs more thought"
    assert notices(author)[-1].kind == NoticeKind.EDITED

    count_before = db.session.scalar(select(Section.critique_count)
                                     .where(Section.id == section.id))
    moderate(admin, fresh(critique), ModerationAction.DELETE, reason_code=FlagReason.SPAM)
    assert audit_count() == before + 6
    deleted = fresh(critique)
    assert deleted.is_deleted and deleted.hidden_at is not None and deleted.body == ""
    assert db.session.scalar(select(Section.critique_count)
                             .where(Section.id == section.id)) == count_before - 1
    assert db.session.scalar(select(func.count()).select_from(CritiqueRating).where(
        CritiqueRating.critique_id == critique.id)) == 0
    assert notices(author)[-1].kind == NoticeKind.REMOVED
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-6:] == ["moderation.restore", "moderation.hide", "moderation.restore",
                            "moderation.dismiss", "moderation.edit", "moderation.delete"]


def test_only_admins_moderate_critiques(factory, critique_post):
    _author, _plan, _section, critique = critique_post
    with pytest.raises(NotAllowed):
        moderate(factory.user(), critique, ModerationAction.HIDE,
                 reason_code=FlagReason.SPAM)
    with pytest.raises(NotAllowed):
        edit_post(factory.user(Role.LEADER), critique, body="x", reason="Because")
    assert db.session.get(Critique, critique.id).hidden_at is None


# --- revealing an anonymous critic -----------------------------------------------------------

def test_revealing_a_critique_needs_an_admin_and_a_reason_and_tells_the_author(factory):
    owner = factory.user("leader", name="Plan Owner")
    author = factory.user(name="Secret Critic", email="secret.critic@example.com")
    campaign = make_campaign(owner, anonymity=Anonymity.ANONYMOUS_ONLY)
    plan = make_plan(owner, campaign)
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="The budget is invented",
                             ratings=rate_all(plan))
    admin = factory.user(Role.ADMIN)
    reason = "Legal hold requested by the works council"
    for refused, who, why in ((NotAllowed, owner, reason), (NotAllowed, factory.user(), reason),
                              (InvalidInput, admin, "because"), (InvalidInput, admin, " " * 20)):
        with pytest.raises(refused):
            reveal_author(who, fresh(critique), why)
    assert audit_count("anonymity.reveal") == 0 and notices(author) == []

    revealed = reveal_author(admin, fresh(critique), reason)

    assert revealed.id == author.id
    [entry] = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "anonymity.reveal")).all()
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        admin.id, "critique", critique.public_id, reason)
    logged = f"{entry.reason} {entry.details} {entry.target_id}"
    assert "Secret Critic" not in logged and "secret.critic" not in logged
    assert str(author.id) not in [str(value) for value in (entry.details or {}).values()]
    [notice] = notices(author)
    assert (notice.kind, notice.reason) == (NoticeKind.REVEALED, reason)
    assert notice.critique_id == critique.id and notice.idea_id is None
    assert notice.comment_id is None


def test_a_named_critique_cannot_be_revealed(factory, critique_post):
    _author, _plan, _section, critique = critique_post
    with pytest.raises(InvalidInput):
        reveal_author(factory.user(Role.ADMIN), critique, "Legal hold requested by HR")
    assert audit_count("anonymity.reveal") == 0
