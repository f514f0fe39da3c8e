"""Who may see an idea and its discussion, and who may act on them: one rule for every
service, list, feed and page.

- A hidden idea (or comment, or critique) is not there for anyone but its author and
  admins: pages answer 404, lists and feeds leave it out, and nobody can act on it.
- A deleted idea keeps a readable tombstone, and a merged idea sends readers on to the idea
  that survived; neither takes votes, comments, marks, follows, flags or pledges.
- A sensitive (anonymous-only) campaign is for signed-in colleagues only, even when an
  admin opens the rest of the platform to readers who are not signed in.

Services call `ensure_can_act` before they write; queries use `readable_ideas` and
`readable_campaigns`; the web layer only turns the answers into 404s and redirects.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ideaboard.errors import Gone, NotAllowed, NotFound
from ideaboard.models import Anonymity, Campaign, Comment, Idea, IdeaStatus, Role, User


class Access(enum.Enum):
    GONE = "gone"        # not there for this viewer (404)
    SIGN_IN = "sign_in"  # a sensitive campaign, and the viewer is not signed in
    READ = "read"        # readable, but nobody can act on it (deleted, merged)
    ACT = "act"          # readable, and open to votes, comments, marks, follows, flags


@dataclass(frozen=True)
class IdeaState:
    """The columns the rule reads, from an ORM object or a row of a lean query."""
    author_id: int
    hidden_at: datetime | None
    deleted_at: datetime | None
    status: IdeaStatus
    campaign_anonymity: Anonymity | None  # None: not loaded (treated as sensitive)

    @classmethod
    def of(cls, idea: Idea, campaign: Campaign | None = None) -> IdeaState:
        """From an idea; its campaign is read only if already loaded (no lazy load)."""
        campaign = campaign or idea.__dict__.get("campaign")
        return cls(idea.author_id, idea.hidden_at, idea.deleted_at, IdeaStatus(idea.status),
                   Anonymity(campaign.anonymity) if campaign is not None else None)


def _signed_in(viewer: User | None) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False))


def _is_admin(viewer: User | None) -> bool:
    return _signed_in(viewer) and viewer.role == Role.ADMIN


def sees_hidden(viewer: User | None, author_id: int) -> bool:
    """Moderated content stays visible to its author (to read why) and to admins."""
    return _is_admin(viewer) or (_signed_in(viewer) and viewer.id == author_id)


def campaign_access(viewer: User | None, campaign: Campaign) -> Access:
    if campaign.anonymity == Anonymity.ANONYMOUS_ONLY and not _signed_in(viewer):
        return Access.SIGN_IN
    return Access.ACT


def open_to_action(state: IdeaState) -> bool:
    """Not hidden, merged or deleted: a signed-in colleague may act on it."""
    return (state.hidden_at is None and state.deleted_at is None
            and state.status != IdeaStatus.MERGED)


def idea_access(viewer: User | None, state: IdeaState) -> Access:
    if not _signed_in(viewer) and state.campaign_anonymity in (Anonymity.ANONYMOUS_ONLY,
                                                                None):
        return Access.SIGN_IN
    if state.hidden_at is not None and state.deleted_at is None and not sees_hidden(
            viewer, state.author_id):
        return Access.GONE
    if state.deleted_at is not None or state.status == IdeaStatus.MERGED:
        return Access.READ
    if state.hidden_at is not None:
        return Access.READ  # its author and admins read it; nobody acts on it
    return Access.ACT


def ensure_can_act(viewer: User | None, state: IdeaState) -> None:
    """Refuse any action (vote, comment, helpful mark, follow, flag, pledge, allocation,
    challenge, API write) on an idea that is hidden, merged or deleted."""
    access = idea_access(viewer, state)
    if access in (Access.GONE, Access.SIGN_IN):
        raise Gone(_l("This idea no longer exists."))
    if access == Access.READ:
        if state.status == IdeaStatus.MERGED:
            raise NotAllowed(_l("This idea was merged into another one: take part there."))
        if state.deleted_at is not None:
            raise NotFound(_l("This idea was deleted; its discussion is kept for reading."))
        raise NotAllowed(_l("This idea is hidden while moderators look at it."))


def ensure_decision_open_to_challenge(viewer: User | None, state: IdeaState) -> None:
    """Challenges are about leadership's decision, not the post: a merged idea can be
    challenged (the merge is the decision); a hidden or deleted one cannot."""
    if idea_access(viewer, state) in (Access.GONE, Access.SIGN_IN) or state.deleted_at:
        raise NotFound(_l("This idea no longer exists."))
    if state.hidden_at is not None:
        raise NotAllowed(_l("This idea is hidden while moderators look at it."))


def ensure_comment_open(viewer: User | None, comment: Comment, state: IdeaState) -> None:
    """A comment takes replies, marks and flags only while it and its idea are there."""
    ensure_can_act(viewer, state)
    if comment.deleted_at is not None:
        raise NotFound(_l("This comment was deleted."))
    if comment.hidden_at is not None:
        raise NotAllowed(_l("This comment is hidden while moderators look at it."))


# --- the same rule for lists ----------------------------------------------------------------

def readable_campaigns(viewer: User | None) -> ColumnElement[bool]:
    """Campaigns the viewer may read (joined as `Campaign`)."""
    if _signed_in(viewer):
        return true()
    return Campaign.anonymity != Anonymity.ANONYMOUS_ONLY


def in_readable_campaign(viewer: User | None, campaign_id) -> ColumnElement[bool]:
    """Rows (ideas, search documents) whose campaign this viewer may read; rows of no
    campaign are readable."""
    if _signed_in(viewer):
        return true()
    sensitive = (select(Campaign.id).where(Campaign.anonymity == Anonymity.ANONYMOUS_ONLY)
                 .scalar_subquery())
    return or_(campaign_id.is_(None), campaign_id.not_in(sensitive))


def readable_ideas(viewer: User | None) -> ColumnElement[bool]:
    """Ideas that belong in this viewer's lists and feeds: not deleted, not hidden, in a
    campaign they may read. Lists that show the campaign join `Campaign` themselves."""
    live = and_(Idea.deleted_at.is_(None), Idea.hidden_at.is_(None))
    if _signed_in(viewer):
        return live
    return and_(live, in_readable_campaign(viewer, Idea.campaign_id))


def readable_comments(viewer: User | None) -> ColumnElement[bool]:
    """Comments shown in full to this viewer (others appear as placeholders in threads)."""
    if _is_admin(viewer):
        return true()
    shown = Comment.hidden_at.is_(None)
    if _signed_in(viewer):
        return or_(shown, Comment.author_id == viewer.id)
    return shown
