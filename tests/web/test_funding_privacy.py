"""Try to find out who backed what. For rounds with known backers (one closed and answered,
one still open), no page, JSON, feed, report, CSV, export, inbox item or e-mail seen by the
author of a backed idea, another employee, a leader or an admin may name a backer: they all
show totals and numbers of backers only."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ideaboard.extensions import db
from ideaboard.models import (
    ExportDataset,
    ExportFormat,
    FundingEntry,
    Notification,
    OutboxMessage,
    Role,
)
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.services.delivery import pledge_time, post_update, start_work
from ideaboard.services.exports import create_export
from ideaboard.services.funding import allocate, answer_funding, close_round
from ideaboard.services.mail import render_message
from tests.unit.funding_helpers import entered_idea, make_round
from tests.web.test_anonymity import without_pickers
from tests.web.test_anonymity_mail import browser

BACKERS = [("Quentin Backerfield", "quentin.backerfield@example.com"),
           ("Wilhelmina Pointgiver", "wilhelmina.pointgiver@example.com"),
           ("Zebulon Fundsworth", "zebulon.fundsworth@example.com")]
PRIVATE_DEPARTMENT = "Backers Anonymous Unit"
# Admins' user and department pages list every employee by design: there, only check that
# nothing says what anyone backed.
PEOPLE_DIRECTORY = {"admin.users", "admin.user", "admin.departments"}


@pytest.fixture
def app(make_app):
    """Mail on, so every notice also queues an e-mail the test renders as the worker would."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with app.app_context():
        yield app


@pytest.fixture
def world(factory):
    owner = factory.user(Role.LEADER, name="Round Owner")
    leader = factory.user(Role.LEADER, name="Confirming Leader")
    author = factory.user(name="Idea Author")
    backers = [factory.user(name=name, email=email, department=PRIVATE_DEPARTMENT)
               for name, email in BACKERS]
    closed = make_round(factory, owner=owner, min_backers=2, title="Closed fund")
    idea, entry = entered_idea(factory, closed, author=author, ask=20_000,
                               title="Backed and funded idea")
    _other, other_entry = entered_idea(factory, closed, ask=90_000, title="Not funded idea")
    for points, backer in zip((40, 25, 10), backers, strict=True):
        allocate(backer, closed.id, entry.id, points)
        allocate(backer, closed.id, other_entry.id, 5)
    close_round(closed.id, actor=owner)
    answer_funding(leader, db.session.get(FundingEntry, entry.id), True,
                   "Backed broadly; the pilot gets the money now.")
    idea = idea_by_public_id(idea.public_id)
    pledge_time(factory.user(name="Pledging Colleague"), idea, hours_per_week=2, weeks=3,
                skills="design", note="")
    start_work(author, idea)
    post_update(author, idea_by_public_id(idea.public_id), "The pilot runs in two teams.", 500)
    running = make_round(factory, owner=owner, min_backers=1, title="Running fund")
    _open_idea, open_entry = entered_idea(factory, running, author=author, ask=1_000,
                                          title="Still collecting points")
    for backer in backers:
        allocate(backer, running.id, open_entry.id, 7)
    db.session.commit()
    return {"idea": idea, "closed": closed, "running": running, "entry": entry,
            "backers": backers, "author": author, "leader": leader, "owner": owner}


def markers(world) -> list[str]:
    found = []
    for backer in world["backers"]:
        found += [backer.display_name, backer.email, backer.display_name.split()[1],
                  f"/people/{backer.id}\""]
    return [*found, PRIVATE_DEPARTMENT]


def leaks(text: str, world) -> list[str]:
    found = [marker for marker in markers(world) if marker in text]
    found += [f"profile {b.id}" for b in world["backers"]
              if re.search(rf"/people/{b.id}(?!\d)", text)]
    return found




def fill(rule, world) -> str | None:
    values = {"public_id": world["idea"].public_id, "slug": world["closed"].slug,
              "user_id": world["author"].id, "entry_id": world["entry"].id}
    url = rule.rule
    for argument in rule.arguments:
        if argument not in values:
            return None
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), url)
    return url


def test_no_page_json_feed_or_report_names_a_backer(app, factory, world):
    viewers = {"author": world["author"], "employee": factory.user(name="Curious Colleague"),
               "leader": world["leader"], "admin": factory.user(Role.ADMIN, name="An Admin")}
    running = world["running"].slug
    extra = [f"/funding/{running}", f"/funding/{running}?format=json",
             f"/funding/{running}/report", f"/funding/{running}/report.csv",
             f"/funding/{world['closed'].slug}/report.csv"]
    for role, viewer in viewers.items():
        client = browser(app, viewer)
        checked = 0
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.endswith("static"):
                continue
            url = fill(rule, world)
            if url is None:
                continue
            for query, accept in (("", "text/html"), ("", "application/json"),
                                  ("?q=backed", "text/html")):
                body = client.get(url + query, headers={"Accept": accept}).get_data(
                    as_text=True)
                if rule.endpoint in PEOPLE_DIRECTORY:
                    assert world["idea"].title not in body, (url, role)
                    continue
                assert leaks(without_pickers(body), world) == [], (url + query, role)
                checked += 1
        for url in extra:
            body = client.get(url).get_data(as_text=True)
            assert leaks(body, world) == [], (url, role)
        assert checked > 100


def test_backers_see_their_own_points_and_nobody_else_does(app, factory, world):
    backer = world["backers"][0]
    own = browser(app, backer).get(f"/funding/{world['closed'].slug}?format=json").get_json()
    assert [e["mine"] for e in own["entries"]] == [40, 5]
    other = browser(app, factory.user()).get(
        f"/funding/{world['closed'].slug}?format=json").get_json()
    assert [e["mine"] for e in other["entries"]] == [0, 0]
    assert [(e["points"], e["backers"]) for e in other["entries"]] == [(75, 3), (15, 3)]


def test_no_inbox_item_or_email_to_someone_else_names_a_backer(app, factory, world):
    backer_ids = {b.id for b in world["backers"]}
    messages = list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id.not_in(backer_ids))))
    kinds = set(db.session.scalars(select(Notification.kind).where(
        Notification.user_id.not_in(backer_ids))))
    assert {"funding_result", "funding_answer", "queue_new", "pledge_new"} <= {
        k.value for k in kinds}, kinds
    assert messages
    for message in messages:
        rendered = render_message(message)
        texts = [f"{k}: {v}" for k, v in rendered.items()] + [
            part.get_content() for part in rendered.walk() if not part.is_multipart()]
        for text in texts:
            assert leaks(text, world) == [], (message.kind, text)
    for user in (world["author"], world["leader"], world["owner"]):
        inbox = browser(app, user).get("/inbox/").get_data(as_text=True)
        assert leaks(inbox, world) == [], user.display_name
    # each backer hears, privately, that what they backed was funded and moved on
    own = browser(app, world["backers"][1]).get("/inbox/").get_data(as_text=True)
    assert "which you backed with your points, was funded" in own
    assert "New progress update on" in own


def test_no_admin_export_or_audit_entry_names_a_backer(app, factory, world):
    admin = factory.user(Role.ADMIN)
    for dataset in ExportDataset:
        for file_format in ExportFormat:
            export = create_export(admin, dataset, file_format)
            text = export.content.decode("utf-8-sig")
            assert leaks(text, world) == [], (dataset, file_format)
    audit = browser(app, admin).get("/admin/audit").get_data(as_text=True)
    assert "funding.released" in audit and "funding.close" in audit  # the privileged acts
    assert leaks(audit, world) == []


def test_a_closed_rounds_csv_has_totals_only(app, world):
    csv = browser(app, world["owner"]).get(
        f"/funding/{world['closed'].slug}/report.csv").get_data(as_text=True)
    assert "Backed and funded idea" in csv and ",75,3," in csv
    assert leaks(csv, world) == []
