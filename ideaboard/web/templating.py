"""Template globals and filters shared by every page."""
from __future__ import annotations

from datetime import datetime, timedelta

from babel import dates as babel_dates
from flask import Flask, g, has_request_context, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ideaboard import anonymity, permissions
from ideaboard.anonymity import byline
from ideaboard.audit_text import audit_details, audit_sentence
from ideaboard.catalog import current_catalog, current_locale
from ideaboard.forms.auth import LanguageForm
from ideaboard.models.base import utcnow
from ideaboard.names import department_name
from ideaboard.queries.notifications import unread_count
from ideaboard.ranking import BROAD_SUPPORT_MIN_VOTES
from ideaboard.services.feeds import feed_token

RELATIVE_LIMIT = timedelta(days=7)


def when(moment: datetime | None, *, day_only: bool = False) -> Markup:
    """Relative time for recent events with the exact time (UTC) on hover; the day only if
    anonymous. Babel is called directly with the cached locale: a list page has dozens."""
    if moment is None:
        return Markup("")
    locale = current_locale()
    if day_only:
        label = babel_dates.format_date(moment.date(), "medium", locale=locale)
        return Markup('<time datetime="{0}">{1}</time>').format(moment.date().isoformat(), label)
    age = utcnow() - moment
    if timedelta(0) <= age < RELATIVE_LIMIT:
        label = current_catalog().ugettext("%(age)s ago") % {
            "age": babel_dates.format_timedelta(age, threshold=0.9, locale=locale)}
    elif -RELATIVE_LIMIT < age < timedelta(0):  # a moment to come: "in 3 days", never "ago"
        label = _in_time(-age, locale)
    else:
        label = babel_dates.format_date(moment.date(), "medium", locale=locale)
    return _time_tag(moment, label)


def until(moment: datetime) -> Markup:
    """A date to come (an expiry, a deadline) with how far off it is: "Dec 10 (in 7 days)";
    the exact time (UTC) on hover. A past moment reads as `when` does ("3 days ago")."""
    ahead = moment - utcnow()
    if ahead <= timedelta(0):
        return when(moment)
    locale = current_locale()
    day = babel_dates.format_skeleton(
        "MMMd" if moment.year == utcnow().year else "yMMMd", moment, locale=locale)
    label = current_catalog().ugettext("%(date)s (%(relative)s)") % {
        "date": day, "relative": _in_time(ahead, locale)}
    return _time_tag(moment, label)


def _in_time(ahead: timedelta, locale) -> str:
    """"in 7 days", in the reader's language (CLDR's own words for the future)."""
    return babel_dates.format_timedelta(ahead, threshold=1.5, add_direction=True,
                                        locale=locale)


def _time_tag(moment: datetime, label: str) -> Markup:
    return Markup('<time datetime="{0}Z" title="{1:%Y-%m-%d %H:%M} UTC">{2}</time>').format(
        moment.isoformat(timespec="minutes"), moment, label)


STANDING_CAMPAIGN_TITLE = "Open ideas"  # as migration 0001 seeds it, in English


def campaign_title(campaign) -> str:
    """A campaign's title in the reader's language. Titles are written by people, in their
    language; the standing campaign's seeded title is the platform's own words, so it goes
    through the catalog (if an admin renamed it, their title is shown as written).
    `campaign` is a Campaign or a row with `title` and `is_standing`."""
    if campaign.is_standing and campaign.title == STANDING_CAMPAIGN_TITLE:
        return str(_l("Open ideas"))
    return campaign.title


def csrf_input() -> Markup:
    """The CSRF token as a hidden field, built once per request: a discussion page has a
    form per comment, and WTForms would build the same tag (with the same id) fifty times."""
    html = g.get("_csrf_input")
    if html is None:
        html = Markup('<input name="csrf_token" type="hidden" value="{0}">').format(
            generate_csrf())
        g._csrf_input = html
    return html


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def feed_url(endpoint: str, external: bool = False, **values) -> str:
    """A feed's address; for a signed-in reader it carries their personal feed token, so a
    feed reader (which cannot sign in) sees what they see (ideaboard/services/feeds.py).
    `external` for an address to copy into a feed reader."""
    if current_user.is_authenticated:
        values["token"] = feed_token(current_user)
    return url_for(endpoint, _external=external, **values)


def init_templating(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_global(when)
    app.add_template_global(until)
    app.add_template_global(format_date)
    app.add_template_global(url_with)
    app.add_template_global(csrf_input)
    app.add_template_global(feed_url)
    app.add_template_global(campaign_title)
    app.add_template_filter(department_name, "department")
    app.add_template_global(audit_sentence)
    app.add_template_global(audit_details)
    app.add_template_global(byline)
    app.add_template_global(anonymity, "anonymity")
    app.add_template_global(permissions, "perm")
    app.add_template_global(BROAD_SUPPORT_MIN_VOTES, "broad_support_min_votes")

    @app.context_processor
    def _shared_context():
        if not has_request_context():  # e-mails rendered by the worker
            return {}
        return {
            "unread_count": unread_count(current_user),
            # formdata=None: it must not read request.form again (an oversized body would
            # fail the error page that reports it)
            "language_form": LanguageForm(formdata=None),
            "current_locale": str(get_locale() or "en"),
        }

    @app.template_filter("nl2br")
    def _nl2br(text: str) -> Markup:
        return Markup("<br>").join(escape(text).split("\n"))
