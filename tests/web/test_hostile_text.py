"""A NUL character in a web form or a query string is a clear 400, never a 500 (PostgreSQL
refuses NUL in text), checked in one place for every route, and nothing is saved."""
from __future__ import annotations

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea

NUL = "\x00"


def _refused(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 400 and "NUL character" in page


def test_forms_with_a_nul_character_are_refused_and_nothing_is_saved(client, factory,
                                                                    login_as):
    user = login_as("employee", name="Plain Name")
    idea = factory.idea(user, title="An idea to comment on")
    ideas_before = db.session.scalar(select(func.count()).select_from(Idea))
    posts = {
        "/ideas/new": {"title": f"Title{NUL}", "body": "Body", "publish": "1"},
        f"/ideas/{idea.public_id}/comments": {"body": f"A comment{NUL}", "stance": "neutral"},
        f"/ideas/{idea.public_id}/edit": {"title": "Still fine", "body": f"x{NUL}y"},
        "/account/profile": {"display_name": f"Evil{NUL}Name", "department_id": "0",
                             "level": "frontline", "locale": ""},
        "/account/tokens": {"name": f"t{NUL}", "expires_in_days": "30"},
        "/ideas/preview": {"body": f"preview{NUL}"},
        f"/ideas/{idea.public_id}/comments?parent={NUL}": {"body": "Fine text"},
        "/tags/follow": {f"tag{NUL}": "x"},  # in a field's name too
    }
    answers = {url: client.post_form(url, data) for url, data in posts.items()}
    assert {url: r.status_code for url, r in answers.items() if not _refused(r)} == {}
    assert db.session.scalar(select(func.count()).select_from(Idea)) == ideas_before
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    db.session.refresh(user)
    assert user.display_name == "Plain Name"
    assert db.session.get(Idea, idea.id).body == "Body"


def test_query_strings_with_a_nul_character_are_refused(client, factory, login_as):
    login_as("employee")
    for url in ["/search?q=a%00b", "/ideas?tag=%00", "/search?q=fine&status=%00",
                "/activity?x%00=1", "/ideas/similar?q=%00"]:
        response = client.get(url)
        assert _refused(response), (url, response.status_code)


def test_signed_out_forms_are_refused_the_same_way(client, factory):
    user = factory.user()
    response = client.post_form("/login", {"email": f"{user.email}{NUL}", "password": "x"})
    assert _refused(response)
    response = client.post_form("/password/forgot", {"email": f"a{NUL}@example.com"})
    assert _refused(response)


def test_the_same_text_without_nul_still_goes_through(client, factory, login_as):
    """The control: the forms above work with ordinary text, so the 400 is the NUL's doing."""
    login_as("employee")
    assert client.post_form("/ideas/new", {"title": "A clean title", "body": "Body",
                                           "publish": "1"}).status_code == 302
    assert client.get("/search?q=clean").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1


def test_the_json_api_answers_in_json(client):
    response = client.get("/api/v1/ideas?tag=%00")
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"]["code"] == "bad_request"
