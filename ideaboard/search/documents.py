"""What is searchable: one `DocumentType` registration per kind of content.

A registration says how to turn a source row into indexed text (or None once it is deleted),
which attribute changes re-index it, the one SQL rule that says whether the source row may
be shown (not deleted, not hidden by moderation, nor inside a hidden idea) — the index keeps
its answer in each document's `visible` flag, re-checked whenever its inputs change — and
how to load and present hits (presenting re-checks the loaded row, so a row changed behind
the ORM's back is still never shown): ideas, comments, campaigns (title, description and the
published outcome), plan sections, critiques and their replies.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased, joinedload, object_session

from ideaboard.extensions import db
from ideaboard.models import Campaign, Comment, Critique, CritiqueReply, Idea, Plan, Section
from ideaboard.text import html_text, render_markdown

MAX_INDEXED_CHARS = 60_000  # a campaign: description and outcome; posts stop at 20,000


def plain_text(markdown_source: str) -> str:
    """What a reader sees of a Markdown text, as plain (unescaped) text on one line."""
    return indexed_text(render_markdown(markdown_source or ""))


def indexed_text(safe_html: str) -> str:
    """What a reader sees of HTML that ideaboard.text rendered and sanitised (the stored
    *_html columns), on one line: indexing reads those, rather than render each text's
    Markdown again."""
    return re.sub(r"\s+", " ", html_text(safe_html or "")).strip()[:MAX_INDEXED_CHARS]


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
    watched: frozenset[str]   # attributes whose change re-indexes the text
    text: Callable[[Any], DocumentText | None]
    visible: Callable[[ColumnElement[int]], ColumnElement[bool]]
    load: Callable[[list[int]], dict[int, Any]]
    present: Callable[[Any], Presented | None]
    context: Any = None  # lazy string after the label: "in the discussion of"
    shown_by: frozenset[str] = frozenset()  # attributes whose change re-checks `visible`
    in_idea: bool = False  # its documents follow their idea's visibility and campaign


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
    return DocumentText(title=idea.title, body=indexed_text(idea.body_html),
                        tags=tuple(idea.tag_list),
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
    watched=frozenset({"title", "body_html", "tag_names", "deleted_at", "campaign_id"}),
    shown_by=frozenset({"hidden_at"}),
    text=_idea_text, visible=_idea_visible, load=_load_ideas, present=_present_idea))


# --- comments -----------------------------------------------------------------------------

def _comment_text(comment: Comment) -> DocumentText | None:
    if comment.deleted_at is not None:
        return None
    return DocumentText(title="", body=indexed_text(comment.body_html), idea_id=comment.idea_id)


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
    context=_l("in the discussion of"),
    watched=frozenset({"body_html", "deleted_at", "idea_id"}), shown_by=frozenset({"hidden_at"}),
    in_idea=True, text=_comment_text, visible=_comment_visible, load=_load_comments,
    present=_present_comment))


# --- campaigns, plan sections, critiques and their replies ----------------------------------
# Critiques can be hidden by moderation (their text stays indexed, left out when searched);
# deleted critiques and replies are tombstones, and sections go with bulk deletes, so
# visibility is checked against the source rows.

def _campaign_text(campaign: Campaign) -> DocumentText:
    body = indexed_text(campaign.description_html)
    if campaign.outcome_published_at is not None and campaign.outcome:
        body = f"{body} {indexed_text(campaign.outcome_html)}".strip()[:MAX_INDEXED_CHARS]
    return DocumentText(title=campaign.title, body=body, campaign_id=campaign.id)


def _campaign_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    campaign = aliased(Campaign)
    return exists(select(campaign.id).where(campaign.id == doc_id))


def _load_campaigns(ids: list[int]) -> dict[int, Campaign]:
    return {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(ids)))}


def _present_campaign(campaign: Campaign) -> Presented:
    return Presented(title=campaign.title, item=None, idea=None, endpoint="campaigns.show",
                     url_values={"slug": campaign.slug})


CAMPAIGNS = register(DocumentType(
    name="campaign", model=Campaign, label=_l("Campaign"), plural_label=_l("Campaigns"),
    watched=frozenset({"title", "description_html", "outcome_html", "outcome_published_at"}),
    text=_campaign_text, visible=_campaign_visible, load=_load_campaigns,
    present=_present_campaign))


def _plan_campaign_id(obj: Section | Critique | CritiqueReply) -> int | None:
    """The campaign of a plan item, from the identity map when the plan is already loaded
    (a plan's campaign never changes). Safe inside a flush: it does not autoflush."""
    session = object_session(obj)
    plan = session.get(Plan, obj.plan_id) if session is not None else None
    return plan.campaign_id if plan is not None else None


def _plan_title(campaign: Campaign, heading: str) -> str:
    return f"{campaign.title}: {heading}"


def _section_text(section: Section) -> DocumentText:
    return DocumentText(title=section.heading, body=indexed_text(section.body_html),
                        campaign_id=_plan_campaign_id(section))


def _section_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    section = aliased(Section)
    return exists(select(section.id).where(section.id == doc_id))


@dataclass(frozen=True)
class SectionInPlan:
    section: Section
    campaign: Campaign


def _load_sections(ids: list[int]) -> dict[int, SectionInPlan]:
    rows = db.session.execute(
        select(Section, Campaign).join(Plan, Plan.id == Section.plan_id)
        .join(Campaign, Campaign.id == Plan.campaign_id).where(Section.id.in_(ids)))
    return {section.id: SectionInPlan(section, campaign) for section, campaign in rows}


def _present_section(found: SectionInPlan) -> Presented:
    return Presented(title=_plan_title(found.campaign, found.section.heading), item=None,
                     idea=None, endpoint="plans.show",
                     url_values={"slug": found.campaign.slug,
                                 "_anchor": f"section-{found.section.id}"})


SECTIONS = register(DocumentType(
    name="plan_section", model=Section, label=_l("Plan section"),
    plural_label=_l("Plan sections"), watched=frozenset({"heading", "body_html", "plan_id"}),
    text=_section_text, visible=_section_visible, load=_load_sections,
    present=_present_section))


def _critique_text(critique: Critique) -> DocumentText | None:
    if critique.deleted_at is not None:
        return None
    return DocumentText(title="", body=indexed_text(critique.body_html),
                        campaign_id=_plan_campaign_id(critique))


def _critique_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    critique = aliased(Critique)
    return exists(select(critique.id).where(critique.id == doc_id,
                                            critique.deleted_at.is_(None),
                                            critique.hidden_at.is_(None)))


def _load_critiques(ids: list[int]) -> dict[int, Critique]:
    critiques = db.session.scalars(select(Critique).where(Critique.id.in_(ids)).options(
        joinedload(Critique.author), joinedload(Critique.section),
        joinedload(Critique.plan).joinedload(Plan.campaign)))
    return {critique.id: critique for critique in critiques}


def _present_critique(critique: Critique) -> Presented | None:
    if critique.deleted_at is not None or critique.hidden_at is not None:
        return None
    return Presented(title=_plan_title(critique.plan.campaign, critique.section.heading),
                     item=critique, idea=None, endpoint="plans.show",
                     url_values={"slug": critique.plan.campaign.slug,
                                 "_anchor": f"k-{critique.public_id}"})


CRITIQUES = register(DocumentType(
    name="critique", model=Critique, label=_l("Critique"), plural_label=_l("Critiques"),
    context=_l("on the plan section"), watched=frozenset({"body_html", "deleted_at"}),
    shown_by=frozenset({"hidden_at"}), text=_critique_text, visible=_critique_visible,
    load=_load_critiques, present=_present_critique))


def _reply_text(reply: CritiqueReply) -> DocumentText | None:
    if reply.deleted_at is not None:
        return None
    return DocumentText(title="", body=indexed_text(reply.body_html),
                        campaign_id=_plan_campaign_id(reply))


def _reply_visible(doc_id: ColumnElement[int]) -> ColumnElement[bool]:
    reply = aliased(CritiqueReply)
    return exists(select(reply.id).where(reply.id == doc_id, reply.deleted_at.is_(None)))


def _load_replies(ids: list[int]) -> dict[int, CritiqueReply]:
    critique = joinedload(CritiqueReply.critique)
    replies = db.session.scalars(select(CritiqueReply).where(CritiqueReply.id.in_(ids)).options(
        joinedload(CritiqueReply.author), critique.joinedload(Critique.section),
        critique.joinedload(Critique.plan).joinedload(Plan.campaign)))
    return {reply.id: reply for reply in replies}


def _present_reply(reply: CritiqueReply) -> Presented | None:
    if reply.deleted_at is not None:
        return None
    critique = reply.critique
    return Presented(title=_plan_title(critique.plan.campaign, critique.section.heading),
                     item=reply, idea=None, endpoint="plans.show",
                     url_values={"slug": critique.plan.campaign.slug,
                                 "_anchor": f"r-{reply.public_id}"})


CRITIQUE_REPLIES = register(DocumentType(
    name="critique_reply", model=CritiqueReply, label=_l("Reply to a critique"),
    plural_label=_l("Replies to critiques"), context=_l("on the plan section"),
    watched=frozenset({"body_html", "deleted_at"}), text=_reply_text, visible=_reply_visible,
    load=_load_replies, present=_present_reply))
