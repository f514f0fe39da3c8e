"""The four scenes finished (issue 12), the review side: queue filters, a new escalation found
without paging, one inbox item per escalation per leader, and the author answering "needs
information" in place, which tells the deciding leader."""
import re
from datetime import timedelta

from sqlalchemy import select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Escalation,
    Idea,
    IdeaStatus,
    InfoAnswer,
    Notification,
    NotificationKind,
    Role,
)
from ideaboard.models.base import utcnow
from ideaboard.services.review import assign, change_status, pull_into_queue
from tests.web.test_campaigns import make_campaign


def queued(factory, title, puller, campaign=None, note="Customers ask for it"):
    idea = factory.idea(title=title) if campaign is None else None
    if campaign is not None:
        from ideaboard.services.ideas import post_idea
        idea = post_idea(factory.user(), campaign, title=title, body="", tags=[])
    pull_into_queue(puller, idea, note)
    return db.session.get(Idea, idea.id)


def titles(page: str) -> list[str]:
    table = page[page.index('class="table queue-table'):] if "queue-table" in page else ""
    return re.findall(r'href="/review/[\w-]+">([^<]+)</a>', table)


def test_the_queue_filters_by_campaign_owner_mine_and_overdue(client, login_as, factory):
    me = login_as("leader")
    other = factory.user(Role.LEADER, name="Other Leader")
    campaign = make_campaign(factory, title="Launch question")
    in_campaign = queued(factory, "In the campaign", other, campaign)
    mine = queued(factory, "Mine to answer", other)
    theirs = queued(factory, "Theirs to answer", other)
    late = queued(factory, "Late and unowned", other)
    assign(me, mine, me)
    assign(me, theirs, other)
    overdue = utcnow() - timedelta(days=2)  # both copies of the due date, as the app keeps them
    db.session.execute(update(Escalation).where(Escalation.idea_id == late.id)
                       .values(due_at=overdue))
    db.session.execute(update(Idea).where(Idea.id == late.id).values(review_due_at=overdue))
    db.session.commit()
    everything = titles(client.get("/review/").get_data(as_text=True))
    assert len(everything) == 4
    assert titles(client.get(f"/review/?campaign={campaign.id}").get_data(as_text=True)) == [
        in_campaign.title]
    assert titles(client.get("/review/?owner=mine").get_data(as_text=True)) == [mine.title]
    assert titles(client.get(f"/review/?owner={other.id}").get_data(as_text=True)) == [
        theirs.title]
    assert set(titles(client.get("/review/?owner=none").get_data(as_text=True))) == {
        in_campaign.title, late.title}
    assert titles(client.get("/review/?overdue=y").get_data(as_text=True)) == [late.title]
    page = client.get("/review/?owner=mine&overdue=y").get_data(as_text=True)
    assert "Nothing in the queue matches these filters." in page
    # hostile values are ignored, never a 500
    assert client.get("/review/?campaign=x&owner=99999999999999&sort=zz").status_code == 200


def test_a_new_escalation_is_found_without_paging(app, client, login_as, factory):
    login_as("leader")
    puller = factory.user(Role.LEADER)
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        queued(factory, f"Older {number}", puller)
    db.session.execute(update(Escalation).values(created_at=utcnow() - timedelta(days=30),
                                                 due_at=utcnow() - timedelta(days=16)))
    db.session.commit()
    newest = queued(factory, "Brand new escalation", puller)
    page = client.get("/review/").get_data(as_text=True)
    assert newest.title not in titles(page)  # due last, so on the last page of the table
    strip = page[page.index("Just escalated"):page.index("queue-filters")]
    assert newest.title in strip and "Older" not in strip
    assert titles(client.get("/review/?sort=new").get_data(as_text=True))[0] == newest.title
    second = client.get("/review/?sort=new").get_data(as_text=True)
    cursor = re.search(r'rel="next" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert titles(client.get(cursor).get_data(as_text=True)) == ["Older 1", "Older 0"]


def test_leaders_get_one_inbox_item_per_escalation_naming_who_and_why(client, login_as,
                                                                     factory):
    leader = login_as("leader")
    puller = factory.user(Role.LEADER, name="Grace Puller")
    idea = factory.idea(title="Publish the launch calendar")
    from ideaboard.services.review import follow_idea
    follow_idea(leader, idea, True)  # a follower who is also a leader: still one item
    pull_into_queue(puller, idea, "Sales keep asking for the dates")
    items = db.session.scalars(select(Notification).where(Notification.user_id == leader.id)
                               ).all()
    assert len(items) == 1 and items[0].kind == NotificationKind.QUEUE_NEW
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Grace Puller" in inbox and "Sales keep asking for the dates" in inbox


def test_the_author_answers_needs_information_in_place_and_the_leader_is_told(client, login_as,
                                                                             factory):
    author = login_as("employee")
    leader = factory.user(Role.LEADER, name="Deciding Leader")
    idea = factory.idea(author, title="Four-day week pilot")
    pull_into_queue(leader, idea, "Worth an answer")
    change_status(leader, db.session.get(Idea, idea.id), IdeaStatus.NEEDS_INFO,
                  "How many hours a month does the current rota lose?")
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "Leadership asked you for more information" in page
    assert f'action="/ideas/{idea.public_id}/answer"' in page
    empty = client.post_form(f"/ideas/{idea.public_id}/answer", {"info_answer": " "})
    assert empty.status_code == 422
    response = client.post_form(f"/ideas/{idea.public_id}/answer",
                                {"info_answer": "About **40 hours** a month, by the rota log."})
    assert response.status_code == 302
    assert db.session.get(Idea, idea.id).status == IdeaStatus.UNDER_REVIEW
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == leader.id, Notification.kind == NotificationKind.INFO_ANSWERED)
    ).all()
    assert len(told) == 1 and "40 hours" in told[0].detail
    shown = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    assert "<strong>40 hours</strong>" in shown and "The author answered on" in shown
    assert "Leadership asked you for more information" not in shown
    client.post_form("/logout")
    from tests.conftest import sign_in
    sign_in(client, leader)
    review = client.get(f"/review/{idea.public_id}").get_data(as_text=True)
    assert "<strong>40 hours</strong>" in review  # the deciding leader reads it in the queue
    client.post_form("/logout")
    sign_in(client, author)
    # once answered it cannot be answered again
    again = client.post_form(f"/ideas/{idea.public_id}/answer", {"info_answer": "More"})
    assert again.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(InfoAnswer)) == 1
    client.post_form("/logout")
    login_as("employee")
    assert client.post_form(f"/ideas/{idea.public_id}/answer",
                            {"info_answer": "Not mine"}).status_code == 422


def test_the_timeline_reads_as_whole_sentences_in_chinese(client, login_as, factory):
    reader = login_as("employee")
    leader = factory.user(Role.LEADER, name="陈静")
    idea = factory.idea(title="发布产品上线日历")
    pull_into_queue(leader, idea, "销售一直在问日期")
    change_status(leader, db.session.get(Idea, idea.id), IdeaStatus.UNDER_REVIEW, "")
    client.post_form("/language", {"locale": "zh"})
    assert reader.id
    page = client.get(f"/ideas/{idea.public_id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):page.index('id="discussion"')]
    sentences = [re.sub(r"<[^>]+>", "", s).strip()
                 for s in re.findall(r'<p class="timeline-text">(.*?)</p>', timeline, re.S)]
    assert re.fullmatch(r"陈静于\d{4}年\d{1,2}月\d{1,2}日将其提交管理层。", sentences[0]), sentences
    assert re.fullmatch(r"陈静于\d{4}年\d{1,2}月\d{1,2}日开始审议。", sentences[1]), sentences
    for sentence in sentences:  # full-width punctuation, no fragments glued together
        assert not re.search(r"[()]|\.$| — ", sentence), sentence
