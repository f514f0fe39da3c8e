"""Headers and cookies a browser relies on: CSP, framing, cookie flags, caching of private
pages, request size limits, friendly errors, and a refusal to run production on a weak key."""
from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD, sign_in
from tests.web.isolation import IsolatedClient

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

PAGES = ["/", "/ideas", "/login"]


@pytest.fixture
def client(app) -> IsolatedClient:
    """Each request in its own app context, as in production (see tests/web/isolation.py)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def client_for(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [word.lower() for word in words[1:]]
    return directives


def cookie_flags(response, name: str) -> dict[str, str | bool]:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"{name} cookie not set; got {response.headers.getlist('Set-Cookie')}"
    flags: dict[str, str | bool] = {}
    for part in headers[-1].split(";")[1:]:
        key, _, value = part.strip().partition("=")
        flags[key.lower()] = value or True
    return flags


# --- Content-Security-Policy and framing -------------------------------------------------------

@pytest.mark.parametrize("url", PAGES)
def test_csp_forbids_inline_script(client, url):
    directives = csp_directives(client.get(url))
    assert directives, "no Content-Security-Policy header"
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, "neither script-src nor default-src in the CSP"
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert "*" not in scripts and "data:" not in scripts and "http:" not in scripts
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") in (["'self'"], ["'none'"])


def test_csp_is_sent_on_signed_in_pages_and_errors(client, login_as):
    login_as("employee")
    for url in ("/account/profile", "/ideas/new", "/no-such-page"):
        directives = csp_directives(client.get(url))
        assert directives.get("script-src") == ["'self'"], url


@pytest.mark.parametrize("url", PAGES)
def test_pages_cannot_be_framed(client, url):
    response = client.get(url)
    framing_denied = response.headers.get("X-Frame-Options", "").upper() == "DENY"
    ancestors_none = csp_directives(response).get("frame-ancestors") == ["'none'"]
    assert framing_denied or ancestors_none
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


# --- cookies ----------------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_lax(client, factory):
    user = factory.user("employee")
    response = sign_in(client, user)
    assert response.status_code == 302
    flags = cookie_flags(response, "session")
    assert flags.get("httponly") is True
    assert str(flags.get("samesite", "")).lower() == "lax"


def test_remember_cookie_is_httponly_and_lax(client, factory):
    user = factory.user("employee")
    response = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD,
                                           "remember": "y"})
    assert response.status_code == 302
    flags = cookie_flags(response, "remember_token")
    assert flags.get("httponly") is True
    assert str(flags.get("samesite", "")).lower() == "lax"


def test_cookies_are_secure_in_production(make_app, factory):
    production = make_app(ENV_NAME="production", SECRET_KEY="x" * 40)
    assert production.config["SESSION_COOKIE_SECURE"] is True
    user = factory.user("employee")
    client = client_for(production)

    page = client.get("/login", base_url="https://localhost")
    assert cookie_flags(page, "session").get("secure") is True
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"},  # CSRF SSL-strict
                           data={"csrf_token": token, "email": user.email,
                                 "password": TEST_PASSWORD, "remember": "y"})

    assert response.status_code == 302
    session = cookie_flags(response, "session")
    assert session.get("secure") is True
    assert session.get("httponly") is True
    assert cookie_flags(response, "remember_token").get("secure") is True


def test_cookies_are_not_secure_only_in_development(client, factory):
    """The control for the production test: over plain http in development sign-in works."""
    user = factory.user("employee")
    response = sign_in(client, user)
    assert response.status_code == 302
    assert "secure" not in cookie_flags(response, "session")


# --- caching ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/ideas", "/account/profile", "/ideas/new"])
def test_signed_in_pages_are_not_stored(client, login_as, url):
    login_as("employee")
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert "Cookie" in response.headers.get("Vary", "")


def test_signed_in_idea_page_is_not_stored(client, login_as, factory):
    idea = factory.idea(factory.user("employee"))
    login_as("employee")
    response = client.get(f"/ideas/{idea.public_id}")
    assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/", "/ideas", "/login"])
def test_visitor_pages_stay_cacheable(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_signing_out_ends_no_store(client, login_as):
    """The header follows the live session, not a flag left over from an earlier request."""
    login_as("employee")
    assert "no-store" in client.get("/").headers.get("Cache-Control", "")
    response = client.post_form("/logout", {})
    assert response.status_code == 302
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


# --- request size -----------------------------------------------------------------------------

@pytest.fixture
def small_app(make_app):
    return make_app(MAX_CONTENT_LENGTH=1000)


def test_oversized_post_gets_a_friendly_413(small_app, factory):
    user = factory.user("employee")
    client = client_for(small_app)
    assert sign_in(client, user).status_code == 302
    client.signed_in = True
    token = client.csrf_token()

    response = client.post("/ideas/new", data={"csrf_token": token, "title": "Big",
                                                "body": "x" * 5000, "publish": "Publish"})

    assert response.status_code == 413
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "That upload is too large" in html
    assert 'class="site-header"' in html  # the normal layout, not a bare error
    assert "Traceback" not in html


def test_oversized_post_gets_json_413_for_fetch(small_app):
    client = client_for(small_app)
    response = client.post("/login", data={"email": "a@example.com", "password": "p" * 3000},
                           headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.is_json
    assert response.get_json()["error"] == "That upload is too large"


def test_small_posts_pass_the_size_limit(small_app, factory):
    """The control: the same app accepts an ordinary sign-in."""
    user = factory.user("employee")
    assert sign_in(client_for(small_app), user).status_code == 302


# --- error pages ------------------------------------------------------------------------------

def test_404_is_a_friendly_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "We could not find that page" in html
    assert 'href="/"' in html
    assert "Not Found" not in html  # not Werkzeug's bare page


def test_404_is_json_for_json_clients(client):
    response = client.get("/ideas/no-such-idea", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["error"] == "We could not find that page"
    assert body["detail"]


def test_400_from_a_missing_token_is_friendly(client):
    response = client.post("/language", data={"locale": "zh"})
    assert response.status_code == 400
    assert "That request could not be understood" in response.get_data(as_text=True)


# --- production refuses a weak SECRET_KEY -------------------------------------------------------

@pytest.mark.parametrize("secret", ["dev", None, "", "changeme", "short-but-random-7f3a"],
                         ids=["dev", "None", "empty", "changeme", "too-short"])
def test_production_refuses_a_weak_secret_key(make_app, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(ENV_NAME="production", SECRET_KEY=secret)


def test_production_starts_with_a_strong_secret_key(make_app):
    production = make_app(ENV_NAME="production", SECRET_KEY="x" * 40)
    assert production.config["ENV_NAME"] == "production"
