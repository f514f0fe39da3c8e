"""Stored and reflected XSS: every payload in tests/xss_payloads.txt, put everywhere a user
can write (title, body, tags, comment, display name) and read back from every page that
shows it, must come out inert. Pages are parsed with html.parser so real tags and
attributes are checked, not just substrings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from ideaboard.models import Comment, Idea, IdeaStatus, Stance, User
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.comments import add_comment
from ideaboard.services.review import change_status, pull_into_queue
from ideaboard.text import render_markdown
from tests.conftest import sign_in
from tests.web.isolation import IsolatedClient

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

PAYLOADS = [line for line in
            (Path(__file__).parent.parent / "xss_payloads.txt").read_text("utf-8").splitlines()
            if line.strip()]
SORTS = ("top", "hot", "new", "discussed")
APP_SCRIPT = re.compile(r"^/static/js/app\.js(\?.*)?$")
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "svg", "math", "style", "object",
                  "embed", "applet", "base", "img", "video", "audio", "source", "form"}
# Tags the page layout itself may use; user content never adds them (checked in fragments).
LAYOUT_TAGS = {"script", "img", "form"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background",
                  "poster", "srcset", "lowsrc", "dynsrc", "codebase", "cite"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def payload_id(payload: str) -> str:
    number = PAYLOADS.index(payload) + 1 if payload in PAYLOADS else 0
    return f"{number:02d}-" + (re.sub(r"\W+", "_", payload).strip("_")[:36] or "blank")


@dataclass
class ParsedPage(HTMLParser):
    tags: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    script_bodies: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies.append(data)
        else:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return "".join(self.text)


def parse(html: str) -> ParsedPage:
    page = ParsedPage()
    page.feed(html)
    page.close()
    return page


def normalised_url(value: str) -> str:
    """What a browser would parse: control characters and whitespace do not count."""
    return re.sub(r"[\x00-\x20\x7f]+", "", value).lower()


def inertness_problems(html: str, *, full_page: bool) -> list[str]:
    """Every way this HTML could run script or restyle the page, as readable messages."""
    problems = []
    page = parse(html)
    for tag, attrs in page.tags:
        attributes = dict(attrs)
        if tag == "script":
            src = attributes.get("src") or ""
            if not (full_page and APP_SCRIPT.match(src) and "defer" in attributes):
                problems.append(f"script tag {attrs}")
        elif tag in DANGEROUS_TAGS and not (full_page and tag in LAYOUT_TAGS):
            problems.append(f"<{tag}> tag {attrs}")
        if tag == "img" and not (attributes.get("src") or "").startswith("/static/"):
            problems.append(f"image from user content {attrs}")
        if tag == "form" and not (attributes.get("action") or "/").startswith("/"):
            problems.append(f"form posting elsewhere {attrs}")
        if tag == "link" and not (attributes.get("href") or "").startswith("/"):
            problems.append(f"link tag {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name}= on <{tag}>")
            if name in ("style", "srcdoc"):
                problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and normalised_url(value or "").startswith(BAD_SCHEMES):
                problems.append(f"{name}={value!r} on <{tag}>")
    if any(body.strip() for body in page.script_bodies):
        problems.append(f"inline script {page.script_bodies}")
    scripts = len(re.findall(r"<script\b", html, re.IGNORECASE))
    if scripts > (1 if full_page else 0):
        problems.append(f"{scripts} <script substrings")
    if re.search(r"(?i)<(iframe|svg|style|math|object|embed)\b", html):
        problems.append("an iframe/svg/style/math/object/embed tag in the raw HTML")
    return problems


def assert_inert(html: str, where: str, *, full_page: bool = True) -> ParsedPage:
    problems = inertness_problems(html, full_page=full_page)
    assert not problems, f"{where}: {problems}"
    return parse(html)


# --- the checker itself must catch what it is meant to catch ----------------------------------

@pytest.mark.parametrize("dangerous", [
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>',
    '<a href="javascript:alert(1)">x</a>', '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>', '<iframe src="/"></iframe>', '<style>a{}</style>',
    '<details open ontoggle=alert(1)>', '<p title="x" onmouseover="alert(1)">x</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
])
def test_the_checker_catches_live_markup(dangerous):
    assert inertness_problems(f"<p>{dangerous}</p>", full_page=False)
    page = f'<html><head><script src="/static/js/app.js" defer></script></head>{dangerous}'
    assert inertness_problems(page, full_page=True)


def test_the_checker_accepts_the_apps_own_script_and_escaped_text():
    page = ('<html><head><script src="/static/js/app.js" defer></script></head><body>'
            '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>'
            '<a href="https://example.com" rel="nofollow noopener">x</a></body></html>')
    assert inertness_problems(page, full_page=True) == []


# --- stored payloads --------------------------------------------------------------------------

@pytest.fixture
def client(app) -> IsolatedClient:
    """Each request in its own app context, as in production (see tests/web/isolation.py)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@dataclass
class Posted:
    author: User
    idea: Idea
    comment: Comment


@pytest.fixture
def posted(factory) -> list[Posted]:
    """Every payload stored at once: as a display name, an idea title and body, a comment."""
    stored = []
    for payload in PAYLOADS:
        author = factory.user("employee", name=payload)
        idea = factory.idea(author, title=payload, body=payload)
        comment = add_comment(author, idea_by_public_id(idea.public_id), body=payload,
                              stance=Stance.AGAINST)
        stored.append(Posted(author, idea, comment))
    return stored


LIST_PAGES = ["/", "/ideas", *(f"/ideas?sort={sort}" for sort in SORTS)]


def visible(page: ParsedPage, payload: str) -> bool:
    return payload.strip() in page.visible_text or any(
        value == payload.strip() for _tag, attrs in page.tags for _name, value in attrs)


def test_payload_file_has_the_classics():
    assert len(PAYLOADS) >= 20
    assert "<script>alert(1)</script>" in PAYLOADS
    assert "[click](javascript:alert(1))" in PAYLOADS


def test_stored_payloads_are_inert_for_visitors(client, posted):
    for url in LIST_PAGES + [f"/ideas/{item.idea.public_id}" for item in posted]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), url)
    for item in posted:  # really on the page, shown as text
        page = parse(client.get(f"/ideas/{item.idea.public_id}").get_data(as_text=True))
        assert item.idea.title.strip() in page.visible_text


def test_stored_payloads_are_inert_for_their_authors(client, posted):
    for item in posted[::4]:  # signing in is slow (scrypt); a spread of payloads suffices
        sign_in(client, item.author)
        client.signed_in = True
        for url in (f"/ideas/{item.idea.public_id}", f"/ideas/{item.idea.public_id}/edit",
                    f"/comments/{item.comment.public_id}/edit", "/account/profile",
                    "/ideas/new", "/"):
            response = client.get(url)
            assert response.status_code == 200, url
            page = assert_inert(response.get_data(as_text=True), url)
            if "/edit" in url or "profile" in url:
                assert visible(page, item.author.display_name) or visible(
                    page, item.idea.title), url
        client.post_form("/logout", {})
        client.signed_in = False


def test_edit_pages_keep_the_payloads_inside_their_fields(client, posted):
    """`</textarea>` and `">` must not break out of the edit form's fields."""
    for item in posted[::3]:
        sign_in(client, item.author)
        client.signed_in = True
        page = assert_inert(client.get(f"/ideas/{item.idea.public_id}/edit")
                            .get_data(as_text=True), "edit page")
        title_inputs = [dict(attrs) for tag, attrs in page.tags
                        if tag == "input" and dict(attrs).get("name") == "title"]
        assert [field.get("value") for field in title_inputs] == [item.idea.title.strip()]
        assert sum(1 for tag, _attrs in page.tags if tag == "textarea") == 1
        client.post_form("/logout", {})
        client.signed_in = False


def test_payloads_posted_over_http_are_inert(client, login_as):
    login_as("employee")
    for payload in PAYLOADS:
        preview = client.post_form("/ideas/new", {"title": payload, "body": payload,
                                                  "tags": "", "preview": "Preview"})
        assert preview.status_code == 200
        page = assert_inert(preview.get_data(as_text=True), "compose preview")
        previews = [dict(attrs) for _tag, attrs in page.tags
                    if "data-preview-target" in dict(attrs)]
        assert len(previews) == 1 and "hidden" not in previews[0]
        live = client.post_form("/ideas/preview", {"body": payload})
        assert live.is_json
        assert_inert(live.get_json()["html"], "/ideas/preview", full_page=False)
        published = client.post_form("/ideas/new", {"title": payload, "body": payload,
                                                    "tags": "", "publish": "Publish"})
        assert published.status_code == 302
        idea_url = published.headers["Location"]
        client.post_form(f"{idea_url}/comments", {"body": payload, "stance": "for"})
        assert_inert(client.get(idea_url).get_data(as_text=True), f"published {payload!r}")
        tagged = client.post_form("/ideas/new", {"title": "Tagged idea", "body": "Body",
                                                 "tags": payload, "publish": "Publish"})
        assert tagged.status_code in (200, 302)
        if tagged.status_code == 200:  # refused: the form comes back with a readable error
            page = assert_inert(tagged.get_data(as_text=True), "compose with bad tags")
            assert any(dict(attrs).get("class") == "field-error" for tag, attrs in page.tags
                       if tag == "p")
    for url in LIST_PAGES:
        assert_inert(client.get(url).get_data(as_text=True), f"{url} after HTTP posts")


def test_reflected_query_values_are_inert(client):
    for payload in PAYLOADS:
        for url in (f"/ideas?tag={quote(payload)}", f"/ideas?sort={quote(payload)}",
                    f"/ideas?after={quote(payload)}", f"/login?next={quote(payload)}",
                    f"/search?q={quote(payload)}", f"/?x={quote(payload)}"):
            response = client.get(url)
            assert response.status_code < 500, url
            assert_inert(response.get_data(as_text=True), url)
        missing = client.get(f"/ideas/{quote(payload, safe='')}")
        assert missing.status_code == 404
        assert_inert(missing.get_data(as_text=True), "404 page")


def test_review_and_decision_pages_are_inert(client, factory, posted):
    """The leader's queue and item page, the public timeline, the decided list and the
    authors' inboxes show the ideas, their comments and the leaders' rationales."""
    leader = factory.user("leader", name="Leader " + PAYLOADS[0][:60])
    for item in posted:
        idea = idea_by_public_id(item.idea.public_id)
        add_comment(factory.user("employee", name="Supporter " + item.idea.title[:60]), idea,
                    body=item.idea.title, stance=Stance.FOR)
        pull_into_queue(leader, idea, item.idea.title)
    for item in posted[::2]:
        idea = idea_by_public_id(item.idea.public_id)
        change_status(leader, idea, IdeaStatus.ACCEPTED,
                      item.idea.title + " — accepted after a careful look at the numbers.")
    sign_in(client, leader)
    client.signed_in = True
    urls = ["/review/", "/decided", "/inbox/"]
    urls += [f"/review/{item.idea.public_id}" for item in posted]
    urls += [f"/ideas/{item.idea.public_id}" for item in posted[::2]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), f"{url} (leader)")
    client.post_form("/logout", {})
    client.signed_in = False
    for item in posted[::5]:
        sign_in(client, item.author)
        client.signed_in = True
        assert_inert(client.get("/inbox/").get_data(as_text=True), "/inbox/ (author)")
        client.post_form("/logout", {})
        client.signed_in = False


# --- the sanitiser, directly ------------------------------------------------------------------

def anchors(html: str) -> list[dict[str, str | None]]:
    return [dict(attrs) for tag, attrs in parse(html).tags if tag == "a"]


@pytest.mark.parametrize("source, href", [
    ("[site](https://example.com/a?b=1)", "https://example.com/a?b=1"),
    ("[plain](http://example.com)", "http://example.com"),
    ("[mail](mailto:someone@example.com)", "mailto:someone@example.com"),
    ("<https://example.com/auto>", "https://example.com/auto"),
    ("see https://example.com/bare in text", "https://example.com/bare"),
])
def test_render_markdown_keeps_safe_links_with_nofollow(source, href):
    links = anchors(render_markdown(source))
    assert len(links) == 1
    assert links[0]["href"] == href
    assert links[0]["rel"] == "nofollow noopener"


def test_render_markdown_link_title_survives_and_rel_cannot_be_chosen():
    links = anchors(render_markdown('[x](https://example.com "Example site")'))
    assert links == [{"href": "https://example.com", "title": "Example site",
                      "rel": "nofollow noopener"}]


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](ftp://example.com/file)",
    "[x](file:///etc/passwd)", "[x](//evil.example/path)", "[x](/ideas/relative)",
    "[x](java\tscript:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)", "<javascript:alert(1)>",
])
def test_render_markdown_drops_every_other_link(source):
    html = render_markdown(source)
    assert all("href" not in link for link in anchors(html)), html
    assert inertness_problems(html, full_page=False) == []
    if source.startswith("[x]"):
        assert "x" in parse(html).visible_text, "the link text should stay readable"


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_render_markdown_output_is_inert(payload):
    html = render_markdown(payload)
    assert inertness_problems(html, full_page=False) == []
    for tag, _attrs in parse(html).tags:
        assert tag in {"p", "a", "em", "strong", "code", "pre", "br", "blockquote", "ul", "ol",
                       "li", "h3", "h4", "h5", "h6", "hr", "del", "table", "thead", "tbody",
                       "tr", "th", "td"}, tag


def test_render_markdown_strips_images_and_raw_html():
    html = render_markdown('![x](https://example.com/x.png) <b onclick="x()">bold</b>')
    tags = {tag for tag, _attrs in parse(html).tags}
    assert tags == {"p"}, html
    assert "&lt;b onclick" in html  # raw HTML is shown as text, never interpreted
