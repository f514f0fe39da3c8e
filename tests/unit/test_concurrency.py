"""Concurrent votes: no duplicate rows, tallies equal the vote rows, no "database is locked"."""
import threading

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Idea, User, Vote
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote

THREADS = 16


def test_sixteen_threads_casting_the_same_votes_twice_at_once(app, factory):
    created = [factory.idea() for _ in range(4)]
    ideas, public_ids = [i.id for i in created], [i.public_id for i in created]
    voters = [factory.user().id for _ in range(THREADS // 2)]
    # every voter runs in two threads at once: the double-click / two-tab case
    assignments = [voters[i // 2] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(user_id: int, value: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                for _round in range(2):
                    for public_id in public_ids:
                        cast_vote(user, public_id, value)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker,
                                args=(user_id, SUPPORT if index % 4 else OPPOSE))
               for index, user_id in enumerate(assignments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    db.session.expire_all()
    duplicates = db.session.execute(
        select(Vote.idea_id, Vote.user_id).group_by(Vote.idea_id, Vote.user_id)
        .having(func.count() > 1)).all()
    assert duplicates == []
    assert db.session.scalar(select(func.count()).select_from(Vote)) == len(voters) * len(ideas)
    for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ideas))):
        supporters = db.session.scalar(select(func.count()).where(
            Vote.idea_id == idea.id, Vote.value == SUPPORT))
        opposers = db.session.scalar(select(func.count()).where(
            Vote.idea_id == idea.id, Vote.value == OPPOSE))
        assert (idea.supporters, idea.opposers) == (supporters, opposers)
