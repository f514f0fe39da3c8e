"""Plan review rules: importing a plan, who may change it, the rubric, critiques and their
ratings, anonymity, helpful marks, replies, the owner's answers and the report's numbers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    AuditEntry,
    Campaign,
    CampaignKind,
    Criterion,
    Critique,
    CritiqueRating,
    CritiqueReply,
    CritiqueStance,
    CritiqueVote,
    Level,
    Notification,
    NotificationKind,
    Plan,
    Section,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.plans import criteria_of, plan_page, plan_report, sections_of
from ideaboard.services import InvalidInput, NotAllowed
from ideaboard.services.plans import (
    add_criterion,
    answer_critique,
    delete_critique,
    delete_reply,
    delete_section,
    edit_critique,
    edit_section,
    mark_critique_helpful,
    post_critique,
    reply_to_critique,
    save_plan,
    set_criterion_active,
    split_plan_markdown,
)

PLAN_DOCUMENT = """# Plan for 2027

We want to grow the service business.

## Market

Enterprise customers first.

## Budget

| item | cost |
|------|------|
| staff | 3 |

## Risks

```markdown
## not a section: inside a code fence
```

### A sub-heading stays in Risks
"""


def make_campaign(owner: User, *, anonymity: Anonymity = Anonymity.NAMED, closed: bool = False,
                  slug: str = "plan-2027") -> Campaign:
    """A plan_review campaign, inserted directly (the campaign UI is not under test here)."""
    now = utcnow()
    campaign = Campaign(slug=slug, title="Service unit plan 2027", description="Critique it",
                        description_html="<p>Critique it</p>", kind=CampaignKind.PLAN_REVIEW,
                        anonymity=anonymity, owner_id=owner.id, opens_at=now - timedelta(days=2),
                        closes_at=now - timedelta(hours=1) if closed else now + timedelta(days=14))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_plan(owner: User, campaign: Campaign, document: str = PLAN_DOCUMENT) -> Plan:
    return save_plan(owner, campaign, None, title="", document=document,
                     introduction="Introduction")


def rate_all(plan: Plan, score: int = 3) -> dict[int, int]:
    return {c.id: score for c in criteria_of(plan)}


def close(campaign: Campaign) -> None:
    campaign.closes_at = utcnow() - timedelta(minutes=1)
    db.session.add(campaign)
    db.session.commit()


@pytest.fixture
def owner(factory) -> User:
    return factory.user("leader", name="Plan Owner")


@pytest.fixture
def campaign(owner) -> Campaign:
    return make_campaign(owner)


@pytest.fixture
def plan(owner, campaign) -> Plan:
    return make_plan(owner, campaign)


# -- the document -------------------------------------------------------------------------

def test_markdown_import_splits_on_level_two_headings():
    parsed = split_plan_markdown(PLAN_DOCUMENT, "Introduction")

    assert parsed.title == "Plan for 2027"
    assert [heading for heading, _ in parsed.sections] == ["Introduction", "Market", "Budget",
                                                           "Risks"]
    assert parsed.sections[0][1] == "We want to grow the service business."
    risks = parsed.sections[3][1]
    assert "## not a section: inside a code fence" in risks
    assert "### A sub-heading stays in Risks" in risks


def test_import_without_title_or_introduction():
    parsed = split_plan_markdown("\ufeff\r\n## One\r\ntext\r\n##Two is not a heading\r\n"
                                 "## Three ##\r\n", "Introduction")
    assert parsed.title is None
    assert parsed.sections == [("One", "text\n##Two is not a heading"), ("Three", "")]


def test_text_without_headings_is_one_introduction():
    assert split_plan_markdown("Just a paragraph.", "Intro").sections == [
        ("Intro", "Just a paragraph.")]


def test_save_plan_creates_sections_with_sanitised_html_and_the_default_rubric(plan):
    sections = sections_of(plan)
    assert plan.title == "Plan for 2027"
    assert [s.heading for s in sections] == ["Introduction", "Market", "Budget", "Risks"]
    assert [s.position for s in sections] == [1, 2, 3, 4]
    assert "<table>" in sections[2].body_html
    assert [(c.default_key, c.label) for c in criteria_of(plan)] == [
        ("feasibility", "Feasibility"), ("impact", "Impact"), ("risk", "Risk")]


def test_markdown_is_sanitised(owner, campaign):
    plan = make_plan(owner, campaign,
                     "# T\n\n## Part\n\n<script>alert(1)</script> [x](javascript:alert(1))")
    html = sections_of(plan)[0].body_html
    assert "<script" not in html and "href=\"javascript" not in html


def test_the_title_field_is_used_when_the_document_has_none(owner, campaign):
    plan = save_plan(owner, campaign, None, title="Given title", document="## A\n\ntext",
                     introduction="Introduction")
    assert plan.title == "Given title"


def test_an_empty_plan_is_refused(owner, campaign):
    with pytest.raises(InvalidInput):
        save_plan(owner, campaign, None, title="T", document="  \n", introduction="Intro")


@pytest.mark.parametrize("role", ["employee", "leader"])
def test_only_the_owner_or_an_admin_writes_the_plan(factory, campaign, role):
    with pytest.raises(NotAllowed):
        make_plan(factory.user(role), campaign)
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_an_admin_may_write_the_plan_and_it_is_audited(factory, campaign):
    admin = factory.user("admin")
    plan = make_plan(admin, campaign)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.publish"))
    assert entry.actor_id == admin.id and entry.target_id == str(plan.id)


def test_the_document_can_be_replaced_until_someone_critiques(factory, owner, campaign, plan):
    plan = save_plan(owner, campaign, plan, title="", document="# New\n\n## Only section\n\nx",
                     introduction="Introduction")
    assert [s.heading for s in sections_of(plan)] == ["Only section"]
    post_critique(factory.user(), campaign, sections_of(plan)[0], stance=CritiqueStance.SUPPORT,
                  body="Good", ratings=rate_all(plan))

    with pytest.raises(NotAllowed):
        save_plan(owner, campaign, plan, title="T", document="## Other\n\ny",
                  introduction="Introduction")
    save_plan(owner, campaign, plan, title="Retitled", document=None, introduction="Intro")
    assert db.session.get(Plan, plan.id).title == "Retitled"
    assert [s.heading for s in sections_of(plan)] == ["Only section"]


def test_after_critiques_sections_are_edited_one_at_a_time(factory, owner, campaign, plan):
    market, budget = sections_of(plan)[1:3]
    post_critique(factory.user(), campaign, market, stance=CritiqueStance.CONCERN,
                  body="Too narrow", ratings=rate_all(plan))

    edit_section(owner, campaign, market, heading="Market (revised)", body="**All** customers")
    assert db.session.get(Section, market.id).body_html.strip() == (
        "<p><strong>All</strong> customers</p>")
    with pytest.raises(NotAllowed):
        delete_section(owner, campaign, market)
    with pytest.raises(NotAllowed):
        edit_section(factory.user("leader"), campaign, budget, heading="Hijack", body="")
    delete_section(owner, campaign, budget)
    assert [s.heading for s in sections_of(plan)] == ["Introduction", "Market (revised)", "Risks"]


# -- the rubric ---------------------------------------------------------------------------

def test_the_owner_edits_the_rubric_and_removed_criteria_stay_out_of_the_report(
        factory, owner, campaign, plan):
    section = sections_of(plan)[1]
    feasibility, impact, risk = criteria_of(plan)
    critique = post_critique(factory.user(), campaign, section, stance=CritiqueStance.SUPPORT,
                             body="Fine", ratings={feasibility.id: 4, impact.id: 5, risk.id: 2})

    set_criterion_active(owner, campaign, risk, False)
    cost = add_criterion(owner, campaign, plan, "  Cost   of  delivery ")
    assert cost.label == "Cost of delivery"
    assert [c.label for c in criteria_of(plan)] == ["Feasibility", "Impact", "Cost of delivery"]
    assert len(criteria_of(plan, with_removed=True)) == 4
    # The old rating is kept, but neither the page nor the report count it.
    assert db.session.scalar(select(CritiqueRating.score).where(
        CritiqueRating.critique_id == critique.id, CritiqueRating.criterion_id == risk.id)) == 2
    report = plan_report(plan, "Other", "Other", {})
    assert [s.criterion.id for s in report.sections[1].scores] == [feasibility.id, impact.id,
                                                                   cost.id]
    view = plan_page(plan, None).sections[1]
    assert set(view.means) == {feasibility.id, impact.id}

    with pytest.raises(NotAllowed):
        set_criterion_active(factory.user("leader"), campaign, impact, False)
    set_criterion_active(owner, campaign, risk, True)
    assert plan_report(plan, "Other", "Other", {}).sections[1].scores[2].counts[2] == 1


def test_the_rubric_keeps_at_least_one_criterion(owner, campaign, plan):
    first, second, third = criteria_of(plan)
    set_criterion_active(owner, campaign, first, False)
    set_criterion_active(owner, campaign, second, False)
    with pytest.raises(NotAllowed):
        set_criterion_active(owner, campaign, third, False)


# -- critiques and ratings ----------------------------------------------------------------

@pytest.mark.parametrize("bad", [0, 6, -1, "", None, "three", 2.5])
def test_every_rating_must_be_between_one_and_five(factory, campaign, plan, bad):
    ratings = rate_all(plan)
    ratings[next(iter(ratings))] = bad
    with pytest.raises(InvalidInput):
        post_critique(factory.user(), campaign, sections_of(plan)[0],
                      stance=CritiqueStance.CONCERN, body="Hmm", ratings=ratings)
    assert db.session.scalar(select(func.count()).select_from(Critique)) == 0


def test_every_criterion_must_be_rated_and_no_other(factory, owner, campaign, plan):
    author, section = factory.user(), sections_of(plan)[0]
    ratings = rate_all(plan)
    missing = dict(list(ratings.items())[:2])
    with pytest.raises(InvalidInput):
        post_critique(author, campaign, section, stance=CritiqueStance.SUPPORT, body="x",
                      ratings=missing)
    other_plan = make_plan(owner, make_campaign(owner, slug="other-plan"))
    with pytest.raises(InvalidInput):
        post_critique(author, campaign, section, stance=CritiqueStance.SUPPORT, body="x",
                      ratings={**ratings, criteria_of(other_plan)[0].id: 3})
    removed = criteria_of(plan)[0]
    set_criterion_active(owner, campaign, removed, False)
    with pytest.raises(InvalidInput):
        post_critique(author, campaign, section, stance=CritiqueStance.SUPPORT, body="x",
                      ratings=ratings)


def test_a_critique_stores_one_rating_per_criterion(factory, campaign, plan):
    section = sections_of(plan)[2]
    scores = dict(zip([c.id for c in criteria_of(plan)], [1, 5, "3"], strict=True))
    critique = post_critique(factory.user(), campaign, section, stance=CritiqueStance.ALTERNATIVE,
                             body="Lease, don't buy", ratings=scores)
    stored = dict(db.session.execute(select(CritiqueRating.criterion_id, CritiqueRating.score)
                                     .where(CritiqueRating.critique_id == critique.id)).all())
    assert stored == {k: int(v) for k, v in scores.items()}
    assert db.session.get(Section, section.id).critique_count == 1


def test_the_database_refuses_scores_out_of_range(factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.SUPPORT, body="ok", ratings=rate_all(plan))
    db.session.execute(db.delete(CritiqueRating))
    with pytest.raises(IntegrityError):
        db.session.execute(insert(CritiqueRating).values(
            critique_id=critique.id, criterion_id=criteria_of(plan)[0].id, score=6))
    db.session.rollback()


def test_editing_keeps_ratings_on_removed_criteria(factory, owner, campaign, plan):
    author = factory.user()
    first, second, third = criteria_of(plan)
    critique = post_critique(author, campaign, sections_of(plan)[0], stance=CritiqueStance.SUPPORT,
                             body="ok", ratings={first.id: 1, second.id: 1, third.id: 1})
    set_criterion_active(owner, campaign, third, False)
    edit_critique(author, critique, stance=CritiqueStance.CONCERN, body="Changed my mind",
                  ratings={first.id: 2, second.id: 3})
    stored = dict(db.session.execute(select(CritiqueRating.criterion_id, CritiqueRating.score)
                                     .where(CritiqueRating.critique_id == critique.id)).all())
    assert stored == {first.id: 2, second.id: 3, third.id: 1}
    with pytest.raises(NotAllowed):
        edit_critique(factory.user(), critique, stance=CritiqueStance.SUPPORT, body="Mine now",
                      ratings={first.id: 5, second.id: 5})


def test_deleting_a_critique_leaves_a_tombstone_and_drops_its_ratings(factory, campaign, plan):
    author, section = factory.user(), sections_of(plan)[0]
    critique = post_critique(author, campaign, section, stance=CritiqueStance.SUPPORT,
                             body="ok", ratings=rate_all(plan))
    delete_critique(author, critique)
    stored = db.session.get(Critique, critique.id)
    assert stored.is_deleted and stored.body == "" and stored.body_html == ""
    assert db.session.scalar(select(func.count()).select_from(CritiqueRating)) == 0
    assert db.session.get(Section, section.id).critique_count == 0
    assert plan_report(plan, "Other", "Other", {}).critiques == 0


@pytest.mark.parametrize(("policy", "wants", "expected"), [
    (Anonymity.ANONYMOUS_ONLY, False, True),
    (Anonymity.ANONYMOUS_ONLY, True, True),
    (Anonymity.OPTIONAL, True, True),
    (Anonymity.OPTIONAL, False, False),
    (Anonymity.NAMED, True, False),
])
def test_anonymity_follows_the_campaign_policy(factory, owner, policy, wants, expected):
    campaign = make_campaign(owner, anonymity=policy)
    plan = make_plan(owner, campaign)
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Worry", ratings=rate_all(plan),
                             anonymous=wants)
    reply = reply_to_critique(factory.user(), campaign, critique, body="Agreed", anonymous=wants)
    assert critique.is_anonymous is expected
    assert reply.is_anonymous is expected


def test_a_closed_campaign_refuses_critiques_replies_and_helpful_marks(factory, campaign, plan):
    author = factory.user()
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.SUPPORT, body="ok", ratings=rate_all(plan))
    close(campaign)
    with pytest.raises(NotAllowed):
        post_critique(factory.user(), campaign, sections_of(plan)[0],
                      stance=CritiqueStance.SUPPORT, body="late", ratings=rate_all(plan))
    with pytest.raises(NotAllowed):
        reply_to_critique(factory.user(), campaign, critique, body="late")
    with pytest.raises(NotAllowed):
        mark_critique_helpful(factory.user(), campaign, critique, True)
    assert db.session.scalar(select(func.count()).select_from(Critique)) == 1
    assert db.session.scalar(select(func.count()).select_from(CritiqueReply)) == 0


# -- helpful marks ------------------------------------------------------------------------

def test_helpful_marks_once_per_user_never_on_your_own(factory, campaign, plan):
    author = factory.user()
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Risky", ratings=rate_all(plan))
    with pytest.raises(NotAllowed):
        mark_critique_helpful(author, campaign, critique, True)
    readers = [factory.user() for _ in range(3)]
    for reader in readers:
        assert mark_critique_helpful(reader, campaign, critique, True) >= 1
    assert mark_critique_helpful(readers[0], campaign, critique, True) == 3  # no double count
    assert mark_critique_helpful(readers[1], campaign, critique, False) == 2
    assert mark_critique_helpful(readers[1], campaign, critique, False) == 2
    rows = db.session.scalar(select(func.count()).select_from(CritiqueVote).where(
        CritiqueVote.critique_id == critique.id))
    assert db.session.get(Critique, critique.id).helpful_count == rows == 2


# -- replies and answers ------------------------------------------------------------------

def test_replies_are_threaded_to_depth_four_and_tombstoned(factory, campaign, plan):
    critique = post_critique(factory.user(), campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Risky", ratings=rate_all(plan))
    replier = factory.user()
    parent = None
    chain = []
    for n in range(7):
        parent = reply_to_critique(replier, campaign, critique, body=f"Reply {n}", parent=parent)
        chain.append(parent)
    assert [r.depth for r in chain] == [0, 1, 2, 3, 4, 4, 4]
    assert chain[1].parent_id == chain[0].id

    other = post_critique(factory.user(), campaign, sections_of(plan)[1],
                          stance=CritiqueStance.SUPPORT, body="Good", ratings=rate_all(plan))
    with pytest.raises(InvalidInput):
        reply_to_critique(replier, campaign, other, body="Wrong thread", parent=chain[0])

    with pytest.raises(NotAllowed):
        delete_reply(factory.user(), chain[0])
    delete_reply(replier, chain[0])
    tree = plan_page(plan, None).replies[critique.id]
    assert tree[0].reply.is_deleted and tree[0].reply.body == ""
    assert tree[0].replies[0].reply.body == "Reply 1"


def test_the_owner_answers_and_the_author_is_told_without_naming_anyone(factory, owner,
                                                                          campaign, plan):
    author = factory.user()
    critique = post_critique(author, campaign, sections_of(plan)[0],
                             stance=CritiqueStance.CONCERN, body="Risky", ratings=rate_all(plan))
    with pytest.raises(NotAllowed):
        answer_critique(factory.user("leader"), campaign, critique, "Not my plan")
    answer_critique(owner, campaign, critique, "We will **phase** it.")
    answer_critique(owner, campaign, critique, "We will phase it over two years.")

    stored = db.session.get(Critique, critique.id)
    assert stored.answer_html.strip() == "<p>We will phase it over two years.</p>"
    assert stored.answered_by_id == owner.id
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == NotificationKind.CRITIQUE_ANSWERED)).all()
    assert [n.user_id for n in notes] == [author.id]  # once, to the author only
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "critique.answer")) == 2


# -- the report ---------------------------------------------------------------------------

def test_report_numbers(factory, owner, campaign, plan):
    market, budget = sections_of(plan)[1:3]
    feasibility, impact, risk = criteria_of(plan)
    given = [  # stance, feasibility, impact, risk
        (CritiqueStance.SUPPORT, 5, 4, 1),
        (CritiqueStance.CONCERN, 2, 4, 1),
        (CritiqueStance.CONCERN, 1, 3, 5),
        (CritiqueStance.ALTERNATIVE, 2, 4, 3),
    ]
    critiques = [post_critique(factory.user(), campaign, market, stance=stance,
                               body=f"Critique {n}",
                               ratings={feasibility.id: f, impact.id: i, risk.id: r})
                 for n, (stance, f, i, r) in enumerate(given)]
    quitter = factory.user()
    deleted = post_critique(quitter, campaign, market, stance=CritiqueStance.CONCERN,
                            body="gone", ratings={feasibility.id: 5, impact.id: 5, risk.id: 5})
    delete_critique(quitter, deleted)
    for _ in range(2):
        mark_critique_helpful(factory.user(), campaign, critiques[2], True)

    report = plan_report(plan, "Other", "Other", {})
    section = report.sections[1]
    assert section.section.id == market.id
    assert section.stances == {"support": 1, "concern": 2, "alternative": 1}
    stats = {s.criterion.id: s for s in section.scores}
    assert stats[feasibility.id].counts == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1}
    assert stats[feasibility.id].mean == pytest.approx(2.5)
    assert stats[impact.id].counts == {1: 0, 2: 0, 3: 1, 4: 3, 5: 0}
    assert stats[impact.id].mean == pytest.approx(3.75)
    assert stats[risk.id].mean == pytest.approx(2.5)
    assert [c.id for c in section.top["concern"]] == [critiques[2].id, critiques[1].id]
    assert [c.id for c in section.top["alternative"]] == [critiques[3].id]
    assert report.sections[2].section.id == budget.id
    assert report.sections[2].critiques == 0 and report.sections[2].scores[0].mean is None
    assert report.critiques == 4

    page = plan_page(plan, None)
    view = page.sections[1]
    assert view.means[impact.id] == pytest.approx(3.75)
    assert view.stances == section.stances
    assert [c.id for c in view.critiques][:1] == [critiques[2].id]  # most helpful first


def test_report_shows_only_the_three_most_helpful_concerns(factory, campaign, plan):
    section = sections_of(plan)[0]
    concerns = [post_critique(factory.user(), campaign, section, stance=CritiqueStance.CONCERN,
                              body=f"Concern {n}", ratings=rate_all(plan)) for n in range(5)]
    for n, critique in enumerate(concerns):
        for _ in range(n):
            mark_critique_helpful(factory.user(), campaign, critique, True)
    top = plan_report(plan, "Other", "Other", {}).sections[0].top["concern"]
    assert [c.id for c in top] == [concerns[4].id, concerns[3].id, concerns[2].id]


def test_participation_folds_groups_under_five(factory, campaign, plan):
    section = sections_of(plan)[0]
    people = [("Sales", Level.MANAGER)] * 6 + [("Legal", Level.FRONTLINE)] * 5 + [
        ("Ops", Level.EXECUTIVE)] * 2
    for department, level in people:
        post_critique(factory.user(department=department, level=level), campaign, section,
                      stance=CritiqueStance.SUPPORT, body="ok", ratings=rate_all(plan))
    report = plan_report(plan, "Other departments", "Other levels",
                         {"manager": "Manager", "frontline": "Frontline"})
    # Ops (2) alone would be a group under 5 that subtraction reveals: Legal joins it.
    assert [(g.name, g.voters) for g in report.by_department.groups] == [("Sales", 6)]
    assert (report.by_department.other.name, report.by_department.other.voters) == (
        "Other departments", 7)
    assert [(g.name, g.voters) for g in report.by_level.groups] == [("Manager", 6)]
    assert report.by_level.other.voters == 7


def test_criteria_are_per_plan(owner, plan):
    other = make_plan(owner, make_campaign(owner, slug="another"))
    assert not {c.id for c in criteria_of(plan)} & {c.id for c in criteria_of(other)}
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 6
