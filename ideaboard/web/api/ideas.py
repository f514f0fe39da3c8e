"""Ideas: lists (the UI's filters and sorts, keyset pages), one idea with its timeline, its
discussion; posting, commenting, voting and following through the web UI's own services."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ideaboard.extensions import limiter
from ideaboard.models import IdeaStatus, Stance
from ideaboard.permissions import can_post_in_campaign
from ideaboard.queries.campaigns import campaign_by_slug
from ideaboard.queries.ideas import (
    SORTS,
    comment_by_public_id,
    comment_thread,
    list_ideas,
    votes_by_user,
)
from ideaboard.queries.review import escalation_for, is_following, timeline
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import normalise_tags, post_idea, standing_campaign
from ideaboard.services.review import follow_idea
from ideaboard.services.settings import rate_limit
from ideaboard.services.votes import OPPOSE, RETRACT, SUPPORT, cast_vote
from ideaboard.visibility import campaign_access, sees_hidden
from ideaboard.web.access import guard
from ideaboard.web.api import bp, representations
from ideaboard.web.api.errors import ApiError
from ideaboard.web.api.fields import (
    json_body,
    optional_bool,
    optional_text,
    page_limit,
    required_text,
)
from ideaboard.web.ideas import load_comment, load_idea

VOTES = {"support": SUPPORT, "oppose": OPPOSE, "retract": RETRACT}


def _choice(name: str, allowed, label: str):
    value = request.args.get(name)
    if value is not None and value not in allowed:
        raise ApiError(422, "invalid_input", _("Unknown %(what)s: “%(value)s”.", what=label,
                                               value=value[:40]), name)
    return value


@bp.get("/ideas")
def ideas():
    sort = _choice("sort", SORTS, "sort") or "top"
    status = _choice("status", [s.value for s in IdeaStatus], "status")
    campaign_id = None
    if request.args.get("campaign"):
        campaign = campaign_by_slug(request.args["campaign"])
        if campaign is None:
            raise ApiError(422, "invalid_input", _("There is no such campaign."), "campaign")
        guard(campaign_access(current_user, campaign))
        campaign_id = campaign.id
    page = list_ideas(sort, viewer=current_user, tag=request.args.get("tag") or None,
                      campaign_id=campaign_id, status=IdeaStatus(status) if status else None,
                      cursor=request.args.get("after"), limit=page_limit())
    mine = votes_by_user(current_user, [idea.id for idea in page.items])
    return {"items": [representations.idea_summary(idea, mine.get(idea.id, RETRACT))
                      for idea in page.items],
            "next": page.next_cursor}


def _detail(public_id: str) -> dict:
    idea = load_idea(public_id)
    escalation = escalation_for(idea) if idea.status != IdeaStatus.OPEN else None
    return representations.idea_detail(
        idea, my_vote=votes_by_user(current_user, [idea.id]).get(idea.id, RETRACT),
        following=is_following(current_user, idea), escalation=escalation,
        steps=timeline(idea) if escalation or idea.decided_at else [])


@bp.get("/ideas/<public_id>")
def idea(public_id: str):
    return _detail(public_id)


@bp.get("/ideas/<public_id>/comments")
def comments(public_id: str):
    idea = load_idea(public_id)
    thread = comment_thread(idea)
    visible = set()
    stack = list(thread)
    while stack:
        node = stack.pop()
        stack.extend(node.replies)
        if node.comment.hidden_at is None or sees_hidden(current_user, node.comment.author_id):
            visible.add(node.comment.id)
    return {"items": representations.comments(thread, visible)}


@bp.post("/ideas")
@limiter.limit(lambda: rate_limit("post"))
def post():
    data = json_body()
    slug = optional_text(data, "campaign")
    campaign = campaign_by_slug(slug) if slug else standing_campaign()
    if campaign is None:
        raise ApiError(422, "invalid_input", _("There is no such campaign."), "campaign")
    guard(campaign_access(current_user, campaign))
    if not can_post_in_campaign(current_user, campaign):
        raise ApiError(403, "not_allowed", _("This campaign is not taking new posts."),
                       "campaign")
    tags = data.get("tags") or []
    if not isinstance(tags, list | str) or "\x00" in str(tags) or (
            isinstance(tags, list) and not all(isinstance(tag, str) for tag in tags)):
        raise ApiError(422, "invalid_input", _("Tags are a list of words."), "tags")
    created = post_idea(current_user, campaign, title=required_text(data, "title"),
                        body=optional_text(data, "body") or "", tags=normalise_tags(tags),
                        anonymous=optional_bool(data, "anonymous"))
    location = url_for("api.idea", public_id=created.public_id)
    return _detail(created.public_id), 201, {"Location": location}


@bp.post("/ideas/<public_id>/comments")
@limiter.limit(lambda: rate_limit("comment"))
def comment(public_id: str):
    idea = load_idea(public_id)
    data = json_body()
    stance = optional_text(data, "stance") or Stance.NEUTRAL.value
    if stance not in {s.value for s in Stance}:
        raise ApiError(422, "invalid_input", _("The stance is “for”, “against” or “neutral”."),
                       "stance")
    parent_id = optional_text(data, "parent")
    parent = load_comment(parent_id) if parent_id else None
    created = add_comment(current_user, idea, body=required_text(data, "body"),
                          stance=Stance(stance), parent=parent,
                          anonymous=optional_bool(data, "anonymous"))
    created = comment_by_public_id(created.public_id)  # with its author, as lists load it
    return representations.comment(created, parent.public_id if parent else None), 201


@bp.post("/ideas/<public_id>/vote")
@limiter.limit(lambda: rate_limit("vote"))
def vote(public_id: str):
    """The service looks the idea up (once, locked) and applies the visibility rule."""
    value = optional_text(json_body(), "value")
    if value not in VOTES:
        raise ApiError(422, "invalid_input",
                       _("The vote is “support”, “oppose” or “retract”."), "value")
    result = cast_vote(current_user, public_id, VOTES[value])
    answer = {"value": representations.VOTE_NAMES[result.value]}
    if not result.totals_hidden:  # anti-herding: the count stays hidden, even here
        answer |= {"supporters": result.supporters, "opposers": result.opposers,
                   "score": round(result.score, 4)}
    return answer


@bp.post("/ideas/<public_id>/follow")
def follow(public_id: str):
    idea = load_idea(public_id)
    following = optional_bool(json_body(), "following", default=True)
    follow_idea(current_user, idea, following)
    return {"following": following}

