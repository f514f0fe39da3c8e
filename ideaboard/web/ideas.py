"""Idea lists, the idea page, compose/edit, votes and the discussion."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ideaboard.anonymity import news_time, posted_anonymously
from ideaboard.errors import Gone
from ideaboard.extensions import limiter
from ideaboard.forms import ActionForm, show_refusal
from ideaboard.forms.ideas import CommentEditForm, CommentForm, HelpfulForm, IdeaForm, VoteForm
from ideaboard.forms.review import InfoAnswerForm, PullForm
from ideaboard.models import CampaignKind, Comment, Idea, IdeaStatus, Stance
from ideaboard.permissions import can_edit_comment, can_edit_idea, can_post_in_campaign
from ideaboard.queries.campaigns import campaign_by_slug
from ideaboard.queries.discovery import STATUS_CHOICES, campaign_choices, is_following_tag
from ideaboard.queries.ideas import (
    SORTS,
    comment_by_public_id,
    comment_thread,
    helpful_marks_by_user,
    idea_by_public_id,
    list_ideas,
    merged_into_public_id,
    popular_tags,
    votes_by_user,
)
from ideaboard.queries.review import decided as decided_ideas
from ideaboard.queries.review import escalation_for, info_answers, is_following, timeline
from ideaboard.search.query import similar_ideas
from ideaboard.services import DomainError
from ideaboard.services.comments import add_comment, delete_comment, edit_comment
from ideaboard.services.ideas import (
    MAX_BODY_LENGTH,
    delete_idea,
    edit_idea,
    normalise_tags,
    post_idea,
    standing_campaign,
)
from ideaboard.services.information import answer_information_request
from ideaboard.services.review import escalation_progress, follow_idea
from ideaboard.services.settings import (
    anonymity_window,
    rate_limit,  # admin-set limits, else config
)
from ideaboard.services.votes import OPPOSE, RETRACT, SUPPORT, cast_vote, mark_helpful
from ideaboard.visibility import IdeaState, idea_access
from ideaboard.web.access import guard
from ideaboard.web.arguments import query_int
from ideaboard.web.previews import RETRY_AFTER_SECONDS, PreviewBusy, render_preview
from ideaboard.web.redirects import is_safe_next

bp = Blueprint("ideas", __name__)
VOTE_VALUES = {"support": SUPPORT, "oppose": OPPOSE, "retract": RETRACT}


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def status_filter(value: str | None) -> IdeaStatus | None:
    try:
        return IdeaStatus(value) if value else None
    except ValueError:
        return None


def flash_anonymous_timing(post: Idea | Comment) -> None:
    """Tell the author of an anonymous post how its timing is protected, and when
    colleagues hear of it (ideaboard/anonymity.py)."""
    if not posted_anonymously(post):
        return
    window = anonymity_window()
    flash(_("Posted anonymously. So that its timing cannot point to you, colleagues see it "
            "placed among the posts of the last %(minutes)d minutes, and news of it goes out "
            "at %(time)s.", minutes=int(window.total_seconds() // 60),
            time=format_time(news_time(post.created_at, True, window), "short")), "info")


def load_idea(public_id: str) -> Idea:
    """The idea as this viewer may see it: 404 when it is not there for them (hidden), a
    sign-in page in a sensitive campaign."""
    idea = idea_by_public_id(public_id)
    if idea is None:
        abort(404)
    guard(idea_access(current_user, IdeaState.of(idea)))
    return idea


def load_comment(public_id: str) -> Comment:
    comment = comment_by_public_id(public_id)
    if comment is None:
        abort(404)
    guard(idea_access(current_user, IdeaState.of(comment.idea)))
    return comment


@bp.get("/ideas")
def index():
    sort = request.args.get("sort", "top")
    if sort not in SORTS:
        sort = "top"
    tag = request.args.get("tag") or None
    page = list_ideas(sort, viewer=current_user, tag=tag, cursor=request.args.get("after"),
                      status=status_filter(request.args.get("status")),
                      campaign_id=query_int("campaign"),
                      limit=current_app.config["PAGE_SIZE"], rows=True)
    return render_template("ideas/index.html", page=page, tags=popular_tags(),
                           statuses=STATUS_CHOICES, campaigns=campaign_choices(),
                           following_tag=is_following_tag(current_user, tag))


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: rate_limit("post"), methods=["POST"],
               exempt_when=lambda: "preview" in request.form)
def compose():
    slug = request.values.get("campaign")
    campaign = (campaign_by_slug(slug) if slug else None) or standing_campaign()
    if campaign.kind == CampaignKind.CONSULTATION:  # nominations have their own form
        return redirect(url_for("campaigns.nominate", slug=campaign.slug), code=307)
    if request.method == "GET" and not can_post_in_campaign(current_user, campaign):
        flash(_("This campaign is not taking new posts."), "warning")
        return redirect(url_for("campaigns.show", slug=campaign.slug))
    form = IdeaForm()
    preview_html = None
    similar = []
    if form.validate_on_submit():
        try:
            tags = normalise_tags(form.tags.data or "")
            if form.publish.data:
                idea = post_idea(current_user, campaign, title=form.title.data,
                                 body=form.body.data or "", tags=tags,
                                 anonymous=form.anonymous.data)
                flash(_("Your idea is published. Colleagues can now support it."), "success")
                flash_anonymous_timing(idea)
                return redirect(url_for("ideas.show", public_id=idea.public_id))
            similar = similar_ideas(form.title.data, tags)
            preview_html = render_preview(form.body.data or "")
        except DomainError as refused:  # e.g. closed meanwhile: what was typed stays
            show_refusal(form, refused, "title")
        except PreviewBusy:
            form.body.errors.append(_("Previews are busy right now. Press Preview again in "
                                      "a moment; your text is kept."))
    return render_template("ideas/compose.html", form=form, campaign=campaign,
                           preview_html=preview_html, similar=similar)


@bp.post("/ideas/preview")
@login_required
def preview():
    """Rendered Markdown for the live preview; the same code as on publish."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return jsonify(html=render_preview(request.form.get("body", "")[:MAX_BODY_LENGTH]))
    except PreviewBusy:
        return (jsonify(error=_("Previews are busy right now."), retry_after=RETRY_AFTER_SECONDS),
                503, {"Retry-After": str(RETRY_AFTER_SECONDS)})


@bp.get("/ideas/<public_id>")
def show(public_id: str):
    idea = load_idea(public_id)
    if idea.status == IdeaStatus.MERGED:
        survivor = merged_into_public_id(idea)
        if survivor:
            flash(_("That idea was merged into this one; its votes and discussion are here "
                    "now."), "info")
            return redirect(url_for("ideas.show", public_id=survivor))
    return render_idea(idea)


def render_idea(idea: Idea, comment_form: CommentForm | None = None,
                answer_form: InfoAnswerForm | None = None):
    """The idea page; a refused comment or answer comes back in its form, as typed."""
    my_vote = votes_by_user(current_user, [idea.id]).get(idea.id, RETRACT)
    escalation = escalation_for(idea) if idea.status != IdeaStatus.OPEN else None
    return render_template("ideas/show.html", idea=idea, thread=comment_thread(idea),
                           my_vote=my_vote, helpful=helpful_marks_by_user(current_user, idea),
                           comment_form=comment_form or CommentForm(), vote_form=VoteForm(),
                           escalation=escalation, timeline=timeline(idea) if escalation else [],
                           answers=info_answers(idea, current_user) if escalation else {},
                           answer_form=answer_form or InfoAnswerForm(),
                           progress=escalation_progress(idea),
                           following=is_following(current_user, idea), pull_form=PullForm())


@bp.post("/ideas/<public_id>/follow")
@login_required
def follow(public_id: str):
    idea = load_idea(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    following = request.form.get("follow") == "1"
    try:
        follow_idea(current_user, idea, following)
    except DomainError as refused:
        flash(str(refused), "warning")
        return redirect(url_for("ideas.show", public_id=public_id))
    if following:
        flash(_("You will be told when leadership answers or the idea moves on."), "info")
    return redirect(url_for("ideas.show", public_id=public_id))


@bp.get("/decided")
def decided():
    page = decided_ideas(before=request.args.get("after"), viewer=current_user)
    return render_template("ideas/decided.html", page=page)


@bp.route("/ideas/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str):
    idea = load_idea(public_id)
    if not can_edit_idea(current_user, idea):
        abort(403)
    form = IdeaForm(obj=idea, tags=", ".join(idea.tag_list))
    if form.validate_on_submit():
        try:
            edit_idea(current_user, idea, title=form.title.data, body=form.body.data or "",
                      tags=normalise_tags(form.tags.data or ""))
        except DomainError as refused:
            form.title.errors.append(str(refused))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("ideas.show", public_id=idea.public_id))
    return render_template("ideas/edit.html", form=form, idea=idea)


@bp.post("/ideas/<public_id>/delete")
@login_required
def delete(public_id: str):
    idea = load_idea(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_idea(current_user, idea)
    except DomainError:
        abort(403)
    flash(_("Your idea was deleted. Its discussion stays readable."), "info")
    return redirect(url_for("ideas.show", public_id=idea.public_id))


@bp.post("/ideas/<public_id>/vote")
@login_required
@limiter.limit(lambda: rate_limit("vote"))
def vote(public_id: str):
    """The service looks the idea up (once, locked) and applies the visibility rule."""
    form = VoteForm()
    if not form.validate_on_submit() or form.value.data not in VOTE_VALUES:
        abort(400)
    try:
        result = cast_vote(current_user, public_id, VOTE_VALUES[form.value.data])
    except Gone:
        abort(404)
    except DomainError as refused:
        if wants_json():
            return jsonify(error=str(refused)), 403
        flash(str(refused), "warning")
        return redirect(url_for("ideas.show", public_id=public_id))
    if wants_json():
        if result.totals_hidden:  # anti-herding: the count stays hidden, even here
            return jsonify(value=result.value)
        return jsonify(value=result.value, supporters=result.supporters,
                       opposers=result.opposers, score=round(result.score, 3))
    back = request.form.get("next")
    return redirect(back if is_safe_next(back) else url_for("ideas.show", public_id=public_id))


@bp.post("/ideas/<public_id>/comments")
@login_required
@limiter.limit(lambda: rate_limit("comment"))
def comment(public_id: str):
    idea = load_idea(public_id)
    form = CommentForm()
    if not form.validate_on_submit():
        for error in form.body.errors:
            flash(error, "warning")
        return redirect(url_for("ideas.show", public_id=public_id, _anchor="discussion"))
    parent = load_comment(form.parent.data) if form.parent.data else None
    try:
        new = add_comment(current_user, idea, body=form.body.data, stance=Stance(form.stance.data),
                          parent=parent, anonymous=form.anonymous.data)
    except DomainError as refused:  # e.g. the campaign closed meanwhile: the text stays
        show_refusal(form, refused, "body")
        return render_idea(idea, comment_form=form), 409
    flash_anonymous_timing(new)
    return redirect(url_for("ideas.show", public_id=public_id, _anchor=f"c-{new.public_id}"))


@bp.get("/comments/<public_id>/reply")
@login_required
def reply_page(public_id: str):
    """The reply form on its own page: what the Reply link opens without JavaScript (with
    it, the idea page's one reply form is placed under the comment instead)."""
    comment = load_comment(public_id)
    if comment.is_deleted or comment.idea.is_deleted:
        abort(404)
    return render_template("ideas/reply.html", comment=comment, idea=comment.idea)
@bp.post("/ideas/<public_id>/answer")
@login_required
@limiter.limit(lambda: rate_limit("comment"))
def answer_info(public_id: str):
    """The author answers leadership's request for more information, in place."""
    idea = load_idea(public_id)
    form = InfoAnswerForm()
    if form.validate_on_submit():
        try:
            answer_information_request(current_user, idea, form.info_answer.data)
        except DomainError as refused:
            show_refusal(form, refused, "info_answer")
        else:
            flash(_("Your answer is on the timeline, and the leader who asked is told. The "
                    "idea is back under review."), "success")
            return redirect(url_for("ideas.show", public_id=public_id, _anchor="timeline"))
    return render_idea(idea, answer_form=form), 422


@bp.route("/comments/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment_page(public_id: str):
    comment = load_comment(public_id)
    if not can_edit_comment(current_user, comment):
        abort(403)
    form = CommentEditForm(obj=comment)
    if form.validate_on_submit():
        try:
            edit_comment(current_user, comment, body=form.body.data,
                         stance=Stance(form.stance.data))
        except DomainError as refused:
            form.body.errors.append(str(refused))
        else:
            return redirect(url_for("ideas.show", public_id=comment.idea.public_id,
                                    _anchor=f"c-{comment.public_id}"))
    return render_template("ideas/comment_edit.html", form=form, comment=comment)


@bp.post("/comments/<public_id>/delete")
@login_required
def delete_comment_action(public_id: str):
    comment = load_comment(public_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_comment(current_user, comment)
    except DomainError:
        abort(403)
    return redirect(url_for("ideas.show", public_id=comment.idea.public_id,
                            _anchor=f"c-{comment.public_id}"))


@bp.post("/comments/<public_id>/helpful")
@login_required
@limiter.limit(lambda: rate_limit("vote"))
def helpful(public_id: str):
    comment = load_comment(public_id)
    form = HelpfulForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = mark_helpful(current_user, comment, form.helpful.data == "1")
    except DomainError as refused:
        if wants_json():
            return jsonify(error=str(refused)), 403
        flash(str(refused), "warning")
        count = comment.helpful_count
    if wants_json():
        return jsonify(helpful=form.helpful.data == "1", count=count)
    return redirect(url_for("ideas.show", public_id=comment.idea.public_id,
                            _anchor=f"c-{comment.public_id}"))
