"""The one place that decides how an author is shown, and what a post's timing may reveal.

Templates (the `author_line` macro), feeds, e-mails, exports, search results, the API and
fragment cache keys all ask here; nothing else compares anonymity flags or policies.

Timing: an anonymous post is shown with its day only, and takes a public time drawn at
random within the anonymity window before it was written (`public_at`). Every time-ordered
list sorts by that time, so an anonymous post's position among its neighbours says nothing
finer than the window. News about it (inbox items, e-mails) waits for the next window
boundary, so it cannot be matched with who was at their desk either.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, literal
from sqlalchemy.sql.elements import ColumnElement

from ideaboard.models import Anonymity, Campaign, CampaignKind, User
from ideaboard.models.base import utcnow

ANONYMOUS_NAME = _l("Anonymous employee")

# Which policies each kind of campaign may have, and why a policy is not offered.
POLICIES_BY_KIND: dict[CampaignKind, tuple[Anonymity, ...]] = {
    CampaignKind.IDEAS: (Anonymity.NAMED, Anonymity.OPTIONAL, Anonymity.ANONYMOUS_ONLY),
    CampaignKind.CONSULTATION: (Anonymity.NAMED, Anonymity.OPTIONAL, Anonymity.ANONYMOUS_ONLY),
    CampaignKind.DISCUSSION: (Anonymity.OPTIONAL, Anonymity.ANONYMOUS_ONLY),
    CampaignKind.PLAN_REVIEW: (Anonymity.NAMED, Anonymity.OPTIONAL, Anonymity.ANONYMOUS_ONLY),
}
WHY_NOT_NAMED = _l("A discussion is where people raise what they would not say under their "
                   "name, so it is never named: choose “anonymous only” for a sensitive "
                   "topic, or “optional”.")


class Authored(Protocol):
    """An idea, comment, critique or reply: anything with an author that may be anonymous."""
    author_id: int
    is_anonymous: bool
    created_at: datetime
    public_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Byline:
    """How an author is shown: a name and a profile, or "Anonymous employee" and a day."""
    anonymous: bool
    name: str
    user_id: int | None  # None when anonymous: no profile link, no id
    moment: datetime     # the public time
    day_only: bool       # anonymous posts show their day, never a finer time

    @property
    def cache_key(self) -> tuple:
        """Everything a rendered byline depends on (the minute for relative times is added
        by the fragment cache's date key)."""
        return (self.anonymous, self.name, self.user_id, self.day_only)


def byline(item: Authored, viewer: User | None = None) -> Byline:
    """How the author of `item` is shown to `viewer`. The same for every viewer, the author
    and admins included: an admin learns an anonymous author only through the audited
    reveal (services/moderation.py), never on a page."""
    del viewer  # part of the contract: the answer must not depend on who asks
    moment = public_moment(item)
    if item.is_anonymous:
        return Byline(True, str(ANONYMOUS_NAME), None, moment, True)
    return Byline(False, author_display_name(item), item.author_id, moment, False)


def author_display_name(item: Authored) -> str:
    """A named post's author name: a list row carries it (read by `author_name_column`, so
    never for an anonymous post), an ORM post has its author loaded."""
    listed = getattr(item, "author_name", None)
    return listed if listed is not None else item.author.display_name


def edited_moment(item: Authored) -> datetime | None:
    """When a post was last edited, if that may be shown: never for an anonymous post (its
    edit time would be finer than the day it shows)."""
    if item.is_anonymous or item.updated_at <= item.created_at:
        return None
    return item.updated_at


def public_moment(item: Authored) -> datetime:
    return getattr(item, "public_at", None) or item.created_at


def author_name_column(model, name_column: ColumnElement) -> ColumnElement:
    """The author's name in SQL (exports): empty for anonymous posts, so the name is never
    even read out of the database for them."""
    return case((model.is_anonymous, literal("")), else_=name_column)


def posted_anonymously(item: Authored) -> bool:
    """For marks the author alone sees ("posted anonymously") and admin tools (reveal)."""
    return bool(item.is_anonymous)


# --- campaign policies ----------------------------------------------------------------------

def allowed_policies(kind: CampaignKind) -> tuple[Anonymity, ...]:
    return POLICIES_BY_KIND[kind]


def policy_refusal(kind: CampaignKind, policy: Anonymity) -> str | None:
    """Why `policy` is not allowed for this kind of campaign, or None when it is."""
    if policy in allowed_policies(kind):
        return None
    return str(WHY_NOT_NAMED)


def offers_choice(campaign: Campaign) -> bool:
    """Each person chooses whether to post under their name."""
    return campaign.anonymity == Anonymity.OPTIONAL


def always_anonymous(campaign: Campaign) -> bool:
    return campaign.anonymity == Anonymity.ANONYMOUS_ONLY


def is_sensitive(campaign: Campaign) -> bool:
    """Anonymous-only campaigns are always sign-in only, whatever the read setting."""
    return campaign.anonymity == Anonymity.ANONYMOUS_ONLY


def will_be_anonymous(campaign: Campaign, wants_anonymous: bool) -> bool:
    """Whether a new post in `campaign` is anonymous, given the author's choice."""
    if always_anonymous(campaign):
        return True
    return bool(wants_anonymous) and offers_choice(campaign)


# --- timing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    """When a new post was written, the time colleagues see, and when news of it goes out."""
    created_at: datetime
    public_at: datetime
    news_at: datetime


def timing(anonymous: bool, window: timedelta, now: datetime | None = None) -> Timing:
    now = now or utcnow()
    return Timing(now, public_time(now, anonymous, window), news_time(now, anonymous, window))


def public_time(now: datetime, anonymous: bool, window: timedelta) -> datetime:
    """The time colleagues see and lists sort by: now for a named post; for an anonymous one
    a moment drawn uniformly within the window before now (never in the future, so it never
    floats above later posts)."""
    if not anonymous or window <= timedelta(0):
        return now
    offset = secrets.randbelow(int(window.total_seconds() * 1000) + 1)
    return now - timedelta(milliseconds=offset)


def news_time(now: datetime, anonymous: bool, window: timedelta) -> datetime:
    """When news of a post reaches inboxes and the outbox: now for a named post; for an
    anonymous one the next window boundary (the next batch)."""
    if not anonymous or window <= timedelta(0):
        return now
    step = window.total_seconds()
    start = datetime(now.year, now.month, now.day)
    elapsed = (now - start).total_seconds()
    return start + timedelta(seconds=math.floor(elapsed / step) * step + step)
