"""Integrations in the browser: personal access tokens (shown once, stored hashed, expiry and
scopes, revoked by their owner or by an admin, audited); webhook endpoints and their
deliveries with resend; API rate limits per token's person."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from ideaboard.extensions import db, limiter
from ideaboard.models import (
    ApiToken,
    AuditEntry,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
)
from ideaboard.services.api_tokens import create_personal_token
from tests.conftest import Client, Factory

TOKEN = re.compile(r'value="(ibp_[A-Za-z0-9_\-]+)"')


def test_a_token_is_shown_once_stored_hashed_and_revoked_by_its_owner(client, login_as):
    me = login_as("employee")
    made = client.post_form("/account/tokens", {"name": "My scripts", "write": "y",
                                                "expires_in_days": "30"}, follow_redirects=True)
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = TOKEN.search(made.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == me.id))
    assert secret not in repr([token.token_hash, token.prefix, token.name])
    assert token.scope_list == ["read", "write"] and token.expires_at is not None
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "My scripts" in listed and secret not in listed  # never shown again
    assert "ago" not in listed.split("until", 1)[1][:150]  # the expiry is a date to come
    api = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=api).get_json()["token"]["scopes"] == [
        "read", "write"]

    revoked = client.post_form(f"/account/tokens/{token.id}/revoke", {})
    assert revoked.status_code == 302
    assert client.get("/api/v1/me", headers=api).status_code == 401  # at once


def test_making_a_token_redirects_so_a_reload_makes_no_second_one(client, login_as):
    me = login_as("employee")
    made = client.post_form("/account/tokens", {"name": "Nightly export",
                                                "expires_in_days": "30"})
    assert made.status_code == 302 and made.headers["Location"] == "/account/tokens"
    assert "ibp_" not in made.get_data(as_text=True)  # the secret is on the page after
    shown = client.get("/account/tokens")
    assert shown.headers["Cache-Control"] == "no-store"
    secrets = TOKEN.findall(shown.get_data(as_text=True))
    assert len(secrets) == 1
    reloaded = client.get("/account/tokens").get_data(as_text=True)
    assert "Nightly export" in reloaded and not TOKEN.search(reloaded)  # once, never again
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == me.id)) == 1
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secrets[0]}"}
                      ).get_json()["token"]["name"] == "Nightly export"


def test_a_refused_token_stays_on_the_form_with_the_reason(client, login_as):
    login_as("employee")
    refused = client.post_form("/account/tokens", {"name": "", "expires_in_days": "30"})
    assert refused.status_code == 200 and not TOKEN.search(refused.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_a_directory_token_is_shown_once_after_a_redirect(client, login_as):
    login_as("admin")
    made = client.post_form("/admin/scim", {"name": "Okta"})
    assert made.status_code == 302 and made.headers["Location"] == "/admin/scim"
    shown = client.get("/admin/scim").get_data(as_text=True)
    assert len(re.findall(r'value="(ibs_[A-Za-z0-9_\-]+)"', shown)) == 1
    again = client.get("/admin/scim").get_data(as_text=True)
    assert "Okta" in again and "ibs_" not in again.split("Directory tokens", 1)[0]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_nobody_revokes_someone_elses_token_but_an_admin(client, factory, login_as):
    owner = factory.user(name="Token Owner")
    issued = create_personal_token(owner, name="Dashboard", write=False, expires_in_days=None)
    login_as("employee")
    assert client.post_form(f"/account/tokens/{issued.token.id}/revoke", {}).status_code == 404
    client.post_form("/logout", {})
    admin = login_as("admin")
    everyone = client.get("/admin/tokens").get_data(as_text=True)
    assert "Dashboard" in everyone and "Token Owner" in everyone
    assert client.post_form(f"/admin/tokens/{issued.token.id}/revoke", {}).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"}
                      ).status_code == 401
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api.token_revoke"))
    assert entry is not None and entry.actor_id == admin.id


def test_read_only_token_made_without_write(client, login_as):
    login_as("employee")
    made = client.post_form("/account/tokens", {"name": "Reader", "expires_in_days": ""},
                            follow_redirects=True)
    secret = TOKEN.search(made.get_data(as_text=True)).group(1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert me["token"] == {"name": "Reader", "scopes": ["read"], "expires_at": None}


def test_admins_register_webhooks_see_deliveries_and_resend(client, factory, login_as):
    login_as("admin")
    saved = client.post_form("/admin/webhooks", {
        "name": "Team chat", "url": "http://127.0.0.1:9/hook", "format": "feishu",
        "events": ["idea.posted", "idea.decided"], "locale": "zh", "secret": "",
        "active": "y"})
    assert saved.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.event_list == ["idea.posted", "idea.decided"] and endpoint.locale == "zh"
    factory.idea(title="Heard by the webhook")
    deliveries = client.get("/admin/webhooks/deliveries").get_data(as_text=True)
    assert "Heard by the webhook" in deliveries
    delivery = db.session.scalar(select(WebhookDelivery))
    shown = client.get(f"/admin/webhooks/deliveries/{delivery.id}").get_data(as_text=True)
    assert "msg_type" in shown and "新想法" in shown  # the Feishu body, in Chinese
    assert client.post_form(f"/admin/webhooks/deliveries/{delivery.id}/resend", {}
                            ).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"webhook.create", "webhook.resend"} <= actions
    generic = client.post_form("/admin/webhooks", {
        "name": "Unsigned", "url": "https://hooks.example.com/in", "format": "generic",
        "events": ["idea.posted"], "locale": "en", "secret": "short", "active": "y"})
    assert generic.status_code == 200  # refused: generic JSON needs a 16+ character secret
    assert "at least 16 characters" in generic.get_data(as_text=True)
    assert client.post_form(f"/admin/webhooks/{endpoint.id}/delete", {}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_the_api_is_rate_limited_per_person(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
    app.test_client_class = Client
    with app.app_context():
        limiter.reset()
        people = Factory(app)
        first = create_personal_token(people.user(Role.EMPLOYEE), name="a", write=False,
                                      expires_in_days=None).secret
        second = create_personal_token(people.user(Role.EMPLOYEE), name="b", write=False,
                                       expires_in_days=None).secret
        client = app.test_client()
        answers = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"})
                   for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].get_json()["error"]["code"] == "rate_limited"
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}
                          ).status_code == 200  # another person has their own allowance
