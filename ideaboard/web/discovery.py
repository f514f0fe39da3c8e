"""Search, similar ideas, Following, My activity and Atom feeds."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.anonymity import byline
from ideaboard.forms import ActionForm
from ideaboard.models import Idea
from ideaboard.models.base import utcnow
from ideaboard.permissions import can_vote_on_idea
from ideaboard.queries.campaigns import campaign_by_slug
from ideaboard.queries.discovery import (
    STATUS_CHOICES,
    campaign_choices,
    newest_decisions,
    newest_ideas,
)
from ideaboard.queries.discovery import (
    activity as my_activity,
)
from ideaboard.queries.discovery import (
    following as following_page,
)
from ideaboard.search.documents import DOCUMENT_TYPES, plain_text
from ideaboard.search.query import SearchFilters, similar_ideas
from ideaboard.search.query import search as search_documents
from ideaboard.services import DomainError
from ideaboard.services.follows import follow_tag
from ideaboard.services.ideas import MAX_TAG_LENGTH, MAX_TAGS, MAX_TITLE_LENGTH
from ideaboard.text import plain_excerpt
from ideaboard.visibility import campaign_access
from ideaboard.web.access import feed, guard, viewer
from ideaboard.web.arguments import query_int
from ideaboard.web.ideas import status_filter
from ideaboard.web.redirects import is_safe_next
from ideaboard.web.templating import campaign_title

bp = Blueprint("discovery", __name__)
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def tag_argument(value: str | None) -> str | None:
    tag = (value or "").strip().lstrip("#").lower()[:MAX_TAG_LENGTH + 10]
    return tag or None


@bp.get("/search")
def search():
    doc_type = request.args.get("type")
    filters = SearchFilters(
        doc_type=doc_type if doc_type in DOCUMENT_TYPES else None,
        status=status_filter(request.args.get("status")),
        tag=tag_argument(request.args.get("tag")),
        campaign_id=query_int("campaign"))
    results = search_documents(request.args.get("q", ""), filters,
                               page=query_int("page") or 1, viewer=current_user)
    return render_template("discovery/search.html", results=results,
                           document_types=DOCUMENT_TYPES, statuses=STATUS_CHOICES,
                           campaigns=campaign_choices())


def similar_for_json(ideas: list[Idea]) -> list[dict]:
    status_label = get_template_attribute("_macros/ideas.html", "status_label")
    return [{"title": idea.title, "url": url_for("ideas.show", public_id=idea.public_id),
             "status": idea.status.value, "status_label": str(status_label(idea.status)).strip(),
             "supporters": None if idea.campaign.totals_hidden() else idea.supporters,
             "vote_url": url_for("ideas.vote", public_id=idea.public_id),
             "can_support": can_vote_on_idea(current_user, idea)}
            for idea in ideas]


@bp.get("/ideas/similar")
@login_required
def similar():
    """Ideas that look like a draft, for the compose page as the author types."""
    title = request.args.get("title", "")[:MAX_TITLE_LENGTH]
    tags = [t for t in _TAG_SPLIT.split(request.args.get("tags", "")[:200]) if t][:MAX_TAGS]
    return jsonify(ideas=similar_for_json(similar_ideas(title, tags)))


@bp.get("/following")
@login_required
def following():
    page = following_page(current_user, cursor=request.args.get("after"))
    return render_template("discovery/following.html", page=page)


@bp.post("/tags/follow")
@login_required
def follow():
    """Follow (follow=1) or stop following (follow=0) the tag named in the form."""
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("follow") != "0"
    try:
        name = follow_tag(current_user, request.form.get("tag", "")[:100], wanted)
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        if wanted:
            flash(_("You follow #%(tag)s: new ideas with it appear on your Following page.",
                    tag=name), "success")
        else:
            flash(_("You no longer follow #%(tag)s.", tag=name), "info")
    back = request.form.get("next")
    return redirect(back if is_safe_next(back) else url_for("discovery.following"))


@bp.get("/activity")
@login_required
def activity():
    return render_template("discovery/activity.html", activity=my_activity(current_user),
                           excerpt=plain_excerpt)


# --- Atom feeds ---------------------------------------------------------------------------

@dataclass
class FeedEntry:
    id: str
    title: str
    url: str
    updated: str
    author: str | None
    summary: str


def xml_text(value: str) -> str:
    """Text that is valid in XML once escaped (Jinja escapes; this drops forbidden chars)."""
    return _NOT_XML.sub("", value or "")


def atom_time(moment: datetime, day_only: bool = False) -> str:
    """RFC 3339 in UTC; anonymous content gets its day only, never a finer time."""
    if day_only:
        return moment.strftime("%Y-%m-%dT00:00:00Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_response(template: str, *, title: str, self_url: str, alternate_url: str,
                  entries: list[FeedEntry]) -> Response:
    updated = max((entry.updated for entry in entries), default=atom_time(utcnow()))
    body = render_template(template, title=xml_text(title), self_url=self_url,
                           alternate_url=alternate_url, entries=entries, updated=updated)
    return Response(body, mimetype="application/atom+xml")


def idea_entry(idea: Idea) -> FeedEntry:
    """An idea as a feed entry: title, an excerpt, and the public author line."""
    url = url_for("ideas.show", public_id=idea.public_id, _external=True)
    author = byline(idea)
    return FeedEntry(
        id=url, url=url, title=xml_text(idea.title),
        updated=atom_time(author.moment, day_only=author.day_only),
        author=xml_text(author.name), summary=xml_text(plain_excerpt(idea.body, 400)))


@bp.get("/feeds/ideas.atom")
@feed
def ideas_feed():
    """New ideas, optionally with one tag."""
    tag = tag_argument(request.args.get("tag"))
    entries = [idea_entry(idea) for idea in newest_ideas(viewer(), tag)]
    title = _("New ideas tagged #%(tag)s", tag=tag) if tag else _("New ideas")
    return atom_response(
        "discovery/feed.atom.xml", title=title, entries=entries,
        self_url=url_for("discovery.ideas_feed", tag=tag, _external=True),
        alternate_url=url_for("ideas.index", sort="new", tag=tag, _external=True))


@bp.get("/feeds/campaigns/<slug>.atom")
@feed
def campaign_feed(slug: str):
    """A campaign's new ideas, and its outcome once leadership publishes it."""
    campaign = campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    guard(campaign_access(viewer(), campaign), in_feed=True)
    entries = [idea_entry(idea) for idea in newest_ideas(viewer(), campaign_id=campaign.id)]
    if campaign.outcome_published_at is not None:
        url = url_for("campaigns.show", slug=campaign.slug, _external=True)
        entries.insert(0, FeedEntry(
            id=f"{url}#outcome", url=f"{url}#outcome",
            title=xml_text(_("Outcome: %(campaign)s", campaign=campaign.title)),
            updated=atom_time(campaign.outcome_published_at), author=None,
            summary=xml_text(plain_text(campaign.outcome))))
    return atom_response(
        "discovery/feed.atom.xml", title=xml_text(campaign_title(campaign)), entries=entries,
        self_url=url_for("discovery.campaign_feed", slug=campaign.slug, _external=True),
        alternate_url=url_for("campaigns.show", slug=campaign.slug, _external=True))


@bp.get("/feeds/decisions.atom")
@feed
def decisions_feed():
    """Leadership's public answers: the new status and its rationale."""
    status_label = get_template_attribute("_macros/ideas.html", "status_label")
    entries = []
    for decision, idea in newest_decisions(viewer()):
        url = url_for("ideas.show", public_id=idea.public_id, _external=True)
        entries.append(FeedEntry(
            id=f"{url}#decision-{decision.id}", url=f"{url}#timeline",
            title=xml_text(f"{str(status_label(decision.status)).strip()}: {idea.title}"),
            updated=atom_time(decision.created_at), author=None,
            summary=xml_text(plain_text(decision.rationale))))
    return atom_response(
        "discovery/feed.atom.xml", title=_("Decisions"), entries=entries,
        self_url=url_for("discovery.decisions_feed", _external=True),
        alternate_url=url_for("ideas.decided", _external=True))
