"""Demo data: a believable bilingual company, built through the same services users go through."""
from __future__ import annotations

import math
import random
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from ideaboard import demo_content as content
from ideaboard.database import write_transaction
from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    CampaignKind,
    Comment,
    Decision,
    Escalation,
    Idea,
    IdeaStatus,
    Level,
    Role,
    Stance,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.models.ranking import hot_score
from ideaboard.services import DomainError
from ideaboard.services.accounts import create_user, ensure_departments
from ideaboard.services.analytics import refresh_participation
from ideaboard.services.campaigns import create_campaign, publish_outcome
from ideaboard.services.comments import add_comment
from ideaboard.services.ideas import post_idea, standing_campaign
from ideaboard.services.information import answer_information_request
from ideaboard.services.review import change_status, claim, site_settings
from ideaboard.services.votes import OPPOSE, SUPPORT, cast_vote

DEMO_PASSWORD = "ideaboard-demo"  # noqa: S105 (printed by `make run` on purpose)
DEMO_ROLES = {"employee": Role.EMPLOYEE, "leader": Role.LEADER, "admin": Role.ADMIN}


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the three demo accounts."""
    return [(role, f"{local}@{content.COMPANY_DOMAIN}", DEMO_PASSWORD)
            for local, role in DEMO_ROLES.items()]


def has_content() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo(seed: int = 7) -> dict[str, int]:
    """Create people, ideas, votes and threaded comments; refuses to run twice."""
    if has_content():
        raise DomainError("The database already has users; seed-demo only fills an empty one.")
    rng = random.Random(seed)
    departments = ensure_departments(content.DEPARTMENTS)
    people: list[User] = []
    for person in content.PEOPLE:
        people.append(create_user(
            email=f"{person['email_local']}@{content.COMPANY_DOMAIN}", password=DEMO_PASSWORD,
            display_name=person["name"], role=DEMO_ROLES.get(person["email_local"], Role.EMPLOYEE),
            department_id=departments[person["department"]].id, level=Level(person["level"]),
            locale=person["locale"]))
    for person, user in zip(content.PEOPLE, people, strict=True):
        if person["level"] == "executive" and user.role == Role.EMPLOYEE:
            user.role = Role.LEADER
    db.session.commit()
    campaign = standing_campaign()
    by_locale = {lang: [u for u in people if u.locale == lang] for lang in ("en", "zh")}
    votes = comments = 0
    now = utcnow()
    for index, spec in enumerate(content.IDEAS):
        author = rng.choice(by_locale[spec["lang"]])
        idea = post_idea(author, campaign, title=spec["title"], body=spec["body"],
                         tags=spec["tags"])
        age = timedelta(days=rng.uniform(0.2, 60), minutes=index)
        with write_transaction() as session:
            session.execute(update(Idea).where(Idea.id == idea.id).values(
                created_at=now - age, public_at=now - age, updated_at=now - age,
                hot=hot_score(0.0, now - age)))
        idea.created_at = idea.public_at = now - age
        voters = rng.sample([u for u in people if u.id != author.id],
                            k=min(len(people) - 1, spec["popularity"] * 4 + rng.randint(0, 3)))
        for voter in voters:
            value = OPPOSE if rng.random() < spec["controversy"] else SUPPORT
            cast_vote(voter, idea.public_id, value)
            votes += 1
        comments += _seed_discussion(rng, idea, people, spec["lang"])
    decisions = _seed_leadership_answers(rng, people)
    decisions += _seed_answered_information_requests(rng, people)
    scenes = _seed_scenes(rng, people)
    rounds = _seed_funding(rng, people)
    challenges = _seed_challenges(rng, people)  # issue 15
    comparisons = _seed_collective_wisdom(rng, people)  # it ends with the fit
    webhooks = _seed_integrations(people)  # issue 20
    refresh_participation(full=True)  # so the voice-equity analytics have figures at once
    return {"users": len(people), "ideas": len(content.IDEAS), "votes": votes,
            "comments": comments, "decisions": decisions, "campaigns": scenes + 1,
            "funding rounds": rounds, "challenges": challenges, "comparisons": comparisons,
            "webhooks": webhooks}


def _seed_scenes(rng: random.Random, people: list[User]) -> int:
    """The source text's scenes: a consultation, a problem forum, an anonymous discussion."""
    by_local = {user.email.split("@")[0]: user for user in people}
    now = utcnow()
    scene = content.SCENES["consultation"]
    consultation = create_campaign(
        by_local[scene["owner"]], title=scene["title"], description=scene["description"],
        kind=CampaignKind.CONSULTATION, anonymity=Anonymity.OPTIONAL,
        opens_at=now - timedelta(days=6), closes_at=now + timedelta(days=8),
        promised_answer_at=now + timedelta(days=15))
    for name, reason in scene["options"]:
        option = post_idea(by_local[scene["owner"]], consultation, title=name, body=reason,
                           tags=[])
        for voter in rng.sample(people, k=rng.randint(12, 30)):
            if voter.id != option.author_id:
                cast_vote(voter, option.public_id, SUPPORT if rng.random() < 0.8 else OPPOSE)
        _seed_discussion(rng, option, people, "zh" if re.search(r"[\u4e00-\u9fff]", name)
                         else "en")
    _seed_decided_consultation(rng, people, by_local)
    scene = content.SCENES["forum"]
    forum = create_campaign(
        by_local[scene["owner"]], title=scene["title"], description=scene["description"],
        kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL, opens_at=now - timedelta(days=40),
        closes_at=now + timedelta(days=20), promised_answer_at=now + timedelta(days=30))
    with write_transaction() as session:  # the launch ideas were posted in answer to it
        session.execute(update(Idea).where(Idea.tag_names.contains("launches"))
                        .values(campaign_id=forum.id))
    scene = content.SCENES["discussion"]
    discussion = create_campaign(
        by_local[scene["owner"]], title=scene["title"], description=scene["description"],
        kind=CampaignKind.DISCUSSION, anonymity=Anonymity.ANONYMOUS_ONLY,
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=25))
    for title, body in scene["posts"]:
        post = post_idea(rng.choice(people), discussion, title=title, body=body, tags=[])
        for voter in rng.sample(people, k=rng.randint(5, 15)):
            if voter.id != post.author_id:
                cast_vote(voter, post.public_id, SUPPORT if rng.random() < 0.7 else OPPOSE)
        _seed_discussion(rng, post, people, "zh" if re.search(r"[\u4e00-\u9fff]", title)
                         else "en")
    _seed_plan_review(rng, people, by_local)
    return 5


def _seed_decided_consultation(rng: random.Random, people: list[User], by_local: dict) -> None:
    """A consultation whose outcome is out: the results page marks the chosen option, and
    its options are closed."""
    scene = content.SCENES["decided_consultation"]
    owner, now = by_local[scene["owner"]], utcnow()
    consultation = create_campaign(
        owner, title=scene["title"], description=scene["description"],
        kind=CampaignKind.CONSULTATION, anonymity=Anonymity.NAMED,
        opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=1),
        promised_answer_at=now + timedelta(days=7))
    options = []
    for n, (name, reason) in enumerate(scene["options"]):
        option = post_idea(owner, consultation, title=name, body=reason, tags=[])
        share = (0.85, 0.6, 0.35)[n]  # the first wins, as the outcome says
        for voter in rng.sample(people, k=24 - 5 * n):
            if voter.id != option.author_id:
                cast_vote(voter, option.public_id, SUPPORT if rng.random() < share else OPPOSE)
        options.append(option)
    publish_outcome(owner, consultation, scene["outcome"], winner=options[0])


def _seed_plan_review(rng: random.Random, people: list[User], by_local: dict) -> None:
    from ideaboard.models import Criterion, CritiqueStance, Section
    from ideaboard.services.plans import post_critique, save_plan

    scene = content.PLAN_SCENE
    owner = by_local[scene["owner"]]
    now = utcnow()
    campaign = create_campaign(
        owner, title=scene["title"], description=scene["description"],
        kind=CampaignKind.PLAN_REVIEW, anonymity=Anonymity.OPTIONAL,
        opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=16))
    plan = save_plan(owner, campaign, None, title="Sales East 2027",
                     document=scene["document"], introduction="Introduction")
    sections = list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)
                                       .order_by(Section.position)))
    criteria = list(db.session.scalars(select(Criterion).where(Criterion.plan_id == plan.id)
                                       .order_by(Criterion.position)))
    for index, (stance, _lang, body, scores) in enumerate(scene["critiques"]):
        section = sections[min(index + 1, len(sections) - 1)]
        ratings = {criteria[k].id: v for k, v in scores.items() if k < len(criteria)}
        post_critique(rng.choice([u for u in people if u.id != owner.id]), campaign, section,
                      stance=CritiqueStance(stance), body=body, ratings=ratings,
                      anonymous=index % 2 == 1)


DEMO_PLAN = ["accepted", "declined", "accepted", "in_progress", "needs_info", "done",
             "declined", "accepted", "in_progress", "accepted", "done", "declined"]
STEPS = {"in_progress": ["accepted", "in_progress"], "done": ["accepted", "in_progress", "done"]}


def _seed_leadership_answers(rng: random.Random, people: list[User]) -> int:
    """Spread escalations over the past weeks; answer some, claim some, leave some overdue."""
    leaders = [u for u in people if u.role in (Role.LEADER, Role.ADMIN)]
    lang_by_title = {spec["title"]: spec["lang"] for spec in content.IDEAS}
    escalated = list(db.session.scalars(select(Idea).where(Idea.status == IdeaStatus.ESCALATED)
                                        .order_by(Idea.created_at)))
    settings = site_settings()
    now = utcnow()
    for idea in escalated:
        start = idea.created_at + timedelta(days=rng.uniform(0.5, 4))
        if start > now:  # an idea posted lately was escalated since then, never in the future
            start = idea.created_at + (now - idea.created_at) * rng.uniform(0.3, 0.9)
        due = start + timedelta(days=settings.review_sla_days)
        with write_transaction() as session:
            session.execute(update(Escalation).where(Escalation.idea_id == idea.id)
                            .values(created_at=start, due_at=due))
            session.execute(update(Idea).where(Idea.id == idea.id).values(review_due_at=due))
    count = 0
    for plan, idea in zip(DEMO_PLAN, escalated, strict=False):
        leader = rng.choice(leaders)
        idea = db.session.get(Idea, idea.id)
        for status in STEPS.get(plan, [plan]):
            texts = content.RATIONALES[lang_by_title.get(idea.title, "en")][status]
            decision = change_status(leader, idea, IdeaStatus(status), rng.choice(texts))
            count += 1
            when = min(utcnow(), idea.created_at + timedelta(days=rng.uniform(5, 20)))
            with write_transaction() as session:
                session.execute(update(Decision).where(Decision.id == decision.id)
                                .values(created_at=when))
                session.execute(update(Idea).where(Idea.id == idea.id).values(
                    decided_at=when if status not in ("under_review",) else None))
    for idea in escalated[len(DEMO_PLAN):len(DEMO_PLAN) + 6]:
        claim(rng.choice(leaders), db.session.get(Idea, idea.id))
    return count


def _seed_answered_information_requests(rng: random.Random, people: list[User]) -> int:
    """In each language, an idea in the queue whose author answered leadership's "needs
    information" question: the answer is on its timeline and it is back under review."""
    leaders = [u for u in people if u.role in (Role.LEADER, Role.ADMIN)]
    lang_by_title = {spec["title"]: spec["lang"] for spec in content.IDEAS}
    waiting = list(db.session.scalars(select(Idea).where(
        Idea.status == IdeaStatus.ESCALATED, Idea.deleted_at.is_(None)).order_by(Idea.id)))
    count = 0
    for lang, (question, answer) in content.INFO_EXCHANGES.items():
        idea = next((idea for idea in waiting if lang_by_title.get(idea.title) == lang), None)
        if idea is None:
            continue
        change_status(rng.choice(leaders), idea, IdeaStatus.NEEDS_INFO, question)
        answer_information_request(db.session.get(User, idea.author_id),
                                   db.session.get(Idea, idea.id), answer)
        count += 1
    return count


def _seed_discussion(rng: random.Random, idea: Idea, people: list[User], lang: str) -> int:
    idea = db.session.get(Idea, idea.id)
    db.session.refresh(idea, ["campaign"])
    count = 0
    for _ in range(rng.randint(0, 5)):
        stance, text = rng.choice(content.COMMENTS[lang])
        top = add_comment(rng.choice(people), idea, body=text, stance=Stance(stance))
        count += 1
        parent: Comment = top
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            parent = add_comment(rng.choice(people), idea, body=rng.choice(content.REPLIES[lang]),
                                 stance=Stance.NEUTRAL, parent=parent)
            count += 1
    return count


def _seed_collective_wisdom(rng: random.Random, people: list[User]) -> int:
    """Issue 16: ideas one department pushes as a bloc and ideas every department backs
    quietly (the Common ground list tells them apart; Top does not), a campaign compared two
    at a time with choices under way, then the broad-support fit. Returns the choices made."""
    from ideaboard.queries.pairwise import comparing_state
    from ideaboard.services.broad_support import refresh_broad_support
    from ideaboard.services.pairwise import record_choice

    department = {user.id: person["department"]
                  for person, user in zip(content.PEOPLE, people, strict=True)}
    bloc = [u for u in people if department[u.id] == content.BLOC_DEPARTMENT]
    others = [u for u in people if department[u.id] != content.BLOC_DEPARTMENT]
    by_department: dict[str, list[User]] = {}
    for user in people:
        by_department.setdefault(department[user.id], []).append(user)
    campaign = standing_campaign()
    for index, spec in enumerate(content.BLOC_IDEAS):
        author = rng.choice(bloc)
        idea = post_idea(author, campaign, title=spec["title"], body=spec["body"],
                         tags=spec["tags"])
        for voter in bloc:
            if voter.id != author.id:
                cast_vote(voter, idea.public_id, SUPPORT)
        opposed = sorted({department[u.id] for u in others}) if index else []
        for name in opposed:  # one or two colleagues in every other department object
            for voter in rng.sample(by_department[name], k=rng.randint(1, 2)):
                cast_vote(voter, idea.public_id, OPPOSE)
        _seed_discussion(rng, idea, people, spec["lang"])
    for spec in content.BROAD_IDEAS:
        author = rng.choice(people)
        idea = post_idea(author, campaign, title=spec["title"], body=spec["body"],
                         tags=spec["tags"])
        for name in sorted(by_department):  # in every department, three back it, one objects
            colleagues = rng.sample([u for u in by_department[name] if u.id != author.id], k=4)
            for voter in colleagues[:3]:
                cast_vote(voter, idea.public_id, SUPPORT)
            if name in sorted(by_department)[::2]:
                cast_vote(colleagues[3], idea.public_id, OPPOSE)
        _seed_discussion(rng, idea, people, spec["lang"])

    scene = content.PAIRWISE_SCENE
    owner = next(u for u in people if u.email.startswith(scene["owner"] + "@"))
    now = utcnow()
    compared = create_campaign(
        owner, title=scene["title"], description=scene["description"],
        kind=CampaignKind.IDEAS, anonymity=Anonymity.OPTIONAL,
        opens_at=now - timedelta(days=4), closes_at=now + timedelta(days=17),
        promised_answer_at=now + timedelta(days=24), pairwise_enabled=True)
    appeal: dict[int, float] = {}
    for title, body, strength in scene["options"]:
        idea = post_idea(rng.choice([u for u in people if u.id != owner.id]), compared,
                         title=title, body=body, tags=["onboarding"])
        appeal[idea.id] = strength
    choices = 0
    for user in rng.sample(people, k=42):
        for _ in range(rng.randint(3, 10)):
            pair = comparing_state(compared, user, rng).pair
            if pair is None:
                break
            left, right = pair.left, pair.right
            edge = appeal[left.id] - appeal[right.id]
            if rng.random() < 0.12:
                winner = None  # can't decide
            else:
                winner = left if rng.random() < 1 / (1 + math.exp(-edge)) else right
            record_choice(user, compared, left, right, winner)
            choices += 1
    refresh_broad_support()
    return choices


# --- funding rounds, teams and delivery (issue 14) ----------------------------------------

def _seed_funding(rng: random.Random, people: list[User]) -> int:
    """A closed round whose funded ideas are confirmed, in progress and one delivered, with
    teams, milestones and updates; and an open round colleagues are spending points in."""
    from ideaboard.models import DivisionRule, FundingEntry, FundingRound
    from ideaboard.services import funding

    by_local = {user.email.split("@")[0]: user for user in people}
    now = utcnow()

    def open_round(spec: dict, opens_at, closes_at) -> tuple[FundingRound, list]:
        funding_round = funding.create_round(by_local[spec["owner"]], funding.RoundSettings(
            title=spec["title"], purpose=spec["purpose"], currency="CNY",
            pool_amount=spec["pool"], pool_people_weeks=spec["people_weeks"], allowance=100,
            division_rule=DivisionRule(spec["rule"]), min_backers=5, answer_days=14,
            hide_totals_until_close=False, opens_at=opens_at, closes_at=closes_at))
        entries = []
        for title, ask, weeks, milestone in spec["entries"]:
            idea = db.session.scalar(select(Idea).where(Idea.title == title))
            if idea is None or idea.status not in (IdeaStatus.OPEN, IdeaStatus.ESCALATED,
                                                   IdeaStatus.UNDER_REVIEW):
                continue
            idea = db.session.get(Idea, idea.id)
            db.session.refresh(idea, ["campaign"])
            entries.append(funding.enter_idea(
                db.session.get(User, idea.author_id), funding_round, idea, ask_amount=ask,
                ask_people_weeks=min(weeks, spec["people_weeks"]), first_milestone=milestone))
        # earlier entries are the better-backed ones: each backer favours them
        for backer in rng.sample(people, k=min(len(people), 44)):
            left = 100
            for rank, entry in enumerate(entries):
                if entry.entered_by_id == backer.id or left <= 0 or rng.random() < 0.15 * rank:
                    continue
                points = min(left, rng.choice([5, 10, 10, 15, 20, 25]) + 10 * (rank < 2))
                funding.allocate(backer, funding_round.id, entry.id, points)
                left -= points
        return funding_round, entries

    closed_spec, open_spec = content.FUNDING["closed"], content.FUNDING["open"]
    closed, entries = open_round(closed_spec, now - timedelta(hours=2), now + timedelta(days=1))
    closes_at = now - timedelta(days=32)
    with write_transaction() as session:
        session.execute(update(FundingRound).where(FundingRound.id == closed.id).values(
            opens_at=now - timedelta(days=50), closes_at=closes_at,
            created_at=now - timedelta(days=51)))
    funding.close_round(closed.id, now=closes_at)
    leaders = [u for u in people if u.role in (Role.LEADER, Role.ADMIN)]
    funded = [db.session.get(FundingEntry, e.id) for e in entries]
    funded = [e for e in funded if e.funded]
    lang_of = {spec["title"]: spec["lang"] for spec in content.IDEAS}
    for index, entry in enumerate(funded):
        idea = db.session.get(Idea, entry.idea_id)
        lang = lang_of.get(idea.title, "en")
        leader = rng.choice(leaders)
        funding.answer_funding(leader, entry, True, rng.choice(
            content.RATIONALES[lang]["accepted"]))
        _seed_delivery(rng, people, idea, lang, delivered=index == 0)
        with write_transaction() as session:  # answered within days of the close
            answered = closes_at + timedelta(days=rng.uniform(2, 9))
            session.execute(update(FundingEntry).where(FundingEntry.id == entry.id)
                            .values(answered_at=answered))
    open_round(open_spec, now - timedelta(days=4), now + timedelta(days=10))
    return 2


def _seed_delivery(rng: random.Random, people: list[User], idea: Idea, lang: str, *,
                   delivered: bool) -> None:
    """Volunteers and a team, milestones, progress updates; the first one delivered."""
    from ideaboard.models import Milestone
    from ideaboard.services import delivery

    author = db.session.get(User, idea.author_id)
    idea = db.session.get(Idea, idea.id)
    for skills, note_en, note_zh in content.FUNDING["pledges"]:
        pledger = rng.choice([u for u in people if u.id != author.id])
        pledge = delivery.pledge_time(pledger, idea, hours_per_week=rng.choice([2, 3, 4]),
                                      weeks=rng.choice([4, 6, 8]), skills=skills,
                                      note=note_zh if lang == "zh" else note_en)
        if rng.random() < 0.8:
            delivery.invite_to_team(author, pledge.id)
            delivery.join_team(pledger, pledge.id)
    for title in content.FUNDING["milestones"][lang]:
        delivery.add_milestone(author, idea, title, (utcnow() + timedelta(
            days=rng.randint(5, 60))).date())
    delivery.start_work(author, idea)
    for body in content.FUNDING["updates"][lang]:
        delivery.post_update(author, idea, body, rng.choice([8_000, 12_000, 15_000]))
    first = db.session.scalar(select(Milestone).where(Milestone.idea_id == idea.id)
                              .order_by(Milestone.id))
    delivery.set_milestone_done(author, first.id, True)
    if delivered:
        for milestone in db.session.scalars(select(Milestone).where(
                Milestone.idea_id == idea.id, Milestone.done_at.is_(None))):
            delivery.set_milestone_done(author, milestone.id, True)
        delivery.mark_delivered(author, db.session.get(Idea, idea.id),
                                content.FUNDING["outcome"][lang])


def _seed_challenges(rng: random.Random, people: list[User]) -> int:
    """Challenges to decisions (issue 15): one challenged and overturned by a second leader,
    one gathering co-signers, one expired — each in its idea's language."""
    from ideaboard.models import Challenge, ChallengeCosign
    from ideaboard.queries.challenges import challenge_by_public_id
    from ideaboard.services.challenges import (
        answer_challenge,
        cosign,
        end_stale_challenges,
        raise_challenge,
    )

    lang_by_title = {spec["title"]: spec["lang"] for spec in content.IDEAS}
    decided = list(db.session.scalars(select(Idea).where(
        Idea.status.in_([IdeaStatus.DECLINED, IdeaStatus.NEEDS_INFO, IdeaStatus.ACCEPTED]))
        .order_by(Idea.decided_at)))

    def pick(statuses: tuple[IdeaStatus, ...], lang: str, taken: set[int]) -> Idea | None:
        choices = [i for i in decided if i.status in statuses and i.id not in taken]
        preferred = [i for i in choices if lang_by_title.get(i.title) == lang]
        return (preferred or choices or [None])[0]

    def backdate(challenge_id: int, days: float, **extra) -> None:
        moment = utcnow() - timedelta(days=days)
        with write_transaction() as session:
            session.execute(update(Challenge).where(Challenge.id == challenge_id).values(
                created_at=moment, expires_at=moment + timedelta(days=30), **extra))
            session.execute(update(ChallengeCosign).where(
                ChallengeCosign.challenge_id == challenge_id).values(
                created_at=moment + timedelta(days=1)))

    taken: set[int] = set()
    count = 0
    for scene, statuses, lang, signers, age in (
            ("overturned", (IdeaStatus.DECLINED,), "en", None, 12),
            ("open", (IdeaStatus.DECLINED,), "zh", 4, 5),
            ("expired", (IdeaStatus.NEEDS_INFO, IdeaStatus.ACCEPTED), "zh", 3, 45)):
        idea = pick(statuses, lang, taken)
        if idea is None:
            continue
        taken.add(idea.id)
        idea = db.session.get(Idea, idea.id)
        db.session.refresh(idea, ["campaign"])
        texts = content.CHALLENGES[scene][lang_by_title.get(idea.title, "en")]
        decider_id = db.session.scalar(select(Decision.author_id).where(
            Decision.idea_id == idea.id).order_by(Decision.id.desc()).limit(1))
        colleagues = [u for u in people if u.id not in (decider_id, idea.author_id)]
        rng.shuffle(colleagues)
        challenger, others = colleagues[0], colleagues[1:]
        challenge = raise_challenge(challenger, idea, texts["evidence"])
        needed = challenge.threshold if signers is None else min(signers,
                                                                 challenge.threshold - 1)
        for signer in others[:needed]:
            cosign(signer, challenge)
        count += 1
        if scene == "overturned":
            reopened = challenge_by_public_id(challenge.public_id)
            second = db.session.get(User, reopened.reviewer_id) if reopened.reviewer_id else None
            if second is not None:
                answer_challenge(second, reopened, uphold=False, status=IdeaStatus.ACCEPTED,
                                 rationale=texts["answer"])
            backdate(challenge.id, age, reopened_at=utcnow() - timedelta(days=age - 3))
        else:
            backdate(challenge.id, age)
    end_stale_challenges()
    return count


def _seed_integrations(people: list[User]) -> int:
    """Two example chat webhooks, switched off (their addresses are placeholders): the admin
    pages show what a Feishu group in Chinese and a Slack channel in English look like."""
    from ideaboard.models import EventKind, WebhookFormat
    from ideaboard.services.webhooks import EndpointSettings, save_endpoint

    admin = next(user for user in people if user.role == Role.ADMIN)
    examples = [
        ("产品团队群（飞书）", "https://open.feishu.cn/open-apis/bot/v2/hook/replace-with-yours",
         WebhookFormat.FEISHU, "zh"),
        ("Engineering channel (Slack)", "https://hooks.slack.com/services/replace/with/yours",
         WebhookFormat.SLACK, "en")]
    for name, url, fmt, locale in examples:
        save_endpoint(admin, None, EndpointSettings(
            name=name, url=url, format=fmt, locale=locale, secret="", active=False,
            events=[EventKind.IDEA_POSTED, EventKind.IDEA_DECIDED, EventKind.CAMPAIGN_OPENED]))
    return len(examples)
