"""Directory sync over SCIM 2.0, with the request sequences Okta and Microsoft Entra ID send
(written out as their provisioning documentation shows them): look the user up by
`userName eq`, create, update, deactivate (sessions end at once), reactivate, delete. While
a directory syncs, department and level are read-only in people's profiles."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import (
    ApiToken,
    AuditEntry,
    Department,
    DirectoryAccount,
    Level,
    Role,
    TokenKind,
    User,
)
from ideaboard.services.api_tokens import create_personal_token, create_scim_token, revoke_token
from ideaboard.services.identity import hash_password
from tests.conftest import TEST_PASSWORD, Factory, sign_in

SCIM = "/scim/v2"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
IDEABOARD = "urn:ietf:params:scim:schemas:extension:ideaboard:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MEDIA = "application/scim+json"


@pytest.fixture
def directory(factory):
    """An admin connected the directory: the SCIM token's Authorization header."""
    admin = factory.user(Role.ADMIN, name="Directory Admin")
    issued = create_scim_token(admin, name="Okta")
    return {"Authorization": f"Bearer {issued.secret}", "Content-Type": MEDIA,
            "Accept": MEDIA}


def filtered(client, headers, user_name: str) -> dict:
    query = quote('userName eq "' + user_name + '"')
    response = client.get(f"{SCIM}/Users?filter={query}&startIndex=1&count=100",
                          headers=headers)
    assert response.status_code == 200
    assert response.mimetype == MEDIA
    return response.get_json()


def user_by_id(user_id: str) -> User:
    db.session.expire_all()
    return db.session.get(User, int(user_id))


def browser_of(make_client, user: User):
    """The person signed in on their laptop (their directory account got a password here)."""
    user.password_hash = hash_password(TEST_PASSWORD)
    db.session.commit()
    browser = make_client()
    assert sign_in(browser, user).status_code == 302
    assert browser.get("/account/profile").status_code == 200
    return browser


def test_okta_sequence(client, make_client, directory):
    # 1. Okta asks whether the user exists
    assert filtered(client, directory, "jane.doe@example.com") == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0,
        "startIndex": 1, "itemsPerPage": 0, "Resources": []}
    # 2. … and creates them
    created = client.post(f"{SCIM}/Users", headers=directory, json={
        "schemas": [CORE, ENTERPRISE], "userName": "jane.doe@example.com",
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"primary": True, "value": "jane.doe@example.com", "type": "work"}],
        "displayName": "Jane Doe", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [], "password": "1mz050nq", "active": True,
        ENTERPRISE: {"department": "Finance"}, IDEABOARD: {"level": "manager"}})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert created.headers["Location"] == body["meta"]["location"]
    assert body["userName"] == "jane.doe@example.com" and body["active"] is True
    assert body[ENTERPRISE] == {"department": "Finance"} and body[IDEABOARD]["level"] == "manager"
    jane = user_by_id(body["id"])
    assert (jane.email, jane.display_name, jane.level) == ("jane.doe@example.com", "Jane Doe",
                                                           Level.MANAGER)
    assert db.session.get(Department, jane.department_id).name == "Finance"
    # 3. the lookup finds them now; GET by id answers the same resource
    found = filtered(client, directory, "Jane.Doe@example.com")  # userName is case-insensitive
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == body["id"]
    assert client.get(f"{SCIM}/Users/{body['id']}", headers=directory).get_json() == body
    # 4. a profile change in Okta comes as PUT of the whole user
    replaced = client.put(f"{SCIM}/Users/{body['id']}", headers=directory, json={
        **{key: value for key, value in body.items() if key != "meta"},
        "displayName": "Jane Doe-Smith", ENTERPRISE: {"department": "Treasury"}})
    assert replaced.status_code == 200
    jane = user_by_id(body["id"])
    assert jane.display_name == "Jane Doe-Smith"
    assert db.session.get(Department, jane.department_id).name == "Treasury"
    # 5. unassigning the app deactivates: PATCH active=false without a path; sessions end
    browser = browser_of(make_client, jane)
    deactivated = client.patch(f"{SCIM}/Users/{body['id']}", headers=directory, json={
        "schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    page = browser.get("/account/profile")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert user_by_id(body["id"]).deactivated_at is not None
    assert browser.post("/login", data={"csrf_token": browser.csrf_token(),
                                        "email": jane.email, "password": TEST_PASSWORD}
                        ).status_code != 302  # and cannot sign in again
    # 6. reassigning reactivates
    client.patch(f"{SCIM}/Users/{body['id']}", headers=directory, json={
        "schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]})
    assert user_by_id(body["id"]).deactivated_at is None
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("scim.%")).order_by(AuditEntry.id)).all()
    assert actions == ["scim.token_create", "scim.user_create", "scim.user_update",
                       "scim.user_deactivate", "scim.user_update"]


def test_entra_id_sequence(client, make_client, factory, directory):
    user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"
    # Entra first checks that filtering works with a user that does not exist
    assert filtered(client, directory, "non-existent user")["totalResults"] == 0
    assert filtered(client, directory, user_name)["totalResults"] == 0
    created = client.post(f"{SCIM}/Users", headers=directory, json={
        "schemas": [CORE, ENTERPRISE], "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name, "active": True,
        "emails": [{"primary": True, "type": "work",
                    "value": "Test_User_fd0ea19b@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName",
                 "givenName": "givenName"},
        "roles": []})
    assert created.status_code == 201, created.get_data(as_text=True)
    user_id = created.get_json()["id"]
    assert user_by_id(user_id).display_name == "givenName familyName"
    # creating the same userName again is a uniqueness conflict
    again = client.post(f"{SCIM}/Users", headers=directory, json={
        "schemas": [CORE], "userName": user_name,
        "emails": [{"primary": True, "value": "someone.else@testuser.com"}]})
    assert again.status_code == 409 and again.get_json()["scimType"] == "uniqueness"
    found = filtered(client, directory, user_name)
    assert [item["id"] for item in found["Resources"]] == [user_id]
    # Entra's PATCH: capitalised ops, paths with filters, booleans as strings
    patched = client.patch(f"{SCIM}/Users/{user_id}", headers=directory, json={
        "schemas": [PATCH_OP], "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value',
             "value": "updatedEmail@testuser.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Engineering"},
            {"op": "Replace", "path": "displayName", "value": "Updated Name"}]})
    assert patched.status_code == 200, patched.get_data(as_text=True)
    person = user_by_id(user_id)
    assert (person.email, person.display_name) == ("updatedemail@testuser.com", "Updated Name")
    assert db.session.get(Department, person.department_id).name == "Engineering"
    browser = browser_of(make_client, person)
    disabled = client.patch(f"{SCIM}/Users/{user_id}", headers=directory, json={
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    assert browser.get("/account/profile").status_code == 302  # signed out at once
    # deleting unlinks and keeps the person deactivated (their posts stay)
    assert client.delete(f"{SCIM}/Users/{user_id}", headers=directory).status_code == 204
    gone = client.get(f"{SCIM}/Users/{user_id}", headers=directory)
    assert gone.status_code == 404 and gone.get_json()["status"] == "404"
    assert user_by_id(user_id).deactivated_at is not None
    assert db.session.get(DirectoryAccount, int(user_id)) is None


def test_an_existing_account_is_taken_over_by_email(client, factory, directory):
    existing = factory.user(email="already.here@example.com", name="Already Here")
    created = client.post(f"{SCIM}/Users", headers=directory, json={
        "schemas": [CORE], "userName": "already.here@example.com", "active": True,
        "emails": [{"primary": True, "value": "Already.Here@example.com"}]})
    assert created.status_code == 201
    assert created.get_json()["id"] == str(existing.id)


def test_only_a_live_directory_token_works(client, factory, directory):
    assert client.get(f"{SCIM}/Users").status_code == 401
    personal = create_personal_token(factory.user(Role.ADMIN), name="Mine", write=True,
                                     expires_in_days=None).secret
    refused = client.get(f"{SCIM}/Users", headers={"Authorization": f"Bearer {personal}"})
    assert refused.status_code == 401 and refused.mimetype == MEDIA
    assert client.get("/api/v1/me", headers={"Authorization": directory["Authorization"]}
                      ).status_code == 401  # nor does a directory token open the API
    bad_filter = client.get(f"{SCIM}/Users?filter=" + quote('name co "x"'), headers=directory)
    assert bad_filter.status_code == 400 and bad_filter.get_json()["scimType"] == \
        "invalidFilter"
    assert client.post(f"{SCIM}/Users", headers=directory, data="not json").status_code == 400
    scim_token = db.session.scalar(select(ApiToken).where(ApiToken.kind == TokenKind.SCIM))
    revoke_token(db.session.get(User, scim_token.user_id), scim_token)
    assert client.get(f"{SCIM}/Users", headers=directory).status_code == 401


def test_department_and_level_are_read_only_while_the_directory_syncs(client, factory,
                                                                      login_as):
    me = login_as("employee")
    other = factory.department("Marketing")
    form = {"display_name": me.display_name, "department_id": str(other.id),
            "level": "executive", "locale": ""}
    admin = factory.user(Role.ADMIN)
    issued = create_scim_token(admin, name="Entra")

    page = client.get("/account/profile").get_data(as_text=True)
    assert "company directory" in page
    assert 'id="department_id" name="department_id" disabled' in page or \
        "disabled" in page.split('name="department_id"')[0][-200:] + \
        page.split('name="department_id"')[1][:200]
    client.post_form("/account/profile", {**form, "display_name": "New Name"})
    db.session.expire_all()
    mine = db.session.get(User, me.id)
    assert mine.display_name == "New Name"  # the rest of the profile still saves
    assert (mine.department_id, mine.level) == (me.department_id, Level.FRONTLINE)

    revoke_token(admin, issued.token)  # sync off: people keep their own again
    client.post_form("/account/profile", form)
    db.session.expire_all()
    mine = db.session.get(User, me.id)
    assert (mine.department_id, mine.level) == (other.id, Level.EXECUTIVE)


def test_sign_up_neither_offers_nor_takes_department_and_level_while_the_directory_syncs(
        client, factory):
    marketing = factory.department("Marketing")
    form = {"email": "new.hire@example.com", "display_name": "New Hire",
            "password": "a long password", "confirm": "a long password",
            "department_id": str(marketing.id), "level": "executive", "locale": ""}
    offered = client.get("/signup").get_data(as_text=True)
    assert 'name="department_id"' in offered and 'name="level"' in offered  # sync off
    issued = create_scim_token(factory.user(Role.ADMIN), name="Okta")

    page = client.get("/signup").get_data(as_text=True)
    assert 'name="department_id"' not in page and 'name="level"' not in page
    assert "department and level will come from the company directory" in page
    assert 'name="display_name"' in page  # the rest of the form is there
    made = client.post_form("/signup", form)  # posted anyway, as by a script
    assert made.status_code == 302 and made.headers["Location"] == "/signup/sent"
    hire = db.session.scalar(select(User).where(User.email == "new.hire@example.com"))
    assert hire.display_name == "New Hire"
    assert (hire.department_id, hire.level) == (None, Level.FRONTLINE)  # the directory's to set

    revoke_token(factory.user(Role.ADMIN), issued.token)  # sync off: people choose again
    client.post_form("/signup", {**form, "email": "second.hire@example.com"})
    second = db.session.scalar(select(User).where(User.email == "second.hire@example.com"))
    assert (second.department_id, second.level) == (marketing.id, Level.EXECUTIVE)


def test_the_discovery_documents(client, directory):
    config = client.get(f"{SCIM}/ServiceProviderConfig", headers=directory).get_json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = client.get(f"{SCIM}/ResourceTypes", headers=directory).get_json()
    assert types["Resources"][0]["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = client.get(f"{SCIM}/Schemas", headers=directory).get_json()
    assert {item["id"] for item in schemas["Resources"]} == {CORE, ENTERPRISE}


def test_the_level_attribute_is_configurable(make_app):
    """A company keeps the level in the enterprise `employeeType`, with its own words."""
    app = make_app(SCIM_LEVEL_ATTRIBUTE=f"{ENTERPRISE}:employeeType",
                   SCIM_LEVEL_VALUES={"Individual contributor": "frontline",
                                      "People manager": "manager", "Director": "senior"})
    with app.app_context():
        admin = Factory(app).user(Role.ADMIN)
        headers = {"Authorization": f"Bearer {create_scim_token(admin, name='Entra').secret}",
                   "Content-Type": MEDIA}
        client = app.test_client()
        created = client.post(f"{SCIM}/Users", headers=headers, json={
            "schemas": [CORE, ENTERPRISE], "userName": "lee@example.com",
            ENTERPRISE: {"department": "Sales", "employeeType": "People manager"}}).get_json()
        assert created[ENTERPRISE] == {"department": "Sales", "employeeType": "manager"}
        assert user_by_id(created["id"]).level == Level.MANAGER
        client.patch(f"{SCIM}/Users/{created['id']}", headers=headers, json={
            "schemas": [PATCH_OP], "Operations": [{"op": "replace",
                                                   "path": f"{ENTERPRISE}:employeeType",
                                                   "value": "Director"}]})
        assert user_by_id(created["id"]).level == Level.SENIOR
        client.patch(f"{SCIM}/Users/{created['id']}", headers=headers, json={
            "schemas": [PATCH_OP], "Operations": [{"op": "replace",
                                                   "path": f"{ENTERPRISE}:employeeType",
                                                   "value": "Astronaut"}]})
        assert user_by_id(created["id"]).level == Level.SENIOR  # unknown words change nothing
