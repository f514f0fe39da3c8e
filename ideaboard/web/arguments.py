"""What a request sends, made safe before it reaches the database, for every route at once.

NUL characters: PostgreSQL refuses them in text ("A string literal cannot contain NUL"), and
no form field, JSON string or query argument means one, so any in the path, the query
string, the form data or a JSON body (names and values) is a 400 before a view runs
(`install_nul_refusal`).

Integers from URLs, bounded: one path converter (the app's `int`) and one query-string
parser, used by every route.

Outside the range of an integer column (models.base.DB_INT_MIN..DB_INT_MAX) the database
raises an error instead of finding nothing, so an out-of-range path id is a 404 (no such
page) and an out-of-range query integer a 400. Text that is not a number at all is ignored,
as Werkzeug's `type=int` did.
"""
from __future__ import annotations

import re

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

from ideaboard.models.base import DB_INT_MAX, DB_INT_MIN, fits_database_integer

_INTEGER = re.compile(r"[+-]?\d+")


NUL = "\x00"


class NulCharacterRefused(BadRequest):
    """A 400 whose page tells the sender what was wrong (the JSON API answers in JSON)."""

    def __init__(self) -> None:
        super().__init__(description=_(
            "What you sent contains a NUL character, an invisible control character that "
            "text here never holds. It usually comes from pasting from another program: "
            "retype the text and send it again."))


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPES = ("application/json", "application/scim+json")  # the API's and SCIM's bodies


def _carries_nul() -> bool:
    if NUL in request.path:
        return True
    sent = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.mimetype in FORM_TYPES:
            sent += [request.form, request.files]
        elif request.mimetype in JSON_TYPES and _json_carries_nul():
            return True
    return any(NUL in name or NUL in (value if isinstance(value, str) else value.filename or "")
               for data in sent for name, value in data.items(multi=True))


def _json_carries_nul() -> bool:
    """A NUL in any key or string of a JSON body ("\\u0000"), found without recursion. The
    parsed body is kept by the request, so the view reads it without parsing again; a body
    that does not parse is left to the view's own answer."""
    try:
        pending = [request.get_json(silent=True, force=True)]
    except RecursionError:  # nested deeper than the parser goes (a 500 otherwise)
        raise BadRequest(description=_("The JSON body is nested too deeply.")) from None
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def install_nul_refusal(app: Flask) -> None:
    """Refuse a NUL anywhere in the path, query string, form data or JSON body, before any
    view runs."""

    @app.before_request
    def _no_nul_characters() -> None:
        if _carries_nul():
            raise NulCharacterRefused()


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that matches only values a database integer can hold; others are a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits,
                         min=DB_INT_MIN if min is None else min,
                         max=DB_INT_MAX if max is None else max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 20:  # int() of thousands of digits is slow, then refused by Python
            raise ValidationError()
        return super().to_python(value)


def install_integer_converter(app: Flask) -> None:
    """Replace Werkzeug's unbounded `int` converter; call before any route is added."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def parse_query_int(value: str | None) -> int | None:
    """A query-string integer: None when absent or not a whole number; a 400 when it is one
    that no integer column can hold."""
    text = (value or "").strip()
    if not _INTEGER.fullmatch(text):
        return None
    if len(text) > 20 or not fits_database_integer(int(text)):  # never int() a huge string
        abort(400)
    return int(text)


def query_int(name: str) -> int | None:
    """`request.args[name]` as a bounded integer (see parse_query_int)."""
    return parse_query_int(request.args.get(name))
