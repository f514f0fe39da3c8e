"""Answering leadership's request for more information, in place on the idea page.

A leader who decides "needs information" asks the author a question in the rationale. The
author answers on the idea; the answer goes on the public timeline, the idea goes back
under review (into the queue, with its original due date) and the deciding leader — and
the queue item's owner, if someone else — is told in the inbox and by e-mail.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select, union, update

from ideaboard.anonymity import posted_anonymously, timing
from ideaboard.database import write_transaction
from ideaboard.models import (
    Decision,
    Escalation,
    Idea,
    IdeaStatus,
    InfoAnswer,
    NotificationKind,
    User,
)
from ideaboard.permissions import can_answer_information_request
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.notifications import fan_out
from ideaboard.services.settings import anonymity_window
from ideaboard.text import render_markdown
from ideaboard.visibility import ensure_can_act

MAX_ANSWER_LENGTH = 10_000


def answer_information_request(author: User, idea: Idea, body: str) -> InfoAnswer:
    """The author's answer to the latest "needs information" decision on `idea`."""
    ensure_can_act(author, state_of_idea_of(idea))
    if not can_answer_information_request(author, idea):
        if idea.author_id != author.id:
            raise NotAllowed(_l("Only the idea's author can answer leadership's question."))
        raise InvalidInput(_l("Leadership is not waiting for information on this idea."),
                           field="info_answer")
    body = body.strip()
    if not body:
        raise InvalidInput(_l("Write your answer: what leadership asked for, in your own "
                              "words."), field="info_answer")
    if len(body) > MAX_ANSWER_LENGTH:
        raise InvalidInput(_l("Keep the answer to %(n)d characters.", n=MAX_ANSWER_LENGTH),
                           field="info_answer")
    body_html = render_markdown(body)
    with write_transaction() as session:
        request = session.scalar(
            select(Decision).where(Decision.idea_id == idea.id,
                                   Decision.status == IdeaStatus.NEEDS_INFO)
            .order_by(Decision.id.desc()).limit(1))
        escalation = session.scalar(select(Escalation).where(Escalation.idea_id == idea.id))
        if request is None or escalation is None:
            raise InvalidInput(_l("Leadership is not waiting for information on this idea."),
                               field="info_answer")
        moved = session.execute(
            update(Idea).where(Idea.id == idea.id, Idea.status == IdeaStatus.NEEDS_INFO)
            .values(status=IdeaStatus.UNDER_REVIEW, review_due_at=escalation.due_at)).rowcount
        if moved != 1:
            raise InvalidInput(_l("Someone else changed this idea just now. Reload and retry."))
        anonymous = posted_anonymously(idea)  # the answer is as anonymous as the idea
        when = timing(anonymous, anonymity_window(session))
        answer = InfoAnswer(idea_id=idea.id, decision_id=request.id, author_id=author.id,
                            is_anonymous=anonymous, body=body, body_html=body_html,
                            created_at=when.created_at, public_at=when.public_at)
        session.add(answer)
        deciders = [select(literal(request.author_id).label("user_id"))]
        if escalation.owner_id and escalation.owner_id != request.author_id:
            deciders.append(select(literal(escalation.owner_id).label("user_id")))
        fan_out(session, NotificationKind.INFO_ANSWERED,
                deciders[0] if len(deciders) == 1 else union(*deciders), idea_id=idea.id,
                status=IdeaStatus.UNDER_REVIEW.value, exclude_user_id=author.id,
                actor_id=None if anonymous else author.id, detail=body,
                at=when.news_at)
    idea.status = IdeaStatus.UNDER_REVIEW
    return answer
