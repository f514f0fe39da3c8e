"""Full-text search: tokens, the index kept in step with ideas and comments, ranking,
filters, visibility and anonymity, similar ideas and the rebuild — on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from ideaboard.extensions import db
from ideaboard.models import (
    Anonymity,
    Campaign,
    CampaignKind,
    Comment,
    Criterion,
    Critique,
    CritiqueReply,
    CritiqueStance,
    Idea,
    IdeaStatus,
    SearchDocument,
    Section,
    Stance,
    User,
)
from ideaboard.models.base import utcnow
from ideaboard.queries.ideas import idea_by_public_id
from ideaboard.queries.plans import critique_by_public_id, reply_by_public_id
from ideaboard.search.index import rebuild_index
from ideaboard.search.query import SearchFilters, _search_statement, search, similar_ideas
from ideaboard.search.snippets import highlight
from ideaboard.search.tokens import MAX_QUERY_TERMS, fold_word, index_terms, parse_query
from ideaboard.services.campaigns import create_campaign, publish_outcome
from ideaboard.services.comments import add_comment, delete_comment, edit_comment
from ideaboard.services.ideas import delete_idea, edit_idea, post_idea
from ideaboard.services.plans import (
    delete_critique,
    delete_reply,
    edit_section,
    post_critique,
    reply_to_critique,
    save_plan,
)

# --- tokens (pure) --------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "base"), [
    ("meetings", "meeting"), ("Meetings", "meeting"), ("MEETING", "meeting"),
    ("policies", "policy"), ("Policy", "policy"), ("processes", "process"),
    ("branches", "branch"), ("caches", "cache"), ("days", "day"),
])
def test_inflections_and_case_fold_to_one_term(variant, base):
    assert fold_word(variant) == fold_word(base)


@pytest.mark.parametrize(("word", "other"), [
    ("status", "statue"), ("analysis", "anal"), ("process", "proce"), ("bus", "bu"),
    ("notes", "not"), ("news", "new"), ("goods", "good"), ("means", "mean"),
])
def test_words_that_only_look_inflected_stay_apart(word, other):
    assert fold_word(word) != fold_word(other)


@pytest.mark.parametrize(("variant", "base"), [
    ("analyses", "analysis"), ("children", "child"), ("ran", "run"), ("went", "go"),
    ("e-mail", "email"), ("Wi-Fi", "WiFi"), ("café", "cafe"), ("ISO-9001", "ISO9001"),
    ("ＫＰＩ", "KPI"), ("KPIs", "KPI"), ("don't", "dont"),
])
def test_irregular_forms_hyphens_accents_and_widths_fold(variant, base):
    assert fold_word(variant) == fold_word(base)


def test_chinese_is_segmented_into_dictionary_words():
    assert index_terms("员工资料") == ["员工", "资料"]
    assert index_terms("早上班车") == ["早上", "班车"]          # no 上班 inside
    assert index_terms("绩效考核") == ["绩效考核", "绩效", "考核"]  # a compound and its words
    # Traditional folds to Simplified, and characters no dictionary word covers are paired.
    assert index_terms("會議") == ["会议"]
    assert "妙记" in index_terms("飞书妙记")


def test_codes_are_indexed_whole_and_in_pieces():
    assert index_terms("FY2025") == ["fy2025", "fy", "2025"]
    assert index_terms("e-mail") == ["email", "e", "mail"]
    assert index_terms("AI会议2024年") == ["ai", "会议", "2024", "年"]


def test_queries_need_every_word_and_keep_what_distinguishes_them():
    def words(text):
        return [(word.text, word.terms) for word in parse_query(text).words]
    assert words("会议") == [("会议", ("会议",))]
    assert words("报销流程") == [("报销", ("报销",)), ("流程", ("流程",))]
    assert words("绩效考核") == [("绩效考核", ("绩效", "考核"))]
    assert words("the weekly meetings") == [("weekly", ("week",)), ("meetings", ("meet",))]
    assert parse_query("the weekly meetings").ignored == ("the",)
    assert words("IT budget") == [("IT", ("itˣ",)), ("budget", ("budget",))]  # an acronym
    assert words("US office") == [("US", ("usˣ",)), ("office", ("offic",))]
    assert index_terms("IT and it") == ["it", "itˣ", "and", "it"]
    assert words("the") == [("the", ("the",))]


def test_long_queries_are_searched_whole_or_say_what_was_left_out():
    long_run = "加班" + "调休申请流程审批" * 6  # one 50-character Chinese run
    parsed = parse_query(long_run)
    assert not parsed.truncated and {"加班", "调休", "申请", "流程", "审批"} <= parsed.terms
    words = " ".join(f"word{n}" for n in range(100))
    parsed = parse_query(words)
    assert parsed.truncated and len(parsed.required) == MAX_QUERY_TERMS
    assert parse_query("x" * 600).truncated


@pytest.mark.parametrize("text", ['"', "*", "-", "()", "NEAR(", "' OR 1=1--", '"" AND ""'])
def test_query_syntax_is_only_ever_words(text):
    for term in parse_query(text).required:
        assert term.isalnum()


def test_highlight_escapes_everything_but_its_own_marks():
    terms = parse_query("meeting 供应链").terms
    html = highlight('<b onclick="x">Meetings</b> & 供应链管理', terms)
    assert str(html) == ('&lt;b onclick=&#34;x&#34;&gt;<mark>Meetings</mark>&lt;/b&gt; &amp; '
                         '<mark>供应链</mark>管理')


def test_long_texts_get_a_snippet_around_their_first_match():
    text = "我们讨论了供应链和库存周转的问题，" * 600 + "Meetings on FY2025 budgets ran long."
    for query, marked in (("meetings", "Meetings"), ("2025", "FY2025"), ("run", "ran")):
        snippet = str(highlight(text, parse_query(query).terms, width=120))
        assert f"<mark>{marked}</mark>" in snippet and snippet.startswith("…"), query
    assert str(highlight(text, parse_query("xqzvbnmw").terms, width=120)).startswith("我们")


def test_highlight_marks_whole_words_only():
    assert str(highlight("更新员工手册，员工资料", parse_query("员工").terms)) == (
        "更新<mark>员工</mark>手册，<mark>员工</mark>资料")
    assert str(highlight("早上班车", parse_query("上班").terms)) == "早上班车"
    assert str(highlight("Budget FY2025 notes", parse_query("2025 not").terms)) == (
        "Budget <mark>FY2025</mark> notes")


def test_highlight_cuts_a_window_around_the_matches():
    text = "filler words here " * 40 + "the canteen menu " + "more filler " * 40
    snippet = str(highlight(text, ["canteen"], width=120))
    assert "<mark>canteen</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


# --- a mixed-language corpus ----------------------------------------------------------------

@dataclass
class Corpus:
    author: User
    secret_author: User
    meetings: Idea
    policy: Idea
    process: Idea
    supply_chain: Idea
    supplier: Idea
    fewer_meetings_zh: Idea
    anonymous: Idea
    version: Idea
    comment_zh: Comment
    comment_en: Comment
    anonymous_comment: Comment


def optional_campaign() -> Campaign:
    campaign = Campaign(slug="sensitive-topics", title="Sensitive topics",
                        anonymity=Anonymity.OPTIONAL, opens_at=utcnow() - timedelta(days=1))
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def corpus(factory) -> Corpus:
    author = factory.user(name="Lin Author")
    secret = factory.user(name="Quentin Secretname")
    idea = factory.idea
    meetings = idea(author, title="Fewer status meetings on Fridays",
                    body="Our weekly **meetings** run long and nobody reads the notes.",
                    tags=["meetings", "process"])
    policy = idea(author, title="Update the travel policies",
                  body="The rules for train tickets are unclear.", tags=["travel"])
    process = idea(author, title="One onboarding process",
                   body="New hires fill in the same form three times.")
    supply_chain = idea(author, title="优化库存管理",
                        body="我们的供应链响应太慢，建议引入新的库存系统。", tags=["供应链"])
    supplier = idea(author, title="选择新的供应商", body="现在的供应商报价太高，应该重新招标。")
    fewer_zh = idea(author, title="减少无效会议", body="每周的会议太多了，很多会议没有议程。")
    campaign = optional_campaign()
    anonymous = post_idea(secret, campaign, title="Anonymous canteen suggestion",
                          body="The canteen needs vegetarian dishes every day.", tags=[],
                          anonymous=True)
    version = idea(author, title="Version 1 of the expense form", body="Keep it short.")
    comment_zh = add_comment(secret, idea_by_public_id(meetings.public_id),
                             body="我同意，会议时间应该缩短到半小时。", stance=Stance.FOR)
    comment_en = add_comment(author, idea_by_public_id(supply_chain.public_id),
                             body="Suppliers should share their stock levels with us.",
                             stance=Stance.NEUTRAL)
    anonymous_comment = add_comment(secret, idea_by_public_id(anonymous.public_id),
                                    body="Quinoa salads would be a good start.",
                                    stance=Stance.FOR, anonymous=True)
    return Corpus(author, secret, meetings, policy, process, supply_chain, supplier, fewer_zh,
                  anonymous, version, comment_zh, comment_en, anonymous_comment)


class Colleague:
    """A signed-in reader: every campaign is readable (visitors' limits: test_privacy.py)."""
    is_authenticated = True


def found(text: str, **filters) -> list[tuple[str, int]]:
    results = search(text, SearchFilters(**filters), viewer=Colleague())
    return [(hit.document_type.name, hit.doc_id) for hit in results.hits]


def idea_ids(text: str, **filters) -> set[int]:
    return {item_id for kind, item_id in found(text, **filters) if kind == "idea"}


def test_two_character_chinese_word_is_found_inside_sentences(app, corpus):
    hits = found("会议")
    assert ("idea", corpus.fewer_meetings_zh.id) in hits
    assert ("comment", corpus.comment_zh.id) in hits
    assert ("idea", corpus.supply_chain.id) not in hits


def test_three_character_chinese_word_is_found_inside_a_sentence_and_only_whole(app, corpus):
    assert idea_ids("供应链") == {corpus.supply_chain.id}
    # 供应商 shares the bigram 供应 but is another word: the phrase keeps it out.
    assert corpus.supplier.id in idea_ids("供应商")
    assert corpus.supplier.id not in idea_ids("供应链")


def test_english_plural_singular_and_case_variants_find_the_same_ideas(app, corpus):
    for query in ("meeting", "meetings", "MEETINGS", "Meeting"):
        assert corpus.meetings.id in idea_ids(query), query
    for query in ("policy", "policies", "POLICY"):
        assert idea_ids(query) == {corpus.policy.id}, query
    for query in ("processes", "process", "Process"):
        assert {corpus.process.id, corpus.meetings.id} <= idea_ids(query), query


def test_every_word_is_required_and_titles_rank_first(app, corpus):
    assert idea_ids("weekly meetings") == {corpus.meetings.id}
    assert idea_ids("weekly policies") == set()
    hits = found("meetings")
    assert hits[0] == ("idea", corpus.meetings.id)  # in its title, its tags and its body


def test_a_nonsense_query_returns_nothing(app, corpus):
    assert found("xqzvbnmw") == []
    assert found("") == [] and found("   ") == []


@pytest.mark.parametrize("payload", [
    "' OR 1=1--", '"', "*", "NEAR(", 'NEAR("meetings" "policy", 2)', "-meetings", "meetings*",
    "meetings AND", "title_terms:meetings", "{body_terms}: meetings", "^meetings", "(((",
    "'; DROP TABLE idea; --", "meetings\" OR \"x", "\\", "%_", "会议\"", "&|!<->:*",
])
def test_query_syntax_and_sql_never_break_the_search(app, corpus, payload):
    results = search(payload)
    words = " ".join(word.text for word in results.parsed.words)
    assert [h.item.id for h in results.hits] == [h.item.id for h in search(words).hits]
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 8


def test_sql_injection_does_not_widen_the_results(app, corpus):
    assert idea_ids("' OR 1=1--") == {corpus.version.id}  # only the idea with a "1" in it


def test_filters_by_type_status_tag_and_campaign(app, corpus):
    assert found("会议", doc_type="comment") == [("comment", corpus.comment_zh.id)]
    assert found("会议", doc_type="idea") == [("idea", corpus.fewer_meetings_zh.id)]
    assert idea_ids("meetings", tag="meetings") == {corpus.meetings.id}
    assert idea_ids("meetings", tag="travel") == set()
    db.session.execute(update(Idea).where(Idea.id == corpus.policy.id)
                       .values(status=IdeaStatus.ACCEPTED))
    db.session.commit()
    assert idea_ids("policy", status=IdeaStatus.ACCEPTED) == {corpus.policy.id}
    assert idea_ids("policy", status=IdeaStatus.OPEN) == set()
    assert idea_ids("canteen", campaign_id=corpus.anonymous.campaign_id) == {corpus.anonymous.id}
    assert idea_ids("canteen", campaign_id=corpus.meetings.campaign_id) == set()
    # A comment is filtered by its idea's tag and status.
    assert found("会议", tag="meetings") == [("comment", corpus.comment_zh.id)]


def test_every_word_of_a_long_post_is_found(app, factory):
    """A 20,000-character post is indexed whole, on PostgreSQL too (positions past its
    tsvector limits do not matter: searches never use them)."""
    sentence = "我们讨论了供应链和库存周转的问题，"
    body = sentence * (19_900 // len(sentence)) + "最后提到年终奖 zanzibar"
    assert 19_900 < len(body) <= 20_000
    idea = factory.idea(title="一篇很长的总结", body=body)
    assert idea_ids("年终奖") == {idea.id}
    assert idea_ids("zanzibar 年终奖 供应链") == {idea.id}


def test_the_search_statement_is_built_once_and_ranks_inside_the_index(app, corpus):
    _search_statement.cache_clear()
    for query in ("meetings", "会议", "policy", "xqzvbnmw"):
        search(query)
    assert _search_statement.cache_info().misses == 1
    dialect = db.session.get_bind().dialect.name
    plain = str(_search_statement(dialect, False, False, False, False)).lower()
    # no look at the source tables for the documents a search passes over
    assert "from idea" not in plain and "join idea" not in plain and "comment" not in plain


def test_a_plain_search_ranks_only_the_newest_matches(app, factory, monkeypatch):
    """Ranking costs the same whatever the number of matches: the newest N are ranked."""
    import ideaboard.search.query as query

    ideas = [factory.idea(title=f"Canteen menu {n}", body="Soup.") for n in range(5)]
    monkeypatch.setattr(query, "RANKED_CANDIDATES", 3)
    _search_statement.cache_clear()
    try:
        assert idea_ids("canteen") == {idea.id for idea in ideas[2:]}
        assert idea_ids("canteen", tag=None, status=IdeaStatus.OPEN) == {i.id for i in ideas}
    finally:
        _search_statement.cache_clear()


# --- kept in step, one way ------------------------------------------------------------------

def documents() -> dict[tuple[str, int], tuple]:
    rows = db.session.execute(select(
        SearchDocument.doc_type, SearchDocument.doc_id, SearchDocument.idea_id,
        SearchDocument.campaign_id, SearchDocument.title, SearchDocument.body,
        SearchDocument.title_terms, SearchDocument.body_terms, SearchDocument.tag_terms))
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def test_edits_are_indexed_in_the_same_transaction(app, corpus):
    edit_idea(corpus.author, corpus.policy, title="Update the hotel rules",
              body="Hotels are booked too late.", tags=["travel"])
    assert idea_ids("policies") == set()
    assert idea_ids("hotel") == {corpus.policy.id}
    edit_comment(corpus.author, corpus.comment_en, body="Vendors could share forecasts.",
                 stance=Stance.NEUTRAL)
    assert found("suppliers", doc_type="comment") == []
    assert found("forecasts") == [("comment", corpus.comment_en.id)]


def test_a_rolled_back_change_leaves_the_index_as_it_was(app, corpus):
    before = documents()
    idea = db.session.get(Idea, corpus.policy.id)
    idea.title = "Something else entirely"
    db.session.flush()
    db.session.rollback()
    assert documents() == before


def test_deleted_ideas_and_comments_are_never_found(app, corpus):
    delete_idea(corpus.author, corpus.meetings)
    delete_comment(corpus.author, corpus.comment_en)
    assert corpus.meetings.id not in idea_ids("meetings")
    assert found("会议", doc_type="comment") == []  # its comment went with the idea
    assert found("suppliers") == []
    assert ("idea", corpus.meetings.id) not in documents()


def test_bulk_orm_statements_keep_the_index_in_step(app, corpus):
    """Services hide and delete with update(Model)…: the same listener catches those."""
    db.session.execute(update(Idea).where(Idea.id == corpus.policy.id)
                       .values(deleted_at=utcnow()))
    db.session.execute(update(Idea).where(Idea.id == corpus.meetings.id)
                       .values(hidden_at=utcnow()))
    db.session.execute(update(Comment).where(Comment.id == corpus.comment_en.id)
                       .values(hidden_at=utcnow()))
    db.session.commit()
    docs = visibility()
    assert ("idea", corpus.policy.id) not in docs                  # deleted: removed
    assert docs[("idea", corpus.meetings.id)] is False             # hidden: flagged
    assert docs[("comment", corpus.comment_zh.id)] is False        # inside a hidden idea
    assert docs[("comment", corpus.comment_en.id)] is False
    assert idea_ids("policy") == set() and found("meetings") == []
    assert found("会议", doc_type="comment") == [] and found("suppliers") == []
    assert similar_ideas("travel policies") == []
    db.session.execute(update(Idea).where(Idea.id == corpus.meetings.id).values(hidden_at=None))
    db.session.commit()
    assert visibility()[("comment", corpus.comment_zh.id)] is True  # restored with its idea
    assert ("comment", corpus.comment_zh.id) in found("会议")


def test_moderation_merges_and_moves_keep_the_flags_in_step(app, factory, corpus):
    """Through the real services: hide and restore, delete by a moderator, merge, and an
    idea moved to another campaign; its comments follow it each time."""
    from ideaboard.models import FlagReason
    from ideaboard.services.merge import merge_ideas
    from ideaboard.services.moderation import ModerationAction, moderate

    admin = factory.user("admin")
    meetings = idea_by_public_id(corpus.meetings.public_id)
    moderate(admin, meetings, ModerationAction.HIDE, reason_code=FlagReason.SPAM)
    assert found("meetings") == [] and found("会议", doc_type="comment") == []
    moderate(admin, idea_by_public_id(corpus.meetings.public_id), ModerationAction.RESTORE)
    assert ("idea", corpus.meetings.id) in found("meetings")
    assert found("会议", doc_type="comment") == [("comment", corpus.comment_zh.id)]
    # A merge moves the comments: they are found under the surviving idea's status and tags.
    merge_ideas(admin, idea_by_public_id(corpus.meetings.public_id),
                idea_by_public_id(corpus.policy.public_id),
                "Merged: the same proposal, discussed in one place from now on.")
    assert found("会议", doc_type="comment", tag="travel") == [("comment", corpus.comment_zh.id)]
    assert ("idea", corpus.meetings.id) in found("meetings")  # the merged idea says where
    # Moving an idea to another campaign moves its comments' documents too.
    other = optional_campaign_named("other-campaign")
    policy = db.session.get(Idea, corpus.policy.id)
    policy.campaign_id = other.id
    db.session.commit()
    assert found("会议", campaign_id=other.id) == [("comment", corpus.comment_zh.id)]
    moderate(admin, idea_by_public_id(corpus.policy.public_id), ModerationAction.DELETE,
             reason_code=FlagReason.OFF_TOPIC)
    assert found("会议") == [("idea", corpus.fewer_meetings_zh.id)]


def optional_campaign_named(slug: str) -> Campaign:
    campaign = Campaign(slug=slug, title=slug, anonymity=Anonymity.OPTIONAL,
                        opens_at=utcnow() - timedelta(days=1))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_bulk_updates_by_primary_key_are_indexed_too(app, corpus):
    db.session.execute(update(Idea), [{"id": corpus.policy.id, "hidden_at": utcnow()},
                                      {"id": corpus.process.id, "title": "Zanzibar visit"}])
    db.session.commit()
    assert visibility()[("idea", corpus.policy.id)] is False
    assert visibility()[("idea", corpus.meetings.id)] is True
    assert idea_ids("zanzibar") == {corpus.process.id} and idea_ids("onboarding") == set()


def test_visibility_is_rechecked_against_the_source_rows(app, corpus):
    """Content hidden with SQL outside the ORM (the listener cannot see it) is still
    never shown: the loaded page is re-checked."""
    connection = db.session.connection()
    connection.execute(update(Idea.__table__).where(Idea.__table__.c.id == corpus.policy.id)
                       .values(hidden_at=utcnow()))
    connection.execute(update(Comment.__table__)
                       .where(Comment.__table__.c.id == corpus.comment_en.id)
                       .values(deleted_at=utcnow()))
    db.session.commit()
    assert visibility()[("idea", corpus.policy.id)] is True  # the index did not see it …
    assert idea_ids("policy") == set()                       # … but it is never shown
    assert found("suppliers") == []
    assert similar_ideas("travel policies") == []


def visibility() -> dict[tuple[str, int], bool]:
    rows = db.session.execute(select(SearchDocument.doc_type, SearchDocument.doc_id,
                                     SearchDocument.visible))
    return {(row[0], row[1]): bool(row[2]) for row in rows}


def test_author_names_are_not_indexed(app, corpus):
    assert found("Secretname") == [] and found("Quentin") == []
    assert found("Lin Author") == []
    indexed = " ".join(" ".join(map(str, row)) for row in documents().values())
    assert "Secretname" not in indexed and "secretnam" not in indexed


def test_anonymous_hits_carry_no_name(app, corpus):
    hits = search("canteen").hits + search("quinoa").hits
    assert {hit.item.id for hit in hits} == {corpus.anonymous.id, corpus.anonymous_comment.id}
    for hit in hits:
        assert hit.item.is_anonymous
        assert "Secretname" not in str(hit.snippet) + str(hit.title)


# --- similar ideas --------------------------------------------------------------------------

def test_similar_ideas_share_title_words_or_tags(app, corpus):
    assert similar_ideas("Shorter meetings, please")[0].id == corpus.meetings.id
    assert corpus.fewer_meetings_zh.id in {i.id for i in similar_ideas("会议太长了")}
    assert similar_ideas("A new dentist plan", ["travel"])[0].id == corpus.policy.id
    assert similar_ideas("") == [] and similar_ideas("the and of") == []
    assert similar_ideas("xqzvbnmw") == []


def test_similar_ideas_are_bounded_and_skip_the_deleted(app, factory, corpus):
    for n in range(8):
        factory.idea(corpus.author, title=f"Meetings idea {n}")
    assert len(similar_ideas("meetings")) == 5
    delete_idea(corpus.author, corpus.meetings)
    assert corpus.meetings.id not in {i.id for i in similar_ideas("status meetings Fridays")}


# --- the rebuild ----------------------------------------------------------------------------

QUERIES = ["会议", "供应链", "meetings", "policy", "canteen", "quinoa", "suppliers", "1"]


def all_results() -> dict[str, list[tuple[str, int]]]:
    return {query: found(query) for query in QUERIES}


def test_rebuild_restores_identical_documents_and_results(app, corpus):
    before_documents, before_results = documents(), all_results()
    db.session.execute(delete(SearchDocument))
    db.session.commit()
    assert found("meetings") == []
    counts = rebuild_index()
    assert counts == {"idea": 8, "comment": 3, "campaign": 2, "plan_section": 0,
                      "critique": 0, "critique_reply": 0}
    # The standing campaign is seeded by migration 0001, before search existed: only the
    # rebuild indexes it. Everything written through the ORM was already indexed the same.
    standing = ("campaign", corpus.meetings.campaign_id)
    assert standing not in before_documents
    assert {key: row for key, row in documents().items() if key != standing} == before_documents
    assert all_results() == before_results


# --- campaigns, plan sections, critiques and their replies ----------------------------------

PLAN_DOCUMENT = """# 服务部门2027计划

## Budget proposals

We will hire two engineers and freeze travel budgets.

## 客户服务

提高客户满意度，缩短响应时间。
"""


@dataclass
class PlanCorpus:
    leader: User
    critic: User
    campaign: Campaign
    budget: Section
    service: Section
    named_critique: Critique
    anonymous_critique: Critique
    anonymous_reply: CritiqueReply
    deleted_critique: Critique


def make_plan_corpus(factory) -> PlanCorpus:
    """A plan review in two languages: named and anonymous critiques, an anonymous reply and
    a deleted critique (shared with the HTTP tests)."""
    leader = factory.user("leader", name="Plan Owner")
    critic = factory.user(name="Quentin Secretname")
    campaign = create_campaign(
        leader, title="Service plan review", kind=CampaignKind.PLAN_REVIEW,
        description="Tell us what you think of the **hiring** plans for 2027.",
        anonymity=Anonymity.OPTIONAL, opens_at=utcnow() - timedelta(days=1), closes_at=None)
    plan = save_plan(leader, campaign, None, title="", document=PLAN_DOCUMENT, introduction="")
    budget, service = db.session.scalars(
        select(Section).where(Section.plan_id == plan.id).order_by(Section.position)).all()
    ratings = {c.id: 3 for c in db.session.scalars(select(Criterion)
                                                   .where(Criterion.plan_id == plan.id))}
    named = post_critique(leader, campaign, service, stance=CritiqueStance.SUPPORT,
                          body="Faster answers matter most.", ratings=ratings)
    anonymous = post_critique(critic, campaign, budget, stance=CritiqueStance.CONCERN,
                              body="冻结差旅预算会影响客户拜访。Travel freezes hurt sales.",
                              ratings=ratings, anonymous=True)
    reply = reply_to_critique(critic, campaign, critique_by_public_id(named.public_id),
                              body="Quarterly surveys would show whether answers got faster.",
                              anonymous=True)
    deleted = post_critique(critic, campaign, service, stance=CritiqueStance.ALTERNATIVE,
                            body="Outsource the helpdesk entirely.", ratings=ratings)
    delete_critique(critic, critique_by_public_id(deleted.public_id))
    return PlanCorpus(leader, critic, campaign, budget, service, named, anonymous, reply,
                      deleted)


@pytest.fixture
def plan_corpus(factory) -> PlanCorpus:
    return make_plan_corpus(factory)


def test_campaign_title_description_and_outcome_are_searchable(app, plan_corpus):
    campaign = plan_corpus.campaign
    assert ("campaign", campaign.id) in found("Hiring")          # Markdown in the description
    assert ("campaign", campaign.id) in found("reviews")         # plural of the title's word
    assert found("Quarterly results", doc_type="campaign") == []
    publish_outcome(plan_corpus.leader, db.session.get(Campaign, campaign.id),
                    "We heard you: quarterly results will be shared with everyone.")
    assert found("Quarterly results", doc_type="campaign") == [("campaign", campaign.id)]


def test_plan_sections_are_found_in_both_languages(app, plan_corpus):
    assert ("plan_section", plan_corpus.budget.id) in found("budget")
    assert found("满意", doc_type="plan_section") == [("plan_section", plan_corpus.service.id)]
    assert found("满意度", doc_type="plan_section") == [("plan_section", plan_corpus.service.id)]
    edit_section(plan_corpus.leader, plan_corpus.campaign, plan_corpus.service,
                 heading="客户服务", body="每月回访客户。")
    assert found("满意", doc_type="plan_section") == []
    assert found("回访", doc_type="plan_section") == [("plan_section", plan_corpus.service.id)]


def test_critiques_and_their_replies_are_found_and_filtered(app, plan_corpus):
    assert found("差旅") == [("critique", plan_corpus.anonymous_critique.id)]
    assert set(found("answers")) == {("critique", plan_corpus.named_critique.id),
                                     ("critique_reply", plan_corpus.anonymous_reply.id)}
    assert found("answers", doc_type="critique_reply") == [
        ("critique_reply", plan_corpus.anonymous_reply.id)]
    assert found("answers", campaign_id=plan_corpus.campaign.id) != []
    assert found("answers", campaign_id=plan_corpus.campaign.id + 1000) == []
    # Status and tag filters are about ideas: plan content has neither.
    assert found("answers", status=IdeaStatus.OPEN) == []
    assert found("budget", tag="budget") == []


def test_deleted_critiques_and_replies_are_never_found(app, plan_corpus):
    assert found("helpdesk") == []
    documents_before = documents()
    assert ("critique", plan_corpus.deleted_critique.id) not in documents_before
    delete_reply(plan_corpus.critic, reply_by_public_id(plan_corpus.anonymous_reply.public_id))
    assert found("surveys") == []
    # Deleted with a bulk statement: the listener removes its document too.
    db.session.execute(update(Critique).where(Critique.id == plan_corpus.anonymous_critique.id)
                       .values(deleted_at=utcnow()))
    db.session.commit()
    assert ("critique", plan_corpus.anonymous_critique.id) not in documents()
    assert found("差旅") == []


def test_anonymous_critiques_and_replies_carry_no_name(app, plan_corpus):
    hits = search("差旅").hits + search("surveys").hits
    assert {(hit.document_type.name, hit.doc_id) for hit in hits} == {
        ("critique", plan_corpus.anonymous_critique.id),
        ("critique_reply", plan_corpus.anonymous_reply.id)}
    for hit in hits:
        assert hit.item.is_anonymous
        assert "Secretname" not in str(hit.snippet) + str(hit.title)
    assert found("Secretname") == [] and found("Quentin") == []


def test_rebuild_indexes_plan_content_as_it_was_written(app, plan_corpus):
    before = documents()
    counts = rebuild_index()
    assert counts["plan_section"] == 2 and counts["critique"] == 2
    assert counts["critique_reply"] == 1 and counts["campaign"] == 2
    standing = next(key for key in documents() if key not in before)
    assert standing[0] == "campaign"
    assert {key: row for key, row in documents().items() if key != standing} == before
