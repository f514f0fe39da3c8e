"""Search, similar ideas, filters, Following, My activity, feeds and `flask reindex`, through
HTTP: what a browser gets, what never leaks, and how many SQL statements it costs."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    Idea,
    IdeaFollow,
    IdeaStatus,
    Stance,
    TagFollow,
    Vote,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import SORTS, idea_by_public_id
from ideaboard.search.index import rebuild_index
from ideaboard.services.campaigns import publish_outcome
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import delete_idea, post_idea
from ideaboard.services.review import change_status, pull_into_queue
from ideaboard.services.votes import SUPPORT, cast_vote
from tests.conftest import sign_in
from tests.unit.test_search import make_plan_corpus
from tests.web.test_query_counts import add_ideas
from tests.web.test_xss import PAYLOADS, assert_inert

# Search and feeds as a reader sees them once an admin opened reading up; sign-in-to-read
# itself is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET_NAME = "Quentin Secretname"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def optional_campaign(slug: str = "sensitive") -> Campaign:
    campaign = Campaign(slug=slug, title=f"Campaign {slug}", anonymity=Anonymity.OPTIONAL,
                        opens_at=utcnow() - timedelta(days=1))
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def world(factory):
    """Named and anonymous content in two languages, and a deleted idea."""
    author = factory.user(name="Lin Author")
    secret = factory.user(name=SECRET_NAME)
    meetings = factory.idea(author, title="Fewer status meetings",
                            body="Weekly meetings run long.", tags=["meetings"])
    chinese = factory.idea(author, title="减少无效会议", body="我们的供应链会议太多了。",
                           tags=["供应链"])
    anonymous = post_idea(secret, optional_campaign(), title="Canteen menu suggestion",
                          body="Vegetarian dishes every day, please.", tags=["canteen"],
                          anonymous=True)
    anonymous_comment = add_comment(secret, idea_by_public_id(anonymous.public_id),
                                    body="Meetings without an agenda should be declined.",
                                    stance=Stance.FOR, anonymous=True)
    named_comment = add_comment(author, idea_by_public_id(meetings.public_id),
                                body="Stand-up meetings should stay short.", stance=Stance.FOR)
    gone = factory.idea(author, title="Parking spaces for bicycles", body="Bicycles galore.")
    delete_idea(author, gone)
    return {"author": author, "secret": secret, "meetings": meetings, "chinese": chinese,
            "anonymous": anonymous, "anonymous_comment": anonymous_comment,
            "named_comment": named_comment, "gone": gone}


# --- the search box and the results page -------------------------------------------------

def test_every_page_has_a_labelled_search_box_in_the_header(client):
    page = text_of(client.get("/"))
    form = re.search(r'<form class="site-search" role="search" method="get" action="/search"'
                     r'[^>]*aria-label="[^"]+"', page)
    assert form, "header search form"
    assert '<label for="site-search-q"' in page and 'id="site-search-q"' in page


def test_results_are_ranked_highlighted_and_link_to_the_content(client, world):
    page = text_of(client.get("/search?q=meetings"))
    assert page.index("Fewer status <mark>meetings</mark>") < page.index("agenda should")
    assert f'href="/ideas/{world["meetings"].public_id}"' in page
    comment = world["anonymous_comment"]
    assert f'href="/ideas/{world["anonymous"].public_id}#c-{comment.public_id}"' in page
    assert "<mark>Meetings</mark> without an agenda" in page


def test_chinese_words_are_found_inside_sentences(client, world):
    page = text_of(client.get("/search?" + urlencode({"q": "会议"})))
    assert "减少无效<mark>会议</mark>" in page
    page = text_of(client.get("/search?" + urlencode({"q": "供应链"})))
    assert "我们的<mark>供应链</mark>会议太多了" in page


@pytest.mark.parametrize("query", ["", "   ", '"', "*"])
def test_an_empty_search_says_what_to_try(client, query):
    page = text_of(client.get("/search?" + urlencode({"q": query})))
    assert "Search ideas, comments, campaigns and plans in English or Chinese" in page
    assert 'class="search-results"' not in page


def test_the_page_says_which_words_were_searched(client, world):
    page = text_of(client.get("/search?" + urlencode({"q": "报销流程"})))
    assert "Every result holds all of these words: 报销 · 流程." in page
    page = text_of(client.get("/search?" + urlencode({"q": "weekly meetings for the team"})))
    assert "Left out as too common: for, the." in page
    long_query = " ".join(f"word{n}" for n in range(80))
    page = text_of(client.get("/search?" + urlencode({"q": long_query})))
    assert "only the words shown were searched" in page
    assert "word62 · word63." in page and "· word64" not in page


def test_no_results_says_what_to_try_next(client, world):
    response = client.get("/search?q=xqzvbnmw&status=accepted")
    page = text_of(response)
    assert response.status_code == 200
    assert "Nothing matches “xqzvbnmw”." in page
    assert "try fewer words" in page and "Search again without the filters" in page


@pytest.mark.parametrize("payload", [
    "' OR 1=1--", '"', "*", "NEAR(", 'meetings" OR "1', "meetings AND -", "title_terms:x",
    "{body_terms}:x", "'; DROP TABLE idea; --", "\\", "%", "会议\"*", "&|!<->",
])
def test_query_syntax_and_sql_get_a_normal_page(client, world, payload):
    response = client.get("/search?" + urlencode({"q": payload}))
    assert response.status_code == 200
    assert 'class="site-search"' in text_of(response)


@pytest.mark.parametrize("args", [
    {"q": "meetings", "type": "'; --"}, {"q": "meetings", "status": "NEAR("},
    {"q": "meetings", "tag": '"*'}, {"q": "meetings", "campaign": "1 OR 1=1"},
    {"q": "meetings", "page": "-1"}, {"q": "meetings", "page": "999999999"},
    {"q": "x" * 5000},
])
def test_odd_filter_values_are_ignored_not_errors(client, world, args):
    assert client.get("/search?" + urlencode(args)).status_code == 200


def test_filters_narrow_the_results(client, world):
    comments = text_of(client.get("/search?q=meetings&type=comment"))
    assert '<span class="hit-type">Idea</span>' not in comments and "agenda" in comments
    ideas = text_of(client.get("/search?q=meetings&type=idea"))
    assert '<span class="hit-type">Comment</span>' not in ideas and "Fewer status" in ideas
    assert "Fewer status" in text_of(client.get("/search?q=meetings&tag=meetings"))
    assert "Fewer status" not in text_of(client.get("/search?q=meetings&status=accepted"))
    campaign_id = world["anonymous"].campaign_id
    in_campaign = text_of(client.get(f"/search?q=meetings&campaign={campaign_id}"))
    assert "agenda" in in_campaign and "Fewer status" not in in_campaign
    assert "Fewer status" in text_of(client.get(
        f"/search?q=meetings&campaign={world['meetings'].campaign_id}&status=open&type=idea"))


def test_pages_are_bounded(client, factory):
    author = factory.user()
    for n in range(25):
        factory.idea(author, title=f"Budget request number {n}")
    first = text_of(client.get("/search?q=budget"))
    assert first.count('class="search-hit"') == 20 and 'rel="next"' in first
    second = text_of(client.get("/search?q=budget&page=2"))
    assert second.count('class="search-hit"') == 5 and 'rel="next"' not in second
    assert "Page 2." in second


def test_campaigns_plan_sections_critiques_and_replies_are_in_the_results(client, factory):
    plan = make_plan_corpus(factory)
    slug = plan.campaign.slug
    page = text_of(client.get("/search?q=hiring"))
    assert f'href="/campaigns/{slug}"' in page and "<mark>hiring</mark>" in page
    page = text_of(client.get("/search?q=budgets"))
    assert f'href="/campaigns/{slug}/plan#section-{plan.budget.id}"' in page
    page = text_of(client.get("/search?" + urlencode({"q": "差旅"})))
    assert '<span class="hit-type">Critique</span> · on the plan section' in page
    assert f'href="/campaigns/{slug}/plan#k-{plan.anonymous_critique.public_id}"' in page
    assert "冻结<mark>差旅</mark>预算" in page
    page = text_of(client.get("/search?q=surveys&type=critique_reply"))
    assert f'href="/campaigns/{slug}/plan#r-{plan.anonymous_reply.public_id}"' in page
    assert '<option value="critique_reply" selected>' in page
    assert 'class="search-hit"' not in text_of(client.get("/search?q=helpdesk"))  # deleted


@pytest.mark.parametrize("query", ["差旅", "travel", "surveys", "answers"])
def test_anonymous_critiques_and_replies_show_no_name_in_results(client, factory, login_as,
                                                                 query):
    make_plan_corpus(factory)
    for viewer in ("visitor", "employee"):
        if viewer == "employee":
            login_as("employee")
        page = text_of(client.get("/search?" + urlencode({"q": query})))
        assert "Anonymous employee" in page
        assert SECRET_NAME not in page and "Secretname" not in page


# --- what never leaks ----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["canteen", "vegetarian", "agenda", "meetings"])
def test_anonymous_content_shows_no_name_in_results(client, world, login_as, query):
    for viewer in ("visitor", "employee"):
        if viewer == "employee":
            login_as("employee")
        page = text_of(client.get(f"/search?q={query}"))
        assert "Anonymous employee" in page
        assert SECRET_NAME not in page and "Secretname" not in page


def test_searching_an_authors_name_finds_nothing(client, world):
    for query in ("Secretname", "Quentin", "Lin"):
        assert 'class="search-hit"' not in text_of(client.get(f"/search?q={query}"))


def test_deleted_and_hidden_content_is_never_shown(client, world):
    assert "Bicycles" not in text_of(client.get("/search?q=bicycles"))
    assert "Parking" not in text_of(client.get("/search?q=parking"))
    db.session.execute(update(Idea).where(Idea.id == world["meetings"].id)
                       .values(hidden_at=utcnow()))
    db.session.commit()
    page = text_of(client.get("/search?q=meetings"))
    assert "Fewer status" not in page and "Stand-up" not in page  # the idea and its comment
    assert "agenda" in page  # a comment on another idea


def test_user_html_in_results_is_escaped(client, factory):
    author = factory.user()
    for payload in PAYLOADS:
        factory.idea(author, title="Zanzibar " + payload[:100], body="zanzibar " + payload)
    response = client.get("/search?q=zanzibar")
    assert_inert(text_of(response), "search results")
    assert "<mark>Zanzibar</mark>" in text_of(response)
    for payload in PAYLOADS:
        assert_inert(text_of(client.get("/search?" + urlencode({"q": payload}))),
                     f"search for {payload!r}")


def test_search_statements_do_not_grow_with_data(client, factory, count_queries):
    author = factory.user()

    def statements(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    urls = ["/search?q=bulk", "/search?q=bulk&type=comment", "/search?q=bulk&status=open",
            "/search?q=bulk&tag=shared", "/search?q=bulk&page=2"]
    for signed_in in (False, True):
        if signed_in:
            sign_in(client, factory.user())
        add_ideas(author.id, 45, comments_each=1)
        rebuild_index()
        few = {url: statements(url) for url in urls}
        add_ideas(author.id, 155, comments_each=2)
        rebuild_index()
        many = {url: statements(url) for url in urls}
        assert many == few
        assert max(many.values()) <= 8


# --- similar ideas -------------------------------------------------------------------------

def similar_json(client, **args) -> list[dict]:
    response = client.get("/ideas/similar?" + urlencode(args))
    assert response.status_code == 200 and response.is_json
    return response.json["ideas"]


def test_similar_ideas_endpoint_returns_public_facts_only(client, world, login_as):
    login_as("employee")
    ideas = similar_json(client, title="Shorter meetings please")
    assert ideas[0] == {
        "title": "Fewer status meetings", "url": f"/ideas/{world['meetings'].public_id}",
        "status": "open", "status_label": "Open", "supporters": 0,
        "vote_url": f"/ideas/{world['meetings'].public_id}/vote", "can_support": True}
    ideas = similar_json(client, title="食堂", tags="canteen")
    assert [i["title"] for i in ideas] == ["Canteen menu suggestion"]
    assert SECRET_NAME not in str(ideas)
    assert similar_json(client, title="会议")[0]["title"] == "减少无效会议"
    assert similar_json(client, title="") == []
    assert similar_json(client, title="Bicycle parking") == []  # deleted


def test_similar_ideas_are_at_most_five_and_not_supportable_by_their_author(client, factory):
    author = factory.user()
    for n in range(7):
        factory.idea(author, title=f"Quarterly offsite plan {n}")
    sign_in(client, author)
    ideas = similar_json(client, title="offsite")
    assert len(ideas) == 5 and not any(i["can_support"] for i in ideas)


def test_compose_page_carries_the_similar_list_for_scripts(client, login_as):
    login_as("employee")
    page = text_of(client.get("/ideas/new"))
    assert 'data-similar-url="/ideas/similar"' in page
    assert re.search(r"<section[^>]*data-similar [^>]*hidden", page.replace("\n", " "))


def test_preview_step_lists_similar_ideas_with_support_buttons(client, world, login_as):
    login_as("employee")
    page = text_of(client.post_form("/ideas/new", {"title": "Shorter meetings",
                                                   "body": "Please", "preview": "Preview"}))
    assert "Similar ideas already here" in page
    section = page[page.index("data-similar"):page.index('class="compose-form"')]
    vote_url = f"/ideas/{world['meetings'].public_id}/vote"
    assert f'action="{vote_url}"' in section
    assert 'name="value" value="support"' in section and 'name="csrf_token"' in section
    assert "Support this instead" in section
    assert db.session.scalar(select(Idea).where(Idea.title == "Shorter meetings")) is None

    response = client.post_form(vote_url, {"value": "support"})
    assert response.status_code == 302
    assert db.session.get(Idea, world["meetings"].id).supporters == 1
    as_json = client.post_form(vote_url, {"value": "support"},
                               headers={"Accept": "application/json"})
    assert as_json.json["supporters"] == 1 and as_json.json["value"] == 1


# --- filters on /ideas, with every sort ----------------------------------------------------

@pytest.fixture
def mixed(factory):
    author = factory.user()
    other = optional_campaign("other")
    made = {
        "open_a": factory.idea(author, title="Open with tag a", tags=["alpha"]),
        "open_b": factory.idea(author, title="Open with tag b", tags=["beta"]),
        "accepted_a": factory.idea(author, title="Accepted with tag a", tags=["alpha"]),
        "other_a": post_idea(author, other, title="Other campaign with tag a",
                             body="x", tags=["alpha"]),
    }
    db.session.execute(update(Idea).where(Idea.id == made["accepted_a"].id)
                       .values(status=IdeaStatus.ACCEPTED))
    db.session.commit()
    made["other_campaign_id"] = other.id
    return made


def listed_titles(client, **args) -> set[str]:
    page = text_of(client.get("/ideas?" + urlencode(args)))
    return set(re.findall(r'<h3 class="idea-title"><a href="/ideas/[^"]+">([^<]+)</a>', page))


@pytest.mark.parametrize("sort", [s for s in SORTS if s != "common"])  # lists scored ideas only
def test_filters_combine_with_every_sort(client, mixed, sort):
    assert listed_titles(client, sort=sort, tag="alpha", status="open") == {
        "Open with tag a", "Other campaign with tag a"}
    assert listed_titles(client, sort=sort, tag="alpha", status="accepted") == {
        "Accepted with tag a"}
    assert listed_titles(client, sort=sort, campaign=mixed["other_campaign_id"]) == {
        "Other campaign with tag a"}
    assert listed_titles(client, sort=sort, tag="beta") == {"Open with tag b"}
    assert len(listed_titles(client, sort=sort)) == 4


def test_filter_controls_work_without_javascript(client, mixed):
    page = text_of(client.get("/ideas?sort=new&tag=alpha&status=open"))
    form = page[page.index('class="filter-bar"'):]
    form = form[:form.index("</form>")]
    assert 'method="get"' in page[page.index('<form method="get" action="/ideas"'):][:60]
    assert '<input type="hidden" name="sort" value="new">' in form
    assert '<option value="open" selected>' in form and 'value="alpha"' in form
    assert 'name="campaign"' in form  # two campaigns exist
    assert "Clear filters" in form
    # Sort tabs keep the filters.
    assert 'href="/ideas?sort=top&amp;tag=alpha&amp;status=open"' in page


# --- following ------------------------------------------------------------------------------

def test_following_needs_a_signed_in_user(client):
    for url in ("/following", "/activity"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_follow_a_tag_and_see_its_new_ideas(client, factory, login_as):
    me = login_as("employee")
    author = factory.user()
    tagged = factory.idea(author, title="Recycling bins on every floor", tags=["green"])
    factory.idea(author, title="Untagged idea about desks")
    page = text_of(client.get("/following"))
    assert "You follow nothing yet" in page

    response = client.post_form("/tags/follow", {"tag": "#Green", "follow": "1",
                                                 "next": "/ideas?tag=green"})
    assert response.status_code == 302 and response.headers["Location"] == "/ideas?tag=green"
    assert db.session.scalar(select(TagFollow).where(TagFollow.user_id == me.id)) is not None
    assert "Unfollow #green" in text_of(client.get("/ideas?tag=green"))
    page = text_of(client.get("/following"))
    assert "Recycling bins on every floor" in page and "Untagged idea" not in page
    assert "#green" in page

    delete_idea(author, tagged)
    assert "Recycling bins" not in text_of(client.get("/following"))
    client.post_form("/tags/follow", {"tag": "green", "follow": "0"})
    assert db.session.scalar(select(TagFollow)) is None


def test_followed_ideas_appear_on_the_following_page(client, factory, login_as):
    me = login_as("employee")
    idea = factory.idea(factory.user(), title="An idea I keep an eye on")
    assert "An idea I keep an eye on" not in text_of(client.get("/following"))
    response = client.post_form(f"/ideas/{idea.public_id}/follow", {"follow": "1"})
    assert response.status_code == 302
    assert db.session.get(IdeaFollow, (me.id, idea.id)) is not None
    assert "An idea I keep an eye on" in text_of(client.get("/following"))
    client.post_form(f"/ideas/{idea.public_id}/follow", {"follow": "0"})
    assert "An idea I keep an eye on" not in text_of(client.get("/following"))


def test_ideas_in_followed_campaigns_appear_on_the_following_page(client, factory, login_as):
    login_as("employee")
    author = factory.user()
    campaign = optional_campaign("relocation")
    post_idea(author, campaign, title="Shuttle bus to the new office", body="x", tags=[])
    factory.idea(author, title="An idea in the standing campaign")
    assert "Shuttle bus" not in text_of(client.get("/following"))
    client.post_form(f"/campaigns/{campaign.slug}/follow", {"follow": "1"})
    page = text_of(client.get("/following"))
    assert "Shuttle bus to the new office" in page
    assert "An idea in the standing campaign" not in page
    assert f'<a href="/campaigns/{campaign.slug}">{campaign.title}</a>' in page
    # a signed-in reader's feed links carry their private feed token
    assert f'href="/feeds/campaigns/{campaign.slug}.atom?token=' in page


def test_a_bad_tag_is_refused_with_a_message(client, login_as):
    login_as("employee")
    response = client.post_form("/tags/follow", {"tag": "<script>", "follow": "1"},
                                follow_redirects=True)
    assert response.status_code == 200
    assert "Tags are single words" in text_of(response)
    assert db.session.scalar(select(TagFollow)) is None


# --- my activity ----------------------------------------------------------------------------

def test_my_activity_lists_my_own_things_with_anonymous_ones_marked(client, factory, login_as):
    me = login_as("employee", name="Activity Owner")
    other = factory.user(name="Someone Else")
    mine = post_idea(me, optional_campaign(), title="My anonymous proposal", body="x",
                     tags=[], anonymous=True)
    named = factory.idea(me, title="My named proposal")
    theirs = factory.idea(other, title="Their proposal")
    add_comment(me, idea_by_public_id(theirs.public_id), body="My reply to them",
                stance=Stance.AGAINST)
    add_comment(other, idea_by_public_id(named.public_id), body="Their reply to me",
                stance=Stance.FOR)
    cast_vote(me, theirs.public_id, SUPPORT)
    cast_vote(other, named.public_id, SUPPORT)

    page = text_of(client.get("/activity"))
    assert "My anonymous proposal" in page and "My named proposal" in page
    assert page.count("Posted anonymously") == 1
    assert "My reply to them" in page and "Their reply to me" not in page
    assert "Supported" in page and "Their proposal" in page
    assert "Only you can see this page" in page
    assert db.session.scalar(select(Vote).where(Vote.user_id == me.id)) is not None
    assert mine.is_anonymous


# --- feeds ----------------------------------------------------------------------------------

def parse_feed(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 (our own feed, in a test)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    return root


def entries(root: ET.Element) -> dict[str, ET.Element]:
    return {entry.find(f"{ATOM}title").text: entry for entry in root.findall(f"{ATOM}entry")}


def test_new_ideas_feed_has_only_public_facts(client, world):
    raw = text_of(client.get("/feeds/ideas.atom"))
    root = parse_feed(client.get("/feeds/ideas.atom"))
    found = entries(root)
    assert set(found) == {"Fewer status meetings", "减少无效会议", "Canteen menu suggestion"}
    anonymous = found["Canteen menu suggestion"]
    assert anonymous.find(f"{ATOM}author/{ATOM}name").text == "Anonymous employee"
    assert anonymous.find(f"{ATOM}updated").text.endswith("T00:00:00Z")
    assert found["Fewer status meetings"].find(f"{ATOM}author/{ATOM}name").text == "Lin Author"
    assert SECRET_NAME not in raw and "Secretname" not in raw
    assert "Bicycles" not in raw and "@example.com" not in raw
    tagged = entries(parse_feed(client.get("/feeds/ideas.atom?tag=canteen")))
    assert set(tagged) == {"Canteen menu suggestion"}


def test_feeds_escape_user_text(client, factory):
    author = factory.user(name='Ann <b>&amp; "Co"')
    factory.idea(author, title='Less <script>alert(1)</script> & more "quotes"',
                 body="Control \x0b chars and <b>tags</b> & ampersands")
    root = parse_feed(client.get("/feeds/ideas.atom"))
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == 'Less <script>alert(1)</script> & more "quotes"'
    assert entry.find(f"{ATOM}author/{ATOM}name").text == 'Ann <b>&amp; "Co"'


def test_campaign_feed_lists_its_ideas_then_its_outcome(client, factory, world):
    campaign = db.session.get(Campaign, world["anonymous"].campaign_id)
    page = text_of(client.get(f"/campaigns/{campaign.slug}"))
    feed_url = f"/feeds/campaigns/{campaign.slug}.atom"
    assert f'type="application/atom+xml" title="{campaign.title}" href="{feed_url}"' in page
    raw = text_of(client.get(feed_url))
    root = parse_feed(client.get(feed_url))
    found = entries(root)
    assert set(found) == {"Canteen menu suggestion"}  # not the standing campaign's ideas
    assert found["Canteen menu suggestion"].find(
        f"{ATOM}author/{ATOM}name").text == "Anonymous employee"
    assert SECRET_NAME not in raw
    publish_outcome(factory.user("admin"), campaign,
                    "Every lunch will have a vegetarian dish from May on.")
    found = entries(parse_feed(client.get(feed_url)))
    outcome = found[f"Outcome: {campaign.title}"]
    assert outcome.find(f"{ATOM}summary").text.startswith("Every lunch will have")
    assert client.get("/feeds/campaigns/no-such-campaign.atom").status_code == 404


def test_decisions_feed_is_valid_when_empty_and_lists_public_answers(client, factory, world):
    assert entries(parse_feed(client.get("/feeds/decisions.atom"))) == {}
    leader = factory.user("leader", name="Leader Person")
    idea = idea_by_public_id(world["anonymous"].public_id)
    pull_into_queue(leader, idea, "Worth an answer")
    change_status(leader, idea, IdeaStatus.ACCEPTED,
                  "We will add a vegetarian dish to every lunch from next month.")
    raw = text_of(client.get("/feeds/decisions.atom"))
    found = entries(parse_feed(client.get("/feeds/decisions.atom")))
    assert list(found) == ["Accepted: Canteen menu suggestion"]
    summary = found["Accepted: Canteen menu suggestion"].find(f"{ATOM}summary").text
    assert summary.startswith("We will add a vegetarian dish")
    assert SECRET_NAME not in raw


# --- the reindex command ----------------------------------------------------------------------

def result_list(client, query: str) -> list[str]:
    """The hits of a search page: titles, links and snippets, in order."""
    page = text_of(client.get("/search?" + urlencode({"q": query})))
    return re.findall(r'<h2 class="hit-title">.*?</h2>|<p class="hit-snippet">.*?</p>', page)


def test_reindex_command_rebuilds_the_same_results(client, runner, world):
    queries = ["meetings", "会议", "canteen", "agenda", "供应链"]
    before = {q: result_list(client, q) for q in queries}
    assert all(before.values())
    author = world["author"]
    add_ideas(author.id, 3)  # rows written with SQL, behind the index's back
    assert 'class="search-hit"' not in text_of(client.get("/search?q=bulk"))

    result = runner.invoke(args=["reindex"])

    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 6 idea documents, 2 comment documents" in result.output
    assert text_of(client.get("/search?q=bulk")).count('class="search-hit"') == 3
    for q in queries:
        assert result_list(client, q) == before[q], q


def test_reindex_help_says_when_to_use_it(runner):
    result = runner.invoke(args=["reindex", "--help"])
    assert result.exit_code == 0
    assert "Rebuild the search index" in result.output
    assert "restoring a backup" in result.output and "importing" in result.output


def test_feed_links_are_offered(client, world):
    page = text_of(client.get("/ideas?tag=meetings"))
    assert 'type="application/atom+xml"' in page
    assert f'href="/feeds/ideas.atom?tag={quote("meetings")}"' in page
