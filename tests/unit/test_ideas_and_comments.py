"""Posting rules for ideas and comments."""
import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, IdeaTag, Stance, Tag
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.comments import MAX_DEPTH, add_comment, delete_comment, edit_comment
from ideaboard.services.ideas import (
    delete_idea,
    edit_idea,
    normalise_tags,
    post_idea,
    standing_campaign,
)


def test_tags_are_normalised_and_limited():
    assert normalise_tags("Process, #customers，流程 process") == ["process", "customers", "流程"]
    with pytest.raises(InvalidInput):
        normalise_tags("a, b, c, d, e, f")
    with pytest.raises(InvalidInput):
        normalise_tags("<script>")


@pytest.mark.parametrize(("title", "body"), [("", "x"), ("x" * 141, "x"), ("ok", "x" * 20_001)])
def test_title_and_body_limits(factory, title, body):
    with pytest.raises(InvalidInput):
        post_idea(factory.user(), standing_campaign(), title=title, body=body, tags=[])


def test_post_stores_sanitised_html_and_tags(factory):
    idea = post_idea(factory.user(), standing_campaign(), title="Shorter launches",
                     body="**Bold** <script>alert(1)</script>", tags=["launches", "process"])
    assert "<strong>Bold</strong>" in idea.body_html
    assert "<script" not in idea.body_html
    assert idea.tag_list == ["launches", "process"]
    uses = dict(db.session.execute(select(Tag.name, Tag.use_count)).all())
    assert uses == {"launches": 1, "process": 1}


def test_edit_replaces_tags_and_keeps_use_counts(factory):
    author = factory.user()
    idea = factory.idea(author, tags=["a", "b"])
    edit_idea(author, idea, title="New title", body="New body", tags=["b", "c"])
    uses = dict(db.session.execute(select(Tag.name, Tag.use_count)).all())
    assert uses == {"a": 0, "b": 1, "c": 1}
    assert db.session.get(Idea, idea.id).title == "New title"


def test_only_the_author_edits_or_deletes(factory):
    idea = factory.idea()
    other = factory.user()
    with pytest.raises(NotAllowed):
        edit_idea(other, idea, title="Hijack", body="", tags=[])
    with pytest.raises(NotAllowed):
        delete_idea(other, idea)


def test_delete_leaves_a_tombstone_that_keeps_the_discussion(factory):
    author = factory.user()
    idea = factory.idea(author, tags=["x"])
    db.session.refresh(idea, ["campaign"])
    add_comment(factory.user(), idea, body="Keep me", stance=Stance.FOR)
    delete_idea(author, idea)
    stored = db.session.get(Idea, idea.id)
    assert stored.is_deleted and stored.title == "" and stored.body == ""
    assert db.session.scalar(select(Comment.body).where(Comment.idea_id == idea.id)) == "Keep me"
    assert not db.session.scalars(select(IdeaTag)).all()


def test_threads_nest_and_deleted_comments_become_tombstones(factory):
    idea = factory.idea()
    db.session.refresh(idea, ["campaign"])
    author = factory.user()
    parent = add_comment(author, idea, body="Top", stance=Stance.AGAINST)
    child = add_comment(factory.user(), idea, body="Reply", stance=Stance.NEUTRAL, parent=parent)
    grandchild = add_comment(factory.user(), idea, body="Reply 2", stance=Stance.FOR, parent=child)
    assert (parent.depth, child.depth, grandchild.depth) == (0, 1, 2)
    deep = grandchild
    for _ in range(6):
        deep = add_comment(factory.user(), idea, body="deeper", stance=Stance.FOR, parent=deep)
    assert deep.depth == MAX_DEPTH
    delete_comment(author, parent)
    assert db.session.get(Comment, parent.id).is_deleted
    assert db.session.get(Comment, child.id).parent_id == parent.id
    assert db.session.get(Idea, idea.id).comment_count == 8  # 9 posted, 1 deleted


def test_only_the_author_edits_a_comment(factory):
    idea = factory.idea()
    db.session.refresh(idea, ["campaign"])
    author = factory.user()
    comment = add_comment(author, idea, body="Mine", stance=Stance.FOR)
    with pytest.raises(NotAllowed):
        edit_comment(factory.user(), comment, body="Not yours", stance=Stance.FOR)
    edit_comment(author, comment, body="Edited", stance=Stance.AGAINST)
    assert db.session.get(Comment, comment.id).stance == Stance.AGAINST


def test_a_reply_must_belong_to_the_same_idea(factory):
    first, second = factory.idea(), factory.idea()
    db.session.refresh(first, ["campaign"])
    db.session.refresh(second, ["campaign"])
    parent = add_comment(factory.user(), first, body="On first", stance=Stance.FOR)
    with pytest.raises(InvalidInput):
        add_comment(factory.user(), second, body="Wrong", stance=Stance.FOR, parent=parent)
