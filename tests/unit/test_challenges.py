"""Challenges: raising, co-signing, the threshold at its boundary, reopening exactly once
(also under 16 concurrent co-signing processes), the second leader's answer, expiry and
closing by an administrator."""
from __future__ import annotations

import multiprocessing
import os
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaboard import create_app
from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    Challenge,
    ChallengeCosign,
    ChallengeStatus,
    Decision,
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Notification,
    NotificationKind,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services import DomainError, InvalidInput, NotAllowed
from ideaboard.services.challenges import (
    answer_challenge,
    close_challenge,
    cosign,
    end_stale_challenges,
    raise_challenge,
)
from ideaboard.services.review import assign, change_status, claim, follow_idea, pull_into_queue
from tests.conftest import base_config

EVIDENCE = "The supplier halved its price last month; the cost argument no longer holds."
RATIONALE = "We looked again with the new prices and the pilot is worth running now."
CONCURRENT = 16


def set_settings(**values) -> None:
    settings = db.session.get(SiteSettings, 1)
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.commit()


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def decided_idea(factory, status: IdeaStatus = IdeaStatus.DECLINED, *, author=None,
                 decider=None):
    """An idea pulled into the queue and decided by `decider` with a public rationale."""
    author = author or factory.user(name="Idea Author")
    decider = decider or factory.user(Role.LEADER, name="First Leader")
    idea = factory.idea(author, title="Move the stand-up to 9:30")
    pull_into_queue(decider, idea, "People keep asking about this.")
    change_status(decider, idea_by_public_id(idea.public_id), status,
                  "We decided this after weighing the cost against the benefit.")
    return idea_by_public_id(idea.public_id), decider


def colleagues(factory, count: int) -> list[User]:
    return [factory.user(name=f"Colleague {n}") for n in range(count)]


def notified(kind: NotificationKind) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def load(challenge: Challenge) -> Challenge:
    from ideaboard.queries.challenges import challenge_by_public_id

    db.session.expire_all()
    return challenge_by_public_id(challenge.public_id)


# --- raising ---------------------------------------------------------------------------------

def test_raising_needs_thirty_characters_and_a_decision(factory):
    idea, _decider = decided_idea(factory)
    challenger = factory.user()
    with pytest.raises(InvalidInput):
        raise_challenge(challenger, idea, "x" * 29)
    challenge = raise_challenge(challenger, idea, "y" * 30)
    assert challenge.status == ChallengeStatus.OPEN and challenge.threshold == 10
    assert challenge.expires_at - challenge.created_at == timedelta(days=30)
    open_idea = factory.idea(title="Still open")
    with pytest.raises(InvalidInput):
        raise_challenge(challenger, open_idea, EVIDENCE)


@pytest.mark.parametrize("status", [IdeaStatus.ACCEPTED, IdeaStatus.DECLINED,
                                    IdeaStatus.NEEDS_INFO])
def test_every_decision_with_a_rationale_can_be_challenged(factory, status):
    idea, decider = decided_idea(factory, status)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    assert challenge.decision_status == status and challenge.decider_id == decider.id


def test_a_merge_can_be_challenged(factory):
    leader = factory.user(Role.LEADER)
    survivor = factory.idea(title="The idea that stays")
    idea, _ = decided_idea(factory, IdeaStatus.UNDER_REVIEW, decider=leader)
    change_status(leader, idea, IdeaStatus.MERGED, RATIONALE, merged_into=survivor)
    challenge = raise_challenge(factory.user(), idea_by_public_id(idea.public_id), EVIDENCE)
    assert challenge.decision_status == IdeaStatus.MERGED


def test_the_decider_cannot_challenge_their_own_decision(factory):
    idea, decider = decided_idea(factory)
    with pytest.raises(NotAllowed):
        raise_challenge(decider, idea, EVIDENCE)


def test_one_challenge_in_play_per_decision_enforced_by_the_database(factory):
    idea, _ = decided_idea(factory)
    first = raise_challenge(factory.user(), idea, EVIDENCE)
    with pytest.raises(InvalidInput, match="already being challenged"):
        raise_challenge(factory.user(), idea, EVIDENCE + " And more.")
    # Past the Python check, the partial unique index still refuses a second one.
    db.session.add(Challenge(idea_id=idea.id, decision_id=first.decision_id,
                             decision_status=first.decision_status, decider_id=first.decider_id,
                             author_id=first.author_id, evidence=EVIDENCE,
                             evidence_html=EVIDENCE, threshold=3,
                             expires_at=utcnow() + timedelta(days=3)))
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.commit()
    db.session.rollback()


def test_anonymous_only_where_the_campaign_allows_it(factory):
    idea, _ = decided_idea(factory)
    named = raise_challenge(factory.user(), idea, EVIDENCE, anonymous=True)
    assert named.is_anonymous is False  # the standing campaign is "named"
    other, _ = decided_idea(factory)
    db.session.execute(update(type(other.campaign)).where(
        type(other.campaign).id == other.campaign_id).values(anonymity=Anonymity.OPTIONAL))
    db.session.commit()
    anonymous = raise_challenge(factory.user(), idea_by_public_id(other.public_id), EVIDENCE,
                                anonymous=True)
    assert anonymous.is_anonymous is True


def test_raising_tells_the_decider_the_author_and_followers_not_the_challenger(factory):
    idea, decider = decided_idea(factory)
    follower, challenger = factory.user(), factory.user()
    follow_idea(follower, idea, True)
    raise_challenge(challenger, idea, EVIDENCE)
    assert notified(NotificationKind.CHALLENGE_RAISED) == {decider.id, idea.author_id,
                                                            follower.id}


# --- co-signing, the threshold, reopening ---------------------------------------------------

def test_threshold_at_its_boundary_reopens_exactly_then(factory):
    set_settings(challenge_min_cosigners=3, review_sla_days=7)
    idea, decider = decided_idea(factory)
    other_leader = factory.user(Role.LEADER, name="Second Leader")
    challenger = factory.user()
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    first, second, third = colleagues(factory, 3)
    assert cosign(first, challenge).reopened is False
    result = cosign(second, challenge)
    assert (result.cosigners, result.threshold, result.reopened) == (2, 3, False)
    assert fresh(Idea, idea.id).status == IdeaStatus.DECLINED
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.OPEN

    assert cosign(third, challenge).reopened is True

    assert fresh(Idea, idea.id).status == IdeaStatus.ESCALATED
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.REOPENED and stored.cosigner_count == 3
    assert stored.reviewer_id == other_leader.id != decider.id
    escalation = db.session.scalar(select(Escalation).where(Escalation.idea_id == idea.id))
    assert escalation.reason == EscalationReason.CHALLENGED
    assert escalation.owner_id == other_leader.id
    assert escalation.due_at - escalation.created_at == timedelta(days=7)
    assert fresh(Idea, idea.id).review_due_at == escalation.due_at
    # the round it replaced is kept for the public timeline
    assert stored.prior_reason == EscalationReason.PULLED_BY_LEADER
    assert stored.prior_escalated_by_id == decider.id
    assert notified(NotificationKind.CHALLENGE_REOPENED) == {
        challenger.id, first.id, second.id, third.id, decider.id, idea.author_id}
    assert notified(NotificationKind.QUEUE_NEW) >= {other_leader.id}
    with pytest.raises(InvalidInput, match="enough co-signers"):
        cosign(factory.user(), challenge)


def test_the_challenger_and_the_decider_cannot_cosign(factory):
    idea, decider = decided_idea(factory)
    challenger = factory.user()
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    with pytest.raises(NotAllowed):
        cosign(challenger, challenge)
    with pytest.raises(NotAllowed):
        cosign(decider, challenge)
    signer = factory.user()
    cosign(signer, challenge)
    with pytest.raises(InvalidInput, match="already co-signed"):
        cosign(signer, challenge)
    assert fresh(Challenge, challenge.id).cosigner_count == 1
    assert db.session.scalar(select(func.count()).select_from(ChallengeCosign)) == 1


def test_the_reopened_item_goes_to_the_leader_with_fewest_open_items_never_the_decider(
        factory):
    set_settings(challenge_min_cosigners=1)
    decider = factory.user(Role.LEADER, name="Decider with an empty queue")
    busy = factory.user(Role.LEADER, name="Busy leader")
    free = factory.user(Role.LEADER, name="Free leader")
    factory.user(Role.ADMIN, name="An administrator")  # leaders come before administrators
    for n in range(2):
        queued = factory.idea(title=f"Queued {n}")
        pull_into_queue(busy, queued, "Needs an answer")
        claim(busy, queued)
    idea, _ = decided_idea(factory, decider=decider)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    cosign(factory.user(), challenge)
    assert fresh(Challenge, challenge.id).reviewer_id == free.id


def test_without_another_leader_the_item_stays_unassigned_and_the_decider_cannot_take_it(
        factory):
    set_settings(challenge_min_cosigners=1)
    idea, decider = decided_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    cosign(factory.user(), challenge)
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.REOPENED and stored.reviewer_id is None
    assert db.session.scalar(select(Escalation.owner_id).where(
        Escalation.idea_id == idea.id)) is None
    reopened = idea_by_public_id(idea.public_id)
    with pytest.raises(NotAllowed):
        claim(decider, reopened)
    with pytest.raises(NotAllowed):
        change_status(decider, reopened, IdeaStatus.DECLINED, RATIONALE)
    with pytest.raises(NotAllowed):
        assign(factory.user(Role.ADMIN), reopened, decider)
    newcomer = factory.user(Role.LEADER, name="New leader")
    claim(newcomer, reopened)
    assert db.session.scalar(select(Escalation.owner_id).where(
        Escalation.idea_id == idea.id)) == newcomer.id


def test_a_share_of_active_employees_sets_the_threshold(factory):
    idea, _ = decided_idea(factory)
    colleagues(factory, 17)  # 2 + 17 people, plus the challenger: 20 active employees
    set_settings(challenge_min_cosigners_percent=25.0)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    assert challenge.threshold == 5  # 25 % of 20


# --- the second leader's answer -------------------------------------------------------------

def reopened_challenge(factory, status=IdeaStatus.DECLINED):
    set_settings(challenge_min_cosigners=2)
    idea, decider = decided_idea(factory, status)
    second = factory.user(Role.LEADER, name="Second Leader")
    challenger = factory.user(name="Challenger")
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    signers = colleagues(factory, 2)
    for signer in signers:
        cosign(signer, challenge)
    return load(challenge), decider, second, challenger, signers


def test_overturning_publishes_a_new_decision_and_tells_everyone(factory):
    challenge, decider, second, challenger, signers = reopened_challenge(factory)
    supporter_follower = factory.user()
    follow_idea(supporter_follower, challenge.idea, True)
    author_id, public_id = challenge.idea.author_id, challenge.idea.public_id
    with pytest.raises(InvalidInput):
        answer_challenge(second, challenge, uphold=False, status=IdeaStatus.ACCEPTED,
                         rationale="Too short")
    with pytest.raises(InvalidInput):  # overturning needs another decision
        answer_challenge(second, challenge, uphold=False, status=IdeaStatus.DECLINED,
                         rationale=RATIONALE)
    decision = answer_challenge(second, challenge, uphold=False, status=IdeaStatus.ACCEPTED,
                                rationale=RATIONALE)
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.OVERTURNED
    assert stored.answer_decision_id == decision.id and stored.ended_by_id == second.id
    assert fresh(Idea, challenge.idea_id).status == IdeaStatus.ACCEPTED
    assert fresh(Decision, decision.id).author_id == second.id
    assert notified(NotificationKind.CHALLENGE_OVERTURNED) == {
        challenger.id, *(s.id for s in signers), decider.id, author_id, supporter_follower.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.status")
                              .order_by(AuditEntry.id.desc()))
    assert entry.details["challenge_outcome"] == "overturned"
    # a decision that answered a challenge is final for challenges
    with pytest.raises(InvalidInput, match="cannot be challenged again"):
        raise_challenge(factory.user(), idea_by_public_id(public_id), EVIDENCE)


def test_upholding_keeps_the_status_and_the_decider_may_not_answer(factory):
    challenge, decider, second, challenger, _ = reopened_challenge(factory)
    with pytest.raises(NotAllowed):
        answer_challenge(decider, challenge, uphold=True, status=None, rationale=RATIONALE)
    with pytest.raises(NotAllowed):
        answer_challenge(factory.user(), challenge, uphold=True, status=None,
                         rationale=RATIONALE)
    answer_challenge(second, challenge, uphold=True, status=None, rationale=RATIONALE)
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.UPHELD
    assert fresh(Idea, challenge.idea_id).status == IdeaStatus.DECLINED
    assert challenger.id in notified(NotificationKind.CHALLENGE_UPHELD)


def test_the_ordinary_decision_form_settles_the_challenge_too(factory):
    challenge, _decider, second, _challenger, _ = reopened_challenge(factory)
    idea = idea_by_public_id(challenge.idea.public_id)
    change_status(second, idea, IdeaStatus.UNDER_REVIEW, "")
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.REOPENED
    change_status(second, idea_by_public_id(idea.public_id), IdeaStatus.NEEDS_INFO, RATIONALE)
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.OVERTURNED


# --- expiry, superseded, closing -------------------------------------------------------------

def test_an_expired_challenge_says_so_and_takes_no_more_signatures(factory):
    idea, _ = decided_idea(factory)
    challenger, signer = factory.user(), factory.user()
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    cosign(signer, challenge)
    db.session.execute(update(Challenge).where(Challenge.id == challenge.id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.OPEN  # the job has not run yet…
    assert stored.shown_status(IdeaStatus.DECLINED) == ChallengeStatus.EXPIRED  # …it shows
    with pytest.raises(InvalidInput, match="expired"):
        cosign(factory.user(), challenge)

    assert end_stale_challenges() == 1

    assert fresh(Challenge, challenge.id).status == ChallengeStatus.EXPIRED
    assert notified(NotificationKind.CHALLENGE_ENDED) == {challenger.id, signer.id}
    assert end_stale_challenges() == 0
    assert fresh(Idea, idea.id).status == IdeaStatus.DECLINED
    # the decision can be challenged again, with new evidence
    raise_challenge(factory.user(), idea_by_public_id(idea.public_id), EVIDENCE)


def test_a_changed_decision_supersedes_the_open_challenge(factory):
    idea, decider = decided_idea(factory, IdeaStatus.NEEDS_INFO)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    change_status(decider, idea_by_public_id(idea.public_id), IdeaStatus.ACCEPTED, RATIONALE)
    stored = fresh(Challenge, challenge.id)
    assert stored.shown_status(IdeaStatus.ACCEPTED) == ChallengeStatus.SUPERSEDED
    with pytest.raises(InvalidInput, match="changed"):
        cosign(factory.user(), challenge)
    assert end_stale_challenges() == 1
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.SUPERSEDED


def test_delivery_does_not_supersede_a_challenge_to_an_acceptance(factory):
    idea, decider = decided_idea(factory, IdeaStatus.ACCEPTED)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    change_status(decider, idea_by_public_id(idea.public_id), IdeaStatus.IN_PROGRESS, "")
    cosign(factory.user(), challenge)
    assert fresh(Challenge, challenge.id).cosigner_count == 1


def test_administrators_close_an_abusive_challenge_with_a_reason(factory):
    idea, _ = decided_idea(factory)
    challenger, signer = factory.user(), factory.user()
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    cosign(signer, challenge)
    admin = factory.user(Role.ADMIN)
    with pytest.raises(NotAllowed):
        close_challenge(factory.user(Role.LEADER), challenge, "Insults a named colleague")
    with pytest.raises(InvalidInput):
        close_challenge(admin, challenge, "Rude")
    close_challenge(admin, challenge, "Insults a named colleague")
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.CLOSED
    assert stored.close_reason == "Insults a named colleague" and stored.ended_by_id == admin.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.close"))
    assert entry.actor_id == admin.id and entry.target_id == challenge.public_id
    assert entry.reason == "Insults a named colleague"
    assert notified(NotificationKind.CHALLENGE_ENDED) == {challenger.id, signer.id}
    with pytest.raises(InvalidInput):
        close_challenge(admin, challenge, "Insults a named colleague again")


def test_a_reopened_challenge_cannot_be_closed(factory):
    challenge, *_ = reopened_challenge(factory)
    with pytest.raises(InvalidInput):
        close_challenge(factory.user(Role.ADMIN), challenge, "Too late to close it now")


# --- exactly once, under 16 concurrent co-signing processes ---------------------------------

OUTCOMES = {0: "signed", 1: "reopened", 2: "refused"}  # process exit codes


def _cosign_in_own_process(database_uri: str, user_id: int, challenge_id: int,
                           barrier) -> None:
    """A forked process with its own app, engine and connections, as a gunicorn worker;
    its exit code says what happened (3: an error, printed)."""
    code = 3
    try:
        app = create_app(base_config(database_uri))
        with app.app_context():
            user = db.session.get(User, user_id)
            challenge = db.session.get(Challenge, challenge_id)
            db.session.commit()
            barrier.wait(timeout=60)
            try:
                code = 1 if cosign(user, challenge).reopened else 0
            except DomainError:
                code = 2
            finally:
                db.session.remove()
                db.engine.dispose()
    except BaseException as error:  # reported through the exit code and stderr
        print(f"co-signing process failed: {error!r}", file=sys.stderr, flush=True)
    finally:
        os._exit(code)


def test_sixteen_processes_cosigning_at_once_reopen_exactly_once(app, factory):
    set_settings(challenge_min_cosigners=10)
    idea, decider = decided_idea(factory)
    factory.user(Role.LEADER, name="Second Leader")
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    signer_ids = [user.id for user in colleagues(factory, CONCURRENT)]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(CONCURRENT)
    processes = [context.Process(target=_cosign_in_own_process,
                                 args=(uri, user_id, challenge.id, barrier))
                 for user_id in signer_ids]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    outcomes = [OUTCOMES.get(process.exitcode, f"error {process.exitcode}")
                for process in processes]

    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("reopened") == 1
    assert outcomes.count("signed") == 9 and outcomes.count("refused") == 6
    stored = fresh(Challenge, challenge.id)
    assert stored.status == ChallengeStatus.REOPENED and stored.cosigner_count == 10
    assert db.session.scalar(select(func.count()).select_from(ChallengeCosign)) == 10
    assert db.session.scalar(select(func.count()).select_from(Escalation).where(
        Escalation.idea_id == idea.id)) == 1
    assert fresh(Idea, idea.id).status == IdeaStatus.ESCALATED
    assert stored.reviewer_id not in (None, decider.id)
    per_person = db.session.execute(
        select(Notification.user_id, func.count()).where(
            Notification.kind == NotificationKind.CHALLENGE_REOPENED)
        .group_by(Notification.user_id)).all()
    assert per_person and all(n == 1 for _user, n in per_person)


def test_run_scheduled_ends_expired_challenges(app, factory):
    idea, _ = decided_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    db.session.execute(update(Challenge).where(Challenge.id == challenge.id)
                       .values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["run-scheduled"])
    assert result.exit_code == 0, result.output
    assert "challenges ended: 1" in result.output
    assert fresh(Challenge, challenge.id).status == ChallengeStatus.EXPIRED
    assert app.test_cli_runner().invoke(args=["refresh-analytics", "--full"]).exit_code == 0
