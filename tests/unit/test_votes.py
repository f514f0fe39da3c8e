"""Vote rules: one per user, never on your own idea, change and retract, exact tallies."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Stance, Vote
from ideaboard.models.ranking import wilson_lower_bound
from ideaboard.services import NotAllowed, NotFound
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import delete_idea
from ideaboard.services.votes import OPPOSE, RETRACT, SUPPORT, cast_vote, mark_helpful


def tallies(idea_id: int) -> tuple[int, int, float]:
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    return idea.supporters, idea.opposers, idea.score


def vote_rows(idea_id: int) -> tuple[int, int]:
    rows = dict(db.session.execute(select(Vote.value, func.count()).where(
        Vote.idea_id == idea_id).group_by(Vote.value)).all())
    return rows.get(1, 0), rows.get(-1, 0)


def test_support_oppose_change_and_retract_keep_tallies_exact(factory):
    idea, voter = factory.idea(), factory.user()
    assert cast_vote(voter, idea.public_id, SUPPORT).supporters == 1
    assert tallies(idea.id)[:2] == (1, 0) == vote_rows(idea.id)
    cast_vote(voter, idea.public_id, OPPOSE)
    assert tallies(idea.id)[:2] == (0, 1) == vote_rows(idea.id)
    cast_vote(voter, idea.public_id, RETRACT)
    assert tallies(idea.id)[:2] == (0, 0) == vote_rows(idea.id)


def test_repeating_a_vote_changes_nothing(factory):
    idea, voter = factory.idea(), factory.user()
    cast_vote(voter, idea.public_id, SUPPORT)
    cast_vote(voter, idea.public_id, SUPPORT)
    assert tallies(idea.id)[:2] == (1, 0)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_score_is_the_wilson_bound_of_the_tallies(factory):
    idea = factory.idea()
    for _ in range(7):
        cast_vote(factory.user(), idea.public_id, SUPPORT)
    for _ in range(3):
        cast_vote(factory.user(), idea.public_id, OPPOSE)
    supporters, opposers, score = tallies(idea.id)
    assert (supporters, opposers) == (7, 3)
    assert score == pytest.approx(wilson_lower_bound(7, 10))
    assert db.session.get(Idea, idea.id).hot != 0


def test_no_vote_on_your_own_idea(factory):
    author = factory.user()
    idea = factory.idea(author)
    with pytest.raises(NotAllowed):
        cast_vote(author, idea.public_id, SUPPORT)
    assert tallies(idea.id)[:2] == (0, 0)


def test_no_vote_on_a_deleted_idea(factory):
    author = factory.user()
    idea = factory.idea(author)
    delete_idea(author, idea)
    with pytest.raises(NotFound):
        cast_vote(factory.user(), idea.public_id, SUPPORT)


def test_the_database_refuses_a_second_vote_row(factory):
    idea, voter = factory.idea(), factory.user()
    db.session.add(Vote(idea_id=idea.id, user_id=voter.id, value=1))
    db.session.commit()
    db.session.add(Vote(idea_id=idea.id, user_id=voter.id, value=-1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_tallies_are_updated_by_sql_increments_not_python_copies(factory, count_queries):
    """The counter moves in SQL (supporters = supporters + 1), so concurrent votes add up."""
    idea, voter = factory.idea(), factory.user()
    with count_queries() as counter:
        cast_vote(voter, idea.public_id, SUPPORT)
    updates = [s for s in counter.statements if s.startswith("UPDATE idea SET supporters")]
    assert len(updates) == 1
    assert "supporters=(idea.supporters + " in updates[0].replace(" = ", "=")
    assert vote_rows(idea.id) == (1, 0) == tallies(idea.id)[:2]


def test_helpful_marks_count_once_and_never_on_your_own_comment(factory):
    idea = factory.idea()
    author, reader = factory.user(), factory.user()
    db.session.refresh(idea, ["campaign"])
    comment = add_comment(author, idea, body="Good", stance=Stance.FOR)
    assert mark_helpful(reader, comment, True) == 1
    assert mark_helpful(reader, comment, True) == 1
    assert mark_helpful(reader, comment, False) == 0
    with pytest.raises(NotAllowed):
        mark_helpful(author, comment, True)
    assert db.session.get(Comment, comment.id).helpful_count == 0
