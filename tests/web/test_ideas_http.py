"""The core loop through HTTP: compose with preview, edit, delete, list, vote, discuss."""
import re

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Vote
from ideaboard.services.votes import SUPPORT, cast_vote

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

PUBLIC_ID = re.compile(r'href="/ideas/([\w-]{12})"')


def test_preview_renders_without_publishing_then_publish(client, login_as):
    login_as("employee")
    form = {"title": "Fewer status meetings", "body": "- one\n- two", "tags": "meetings"}
    preview = client.post_form("/ideas/new", {**form, "preview": "Preview"})
    assert preview.status_code == 200
    assert "<li>one</li>" in preview.get_data(as_text=True)
    assert db.session.scalar(select(Idea)) is None
    published = client.post_form("/ideas/new", {**form, "publish": "Publish"})
    assert published.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert published.headers["Location"] == f"/ideas/{idea.public_id}"
    page = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "Fewer status meetings" in page and "#meetings" in page


def test_live_preview_endpoint_uses_the_sanitiser(client, login_as):
    login_as("employee")
    response = client.post_form("/ideas/preview", {"body": "**hi** <script>x</script>"},
                                headers={"Accept": "application/json"})
    assert response.json["html"].startswith("<p><strong>hi</strong>")
    assert "<script" not in response.json["html"]


def test_compose_errors_are_shown_next_to_the_field(client, login_as):
    login_as("employee")
    page = client.post_form("/ideas/new", {"title": "x" * 141, "publish": "Publish"})
    assert page.status_code == 200 and "field-error" in page.get_data(as_text=True)
    page = client.post_form("/ideas/new", {"title": "ok", "tags": "a,b,c,d,e,f",
                                           "publish": "Publish"})
    assert "at most 5 tags" in page.get_data(as_text=True)


def test_author_edits_and_deletes_leaving_a_tombstone(client, login_as, factory):
    author = login_as("employee")
    idea = factory.idea(author, title="Original")
    edit_url = f"/ideas/{idea.public_id}/edit"
    assert client.get(edit_url).status_code == 200
    client.post_form(edit_url, {"title": "Edited title", "body": "More", "tags": "x",
                                "publish": "Save"})
    assert "Edited title" in client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    client.post_form(f"/ideas/{idea.public_id}/delete")
    page = client.get(f"/ideas/{idea.public_id}")
    assert page.status_code == 200 and "deleted this idea" in page.get_data(as_text=True)
    assert "Edited title" not in client.get("/ideas?sort=new").get_data(as_text=True)


def test_others_cannot_edit_or_delete(client, login_as, factory):
    login_as("employee")
    idea = factory.idea()
    assert client.get(f"/ideas/{idea.public_id}/edit").status_code == 403
    assert client.post_form(f"/ideas/{idea.public_id}/delete").status_code == 403


def test_keyset_pages_walk_every_idea_once_in_order(client, factory, app):
    app.config["PAGE_SIZE"] = 7
    author, voter = factory.user(), factory.user()
    ideas = [factory.idea(author) for _ in range(17)]
    for idea in ideas[::3]:
        cast_vote(voter, idea.public_id, SUPPORT)
    for sort in ("top", "hot", "new", "discussed"):
        seen, url = [], f"/ideas?sort={sort}"
        while url:
            page = client.get(url).get_data(as_text=True)
            seen += PUBLIC_ID.findall(page)
            match = re.search(r'rel="next" href="([^"]+)"', page)
            url = match.group(1).replace("&amp;", "&") if match else None
        assert sorted(seen) == sorted(i.public_id for i in ideas), sort
        assert len(seen) == len(set(seen))
    top = [db.session.get(Idea, i.id) for i in ideas]
    first_page = PUBLIC_ID.findall(client.get("/ideas?sort=top").get_data(as_text=True))
    best = sorted(top, key=lambda i: (i.score, i.id), reverse=True)[:7]
    assert first_page == [i.public_id for i in best]


def test_a_broken_cursor_means_the_first_page(client, factory):
    factory.idea(title="Still here")
    for cursor in ("garbage", "W10", "eyJ4IjoxfQ"):
        page = client.get(f"/ideas?after={cursor}")
        assert page.status_code == 200 and "Still here" in page.get_data(as_text=True)
    assert client.get("/ideas?after=%00").status_code == 400  # a NUL anywhere: one clear 400


def test_tag_filter(client, factory):
    factory.idea(title="Tagged one", tags=["quality"])
    factory.idea(title="Untagged one")
    page = client.get("/ideas?tag=quality").get_data(as_text=True)
    assert "Tagged one" in page and "Untagged one" not in page


def test_vote_by_plain_form_and_by_fetch(client, login_as, factory):
    login_as("employee")
    idea = factory.idea()
    response = client.post_form(f"/ideas/{idea.public_id}/vote", {"value": "support"})
    assert response.status_code == 302
    assert 'aria-pressed="true"' in client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    response = client.post_form(f"/ideas/{idea.public_id}/vote", {"value": "oppose"},
                                headers={"Accept": "application/json"})
    assert response.json == {"value": -1, "supporters": 0, "opposers": 1,
                             "score": 0.0}
    client.post_form(f"/ideas/{idea.public_id}/vote", {"value": "retract"})
    assert db.session.scalar(select(Vote)) is None


def test_voting_on_your_own_idea_is_refused(client, login_as, factory):
    author = login_as("employee")
    idea = factory.idea(author)
    response = client.post_form(f"/ideas/{idea.public_id}/vote", {"value": "support"},
                                headers={"Accept": "application/json"})
    assert response.status_code == 403 and "own idea" in response.json["error"]
    assert db.session.scalar(select(Vote)) is None


def test_discussion_with_stances_replies_and_helpful_marks(client, login_as, factory):
    login_as("employee")
    idea = factory.idea()
    client.post_form(f"/ideas/{idea.public_id}/comments",
                     {"body": "I disagree", "stance": "against"})
    parent = db.session.scalar(select(Comment))
    response = client.post_form(f"/ideas/{idea.public_id}/comments",
                                {"body": "Why?", "stance": "neutral", "parent": parent.public_id})
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert response.headers["Location"].endswith(f"#c-{reply.public_id}")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert 'class="comment stance-against"' in page and "Why?" in page
    assert page.index("I disagree") < page.index("Why?")
    own = client.post_form(f"/comments/{parent.public_id}/helpful", {"helpful": "1"},
                           headers={"Accept": "application/json"})
    assert own.status_code == 403


def test_comment_edit_and_tombstone(client, login_as, factory):
    login_as("employee")
    idea = factory.idea()
    client.post_form(f"/ideas/{idea.public_id}/comments", {"body": "First", "stance": "for"})
    comment = db.session.scalar(select(Comment))
    client.post_form(f"/comments/{comment.public_id}/edit", {"body": "Changed", "stance": "for"})
    assert "Changed" in client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    client.post_form(f"/comments/{comment.public_id}/delete")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Comment deleted by its author" in page and "Changed" not in page


def test_level_and_department_never_appear_beside_content(client, login_as, factory):
    login_as("employee")
    author = factory.user(name="Visible Name", department="Secret Skunkworks", level="executive")
    idea = factory.idea(author, title="Rank-blind idea")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    listing = client.get("/ideas").get_data(as_text=True)
    for text in (page, listing):
        assert "Visible Name" in text
        assert "Secret Skunkworks" not in text and "xecutive" not in text
