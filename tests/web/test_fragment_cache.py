"""Idea cards and comments are cached HTML fragments (ideaboard/web/fragments.py), keyed by
the row they are drawn from: every input a fragment shows is changed here, and the page shows
the change on the very next request — to every viewer, in every language."""
import dataclasses
import re
import socket
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import get_args, get_type_hints

import pytest
from jinja2 import meta
from sqlalchemy import update

from ideaboard.extensions import db
from ideaboard.models import Comment, FlagReason, Idea, IdeaStatus, Role, Stance
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment, delete_comment, edit_comment
from ideaboard.services.moderation import ModerationAction, flag, moderate, reveal_author
from ideaboard.services.votes import SUPPORT, cast_vote, mark_helpful
from ideaboard.web import fragments, templating
from tests.conftest import Client, sign_in

REDIS_SERVER = Path("/usr/bin/redis-server")
CSRF_VALUE = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')
RELATIVE_TIME = re.compile(r"(<time [^>]*>)[^<]*(</time>)")
# What a fragment template may read besides its row: helpers whose output depends only on
# their arguments, the language and the clock (both in the key).
PURE_HELPERS = {"_", "gettext", "ngettext", "url_for", "when"}


def without_tokens(html: str) -> str:
    """Two renders of one page differ only in the CSRF token and, on a busy machine, in a
    relative time that moved on between them."""
    return RELATIVE_TIME.sub(r"\1\2", CSRF_VALUE.sub("", html))


@pytest.fixture
def draws(monkeypatch) -> Counter:
    """How many times each fragment macro was drawn (a cache hit draws nothing). The clock
    stands still (a minute on), so a relative date's minute cannot turn between two pages and
    make a second draw that is not a miss of the cache under test."""
    later(monkeypatch, 1)
    counts: Counter = Counter()
    real = fragments.get_template_attribute

    def counting(template, name):
        macro = real(template, name)

        def draw(row):
            counts[name] += 1
            return macro(row)
        return draw

    monkeypatch.setattr(fragments, "get_template_attribute", counting)
    return counts


def later(monkeypatch, minutes: int) -> None:
    """Move the clock the fragments and `when()` read."""
    moved = utcnow() + timedelta(minutes=minutes)
    for module in (fragments, templating):
        monkeypatch.setattr(module, "utcnow", lambda: moved)


def card_of(page: str, public_id: str) -> str:
    start = page.rindex('<article class="idea-card">', 0, page.index(f"/ideas/{public_id}"))
    return page[start:page.index("</article>", start)]


def comment_of(page: str, public_id: str) -> str:
    start = page.index(f'id="c-{public_id}"')
    return page[start:page.index('<div class="comment-actions">', start)
                if '<div class="comment-actions">' in page[start:start + 5000]
                else page.index("</li>", start)]


def anonymise(model, item) -> None:
    """As if posted anonymously (the standing campaign is named)."""
    db.session.execute(update(model).where(model.id == item.id).values(is_anonymous=True))
    db.session.commit()
    db.session.refresh(item)


def set_locale(user, locale):
    user.locale = locale
    db.session.commit()


# --- the templates read nothing but their row ------------------------------------------------

@pytest.mark.parametrize("fragment", [fragments.IDEA_CARD, fragments.COMMENT,
                                      fragments.COMMENT_ACTIONS],
                         ids=lambda f: f.macro)
def test_a_fragment_template_reads_only_its_row_and_pure_helpers(app, fragment):
    env = app.jinja_env
    source = env.loader.get_source(env, fragment.template)[0]
    assert meta.find_undeclared_variables(env.parse(source)) <= PURE_HELPERS


@pytest.mark.parametrize("row_type", [fragments.CardRow, fragments.CommentRow,
                                      fragments.ActionsRow], ids=lambda t: t.__name__)
def test_a_row_shows_dates_only_through_values_the_key_buckets(row_type):
    """A bare datetime would be drawn by `when()` as "5 minutes ago" without the minute in
    the key; rows carry a Byline or a Shown instead, whose clock bucket the key adds."""
    hints = get_type_hints(row_type)
    assert not any(datetime in (get_args(hint) or (hint,)) for hint in hints.values())
    assert all(dataclasses.fields(row_type)) and row_type.__dataclass_params__.frozen


# --- idea cards ---------------------------------------------------------------------------

def test_cards_are_drawn_once_then_served_from_the_cache(client, login_as, factory, draws):
    login_as("employee")
    author = factory.user()
    for n in range(5):
        factory.idea(author, title=f"Cached idea {n}")
    first = client.get("/ideas?sort=new").get_data(as_text=True)
    assert draws["idea_card"] == 5
    second = client.get("/ideas?sort=new").get_data(as_text=True)
    assert draws["idea_card"] == 5
    assert without_tokens(first) == without_tokens(second)


def test_a_card_shows_every_change_at_once(client, login_as, factory, monkeypatch):
    viewer = login_as("employee")
    author = factory.user(name="Original Name")
    idea = factory.idea(author, title="Fewer meetings on Friday", tags=["meetings"])
    public_id = idea.public_id

    def card():
        return card_of(client.get("/ideas").get_data(as_text=True), public_id)

    before = card()
    assert "Original Name" in before and "▲ 0" in before and "#meetings" in before
    cast_vote(factory.user(), public_id, SUPPORT)
    assert "▲ 1" in card()
    idea.title = "No meetings on Friday"
    db.session.commit()
    assert "No meetings on Friday" in card()
    idea.status = IdeaStatus.UNDER_REVIEW
    db.session.commit()
    assert "Under review" in card()
    author.display_name = "Renamed Person"
    db.session.commit()
    assert "Renamed Person" in card()
    add_comment(factory.user(), idea_by_public_id(public_id), body="A first comment",
                stance=Stance.FOR)
    assert "1 comment" in card()
    idea.tag_names = "fridays"
    db.session.commit()
    shown = card()
    assert "#fridays" in shown and "#meetings" not in shown
    later(monkeypatch, 3)
    assert "3 minutes ago" in card()
    set_locale(viewer, "zh")
    shown = card()
    assert "1 条评论" in shown and "评审中" in shown and "3分钟前" in shown


def test_an_anonymous_card_never_shows_its_author(client, login_as, factory):
    login_as("admin")
    author = factory.user(name="Hidden Author")
    idea = factory.idea(author, title="Speak freely")
    anonymise(Idea, idea)
    assert "Anonymous employee" in card_of(client.get("/ideas").get_data(as_text=True),
                                           idea.public_id)
    reveal_author(factory.user(Role.ADMIN), idea, "Threats were made in this post")
    page = client.get("/ideas").get_data(as_text=True)
    assert "Anonymous employee" in card_of(page, idea.public_id)
    assert "Hidden Author" not in page


# --- comments on the idea page ------------------------------------------------------------

@pytest.fixture
def discussion(factory):
    author = factory.user(name="Comment Author")
    idea = idea_by_public_id(factory.idea(factory.user(), title="Quieter office").public_id)
    comment = add_comment(author, idea, body="Use the **library**", stance=Stance.FOR)
    secret = factory.user(name="Secret Writer")
    anonymous = add_comment(secret, idea, body="Said quietly", stance=Stance.AGAINST)
    anonymise(Comment, anonymous)
    return idea, author, comment, anonymous


def test_comments_are_drawn_once_then_served_from_the_cache(client, login_as, discussion,
                                                            draws):
    login_as("employee")
    idea = discussion[0]
    first = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert draws["comment"] == 2 and draws["comment_actions"] == 2
    second = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert draws["comment"] == 2 and draws["comment_actions"] == 2
    assert without_tokens(first) == without_tokens(second)


def test_a_comment_shows_every_change_at_once(client, login_as, factory, discussion,
                                              monkeypatch):
    viewer = login_as("employee")
    idea, author, comment, _ = discussion
    url = f"/ideas/{idea.public_id}"

    def shown(public_id=comment.public_id):
        return comment_of(client.get(url).get_data(as_text=True), public_id)

    first = shown()
    assert "<strong>library</strong>" in first and "Comment Author" in first
    assert "edited" not in first
    mark_helpful(factory.user(), comment, True)
    page = client.get(url).get_data(as_text=True)
    assert "(<span data-helpful-count>1</span>)" in page[page.index(f'id="c-{comment.public_id}"'):]
    edit_comment(author, comment, body="Use the *meeting room*", stance=Stance.AGAINST)
    after = shown()
    assert "<em>meeting room</em>" in after and "library" not in after
    assert "Against" in after and "edited" in after
    author.display_name = "Renamed Author"
    db.session.commit()
    assert "Renamed Author" in shown()
    later(monkeypatch, 5)
    assert "5 minutes ago" in shown()
    set_locale(viewer, "zh")
    in_chinese = shown()
    assert "反对" in in_chinese and "编辑于" in in_chinese and "5分钟前" in in_chinese


def test_hiding_flagging_and_deleting_show_at_once_to_each_viewer(
        client, make_client, login_as, factory, discussion):
    viewer = login_as("employee")
    idea, author, comment, _ = discussion
    url = f"/ideas/{idea.public_id}"
    admin = factory.user(Role.ADMIN)
    admin_client, author_client = make_client(), make_client()
    sign_in(admin_client, admin)
    sign_in(author_client, author)
    controls = {}
    for each in (client, admin_client, author_client):  # every viewer fills the cache
        page = each.get(url).get_data(as_text=True)
        assert "<strong>library</strong>" in page
        start = page.index(f'id="c-{comment.public_id}"')
        controls[each] = page[start:page.index("</li>", start)]
    assert "Moderate" in controls[admin_client] and "Moderate" not in controls[client]
    assert "/edit" in controls[author_client] and "/delete" in controls[author_client]
    assert "/delete" not in controls[client]

    flag(viewer, comment, FlagReason.OFF_TOPIC)
    page = client.get(url).get_data(as_text=True)
    actions = page[page.index(f'id="c-{comment.public_id}"'):]
    assert "Flagged" in actions[:actions.index("</li>")]
    colleague = make_client()  # another viewer of the same cached comment may still flag it
    sign_in(colleague, factory.user())
    page = colleague.get(url).get_data(as_text=True)
    actions = page[page.index(f'id="c-{comment.public_id}"'):]
    assert "data-flag-link" in actions[:actions.index("</li>")]

    moderate(admin, comment, ModerationAction.HIDE, reason_code=FlagReason.OFF_TOPIC)
    hidden = comment_of(client.get(url).get_data(as_text=True), comment.public_id)
    assert "Comment hidden pending review" in hidden and "library" not in hidden
    for each, told in ((admin_client, "Restore for everyone"),  # the moderators still read it
                       (author_client, "A moderator hid your comment")):  # and its author
        shown = comment_of(each.get(url).get_data(as_text=True), comment.public_id)
        assert "<strong>library</strong>" in shown and told in shown

    moderate(admin, comment, ModerationAction.RESTORE)
    assert "<strong>library</strong>" in comment_of(client.get(url).get_data(as_text=True),
                                                    comment.public_id)
    delete_comment(author, comment)
    for each in (client, admin_client, author_client):
        gone = comment_of(each.get(url).get_data(as_text=True), comment.public_id)
        assert "Comment deleted by its author." in gone and "library" not in gone


def test_an_anonymous_comment_stays_anonymous_after_a_reveal(client, login_as, factory,
                                                             discussion):
    login_as("admin")
    idea, _, _, anonymous = discussion
    url = f"/ideas/{idea.public_id}"
    assert "Anonymous employee" in comment_of(client.get(url).get_data(as_text=True),
                                              anonymous.public_id)
    reveal_author(factory.user(Role.ADMIN), anonymous, "Threats were made in this comment")
    page = client.get(url).get_data(as_text=True)
    assert "Anonymous employee" in comment_of(page, anonymous.public_id)
    assert "Secret Writer" not in page


# --- the backends ---------------------------------------------------------------------------

def test_cached_pages_are_the_same_as_freshly_rendered_ones(make_app, factory, discussion):
    idea = discussion[0]
    for n in range(3):
        factory.idea(title=f"Same either way {n}")
    reader = factory.user()
    pages = []
    for app in (make_app(), make_app(CACHE_TYPE="NullCache")):
        app.test_client_class = Client
        client = app.test_client()
        sign_in(client, reader)
        for url in ("/ideas", f"/ideas/{idea.public_id}"):
            client.get(url)
            pages.append(without_tokens(client.get(url).get_data(as_text=True)))
    assert pages[:2] == pages[2:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if not REDIS_SERVER.exists():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    server = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_several_hosts_share_fragments_through_redis(make_app, factory, discussion, redis_url,
                                                     draws):
    import redis

    idea = discussion[0]
    reader = factory.user()
    hosts = [make_app(CACHE_REDIS_URL=redis_url), make_app(CACHE_REDIS_URL=redis_url)]
    assert all(type(host.extensions["cache"][fragments.cache]).__name__ == "RedisCache"
               for host in hosts)
    pages = []
    for host in hosts:
        host.test_client_class = Client
        client = host.test_client()
        sign_in(client, reader)
        pages.append(without_tokens(client.get(f"/ideas/{idea.public_id}").get_data(
            as_text=True)))
    assert draws["comment"] == 2  # the second host drew nothing: it read the first's HTML
    assert pages[0] == pages[1]
    keys = redis.Redis.from_url(redis_url).keys("ideaboard:cache:comment:*")
    assert len(keys) == 2
    edit_comment(discussion[1], discussion[2], body="Changed on one host", stance=Stance.FOR)
    client = hosts[1].test_client()
    sign_in(client, reader)
    assert "Changed on one host" in client.get(f"/ideas/{idea.public_id}").get_data(
        as_text=True)


def test_pages_are_drawn_while_redis_is_down(make_app, factory, discussion):
    idea = discussion[0]
    reader = factory.user()
    app = make_app(CACHE_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, reader)
    page = client.get(f"/ideas/{idea.public_id}")
    assert page.status_code == 200 and "<strong>library</strong>" in page.get_data(as_text=True)


def test_redis_url_from_the_environment_selects_the_shared_backend(monkeypatch, tmp_path):
    from ideaboard import create_app

    monkeypatch.setenv("IDEABOARD_CACHE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("IDEABOARD_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("IDEABOARD_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/a.db")
    app = create_app()
    assert app.config["CACHE_TYPE"] == "RedisCache"
