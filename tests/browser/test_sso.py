"""Single sign-on in Chromium against a real OpenID Connect provider on loopback
(the `oidc-provider-mock` package), behind a small recording proxy that also checks PKCE.

Shown: discovery, PKCE (S256) verified at the token endpoint, claim mapping (name, e-mail,
department, level from a configurable claim, role from groups), the account created then
updated at the next sign-in, SSO-only password sign-in; and refused: a replayed callback
(the state was used), a callback in another browser, and an ID token for another audience.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import app as provider_app
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from ideaboard.extensions import db
from ideaboard.models import Department, ExternalIdentity, Level, Role, User

CLIENT_ID, CLIENT_SECRET = "ideaboard", "ideaboard-client-secret"
DANA = ProviderUser(sub="dana-0042", claims={
    "email": "dana.li@corp.example", "email_verified": True, "name": "Dana Li",
    "department": "Finance", "job_level": "L5", "groups": ["staff", "ideaboard-leaders"]})


@dataclass
class ProviderProxy:
    """WSGI middleware in front of the provider: records PKCE challenges, refuses a token
    request whose code_verifier matches none, and can pretend our client is another one
    (so the provider signs an ID token for a different audience)."""
    provider: object
    challenges: list[tuple[str, str]] = field(default_factory=list)
    verified: int = 0
    impersonate: str | None = None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            if "code_challenge" in query:
                self.challenges.append((query["code_challenge"][0],
                                        query.get("code_challenge_method", ["plain"])[0]))
            if self.impersonate:
                query["client_id"] = [self.impersonate]
                environ["QUERY_STRING"] = urllib.parse.urlencode(query, doseq=True)
        if path == "/oauth2/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
            verifier = form.get("code_verifier", [""])[0]
            digest = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (digest, "S256") not in self.challenges:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [json.dumps({"error": "invalid_grant",
                                    "error_description": "PKCE verification failed"}).encode()]
            self.verified += 1
            if self.impersonate:
                if "client_id" in form:
                    form["client_id"] = [self.impersonate]
                credentials = f"{self.impersonate}:{CLIENT_SECRET}".encode()
                environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(credentials).decode()
            body = urllib.parse.urlencode(form, doseq=True).encode()
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return self.provider(environ, start_response)


@dataclass
class Provider:
    url: str
    proxy: ProviderProxy

    def set_claims(self, user: ProviderUser) -> None:
        request = urllib.request.Request(
            f"{self.url}/users/{user.sub}", data=json.dumps(user.claims).encode(),
            method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:  # loopback only
            assert response.status < 300


@pytest.fixture
def provider() -> Iterator[Provider]:
    proxy = ProviderProxy(provider_app(require_nonce=True, user_claims=[DANA]))
    server = make_server("127.0.0.1", 0, proxy, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # "localhost", not 127.0.0.1: cookies are per host, so the provider's never mix
        # with the app's.
        yield Provider(f"http://localhost:{server.server_port}", proxy)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_app(make_app, provider: Provider):
    return make_app(
        RATELIMIT_ENABLED=False, OIDC_ISSUER=provider.url, OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET, OIDC_PROVIDER_NAME="Corp ID",
        OIDC_SCOPES="openid email profile", OIDC_LEVEL_CLAIM="job_level",
        OIDC_LEVEL_VALUES={"L3": "manager", "L5": "senior", "L7": "executive"},
        OIDC_LEADER_GROUPS=["ideaboard-leaders"], OIDC_ADMIN_GROUPS=["ideaboard-admins"],
        SSO_ONLY=True, SSO_BREAK_GLASS_EMAILS=["rescue@example.com"])


def sign_in_with_provider(page: Page, live_server: str, callbacks: list[str]) -> None:
    page.on("request", lambda request: callbacks.append(request.url)
            if "/login/sso/callback" in request.url else None)
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="Sign in with Corp ID").click()
    expect(page.get_by_role("button", name=DANA.sub)).to_be_visible()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    page.get_by_role("button", name=DANA.sub).click()


def dana() -> User | None:
    db.session.rollback()  # a fresh snapshot: the server wrote in another connection
    return db.session.scalar(select(User).where(User.email == DANA.claims["email"]))


def ours(browser_errors, live_server: str) -> list[str]:
    """The app's own console errors (the provider's test pages have no favicon) minus the
    400 answers this test provokes on purpose."""
    return [m for m in browser_errors.messages
            if f"on {live_server}" in m and "status of 400" not in m]


def test_sso_creates_then_updates_the_account_and_refuses_a_replayed_callback(
        app, page_js: Page, new_page, live_server: str, provider: Provider, screenshot,
        check_a11y, browser_errors):
    page = page_js
    page.goto(f"{live_server}/login")
    expect(page.locator("details.break-glass summary")).to_have_text(
        "Administrator sign-in with a password")
    check_a11y(page, "login with single sign-on")
    screenshot(page, "sso-login")

    callbacks: list[str] = []
    sign_in_with_provider(page, live_server, callbacks)
    expect(page.locator(".user-menu summary")).to_have_text("Dana Li")
    assert provider.proxy.verified == 1  # the token request carried the PKCE verifier

    user = dana()
    assert (user.role, user.level) == (Role.LEADER, Level.SENIOR)
    assert db.session.get(Department, user.department_id).name == "Finance"
    assert user.email_verified_at is not None
    identity = db.session.scalar(select(ExternalIdentity).where(
        ExternalIdentity.user_id == user.id))
    assert (identity.issuer, identity.subject) == (provider.url, DANA.sub)

    # The same callback again, in the same browser and in another one: refused.
    [callback] = callbacks
    for browser_page in (page, new_page()):
        response = browser_page.goto(callback)
        assert response.status == 400
        expect(browser_page.locator("h1")).to_have_text("Sign-in failed")
    screenshot(page, "sso-replayed-state")

    # The provider changes her name, level and groups; the next sign-in brings them over.
    provider.set_claims(ProviderUser(sub=DANA.sub, claims={
        **DANA.claims, "name": "Dana Li-Chen", "job_level": "L3", "groups": ["staff"]}))
    fresh = new_page()
    sign_in_with_provider(fresh, live_server, [])
    expect(fresh.locator(".user-menu summary")).to_have_text("Dana Li-Chen")
    user = dana()
    assert (user.role, user.level, user.display_name) == (Role.EMPLOYEE, Level.MANAGER,
                                                          "Dana Li-Chen")
    assert db.session.scalar(select(db.func.count()).select_from(User).where(
        User.email == DANA.claims["email"])) == 1
    assert ours(browser_errors, live_server) == []


def test_an_id_token_for_another_audience_is_refused(app, page_js: Page, live_server: str,
                                                     provider: Provider, browser_errors):
    provider.proxy.impersonate = "some-other-app"
    page = page_js
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="Sign in with Corp ID").click()
    page.get_by_role("button", name=DANA.sub).click()
    expect(page.locator("h1")).to_have_text("Sign-in failed")
    assert provider.proxy.verified == 1  # the provider did issue a token: ours refused it
    assert dana() is None
    assert page.locator(".user-menu").count() == 0
    assert ours(browser_errors, live_server) == []
