"""Shared set-up for the funding and delivery tests: a round, ideas entered in it, backers."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ideaboard.extensions import db
from ideaboard.models import DivisionRule, FundingEntry, FundingRound, Idea, Role, User
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.funding import RoundSettings, allocate, create_round, enter_idea


def round_settings(**changes) -> RoundSettings:
    now = utcnow()
    values = RoundSettings(
        title="Q3 innovation fund", purpose="Money for what colleagues back.", currency="CNY",
        pool_amount=100_000, pool_people_weeks=0, allowance=100,
        division_rule=DivisionRule.PROPORTIONAL, min_backers=2, answer_days=14,
        hide_totals_until_close=False, opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=10))
    return replace(values, **changes)


def make_round(factory, owner: User | None = None, **changes) -> FundingRound:
    owner = owner or factory.user(Role.LEADER, name="Round Owner")
    return create_round(owner, round_settings(**changes))


def entered_idea(factory, funding_round: FundingRound, *, author: User | None = None,
                 ask: int = 10_000, people_weeks: int = 0, title: str | None = None,
                 milestone: str = "A pilot in one team") -> tuple[Idea, FundingEntry]:
    author = author or factory.user(name=f"Author {factory.counter + 1}")
    idea = factory.idea(author, title=title)
    idea = idea_by_public_id(idea.public_id)
    entry = enter_idea(author, funding_round, idea, ask_amount=ask,
                       ask_people_weeks=people_weeks, first_milestone=milestone)
    return idea, entry


def back(users, funding_round: FundingRound, entry: FundingEntry, points: int) -> None:
    for user in users:
        allocate(user, funding_round.id, entry.id, points)


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def hide(factory, idea: Idea) -> None:
    """An admin hides the idea (moderation)."""
    from ideaboard.models import FlagReason
    from ideaboard.services.moderation import ModerationAction, moderate

    moderate(factory.user(Role.ADMIN), idea_by_public_id(idea.public_id), ModerationAction.HIDE,
             reason_code=FlagReason.SPAM)
