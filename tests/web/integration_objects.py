"""Integration objects (issue 20) for the route × role matrices (tests/web/test_access_matrix.py,
test_csrf.py): a personal and a directory token, a webhook endpoint with one delivery, and a
directory-provisioned person."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import (
    ApiToken,
    EventKind,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from ideaboard.services.api_tokens import create_personal_token, create_scim_token
from ideaboard.services.webhooks import EndpointSettings, save_endpoint

RECEIVER = "http://127.0.0.1:9/hook"  # discard port: nothing is ever sent in these tests


@dataclass
class IntegrationObjects:
    personal_token: ApiToken
    scim_token: ApiToken
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery
    directory_user: User

    def path_values(self) -> dict[tuple[str, str], str]:
        return {("tokens", "token_id"): str(self.personal_token.id),
                ("scim", "token_id"): str(self.scim_token.id),
                ("webhooks", "endpoint_id"): str(self.endpoint.id),
                ("deliveries", "delivery_id"): str(self.delivery.id),
                ("Users", "user_id"): str(self.directory_user.id)}


def integration_objects(factory, admin: User, token_owner: User) -> IntegrationObjects:
    """`admin` registers the webhook and makes the directory token; `token_owner` has a
    personal token; posting an idea leaves one delivery in the outbox."""
    personal = create_personal_token(token_owner, name="Scripts", write=True,
                                     expires_in_days=None).token
    scim = create_scim_token(admin, name="Okta").token
    endpoint = save_endpoint(admin, None, EndpointSettings(
        name="Team chat", url=RECEIVER, format=WebhookFormat.SLACK,
        events=[EventKind.IDEA_POSTED], locale="en", secret=""))
    factory.idea(token_owner, title="An idea the webhook hears of")
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id).order_by(WebhookDelivery.id.desc()))
    assert delivery is not None
    return IntegrationObjects(personal, scim, endpoint, delivery,
                              factory.user(name="Directory Person"))
