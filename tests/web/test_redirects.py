"""No open redirects: every `next` the app follows (sign-in, language switch, vote) keeps the
browser inside the app, however the target is disguised; a genuine in-app `next` is honoured."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from ideaboard.web.redirects import is_safe_next
from tests.conftest import TEST_PASSWORD
from tests.web.isolation import IsolatedClient

BAD_NEXTS = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\\/evil.example",
    "https:/evil.example",
    "///evil.example",
    "//localhost@evil.example",
    "http://localhost.evil.example/",
    "\x00//evil.example",
]
GOOD_NEXT = "/ideas?sort=new"


def next_id(value: str) -> str:
    return repr(value)


@pytest.fixture
def client(app) -> IsolatedClient:
    """Each request in its own app context, as in production (see tests/web/isolation.py)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def assert_stays_in_app(response) -> str:
    """The Location must be read the way a browser reads it: tabs and newlines removed,
    surrounding spaces and control characters trimmed, backslashes taken as slashes."""
    assert response.status_code in (301, 302, 303, 307, 308), response.status_code
    location = response.headers.get("Location", "")
    assert location, "redirect without a Location"
    browser_view = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07"
                                                           "\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                                           "\x13\x14\x15\x16\x17\x18\x19\x1a"
                                                           "\x1b\x1c\x1d\x1e\x1f ")
    browser_view = browser_view.replace("\\", "/")
    parts = urlsplit(browser_view)
    if parts.scheme or parts.netloc:
        assert parts.scheme in ("http", "https"), location
        assert parts.hostname == "localhost", location
        assert not parts.username and not parts.password, location
    else:
        assert browser_view.startswith("/"), location
        assert not browser_view.startswith("//"), location
    return location


def refused_outright(response, bad: str) -> bool:
    """A NUL is refused with a 400 before any view runs (web/arguments.py): no redirect."""
    if "\x00" not in bad:
        return False
    assert response.status_code == 400, response.status_code
    return True


def path_and_query(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_the_bad_list_is_really_refused_by_the_helper():
    """If the helper accepted one of these, the HTTP tests below would still pass for the
    ones a browser happens to keep in-app; check the rule itself as well."""
    accepted = [value for value in BAD_NEXTS if is_safe_next(value)]
    assert accepted == ["/%2F%2Fevil.example"]  # a harmless in-app path, kept as a path
    assert is_safe_next(GOOD_NEXT)


# --- sign-in ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", BAD_NEXTS, ids=next_id)
def test_login_form_does_not_redirect_off_site(client, factory, bad):
    user = factory.user("employee")
    page = client.get("/login?next=" + quote(bad, safe=""))
    if refused_outright(page, bad):  # then the form, posted with the NUL in its next
        page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)

    response = client.post("/login", data={"csrf_token": token, "email": user.email,
                                           "password": TEST_PASSWORD, "next": bad})
    if refused_outright(response, bad):
        return
    location = assert_stays_in_app(response)
    if bad != "/%2F%2Fevil.example":
        assert path_and_query(location) == "/"


@pytest.mark.parametrize("bad", BAD_NEXTS, ids=next_id)
def test_signed_in_visit_to_login_does_not_redirect_off_site(client, login_as, bad):
    login_as("employee")
    response = client.get("/login?next=" + quote(bad, safe=""))
    if not refused_outright(response, bad):
        assert_stays_in_app(response)


def test_login_honours_a_good_next(client, factory):
    user = factory.user("employee")
    response = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD,
                                           "next": GOOD_NEXT})
    assert path_and_query(assert_stays_in_app(response)) == GOOD_NEXT


def test_login_carries_next_from_the_query_into_the_form(client, factory):
    user = factory.user("employee")
    page = client.get("/login?next=" + quote(GOOD_NEXT, safe="")).get_data(as_text=True)
    assert 'name="next"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    hidden = re.search(r'<input[^>]*name="next"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', hidden).group(1).replace("&amp;", "&")
    response = client.post("/login", data={"csrf_token": token, "email": user.email,
                                           "password": TEST_PASSWORD, "next": value})
    assert path_and_query(assert_stays_in_app(response)) == GOOD_NEXT


# --- language switch --------------------------------------------------------------------------

@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
@pytest.mark.parametrize("bad", BAD_NEXTS, ids=next_id)
def test_language_switch_does_not_redirect_off_site(client, login_as, bad, signed_in):
    if signed_in:
        login_as("employee")
    response = client.post_form("/language", {"locale": "zh", "next": bad})
    if not refused_outright(response, bad):
        assert_stays_in_app(response)


def test_language_switch_honours_a_good_next(client):
    response = client.post_form("/language", {"locale": "zh", "next": GOOD_NEXT})
    assert path_and_query(assert_stays_in_app(response)) == GOOD_NEXT


# --- voting -----------------------------------------------------------------------------------

@pytest.fixture
def idea(factory):
    return factory.idea(factory.user("employee", name="Idea author"))


@pytest.mark.parametrize("bad", BAD_NEXTS, ids=next_id)
def test_vote_does_not_redirect_off_site(client, login_as, idea, bad):
    login_as("employee")
    response = client.post_form(f"/ideas/{idea.public_id}/vote",
                                {"value": "support", "next": bad})
    if refused_outright(response, bad):
        return
    location = assert_stays_in_app(response)
    if bad != "/%2F%2Fevil.example":
        assert path_and_query(location) == f"/ideas/{idea.public_id}"


def test_vote_honours_a_good_next(client, login_as, idea):
    login_as("employee")
    response = client.post_form(f"/ideas/{idea.public_id}/vote",
                                {"value": "support", "next": GOOD_NEXT})
    assert path_and_query(assert_stays_in_app(response)) == GOOD_NEXT
