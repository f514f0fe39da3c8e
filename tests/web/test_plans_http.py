"""Plan review over HTTP: the plan page, writing and importing the plan, critiques, helpful
marks, replies, answers, the report, anonymity for every kind of viewer, and query counts."""
from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import func, insert, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    Criterion,
    Critique,
    CritiqueRating,
    CritiqueReply,
    CritiqueStance,
    CritiqueVote,
    Level,
    Notification,
    Plan,
    Section,
    User,
)
from ideaboard.models.base import random_public_id, utcnow
from ideaboard.queries.plans import criteria_of, plan_of, sections_of
from ideaboard.services.plans import (
    add_criterion,
    answer_critique,
    post_critique,
    reply_to_critique,
    save_plan,
)
from tests.conftest import sign_in
from tests.unit.test_plans import close, make_campaign, make_plan, rate_all

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

TWO_SECTIONS = "# Plan\n\n## First\n\nOne.\n\n## Second\n\nTwo.\n"


@dataclass
class PlanObjects:
    """A plan review campaign with one of everything, for the route × role matrices."""
    campaign: Campaign
    section: Section
    criterion: Criterion
    critique: Critique
    reply: CritiqueReply

    def path_values(self) -> dict[tuple[str, str], str]:
        return {("campaigns", "slug"): self.campaign.slug,
                ("sections", "section_id"): str(self.section.id),
                ("criteria", "criterion_id"): str(self.criterion.id),
                ("critiques", "public_id"): self.critique.public_id,
                ("critique-replies", "public_id"): self.reply.public_id}


def plan_objects(owner: User, author: User | None = None) -> PlanObjects:
    """The campaign and plan belong to `owner`; the critique and reply to `author`."""
    campaign = make_campaign(owner, slug=f"plan-{secrets.token_hex(4)}")
    plan = make_plan(owner, campaign)
    section = sections_of(plan)[0]
    critique = post_critique(author or owner, campaign, section, stance=CritiqueStance.CONCERN,
                             body="A critique", ratings=rate_all(plan))
    reply = reply_to_critique(author or owner, campaign, critique, body="A reply")
    return PlanObjects(campaign, section, criteria_of(plan)[0], critique, reply)


def plan_url(campaign, suffix: str = "") -> str:
    return f"/campaigns/{campaign.slug}/plan{suffix}"


def critique_form(plan, stance: str = "concern", body: str = "A concern", score: int = 3,
                  **extra) -> dict:
    data = {"stance": stance, "body": body, **extra}
    data.update({f"rating_{c.id}": str(score) for c in criteria_of(plan)})
    return data


@pytest.fixture
def owner(factory) -> User:
    return factory.user("leader", name="Plan Owner")


@pytest.fixture
def campaign(owner):
    return make_campaign(owner)


@pytest.fixture
def plan(owner, campaign) -> Plan:
    return make_plan(owner, campaign)


# -- reading ------------------------------------------------------------------------------

def test_visitors_read_the_plan_in_section_order(client, campaign, plan):
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert page.index("Introduction") < page.index("Market") < page.index("Budget")
    assert "<table>" in page  # the Budget section's Markdown table
    assert "Sign in to critique this section" in page
    assert "Critique this section" not in page


def test_an_unknown_or_other_kind_of_campaign_has_no_plan(client, factory):
    assert client.get("/campaigns/nope/plan").status_code == 404
    from ideaboard.services.ideas import standing_campaign
    assert client.get(plan_url(standing_campaign())).status_code == 404


def test_before_the_plan_exists_the_owner_is_invited_to_write_it(client, owner, campaign):
    assert "has not been posted yet" in client.get(plan_url(campaign)).get_data(as_text=True)
    sign_in(client, owner)
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert f'href="/campaigns/{campaign.slug}/plan/edit"' in page


def test_the_critique_form_is_accessible(client, login_as, campaign, plan):
    login_as("employee")
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    section = sections_of(plan)[0]
    assert "<fieldset" in page and "<legend" in page
    for criterion in criteria_of(plan):
        field_id = f"rating_{criterion.id}-{section.id}"
        assert f'<label class="form-label" for="{field_id}">' in page
        assert f'id="{field_id}"' in page
    assert f'for="body-{section.id}"' in page
    assert f'id="stance-0-{section.id}"' in page and f'for="stance-0-{section.id}"' in page
    assert len(re.findall(r'id="body-\d+"', page)) == len(sections_of(plan))  # ids unique


# -- writing and importing ---------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("employee", 403), ("leader", 403),
                                              ("admin", 200)])
def test_only_the_owner_or_an_admin_opens_the_editor(client, login_as, campaign, role, status):
    login_as(role)
    assert client.get(plan_url(campaign, "/edit")).status_code == status


def test_visitors_are_sent_to_sign_in(client, campaign):
    response = client.get(plan_url(campaign, "/edit"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_owner_writes_the_plan_in_the_form(client, owner, campaign):
    sign_in(client, owner)
    assert client.get(plan_url(campaign, "/edit")).status_code == 200
    response = client.post_form(plan_url(campaign, "/edit"),
                                {"title": "Typed title", "document": "Intro text\n\n## A\n\nx"})
    assert response.status_code == 302
    plan = plan_of(campaign)
    assert plan.title == "Typed title"
    assert [s.heading for s in sections_of(plan)] == ["Introduction", "A"]


def test_the_owner_imports_a_markdown_file(client, owner, campaign):
    sign_in(client, owner)
    upload = (io.BytesIO("# Imported plan\n\n前言\n\n## 市场\n\n客户\n\n## Budget\n\n1\n"
                         .encode("utf-8-sig")), "plan.md")
    response = client.post_form(plan_url(campaign, "/edit"),
                                {"title": "", "document": "", "upload": upload},
                                content_type="multipart/form-data")
    assert response.status_code == 302
    plan = plan_of(campaign)
    assert plan.title == "Imported plan"
    assert [(s.heading, s.body) for s in sections_of(plan)] == [
        ("Introduction", "前言"), ("市场", "客户"), ("Budget", "1")]


def test_a_file_that_is_not_markdown_is_refused_next_to_the_field(client, owner, campaign):
    sign_in(client, owner)
    response = client.post_form(plan_url(campaign, "/edit"),
                                {"upload": (io.BytesIO(b"\x89PNG"), "plan.png")},
                                content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Upload a Markdown file" in response.get_data(as_text=True)
    assert plan_of(campaign) is None


def test_an_employee_cannot_post_a_plan(client, login_as, campaign):
    login_as("employee")
    response = client.post_form(plan_url(campaign, "/edit"), {"document": TWO_SECTIONS})
    assert response.status_code == 403
    assert plan_of(campaign) is None


def test_after_critiques_the_owner_edits_one_section_and_cannot_delete_it(
        client, factory, owner, campaign, plan):
    market = sections_of(plan)[1]
    post_critique(factory.user(), campaign, market, stance=CritiqueStance.SUPPORT, body="ok",
                  ratings=rate_all(plan))
    sign_in(client, owner)
    editor = client.get(plan_url(campaign, "/edit")).get_data(as_text=True)
    assert 'name="document"' not in editor  # no whole-document replacement any more
    response = client.post_form(plan_url(campaign, f"/sections/{market.id}/edit"),
                                {"heading": "Market", "body": "Revised *text*"})
    assert response.status_code == 302
    assert db.session.get(Section, market.id).body_html.strip() == "<p>Revised <em>text</em></p>"
    client.post_form(plan_url(campaign, f"/sections/{market.id}/delete"))
    assert db.session.get(Section, market.id) is not None
    # The document field is ignored now, even if sent.
    client.post_form(plan_url(campaign, "/edit"), {"title": "T", "document": TWO_SECTIONS})
    assert len(sections_of(plan)) == 4


def test_the_owner_edits_the_rubric(client, owner, campaign, plan):
    sign_in(client, owner)
    risk = criteria_of(plan)[2]
    client.post_form(plan_url(campaign, "/criteria"), {"label": "Cost"})
    client.post_form(plan_url(campaign, f"/criteria/{risk.id}"), {"active": "0"})
    assert [c.label for c in criteria_of(plan)] == ["Feasibility", "Impact", "Cost"]
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert "Cost" in page and f"rating_{risk.id}" not in page


# -- critiques ----------------------------------------------------------------------------

def test_posting_a_critique_with_ratings(client, login_as, campaign, plan):
    me = login_as("employee")
    section = sections_of(plan)[1]
    response = client.post_form(plan_url(campaign, f"/sections/{section.id}/critiques"),
                                critique_form(plan, score=4))
    assert response.status_code == 302
    critique = db.session.scalar(select(Critique))
    assert critique.author_id == me.id and critique.section_id == section.id
    assert response.headers["Location"].endswith(f"#k-{critique.public_id}")
    assert db.session.scalar(select(func.count()).select_from(CritiqueRating).where(
        CritiqueRating.score == 4)) == 3


@pytest.mark.parametrize("score", ["", "0", "6", "x"])
def test_a_bad_rating_is_shown_next_to_the_field(client, login_as, campaign, plan, score):
    login_as("employee")
    section = sections_of(plan)[0]
    data = critique_form(plan)
    data[f"rating_{criteria_of(plan)[0].id}"] = score
    response = client.post_form(plan_url(campaign, f"/sections/{section.id}/critiques"), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="field-error"' in page
    assert "<details class=\"critique-compose card-panel\" open>" in page
    assert db.session.scalar(select(func.count()).select_from(Critique)) == 0


def test_a_closed_campaign_refuses_critiques_but_stays_readable(client, login_as, factory,
                                                                 campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.SUPPORT, body="Early bird",
                             ratings=rate_all(plan))
    close(campaign)
    login_as("employee")
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert "Early bird" in page and "Critique this section" not in page
    assert "The review is closed" in page
    section = sections_of(plan)[0]
    client.post_form(plan_url(campaign, f"/sections/{section.id}/critiques"), critique_form(plan))
    client.post_form(f"/critiques/{critique.public_id}/replies", {"body": "Late reply"})
    response = client.post_form(f"/critiques/{critique.public_id}/helpful", {"helpful": "1"},
                                headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Critique)) == 1
    assert db.session.scalar(select(func.count()).select_from(CritiqueReply)) == 0
    assert db.session.scalar(select(func.count()).select_from(CritiqueVote)) == 0


def test_helpful_marks_answer_in_json_for_app_js(client, login_as, factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Hmm", ratings=rate_all(plan))
    login_as("employee")
    url = f"/critiques/{critique.public_id}/helpful"
    json_headers = {"Accept": "application/json"}
    first = client.post_form(url, {"helpful": "1"}, headers=json_headers)
    again = client.post_form(url, {"helpful": "1"}, headers=json_headers)
    assert first.get_json() == {"helpful": True, "count": 1}
    assert again.get_json() == {"helpful": True, "count": 1}
    assert client.post_form(url, {"helpful": "0"}, headers=json_headers).get_json() == {
        "helpful": False, "count": 0}
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert f'form="item-action" formaction="{url}"' in page  # the page's one action form
    assert "data-helpful-count" in page


def test_no_helpful_mark_on_your_own_critique(client, login_as, campaign, plan):
    me = login_as("employee")
    critique = post_critique(me, campaign, sections_of(plan)[0], stance=CritiqueStance.CONCERN,
                             body="Mine", ratings=rate_all(plan))
    response = client.post_form(f"/critiques/{critique.public_id}/helpful", {"helpful": "1"},
                                headers={"Accept": "application/json"})
    assert response.status_code == 403 and "error" in response.get_json()
    assert db.session.get(Critique, critique.id).helpful_count == 0


def test_replies_are_threaded_on_the_page(client, login_as, factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Hmm", ratings=rate_all(plan))
    login_as("employee")
    client.post_form(f"/critiques/{critique.public_id}/replies", {"body": "First reply"})
    first = db.session.scalar(select(CritiqueReply))
    client.post_form(f"/critiques/{critique.public_id}/replies",
                     {"body": "Nested reply", "parent": first.public_id})
    nested = db.session.scalar(select(CritiqueReply).where(CritiqueReply.id != first.id))
    assert nested.parent_id == first.id and nested.depth == 1
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    start = page.index(f'id="r-{first.public_id}"')
    assert start < page.index("Nested reply") < page.index("</li>", page.index("Nested reply"))


def test_authors_edit_and_delete_their_own_critique(client, login_as, campaign, plan):
    me = login_as("employee")
    critique = post_critique(me, campaign, sections_of(plan)[0], stance=CritiqueStance.CONCERN,
                             body="Draft", ratings=rate_all(plan, 2))
    edit_url = f"/critiques/{critique.public_id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert "Draft" in form and 'selected value="2"' in form
    client.post_form(edit_url, critique_form(plan, stance="alternative", body="Better", score=5))
    stored = db.session.get(Critique, critique.id)
    assert stored.stance == CritiqueStance.ALTERNATIVE and stored.body == "Better"
    client.post_form(f"/critiques/{critique.public_id}/delete")
    assert db.session.get(Critique, critique.id).is_deleted
    assert "Critique deleted by its author." in client.get(plan_url(campaign)).get_data(
        as_text=True)


def test_others_cannot_edit_or_delete_a_critique(client, login_as, factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Theirs", ratings=rate_all(plan))
    login_as("admin")
    assert client.get(f"/critiques/{critique.public_id}/edit").status_code == 403
    assert client.post_form(f"/critiques/{critique.public_id}/delete").status_code == 403
    assert not db.session.get(Critique, critique.id).is_deleted


def test_the_owner_answers_under_the_critique(client, factory, owner, campaign, plan):
    author = factory.user()
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Hmm", ratings=rate_all(plan))
    sign_in(client, owner)
    client.post_form(f"/critiques/{critique.public_id}/answer",
                     {"answer": "Good point — <b>fixed</b> in v2."})
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    assert "Answer from the plan’s owner" in page
    assert "fixed</b>" not in page and "&lt;b&gt;fixed" in page
    assert db.session.scalar(select(Notification.user_id)) == author.id


def test_the_author_reads_the_answer_notification(client, factory, owner, campaign, plan):
    author = factory.user()
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Hmm", ratings=rate_all(plan))
    answer_critique(owner, campaign, critique, "Thanks")
    sign_in(client, author)
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f"answered your critique in “{campaign.title}”" in inbox
    assert "Plan Owner" not in inbox
    item = db.session.scalar(select(Notification))
    assert item.campaign_id == campaign.id and item.idea_id is None
    opened = client.post_form(f"/inbox/{item.id}/open")
    assert opened.status_code == 302 and campaign.slug in opened.headers["Location"]


def test_only_the_owner_answers(client, login_as, factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Hmm", ratings=rate_all(plan))
    login_as("leader")
    response = client.post_form(f"/critiques/{critique.public_id}/answer", {"answer": "Mine"})
    assert response.status_code == 403
    assert db.session.get(Critique, critique.id).answer == ""


# -- the report ---------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("employee", 403), ("leader", 200),
                                              ("admin", 200)])
def test_report_access(client, login_as, campaign, plan, role, status):
    login_as(role)
    assert client.get(plan_url(campaign, "/report")).status_code == status


def test_the_owner_reads_the_report_even_as_an_employee(client, factory):
    owner = factory.user("employee")
    campaign = make_campaign(owner)
    make_plan(owner, campaign)
    sign_in(client, owner)
    assert client.get(plan_url(campaign, "/report")).status_code == 200


def test_report_draws_charts_and_tables_with_the_right_numbers(client, login_as, factory,
                                                                campaign, plan):
    section = sections_of(plan)[1]
    feasibility, impact, risk = criteria_of(plan)
    for scores in [(1, 5, 2), (2, 5, 2), (2, 4, 2), (5, 4, 4)]:
        post_critique(factory.user(), campaign, section, stance=CritiqueStance.CONCERN,
                      body="Because", ratings=dict(zip([feasibility.id, impact.id, risk.id],
                                                       scores, strict=True)))
    login_as("leader")
    page = client.get(plan_url(campaign, "/report")).get_data(as_text=True)

    assert page.count('<svg role="img"') == 3  # only the critiqued section has scores
    assert "No critiques of this section yet." in page
    chart = page[page.index(f'id="chart-{section.id}-{feasibility.id}-title"') - 300:]
    chart = chart[:chart.index("</svg>")]
    assert "<title" in chart and "<desc" in chart and "style=" not in chart
    assert "Mean 2.5 from 4 ratings." in chart
    assert "1: 1 rating; 2: 2 ratings; 3: 0 ratings; 4: 0 ratings; 5: 1 rating." in chart
    table = page[page.index(f"Scores for “{section.heading}”"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>(.*?)</tr>", table, re.S)
    numbers = {label: re.findall(r'<td class="num">([^<]+)</td>', cells) for label, cells in rows}
    assert numbers == {"Feasibility": ["2.5", "4", "1", "2", "0", "0", "1"],
                       "Impact": ["4.5", "4", "0", "0", "0", "2", "2"],
                       "Risk": ["2.5", "4", "0", "3", "0", "1", "0"]}
    assert "4 concerns" in page
    assert "style=" not in page


# -- anonymity ----------------------------------------------------------------------------

SECRET_NAME = "Zelda Quintessence"
SECRET_EMAIL = "zelda.quintessence@example.com"
SECRET_DEPARTMENT = "Secret Skunkworks"
WHEN = datetime(2026, 3, 4, 13, 37, 21)


@pytest.mark.parametrize("policy", [Anonymity.ANONYMOUS_ONLY, Anonymity.OPTIONAL])
@pytest.mark.parametrize("viewer", ["employee", "leader", "admin"])
def test_anonymous_critiques_and_replies_reveal_nothing(client, factory, owner, policy,
                                                        viewer):
    campaign = make_campaign(owner, anonymity=policy)
    plan = make_plan(owner, campaign)
    author = factory.user(name=SECRET_NAME, email=SECRET_EMAIL, department=SECRET_DEPARTMENT,
                          level=Level.EXECUTIVE)
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Executive pay is too high",
                             ratings=rate_all(plan), anonymous=True)
    reply_to_critique(author, campaign, critique, body="And another thing",
                      anonymous=True)
    answer_critique(owner, campaign, critique, "Noted.")
    db.session.execute(update(Critique).values(created_at=WHEN, public_at=WHEN, updated_at=WHEN))
    db.session.execute(update(CritiqueReply).values(created_at=WHEN, public_at=WHEN,
                                                    updated_at=WHEN))
    db.session.commit()
    me = factory.user(viewer)
    sign_in(client, me)
    with client.application.test_request_context():
        profile = url_for("main.person", user_id=author.id)

    pages = {
        "plan": client.get(plan_url(campaign)).get_data(as_text=True),
        "helpful": client.post_form(f"/critiques/{critique.public_id}/helpful", {"helpful": "1"},
                                    headers={"Accept": "application/json"}).get_data(as_text=True),
    }
    report = client.get(plan_url(campaign, "/report"))
    if viewer != "employee":
        pages["report"] = report.get_data(as_text=True)
        assert "Executive pay is too high" in pages["report"]
    assert "Executive pay is too high" in pages["plan"] and "And another thing" in pages["plan"]
    for name, text in pages.items():
        for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_DEPARTMENT, "Executive<", "executive",
                       f'href="{profile}"', '"author_id"', "13:37", "1:37:21", "2026-03-04T"):
            assert secret not in text, (name, secret)
    assert "Anonymous employee" in pages["plan"]
    assert '<time datetime="2026-03-04">' in pages["plan"]
    assert set(client.post_form(f"/critiques/{critique.public_id}/helpful", {"helpful": "0"},
                                headers={"Accept": "application/json"}).get_json()) == {
        "helpful", "count"}


def test_named_critiques_show_their_author(client, factory, owner, campaign, plan):
    author = factory.user(name="Named Person")
    post_critique(author, campaign, sections_of(plan)[0], stance=CritiqueStance.SUPPORT,
                  body="Signed", ratings=rate_all(plan), anonymous=True)
    page = client.get(plan_url(campaign)).get_data(as_text=True)
    with client.application.test_request_context():
        profile = url_for("main.person", user_id=author.id)
    assert "Named Person" in page and f'href="{profile}"' in page  # what the test above rules out


# -- bounded SQL ------------------------------------------------------------------------------

def fill_plan(owner, campaign, sections: int, critiques_each: int) -> Plan:
    document = "\n\n".join(f"## Section {n}\n\nText {n}" for n in range(sections))
    plan = save_plan(owner, campaign, None, title="Bulk plan", document=document,
                     introduction="Introduction")
    authors = [User(email=f"{campaign.slug}{n}@example.com", display_name=f"Bulk {n}",
                    password_hash="x") for n in range(critiques_each)]
    db.session.add_all(authors)
    db.session.flush()
    now, criteria = utcnow(), criteria_of(plan)
    rows = [{"public_id": random_public_id(), "plan_id": plan.id, "section_id": section.id,
             "author_id": author.id, "is_anonymous": n % 2 == 0,
             "stance": list(CritiqueStance)[n % 3], "body": "b", "body_html": "<p>b</p>",
             "helpful_count": n, "created_at": now, "updated_at": now}
            for section in sections_of(plan) for n, author in enumerate(authors)]
    ids = [row.id for row in db.session.execute(insert(Critique).returning(Critique.id), rows)]
    db.session.execute(insert(CritiqueRating), [
        {"critique_id": critique_id, "criterion_id": c.id, "score": 1 + critique_id % 5}
        for critique_id in ids for c in criteria])
    db.session.execute(insert(CritiqueReply), [
        {"public_id": random_public_id(), "critique_id": critique_id, "plan_id": plan.id,
         "author_id": authors[0].id, "body": "r", "body_html": "<p>r</p>", "depth": 0,
         "created_at": now, "updated_at": now} for critique_id in ids[::3]])
    db.session.execute(update(Section).where(Section.plan_id == plan.id)
                       .values(critique_count=critiques_each))
    db.session.commit()
    return plan


def statements_for(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200, url
    return counter.count


@pytest.mark.parametrize("viewer", ["visitor", "owner", "leader"])
def test_plan_page_and_report_do_not_grow_with_data(client, factory, owner, count_queries,
                                                    viewer):
    small = make_campaign(owner, slug="small-plan")
    large = make_campaign(owner, slug="large-plan")
    fill_plan(owner, small, sections=2, critiques_each=2)
    fill_plan(owner, large, sections=10, critiques_each=30)
    if viewer == "owner":
        sign_in(client, owner)
    elif viewer == "leader":
        sign_in(client, factory.user("leader"))

    urls = [plan_url(small), plan_url(large)]
    if viewer != "visitor":
        urls += [plan_url(small, "/report"), plan_url(large, "/report")]
    counts = [statements_for(client, count_queries, url) for url in urls]
    assert counts[0] == counts[1]
    if viewer != "visitor":
        assert counts[2] == counts[3]
    assert max(counts) <= 15


def test_user_text_is_inert_everywhere_including_the_charts(client, factory, owner, campaign):
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    plan = save_plan(owner, campaign, None, title=payload,
                     document=f"## {payload}\n\n{payload}", introduction="Introduction")
    add_criterion(owner, campaign, plan, payload)
    post_critique(factory.user(), campaign, sections_of(plan)[0], stance=CritiqueStance.CONCERN,
                  body=payload, ratings=rate_all(plan))
    sign_in(client, owner)
    for url in (plan_url(campaign), plan_url(campaign, "/report"), plan_url(campaign, "/edit")):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url
