"""Sign-up rules, sign-in, sessions and suspension."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Invite, Level, LoginSession, OutboxMessage, Role, User
from ideaboard.models.base import utcnow
from ideaboard.services import NotAllowed
from ideaboard.services.accounts import (
    AccountSuspended,
    SignInRefused,
    authenticate,
    create_invite,
    load_login_session,
    register_user,
    start_login_session,
    suspend_user,
)
from tests.conftest import TEST_PASSWORD

ALLOWED = ["example.com"]
pytestmark = pytest.mark.usefixtures("app")


def register(email, **kwargs):
    return register_user(email=email, password="long enough pw", display_name="New person",
                         department_id=None, level=Level.FRONTLINE, locale=None,
                         allowed_domains=ALLOWED, **kwargs)


def test_sign_up_is_open_to_allowed_domains_only():
    assert register("New.Person@Example.com") is None  # a confirmation link is on its way
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user.role == Role.EMPLOYEE and user.email_verified_at is None
    assert user.password_hash.startswith("scrypt:")
    with pytest.raises(NotAllowed):
        register("someone@elsewhere.org")
    # The address is taken: the same answer, and its owner is told by e-mail instead.
    assert register("new.person@example.com") is None
    kinds = db.session.scalars(select(OutboxMessage.kind).where(
        OutboxMessage.user_id == user.id).order_by(OutboxMessage.id))
    assert list(kinds) == ["verify_email", "verify_email"]  # unconfirmed: a fresh link


def test_an_invite_lets_an_outside_address_in_once_with_its_role(factory):
    admin = factory.user(Role.ADMIN)
    invite = create_invite(admin, email="guest@partner.org", role=Role.LEADER, valid_days=7)
    user = register("guest@partner.org", invite_token=invite.token)
    assert user.role == Role.LEADER
    with pytest.raises(NotAllowed):
        register("other@partner.org", invite_token=invite.token)


def test_an_expired_invite_is_refused(factory):
    invite = create_invite(factory.user(Role.ADMIN), email=None, role=Role.EMPLOYEE,
                           valid_days=1)
    db.session.get(Invite, invite.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotAllowed):
        register("late@partner.org", invite_token=invite.token)


def test_authenticate_checks_password_and_suspension(factory):
    user = factory.user()
    assert authenticate(user.email.upper(), TEST_PASSWORD).id == user.id
    with pytest.raises(SignInRefused):
        authenticate(user.email, "wrong password")
    with pytest.raises(SignInRefused):
        authenticate("nobody@example.com", TEST_PASSWORD)
    suspend_user(user, utcnow() + timedelta(days=3), "Repeated spam")
    with pytest.raises(AccountSuspended) as refused:
        authenticate(user.email, TEST_PASSWORD)
    assert refused.value.reason == "Repeated spam"


def test_suspension_ends_live_sessions_and_expires_by_itself(factory):
    user = factory.user()
    session = start_login_session(user, "pytest")
    assert load_login_session(session.id).id == user.id
    suspend_user(user, utcnow() + timedelta(seconds=-1), "Ended already")
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert load_login_session(session.id) is None
    assert authenticate(user.email, TEST_PASSWORD).id == user.id  # the date has passed


def test_sign_up_refuses_a_department_or_level_while_the_directory_owns_them(factory):
    from ideaboard.services.api_tokens import create_scim_token

    create_scim_token(factory.user(Role.ADMIN), name="Okta")
    for given in ({"department_id": factory.department("Sales").id, "level": None},
                  {"department_id": None, "level": Level.EXECUTIVE}):
        with pytest.raises(NotAllowed, match="company directory"):
            register_user(email="hire@example.com", password="long enough pw",
                          display_name="Hire", locale=None, allowed_domains=ALLOWED, **given)
    register_user(email="hire@example.com", password="long enough pw", display_name="Hire",
                  department_id=None, level=None, locale=None, allowed_domains=ALLOWED)
    hire = db.session.scalar(select(User).where(User.email == "hire@example.com"))
    assert (hire.department_id, hire.level) == (None, Level.FRONTLINE)
