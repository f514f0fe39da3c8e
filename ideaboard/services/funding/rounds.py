"""Opening a round, changing its wording and date, and entering ideas with an ask."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ideaboard.database import write_transaction
from ideaboard.models import (
    Department,
    DivisionRule,
    FundingEntry,
    FundingRound,
    Idea,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.funding import CURRENCIES
from ideaboard.permissions import (
    can_enter_idea,
    can_manage_funding_round,
    can_open_funding_round,
)
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.audit import record
from ideaboard.services.campaigns import slug_for
from ideaboard.services.delivery import (
    ensure_idea_open_to_act,
)
from ideaboard.text import render_markdown

MAX_POOL = 2_000_000_000  # fits a 32-bit integer column on every database
MAX_ALLOWANCE = 10_000
MAX_PEOPLE_WEEKS = 100_000
ROUND_LIMITS = {"min_backers": (1, 1000), "answer_days": (1, 365)}


@dataclass(frozen=True)
class RoundSettings:
    """What a leader chooses when opening a round (fixed once it is open, except the text
    and the close date)."""
    title: str
    purpose: str
    currency: str
    pool_amount: int
    pool_people_weeks: int
    allowance: int
    division_rule: DivisionRule
    min_backers: int
    answer_days: int
    hide_totals_until_close: bool
    opens_at: datetime
    closes_at: datetime
    department_ids: tuple[int, ...] = ()


def _validate_round(values: RoundSettings, now: datetime) -> None:
    if not values.title.strip():
        raise InvalidInput(_l("Give the round a title, e.g. “Q3 innovation fund”."))
    if values.currency not in CURRENCIES:
        raise InvalidInput(_l("Choose the pool's currency."))
    if not (0 <= values.pool_amount <= MAX_POOL
            and 0 <= values.pool_people_weeks <= MAX_PEOPLE_WEEKS):
        raise InvalidInput(_l("The pool is an amount of money and/or people-weeks, neither "
                              "negative nor absurdly large."))
    if values.pool_amount == 0 and values.pool_people_weeks == 0:
        raise InvalidInput(_l("Put something in the pool: an amount of money, people-weeks, "
                              "or both."))
    if not 1 <= values.allowance <= MAX_ALLOWANCE:
        raise InvalidInput(_l("Each employee's allowance is between 1 and %(n)d points.",
                              n=MAX_ALLOWANCE))
    for name, (low, high) in ROUND_LIMITS.items():
        if not low <= getattr(values, name) <= high:
            raise InvalidInput(_l("Check the minimum of backers (1–1000) and the days "
                                  "leadership has to answer (1–365)."))
    if values.closes_at <= values.opens_at:
        raise InvalidInput(_l("The closing date must come after the opening date."))
    if values.closes_at <= now:
        raise InvalidInput(_l("The closing date must be in the future."))


def create_round(owner: User, values: RoundSettings) -> FundingRound:
    """A leader or admin opens a funding round."""
    if not can_open_funding_round(owner):
        raise NotAllowed(_l("Only leaders and administrators open funding rounds."))
    _validate_round(values, utcnow())
    with write_transaction() as session:
        departments = list(session.scalars(select(Department).where(
            Department.id.in_(values.department_ids)))) if values.department_ids else []
        if len(departments) != len(set(values.department_ids)):
            raise InvalidInput(_l("Choose departments from the list."))
        funding_round = FundingRound(
            slug=slug_for(values.title), title=values.title.strip(),
            purpose=values.purpose.strip(), purpose_html=render_markdown(values.purpose),
            owner_id=owner.id, currency=values.currency, pool_amount=values.pool_amount,
            pool_people_weeks=values.pool_people_weeks, allowance=values.allowance,
            division_rule=values.division_rule, min_backers=values.min_backers,
            answer_days=values.answer_days,
            hide_totals_until_close=values.hide_totals_until_close,
            opens_at=values.opens_at, closes_at=values.closes_at, departments=departments)
        session.add(funding_round)
        session.flush()
        record(session, owner, "funding.create", "funding_round", funding_round.slug,
               pool=f"{values.pool_amount} {values.currency}",
               people_weeks=values.pool_people_weeks, allowance=values.allowance,
               rule=values.division_rule.value, min_backers=values.min_backers,
               departments=",".join(d.name for d in departments) or None)
    return funding_round


def edit_round(user: User, funding_round: FundingRound, *, title: str, purpose: str,
               closes_at: datetime) -> None:
    """Title, purpose and close date can change until the round closes; the pool, the
    allowance and the rule are the promise made when it opened, and stay."""
    if not can_manage_funding_round(user, funding_round):
        raise NotAllowed(_l("Only the round's owner or an administrator can change it."))
    if funding_round.is_closed:
        raise InvalidInput(_l("This round is closed: its results are final."))
    if not title.strip():
        raise InvalidInput(_l("Give the round a title, e.g. “Q3 innovation fund”."))
    if closes_at <= funding_round.opens_at or closes_at <= utcnow():
        raise InvalidInput(_l("The closing date must be in the future and after the opening "
                              "date."))
    with write_transaction() as session:
        before = funding_round.closes_at
        funding_round.title, funding_round.purpose = title.strip(), purpose.strip()
        funding_round.purpose_html = render_markdown(purpose)
        funding_round.closes_at, funding_round.updated_at = closes_at, utcnow()
        session.add(funding_round)
        record(session, user, "funding.edit", "funding_round", funding_round.slug,
               closes_at=f"{before:%Y-%m-%d %H:%M} → {closes_at:%Y-%m-%d %H:%M}")


# --- entering ideas -----------------------------------------------------------------------

def enter_idea(user: User, funding_round: FundingRound, idea: Idea, *, ask_amount: int,
               ask_people_weeks: int, first_milestone: str) -> FundingEntry:
    """The author enters an idea with an ask and a first milestone; entering it again
    changes the ask, until the round closes."""
    ensure_idea_open_to_act(user, idea)
    if not can_enter_idea(user, idea):
        if idea.is_anonymous:
            raise NotAllowed(_l("Anonymous ideas cannot enter a funding round: money and "
                                "people are released to a named owner."))
        if idea.author_id != user.id:
            raise NotAllowed(_l("Only the idea's author can enter it and state its ask."))
        raise InvalidInput(_l("Only open ideas, ideas with leadership or accepted ideas can "
                              "enter a funding round."))
    if not funding_round.accepts_entries():
        raise InvalidInput(_l("This round is closed: it takes no new ideas."))
    first_milestone = first_milestone.strip()
    if not 1 <= len(first_milestone) <= 200:
        raise InvalidInput(_l("Name the first milestone the money would deliver, in a line."))
    _validate_ask(funding_round, ask_amount, ask_people_weeks)
    with write_transaction() as session:
        elsewhere = session.scalar(
            select(FundingRound.title).join(FundingEntry, FundingEntry.round_id == FundingRound.id)
            .where(FundingEntry.idea_id == idea.id, FundingRound.closed_at.is_(None),
                   FundingRound.id != funding_round.id))
        if elsewhere:
            raise InvalidInput(_l("This idea is already in the round “%(title)s”: one round at "
                                  "a time.", title=elsewhere))
        entry = session.scalar(select(FundingEntry).where(
            FundingEntry.round_id == funding_round.id, FundingEntry.idea_id == idea.id))
        now = utcnow()
        if entry is None:
            entry = FundingEntry(round_id=funding_round.id, idea_id=idea.id,
                                 entered_by_id=user.id, created_at=now)
            session.execute(update(FundingRound).where(FundingRound.id == funding_round.id)
                            .values(entry_count=FundingRound.entry_count + 1))
        entry.ask_amount, entry.ask_people_weeks = ask_amount, ask_people_weeks
        entry.first_milestone, entry.updated_at = first_milestone, now
        session.add(entry)
    return entry


def _validate_ask(funding_round: FundingRound, amount: int, people_weeks: int) -> None:
    if amount < 0 or people_weeks < 0 or (amount == 0 and people_weeks == 0):
        raise InvalidInput(_l("State what the idea needs: an amount of money, people-weeks, "
                              "or both."))
    if amount > funding_round.pool_amount:
        pool = format(funding_round.pool_amount, ",")
        raise InvalidInput(_l("Ask for at most the whole pool: %(amount)s %(currency)s.",
                              amount=pool, currency=funding_round.currency))
    if people_weeks > funding_round.pool_people_weeks:
        raise InvalidInput(_l("Ask for at most the people-weeks in the pool: %(n)d.",
                              n=funding_round.pool_people_weeks))


# --- allocating points --------------------------------------------------------------------

