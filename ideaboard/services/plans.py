"""Plan review: writing or importing a plan, its rubric, critiques, replies and answers."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, literal, select, update

from ideaboard.anonymity import timing, will_be_anonymous
from ideaboard.database import write_transaction
from ideaboard.models import (
    Campaign,
    CampaignKind,
    Criterion,
    Critique,
    CritiqueRating,
    CritiqueReply,
    CritiqueStance,
    CritiqueVote,
    NotificationKind,
    Plan,
    Section,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.plans import MAX_SCORE, MIN_SCORE
from ideaboard.permissions import can_manage_plan, is_signed_in
from ideaboard.services import InvalidInput, NotAllowed, NotFound
from ideaboard.services.audit import record
from ideaboard.services.comments import MAX_DEPTH
from ideaboard.services.notifications import fan_out
from ideaboard.services.settings import anonymity_window
from ideaboard.services.votes import set_helpful_mark
from ideaboard.text import render_markdown

MAX_TITLE_LENGTH = 200
MAX_HEADING_LENGTH = 200
MAX_SECTION_LENGTH = 20_000
MAX_DOCUMENT_LENGTH = 200_000
MAX_SECTIONS = 60
MAX_CRITERIA = 8
MAX_CRITERION_LENGTH = 80
MAX_CRITIQUE_LENGTH = 10_000
# The default rubric. The English label is stored for exports; the label shown is
# translated from the key, so the rubric reads in each viewer's language.
DEFAULT_CRITERIA = (("feasibility", "Feasibility"), ("impact", "Impact"), ("risk", "Risk"))
DEFAULT_CRITERION_LABELS = {"feasibility": _l("Feasibility"), "impact": _l("Impact"),
                            "risk": _l("Risk")}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H1 = re.compile(r"^ {0,3}#(?!#)[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_H2 = re.compile(r"^ {0,3}##(?!#)[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


# -- who may do what ---------------------------------------------------------------------

def criterion_label(criterion: Criterion) -> str:
    """What to call a criterion: a default one in the viewer's language, others as written."""
    return str(DEFAULT_CRITERION_LABELS.get(criterion.default_key or "", criterion.label))


def _require_manager(user: User, campaign: Campaign) -> None:
    if not can_manage_plan(user, campaign):
        raise NotAllowed(_l("Only the campaign's owner or an administrator can change the plan."))


# -- the document ------------------------------------------------------------------------

@dataclass
class ParsedPlan:
    title: str | None
    sections: list[tuple[str, str]] = field(default_factory=list)


def split_plan_markdown(document: str, introduction: str) -> ParsedPlan:
    """Each `## heading` starts a section; text before the first one becomes a section called
    `introduction`; a `# title` line before it is the plan's title. Fenced code is left alone."""
    title: str | None = None
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    fence: str | None = None
    for line in document.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body = sections[-1][1] if sections else intro
        opener = _FENCE.match(line)
        if fence or opener:
            if fence is None:
                fence = opener.group(1)
            elif opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            body.append(line)
            continue
        if heading := _H2.match(line):
            sections.append((heading.group(1).strip(), []))
        elif not sections and title is None and (top := _H1.match(line)):
            title = top.group(1).strip()
        else:
            body.append(line)
    parsed = [(heading, "\n".join(lines).strip()) for heading, lines in sections]
    if "\n".join(intro).strip():
        parsed.insert(0, (introduction, "\n".join(intro).strip()))
    return ParsedPlan(title, parsed)


def plan_markdown(sections: list[Section]) -> str:
    """The plan as one Markdown document again, for editing before critiques arrive."""
    return "\n\n".join(f"## {s.heading}\n\n{s.body}".rstrip() for s in sections) + "\n"


def _validate_section(heading: str, body: str) -> tuple[str, str]:
    heading, body = heading.strip(), body.strip()
    if not heading:
        raise InvalidInput(_l("Give every section a heading."))
    if len(heading) > MAX_HEADING_LENGTH:
        raise InvalidInput(_l("Keep section headings to %(n)d characters: “%(heading)s…” "
                              "is longer.", n=MAX_HEADING_LENGTH, heading=heading[:40]))
    if len(body) > MAX_SECTION_LENGTH:
        raise InvalidInput(_l("Keep each section to %(n)d characters: “%(heading)s” is longer.",
                              n=MAX_SECTION_LENGTH, heading=heading[:40]))
    return heading, body


def _has_critiques(session, plan_id: int, section_id: int | None = None) -> bool:
    """Any critique, even a deleted one: its replies must keep their place."""
    query = exists().where(Critique.plan_id == plan_id)
    if section_id is not None:
        query = query.where(Critique.section_id == section_id)
    return bool(session.scalar(select(query)))


def save_plan(user: User, campaign: Campaign, plan: Plan | None, *, title: str,
              document: str | None, introduction: str) -> Plan:
    """Create the plan, or retitle it; the whole document can be replaced (document given)
    only while nobody has critiqued it, since critiques belong to its sections."""
    _require_manager(user, campaign)
    if campaign.kind != CampaignKind.PLAN_REVIEW:
        raise InvalidInput(_l("Only plan review campaigns have a plan."))
    parsed = None
    if document is not None:
        if len(document) > MAX_DOCUMENT_LENGTH:
            raise InvalidInput(_l("Keep the plan to %(n)d characters.", n=MAX_DOCUMENT_LENGTH))
        parsed = split_plan_markdown(document, introduction)
        if not parsed.sections:
            raise InvalidInput(_l("The plan is empty: write some text, and start each section "
                                  "with a line like “## Budget”."))
        if len(parsed.sections) > MAX_SECTIONS:
            raise InvalidInput(_l("A plan can have at most %(n)d sections.", n=MAX_SECTIONS))
        sections = [_validate_section(heading, body) for heading, body in parsed.sections]
    elif plan is None:
        raise InvalidInput(_l("Write the plan or upload it as a Markdown file."))
    title = ((parsed.title if parsed else None) or title or "").strip()
    if not title:
        raise InvalidInput(_l("Give the plan a title, or start the document with a line like "
                              "“# Plan for 2027”."))
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(_l("Keep the title to %(n)d characters.", n=MAX_TITLE_LENGTH))
    with write_transaction() as session:
        now = utcnow()
        if plan is None:
            plan = Plan(campaign_id=campaign.id, title=title, created_by_id=user.id,
                        created_at=now, updated_at=now)
            session.add(plan)
            session.flush()
            session.add_all(Criterion(plan_id=plan.id, default_key=key, label=label,
                                      position=n) for n, (key, label) in
                            enumerate(DEFAULT_CRITERIA, 1))
            action = "plan.publish"
        else:
            if parsed is not None and _has_critiques(session, plan.id):
                raise NotAllowed(_l("The plan has critiques now: edit one section at a time."))
            plan.title, plan.updated_at = title, now
            session.add(plan)
            action = "plan.replace" if parsed is not None else "plan.retitle"
        if parsed is not None:
            session.execute(delete(Section).where(Section.plan_id == plan.id))
            session.add_all(Section(plan_id=plan.id, position=n, heading=heading, body=body,
                                    body_html=render_markdown(body), created_at=now,
                                    updated_at=now)
                            for n, (heading, body) in enumerate(sections, 1))
        record(session, user, action, "plan", plan.id, campaign=campaign.slug,
               sections=len(parsed.sections) if parsed else None)
    return plan


def add_section(user: User, campaign: Campaign, plan: Plan, *, heading: str,
                body: str) -> Section:
    _require_manager(user, campaign)
    heading, body = _validate_section(heading, body)
    with write_transaction() as session:
        count, last = session.execute(select(func.count(), func.max(Section.position))
                                      .where(Section.plan_id == plan.id)).one()
        if count >= MAX_SECTIONS:
            raise InvalidInput(_l("A plan can have at most %(n)d sections.", n=MAX_SECTIONS))
        now = utcnow()
        section = Section(plan_id=plan.id, position=(last or 0) + 1, heading=heading, body=body,
                          body_html=render_markdown(body), created_at=now, updated_at=now)
        session.add(section)
        session.flush()
        record(session, user, "plan.section_add", "plan_section", section.id, plan=plan.id)
    return section


def edit_section(user: User, campaign: Campaign, section: Section, *, heading: str,
                 body: str) -> None:
    """Allowed after critiques too; the page says when the text last changed."""
    _require_manager(user, campaign)
    heading, body = _validate_section(heading, body)
    with write_transaction() as session:
        section.heading, section.body, section.body_html = heading, body, render_markdown(body)
        section.updated_at = utcnow()
        session.add(section)
        record(session, user, "plan.section_edit", "plan_section", section.id,
               plan=section.plan_id)


def delete_section(user: User, campaign: Campaign, section: Section) -> None:
    _require_manager(user, campaign)
    with write_transaction() as session:
        if _has_critiques(session, section.plan_id, section.id):
            raise NotAllowed(_l("This section has critiques, so it stays; you can still edit "
                                "its text."))
        if session.scalar(select(func.count()).where(Section.plan_id == section.plan_id)) <= 1:
            raise NotAllowed(_l("A plan needs at least one section."))
        session.execute(delete(Section).where(Section.id == section.id))
        record(session, user, "plan.section_delete", "plan_section", section.id,
               plan=section.plan_id, heading=section.heading)


# -- the rubric --------------------------------------------------------------------------

def add_criterion(user: User, campaign: Campaign, plan: Plan, label: str) -> Criterion:
    _require_manager(user, campaign)
    label = " ".join(label.split())
    if not label:
        raise InvalidInput(_l("Name the criterion, e.g. “Cost”."))
    if len(label) > MAX_CRITERION_LENGTH:
        raise InvalidInput(_l("Keep criteria to %(n)d characters.", n=MAX_CRITERION_LENGTH))
    with write_transaction() as session:
        active, last = session.execute(
            select(func.count().filter(Criterion.removed_at.is_(None)),
                   func.max(Criterion.position)).where(Criterion.plan_id == plan.id)).one()
        if active >= MAX_CRITERIA:
            raise InvalidInput(_l("A rubric can have at most %(n)d criteria.", n=MAX_CRITERIA))
        criterion = Criterion(plan_id=plan.id, label=label, position=(last or 0) + 1)
        session.add(criterion)
        session.flush()
        record(session, user, "plan.criterion_add", "plan_criterion", criterion.id,
               plan=plan.id, label=label)
    return criterion


def set_criterion_active(user: User, campaign: Campaign, criterion: Criterion,
                         active: bool) -> None:
    """Removing keeps the ratings already given, but out of the report; restoring brings
    them back."""
    _require_manager(user, campaign)
    with write_transaction() as session:
        if active and criterion.removed_at is not None:
            count = session.scalar(select(func.count()).where(
                Criterion.plan_id == criterion.plan_id, Criterion.removed_at.is_(None)))
            if count >= MAX_CRITERIA:
                raise InvalidInput(_l("A rubric can have at most %(n)d criteria.",
                                      n=MAX_CRITERIA))
        elif not active and criterion.removed_at is None:
            count = session.scalar(select(func.count()).where(
                Criterion.plan_id == criterion.plan_id, Criterion.removed_at.is_(None)))
            if count <= 1:
                raise NotAllowed(_l("Keep at least one criterion in the rubric."))
        else:
            return
        criterion.removed_at = None if active else utcnow()
        session.add(criterion)
        record(session, user, "plan.criterion_restore" if active else "plan.criterion_remove",
               "plan_criterion", criterion.id, plan=criterion.plan_id, label=criterion.label)


# -- critiques ---------------------------------------------------------------------------

def _validate_text(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(_l("Write something before posting."))
    if len(body) > MAX_CRITIQUE_LENGTH:
        raise InvalidInput(_l("Keep it to %(n)d characters.", n=MAX_CRITIQUE_LENGTH))
    return body


def _validate_ratings(session, plan_id: int, ratings: Mapping[int, object]) -> dict[int, int]:
    """A score from 1 to 5 for every criterion now in the rubric, and for nothing else."""
    criteria = session.scalars(select(Criterion).where(
        Criterion.plan_id == plan_id, Criterion.removed_at.is_(None))).all()
    if set(ratings) - {c.id for c in criteria}:
        raise InvalidInput(_l("Rate only the criteria of this plan's rubric."))
    scores = {}
    for criterion in criteria:
        try:
            score = int(str(ratings.get(criterion.id)).strip())  # "4" or 4, never 4.5 or True
        except ValueError:
            score = 0
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise InvalidInput(_l("Rate “%(label)s” from 1 to 5.",
                                  label=criterion_label(criterion)))
        scores[criterion.id] = score
    return scores


def _require_open(campaign: Campaign) -> None:
    if not campaign.is_open():
        raise NotAllowed(_l("This review is closed: the plan and its critiques stay readable."))


def post_critique(author: User, campaign: Campaign, section: Section, *,
                  stance: CritiqueStance, body: str, ratings: Mapping[int, object],
                  anonymous: bool = False) -> Critique:
    body = _validate_text(body)
    stance = CritiqueStance(stance)
    _require_open(campaign)
    with write_transaction() as session:
        scores = _validate_ratings(session, section.plan_id, ratings)
        anonymous = will_be_anonymous(campaign, anonymous)
        when = timing(anonymous, anonymity_window(session))
        critique = Critique(plan_id=section.plan_id, section_id=section.id, author_id=author.id,
                            is_anonymous=anonymous, stance=stance,
                            body=body, body_html=render_markdown(body),
                            created_at=when.created_at, public_at=when.public_at,
                            updated_at=when.created_at)
        session.add(critique)
        session.flush()
        session.execute(insert(CritiqueRating), [
            {"critique_id": critique.id, "criterion_id": criterion_id, "score": score}
            for criterion_id, score in scores.items()])
        session.execute(update(Section).where(Section.id == section.id)
                        .values(critique_count=Section.critique_count + 1))
    return critique


def _require_author(user: User, item: Critique | CritiqueReply) -> None:
    if not is_signed_in(user) or item.is_deleted or item.author_id != user.id:
        raise NotAllowed(_l("Only the author can change this."))


def edit_critique(user: User, critique: Critique, *, stance: CritiqueStance, body: str,
                  ratings: Mapping[int, object]) -> None:
    """Ratings on criteria removed from the rubric stay as they were."""
    _require_author(user, critique)
    body = _validate_text(body)
    with write_transaction() as session:
        scores = _validate_ratings(session, critique.plan_id, ratings)
        critique.stance, critique.body = CritiqueStance(stance), body
        critique.body_html, critique.updated_at = render_markdown(body), utcnow()
        session.add(critique)
        session.execute(delete(CritiqueRating).where(
            CritiqueRating.critique_id == critique.id,
            CritiqueRating.criterion_id.in_(list(scores))))
        session.execute(insert(CritiqueRating), [
            {"critique_id": critique.id, "criterion_id": criterion_id, "score": score}
            for criterion_id, score in scores.items()])


def delete_critique(user: User, critique: Critique) -> None:
    """Tombstone: replies keep their place; ratings and helpful marks go with the text."""
    _require_author(user, critique)
    with write_transaction() as session:
        critique.deleted_at = utcnow()
        critique.body = critique.body_html = ""
        session.add(critique)
        session.execute(delete(CritiqueRating).where(CritiqueRating.critique_id == critique.id))
        session.execute(update(Section).where(Section.id == critique.section_id)
                        .values(critique_count=Section.critique_count - 1))


def mark_critique_helpful(user: User, campaign: Campaign, critique: Critique,
                          helpful: bool) -> int:
    """Add or remove a helpful mark; returns the new count."""
    if critique.is_deleted:
        raise NotFound(_l("This critique was deleted."))
    if critique.author_id == user.id:
        raise NotAllowed(_l("You cannot mark your own critique as helpful."))
    _require_open(campaign)
    return set_helpful_mark(Critique, CritiqueVote, critique.id, user.id, helpful)


def answer_critique(user: User, campaign: Campaign, critique: Critique, answer: str) -> None:
    """The owner's public answer; the critique's author hears of the first one."""
    _require_manager(user, campaign)
    if critique.is_deleted:
        raise NotFound(_l("This critique was deleted."))
    answer = _validate_text(answer)
    with write_transaction() as session:
        first = critique.answered_at is None
        critique.answer, critique.answer_html = answer, render_markdown(answer)
        critique.answered_at, critique.answered_by_id = utcnow(), user.id
        session.add(critique)
        record(session, user, "critique.answer", "critique", critique.public_id,
               plan=critique.plan_id)
        if first:
            fan_out(session, NotificationKind.CRITIQUE_ANSWERED,
                    select(literal(critique.author_id).label("user_id")),
                    campaign_id=campaign.id, exclude_user_id=user.id)


# -- replies -----------------------------------------------------------------------------

def reply_to_critique(author: User, campaign: Campaign, critique: Critique, *, body: str,
                      parent: CritiqueReply | None = None,
                      anonymous: bool = False) -> CritiqueReply:
    body = _validate_text(body)
    if critique.is_deleted:
        raise NotFound(_l("This critique was deleted."))
    if parent is not None and parent.critique_id != critique.id:
        raise InvalidInput(_l("That reply belongs to another discussion."))
    _require_open(campaign)
    anonymous = will_be_anonymous(campaign, anonymous)
    with write_transaction() as session:
        when = timing(anonymous, anonymity_window(session))
        reply = CritiqueReply(critique_id=critique.id, plan_id=critique.plan_id,
                              parent_id=parent.id if parent else None, author_id=author.id,
                              is_anonymous=anonymous, body=body,
                              body_html=render_markdown(body),
                              depth=min(parent.depth + 1, MAX_DEPTH) if parent else 0,
                              created_at=when.created_at, public_at=when.public_at,
                              updated_at=when.created_at)
        session.add(reply)
    return reply


def edit_reply(user: User, reply: CritiqueReply, body: str) -> None:
    _require_author(user, reply)
    body = _validate_text(body)
    with write_transaction() as session:
        reply.body, reply.body_html, reply.updated_at = body, render_markdown(body), utcnow()
        session.add(reply)


def delete_reply(user: User, reply: CritiqueReply) -> None:
    _require_author(user, reply)
    with write_transaction() as session:
        reply.deleted_at = utcnow()
        reply.body = reply.body_html = ""
        session.add(reply)
