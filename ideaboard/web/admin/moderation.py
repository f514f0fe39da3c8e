"""The flag queue and what admins do with posts: hide, restore, delete, edit, reveal, merge."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ideaboard.forms.admin import EditPostForm, MergeForm, ModerationForm, RevealForm
from ideaboard.models import FlagReason, Idea
from ideaboard.queries.admin import flag_queue, revisions_of
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.queries.review import similar_ideas
from ideaboard.services import DomainError
from ideaboard.services.merge import merge_ideas
from ideaboard.services.moderation import ModerationAction, edit_post, moderate, reveal_author
from ideaboard.web.admin import back_to, bp, private
from ideaboard.web.ideas import load_comment, load_idea
from ideaboard.web.plans import load_critique

_PUBLIC_ID = re.compile(r"([\w-]{12})/?$")


@bp.get("/flags")
def flags():
    return render_template("admin/flags.html", queue=flag_queue())


MODERATED = {
    ModerationAction.DISMISS: _l("Flags dismissed; the post is visible."),
    ModerationAction.HIDE: _l("Hidden. The author sees it with your reason."),
    ModerationAction.RESTORE: _l("Restored: everyone can see the post again."),
    ModerationAction.DELETE: _l("Deleted. A placeholder keeps its place in the discussion."),
}


def _moderate(item):
    form = ModerationForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in set(ModerationAction):
        flash(_("Choose what to do with the post."), "warning")
        return redirect(url_for("admin.flags"))
    try:
        moderate(current_user, item, ModerationAction(action),
                 reason_code=FlagReason(form.reason_code.data) if form.reason_code.data else None,
                 reason=form.reason.data or "")
    except DomainError as refused:
        flash(str(refused), "warning")
    else:
        flash(str(MODERATED[ModerationAction(action)]), "success")
    return back_to(url_for("admin.flags"))


@bp.post("/ideas/<public_id>/moderate")
def moderate_idea(public_id: str):
    return _moderate(load_idea(public_id))


@bp.post("/comments/<public_id>/moderate")
def moderate_comment(public_id: str):
    return _moderate(load_comment(public_id))


@bp.post("/critiques/<public_id>/moderate")
def moderate_critique(public_id: str):
    return _moderate(load_critique(public_id))


def _edit(item, idea: Idea | None, context_url: str | None = None):
    form = EditPostForm(obj=item) if request.method == "GET" else EditPostForm()
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            edit_post(current_user, item, body=form.body.data, reason=form.reason.data,
                      title=form.title.data if isinstance(item, Idea) else None)
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            flash(_("Saved. The original is kept, and the author was told why."), "success")
            return redirect(url_for("admin.flags"))
    return render_template("admin/edit_post.html", form=form, item=item, idea=idea,
                           context_url=context_url, revisions=revisions_of(item))


@bp.route("/ideas/<public_id>/edit", methods=["GET", "POST"])
def edit_idea(public_id: str):
    idea = load_idea(public_id)
    return _edit(idea, idea)


@bp.route("/comments/<public_id>/edit", methods=["GET", "POST"])
def edit_comment(public_id: str):
    comment = load_comment(public_id)
    return _edit(comment, comment.idea)


def _in_context(critique) -> str:
    """Where a critique sits on its plan page."""
    return url_for("plans.show", slug=critique.plan.campaign.slug,
                   _anchor=f"k-{critique.public_id}")


@bp.route("/critiques/<public_id>/edit", methods=["GET", "POST"])
def edit_critique(public_id: str):
    critique = load_critique(public_id)
    return _edit(critique, None, _in_context(critique))


def _reveal(item, idea: Idea | None, context_url: str | None = None):
    form = RevealForm()
    author = None
    if form.validate_on_submit():
        try:
            author = reveal_author(current_user, item, form.reason.data)
        except DomainError as refused:
            form.reason.errors.append(str(refused))
    return private(render_template("admin/reveal.html", form=form, item=item, idea=idea,
                                    context_url=context_url, author=author))


@bp.route("/ideas/<public_id>/reveal", methods=["GET", "POST"])
def reveal_idea(public_id: str):
    idea = load_idea(public_id)
    return _reveal(idea, idea)


@bp.route("/comments/<public_id>/reveal", methods=["GET", "POST"])
def reveal_comment(public_id: str):
    comment = load_comment(public_id)
    return _reveal(comment, comment.idea)


@bp.route("/critiques/<public_id>/reveal", methods=["GET", "POST"])
def reveal_critique(public_id: str):
    critique = load_critique(public_id)
    return _reveal(critique, None, _in_context(critique))


@bp.route("/ideas/<public_id>/merge", methods=["GET", "POST"])
def merge(public_id: str):
    duplicate = load_idea(public_id)
    form = MergeForm()
    if form.validate_on_submit():
        match = _PUBLIC_ID.search(form.survivor.data.strip())
        survivor = idea_by_public_id(match.group(1)) if match else None
        if survivor is None:
            form.survivor.errors.append(_("No idea has that link or id."))
        else:
            try:
                result = merge_ideas(current_user, duplicate, survivor, form.rationale.data)
            except DomainError as refused:
                form.rationale.errors.append(str(refused))
            else:
                flash(ngettext("Merged: %(num)d vote moved to this idea.",
                               "Merged: %(num)d votes moved to this idea.", result.votes_moved),
                      "success")
                return redirect(url_for("ideas.show", public_id=survivor.public_id))
    return render_template("admin/merge.html", form=form, idea=duplicate,
                           suggestions=similar_ideas(duplicate))
