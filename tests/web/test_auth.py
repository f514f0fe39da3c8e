"""Sign-in, sign-out, remember-me, sign-up and suspension through HTTP."""
import re
from datetime import timedelta

import pytest

from ideaboard.extensions import db
from ideaboard.models import Role
from ideaboard.models.base import utcnow
from ideaboard.services.accounts import create_invite, suspend_user
from tests.conftest import TEST_PASSWORD, sign_in
from tests.identity_mail import mailed_link


def session_cookie(client, name="session"):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_sign_in_and_out(client, factory):
    user = factory.user(name="Dana")
    assert sign_in(client, user).headers["Location"] == "/"
    assert "Dana" in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # never by link
    client.post_form("/logout")
    assert client.get("/account/profile").status_code == 302


def test_the_old_session_cookie_stops_working_after_logout(client, factory, app):
    sign_in(client, factory.user())
    stolen = session_cookie(client)
    assert client.get("/account/profile").status_code == 200
    client.post_form("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/account/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_me_survives_the_browser_session_but_not_logout(client, factory, app):
    user = factory.user()
    token = client.csrf_token()
    client.post("/login", data={"csrf_token": token, "email": user.email,
                                "password": TEST_PASSWORD, "remember": "y"})
    remember = session_cookie(client, "remember_token")
    assert remember
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account/profile").status_code == 200
    client.post_form("/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remember)
    assert later.get("/account/profile").status_code == 302


def test_wrong_password_is_explained_next_to_the_field(client, factory):
    user = factory.user()
    page = client.post_form("/login", {"email": user.email, "password": "nope"})
    assert page.status_code == 200
    assert "do not match" in page.get_data(as_text=True)


def test_a_suspended_user_is_signed_out_at_once_and_told_why(client, factory):
    user = factory.user()
    sign_in(client, user)
    assert client.get("/account/profile").status_code == 200
    until = utcnow() + timedelta(days=10)
    suspend_user(user, until, "Posting colleagues' phone numbers")
    assert client.get("/account/profile").status_code == 302
    client.signed_in = False
    page = client.post_form("/login", {"email": user.email, "password": TEST_PASSWORD})
    text = page.get_data(as_text=True)
    assert "suspended" in text and "Posting colleagues&#39; phone numbers" in text
    assert str(until.year) in text


def test_sign_up_with_an_allowed_domain(client, factory):
    dept = factory.department("Sales")
    response = client.post_form("/signup", {
        "email": "li.na@example.com", "display_name": "李娜", "password": "a long password",
        "confirm": "a long password", "department_id": dept.id, "level": "manager",
        "locale": "zh"})
    assert response.headers["Location"] == "/signup/sent"
    client.post_form(mailed_link("li.na@example.com", "verify_email"))
    client.post_form("/login", {"email": "li.na@example.com", "password": "a long password"})
    assert "李娜" in client.get("/").get_data(as_text=True)


def test_sign_up_from_another_domain_needs_an_invite(client, factory):
    form = {"email": "guest@partner.org", "display_name": "Guest", "password": "a long password",
            "confirm": "a long password", "department_id": 0, "level": "frontline",
            "locale": ""}
    refused = client.post_form("/signup", form)
    assert refused.status_code == 200 and "invitation" in refused.get_data(as_text=True)
    invite = create_invite(factory.user(Role.ADMIN), email=None, role=Role.EMPLOYEE,
                           valid_days=3)
    assert client.get(f"/signup/{invite.token}").status_code == 200
    assert client.post_form(f"/signup/{invite.token}", form).status_code == 302
    assert client.get("/signup/not-a-token").status_code in (302, 404)


def test_admin_creates_an_invite_link(client, login_as):
    login_as("admin")
    response = client.post_form("/admin/invites", {"email": "", "role": "leader",
                                                   "valid_days": 5}, follow_redirects=True)
    assert "/signup/" in response.get_data(as_text=True)


def test_profile_changes_are_saved(client, login_as, factory):
    login_as("employee")
    dept = factory.department("Finance")
    client.post_form("/account/profile", {"display_name": "New Name", "department_id": dept.id,
                                          "level": "senior", "locale": "zh"})
    page = client.get("/account/profile").get_data(as_text=True)
    assert "New Name" in page and 'lang="zh-Hans"' in page


def test_create_admin_command(runner):
    result = runner.invoke(args=["create-admin", "--email", "boss@corp.example",
                                 "--name", "Boss", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    short = runner.invoke(args=["create-admin", "--email", "b2@corp.example", "--name", "B",
                                "--password", "short"])
    assert short.exit_code != 0


@pytest.mark.parametrize("locale, valid, expired", [
    ("en", r"valid until <time[^>]*>[A-Z][a-z]{2} \d{1,2} \(in 7 days\)</time>",
     r"expired <time[^>]*>3 days ago</time>"),
    ("zh", r"有效期至 <time[^>]*>\d{1,2}月\d{1,2}日（7天后）</time>",
     r"<time[^>]*>3天前</time>过期"),
], ids=["en", "zh"])
def test_invites_say_when_they_expire_the_right_way_round(client, login_as, locale, valid,
                                                          expired):
    admin = login_as("admin", locale=locale)
    later = create_invite(admin, email="later@partner.org", role=Role.EMPLOYEE, valid_days=7)
    earlier = create_invite(admin, email="earlier@partner.org", role=Role.EMPLOYEE,
                            valid_days=3)
    earlier.expires_at = utcnow() - timedelta(days=3, minutes=1)
    db.session.commit()
    if later.expires_at.year != utcnow().year:  # the date then carries its year
        valid = valid.replace(r"[A-Z][a-z]{2} \d{1,2}", r"[A-Z][a-z]{2} \d{1,2}, \d{4}") \
            .replace(r"\d{1,2}月", r"\d{4}年\d{1,2}月")
    page = client.get("/admin/invites").get_data(as_text=True)
    rows = {address: page.split(address, 1)[1].split("</tr>", 1)[0]
            for address in ("later@partner.org", "earlier@partner.org")}
    assert re.search(valid, rows["later@partner.org"]), rows["later@partner.org"]
    assert re.search(expired, rows["earlier@partner.org"]), rows["earlier@partner.org"]
    assert "ago" not in rows["later@partner.org"] and "前" not in rows["later@partner.org"]
def test_a_session_fails_on_its_next_request_when_its_user_is_suspended_elsewhere(
        client, factory, app):
    """Another host (or the directory sync) may change the user row without ending the
    sessions: the session lookup checks the account on every request, nothing is cached."""
    from sqlalchemy import update

    from ideaboard.extensions import db
    from ideaboard.models import User

    user = factory.user()
    sign_in(client, user)
    assert client.get("/ideas/similar").status_code == 200
    db.session.execute(update(User).where(User.id == user.id)
                       .values(suspended_until=utcnow() + timedelta(days=1)))
    db.session.commit()
    refused = client.get("/ideas/similar")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    db.session.execute(update(User).where(User.id == user.id)
                       .values(suspended_until=None, deactivated_at=utcnow()))
    db.session.commit()
    assert client.get("/ideas/similar").status_code == 302
    db.session.execute(update(User).where(User.id == user.id).values(deactivated_at=None))
    db.session.commit()
    assert client.get("/ideas/similar").status_code == 200  # the same session, unchanged
