"""Comparing ideas two at a time as services and queries: one answer per person per pair,
never one's own idea nor an idea against itself, counters kept in the same transaction, the
ranking from the database, and the small-group rule on who took part."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignKind,
    Idea,
    IdeaStatus,
    PairwiseChoice,
    Role,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.pairwise import comparing_state, excerpt, pairwise_results
from ideaboard.ranking.pairwise import pair_key
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.campaigns import create_campaign, edit_campaign
from ideaboard.services.ideas import post_idea
from ideaboard.services.pairwise import record_choice


def comparing_campaign(factory, *, closes_in: int | None = 10, hide: bool = False,
                       kind: CampaignKind = CampaignKind.IDEAS) -> Campaign:
    return create_campaign(factory.user(Role.LEADER), title="Which would help more?",
                           description="", kind=kind, anonymity=Anonymity.OPTIONAL,
                           opens_at=utcnow() - timedelta(days=1),
                           closes_at=utcnow() + timedelta(days=closes_in) if closes_in else None,
                           hide_totals_until_close=hide, pairwise_enabled=True)


def options(factory, campaign: Campaign, count: int, author=None) -> list[Idea]:
    author = author or factory.user()
    return [post_idea(author, campaign, title=f"Option {n}", body=f"Why option {n} helps",
                      tags=[]) for n in range(count)]


def reload(idea: Idea) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea.id)


def test_a_choice_is_stored_once_in_id_order_with_both_counters_moved(factory):
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    me = factory.user()
    record_choice(me, campaign, b, a, b)  # shown the other way round
    choice = db.session.scalars(select(PairwiseChoice)).one()
    assert (choice.first_idea_id, choice.second_idea_id) == (a.id, b.id)
    assert choice.winner_idea_id == b.id and choice.user_id == me.id
    assert reload(a).comparison_count == reload(b).comparison_count == 1


def test_nobody_answers_the_same_pair_twice_whichever_way_round(factory):
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    me = factory.user()
    record_choice(me, campaign, a, b, None)  # "can't decide" counts as an answer
    with pytest.raises(InvalidInput):
        record_choice(me, campaign, b, a, a)
    assert db.session.scalar(select(func.count()).select_from(PairwiseChoice)) == 1
    assert reload(a).comparison_count == 1
    record_choice(factory.user(), campaign, a, b, a)  # someone else may
    assert reload(a).comparison_count == 2


def test_the_database_refuses_a_second_answer_too(factory):
    """The unique constraint is the last line of defence, whatever the service does."""
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    me = factory.user()
    record_choice(me, campaign, a, b, a)
    with pytest.raises(IntegrityError):
        db.session.execute(insert(PairwiseChoice).values(
            campaign_id=campaign.id, user_id=me.id, first_idea_id=a.id, second_idea_id=b.id,
            winner_idea_id=b.id, created_at=utcnow()))
    db.session.rollback()
    with pytest.raises(IntegrityError):  # and a pair out of order, or an idea against itself
        db.session.execute(insert(PairwiseChoice).values(
            campaign_id=campaign.id, user_id=me.id, first_idea_id=a.id, second_idea_id=a.id,
            created_at=utcnow()))
    db.session.rollback()


def test_never_an_idea_against_itself_nor_ones_own_idea(factory):
    campaign = comparing_campaign(factory)
    me = factory.user()
    a, b = options(factory, campaign, 2)
    (mine,) = options(factory, campaign, 1, author=me)
    with pytest.raises(InvalidInput):
        record_choice(me, campaign, a, a, a)
    with pytest.raises(NotAllowed):
        record_choice(me, campaign, a, mine, a)
    with pytest.raises(InvalidInput):
        record_choice(me, campaign, a, b, mine)  # the winner must be one of the pair
    assert db.session.scalar(select(func.count()).select_from(PairwiseChoice)) == 0


def test_hidden_merged_deleted_and_foreign_ideas_take_no_comparisons(factory):
    campaign = comparing_campaign(factory)
    a, b, c, d = options(factory, campaign, 4)
    elsewhere = factory.idea()
    me = factory.user()
    db.session.execute(update(Idea).where(Idea.id == b.id).values(hidden_at=utcnow()))
    db.session.execute(update(Idea).where(Idea.id == c.id).values(status=IdeaStatus.MERGED))
    db.session.execute(update(Idea).where(Idea.id == d.id).values(deleted_at=utcnow()))
    db.session.commit()
    for other in (reload(b), reload(c), reload(d)):
        with pytest.raises((NotFound, InvalidInput, NotAllowed)):
            record_choice(me, campaign, reload(a), other, None)
    with pytest.raises(NotFound):
        record_choice(me, campaign, reload(a), elsewhere, None)
    state = comparing_state(campaign, me, random.Random(1))
    assert state.pair is None and state.ideas == 1


def test_closed_or_not_comparing_campaigns_refuse(factory):
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                       .values(closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(NotAllowed):
        record_choice(factory.user(), db.session.get(Campaign, campaign.id), a, b, a)
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                       .values(closes_at=None, pairwise_enabled=False))
    db.session.commit()
    with pytest.raises(NotFound):
        record_choice(factory.user(), db.session.get(Campaign, campaign.id), a, b, a)


def test_the_next_pair_skips_answered_pairs_and_ones_own_ideas(factory):
    campaign = comparing_campaign(factory)
    me = factory.user()
    ideas = options(factory, campaign, 3)
    options(factory, campaign, 2, author=me)
    answered = 0
    while (state := comparing_state(campaign, me, random.Random(answered))).pair:
        pair = state.pair
        assert pair.left.id != pair.right.id
        assert me.id not in (pair.left.author_id, pair.right.author_id)
        assert state.answered == answered
        record_choice(me, campaign, pair.left, pair.right, pair.left)
        answered += 1
    assert answered == 3  # every pair of the three ideas that are not mine, once
    assert state.answered == 3 and state.ideas == 3
    assert {pair_key(c.first_idea_id, c.second_idea_id) for c in db.session.scalars(
        select(PairwiseChoice))} == {pair_key(x.id, y.id) for x in ideas for y in ideas
                                     if x.id < y.id}


def test_pairs_favour_ideas_with_fewer_comparisons(factory):
    campaign = comparing_campaign(factory)
    ideas = options(factory, campaign, 4)
    db.session.execute(update(Idea).where(Idea.id.in_([i.id for i in ideas[:3]]))
                       .values(comparison_count=40))
    db.session.commit()
    me = factory.user()
    rng = random.Random(3)
    fresh = sum(ideas[3].id in (s.pair.left.id, s.pair.right.id) for s in (
        comparing_state(campaign, me, rng) for _ in range(60)))
    assert fresh > 45  # in nearly every pair, where chance would give 30 of 60


def test_the_next_pair_never_trusts_stale_counters_in_a_long_session(factory):
    """Counters move by SQL increments (another request, or record_choice itself), so ideas
    already loaded in this session hold old counts: pair selection must read fresh ones."""
    campaign = comparing_campaign(factory)
    ideas = options(factory, campaign, 4)  # held: they stay in the session's identity map
    db.session.execute(update(Idea).where(Idea.id.in_([i.id for i in ideas[:3]]))
                       .values(comparison_count=40).execution_options(synchronize_session=False))
    db.session.commit()
    assert ideas[0].comparison_count == 0  # the copy in the session is stale
    me, rng = factory.user(), random.Random(5)
    fresh = sum(ideas[3].id in (s.pair.left.id, s.pair.right.id) for s in (
        comparing_state(campaign, me, rng) for _ in range(60)))
    assert fresh > 45


def test_the_ranking_follows_the_choices_with_bands_and_counts(factory):
    campaign = comparing_campaign(factory)
    best, middle, worst, unseen = options(factory, campaign, 4)
    people = [factory.user() for _ in range(6)]
    for person in people:
        record_choice(person, campaign, best, middle, best)
        record_choice(person, campaign, middle, worst, middle)
        record_choice(person, campaign, best, worst, best)
    record_choice(factory.user(), campaign, best, unseen, None)
    results = pairwise_results(campaign, "Other departments")
    order = [row.idea.id for row in results.ranked]
    assert order[:3] == [best.id, middle.id, worst.id] or order.index(best.id) == 0
    ranked = {row.idea.id: row for row in results.ranked}
    assert ranked[best.id].chance > ranked[middle.id].chance > ranked[worst.id].chance
    assert ranked[unseen.id].comparisons == 0
    assert ranked[best.id].comparisons == 12 and ranked[best.id].wins == 12
    for row in results.ranked:
        assert 0 <= row.low <= row.chance <= row.high <= 1
    assert (results.choices, results.skips, results.people) == (18, 1, 7)


def test_who_took_part_obeys_the_small_group_rule(factory):
    campaign = comparing_campaign(factory)
    a, b = options(factory, campaign, 2)
    for _ in range(6):
        record_choice(factory.user(department="Sales"), campaign, a, b, a)
    for _ in range(2):
        record_choice(factory.user(department="Legal"), campaign, a, b, b)
    breakdown = pairwise_results(campaign, "Other departments").by_department
    shown = {group.name: group.voters for group in breakdown.groups}
    assert "Legal" not in shown
    # Legal's 2 alone would be a group under 5, so it is folded together with the smallest
    # shown group (here Sales), leaving nothing that could be worked out by subtraction
    assert all(v >= 5 for v in shown.values())
    assert breakdown.other is None or breakdown.other.voters >= 5


def test_running_totals_stay_hidden_until_close_when_asked(factory):
    hidden = comparing_campaign(factory, hide=True)
    assert hidden.totals_hidden()
    assert not comparing_campaign(factory, hide=False).totals_hidden()
    assert not comparing_campaign(factory, hide=True, closes_in=None).totals_hidden()


def test_owners_turn_comparing_on_and_off_and_it_is_audited(factory):
    from ideaboard.models import AuditEntry

    owner = factory.user(Role.LEADER)
    campaign = create_campaign(owner, title="Where should we start?", description="",
                               kind=CampaignKind.IDEAS, anonymity=Anonymity.NAMED,
                               opens_at=utcnow(), closes_at=None)
    assert not campaign.pairwise_enabled
    edit_campaign(owner, campaign, title=campaign.title, description="", opens_at=utcnow(),
                  closes_at=None, promised_answer_at=None, allow_nominations=True,
                  hide_totals_until_close=False, pairwise_enabled=True)
    assert db.session.get(Campaign, campaign.id).pairwise_enabled
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.edit")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.details == {"pairwise_enabled": "True"}
    with pytest.raises(NotAllowed):
        edit_campaign(factory.user(), campaign, title="Mine now", description="",
                      opens_at=utcnow(), closes_at=None, promised_answer_at=None,
                      allow_nominations=True, hide_totals_until_close=False,
                      pairwise_enabled=False)


def test_plan_reviews_cannot_compare_ideas(factory):
    campaign = comparing_campaign(factory, kind=CampaignKind.PLAN_REVIEW)
    assert not campaign.pairwise_enabled


def test_the_excerpt_is_plain_text_cut_at_a_word(factory):
    campaign = comparing_campaign(factory)
    idea = post_idea(factory.user(), campaign, title="Long", tags=[],
                     body="**Bold** start. " + "word " * 100 + "<script>x</script>")
    text = excerpt(idea, 60)
    assert text.startswith("Bold start. word") and text.endswith("…")
    assert "<" not in text and len(text) <= 61


def test_the_standing_campaign_is_never_compared_in_pairs(factory):
    from ideaboard.services.ideas import standing_campaign

    admin, standing = factory.user(Role.ADMIN), standing_campaign()
    edit_campaign(admin, standing, title=standing.title, description="", opens_at=utcnow(),
                  closes_at=None, promised_answer_at=None, allow_nominations=True,
                  hide_totals_until_close=False, pairwise_enabled=True)
    assert not db.session.get(Campaign, standing.id).pairwise_enabled
