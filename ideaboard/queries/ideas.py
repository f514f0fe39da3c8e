"""Idea lists (keyset-paginated), the idea page and its discussion."""
from __future__ import annotations

import base64
import binascii
import functools
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, null, select, tuple_
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from ideaboard.anonymity import author_name_column
from ideaboard.extensions import db
from ideaboard.models import (
    Campaign,
    CampaignKind,
    Comment,
    CommentVote,
    Decision,
    Idea,
    IdeaStatus,
    IdeaTag,
    Tag,
    User,
    Vote,
)
from ideaboard.models.base import fits_database_integer, utcnow
from ideaboard.models.ideas import IdeaFacts, totals_hidden
from ideaboard.visibility import IdeaState, readable_ideas

SORTS = ("top", "hot", "common", "new", "discussed")
_SORT_COLUMNS = {
    "top": Idea.score,
    "hot": Idea.hot,
    "new": Idea.public_at,  # an anonymous post's public time (ideaboard/anonymity.py)
    "common": Idea.broad_support,  # "Common ground": scored ideas only (ix_idea_broad_support)
    "discussed": Idea.comment_count,
}


@dataclass
class IdeaPage:
    items: list[Idea] | list[ListedIdea]  # ORM ideas, or card rows (list_ideas(rows=True))
    next_cursor: str | None
    sort: str
    tag: str | None = None


def pack_cursor(values: list) -> str:
    """A keyset position as an opaque, URL-safe token."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 200


def _cursor_value_ok(value: object) -> bool:
    """Only what pack_cursor writes: strings, finite floats and integers a database
    integer can hold (outside that range SQLite raises OverflowError)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return fits_database_integer(value)
    return isinstance(value, str) or value is None


def unpack_cursor(cursor: str | None) -> list | None:
    """The values of `pack_cursor`, or None for a missing or malformed token."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None
    if not isinstance(values, list) or not all(_cursor_value_ok(v) for v in values):
        return None
    return values


def cursor_integer(value: object) -> int:
    """An integer field of a cursor; ValueError unless pack_cursor could have written it."""
    if not fits_database_integer(value):
        raise ValueError("not a database integer")
    return value


def encode_cursor(sort: str, idea: Idea) -> str:
    value = getattr(idea, _SORT_COLUMNS[sort].key)
    if isinstance(value, datetime):
        value = value.isoformat()
    return pack_cursor([value, idea.id])


def decode_cursor(sort: str, cursor: str | None) -> tuple | None:
    """A malformed cursor means "first page", never an error."""
    try:
        value, idea_id = unpack_cursor(cursor) or (None, None)
        if idea_id is None:
            return None
        if sort == "new":
            value = datetime.fromisoformat(value)
        elif sort == "discussed":
            value = cursor_integer(value)
        elif not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError("not a finite number")
        return value, cursor_integer(idea_id)
    except (ValueError, TypeError):
        return None


def listed_ideas(viewer: User | None) -> Select:
    """Ideas that belong in this viewer's lists (ideaboard/visibility.py decides)."""
    return select(Idea).where(readable_ideas(viewer))


def _narrowed(query: Select, sort: str, *, tag: str | None, campaign_id: int | None,
              status: IdeaStatus | None, cursor: str | None, limit: int) -> Select:
    """A list's filters, order and keyset page on a query that already joins `Campaign`."""
    column = _SORT_COLUMNS[sort]
    if tag:
        query = query.join(IdeaTag, IdeaTag.idea_id == Idea.id).join(
            Tag, Tag.id == IdeaTag.tag_id).where(Tag.name == tag)
    if campaign_id is not None:
        query = query.where(Idea.campaign_id == campaign_id)
    else:  # consultation options are candidates, shown in their own campaign only
        query = query.where(Campaign.kind != CampaignKind.CONSULTATION)
    if status is not None:
        query = query.where(Idea.status == status)
    if sort == "common":  # unscored ideas (too few votes) have no place in this order
        query = query.where(Idea.broad_support.is_not(None))
    after = decode_cursor(sort, cursor)
    if after is not None:
        query = query.where(tuple_(column, Idea.id) < tuple_(*after))
    return query.order_by(column.desc(), Idea.id.desc()).limit(limit + 1)


@dataclass(frozen=True, slots=True)
class ListedIdea(IdeaFacts):
    """An idea as a list's card shows it, read as one row of exactly these columns (no ORM
    objects: issue 17). The card (web/fragments.card_row) reads it as it reads an `Idea`."""
    id: int
    public_id: str
    title: str
    status: IdeaStatus
    review_due_at: datetime | None
    is_anonymous: bool
    author_id: int | None  # None for an anonymous post: not even read
    author_name: str  # "" for an anonymous post (anonymity.author_name_column)
    created_at: datetime
    public_at: datetime
    comment_count: int
    tag_names: str
    supporters: int
    opposers: int
    score: float
    hot: float
    broad_support: float | None
    # the campaign's columns that decide whether its totals are hidden
    kind: CampaignKind
    pairwise_enabled: bool
    hide_totals_until_close: bool
    closes_at: datetime | None

    def totals_hidden(self, now: datetime | None = None) -> bool:
        return totals_hidden(self, now)


_CAMPAIGN_FIELDS = frozenset({"kind", "pairwise_enabled", "hide_totals_until_close",
                              "closes_at"})


@functools.cache
def _listed_columns() -> tuple:
    """The select list of `ListedIdea`, field by field, built once per process."""
    special = {"author_id": case((Idea.is_anonymous, null()), else_=Idea.author_id),
               "author_name": author_name_column(Idea, User.display_name)}
    return tuple((special[name] if name in special
                  else getattr(Campaign if name in _CAMPAIGN_FIELDS else Idea, name)).label(name)
                 for name in ListedIdea.__dataclass_fields__)


def list_ideas(sort: str = "top", *, viewer: User | None, tag: str | None = None,
               campaign_id: int | None = None, status: IdeaStatus | None = None,
               cursor: str | None = None, limit: int = 30, rows: bool = False) -> IdeaPage:
    """One page of ideas in a stable order, continuing after `cursor` (keyset, not OFFSET):
    card rows (`ListedIdea`, one Core select) with `rows`, else ORM ideas with author and
    campaign (the API, a consultation's options with their vote boxes)."""
    sort = sort if sort in SORTS else "top"
    if rows:
        query = (select(*_listed_columns()).select_from(Idea)
                 .join(User, User.id == Idea.author_id)
                 .join(Campaign, Campaign.id == Idea.campaign_id)
                 .where(readable_ideas(viewer)))
    else:
        query = (listed_ideas(viewer).join(Campaign, Campaign.id == Idea.campaign_id)
                 .options(joinedload(Idea.author), contains_eager(Idea.campaign)))
    query = _narrowed(query, sort, tag=tag, campaign_id=campaign_id, status=status,
                      cursor=cursor, limit=limit)
    items = ([ListedIdea(*row) for row in db.session.execute(query)] if rows
             else list(db.session.scalars(query).unique()))
    next_cursor = encode_cursor(sort, items[limit - 1]) if len(items) > limit else None
    return IdeaPage(items=items[:limit], next_cursor=next_cursor, sort=sort, tag=tag)


def last_broad_support_fit() -> datetime | None:
    """When the broad-support scores were last computed (None: never)."""
    return db.session.scalar(select(func.max(Idea.broad_support_at)))


def votes_by_user(user: User | None, idea_ids: list[int]) -> dict[int, int]:
    """The viewer's own votes on the ideas shown, in one query."""
    if user is None or not getattr(user, "is_authenticated", False) or not idea_ids:
        return {}
    rows = db.session.execute(select(Vote.idea_id, Vote.value).where(
        Vote.user_id == user.id, Vote.idea_id.in_(idea_ids)))
    return {idea_id: value for idea_id, value in rows}


def idea_by_public_id(public_id: str) -> Idea | None:
    return db.session.scalar(
        select(Idea).where(Idea.public_id == public_id)
        .options(joinedload(Idea.author), joinedload(Idea.campaign), selectinload(Idea.tags)))


def idea_state(idea_id: int) -> IdeaState:
    """What the visibility rule needs to know about an idea, in one lean query."""
    row = db.session.execute(
        select(Idea.author_id, Idea.hidden_at, Idea.deleted_at, Idea.status, Campaign.anonymity)
        .join(Campaign, Campaign.id == Idea.campaign_id).where(Idea.id == idea_id)).one()
    return IdeaState(*row)


def state_of_idea_of(item: Idea | Comment) -> IdeaState:
    """The visibility state of an idea, or of the idea a comment belongs to, without a query
    when the idea and its campaign are already loaded."""
    idea = item if isinstance(item, Idea) else item.__dict__.get("idea")
    if idea is not None and "campaign" in idea.__dict__:
        return IdeaState.of(idea)
    return idea_state(item.id if isinstance(item, Idea) else item.idea_id)


def merged_into_public_id(idea: Idea) -> str | None:
    """The public id of the idea a merged idea now lives on in."""
    survivor = aliased(Idea)
    return db.session.scalar(
        select(survivor.public_id).join(Decision, Decision.merged_into_id == survivor.id)
        .where(Decision.idea_id == idea.id, Decision.status == IdeaStatus.MERGED)
        .order_by(Decision.id.desc()).limit(1))


def comment_by_public_id(public_id: str) -> Comment | None:
    return db.session.scalar(
        select(Comment).where(Comment.public_id == public_id)
        .options(joinedload(Comment.author), joinedload(Comment.idea).joinedload(Idea.campaign)))


@dataclass
class ThreadNode:
    comment: Comment
    replies: list[ThreadNode] = field(default_factory=list)


def comment_thread(idea: Idea) -> list[ThreadNode]:
    """All comments of an idea as a tree, oldest first, in one query."""
    comments = db.session.scalars(
        select(Comment).where(Comment.idea_id == idea.id)
        .options(joinedload(Comment.author))
        .order_by(Comment.public_at, Comment.id)).all()  # anonymous ones by public time
    children: dict[int | None, list[ThreadNode]] = defaultdict(list)
    nodes = {c.id: ThreadNode(c) for c in comments}
    for comment in comments:
        parent_id = comment.parent_id if comment.parent_id in nodes else None
        children[parent_id].append(nodes[comment.id])
    for node_id, node in nodes.items():
        node.replies = children.get(node_id, [])
    return children[None]


def helpful_marks_by_user(user: User | None, idea: Idea) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(CommentVote.comment_id).join(Comment, Comment.id == CommentVote.comment_id)
        .where(Comment.idea_id == idea.id, CommentVote.user_id == user.id)))


def popular_tags(limit: int = 15) -> list[tuple[str, int]]:
    rows = db.session.execute(select(Tag.name, Tag.use_count).where(Tag.use_count > 0)
                              .order_by(Tag.use_count.desc(), Tag.name).limit(limit))
    return [(name, uses) for name, uses in rows]


def home_counts() -> dict[str, int]:
    """Counts that build trust on the home page: ideas shared, decided this quarter."""
    now = utcnow()
    quarter_start = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1)
    # All ideas minus the deleted ones, and a range of ix_idea_decided: each an index count,
    # where one FILTERed count would read every idea
    every = select(func.count()).select_from(Idea)
    row = db.session.execute(select(
        every.scalar_subquery(),
        every.where(Idea.deleted_at.is_not(None)).scalar_subquery(),
        every.where(Idea.decided_at >= quarter_start).scalar_subquery())).one()
    return {"ideas": row[0] - row[1], "decided_quarter": row[2]}


@dataclass
class PublicActivity:
    ideas: list[Idea]
    idea_count: int
    comment_count: int


def public_activity(user: User, limit: int = 20) -> PublicActivity:
    """What a person posted under their name. Anonymous posts never count here."""
    named = (Idea.author_id == user.id, Idea.is_anonymous.is_(False),
             Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
    ideas = list(db.session.scalars(select(Idea).where(*named).options(
        joinedload(Idea.campaign), joinedload(Idea.author)).order_by(
        Idea.public_at.desc()).limit(limit)))
    idea_count = db.session.scalar(select(func.count()).select_from(Idea).where(*named))
    comment_count = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.author_id == user.id, Comment.is_anonymous.is_(False),
        Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)))
    return PublicActivity(ideas, idea_count, comment_count)
