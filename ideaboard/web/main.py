"""Home page and language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, session
from flask_login import current_user

from ideaboard.extensions import db
from ideaboard.forms.auth import LanguageForm
from ideaboard.models import User
from ideaboard.queries.campaigns import open_campaigns
from ideaboard.queries.ideas import (
    home_counts,
    list_ideas,
    popular_tags,
    public_activity,
)
from ideaboard.queries.review import queue_counts
from ideaboard.services.accounts import set_locale
from ideaboard.web.access import public
from ideaboard.web.redirects import redirect_next

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    top = list_ideas("top", viewer=current_user, limit=5, rows=True)
    hot = list_ideas("hot", viewer=current_user, limit=5, rows=True)
    return render_template("main/home.html", top=top, hot=hot, campaigns=open_campaigns(),
                           counts=home_counts() | queue_counts(),
                           tags=popular_tags())


@bp.post("/language")
@public
def change_language():
    """Works for visitors (kept in the session) and members (kept on the profile)."""
    form = LanguageForm()
    if form.validate_on_submit():
        locale = form.locale.data if form.locale.data in current_app.config["LANGUAGES"] else None
        if current_user.is_authenticated:
            set_locale(current_user, locale)
        if locale:
            session["locale"] = locale
        else:
            session.pop("locale", None)
    return redirect_next(form.next.data)


@bp.get("/people/<int:user_id>")
def person(user_id: int):
    """A colleague's public profile: only what they posted under their name."""
    person = db.get_or_404(User, user_id)
    return render_template("main/person.html", person=person,
                           activity=public_activity(person))
