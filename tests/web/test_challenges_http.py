"""Challenges through HTTP: raising, the side-by-side page and its progress, co-signing,
who may answer and close, the idea's timeline, anonymity and the inbox."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    Challenge,
    ChallengeStatus,
    Decision,
    Escalation,
    EscalationReason,
    Idea,
    IdeaStatus,
    Role,
    SiteSettings,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.challenges import cosign, raise_challenge
from ideaboard.services.review import change_status, pull_into_queue
from tests.conftest import sign_in

EVIDENCE = "The supplier halved its price last month; the cost argument no longer holds."
RATIONALE = "We looked again with the new prices and the pilot is worth running now."
DECLINE = "We decided this after weighing the cost against the benefit."


def declined_idea(factory, *, anonymity: Anonymity = Anonymity.NAMED):
    author = factory.user(name="Mei Author")
    decider = factory.user(Role.LEADER, name="Lars Decider")
    idea = factory.idea(author, title="Move the stand-up to 9:30")
    if anonymity != Anonymity.NAMED:
        db.session.execute(update(Campaign).where(Campaign.id == idea.campaign_id)
                           .values(anonymity=anonymity))
        db.session.commit()
    pull_into_queue(decider, idea, "People keep asking about this.")
    change_status(decider, idea_by_public_id(idea.public_id), IdeaStatus.DECLINED, DECLINE)
    return idea_by_public_id(idea.public_id), decider


# --- fast fixtures for the route matrices (rows written directly) ---------------------------

def decided_rows(factory, author=None, *, status: IdeaStatus = IdeaStatus.DECLINED):
    """An idea declined by a leader, written directly: (idea, decision)."""
    decider = factory.user(Role.LEADER, name="Deciding Leader")
    idea = factory.idea(author or factory.user(), title="A decided idea")
    now = utcnow()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(
        status=status, decided_at=now))
    decision = Decision(idea_id=idea.id, status=IdeaStatus.DECLINED, rationale=DECLINE,
                        rationale_html=f"<p>{DECLINE}</p>", author_id=decider.id,
                        created_at=now)
    db.session.add(decision)
    db.session.commit()
    return idea, decision


def open_challenge(factory, author=None, *, status=ChallengeStatus.OPEN) -> Challenge:
    """Someone else's challenge to a declined idea (reopened: the idea back in the queue)."""
    reopened = status == ChallengeStatus.REOPENED
    idea, decision = decided_rows(factory, status=IdeaStatus.ESCALATED if reopened
                                  else IdeaStatus.DECLINED)
    now = utcnow()
    challenge = Challenge(idea_id=idea.id, decision_id=decision.id,
                          decision_status=IdeaStatus.DECLINED, decider_id=decision.author_id,
                          author_id=(author or factory.user()).id, evidence=EVIDENCE,
                          evidence_html=f"<p>{EVIDENCE}</p>", status=status, threshold=10,
                          created_at=now, expires_at=now + timedelta(days=30),
                          reopened_at=now if reopened else None)
    db.session.add(challenge)
    if reopened:
        db.session.add(Escalation(idea_id=idea.id, reason=EscalationReason.CHALLENGED,
                                  created_at=now, due_at=now + timedelta(days=14)))
    db.session.commit()
    return challenge


def challenge_id(response) -> str:
    return re.search(r"/challenges/([\w-]+)$", response.headers["Location"]).group(1)


def test_an_employee_raises_a_challenge_from_the_idea_page(client, login_as, factory):
    idea, _decider = declined_idea(factory)
    login_as("employee")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Challenge it with new evidence" in page
    form = client.get(f"/ideas/{idea.public_id}/challenge").get_data(as_text=True)
    assert DECLINE in form and "The decision" in form

    too_short = client.post_form(f"/ideas/{idea.public_id}/challenge", {"evidence": "No."})
    assert too_short.status_code == 400
    assert "at least 30 characters" in too_short.get_data(as_text=True)

    response = client.post_form(f"/ideas/{idea.public_id}/challenge", {"evidence": EVIDENCE})
    assert response.status_code == 302
    page = client.get(f"/challenges/{challenge_id(response)}").get_data(as_text=True)
    assert DECLINE in page and EVIDENCE in page  # side by side
    assert "0 co-signers" in page and "of 10 needed" in page
    assert 'max="10" value="0"' in page
    assert "If 10 more colleagues co-sign by" in page
    assert "You raised this challenge" in page  # the disabled button says why
    idea_page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Colleagues are challenging this decision." in idea_page
    assert "Challenge it with new evidence" not in idea_page


def test_colleagues_cosign_and_the_page_shows_progress(client, login_as, factory):
    idea, _decider = declined_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    login_as("employee")
    url = f"/challenges/{challenge.public_id}"
    response = client.post_form(f"{url}/cosign", {})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "1 co-signer" in page and "You co-signed this challenge" in page
    again = client.post_form(f"{url}/cosign", {})
    assert "already co-signed" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Challenge, challenge.id).cosigner_count == 1


def test_the_decider_sees_why_they_cannot_cosign(client, factory):
    idea, decider = declined_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    sign_in(client, decider)
    page = client.get(f"/challenges/{challenge.public_id}").get_data(as_text=True)
    assert "You made the decision under challenge, so you cannot co-sign it." in page
    response = client.post_form(f"/challenges/{challenge.public_id}/cosign", {})
    assert response.status_code == 302
    assert db.session.get(Challenge, challenge.id).cosigner_count == 0


def reopened(factory, threshold: int = 2):
    settings = db.session.get(SiteSettings, 1)
    settings.challenge_min_cosigners = threshold
    db.session.commit()
    idea, decider = declined_idea(factory)
    second = factory.user(Role.LEADER, name="Sana Second")
    challenge = raise_challenge(factory.user(name="Chen Challenger"), idea, EVIDENCE)
    for n in range(threshold):
        cosign(factory.user(name=f"Signer {n}"), challenge)
    return idea, decider, second, challenge


def test_a_reopened_decision_is_in_the_queue_and_on_the_timeline(client, factory):
    idea, _decider, second, _challenge = reopened(factory)
    sign_in(client, second)
    queue = client.get("/review/").get_data(as_text=True)
    assert idea.title in queue and "Challenged" in queue
    item = client.get(f"/review/{idea.public_id}").get_data(as_text=True)
    assert "Challenged by colleagues" in item
    public = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "brought it to leadership on" in public  # the first round is kept
    assert "challenged by 3 colleagues" in public
    assert "Assigned to Sana Second" in public
    assert "Back with leadership after a challenge by 3 colleagues." in public


def test_the_second_leader_overturns_and_everyone_sees_it(client, make_client, factory):
    idea, _decider, second, challenge = reopened(factory)
    sign_in(client, second)
    url = f"/challenges/{challenge.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Answer the challenge" in page
    refused = client.post_form(f"{url}/answer", {"outcome": "overturn", "status": "accepted",
                                                 "rationale": "Short"})
    assert refused.status_code == 400 and "at least 30" in refused.get_data(as_text=True)
    response = client.post_form(f"{url}/answer", {"outcome": "overturn", "status": "accepted",
                                                  "rationale": RATIONALE})
    assert response.status_code == 302
    assert db.session.get(Idea, idea.id).status == IdeaStatus.ACCEPTED
    public = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert RATIONALE in public and "Decision overturned" in public
    author = make_client()
    sign_in(author, db.session.get(User, idea.author_id))
    inbox = author.get("/inbox/").get_data(as_text=True)
    assert "After a challenge, leadership changed its decision on “Move the stand-up to 9:30”: " \
           "now accepted." in inbox.replace("&#34;", '"')


def test_the_original_decider_gets_no_answer_form_and_is_refused(client, factory):
    _idea, decider, _second, challenge = reopened(factory)
    sign_in(client, decider)
    url = f"/challenges/{challenge.public_id}"
    assert "Answer the challenge" not in client.get(url).get_data(as_text=True)
    response = client.post_form(f"{url}/answer", {"outcome": "uphold", "rationale": RATIONALE})
    assert response.status_code == 400
    assert db.session.get(Challenge, challenge.id).status == ChallengeStatus.REOPENED


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_only_admins_close_challenges(client, login_as, factory, role):
    idea, _ = declined_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    login_as(role)
    response = client.post_form(f"/challenges/{challenge.public_id}/close",
                                {"reason": "Abusive towards a colleague"})
    assert response.status_code == 403
    assert db.session.get(Challenge, challenge.id).status == ChallengeStatus.OPEN


def test_an_admin_closes_an_abusive_challenge_and_its_text_is_withdrawn(
        client, make_client, login_as, factory):
    idea, _ = declined_idea(factory)
    challenger = factory.user(name="Chen Challenger")
    challenge = raise_challenge(challenger, idea, EVIDENCE)
    login_as("admin")
    response = client.post_form(f"/challenges/{challenge.public_id}/close",
                                {"reason": "Abusive towards a colleague"})
    assert response.status_code == 302
    other = make_client()
    sign_in(other, factory.user())
    page = other.get(f"/challenges/{challenge.public_id}").get_data(as_text=True)
    assert "Abusive towards a colleague" in page and EVIDENCE not in page
    mine = make_client()
    sign_in(mine, challenger)
    assert EVIDENCE in mine.get(f"/challenges/{challenge.public_id}").get_data(as_text=True)
    inbox = mine.get("/inbox/").get_data(as_text=True)
    assert "An administrator closed the challenge" in inbox


def test_an_expired_challenge_says_so_on_its_page_before_the_job_runs(client, login_as,
                                                                       factory):
    idea, _ = declined_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    db.session.execute(update(Challenge).where(Challenge.id == challenge.id)
                       .values(expires_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    login_as("employee")
    page = client.get(f"/challenges/{challenge.public_id}").get_data(as_text=True)
    assert "Expired" in page and "The decision stands." in page
    assert "Co-sign this challenge</button>" not in page
    idea_page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "It expired on" in idea_page and "Challenge it with new evidence" in idea_page


def test_an_anonymous_challenger_is_never_named(client, make_client, login_as, factory):
    idea, decider = declined_idea(factory, anonymity=Anonymity.OPTIONAL)
    challenger = factory.user(name="Secret Challenger")
    sign_in(client, challenger)
    response = client.post_form(f"/ideas/{idea.public_id}/challenge",
                                {"evidence": EVIDENCE, "anonymous": "y"})
    public_id = challenge_id(response)
    for role in ("employee", "leader", "admin"):
        viewer = make_client()
        sign_in(viewer, factory.user(role))
        for url in (f"/challenges/{public_id}", f"/ideas/{idea.public_id}", "/challenges/"):
            page = viewer.get(url).get_data(as_text=True)
            assert "Secret Challenger" not in page, (role, url)
            assert "Anonymous employee" in page, (role, url)
            assert f"/people/{challenger.id}\"" not in page
    decider_client = make_client()
    sign_in(decider_client, decider)
    assert "Secret Challenger" not in decider_client.get("/inbox/").get_data(as_text=True)


def test_the_challenges_list_shows_open_ones_with_their_progress(client, login_as, factory):
    idea, _ = declined_idea(factory)
    challenge = raise_challenge(factory.user(), idea, EVIDENCE)
    cosign(factory.user(), challenge)
    login_as("employee")
    page = client.get("/challenges/").get_data(as_text=True)
    assert "Decision on “Move the stand-up to 9:30”" in page
    assert "1 co-signer" in page and "of 10 needed" in page


def test_hostile_input_gets_a_4xx(client, login_as, factory):
    login_as("employee")
    assert client.get("/challenges/not-a-real-id").status_code == 404
    assert client.get("/ideas/nope/challenge").status_code == 404
    assert client.get("/challenges/?after=%%%garbage").status_code == 200
    idea = factory.idea()
    response = client.post_form(f"/ideas/{idea.public_id}/challenge", {"evidence": EVIDENCE})
    assert response.status_code == 400  # an open idea has no decision to challenge
    assert db.session.scalar(select(Challenge.id)) is None


def test_challenge_text_is_sanitised_and_the_close_reason_escaped(client, login_as, factory):
    idea, _ = declined_idea(factory)
    login_as("employee")
    payload = "<script>alert('x')</script><img src=x onerror=alert(1)> " + EVIDENCE
    response = client.post_form(f"/ideas/{idea.public_id}/challenge", {"evidence": payload})
    url = f"/challenges/{challenge_id(response)}"
    page = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x onerror" not in page
    assert "&lt;script&gt;" in page  # shown as text
    from ideaboard.services.challenges import close_challenge

    challenge = db.session.scalar(select(Challenge))
    close_challenge(factory.user(Role.ADMIN), challenge, "<b>bold</b> reason for closing")
    page = client.get(url).get_data(as_text=True)
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
