"""One set of controls per page under comments and critiques (issue 17): an idea page does
not carry a form per comment. Helpful and Delete are buttons submitting the page's one action
form to their own URL; Reply and Flag are links to a page with the form (without JavaScript)
that app.js replaces by the page's one form template placed under the comment."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import Comment, Flag, Stance, User
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from tests.conftest import sign_in
from tests.web.test_plans_http import plan_objects, plan_url

FORM = re.compile(r"<form\b")
CSRF = re.compile(r'name="csrf_token"')


def discussion(factory, comments: int):
    author = factory.user()
    idea = factory.idea(author, title="Shared desks on Fridays")
    colleagues = [factory.user() for _ in range(3)]
    for n in range(comments):
        add_comment(colleagues[n % 3], idea_by_public_id(idea.public_id),
                    body=f"Point number {n}", stance=Stance.NEUTRAL)
    return idea


def test_the_idea_page_has_the_same_forms_whatever_the_number_of_comments(client, factory):
    few, many = discussion(factory, 1), discussion(factory, 30)
    sign_in(client, factory.user())
    pages = {n: client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
             for n, idea in ((1, few), (30, many))}
    assert pages[30].count("Point number") == 30
    assert len(FORM.findall(pages[30])) == len(FORM.findall(pages[1]))
    assert len(CSRF.findall(pages[30])) == len(CSRF.findall(pages[1]))
    # each comment: a Helpful button for the one action form, Reply and Flag links
    assert pages[30].count('form="item-action"') == 30
    assert pages[30].count("data-reply-to=") == 30
    assert pages[30].count("data-flag-link") == 30
    assert pages[30].count('id="item-action"') == 1
    assert pages[30].count('id="reply-template"') == 1
    assert pages[30].count('id="flag-template"') == 1


def test_helpful_through_the_one_action_form(client, factory):
    idea = discussion(factory, 1)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    sign_in(client, factory.user())
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    url = f"/comments/{comment.public_id}/helpful"
    assert f'form="item-action" formaction="{url}" name="helpful" value="1"' in page
    # what the browser sends: the action form's token and the button's name and value
    assert client.post_form(url, {"helpful": "1"}).status_code == 302
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert f'formaction="{url}" name="helpful" value="0"' in page
    assert 'aria-pressed="true"' in page


def test_reply_without_javascript_on_its_own_page(client, factory):
    idea = discussion(factory, 1)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    sign_in(client, factory.user())
    page = client.get(f"/comments/{comment.public_id}/reply")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Point number 0" in html  # the comment replied to is quoted
    assert f'name="parent" value="{comment.public_id}"' in html
    assert f'action="/ideas/{idea.public_id}/comments"' in html
    posted = client.post_form(f"/ideas/{idea.public_id}/comments",
                              {"parent": comment.public_id, "stance": "neutral",
                               "body": "Agreed, and Mondays too"})
    assert posted.status_code == 302
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment.id))
    assert reply is not None and reply.body == "Agreed, and Mondays too"


def test_flag_page_for_a_comment_and_a_critique(client, factory):
    idea = discussion(factory, 1)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    flagger = factory.user()
    sign_in(client, flagger)
    url = f"/moderation/comments/{comment.public_id}/flag"
    page = client.get(url).get_data(as_text=True)
    assert "Point number 0" in page and 'name="reason"' in page
    done = client.post_form(url, {"reason": "spam"})
    assert done.headers["Location"].endswith(f"/ideas/{idea.public_id}#c-{comment.public_id}")
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1
    again = client.get(url).get_data(as_text=True)
    assert 'name="reason"' not in again and "You flagged this already" in again

    owner = factory.user("leader")
    objects = plan_objects(owner, author=factory.user())
    page = client.get(f"/moderation/critiques/{objects.critique.public_id}/flag")
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    plan_page = client.get(plan_url(objects.campaign)).get_data(as_text=True)
    assert plan_page.count('id="item-action"') == 1 and 'id="flag-template"' in plan_page


def test_nobody_is_offered_to_flag_their_own_comment(client, factory):
    idea = discussion(factory, 1)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    sign_in(client, db.session.get(User, comment.author_id))
    page = client.get(f"/moderation/comments/{comment.public_id}/flag").get_data(as_text=True)
    assert 'name="reason"' not in page and "your own post" in page


def test_a_deleted_comment_has_no_reply_page(client, factory):
    idea = discussion(factory, 1)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    sign_in(client, db.session.get(User, comment.author_id))
    assert client.post_form(f"/comments/{comment.public_id}/delete").status_code == 302
    assert client.get(f"/comments/{comment.public_id}/reply").status_code == 404
