"""Template globals and filters shared by every page."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from ideaboard import permissions
from ideaboard.forms import ActionForm
from ideaboard.forms.auth import LanguageForm
from ideaboard.models.base import utcnow
from ideaboard.queries.notifications import unread_count

RELATIVE_LIMIT = timedelta(days=7)


def when(moment: datetime | None, *, day_only: bool = False) -> Markup:
    """Relative time for recent events with the exact time on hover; day only if anonymous."""
    if moment is None:
        return Markup("")
    aware = moment.replace(tzinfo=UTC)
    if day_only:
        label = format_date(aware, "medium")
        return Markup('<time datetime="{0}">{1}</time>').format(aware.date().isoformat(), label)
    age = utcnow() - moment
    exact = format_datetime(aware, "medium")
    label = (_("%(age)s ago", age=format_timedelta(age, threshold=0.9))
             if age < RELATIVE_LIMIT else format_date(aware, "medium"))
    return Markup('<time datetime="{0}" title="{1}">{2}</time>').format(
        aware.isoformat(timespec="minutes"), exact, label)


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_global(when)
    app.add_template_global(format_date)
    app.add_template_global(url_with)
    app.add_template_global(permissions, "perm")

    @app.context_processor
    def _shared_context():
        if not has_request_context():  # e-mails rendered by the worker
            return {}
        return {
            "unread_count": unread_count(current_user),
            # formdata=None: these only render a token, and must not read request.form
            # again (an oversized body would fail the error page that reports it)
            "action_form": ActionForm(formdata=None),
            "language_form": LanguageForm(formdata=None),
            "current_locale": str(get_locale() or "en"),
        }

    @app.template_filter("nl2br")
    def _nl2br(text: str) -> Markup:
        return Markup("<br>").join(escape(text).split("\n"))
