"""JSON views of ideas, comments, campaigns, decisions and notifications. Authors are
shown through ideaboard/anonymity.py: an anonymous post is "Anonymous employee", with no
author id and its day only — the same answer the web pages give."""
from __future__ import annotations

from datetime import datetime

from flask import get_template_attribute

from ideaboard.anonymity import byline
from ideaboard.models import Campaign, Comment, Decision, Idea, Notification
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import ThreadNode

VOTE_NAMES = {1: "support", -1: "oppose", 0: None}


def stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def author(item) -> dict:
    shown = byline(item)
    person = {"name": shown.name, "anonymous": shown.anonymous}
    if not shown.anonymous:
        person["id"] = shown.user_id
    return person


def posted(item) -> str:
    """The public time: the day only for anonymous posts."""
    shown = byline(item)
    return shown.moment.date().isoformat() if shown.day_only else stamp(shown.moment)


def campaign_ref(campaign: Campaign) -> dict:
    return {"slug": campaign.slug, "title": campaign.title}


def idea_summary(idea: Idea, my_vote: int | None = None) -> dict:
    hidden_totals = idea.campaign.totals_hidden()  # anti-herding: counts stay hidden
    summary = {
        "id": idea.public_id,
        "title": idea.title,
        "status": idea.status.value,
        "campaign": campaign_ref(idea.campaign),
        "author": author(idea),
        "posted": posted(idea),
        "tags": idea.tag_list,
        "supporters": None if hidden_totals else idea.supporters,
        "opposers": None if hidden_totals else idea.opposers,
        "score": None if hidden_totals else round(idea.score, 4),
        "comment_count": idea.comment_count,
        "review_due": stamp(idea.review_due_at) if idea.in_review_queue else None,
        "overdue_days": idea.days_overdue(),
        "deleted": idea.is_deleted,
        "hidden": idea.hidden_at is not None,
        "path": f"/ideas/{idea.public_id}",
    }
    if my_vote is not None:
        summary["my_vote"] = VOTE_NAMES.get(my_vote)
    return summary


def decision(step: Decision) -> dict:
    entry = {"status": step.status.value, "rationale": step.rationale,
             "decided_at": stamp(step.created_at), "by": step.author.display_name}
    if step.merged_into is not None:
        entry["merged_into"] = step.merged_into.public_id
    return entry


def idea_detail(idea: Idea, *, my_vote: int, following: bool, escalation,
                steps: list[Decision]) -> dict:
    detail = idea_summary(idea, my_vote)
    detail |= {
        "body": idea.body,
        "body_html": idea.body_html,
        "following": following,
        "escalation": ({"reason": escalation.reason.value, "escalated_at":
                        stamp(escalation.created_at), "due": stamp(escalation.due_at)}
                       if escalation else None),
        "timeline": [decision(step) for step in steps],
    }
    return detail


def comments(thread: list[ThreadNode], visible_ids: set[int]) -> list[dict]:
    """The thread, depth first as the page shows it; what the viewer may not read (hidden,
    deleted) stays as a placeholder so replies keep their place."""
    flat: list[dict] = []

    def walk(nodes: list[ThreadNode], parent: str | None) -> None:
        for node in nodes:
            flat.append(comment(node.comment, parent, node.comment.id in visible_ids))
            walk(node.replies, node.comment.public_id)

    walk(thread, None)
    return flat


def comment(item: Comment, parent: str | None, visible: bool = True) -> dict:
    shown = visible and not item.is_deleted
    return {
        "id": item.public_id,
        "parent": parent,
        "depth": item.depth,
        "stance": item.stance.value,
        "body": item.body if shown else None,
        "body_html": item.body_html if shown else None,
        "author": author(item) if shown else None,
        "posted": posted(item),
        "helpful": item.helpful_count,
        "deleted": item.is_deleted,
        "hidden": item.hidden_at is not None,
    }


def campaign(item: Campaign) -> dict:
    now = utcnow()
    state = "open" if item.is_open(now) else ("upcoming" if item.is_upcoming(now) else "closed")
    return {
        "slug": item.slug,
        "title": item.title,
        "kind": item.kind.value,
        "anonymity": item.anonymity.value,
        "state": state,
        "standing": item.is_standing,
        "description": item.description,
        "opens_at": stamp(item.opens_at),
        "closes_at": stamp(item.closes_at),
        "outcome": item.outcome or None,
        "path": f"/campaigns/{item.slug}",
    }


def notification(item: Notification) -> dict:
    """An inbox item, with the sentence the inbox shows (one template says it)."""
    text = get_template_attribute("notifications/_text.txt", "notification_text")(item)
    return {
        "id": item.id,
        "kind": item.kind.value,
        "text": str(text).strip(),
        "status": item.status,
        "read": item.read_at is not None,
        "created_at": stamp(item.created_at),
        "idea": ({"id": item.idea.public_id, "title": item.idea.title}
                 if item.idea is not None else None),
        "campaign": campaign_ref(item.campaign) if item.campaign is not None else None,
    }
