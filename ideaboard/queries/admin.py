"""The read side of administration: the flag queue, users, departments, the audit log,
and what moderation shows a viewer on an idea page."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ideaboard.extensions import db
from ideaboard.models import (
    AuditEntry,
    Comment,
    ContentRevision,
    Critique,
    Department,
    Flag,
    FlagReason,
    Idea,
    ModerationNotice,
    NoticeKind,
    Plan,
    User,
)
from ideaboard.permissions import can_flag, is_signed_in
from ideaboard.visibility import sees_hidden

QUEUE_SIZE = 50
USERS_PAGE = 50
AUDIT_PAGE = 50


# --- the flag queue ------------------------------------------------------------------------

@dataclass
class FlagGroup:
    """The open flags on one post, with the post in its context."""
    idea: Idea | None  # the idea itself, or the one the comment belongs to; None: a critique
    comment: Comment | None
    flags: list[Flag]
    first_flagged_at: datetime
    critique: Critique | None = None  # with its section and its plan's campaign loaded

    @property
    def item(self) -> Idea | Comment | Critique:
        return self.critique or self.comment or self.idea

    @property
    def kind(self) -> str:
        if self.critique:
            return "critique"
        return "comment" if self.comment else "idea"

    @property
    def reasons(self) -> list[tuple[FlagReason, int]]:
        """Reasons, most common first (the earliest first among equals)."""
        return Counter(f.reason for f in self.flags).most_common()

    @property
    def top_reason(self) -> FlagReason:
        return self.reasons[0][0]

    @property
    def notes(self) -> list[str]:
        return [f.note for f in self.flags if f.note]


@dataclass
class FlagQueue:
    groups: list[FlagGroup]
    total: int


def flag_queue(limit: int = QUEUE_SIZE) -> FlagQueue:
    """Open flags grouped by post, the longest-waiting post first; five queries in all."""
    target = (Flag.idea_id, Flag.comment_id, Flag.critique_id)
    keys = db.session.execute(
        select(*target, func.min(Flag.created_at).label("first"))
        .where(Flag.resolved_at.is_(None)).group_by(*target)
        .order_by(func.min(Flag.created_at), func.min(Flag.id)).limit(limit)).all()
    total = db.session.scalar(select(func.count()).select_from(
        select(*target).where(Flag.resolved_at.is_(None)).group_by(*target).subquery()))
    if not keys:
        return FlagQueue([], total or 0)
    idea_ids = {k.idea_id for k in keys if k.idea_id}
    comment_ids = {k.comment_id for k in keys if k.comment_id}
    critique_ids = {k.critique_id for k in keys if k.critique_id}
    flags = db.session.scalars(select(Flag).where(
        Flag.resolved_at.is_(None),
        or_(Flag.idea_id.in_(idea_ids), Flag.comment_id.in_(comment_ids),
            Flag.critique_id.in_(critique_ids)))
        .order_by(Flag.id)).all()
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids))
        .options(joinedload(Comment.author), joinedload(Comment.idea)))}
    critiques = {c.id: c for c in db.session.scalars(
        select(Critique).where(Critique.id.in_(critique_ids))
        .options(joinedload(Critique.author), joinedload(Critique.section),
                 joinedload(Critique.plan).joinedload(Plan.campaign)))} if critique_ids else {}
    idea_ids |= {c.idea_id for c in comments.values()}
    ideas = {i.id: i for i in db.session.scalars(
        select(Idea).where(Idea.id.in_(idea_ids)).options(joinedload(Idea.author)))}
    by_key: dict[tuple, list[Flag]] = {}
    for item_flag in flags:
        by_key.setdefault((item_flag.idea_id, item_flag.comment_id, item_flag.critique_id),
                          []).append(item_flag)
    groups = []
    for key in keys:
        flags_of = by_key[(key.idea_id, key.comment_id, key.critique_id)]
        if key.critique_id:
            groups.append(FlagGroup(None, None, flags_of, key.first,
                                    critique=critiques[key.critique_id]))
            continue
        comment = comments.get(key.comment_id) if key.comment_id else None
        idea = ideas[comment.idea_id if comment else key.idea_id]
        groups.append(FlagGroup(idea, comment, flags_of, key.first))
    return FlagQueue(groups, total)


def open_flag_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Flag)
                             .where(Flag.resolved_at.is_(None))) or 0


def revisions_of(item: Idea | Comment | Critique) -> list[ContentRevision]:
    column = {"idea": ContentRevision.idea_id, "comment": ContentRevision.comment_id,
              "critique": ContentRevision.critique_id}[_kind(item)]
    return list(db.session.scalars(select(ContentRevision).where(column == item.id)
                                   .order_by(ContentRevision.id.desc())))


# --- what moderation shows on an idea page -------------------------------------------------

@dataclass
class ModerationView:
    """For one viewer on one idea page: what they flagged, and what they were told."""
    viewer: User | None
    flagged: set[tuple[str, int]] = field(default_factory=set)
    notices: dict[tuple[str, int], ModerationNotice] = field(default_factory=dict)

    def can_see_hidden(self, item: Idea | Comment | Critique) -> bool:
        return sees_hidden(self.viewer, item.author_id)

    def has_flagged(self, item: Idea | Comment | Critique) -> bool:
        return (_kind(item), item.id) in self.flagged

    def can_flag(self, item: Idea | Comment | Critique) -> bool:
        return can_flag(self.viewer, item) and not self.has_flagged(item)

    def notice_for(self, item: Idea | Comment | Critique) -> ModerationNotice | None:
        """The latest moderation notice about the viewer's own post."""
        return self.notices.get((_kind(item), item.id))


def _kind(item: Idea | Comment | Critique) -> str:
    if isinstance(item, Critique):
        return "critique"
    return "idea" if isinstance(item, Idea) else "comment"


def moderation_view(viewer: User | None, idea: Idea) -> ModerationView:
    """Two queries for a signed-in viewer, none for a visitor, whatever the thread's size."""
    if not is_signed_in(viewer):
        return ModerationView(None)
    view = ModerationView(viewer)
    thread = select(Comment.id).where(Comment.idea_id == idea.id).scalar_subquery()
    for idea_id, comment_id in db.session.execute(
            select(Flag.idea_id, Flag.comment_id).where(
                Flag.user_id == viewer.id,
                or_(Flag.idea_id == idea.id, Flag.comment_id.in_(thread)))):
        view.flagged.add(("idea", idea_id) if idea_id else ("comment", comment_id))
    for notice in db.session.scalars(select(ModerationNotice).where(
            ModerationNotice.user_id == viewer.id, ModerationNotice.idea_id == idea.id)
            .order_by(ModerationNotice.id)):
        key = ("comment", notice.comment_id) if notice.comment_id else ("idea", idea.id)
        if notice.kind != NoticeKind.REVEALED or key not in view.notices:
            view.notices[key] = notice
    return view


def plan_moderation_view(viewer: User | None, plan_id: int) -> ModerationView:
    """The same for the critiques of a plan page: two queries for a signed-in viewer."""
    if not is_signed_in(viewer):
        return ModerationView(None)
    view = ModerationView(viewer)
    on_plan = select(Critique.id).where(Critique.plan_id == plan_id).scalar_subquery()
    view.flagged.update(("critique", critique_id) for critique_id in db.session.scalars(
        select(Flag.critique_id).where(Flag.user_id == viewer.id,
                                       Flag.critique_id.in_(on_plan))))
    for notice in db.session.scalars(select(ModerationNotice).where(
            ModerationNotice.user_id == viewer.id, ModerationNotice.critique_id.in_(on_plan))
            .order_by(ModerationNotice.id)):
        key = ("critique", notice.critique_id)
        if notice.kind != NoticeKind.REVEALED or key not in view.notices:
            view.notices[key] = notice
    return view


def notices_for(user: User, limit: int = 100) -> list[ModerationNotice]:
    return list(db.session.scalars(
        select(ModerationNotice).where(ModerationNotice.user_id == user.id)
        .options(joinedload(ModerationNotice.idea), joinedload(ModerationNotice.comment),
                 joinedload(ModerationNotice.critique).joinedload(Critique.plan)
                 .joinedload(Plan.campaign))
        .order_by(ModerationNotice.id.desc()).limit(limit)))


# --- users and departments -----------------------------------------------------------------

@dataclass
class UserPage:
    users: list[User]
    next_before: int | None


def search_users(query: str = "", before: int | None = None,
                 limit: int = USERS_PAGE) -> UserPage:
    """Newest first, matching name or e-mail; keyset pages by id."""
    statement = select(User).options(joinedload(User.department))
    query = query.strip().lower()
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                                        func.lower(User.email).like(pattern, escape="\\")))
    if before:
        statement = statement.where(User.id < before)
    users = list(db.session.scalars(statement.order_by(User.id.desc()).limit(limit + 1)))
    return UserPage(users[:limit], users[limit - 1].id if len(users) > limit else None)


def departments_with_counts() -> list[tuple[Department, int]]:
    rows = db.session.execute(
        select(Department, func.count(User.id)).outerjoin(User, User.department_id == Department.id)
        .group_by(Department.id).order_by(Department.name)).all()
    return [(department, members) for department, members in rows]


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


# --- the audit log -------------------------------------------------------------------------

@dataclass
class AuditFilter:
    actor: str = ""  # part of a name or e-mail
    action: str = ""  # exact action, or a prefix ending with "." ("moderation.")
    target_type: str = ""
    target_id: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None


def audit_log(filters: AuditFilter, before: int | None = None,
              limit: int = AUDIT_PAGE) -> AuditPage:
    """Newest first; keyset pages by id, so a page costs the same however deep it is."""
    statement = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if filters.actor.strip():
        needle = "%" + filters.actor.strip().lower().replace("%", "").replace("_", "") + "%"
        statement = statement.join(User, User.id == AuditEntry.actor_id).where(
            or_(func.lower(User.display_name).like(needle), func.lower(User.email).like(needle)))
    if filters.action:
        if filters.action.endswith("."):
            statement = statement.where(AuditEntry.action.startswith(filters.action,
                                                                     autoescape=True))
        else:
            statement = statement.where(AuditEntry.action == filters.action)
    if filters.target_type:
        statement = statement.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id.strip():
        statement = statement.where(AuditEntry.target_id == filters.target_id.strip())
    if filters.since:
        statement = statement.where(AuditEntry.created_at >= datetime.combine(filters.since,
                                                                              time.min))
    if filters.until:
        # `until` is inclusive; never add a day to it (9999-12-31 + 1 day overflows)
        statement = statement.where(AuditEntry.created_at <= datetime.combine(filters.until,
                                                                              time.max))
    if before:
        statement = statement.where(AuditEntry.id < before)
    entries = list(db.session.scalars(statement.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    return AuditPage(entries[:limit], entries[limit - 1].id if len(entries) > limit else None)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct()
                                   .order_by(AuditEntry.action)))


def audit_target_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.target_type).distinct()
                                   .order_by(AuditEntry.target_type)))


def audit_entries_about(target_type: str, target_id: object, limit: int = 20) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == target_type,
                                 AuditEntry.target_id == str(target_id))
        .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit)))
