"""Small helpers for the acceptance-scene browser tests (test_scenes.py): people made with
the factory before the browser starts, signing in through the form, and the few UI steps
every scene repeats (open a campaign, compose in it, comment, vote)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from ideaboard.extensions import db
from ideaboard.models import Level
from tests.conftest import TEST_PASSWORD


@dataclass(frozen=True)
class Person:
    """Plain data about a user, so the test never touches the ORM while the server runs."""
    id: int
    email: str
    name: str


def make_person(factory, role: str, name: str, department: str,
                level: Level = Level.FRONTLINE) -> Person:
    slug = re.sub(r"[^a-z]+", ".", name.lower()).strip(".")
    user = factory.user(role, name=name, email=f"{slug}@example.com", department=department,
                        level=level)
    person = Person(user.id, user.email, user.display_name)
    db.session.commit()  # end the read transaction the attribute access opened
    return person


def sign_in(new_page: Callable[..., Page], live_server: str, person: Person,
            js_enabled: bool = True) -> Page:
    """A fresh browser context, signed in through the login form."""
    page = new_page(js_enabled=js_enabled)
    page.goto(f"{live_server}/login")
    page.fill("#email", person.email)
    page.fill("#password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".user-menu summary")).to_have_text(person.name)
    return page


def header_link(page: Page, name: str):
    return page.locator(".site-header").get_by_role("link", name=name, exact=True)


def create_campaign(page: Page, live_server: str, *, title: str, background: str, kind: str,
                    anonymity: str, opens: str = "2026-01-01T09:00",
                    closes: str = "2030-01-01T09:00", nominations: bool | None = None) -> str:
    """From any page: Campaigns → Ask the company a question → fill → publish.
    Returns the campaign's URL."""
    header_link(page, "Campaigns").click()
    expect(page).to_have_url(f"{live_server}/campaigns/")
    expect(page.locator("h1")).to_have_text("Campaigns")
    page.get_by_role("link", name="Ask the company a question").click()
    expect(page).to_have_url(f"{live_server}/campaigns/new")
    expect(page.locator("h1")).to_have_text("Ask the company a question")
    page.get_by_label("The question", exact=True).fill(title)
    page.get_by_label("Background", exact=True).fill(background)
    page.locator(f"input[name=kind][value={kind}]").check()
    page.locator(f"input[name=anonymity][value={anonymity}]").check()
    page.get_by_label("Opens", exact=True).fill(opens)
    page.get_by_label("Closes", exact=True).fill(closes)
    if nominations is not None:
        page.get_by_label("Employees may nominate options").set_checked(nominations)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the campaign").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".flashes")).to_contain_text("Your campaign is published.")
    assert re.fullmatch(re.escape(live_server) + r"/campaigns/[\w-]+", page.url), page.url
    return page.url


def compose_in_campaign(page: Page, campaign_url: str, button: str, *, title: str,
                        body: str) -> str:
    """Campaign page → "Add your answer" / "Nominate an option" → fill → Publish.
    Returns the new idea's URL."""
    page.goto(campaign_url)
    # the header's button says the same and posts into the same campaign (issue 12)
    header = page.locator(".site-header").get_by_role("link", name=button, exact=True)
    expect(header).to_have_attribute("href", re.compile(r"/ideas/new\?campaign="))
    page.locator("#options").get_by_role("link", name=button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/ideas/new\?campaign="))
    expect(page.locator("h1")).to_have_text(button)
    page.locator("#title").fill(title)
    page.locator("#body").fill(body)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".flashes")).to_contain_text("Your idea is published.")
    assert re.search(r"/ideas/[\w-]+$", page.url) and not page.url.endswith("/ideas/new"), \
        page.url
    return page.url


def nominate(page: Page, campaign_url: str, *, title: str, body: str) -> str:
    """Campaign page → "Nominate an option" → the nomination form (its own words) →
    Nominate. Returns the option's URL."""
    page.goto(campaign_url)
    header = page.locator(".site-header").get_by_role("link", name="Nominate an option")
    expect(header).to_have_attribute("href", re.compile(r"/campaigns/[\w-]+/nominate$"))
    page.locator("main").get_by_role("link", name="Nominate an option", exact=True).click()
    expect(page).to_have_url(re.compile(r"/campaigns/[\w-]+/nominate$"))
    expect(page.locator("h1")).to_have_text("Nominate an option")
    page.get_by_label("Candidate or option").fill(title)
    page.get_by_label("Why this one?").fill(body)
    with page.expect_navigation():
        page.get_by_role("button", name="Nominate", exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".flashes")).to_contain_text("Your nomination is in.")
    return page.url


def vote_from_list(page: Page, campaign_url: str, option_title: str, value: str) -> None:
    """On the campaign page, press Support or Oppose beside an option (JavaScript on)."""
    if page.url.split("?")[0] != campaign_url:
        page.goto(campaign_url)
    card = page.locator(".option-card").filter(has_text=option_title)
    button = card.locator(f"button.vote-{value}")
    expect(button).to_have_attribute("aria-pressed", "false")
    with page.expect_response(lambda r: r.url.endswith("/vote")
                              and r.request.method == "POST") as response:
        button.click()
    assert response.value.status == 200, response.value.text()[:300]
    expect(button).to_have_attribute("aria-pressed", "true")


def post_comment(page: Page, idea_url: str, stance: str, body: str) -> None:
    """On the idea page: choose a stance ("For", "Against", "Neutral / question"), post."""
    if page.url.split("#")[0] != idea_url:
        page.goto(idea_url)
    form = page.locator("form.comment-form")
    form.get_by_role("radio", name=stance, exact=True).check()
    form.locator("textarea[name=body]").fill(body)
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#discussion li.comment .comment-body").filter(has_text=body)
           ).to_have_count(1)


def vote(page: Page, idea_url: str, value: str, js_enabled: bool = True) -> None:
    """Press Support or Oppose on the idea page and wait until the vote is stored."""
    if page.url.split("#")[0] != idea_url:
        page.goto(idea_url)
    button = page.locator(f"button.vote-{value}")
    expect(button).to_be_enabled()
    expect(button).to_have_attribute("aria-pressed", "false")
    if js_enabled:
        with page.expect_response(lambda r: r.url == f"{idea_url}/vote"
                                  and r.request.method == "POST") as response:
            button.click()
        assert response.value.status == 200, response.value.text()[:300]
    else:
        with page.expect_navigation():
            button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def forget_refused_form(browser_errors, action_suffix: str) -> None:
    """A refused form is re-rendered with status 400, which Chromium logs as a failed
    resource load; that one message is expected, every other error still counts."""
    pattern = re.compile(re.escape(action_suffix)
                         + r": Failed to load resource: the server responded with a status of 400")
    browser_errors.messages[:] = [m for m in browser_errors.messages if not pattern.search(m)]


@dataclass
class IdCheck:
    """Duplicate ids break labels (`for=`), `aria-*` references and #fragment links; axe
    trusts `label[for]` and misses it. Collects along a flow, fails once at the end.
    Hidden inputs are left out: every form's CSRF field is `id="csrf_token"`, harmless."""
    found: dict[str, list] = field(default_factory=dict)

    def check(self, page: Page, where: str) -> None:
        duplicates = page.evaluate("""() => {
            const seen = {};
            document.querySelectorAll("[id]:not(input[type=hidden])").forEach(el => {
                seen[el.id] = (seen[el.id] || []).concat(el.tagName.toLowerCase());
            });
            return Object.entries(seen).filter(([, tags]) => tags.length > 1);
        }""")
        if duplicates:
            self.found[where] = duplicates

    def assert_clean(self) -> None:
        assert not self.found, "duplicate ids: " + "; ".join(
            f"{where}: {dupes}" for where, dupes in self.found.items())
