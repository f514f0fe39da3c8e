"""Verified sign-up, password reset, password change and signing out everywhere, over HTTP.

Links are read from the outbox exactly as the mail worker would render them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import AccountToken, LoginSession, Role, User
from ideaboard.models.base import utcnow
from tests.conftest import CSRF_PATTERN, TEST_PASSWORD, sign_in
from tests.identity_mail import account_mails, mailed_link

NEW_PASSWORD = "a brand new passphrase"
SIGNUP = {"email": "li.na@example.com", "display_name": "李娜", "password": "a long password",
          "confirm": "a long password", "department_id": "0", "level": "manager",
          "locale": ""}


def signed_in(client) -> bool:
    response = client.get("/account/profile")
    return response.status_code == 200


def sign_in_attempt(client, email: str, password: str):
    return client.post_form("/login", {"email": email, "password": password})


def without_csrf(html: str) -> str:
    return CSRF_PATTERN.sub("", html)


# --- sign-up needs the e-mailed link -----------------------------------------------------

def test_sign_up_sends_a_link_and_the_account_waits_for_it(client, make_client):
    response = client.post_form("/signup", SIGNUP)
    assert response.headers["Location"] == "/signup/sent"
    assert not signed_in(client)
    assert "Check your e-mail" in client.get("/signup/sent").get_data(as_text=True)

    refused = sign_in_attempt(make_client(), SIGNUP["email"], SIGNUP["password"])
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert "Confirm your e-mail address first" in page
    assert "Send me a new confirmation link" in page

    link = mailed_link(SIGNUP["email"], "verify_email")
    confirm_page = client.get(link)  # opening the link (or a mail scanner) changes nothing
    assert confirm_page.status_code == 200
    assert db.session.scalar(select(User.email_verified_at).where(
        User.email == SIGNUP["email"])) is None
    assert client.post_form(link).headers["Location"] == "/login"

    browser = make_client()
    assert sign_in_attempt(browser, SIGNUP["email"], SIGNUP["password"]).status_code == 302
    assert "李娜" in browser.get("/").get_data(as_text=True)
    # Used once, the link is dead; so is a made-up one.
    assert client.get(link).status_code == 404
    assert client.post_form(link).status_code == 404
    assert client.get("/verify/1.not-the-signature").status_code == 404
    assert client.get("/verify/%00").status_code == 400  # a NUL anywhere: one clear 400


def test_a_confirmation_link_expires(client):
    client.post_form("/signup", SIGNUP)
    link = mailed_link(SIGNUP["email"], "verify_email")
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "no longer works" in page.get_data(as_text=True)
    assert client.post_form(link).status_code == 404
    # A new one can be asked for, and works.
    client.post_form("/verify/resend", {"email": SIGNUP["email"]})
    fresh = mailed_link(SIGNUP["email"], "verify_email")
    assert fresh != link
    assert client.post_form(fresh).status_code == 302


def test_invited_and_existing_people_need_no_confirmation(client, factory, make_client):
    from ideaboard.services.accounts import create_invite

    invite = create_invite(factory.user(Role.ADMIN), email=None, role=Role.EMPLOYEE,
                           valid_days=3)
    invited = {**SIGNUP, "email": "guest@partner.org"}
    assert client.post_form(f"/signup/{invite.token}", invited).headers["Location"] == "/"
    assert signed_in(client)
    assert account_mails("guest@partner.org") == []
    assert sign_in(make_client(), factory.user()).status_code == 302  # an existing account


def test_sign_up_never_says_whether_an_address_is_taken(client, make_client, factory):
    taken = factory.user(email="taken@example.com")
    new = make_client().post_form("/signup", {**SIGNUP, "email": "fresh@example.com"})
    again = make_client().post_form("/signup", {**SIGNUP, "email": taken.email})
    assert (new.status_code, new.headers["Location"]) == (again.status_code,
                                                          again.headers["Location"])
    # The owner of the taken address is told, and nothing about the account changed.
    assert [m.kind for m in account_mails(taken.email)] == ["signup_exists"]
    db.session.refresh(taken)
    assert taken.display_name != SIGNUP["display_name"]
    assert sign_in(make_client(), taken).status_code == 302


# --- forgotten password -------------------------------------------------------------------

def test_forgot_password_answers_the_same_for_any_address(client, factory):
    user = factory.user(email="known@example.com")
    known = client.post_form("/password/forgot", {"email": user.email})
    unknown = client.post_form("/password/forgot", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(
        unknown.get_data(as_text=True))
    assert [m.kind for m in account_mails(user.email)] == ["reset_password"]
    assert account_mails("nobody@example.com") == []


def test_reset_link_sets_a_password_once_and_ends_every_session(client, factory, make_client):
    user = factory.user()
    elsewhere = make_client()
    sign_in(elsewhere, user)
    client.post_form("/password/forgot", {"email": user.email})
    link = mailed_link(user.email, "reset_password")

    assert client.get(link).status_code == 200
    short = client.post_form(link, {"password": "short", "confirm": "short"})
    assert short.status_code == 200 and "at least" in short.get_data(as_text=True)
    done = client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/login"

    assert not signed_in(elsewhere)  # the other device was signed out
    assert sign_in_attempt(make_client(), user.email, TEST_PASSWORD).status_code == 200
    assert sign_in_attempt(make_client(), user.email, NEW_PASSWORD).status_code == 302
    # Used once: dead.
    assert client.get(link).status_code == 404
    again = client.post_form(link, {"password": "another passphrase",
                                    "confirm": "another passphrase"})
    assert again.status_code == 404
    assert sign_in_attempt(make_client(), user.email, NEW_PASSWORD).status_code == 302


def test_reset_link_expires(client, factory):
    user = factory.user()
    client.post_form("/password/forgot", {"email": user.email})
    link = mailed_link(user.email, "reset_password")
    db.session.execute(update(AccountToken).values(
        expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(link).status_code == 404
    assert client.post_form(link, {"password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 404


def test_a_link_works_only_for_its_own_account(client, factory):
    """Another person's row id under my signature (or a verification link used as a reset
    link) opens nothing."""
    mine, theirs = factory.user(), factory.user()
    client.post_form("/password/forgot", {"email": mine.email})
    client.post_form("/password/forgot", {"email": theirs.email})
    my_link = mailed_link(mine.email, "reset_password")
    their_link = mailed_link(theirs.email, "reset_password")
    my_id, my_signature = my_link.rsplit("/", 1)[1].split(".")
    their_id = their_link.rsplit("/", 1)[1].split(".")[0]
    forged = f"/password/reset/{their_id}.{my_signature}"
    assert client.get(forged).status_code == 404
    assert client.post_form(forged, {"password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD}).status_code == 404
    assert client.get(f"/verify/{my_id}.{my_signature}").status_code == 404
    assert client.get(my_link).status_code == 200


def test_changing_the_password_kills_outstanding_links(client, factory):
    user = factory.user()
    client.post_form("/password/forgot", {"email": user.email})
    link = mailed_link(user.email, "reset_password")
    sign_in(client, user)
    changed = client.post_form("/account/password", {
        "current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get(link).status_code == 404


# --- the account page ---------------------------------------------------------------------

def test_change_password_ends_the_other_sessions_only(client, factory, make_client):
    user = factory.user()
    sign_in(client, user)
    laptop = make_client()
    sign_in(laptop, user)
    page = client.get("/account/password").get_data(as_text=True)
    assert "signed in on 2 devices" in page

    wrong = client.post_form("/account/password", {
        "current_password": "not my password", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert wrong.status_code == 200 and "current password is not right" in wrong.get_data(
        as_text=True)
    assert signed_in(laptop)

    client.post_form("/account/password", {
        "current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert signed_in(client)
    assert not signed_in(laptop)
    assert sign_in_attempt(make_client(), user.email, NEW_PASSWORD).status_code == 302


def test_sign_out_everywhere(client, factory, make_client):
    user = factory.user()
    phones = [make_client() for _ in range(2)]
    for browser in [client, *phones]:
        sign_in(browser, user)
    other = factory.user()
    sign_in(make_client(), other)

    response = client.post_form("/account/sessions/end")
    assert response.headers["Location"] == "/login"
    assert not any(signed_in(browser) for browser in [client, *phones])
    assert db.session.scalar(select(LoginSession.id).where(
        LoginSession.user_id == user.id)) is None
    assert db.session.scalar(select(LoginSession.id).where(
        LoginSession.user_id == other.id)) is not None


# --- single sign-on only ------------------------------------------------------------------

@pytest.fixture
def sso_only_client(make_app):
    app = make_app(SSO_ONLY=True, SSO_BREAK_GLASS_EMAILS=["rescue@example.com"],
                   OIDC_ISSUER=None)
    from tests.conftest import Client
    app.test_client_class = Client
    with app.app_context():
        yield app


def test_sso_only_turns_passwords_off_except_for_the_break_glass_admin(sso_only_client):
    from tests.conftest import Factory

    factory = Factory(sso_only_client)
    employee = factory.user()
    admin = factory.user(Role.ADMIN)
    rescue = factory.user(Role.ADMIN, email="rescue@example.com")

    def attempt(user):
        return sign_in_attempt(sso_only_client.test_client(), user.email, TEST_PASSWORD)

    for refused in (employee, admin):
        page = attempt(refused)
        assert page.status_code == 200
        assert "single sign-on" in page.get_data(as_text=True)
    assert attempt(rescue).status_code == 302
    browser = sso_only_client.test_client()
    signup = browser.post_form("/signup", SIGNUP)
    assert "single sign-on" in signup.get_data(as_text=True)
    browser.post_form("/password/forgot", {"email": employee.email})
    browser.post_form("/password/forgot", {"email": rescue.email})
    assert account_mails(employee.email) == []
    assert [m.kind for m in account_mails(rescue.email)] == ["reset_password"]
    assert re.search(r"Administrator sign-in", browser.get("/login").get_data(as_text=True))
