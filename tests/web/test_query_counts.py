"""Pages issue the same number of SQL statements whatever the amount of data."""
import pytest
from sqlalchemy import insert

from ideaboard.extensions import db
from ideaboard.models import Comment, Idea, Stance
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.services.ideas import standing_campaign
from tests.conftest import sign_in

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

LIST_URLS = ["/", "/ideas", "/ideas?sort=hot", "/ideas?sort=new", "/ideas?sort=discussed",
             "/ideas?tag=shared"]


def add_ideas(author_id: int, count: int, comments_each: int = 0) -> list[int]:
    now, campaign_id = utcnow(), standing_campaign().id
    rows = [{"public_id": random_public_id(), "campaign_id": campaign_id, "author_id": author_id,
             "title": f"Bulk idea {n}", "body": "b", "body_html": "<p>b</p>",
             "tag_names": "shared", "created_at": now, "updated_at": now,
             "comment_count": comments_each, "score": n / (count + 1), "hot": n}
            for n in range(count)]
    ids = [row.id for row in db.session.execute(insert(Idea).returning(Idea.id), rows)]
    comments = [{"public_id": random_public_id(), "idea_id": idea_id, "author_id": author_id,
                 "stance": Stance.FOR, "body": "c", "body_html": "<p>c</p>", "created_at": now,
                 "updated_at": now} for idea_id in ids for _ in range(comments_each)]
    if comments:
        db.session.execute(insert(Comment), comments)
    db.session.commit()
    return ids


def statements_for(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("signed_in", [False, True])
def test_list_and_idea_pages_do_not_grow_with_data(client, factory, count_queries, signed_in):
    author = factory.user()
    if signed_in:
        sign_in(client, factory.user())
    small = add_ideas(author.id, 10, comments_each=2)
    few = {url: statements_for(client, count_queries, url) for url in LIST_URLS}
    idea_small = statements_for(client, count_queries, f"/ideas/{_public_id(small[0])}")
    large = add_ideas(author.id, 490, comments_each=0)
    busy = add_ideas(author.id, 1, comments_each=50)
    many = {url: statements_for(client, count_queries, url) for url in LIST_URLS}
    assert many == few
    assert statements_for(client, count_queries, f"/ideas/{_public_id(busy[0])}") == idea_small
    assert statements_for(client, count_queries, f"/ideas/{_public_id(large[-1])}") == idea_small
    assert max(many.values()) <= 11  # the home page reads the track-record setting (issue 15)


def _public_id(idea_id: int) -> str:
    return db.session.get(Idea, idea_id).public_id


def test_an_empty_signed_in_response_costs_one_lookup(client, factory, count_queries):
    """The floor of every signed-in page: the session row and its user in one statement
    (plus the BEGIN SQLite is sent), and nothing else."""
    sign_in(client, factory.user())
    with count_queries() as counter:
        response = client.get("/ideas/similar")
    assert response.get_json() == {"ideas": []}
    statements = [s for s in counter.statements if not s.startswith("BEGIN")]
    assert len(statements) == 1 and "login_session" in statements[0]


def test_a_vote_costs_a_fixed_handful_of_statements(client, factory, count_queries):
    """The vote POST is the hottest write: the session, then the transaction: the one lookup
    of the idea (locked, with its campaign and what the visibility rule needs), the voter's
    old vote, the vote row, one UPDATE for counters and ranks, and the escalation check."""
    sign_in(client, factory.user())
    url = f"/ideas/{factory.idea().public_id}/vote"
    token = client.csrf_token()
    with count_queries() as counter:
        response = client.post(url,
                               data={"value": "support", "csrf_token": token},
                               headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    statements = [s for s in counter.statements if not s.startswith("BEGIN")]
    assert len(statements) == 6  # and on SQLite the two BEGINs
    assert sum("FROM idea " in s for s in statements) == 1  # the idea is looked up once
