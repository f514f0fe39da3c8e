"""Fan-out of notifications to the inbox and the e-mail outbox, in the event's transaction.

Recipients are chosen in SQL (INSERT … SELECT), so escalating an idea with thousands of
supporters is one statement, not a loop. Texts are rendered when shown, in the reader's
language, and never name the person who acted: anonymity cannot leak through them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Select,
    and_,
    exists,
    insert,
    literal,
    not_,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.orm import Session

from ideaboard.extensions import db
from ideaboard.models import (
    Escalation,
    Idea,
    IdeaFollow,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    Role,
    User,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.models.ideas import REVIEW_QUEUE_STATUSES
from ideaboard.queries.notifications import WITH_TARGETS
from ideaboard.services.settings import mail_config

QUEUE_STATUSES = REVIEW_QUEUE_STATUSES


def mail_enabled() -> bool:
    return bool(mail_config().get("MAIL_SERVER"))  # admin-set SMTP server, else config


def idea_audience(idea_id: int, author_id: int) -> Select:
    """Author, supporters and followers of an idea (user ids, de-duplicated)."""
    return union(
        select(literal(author_id).label("user_id")),
        select(Vote.user_id).where(Vote.idea_id == idea_id, Vote.value == 1),
        select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea_id),
    )


def leaders() -> Select:
    return select(User.id.label("user_id")).where(User.role.in_([Role.LEADER, Role.ADMIN]))


def except_leaders(audience: Select) -> Select:
    """`audience` without leaders and admins: they hear of the same event as a queue item,
    and one event is one inbox item."""
    people = audience.subquery()
    return select(people.c.user_id).where(people.c.user_id.not_in(leaders()))


def _opted_out(kind: NotificationKind, channel) -> object:
    return exists().where(NotificationPreference.user_id == User.id,
                          NotificationPreference.kind == kind, channel.is_(False))


def fan_out(session: Session, kind: NotificationKind, audience: Select, *,
            idea_id: int | None = None, comment_id: int | None = None,
            status: str | None = None, exclude_user_id: int | None = None,
            campaign_id: int | None = None, actor_id: int | None = None,
            detail: str | None = None, at: datetime | None = None) -> None:
    """Write inbox items (and outbox e-mails) for everyone in `audience` who wants them.

    `actor_id` names who acted (a leader deciding; never the author of anonymous content),
    `detail` is a reason or rationale the item quotes, and `at` holds news back until then
    (ideaboard/anonymity.py news_time for anonymous content): the item reaches the inbox,
    and the e-mail is sent, no earlier.
    """
    now = at or utcnow()
    audience = audience.subquery()
    recipients = (
        select(User.id, literal(kind.value), literal(idea_id), literal(comment_id),
               literal(campaign_id), literal(status), literal(actor_id), literal(detail),
               literal(now))
        .join(audience, audience.c.user_id == User.id)
        .where(User.deactivated_at.is_(None),
               not_(_opted_out(kind, NotificationPreference.in_app))))
    if exclude_user_id is not None:
        recipients = recipients.where(User.id != exclude_user_id)
    session.execute(insert(Notification).from_select(
        ["user_id", "kind", "idea_id", "comment_id", "campaign_id", "status", "actor_id",
         "detail", "created_at"], recipients))
    if not mail_enabled():
        return
    batch = select(Notification.user_id, Notification.id, literal("notification"),
                   literal(now), literal(now)).join(User, User.id == Notification.user_id).where(
        Notification.kind == kind, Notification.created_at == now,
        Notification.idea_id.is_(None) if idea_id is None else Notification.idea_id == idea_id,
        Notification.campaign_id.is_(None) if campaign_id is None
        else Notification.campaign_id == campaign_id,
        User.email_digest.is_(False), not_(_opted_out(kind, NotificationPreference.email)),
        # news held back for a batch shares its time with earlier news of the same batch
        ~exists().where(OutboxMessage.notification_id == Notification.id))
    session.execute(insert(OutboxMessage).from_select(
        ["user_id", "notification_id", "kind", "created_at", "send_after"], batch))


def notify_overdue(now=None) -> int:
    """Tell owners (or, with no owner, every leader) once when a queue item passes its due date."""
    from ideaboard.database import write_transaction

    now = now or utcnow()
    count = 0
    with write_transaction() as session:
        rows = session.execute(
            select(Escalation.id, Escalation.idea_id, Escalation.owner_id)
            .join(Idea, Idea.id == Escalation.idea_id)
            .where(Idea.status.in_(QUEUE_STATUSES), Escalation.due_at < now,
                   Escalation.overdue_notified_at.is_(None))).all()
        for escalation_id, idea_id, owner_id in rows:
            audience = (select(literal(owner_id).label("user_id")) if owner_id else leaders())
            fan_out(session, NotificationKind.QUEUE_OVERDUE, audience, idea_id=idea_id)
            session.execute(update(Escalation).where(Escalation.id == escalation_id)
                            .values(overdue_notified_at=now))
            count += 1
    return count


def queue_digest_due(now=None) -> int:
    """Queue one digest e-mail for each digest user with unread items since the last one."""
    from ideaboard.database import write_transaction

    if not mail_enabled():
        return 0
    now = now or utcnow()
    day_ago = now - timedelta(days=1)
    with write_transaction() as session:
        since = User.last_digest_at
        has_news = exists().where(Notification.user_id == User.id,
                                  Notification.read_at.is_(None),
                                  Notification.created_at <= now,
                                  or_(since.is_(None), Notification.created_at > since))
        users = list(session.scalars(select(User.id).where(
            User.email_digest.is_(True), User.deactivated_at.is_(None),
            or_(since.is_(None), since <= day_ago),
            or_(has_news, and_(User.role.in_([Role.LEADER, Role.ADMIN]),
                               exists().where(Idea.status.in_(QUEUE_STATUSES)))))))
        for user_id in users:
            session.add(OutboxMessage(user_id=user_id, kind="digest", created_at=now,
                                      send_after=now))
        if users:
            session.execute(update(User).where(User.id.in_(users)).values(last_digest_at=now))
    return len(users)


def mark_read(user: User, notification_id: int | None = None) -> Notification | None:
    """Mark one item (returned, so the caller can follow it) or all of them as read."""
    from ideaboard.database import write_transaction

    with write_transaction() as session:
        query = update(Notification).where(Notification.user_id == user.id,
                                           Notification.read_at.is_(None))
        if notification_id is not None:
            query = query.where(Notification.id == notification_id)
        session.execute(query.values(read_at=utcnow()))
    if notification_id is None:
        return None
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id)
                             .options(*WITH_TARGETS))


def save_preferences(user: User, choices: dict[NotificationKind, tuple[bool, bool]],
                     email_digest: bool) -> None:
    from ideaboard.database import write_transaction

    with write_transaction() as session:
        for kind, (in_app, email) in choices.items():
            preference = session.get(NotificationPreference, (user.id, kind))
            if preference is None:
                preference = NotificationPreference(user_id=user.id, kind=kind)
                session.add(preference)
            preference.in_app, preference.email = in_app, email
        user.email_digest = email_digest
        session.add(user)
