"""Rendered HTML cached by content version, one way (issue 17): idea cards, comments and the
controls under each comment.

A `Fragment` names a macro in `templates/_fragments/`, and the macro is called with ONE
immutable row built by one function here (`card_row`, `comment_row`, `actions_row`). The
key is that row itself (plus the language, the clock bucket of the dates it shows and a
digest of the fragment's templates and the catalogs), so whatever is not in the key cannot
reach the HTML: the fragment templates read nothing but their row and pure helpers (a test
parses them and checks). A changed idea or comment, a new minute or another language is
another key; nothing is ever invalidated, so nothing can be stale. What a viewer may do is
part of the controls' row (their helpful mark, rights, flag); anything with a CSRF token
(the vote box, the admins' Restore form) and the notices to an author are drawn per request,
never cached.

The store is Flask-Caching: SimpleCache per worker by default, RedisCache shared by every
worker and host when `CACHE_REDIS_URL` is set, NullCache to turn it off (`CACHE_TYPE`).
"""
from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache as cache_by_type
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, get_args, get_type_hints

from flask import Flask, current_app, get_template_attribute, request, url_for
from flask_login import current_user
from jinja2 import meta
from markupsafe import Markup

from ideaboard.anonymity import Byline, byline, edited_moment
from ideaboard.caching import cached_many, store_many
from ideaboard.catalog import current_locale
from ideaboard.extensions import cache
from ideaboard.models import Comment, Idea, IdeaStatus, Stance
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_edit_comment, can_mark_helpful, is_admin, is_signed_in
from ideaboard.queries.ideas import ListedIdea
from ideaboard.web.templating import RELATIVE_LIMIT

RELATIVE_TIMEOUT = 120  # seconds: an entry keyed by the minute is useless after it
PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shown:
    """A moment as `when()` shows it (relative while recent, the day only if asked)."""
    moment: datetime
    day_only: bool = False


def clock_key(moment: datetime, day_only: bool, now: datetime) -> Hashable:
    """What `when(moment)` depends on besides the language: the day for anonymous and old
    moments, else the minute (a relative label such as "5 minutes ago" is at most a minute
    behind)."""
    if day_only:
        return moment.date()
    if now - moment >= RELATIVE_LIMIT:
        return moment
    return moment, now.replace(second=0, microsecond=0)


@cache_by_type
def _dated_fields(row_type: type) -> tuple[str, ...]:
    """The fields of a row that may hold a date `when()` shows (a Byline or a Shown)."""
    hints = get_type_hints(row_type)
    return tuple(f.name for f in fields(row_type)
                 if {Byline, Shown} & set(get_args(hints[f.name]) or (hints[f.name],)))


def _clock(row, now: datetime) -> tuple:
    dated = (getattr(row, name) for name in _dated_fields(type(row)))
    return tuple(clock_key(value.moment, value.day_only, now) for value in dated
                 if value is not None)


def _is_relative(clock: tuple) -> bool:
    return any(isinstance(part, tuple) for part in clock)


@dataclass(frozen=True)
class Fragment:
    """One cached piece of HTML: `macro` of `template`, called with a single row."""
    template: str
    macro: str

    @cached_property
    def version(self) -> str:
        """The fragment's template (and what it imports) and the compiled catalogs, so a
        release that changes either never reads HTML an older release cached in Redis."""
        env = current_app.jinja_env
        digest = hashlib.blake2b(digest_size=8)
        for name in _template_closure(env, self.template):
            digest.update(env.loader.get_source(env, name)[0].encode())
        for catalog in sorted((PACKAGE / "translations").glob("*/LC_MESSAGES/messages.mo")):
            digest.update(catalog.read_bytes())
        return digest.hexdigest()

    def key(self, row, locale: str, now: datetime) -> tuple[str, bool]:
        """The cache key of `row` in `locale`, and whether it lasts only a minute."""
        clock = _clock(row, now)
        digest = hashlib.blake2b(repr((locale, row, clock)).encode(), digest_size=16)
        return f"{self.macro}:{self.version}:{digest.hexdigest()}", _is_relative(clock)

    def render(self, rows: Sequence) -> list[Markup]:
        """The HTML of each row, cached ones fetched in one round trip."""
        if not rows:
            return []
        locale, now = str(current_locale()), utcnow()
        keys = [self.key(row, locale, now) for row in rows]
        found = cached_many(key for key, _ in keys) or [None] * len(keys)
        draw = get_template_attribute(self.template, self.macro)
        html, missing, brief = [], {}, {}
        for row, (key, relative), cached in zip(rows, keys, found, strict=True):
            if cached is None:
                cached = str(draw(row))
                (brief if relative else missing)[key] = cached
            html.append(Markup(cached))  # noqa: S704 — our own macro's output, as cached
        store_many(missing)
        store_many(brief, timeout=RELATIVE_TIMEOUT)
        return html


def _template_closure(env, name: str) -> list[str]:
    """`name` and every template it imports or includes, for the fragment's version."""
    seen, todo = [], [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source = env.loader.get_source(env, current)[0]
        todo.extend(ref for ref in meta.find_referenced_templates(env.parse(source)) if ref)
    return sorted(seen)


IDEA_CARD = Fragment("_fragments/idea_card.html", "idea_card")
COMMENT = Fragment("_fragments/comment.html", "comment")
COMMENT_ACTIONS = Fragment("_fragments/comment_actions.html", "comment_actions")


# --- the rows: everything a fragment shows, and nothing else ------------------------------

@dataclass(frozen=True)
class CardRow:
    public_id: str
    title: str
    status: IdeaStatus
    days_overdue: int
    author: Byline
    comment_count: int
    tags: tuple[str, ...]
    common_ground: bool
    totals: tuple[int, int] | None  # supporters, opposers; None while the campaign hides them


def card_row(idea: Idea | ListedIdea) -> CardRow:
    hidden = idea.totals_hidden()
    return CardRow(idea.public_id, idea.title, idea.status, idea.days_overdue(), byline(idea),
                   idea.comment_count, tuple(idea.tag_list), idea.has_broad_support and not hidden,
                   None if hidden else (idea.supporters, idea.opposers))


@dataclass(frozen=True)
class CommentRow:
    """A comment's head and body, or only the placeholder that replaces them (`shown` is
    "text", "deleted", "removed" or "hidden"; a placeholder row carries no text or author)."""
    shown: str
    stance: Stance | None = None
    author: Byline | None = None
    edited: Shown | None = None
    body_html: str = ""


def comment_row(comment: Comment, moderation) -> CommentRow:
    """`moderation` (a ModerationView) says whether the viewer may read a hidden comment
    (its author and the moderators)."""
    if comment.is_deleted:
        return CommentRow("removed" if comment.hidden_at else "deleted")
    if comment.hidden_at and not moderation.can_see_hidden(comment):
        return CommentRow("hidden")
    edited = edited_moment(comment)
    return CommentRow("text", comment.stance, byline(comment), edited and Shown(edited),
                      comment.body_html)


# --- template globals -----------------------------------------------------------------------

def idea_cards(ideas: Iterable[Idea | ListedIdea]) -> list[Markup]:
    return IDEA_CARD.render([card_row(idea) for idea in ideas])


@dataclass(frozen=True)
class ActionsRow:
    """The controls under a readable comment, as one viewer may use them."""
    public_id: str
    helpful_count: int
    marked: bool  # the viewer marked it helpful
    may_mark: bool
    sign_in_url: str | None  # a visitor's Helpful leads there; None when signed in
    may_edit: bool  # Edit and Delete
    flag: str  # "can", "flagged" (by this viewer) or ""
    moderate: bool  # the admins' Moderate link
    may_reply: bool


def actions_row(comment: Comment, viewer, marked: bool, moderation, idea: Idea,
                sign_in_url: str | None) -> ActionsRow:
    signed_in = is_signed_in(viewer)
    flagging = ("can" if moderation.can_flag(comment)
                else "flagged" if moderation.has_flagged(comment) else "")
    return ActionsRow(comment.public_id, comment.helpful_count, marked,
                      can_mark_helpful(viewer, comment), None if signed_in else sign_in_url,
                      can_edit_comment(viewer, comment), flagging,
                      is_admin(viewer) and not comment.is_deleted,
                      signed_in and not idea.is_deleted)


class ShownComment(NamedTuple):
    readable: bool  # False: `html` is a placeholder (deleted, removed or hidden), no actions
    html: Markup
    actions: Markup | None


def comment_fragments(thread: Iterable, moderation, helpful: set[int],
                      idea: Idea) -> dict[int, ShownComment]:
    """Every comment of a thread (a list of ThreadNode), by comment id, fetched at once:
    its head and body, and its controls as the current viewer may use them."""
    comments = []
    todo = list(thread)
    while todo:
        node = todo.pop()
        comments.append(node.comment)
        todo.extend(node.replies)
    rows = [comment_row(c, moderation) for c in comments]
    readable = [c for c, row in zip(comments, rows, strict=True) if row.shown == "text"]
    viewer = current_user._get_current_object()  # not the proxy: asked fifty times
    sign_in_url = None if is_signed_in(viewer) else url_for("auth.login", next=request.full_path)
    actions = dict(zip((c.id for c in readable), COMMENT_ACTIONS.render(
        [actions_row(c, viewer, c.id in helpful, moderation, idea, sign_in_url)
         for c in readable]), strict=True))
    return {c.id: ShownComment(row.shown == "text", html, actions.get(c.id))
            for c, row, html in zip(comments, rows, COMMENT.render(rows), strict=True)}


def init_fragments(app: Flask) -> None:
    if app.config.get("CACHE_REDIS_URL") and app.config.get("CACHE_TYPE") == "SimpleCache":
        app.config["CACHE_TYPE"] = "RedisCache"  # several workers and hosts share it
    app.config.setdefault("CACHE_NO_NULL_WARNING", True)  # NullCache is a deliberate choice
    cache.init_app(app)
    app.add_template_global(idea_cards)
    app.add_template_global(comment_fragments)
