"""What is searchable: one `DocumentType` registration per kind of content.

A registration says how to turn a source row into indexed text (or None once it is deleted),
which attribute changes re-index it, how to check at query time that the source row may
still be shown (not deleted, not hidden by moderation: the index is never trusted for that),
and how to load and present hits. Adding campaigns, plan sections or critiques is one `register()`.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bleach
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased, joinedload

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea
from ideaboard.text import render_markdown

MAX_INDEXED_CHARS = 30_000


def plain_text(markdown_source: str) -> str:
    """What a reader sees of a Markdown text, as plain (unescaped) text on one line."""
    rendered = bleach.clean(render_markdown(markdown_source or ""), tags=set(), strip=True)
    return re.sub(r"\s+", " ", html.unescape(rendered)).strip()[:MAX_INDEXED_CHARS]


@dataclass(frozen=True)
class DocumentText:
    title: str
    body: str
    tags: tuple[str, ...] = ()
    idea_id: int | None = None      # the idea it belongs to: status and tag filters use it
    campaign_id: int | None = None  # for documents that belong to no idea


@dataclass(frozen=True)
class Presented:
    """How a hit is shown: `item` carries is_anonymous/author/created_at for the author line;
    the link is an endpoint and its arguments, for url_for in the template."""
    title: str
    endpoint: str
    url_values: dict
    item: Any
    idea: Idea | None


@dataclass(frozen=True)
class DocumentType:
    name: str
    model: type
    label: Any         # lazy string: "Idea", "Comment"
    plural_label: Any  # for the type filter
    watched: frozenset[str]
    text: Callable[[Any], DocumentText | None]
    visible: Callable[[ColumnElement[int]], ColumnElement[bool]]
    load: Callable[[list[int]], dict[int, Any]]
    present: Callable[[Any], Presented | None]


DOCUMENT_TYPES: dict[str, DocumentType] = {}


def register(document_type: DocumentType) -> DocumentType:
    DOCUMENT_TYPES[document_type.name] = document_type
    return document_type


def type_for_model(model: type) -> DocumentType | None:
    for document_type in DOCUMENT_TYPES.values():
        if model is document_type.model:
            return document_type
    return None


# --- ideas --------------------------------------------------------------------------------

def _idea_text(idea: Idea) -> DocumentText | None:
    if idea.deleted_at is not None:
        return None
    return DocumentText(title=idea.title, body=plain_text(idea.body), tags=tuple(idea.tag_list),
                        idea_id=idea.id, campaign_id=idea.campaign_id)


def _idea_is_shown(idea: Idea) -> bool:
    return idea.deleted_at is None and idea.hidden_at is None


def _idea_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    idea = aliased(Idea)
    return exists(select(idea.id).where(idea.id == doc_id, idea.deleted_at.is_(None),
                                        idea.hidden_at.is_(None)))


def _load_ideas(ids: list[int]) -> dict[int, Idea]:
    ideas = db.session.scalars(select(Idea).where(Idea.id.in_(ids))
                               .options(joinedload(Idea.author), joinedload(Idea.campaign)))
    return {idea.id: idea for idea in ideas}


def _present_idea(idea: Idea) -> Presented | None:
    if not _idea_is_shown(idea):
        return None
    return Presented(title=idea.title, item=idea, idea=idea, endpoint="ideas.show",
                     url_values={"public_id": idea.public_id})


IDEAS = register(DocumentType(
    name="idea", model=Idea, label=_l("Idea"), plural_label=_l("Ideas"),
    watched=frozenset({"title", "body", "tag_names", "deleted_at", "campaign_id"}),
    text=_idea_text, visible=_idea_visible, load=_load_ideas, present=_present_idea))


# --- comments -----------------------------------------------------------------------------

def _comment_text(comment: Comment) -> DocumentText | None:
    if comment.deleted_at is not None:
        return None
    return DocumentText(title="", body=plain_text(comment.body), idea_id=comment.idea_id)


def _comment_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    comment, idea = aliased(Comment), aliased(Idea)
    return exists(select(comment.id).join(idea, idea.id == comment.idea_id).where(
        comment.id == doc_id, comment.deleted_at.is_(None), comment.hidden_at.is_(None),
        idea.deleted_at.is_(None), idea.hidden_at.is_(None)))


def _load_comments(ids: list[int]) -> dict[int, Comment]:
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(ids)).options(
        joinedload(Comment.author), joinedload(Comment.idea)))
    return {comment.id: comment for comment in comments}


def _present_comment(comment: Comment) -> Presented | None:
    if comment.deleted_at is not None or comment.hidden_at is not None or not _idea_is_shown(
            comment.idea):
        return None
    return Presented(title=comment.idea.title, item=comment, idea=comment.idea,
                     endpoint="ideas.show", url_values={"public_id": comment.idea.public_id,
                                                        "_anchor": f"c-{comment.public_id}"})


COMMENTS = register(DocumentType(
    name="comment", model=Comment, label=_l("Comment"), plural_label=_l("Comments"),
    watched=frozenset({"body", "deleted_at", "idea_id"}),
    text=_comment_text, visible=_comment_visible, load=_load_comments,
    present=_present_comment))
