"""Integers from URLs never reach the database unbounded (issue 13).

Every integer argument of every route in the URL map, and every integer query argument a
view reads, is sent out of range as an admin, who can open every page: from 2^31, where
PostgreSQL's INTEGER ends, through 2^63, where SQLite's does, to thousands of digits, and
as far below zero. Paths answer 404, query strings 400, never 500. Keyset cursors carrying
such numbers are malformed, so the list starts at its first page.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ideaboard.queries.ideas import decode_cursor, pack_cursor, unpack_cursor
from ideaboard.queries.review import _decided_position, _queue_position
from ideaboard.web import arguments
from tests.web.isolation import IsolatedClient
from tests.web.test_access_matrix import make_objects
from tests.web.url_map import build_path, rule_id, rules

CLIENT_CLASS = IsolatedClient
OUT_OF_RANGE = (str(2**31), str(2**63), str(2**64), "9" * 30, "9" * 5000, str(-(2**31) - 1),
                str(-(2**63) - 1), "-" + "9" * 30)
INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
WEB = Path(__file__).resolve().parents[2] / "ideaboard" / "web"


def integer_rules() -> list:
    found = {rule_id(rule): rule for method in ("GET", "POST") for rule in rules(method)
             if INT_ARGUMENT.search(rule.rule)}
    return [found[key] for key in sorted(found)]


def test_the_url_map_has_integer_routes():
    assert len(integer_rules()) >= 8, "the walk below would prove nothing"


def out_of_range_paths(rule, values: dict) -> list[str]:
    """The route's path with every integer argument set to each out-of-range value."""
    integer_args = set(INT_ARGUMENT.findall(rule.rule))
    paths = []
    for number in OUT_OF_RANGE:
        filled = {slot: value for slot, value in values.items() if slot[1] not in integer_args}
        filled.update({(segment, argument): number for segment, argument in
                       re.findall(r"/([^/<]+)/<int(?:\([^)]*\))?:(\w+)>", rule.rule)})
        paths.append(build_path(rule, filled))
    return paths


def test_out_of_range_path_integers_are_not_found(client, factory, login_as):
    objects = make_objects(factory)
    login_as("admin")
    answers = {}
    for rule in integer_rules():
        for path in out_of_range_paths(rule, objects.path_values(rule.endpoint)):
            if "GET" in rule.methods:
                answers[f"GET {path}"] = client.get(path).status_code
            if "POST" in rule.methods:
                answers[f"POST {path}"] = client.post_form(path, {}).status_code
    assert answers and all(status == 404 for status in answers.values()), {
        request: status for request, status in answers.items() if status != 404}


def test_in_range_path_integers_still_route(client, factory, login_as):
    """The control: the same routes with the largest id that fits answer as before."""
    login_as("admin")
    response = client.get(f"/people/{2**31 - 1}")
    assert response.status_code == 404
    user = factory.user("employee", name="Findable Person")
    assert client.get(f"/people/{user.id}").status_code == 200
    assert client.get(f"/admin/users/{user.id}").status_code == 200


@pytest.fixture
def integer_query_arguments(monkeypatch) -> dict[str, set[str]]:
    """Which integer query arguments each endpoint reads, recorded from the parser itself."""
    from flask import request

    seen: dict[str, set[str]] = {}
    real = arguments.query_int

    def recording(name: str):
        seen.setdefault(request.endpoint, set()).add(name)
        return real(name)

    for module in _modules_using_query_int():
        monkeypatch.setattr(module, "query_int", recording)
    return seen


def _modules_using_query_int():
    import importlib

    names = set()
    for path in WEB.rglob("*.py"):
        if "query_int" in path.read_text() and path.name != "arguments.py":
            relative = path.relative_to(WEB.parent.parent).with_suffix("")
            names.add(".".join(relative.parts).removesuffix(".__init__"))
    return [importlib.import_module(name) for name in sorted(names)]


def test_out_of_range_query_integers_are_bad_requests(client, factory, login_as,
                                                      integer_query_arguments):
    objects = make_objects(factory)
    login_as("admin")
    for rule in rules("GET"):
        client.get(build_path(rule, objects.path_values(rule.endpoint)))
    readers = {endpoint: names for endpoint, names in integer_query_arguments.items()}
    # (the inbox pages with a keyset cursor, not an integer: see test_privacy/test_review_http)
    assert {"ideas.index", "admin.audit", "admin.users", "discovery.search"} <= set(readers), \
        readers
    by_endpoint = {rule.endpoint: rule for rule in rules("GET")}
    answers = {}
    for endpoint, names in sorted(readers.items()):
        path = build_path(by_endpoint[endpoint], objects.path_values(endpoint))
        for name in sorted(names):
            for number in OUT_OF_RANGE:
                answers[f"{path}?{name}={number[:40]}"] = client.get(
                    path, query_string={name: number}).status_code
            for harmless in ("7", str(2**31 - 1), "12abc", "1e3", ""):  # fits, or not a number
                answers[f"{path}?{name}={harmless} (harmless)"] = client.get(
                    path, query_string={name: harmless}).status_code
    wrong = {url: status for url, status in answers.items()
             if status != (200 if url.endswith("(harmless)") else 400)}
    assert not wrong, wrong


def test_views_read_integers_only_through_the_one_parser():
    """A new view that parses an integer itself would bring the 500 back."""
    offenders = []
    for path in WEB.rglob("*.py"):
        if path.name == "arguments.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"type=int\b|\bint\(\s*request\.|\bint\(\s*value\b", line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


# --- keyset cursors --------------------------------------------------------------------------

HUGE = 2**31


@pytest.mark.parametrize("values", [
    [1.5, HUGE], [1.5, -HUGE - 1], [HUGE, 3], [1e308 * 10, 3], [float("nan"), 3],
    ["2026-01-01T00:00:00", str(HUGE)], [10**400, 1],
])
def test_cursors_with_out_of_range_numbers_are_malformed(values):
    cursor = pack_cursor(values)  # json writes NaN and Infinity too
    for sort in ("top", "hot", "new", "discussed"):
        assert decode_cursor(sort, cursor) is None
    assert _queue_position(cursor) is None
    assert _decided_position(f"2026-01-01T00:00:00_{HUGE}") is None
    assert _decided_position(f"2026-01-01T00:00:00_{-HUGE - 1}") is None


def test_unpack_cursor_refuses_non_finite_and_oversized_numbers():
    import base64

    def raw(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    assert unpack_cursor(raw("[NaN, 1]")) is None
    assert unpack_cursor(raw("[Infinity, 1]")) is None
    assert unpack_cursor(raw(f"[1, {HUGE}]")) is None
    assert unpack_cursor(raw("[1" + "0" * 400 + ", 1]")) is None
    assert unpack_cursor(raw(f"[1.5, {HUGE - 1}]")) == [1.5, HUGE - 1]
    assert decode_cursor("top", raw("[1" + "0" * 400 + ", 1]")) is None


def test_lists_given_out_of_range_cursors_show_their_first_page(client, factory, login_as):
    objects = make_objects(factory)
    login_as("admin")
    cursors = [pack_cursor([1.5, HUGE]), pack_cursor([HUGE, HUGE]),
               pack_cursor(["2026-01-01T00:00:00", HUGE]), pack_cursor([10**30, 1]),
               f"2026-01-01T00:00:00_{HUGE}", "W05hTiwgMV0"]  # the last: [NaN, 1]
    pages = [("/ideas", "top"), ("/ideas", "new"), ("/ideas", "discussed"), ("/following", ""),
             (f"/campaigns/{objects.campaign.slug}", "new"), ("/review/", ""), ("/decided", "")]
    answers = {f"{page}?sort={sort}&after={cursor}": client.get(
        page, query_string={"sort": sort, "after": cursor}).status_code
        for page, sort in pages for cursor in cursors}
    assert all(status == 200 for status in answers.values()), answers


# --- previews ----------------------------------------------------------------------------------

def test_a_maximum_size_pathological_preview_renders(client, login_as):
    login_as("employee")
    response = client.post_form("/ideas/preview", {"body": "a" * 20_000},
                                headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["html"] == "<p>" + "a" * 20_000 + "</p>\n"


def test_one_preview_renders_at_a_time_the_others_hear_busy(app, client, login_as):
    """While another worker renders a preview, a preview answers 503 at once, with
    Retry-After (the page script waits and asks again); the compose page keeps the text."""
    import fcntl
    import os

    from ideaboard.web.previews import preview_lock_path

    login_as("employee")
    with app.test_request_context():
        path = preview_lock_path()
    holder = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another worker's preview is rendering
        busy = client.post_form("/ideas/preview", {"body": "*hello*"},
                                headers={"Accept": "application/json"})
        page = client.post_form("/ideas/new", {"title": "A title long enough",
                                               "body": "Kept *text*", "preview": "Preview"})
    finally:
        os.close(holder)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert "busy" in busy.get_json()["error"]
    assert page.status_code == 200
    assert "Previews are busy right now" in page.get_data(as_text=True)
    assert "Kept *text*" in page.get_data(as_text=True)
    again = client.post_form("/ideas/preview", {"body": "*hello*"},
                             headers={"Accept": "application/json"})
    assert again.status_code == 200 and again.get_json()["html"] == "<p><em>hello</em></p>\n"
