"""Hostile input to the JSON API and SCIM gets a clear 4xx (JSON, or SCIM's error body),
never a 500."""
from __future__ import annotations

from tests.web.test_api_http import API, api_world, bearer, token_of  # noqa: F401
from tests.web.test_scim_http import SCIM, directory  # noqa: F401 (the fixture)

BAD_QUERIES = ["/ideas?after=garbage", "/ideas?after=" + "9" * 400, "/ideas?limit=abc",
               "/ideas?limit=-5", "/ideas?limit=99999999999999999999", "/ideas?sort=%00",
               "/decisions?after=zz_zz", "/notifications?before=@@", "/ideas?campaign=%00",
               "/ideas?tag=" + "x" * 5000, "/ideas/" + "x" * 3000, "/campaigns/%ff%fe",
               "/ideas/%00", "/campaigns/a%00b", "/ideas?tag=%00"]


def test_the_api_answers_hostile_input_with_4xx(client, factory, api_world):  # noqa: F811
    headers = bearer(token_of(factory.user(), write=True))
    for query in BAD_QUERIES:
        response = client.get(API + query, headers=headers)
        assert response.status_code < 500 and response.is_json, query
    idea = f"/ideas/{api_world.idea.public_id}"
    for path, body in [("/ideas", {"title": "x" * 100_000}), ("/ideas", {"title": "ok",
                                                                        "campaign": 5}),
                       ("/ideas", [1, 2]), ("/ideas", {"title": "ok", "tags": {"a": 1}}),
                       (f"{idea}/comments", {"body": "x", "parent": "nope"}),
                       (f"{idea}/comments", {"body": "x", "stance": []}),
                       (f"{idea}/comments", {"body": None}),
                       (f"{idea}/follow", {"following": "yes"}),
                       (f"{idea}/vote", {"value": {"$ne": 1}}),
                       ("/ideas", {"title": "a\x00b"}), ("/ideas", {"title": "ok",
                                                                     "tags": ["a\x00"]}),
                       (f"{idea}/comments", {"body": "nul \x00 here"})]:
        response = client.post(API + path, headers=headers, json=body)
        assert 400 <= response.status_code < 500, (path, body, response.status_code)
        assert response.get_json()["error"]["code"]


def test_scim_answers_hostile_input_with_4xx(client, directory):  # noqa: F811
    for query in ["/Users?startIndex=-1&count=999999", "/Users/99999999999999999999",
                  "/Users?filter=" + "x" * 5000, '/Users?filter=userName eq "unterminated',
                  '/Users?filter=userName eq "a%00b"']:
        assert client.get(SCIM + query, headers=directory).status_code < 500, query
    for body in [{"userName": 5}, {"userName": "a@b.c", "active": "maybe"}, [],
                 {"userName": "x" * 1000 + "@example.com"}, {"userName": "no-email-here"},
                 {"userName": "nul\x00@example.com"},
                 {"userName": "dept@example.com", "urn:ietf:params:scim:schemas:extension:"
                  "enterprise:2.0:User": {"department": "R\x00D"}}]:
        response = client.post(SCIM + "/Users", headers=directory, json=body)
        assert 400 <= response.status_code < 500, body
        assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    created = client.post(SCIM + "/Users", headers=directory, json={
        "userName": "pat@example.com"}).get_json()
    for body in [{"Operations": "x"}, {"Operations": [{"op": "move"}]},
                 {"Operations": [{"op": "replace", "path": "active", "value": []}]},
                 {"Operations": [{"op": "replace", "value": "not an object"}]}]:
        response = client.patch(f"{SCIM}/Users/{created['id']}", headers=directory, json=body)
        assert response.status_code == 400, body


def test_a_nul_anywhere_in_a_json_body_is_refused_before_any_view(client, factory,
                                                                   api_world):  # noqa: F811
    """Keys, nested values and fields no view checks itself: one rule for every JSON body
    (web/arguments.py), answered in the API's JSON error shape."""
    headers = bearer(token_of(factory.user(), write=True))
    idea = f"/ideas/{api_world.idea.public_id}"
    for path, body in [("/ideas", {"title": "ok", "body": "fine", "note\x00": 1}),
                       ("/ideas", {"title": "ok", "body": "fine", "x": [{"y": ["\x00"]}]}),
                       (f"{idea}/follow", {"following": True, "why": "a\x00"})]:
        response = client.post(API + path, headers=headers, json=body)
        assert response.status_code == 400, (path, body)
        assert response.get_json()["error"]["code"], body
    assert client.get(API + idea, headers=headers).status_code == 200  # nothing else refused


def test_json_nested_deeper_than_the_parser_goes_is_a_400(client, factory,
                                                           api_world):  # noqa: F811
    headers = bearer(token_of(factory.user(), write=True)) | {
        "Content-Type": "application/json"}
    response = client.post(API + "/ideas", headers=headers, data="[" * 200_000)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"]


def test_scim_refuses_a_nul_in_any_field_with_its_error_body(client, directory):  # noqa: F811
    created = client.post(SCIM + "/Users", headers=directory, json={
        "userName": "kim@example.com"}).get_json()
    for method, path, body in [
            ("post", "/Users", {"userName": "ok@example.com", "externalId": "e\x00"}),
            ("patch", f"/Users/{created['id']}", {"Operations": [
                {"op": "replace", "path": "displayName", "value": "K\x00m"}]})]:
        response = getattr(client, method)(SCIM + path, headers=directory, json=body)
        assert response.status_code == 400, body
        assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
