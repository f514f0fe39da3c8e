"""The translation catalog in force, cached for the request or app context."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from babel.support import Translations
from flask import Flask, g, request
from flask_babel import force_locale, get_locale, get_translations
from wtforms.i18n import messages_path

CATALOG_KEY = "_ideaboard_catalog"
LOCALE_KEY = "_ideaboard_locale"
_wtforms_catalogs: dict[str, Translations] = {}


def current_catalog() -> Translations:
    """The catalog in force, looked up once per request: Flask-Babel resolves context, locale
    and domain again on every string, and a list page has hundreds of them."""
    catalog = g.get(CATALOG_KEY)
    if catalog is None:
        catalog = get_translations()
        setattr(g, CATALOG_KEY, catalog)
    return catalog


def current_locale() -> Locale:
    """The locale in force, looked up once per request (see `current_catalog`)."""
    locale = g.get(LOCALE_KEY)
    if locale is None:
        locale = get_locale()
        setattr(g, LOCALE_KEY, locale)
    return locale


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """`force_locale` that also switches the cached catalog (e-mails in the reader's language)."""
    saved = {key: g.pop(key, None) for key in (CATALOG_KEY, LOCALE_KEY)}
    try:
        with force_locale(locale):
            yield
    finally:
        for key, value in saved.items():
            g.pop(key, None)
            if value is not None:
                setattr(g, key, value)


def install_template_gettext(app: Flask) -> None:
    """Templates translate through `current_catalog`, replacing Flask-Babel's per-call lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_catalog().ugettext(s),
        ngettext=lambda s, p, n: current_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: current_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_catalog().unpgettext(c, s, p, n),
        newstyle=True)


class _WTFormsCatalog:
    """WTForms' own messages in the request's language, each catalog loaded once per worker."""

    def _catalog(self) -> Translations:
        key = str(current_locale())
        catalog = _wtforms_catalogs.get(key)
        if catalog is None:
            catalog = Translations.load(messages_path(), [key], domain="wtforms")
            _wtforms_catalogs[key] = catalog
        return catalog

    def ugettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


def share_wtforms_catalog(app: Flask) -> None:
    """Flask-WTF reads WTForms' message catalog from disk on every request that builds a
    form (every page: the language picker); it takes the one set on the request instead."""
    shared = _WTFormsCatalog()

    @app.before_request
    def _wtforms_translations() -> None:
        request.wtforms_translations = shared
