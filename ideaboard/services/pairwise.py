"""Comparing a campaign's ideas two at a time: one person's answer to one pair."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ideaboard.database import write_transaction
from ideaboard.models import Campaign, Idea, PairwiseChoice, User
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.ranking.pairwise import pair_key
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.visibility import ensure_can_act


def ensure_comparing(campaign: Campaign) -> None:
    """The campaign compares ideas two at a time and is open."""
    if not campaign.pairwise_enabled:
        raise NotFound(_l("This campaign does not compare ideas two at a time."))
    if not campaign.is_open():
        raise NotAllowed(_l("This campaign is closed: its comparisons are final."))


def record_choice(user: User, campaign: Campaign, left: Idea, right: Idea,
                  winner: Idea | None) -> None:
    """Record which of two ideas would help more (winner None: "can't decide").

    One answer per person per pair, whichever way round it was shown; never one's own idea,
    never an idea against itself. Both ideas' comparison counters move by SQL increments in
    the same transaction, so pair selection always sees current counts.
    """
    ensure_comparing(campaign)
    if left.id == right.id:
        raise InvalidInput(_l("An idea cannot be compared with itself."))
    for idea in (left, right):
        if idea.campaign_id != campaign.id:
            raise NotFound(_l("These ideas do not belong to this campaign."))
        ensure_can_act(user, state_of_idea_of(idea))
        if idea.author_id == user.id:
            raise NotAllowed(_l("You cannot compare your own idea."))
    if winner is not None and winner.id not in (left.id, right.id):
        raise InvalidInput(_l("Choose one of the two ideas shown, or “Can’t decide”."))
    first, second = pair_key(left.id, right.id)
    try:
        with write_transaction() as session:
            answered = session.scalar(select(PairwiseChoice.id).where(
                PairwiseChoice.user_id == user.id, PairwiseChoice.first_idea_id == first,
                PairwiseChoice.second_idea_id == second))
            if answered is not None:
                raise InvalidInput(_l("You have already compared these two."))
            session.execute(insert(PairwiseChoice).values(
                campaign_id=campaign.id, user_id=user.id, first_idea_id=first,
                second_idea_id=second, winner_idea_id=winner.id if winner else None,
                created_at=utcnow()))
            session.execute(update(Idea).where(Idea.id.in_((first, second)))
                            .values(comparison_count=Idea.comparison_count + 1)
                            .execution_options(synchronize_session=False))
    except IntegrityError:  # the same pair answered twice at once (PostgreSQL)
        raise InvalidInput(_l("You have already compared these two.")) from None
