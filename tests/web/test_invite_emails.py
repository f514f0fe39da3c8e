"""Invitation e-mails are checked like sign-up e-mails: one check, in the form and in every
service that stores an invitation address (issue 13: all 74 payloads were stored)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Invite, Role
from ideaboard.services.accounts import InvalidEmail, checked_email, create_invite
from ideaboard.services.admin import invite

PAYLOADS = [line for line in
            (Path(__file__).parent.parent / "xss_payloads.txt").read_text("utf-8").splitlines()
            if line.strip()]
NOT_ADDRESSES = ["plainword", "a@b", "x@localhost", '"quoted"@example.com',
                 "a@example.com\nBcc: b@example.com", "a" * 250 + "@example.com",
                 "a@@example.com", "<a@example.com>", "a b@example.com"]


def invite_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invite))


@pytest.mark.parametrize("address", NOT_ADDRESSES + PAYLOADS[:10])
def test_services_refuse_what_is_not_an_address(app, factory, address):
    admin = factory.user("admin")
    with pytest.raises(InvalidEmail):
        invite(admin, email=address, role=Role.EMPLOYEE, valid_days=7)
    with pytest.raises(InvalidEmail):
        create_invite(admin, email=address, role=Role.EMPLOYEE, valid_days=7)
    assert invite_count() == 0


def test_a_real_address_is_stored_normalised(app, factory):
    admin = factory.user("admin")
    created = invite(admin, email="  New.Person@Example.COM ", role=Role.LEADER, valid_days=7)
    assert created.email == "new.person@example.com"
    assert checked_email("José@例子.中国") == "josé@例子.中国"  # international addresses are fine


def test_admin_invite_form_gives_a_clear_error_for_every_payload(client, login_as):
    login_as("admin")
    refused = []
    for payload in PAYLOADS:
        response = client.post_form("/admin/invites", {"email": payload, "role": "employee",
                                                       "valid_days": "7"})
        page = response.get_data(as_text=True)
        if response.status_code == 200 and "Enter a valid e-mail address" in page:
            refused.append(payload)
    assert refused == PAYLOADS
    assert invite_count() == 0
    response = client.post_form("/admin/invites", {"email": "colleague@example.com",
                                                   "role": "employee", "valid_days": "7"})
    assert response.status_code == 302
    assert db.session.scalar(select(Invite.email)) == "colleague@example.com"


def test_sign_up_uses_the_same_check(client):
    response = client.post_form("/signup", {"email": "a@b", "password": "long enough pass",
                                            "confirm": "long enough pass",
                                            "display_name": "Somebody"})
    assert "Enter a valid e-mail address" in response.get_data(as_text=True)
