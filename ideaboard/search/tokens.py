"""Tokenisation shared by the index, the query and the highlighter, for both databases.

Words in alphabetic scripts are NFKC-normalised, case-folded, and English plurals (and a
final "e") are folded, so "Meetings" finds "meeting", "policies" finds "policy" and
"processes" finds "process". Chinese, Japanese and Korean have no spaces between words, so
each run of those characters becomes its overlapping bigrams followed by its unigrams:
"供应链" → 供应 应链 供 应 链. A 2-character word is then one bigram, a 3-character word a
phrase of two adjacent bigrams, found inside any sentence.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_CJK = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
        "\U00020000-\U0003134f")
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")

MAX_QUERY_GROUPS = 12
MAX_PHRASE_TERMS = 16

# Dropped from queries that have other words, so "ideas for the canteen" needs only the
# words that carry meaning. The index keeps every word.
_STOPWORDS = [
    "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do",
    "for", "from", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me",
    "my", "no", "not", "of", "on", "or", "our", "so", "that", "the", "their", "there",
    "these", "they", "this", "to", "was", "we", "what", "when", "where", "which", "who",
    "why", "will", "with", "would", "you", "your"
]
# Also ignored when looking for similar titles: words every idea title uses.
_TITLE_NOISE = [
    "add", "allow", "better", "get", "help", "idea", "improve", "improvement", "let",
    "lets", "make", "more", "need", "new", "please", "should", "use", "using"
]
# The same for Chinese titles (bigrams): 建议 "suggest", 希望 "hope", 我们 "we", 公司 "company" …
_TITLE_NOISE_CJK = frozenset([
    "建议", "希望", "我们", "公司", "可以", "应该", "一个", "增加", "提高", "改进", "优化",
    "是否", "如何", "关于", "大家", "能否",
])


def fold_word(word: str) -> str:
    """Case-fold a word and fold English plurals: meetings→meeting, policies→policy,
    processes→process, branches→branch; a final "e" goes too, so "caches"→"cach"←"cache"."""
    word = word.casefold()
    if len(word) < 4 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


STOPWORDS = frozenset(fold_word(word) for word in _STOPWORDS)
TITLE_NOISE = STOPWORDS | frozenset(fold_word(word) for word in _TITLE_NOISE)


@dataclass(frozen=True)
class Span:
    term: str
    start: int
    end: int


def _normalise(text: str) -> str:
    """NFKC maps full-width letters and digits to ASCII; lengths may change, so callers that
    need offsets into the original text scan it un-normalised (see `spans`)."""
    return unicodedata.normalize("NFKC", text or "")


def _scan(text: str) -> Iterator[tuple[str, str, int]]:
    for match in _TOKEN.finditer(text):
        kind = "cjk" if match.group("cjk") else "word"
        yield kind, match.group(), match.start()


def index_terms(text: str) -> list[str]:
    """The token stream the index stores, in order (positions matter for CJK phrases)."""
    terms: list[str] = []
    for kind, value, _start in _scan(_normalise(text)):
        if kind == "word":
            terms.append(fold_word(value))
        elif len(value) == 1:
            terms.append(value)
        else:
            terms.extend(value[i:i + 2] for i in range(len(value) - 1))
            terms.extend(value)
    return terms


def spans(text: str) -> Iterator[Span]:
    """Every term that `index_terms` would produce, with its place in the original text."""
    for kind, value, start in _scan(text or ""):
        if kind == "word":
            yield Span(fold_word(_normalise(value)), start, start + len(value))
            continue
        for i, char in enumerate(value):
            yield Span(_normalise(char), start + i, start + i + 1)
            if i + 1 < len(value):
                yield Span(_normalise(value[i:i + 2]), start + i, start + i + 2)


@dataclass(frozen=True)
class ParsedQuery:
    """All groups are required; a group of several terms is a phrase (adjacent bigrams)."""
    groups: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(term for group in self.groups for term in group)

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse_query(text: str) -> ParsedQuery:
    """Tokenise what a user typed exactly like indexed text; whatever it contains (quotes,
    operators, SQL), the result is only terms, later quoted for the database."""
    groups: list[tuple[str, ...]] = []
    for kind, value, _start in _scan(_normalise(text[:500])):
        if kind == "word":
            group: tuple[str, ...] = (fold_word(value),)
        elif len(value) <= 2:
            group = (value,)
        else:
            group = tuple(value[i:i + 2] for i in range(len(value) - 1))[:MAX_PHRASE_TERMS]
        if group not in groups:
            groups.append(group)
    meaningful = [g for g in groups if not (len(g) == 1 and g[0] in STOPWORDS)]
    return ParsedQuery(tuple((meaningful or groups)[:MAX_QUERY_GROUPS]))


def similarity_terms(title: str, tags: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Distinctive terms of a draft title and its tags, for "similar ideas" (any may match):
    words that are not noise, and CJK bigrams (a lone CJK character counts too)."""
    terms: list[str] = []
    for kind, value, _start in _scan(_normalise(" ".join([title[:300], *tags]))):
        if kind == "word":
            folded = fold_word(value)
            if folded not in TITLE_NOISE and (len(folded) > 1 or folded.isdigit()):
                terms.append(folded)
        elif len(value) == 1:
            terms.append(value)
        else:
            terms.extend(bigram for bigram in (value[i:i + 2] for i in range(len(value) - 1))
                         if bigram not in _TITLE_NOISE_CJK)
    return list(dict.fromkeys(terms))[:MAX_QUERY_GROUPS * 3]
