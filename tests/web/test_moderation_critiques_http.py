"""Moderation of plan-review critiques through HTTP: the Flag control, the automatic hide on
the plan page, the report and search, and the admin's actions from the flag queue."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    ContentRevision,
    Critique,
    CritiqueStance,
    Flag,
    Role,
)
from ideaboard.queries.plans import sections_of
from ideaboard.services.plans import post_critique
from tests.conftest import sign_in
from tests.unit.test_plans import make_campaign, make_plan, rate_all
from tests.web.isolation import IsolatedClient
from tests.web.test_moderation_http import audit_count, flag_as

# Signed-out readers here are readers of a platform whose admin opened reading up; the
# default (sign in to read) is tested in test_access_matrix.py and test_privacy.py.
pytestmark = pytest.mark.usefixtures("reading_open")

BODY = "Zanzibar is a silly fool"


CLIENT_CLASS = IsolatedClient  # every request in its own app context, as in production


@pytest.fixture
def critique(factory):
    owner = factory.user("leader", name="Plan Owner")
    author = factory.user(name="Cross Critic")
    campaign = make_campaign(owner)
    plan = make_plan(owner, campaign)
    posted = post_critique(author, campaign, sections_of(plan)[0],
                           stance=CritiqueStance.CONCERN, body=BODY, ratings=rate_all(plan))
    return owner, author, campaign, posted


def flagged_then_admin(client, make_client, factory, item, reason: str):
    """A colleague flags the critique; then an admin signs in on `client`."""
    flag_as(make_client, factory, flag_url(item), reason)
    admin = factory.user(Role.ADMIN)
    sign_in(client, admin)
    return admin


def flag_url(item) -> str:
    return f"/moderation/critiques/{item.public_id}/flag"


def test_the_flag_control_is_on_others_critiques_only(client, make_client, factory,
                                                     critique):
    _owner, author, campaign, item = critique
    page_url = f"/campaigns/{campaign.slug}/plan"
    assert flag_url(item) not in client.get(page_url).get_data(as_text=True)  # visitors
    sign_in(client, factory.user())
    page = client.get(page_url).get_data(as_text=True)  # a link to the page's one flag form
    assert f'href="{flag_url(item)}" class="link-button" data-flag-link' in page
    own = make_client()
    sign_in(own, author)
    assert flag_url(item) not in own.get(page_url).get_data(as_text=True)


def test_flag_twice_is_refused_politely(client, factory, critique):
    _owner, _author, campaign, item = critique
    sign_in(client, factory.user())
    first = client.post_form(flag_url(item), {"reason": "spam"})
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/campaigns/{campaign.slug}/plan#k-{item.public_id}")
    again = client.post_form(flag_url(item), {"reason": "spam"}, follow_redirects=True)
    assert "already flagged" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_three_flags_hide_a_critique_from_everyone_but_its_author_and_admins(
        client, make_client, factory, critique):
    owner, author, campaign, item = critique
    page_url = f"/campaigns/{campaign.slug}/plan"
    for _ in range(2):
        assert flag_as(make_client, factory, flag_url(item)).status_code == 302
    assert BODY in client.get(page_url).get_data(as_text=True)

    flag_as(make_client, factory, flag_url(item), "other", "Insults the plan's authors")

    visitor_page = client.get(page_url).get_data(as_text=True)
    assert BODY not in visitor_page
    assert "Critique hidden pending review by the moderators." in visitor_page
    colleague = make_client()
    sign_in(colleague, factory.user())
    assert BODY not in colleague.get(page_url).get_data(as_text=True)
    sign_in(client, author)
    own_page = client.get(page_url).get_data(as_text=True)
    assert BODY in own_page
    assert "Several colleagues flagged your critique" in own_page
    assert "Abusive or disrespectful" in own_page  # the most common reason
    assert "Several colleagues flagged your critique" in client.get(
        "/moderation/notices").get_data(as_text=True)

    owner_browser = make_client()
    sign_in(owner_browser, owner)
    assert BODY not in owner_browser.get(page_url).get_data(as_text=True)
    report = owner_browser.get(f"{page_url}/report").get_data(as_text=True)
    assert BODY not in report and "1 concern" not in report

    admin = make_client()
    sign_in(admin, factory.user(Role.ADMIN))
    admin_page = admin.get(page_url).get_data(as_text=True)
    assert BODY in admin_page
    assert f'action="/admin/critiques/{item.public_id}/moderate"' in admin_page  # restore
    queue = admin.get("/admin/flags").get_data(as_text=True)
    assert BODY in queue and "Insults the plan" in queue
    assert f'id="flagged-critique-{item.public_id}"' in queue
    assert f'href="{page_url}#k-{item.public_id}"' in queue
    assert 'value="abusive" selected' in queue  # prefilled from the top reason


def test_a_hidden_critique_is_left_out_of_search(client, factory, critique):
    _owner, _author, _campaign, item = critique
    assert f"#k-{item.public_id}" in client.get("/search?q=Zanzibar").get_data(as_text=True)
    db.session.execute(Critique.__table__.update().where(Critique.id == item.id)
                       .values(hidden_at=func.now()))
    db.session.commit()
    assert f"#k-{item.public_id}" not in client.get("/search?q=Zanzibar").get_data(
        as_text=True)


def test_admin_actions_from_the_queue_each_write_one_audit_entry(client, make_client, factory,
                                                                 critique):
    _owner, author, campaign, item = critique
    page_url = f"/campaigns/{campaign.slug}/plan"
    moderate_url = f"/admin/critiques/{item.public_id}/moderate"
    admin = flagged_then_admin(client, make_client, factory, item, "spam")

    before = audit_count()
    response = client.post_form(moderate_url, {"action": "hide", "reason_code": "spam",
                                               "reason": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/flags")
    assert audit_count() == before + 1
    assert "No open flags" in client.get("/admin/flags").get_data(as_text=True)
    author_browser = make_client()
    sign_in(author_browser, author)
    page = author_browser.get(page_url).get_data(as_text=True)
    assert BODY in page and "A moderator hid your critique" in page
    assert "Spam or advertising" in page and admin.display_name not in page
    assert BODY not in make_client().get(page_url).get_data(as_text=True)

    response = client.post_form(moderate_url, {"action": "restore", "reason": "",
                                               "next": f"{page_url}#k-{item.public_id}"})
    assert response.headers["Location"].endswith(f"{page_url}#k-{item.public_id}")
    assert audit_count() == before + 2
    assert BODY in make_client().get(page_url).get_data(as_text=True)

    flag_as(make_client, factory, flag_url(item), "spam")
    client.post_form(moderate_url, {"action": "dismiss", "reason": ""})
    assert audit_count() == before + 3

    edit_url = f"/admin/critiques/{item.public_id}/edit"
    assert "Edit a critique" in client.get(edit_url).get_data(as_text=True)
    response = client.post_form(edit_url, {"body": "Zanzibar needs another look",
                                           "reason": "Removed an insult"})
    assert response.status_code == 302
    assert audit_count() == before + 4
    assert db.session.scalar(select(ContentRevision.body).where(
        ContentRevision.critique_id == item.id)) == BODY
    history = client.get(edit_url).get_data(as_text=True)
    assert BODY in history and "Removed an insult" in history

    client.post_form(moderate_url, {"action": "delete", "reason_code": "abusive",
                                    "reason": "Still rude"})
    assert audit_count() == before + 5
    page = make_client().get(page_url).get_data(as_text=True)
    assert "Critique removed by a moderator." in page and "Zanzibar" not in page
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-5:] == ["moderation.hide", "moderation.restore", "moderation.dismiss",
                            "moderation.edit", "moderation.delete"]


def test_employees_cannot_moderate_critiques(client, factory, critique):
    _owner, _author, _campaign, item = critique
    sign_in(client, factory.user())
    response = client.post_form(f"/admin/critiques/{item.public_id}/moderate",
                                {"action": "hide", "reason_code": "spam", "reason": ""})
    assert response.status_code == 403
    assert db.session.get(Critique, item.id).hidden_at is None


# --- revealing an anonymous critic -----------------------------------------------------------

SECRET_CRITIC, SECRET_EMAIL = "Hidden Hector", "hector.hidden@example.com"
REASON = "Legal hold requested by the works council"


@pytest.fixture
def anonymous_critique(factory):
    owner = factory.user("leader", name="Plan Owner")
    author = factory.user(name=SECRET_CRITIC, email=SECRET_EMAIL)
    campaign = make_campaign(owner, anonymity=Anonymity.ANONYMOUS_ONLY)
    plan = make_plan(owner, campaign)
    posted = post_critique(author, campaign, sections_of(plan)[0],
                           stance=CritiqueStance.CONCERN, body=BODY, ratings=rate_all(plan))
    assert posted.is_anonymous
    return owner, author, campaign, posted


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_only_admins_may_reveal_a_critic(client, factory, anonymous_critique, role):
    owner, _author, campaign, item = anonymous_critique
    sign_in(client, owner if role == "leader" else factory.user(role))
    url = f"/admin/critiques/{item.public_id}/reveal"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {"reason": REASON}).status_code == 403
    page = client.get(f"/campaigns/{campaign.slug}/plan").get_data(as_text=True)
    assert BODY in page and url not in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "anonymity.reveal")) == 0


def test_reveal_shows_the_critic_only_to_that_admin_once(client, make_client, factory,
                                                         anonymous_critique):
    _owner, author, campaign, item = anonymous_critique
    page_url = f"/campaigns/{campaign.slug}/plan"
    url = f"/admin/critiques/{item.public_id}/reveal"
    admin = flagged_then_admin(client, make_client, factory, item, "abusive")
    assert f'href="{url}"' in client.get(page_url).get_data(as_text=True)
    assert f'href="{url}"' in client.get("/admin/flags").get_data(as_text=True)

    form = client.get(url).get_data(as_text=True)
    assert BODY in form and f'href="{page_url}#k-{item.public_id}"' in form
    assert "Reveal the author" in form and SECRET_CRITIC not in form
    before = audit_count()
    refused = client.post_form(url, {"reason": ""})
    refused_page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'class="field-error"' in refused_page
    assert SECRET_CRITIC not in refused_page and audit_count() == before

    response = client.post_form(url, {"reason": REASON})

    shown = response.get_data(as_text=True)
    assert SECRET_CRITIC in shown and SECRET_EMAIL in shown
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_count() == before + 1
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        "anonymity.reveal", admin.id, "critique", item.public_id, REASON)
    for again in (url, page_url, "/admin/flags", "/admin/audit"):
        assert SECRET_CRITIC not in client.get(again).get_data(as_text=True), again
    assert "anonymity.reveal" in client.get("/admin/audit").get_data(as_text=True)
    other_admin = make_client()
    sign_in(other_admin, factory.user(Role.ADMIN))
    assert SECRET_CRITIC not in other_admin.get(url).get_data(as_text=True)

    author_browser = make_client()
    sign_in(author_browser, author)
    notices = author_browser.get("/moderation/notices").get_data(as_text=True)
    assert "looked up who wrote your anonymous critique" in notices and REASON in notices
    assert f'href="{page_url}#k-{item.public_id}"' in notices
    assert admin.display_name not in notices
    own_page = author_browser.get(page_url).get_data(as_text=True)
    assert "looked up who wrote your anonymous critique" in own_page


def test_a_named_critique_has_nothing_to_reveal(client, factory, critique):
    _owner, _author, campaign, item = critique
    sign_in(client, factory.user(Role.ADMIN))
    url = f"/admin/critiques/{item.public_id}/reveal"
    assert url not in client.get(f"/campaigns/{campaign.slug}/plan").get_data(as_text=True)
    page = client.post_form(url, {"reason": REASON}).get_data(as_text=True)
    assert "This post is not anonymous" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "anonymity.reveal")) == 0
