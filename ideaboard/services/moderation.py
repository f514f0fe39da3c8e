"""Moderation: flags, the automatic hide, what admins do with flagged posts (ideas,
comments and plan critiques), and revealing an anonymous author (merging duplicates is in
services/merge.py).

Every admin action here writes exactly one audit entry in its own transaction, and every
action that touches an author's post tells them, without naming the moderator.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.orm import Session

from ideaboard.database import write_transaction
from ideaboard.models import (
    Comment,
    ContentRevision,
    Critique,
    CritiqueRating,
    Flag,
    FlagReason,
    FlagResolution,
    Idea,
    ModerationNotice,
    NoticeKind,
    NotificationKind,
    Plan,
    Section,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.permissions import is_admin
from ideaboard.queries.ideas import state_of_idea_of
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.audit import record
from ideaboard.services.comments import MAX_COMMENT_LENGTH
from ideaboard.services.ideas import _set_tags, validate_idea_text
from ideaboard.services.notifications import fan_out
from ideaboard.services.plans import MAX_CRITIQUE_LENGTH
from ideaboard.services.settings import flag_threshold
from ideaboard.text import render_markdown
from ideaboard.visibility import ensure_can_act

MAX_NOTE_LENGTH = 1000
MIN_REVEAL_REASON_LENGTH = 15
Item = Idea | Comment | Critique


class ModerationAction(enum.StrEnum):
    DISMISS = "dismiss"
    HIDE = "hide"
    RESTORE = "restore"
    DELETE = "delete"


@dataclass(frozen=True)
class Target:
    """An idea, a comment or a plan critique, as moderation sees it."""
    item: Item

    @property
    def model(self) -> type[Item]:
        return type(self.item)

    @property
    def kind(self) -> str:
        if isinstance(self.item, Idea):
            return "idea"
        return "critique" if isinstance(self.item, Critique) else "comment"

    @property
    def flag_column(self):
        return {"idea": Flag.idea_id, "comment": Flag.comment_id,
                "critique": Flag.critique_id}[self.kind]

    @property
    def idea_id(self) -> int | None:
        """The idea itself, or the one a comment belongs to; a critique has none."""
        if isinstance(self.item, Critique):
            return None
        return self.item.id if isinstance(self.item, Idea) else self.item.idea_id

    @property
    def own_idea_id(self) -> int | None:
        return self.item.id if isinstance(self.item, Idea) else None

    @property
    def comment_id(self) -> int | None:
        return self.item.id if isinstance(self.item, Comment) else None

    @property
    def critique_id(self) -> int | None:
        return self.item.id if isinstance(self.item, Critique) else None

    def lock(self, session: Session) -> None:
        """Serialise flags and actions on one item (FOR UPDATE; SQLite is already serial)."""
        session.execute(select(self.model.id).where(self.model.id == self.item.id)
                        .with_for_update())

    def notify_author(self, session: Session, kind: NoticeKind, *,
                      reason_code: FlagReason | None = None, reason: str = "") -> None:
        session.add(ModerationNotice(user_id=self.item.author_id, kind=kind,
                                     idea_id=self.idea_id, comment_id=self.comment_id,
                                     critique_id=self.critique_id,
                                     reason_code=reason_code, reason=reason))

    def audit(self, session: Session, actor: User | None, action: str, *, reason: str = "",
              **details) -> None:
        record(session, actor, action, self.kind, self.item.public_id, reason=reason, **details)


# --- flags (any employee) ------------------------------------------------------------------

def flag(user: User, item: Item, reason: FlagReason, note: str = "") -> bool:
    """Report a post. Returns True when this flag hid it (the threshold was just reached).

    The item's row is locked first, so of several concurrent flags exactly one sees the
    threshold reached, and the conditional UPDATE hides the item exactly once.
    """
    note = note.strip()
    if reason == FlagReason.OTHER and not note:
        raise InvalidInput(_l("Say in a few words what is wrong when you choose “other”."))
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(_l("Keep the details to %(n)d characters.", n=MAX_NOTE_LENGTH))
    if not isinstance(item, Critique):  # an idea, or a comment in one: the idea must be there
        ensure_can_act(user, state_of_idea_of(item))
    if item.is_deleted:
        raise NotFound(_l("This post no longer exists."))
    if item.author_id == user.id:
        raise NotAllowed(_l("You cannot flag your own post."))
    if item.hidden_at is not None:
        raise InvalidInput(_l("This post is already hidden until a moderator has looked at "
                              "it."))
    target = Target(item)
    with write_transaction() as session:
        target.lock(session)
        if session.scalar(select(Flag.id).where(target.flag_column == item.id,
                                                Flag.user_id == user.id)):
            raise InvalidInput(_l("You have already flagged this. Moderators will look at it."))
        now = utcnow()
        session.add(Flag(user_id=user.id, idea_id=target.own_idea_id,
                         comment_id=target.comment_id, critique_id=target.critique_id,
                         reason=reason, note=note, created_at=now))
        session.flush()
        threshold = flag_threshold(session)
        open_flags = (select(func.count()).select_from(Flag)
                      .where(target.flag_column == item.id, Flag.resolved_at.is_(None))
                      .scalar_subquery())
        hidden = session.execute(
            update(target.model)
            .where(target.model.id == item.id, target.model.hidden_at.is_(None),
                   target.model.deleted_at.is_(None), open_flags >= threshold)
            .values(hidden_at=now)
            .execution_options(synchronize_session=False)).rowcount == 1
        if hidden:
            top = top_reason(session, target)
            target.notify_author(session, NoticeKind.AUTO_HIDDEN, reason_code=top)
            target.audit(session, None, "moderation.auto_hide", reason=top.value,
                         threshold=threshold)
    if hidden:
        item.hidden_at = now
    return hidden


def top_reason(session: Session, target: Target) -> FlagReason:
    """The most common reason among the open flags (the earliest wins a tie)."""
    reasons = list(session.scalars(select(Flag.reason).where(
        target.flag_column == target.item.id, Flag.resolved_at.is_(None)).order_by(Flag.id)))
    return Counter(reasons).most_common(1)[0][0] if reasons else FlagReason.OTHER


def _resolve_flags(session: Session, target: Target, admin: User,
                   resolution: FlagResolution) -> int:
    return session.execute(
        update(Flag).where(target.flag_column == target.item.id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=admin.id, resolution=resolution)
        .execution_options(synchronize_session=False)).rowcount


# --- admin actions on one post -------------------------------------------------------------

def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise NotAllowed(_l("Only administrators can moderate."))


def _reason_text(reason_code: FlagReason | None, reason: str) -> str:
    reason = reason.strip()
    if reason_code == FlagReason.OTHER and not reason:
        raise InvalidInput(_l("Write the reason the author will read when you choose "
                              "“other”."))
    if len(reason) > MAX_NOTE_LENGTH:
        raise InvalidInput(_l("Keep the reason to %(n)d characters.", n=MAX_NOTE_LENGTH))
    return reason


def moderate(admin: User, item: Item, action: ModerationAction, *,
             reason_code: FlagReason | None = None, reason: str = "") -> None:
    """Dismiss the flags, hide, restore or delete a post: one transaction, one audit entry.

    Hide and delete need a reason (shown to the author); dismiss also restores a post that
    the flags had hidden pending review.
    """
    _require_admin(admin)
    reason = _reason_text(reason_code, reason)
    if action in (ModerationAction.HIDE, ModerationAction.DELETE) and reason_code is None:
        raise InvalidInput(_l("Choose the reason the author will be shown."))
    if item.is_deleted and action != ModerationAction.DISMISS:
        raise InvalidInput(_l("This post was already deleted."))
    target = Target(item)
    model = target.model
    with write_transaction() as session:
        target.lock(session)
        now = utcnow()
        hidden_at = session.scalar(select(model.hidden_at).where(model.id == item.id))
        if action == ModerationAction.DISMISS:
            dismissed = _resolve_flags(session, target, admin, FlagResolution.DISMISSED)
            if not dismissed:
                raise InvalidInput(_l("There are no open flags on this post."))
            if hidden_at is not None:
                session.execute(update(model).where(model.id == item.id).values(hidden_at=None))
                target.notify_author(session, NoticeKind.RESTORED, reason=reason)
            target.audit(session, admin, "moderation.dismiss", reason=reason,
                         flags=dismissed, restored=hidden_at is not None)
            item.hidden_at = None
        elif action == ModerationAction.HIDE:
            session.execute(update(model).where(model.id == item.id)
                            .values(hidden_at=hidden_at or now))
            flags = _resolve_flags(session, target, admin, FlagResolution.HIDDEN)
            target.notify_author(session, NoticeKind.HIDDEN, reason_code=reason_code,
                                 reason=reason)
            target.audit(session, admin, "moderation.hide", reason=_audit_reason(
                reason_code, reason), flags=flags)
            item.hidden_at = hidden_at or now
        elif action == ModerationAction.RESTORE:
            if hidden_at is None:
                raise InvalidInput(_l("This post is not hidden."))
            session.execute(update(model).where(model.id == item.id).values(hidden_at=None))
            flags = _resolve_flags(session, target, admin, FlagResolution.RESTORED)
            target.notify_author(session, NoticeKind.RESTORED, reason=reason)
            target.audit(session, admin, "moderation.restore", reason=reason, flags=flags)
            item.hidden_at = None
        else:
            _tombstone(session, target, now)
            flags = _resolve_flags(session, target, admin, FlagResolution.REMOVED)
            target.notify_author(session, NoticeKind.REMOVED, reason_code=reason_code,
                                 reason=reason)
            target.audit(session, admin, "moderation.delete", reason=_audit_reason(
                reason_code, reason), flags=flags)


def _audit_reason(reason_code: FlagReason | None, reason: str) -> str:
    return ": ".join(part for part in ((reason_code.value if reason_code else ""), reason)
                     if part)


def _tombstone(session: Session, target: Target, now) -> None:
    """Like the author's own delete (the page and the thread keep their place), marked as
    removed by moderation: hidden_at stays set on a deleted post."""
    item = target.item
    item.deleted_at, item.hidden_at = now, item.hidden_at or now
    item.body = item.body_html = ""
    if isinstance(item, Idea):
        item.title = ""
        _set_tags(session, item, [])
    elif isinstance(item, Critique):  # as the author's own delete: the ratings go too
        session.execute(delete(CritiqueRating).where(CritiqueRating.critique_id == item.id))
        session.execute(update(Section).where(Section.id == item.section_id)
                        .values(critique_count=Section.critique_count - 1))
    else:
        session.execute(update(Idea).where(Idea.id == item.idea_id)
                        .values(comment_count=Idea.comment_count - 1))
    session.add(item)


def edit_post(admin: User, item: Item, *, body: str, reason: str,
              title: str | None = None) -> None:
    """Edit a post's text (e.g. to remove personal information); the original is kept."""
    _require_admin(admin)
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput(_l("Tell the author why their post was edited."))
    if item.is_deleted:
        raise InvalidInput(_l("This post was deleted."))
    target = Target(item)
    if isinstance(item, Idea):
        title, body = validate_idea_text(title or "", body)
    elif isinstance(item, Critique):
        body = body.strip()
        if not body or len(body) > MAX_CRITIQUE_LENGTH:
            raise InvalidInput(_l("Write the critique's new text (up to %(n)d characters).",
                                  n=MAX_CRITIQUE_LENGTH))
    else:
        body = body.strip()
        if not body or len(body) > MAX_COMMENT_LENGTH:
            raise InvalidInput(_l("Write the comment's new text (up to %(n)d characters).",
                                  n=MAX_COMMENT_LENGTH))
    with write_transaction() as session:
        target.lock(session)
        session.add(ContentRevision(
            idea_id=target.own_idea_id, comment_id=target.comment_id,
            critique_id=target.critique_id,
            title=item.title if target.kind == "idea" else None, body=item.body,
            edited_by_id=admin.id, reason=reason))
        if title is not None:
            item.title = title
        item.body, item.body_html = body, render_markdown(body)
        session.add(item)
        flags = _resolve_flags(session, target, admin, FlagResolution.EDITED)
        target.notify_author(session, NoticeKind.EDITED, reason=reason)
        target.audit(session, admin, "moderation.edit", reason=reason, flags=flags)


def reveal_author(admin: User, item: Item, reason: str) -> User:
    """Tell an admin who wrote an anonymous post. The audit entry records that it happened,
    why and for which post, but not the name (other admins read the log); the author is told.
    """
    _require_admin(admin)
    reason = reason.strip()
    if not item.is_anonymous:
        raise InvalidInput(_l("This post is not anonymous: its author is shown on it."))
    if len(reason) < MIN_REVEAL_REASON_LENGTH:
        raise InvalidInput(_l("Explain why in at least %(n)d characters: the reason is kept "
                              "in the audit log.", n=MIN_REVEAL_REASON_LENGTH))
    target = Target(item)
    with write_transaction() as session:
        author = session.get(User, item.author_id)
        target.notify_author(session, NoticeKind.REVEALED, reason=reason)
        fan_out(session, NotificationKind.ANONYMITY_REVEALED,
                select(literal(item.author_id).label("user_id")), idea_id=target.idea_id,
                comment_id=target.comment_id, campaign_id=_campaign_of(session, target),
                detail=reason)
        target.audit(session, admin, "anonymity.reveal", reason=reason)
    return author


def _campaign_of(session: Session, target: Target) -> int | None:
    """A critique's campaign (its plan's), so the inbox item can open the plan page."""
    if target.critique_id is None:
        return None
    return session.scalar(select(Plan.campaign_id).where(Plan.id == target.item.plan_id))
