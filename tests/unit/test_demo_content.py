"""The demo company (`make run`) shows each feature; here, an idea whose author answered
leadership's "needs information" request, in English and in Chinese, made through the
services (so the timeline, the queue and the inbox agree). The step runs on a small world
of demo ideas in the queue: seeding the whole company takes a minute."""
from __future__ import annotations

import random

from sqlalchemy import select

from ideaboard import demo_content as content
from ideaboard.extensions import db
from ideaboard.models import Decision, Idea, IdeaStatus, InfoAnswer, Role
from ideaboard.services.demo import _seed_answered_information_requests
from ideaboard.services.review import pull_into_queue


def test_the_demo_has_an_answered_information_request_in_each_language(app, factory):
    leader = factory.user(Role.LEADER)
    people = [leader, factory.user(), factory.user(locale="zh")]
    for lang, author in (("en", people[1]), ("zh", people[2])):
        spec = next(spec for spec in content.IDEAS if spec["lang"] == lang)
        pull_into_queue(leader, factory.idea(author, title=spec["title"]), "Worth an answer")

    assert _seed_answered_information_requests(random.Random(7), people) == 2

    by_body = {answer.body: answer for answer in db.session.scalars(select(InfoAnswer))}
    for lang, (question, reply) in content.INFO_EXCHANGES.items():
        answer = by_body.get(reply)
        assert answer is not None, lang
        idea = db.session.get(Idea, answer.idea_id)
        asked = db.session.get(Decision, answer.decision_id)
        assert answer.author_id == idea.author_id and not answer.is_anonymous
        assert asked.status == IdeaStatus.NEEDS_INFO and asked.rationale == question
        assert idea.status == IdeaStatus.UNDER_REVIEW  # back in the queue, as answered
        assert {spec["lang"] for spec in content.IDEAS if spec["title"] == idea.title} == {lang}


def test_demo_escalations_happen_after_their_idea_and_never_in_the_future(app, factory):
    """The queue's "just escalated" list said "escalated in 2 days" for demo ideas posted
    lately: their escalation was dated a few days after the idea, whatever the clock."""
    from datetime import timedelta

    from sqlalchemy import update

    from ideaboard.models import Escalation
    from ideaboard.models.base import utcnow
    from ideaboard.services.demo import _seed_leadership_answers

    leader = factory.user(Role.LEADER)
    ideas = []
    for age in (timedelta(hours=2), timedelta(days=1), timedelta(days=30)):
        idea = factory.idea(factory.user(), title=f"Posted {age} ago")
        db.session.execute(update(Idea).where(Idea.id == idea.id)
                           .values(created_at=utcnow() - age))
        db.session.commit()
        pull_into_queue(leader, idea, "Worth an answer")
        ideas.append(idea.id)
    _seed_leadership_answers(random.Random(7), [leader])
    now = utcnow()
    for idea_id in ideas:
        idea = db.session.get(Idea, idea_id)
        escalation = db.session.scalar(select(Escalation).where(Escalation.idea_id == idea_id))
        assert idea.created_at <= escalation.created_at <= now, (idea.title, escalation.created_at)
