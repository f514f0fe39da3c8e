"""Tokenisation shared by the index, the query and the highlighter, for both databases.

One generator (`_tokens`) turns text into terms with their place in the text; the index
stores the terms, the highlighter marks their places, and queries are parsed by the same
rules, so what is searched is always what was indexed.

- **Folding** (all scripts): NFKC (full-width ＫＰＩ = KPI), case, accents on Latin letters
  (café = cafe), and Traditional Chinese to Simplified with OpenCC (會議 = 会议).
- **English and other spaced scripts**: the Snowball stemmer, after a small table of
  irregular forms (children → child, ran → run, analyses → analysis) and a few words the
  stemmer would merge with another word (goods ≠ good). Hyphens and apostrophes join
  (e-mail = email, Wi-Fi = WiFi, ISO-9001 = ISO9001), and each piece of a compound or a
  code is indexed too, so 2025 finds FY2025 and "mail" finds e-mail.
- **Chinese (and Japanese, Korean)**: every run is segmented into words with jieba's
  dictionary (through rjieba, see `_segmenter`). A word is stored with the dictionary words
  inside it (jieba's search mode: 工资条 also as 工资), and characters the dictionary does not
  know as words are stored as overlapping pairs, so names and jargon are still found. A word
  is only ever found where the dictionary puts a word: 上班 is not in 早上班车 (早上 / 班车).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

_CJK = ("\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
        "\U00020000-\U0003134f")
_WORD_CHARS = rf"(?:(?![{_CJK}])[^\W_])+"
# A word may join pieces with hyphens or apostrophes: e-mail, Wi-Fi, ISO-9001, don't.
_JOINERS = "'’\\-\u2010\u2011"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>{_WORD_CHARS}(?:[{_JOINERS}]{_WORD_CHARS})*)")
_PIECE = re.compile(r"\d+|[^\W\d_]+")
_APOSTROPHES = re.compile("['’]")
_WIDE_OR_ACCENTED = re.compile("[\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")
_POSSESSIVE = re.compile("['’]s?$")  # men's, employees'
# A common word written in capitals is an acronym (IT, US, WHO): it is indexed a second
# time with this mark, and a query typed in capitals asks for the marked term.
ACRONYM_MARK = "\u02e3"
_HYPHENS = re.compile("[\\-\u2010\u2011]")
_CJK_TERM = re.compile(f"[{_CJK}]")
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")  # KPIs, APIs, OKRs

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 64
MAX_TERM_CHARS = 60  # longer "words" are cut here, in the index and in queries alike

# Forms the stemmer cannot relate (or would relate wrongly), mapped before stemming.
_IRREGULAR = {
    "children": "child", "men": "man", "women": "woman", "people": "people",
    "mice": "mouse", "feet": "foot", "teeth": "tooth", "geese": "goose",
    "analyses": "analysis", "crises": "crisis", "theses": "thesis", "bases": "base",
    "criteria": "criterion", "phenomena": "phenomenon", "indices": "index",
    "matrices": "matrix", "appendices": "appendix", "diagnoses": "diagnosis",
    "ran": "run", "went": "go", "gone": "go", "goes": "go", "did": "do", "done": "do",
    "does": "do", "made": "make", "paid": "pay", "bought": "buy", "brought": "bring",
    "taught": "teach", "sold": "sell", "told": "tell", "spent": "spend", "sent": "send",
    "built": "build", "wrote": "write", "written": "write", "spoke": "speak",
    "spoken": "speak", "chose": "choose", "chosen": "choose", "began": "begin",
    "begun": "begin", "knew": "know", "known": "know", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "seen": "see", "saw": "see", "ate": "eat",
    "eaten": "eat", "drove": "drive", "driven": "drive", "flew": "fly", "flown": "fly",
    "grew": "grow", "grown": "grow", "threw": "throw", "thrown": "throw", "won": "win",
    "lost": "lose", "held": "hold", "kept": "keep", "felt": "feel", "met": "meet",
    "lent": "lend", "hid": "hide", "hidden": "hide", "broke": "break", "broken": "break",
    "froze": "freeze", "frozen": "freeze", "forgot": "forget", "forgotten": "forget",
}
# Words the stemmer would fold into a different word: goods→good, means→mean, news stays.
_KEEP = frozenset({"goods", "means", "news", "series", "species", "physics", "economics",
                   "politics", "analytics", "logistics", "statistics", "ethics", "sales"})

# Dropped from queries that have other words, so "menu for the canteen" needs only the
# words that carry meaning. The index keeps every word, and one typed in capitals (IT, US,
# WHO) is an acronym, never dropped.
_STOPWORDS = [
    "a", "about", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do",
    "for", "from", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me",
    "my", "no", "not", "of", "on", "or", "our", "so", "that", "the", "their", "there",
    "these", "they", "this", "to", "us", "was", "we", "what", "when", "where", "which",
    "who", "why", "will", "with", "would", "you", "your"
]
_OPERATORS = frozenset({"and", "or", "not"})
# Also ignored when looking for similar titles: words every idea title uses.
_TITLE_NOISE = [
    "add", "allow", "better", "get", "help", "idea", "improve", "improvement", "let",
    "lets", "make", "more", "need", "new", "please", "should", "use", "using"
]
# The same for Chinese titles: 建议 "suggest", 希望 "hope", 我们 "we", 公司 "company" …
_TITLE_NOISE_CJK = frozenset([
    "建议", "希望", "我们", "公司", "可以", "应该", "一个", "增加", "提高", "改进", "优化",
    "是否", "如何", "关于", "大家", "能否",
])

_local = threading.local()


def _snowball():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # Snowball stemmers keep state while they work: one per thread
        import snowballstemmer
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    """A case-folded, accent-free, alphabetic word's index form."""
    word = _IRREGULAR.get(word, word)
    if word in _KEEP or len(word) < 3:
        return word
    return _snowball().stemWord(word)


def _fold_accents(text: str) -> str:
    """Latin letters without their accents: café → cafe, Zürich → Zurich."""
    if text.isascii():
        return text
    return _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=65_536)
def _word_terms(raw: str) -> tuple[str, tuple[str, ...]]:
    """The term of a spaced-script word and the terms of its pieces (when it has several):
    "Wi-Fi" → ("wifi", ["wi", "fi"]); "FY2025" → ("fy2025", ["fy", "2025"])."""
    text = _POSSESSIVE.sub("", _fold_accents(unicodedata.normalize("NFKC", raw)))
    text = _APOSTROPHES.sub("", text)
    if _ACRONYM_PLURAL.fullmatch(text):
        text = text[:-1]
    pieces = [piece.casefold() for part in _HYPHENS.split(text) for piece in _PIECE.findall(part)]
    joined = "".join(pieces)

    def term(word: str) -> str:
        return (_stem(word) if word.isalpha() else word)[:MAX_TERM_CHARS]

    return term(joined), (tuple(term(piece) for piece in pieces) if len(pieces) > 1 else ())


def fold_word(word: str) -> str:
    """The index form of one word: "Meetings" → "meet", "policies" → "polici"."""
    return _word_terms(word)[0]


@cache
def _segmenter():
    """jieba's dictionary segmenter, loaded once per process on first use (about 0.1 s).
    rjieba is the Rust port of jieba with the same dictionary and results: it writes no
    cache files and segments some thirty times faster, which matters for reindexing."""
    import rjieba
    rjieba.cut("预热", False)
    return rjieba


@cache
def _converter():
    import opencc
    return opencc.OpenCC("t2s")


def _simplified(run: str) -> str:
    """A CJK run in Simplified characters, with exactly one character per original one (so
    offsets stay valid): NFKC, then OpenCC; a phrase conversion that changes the length
    falls back to character by character."""
    normalized = unicodedata.normalize("NFKC", run)
    run = normalized if len(normalized) == len(run) else "".join(
        unicodedata.normalize("NFKC", c)[:1] or c for c in run)
    converted = _converter().convert(run)
    if len(converted) != len(run):
        converted = "".join((_converter().convert(c) or c)[:1] for c in run)
    return converted


def warm_up() -> None:
    """Load the segmenter's dictionary, the OpenCC tables and the stemmer now (gunicorn
    calls this as a worker starts) rather than in the first search or write."""
    _segmenter()
    _converter()
    _snowball()


class Span(NamedTuple):
    term: str
    start: int
    end: int


def _subwords(word: str) -> list[str]:
    """Dictionary words inside a longer word, as jieba's search mode finds them:
    工资条 → 工资; 绩效考核 → 绩效, 考核."""
    return [sub for sub in _segmenter().cut_for_search(word, False) if sub != word]


def _cjk_words(run: str) -> list[str]:
    return _segmenter().cut(run, False)


def _cjk_tokens(run: str, offset: int) -> Iterator[Span]:
    if len(run) > _CACHED_RUN:
        return _segment_run(run, offset)
    if offset == 0:
        return iter(_run_tokens(run))
    return (Span(term, start + offset, end + offset) for term, start, end in _run_tokens(run))


_CACHED_RUN = 120


@lru_cache(maxsize=32_768)
def _run_tokens(run: str) -> tuple[Span, ...]:
    """The terms of one short run of CJK text (runs between punctuation repeat: cached)."""
    return tuple(_segment_run(run))


def _segment_run(run: str, offset: int = 0) -> Iterator[Span]:
    text = _simplified(run)
    stretch: list[int] = []  # starts of single characters the dictionary joins to nothing

    def pairs() -> Iterator[Span]:
        for first, second in pairwise(stretch):
            yield Span(text[first] + text[second], offset + first, offset + second + 1)

    position = 0
    for word in _cjk_words(text):
        start, end = position, position + len(word)
        position = end
        yield Span(word[:MAX_TERM_CHARS], offset + start, offset + end)
        if len(word) == 1:
            stretch.append(start)
            continue
        yield from pairs()
        stretch = []
        if len(word) > 2:
            for sub in _subwords(word):
                at = word.find(sub)
                yield Span(sub, offset + start + at, offset + start + at + len(sub))
    yield from pairs()


def _tokens(text: str) -> Iterator[Span]:
    for match in _TOKEN.finditer(text or ""):
        if match.group("cjk"):
            yield from _cjk_tokens(match.group(), match.start())
            continue
        start, end = match.span()
        for term in _word_index_terms(match.group()):
            yield Span(term, start, end)


@lru_cache(maxsize=65_536)
def _word_index_terms(raw: str) -> tuple[str, ...]:
    """Everything one spaced-script word is indexed as: its term, its pieces, and its
    acronym form (cached: words repeat)."""
    term, pieces = _word_terms(raw)
    terms = (term, *dict.fromkeys(piece for piece in pieces if piece != term))
    return (*terms, term + ACRONYM_MARK) if _is_acronym(raw, term) else terms


def index_terms(text: str) -> list[str]:
    """The terms the index stores for a text, in order."""
    return [span.term for span in _tokens(text)]


def spans(text: str) -> Iterator[Span]:
    """Every term that `index_terms` produces, with the stretch of the original text it
    stands for: a whole word, never a part of one (a code's piece marks the whole code)."""
    return _tokens(text)


def places_to_look(text: str, terms: frozenset[str], limit: int = 20) -> list[int]:
    """Where in a text the terms may be, found without segmenting it (so, approximately, a
    few characters either way): a Chinese term's characters, or a word's first letters
    (irregular forms included). A place not listed surely holds none of them."""
    words = [term for term in terms if not _CJK_TERM.match(term)]
    folded = ""
    if words:
        folded = text.casefold()
        if _WIDE_OR_ACCENTED.search(folded):
            folded = _fold_accents(unicodedata.normalize("NFKC", folded))
        folded = _HYPHENS.sub("", _APOSTROPHES.sub("", folded))
    simplified = _converter().convert(text) if len(words) < len(terms) else ""
    places: set[int] = set()
    for term in terms:
        term = term.removesuffix(ACRONYM_MARK)
        cjk = _CJK_TERM.match(term) is not None
        for needle in ((term,) if cjk else {f[:3] for f in _SURFACE_FORMS.get(term, (term,))}):
            haystack = simplified if cjk else folded
            at = haystack.find(needle)
            while at >= 0 and len(places) < limit * 4:
                places.add(at)
                at = haystack.find(needle, at + 1)
    return sorted(places)[:limit]


# --- queries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryWord:
    """One word as the user will recognise it ("报销", "Wi-Fi", "飞书妙记") and the terms a
    document must hold for it (all of them)."""
    text: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Every word is required. `ignored` are common words left out of the search;
    `truncated` says the query was longer than the search takes (the page says so)."""
    words: tuple[QueryWord, ...]
    ignored: tuple[str, ...] = ()
    truncated: bool = False
    terms_tuple: tuple[str, ...] = field(default=(), repr=False)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.terms_tuple)

    @property
    def required(self) -> tuple[str, ...]:
        """The distinct terms every result holds, in the order typed."""
        return self.terms_tuple

    def __bool__(self) -> bool:
        return bool(self.words)


def _tiling(word: str) -> list[str] | None:
    """The dictionary words that make up a compound end to end (绩效考核 → 绩效, 考核), so
    that "绩效考核" also finds "绩效 考核"; None when they do not (研究生 is not 研究 + 生)."""
    subwords = {sub for sub in _subwords(word) if len(sub) > 1}
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for start in range(len(word)):
        if best[start] is None:
            continue
        for end in range(start + 2, len(word) + 1):
            piece = word[start:end]
            if piece in subwords and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                best[end] = [*best[start], piece]
    return best[-1]


def _cjk_query_words(run: str) -> Iterator[QueryWord]:
    text = _simplified(run)
    shown = run
    stretch: list[int] = []

    def flush() -> Iterator[QueryWord]:
        if len(stretch) == 1:
            yield QueryWord(shown[stretch[0]], (text[stretch[0]],))
        elif stretch:
            first, last = stretch[0], stretch[-1] + 1
            yield QueryWord(shown[first:last], tuple(
                text[i:i + 2] for i in range(first, last - 1)))

    position = 0
    for word in _cjk_words(text):
        start, position = position, position + len(word)
        if len(word) == 1:
            stretch.append(start)
            continue
        yield from flush()
        stretch = []
        pieces = _tiling(word) if len(word) > 3 else None
        yield QueryWord(shown[start:position], tuple(pieces or (word[:MAX_TERM_CHARS],)))
    yield from flush()


def _is_acronym(raw: str, term: str) -> bool:
    """A common word in capitals (IT, US, WHO) is an acronym, not "it", "us" or "who";
    AND, OR and NOT in capitals are what people type as operators, and stay common."""
    return (term in STOPWORDS and len(raw) > 1 and raw.isupper()
            and term not in _OPERATORS)


def parse_query(text: str) -> ParsedQuery:
    """Tokenise what a user typed by the rules of indexed text; whatever it contains
    (quotes, operators, SQL), the result is only terms, later quoted for the database."""
    text = text or ""
    truncated = len(text) > MAX_QUERY_CHARS
    words: list[QueryWord] = []
    stop: list[QueryWord] = []
    for match in _TOKEN.finditer(text[:MAX_QUERY_CHARS]):
        if match.group("cjk"):
            words.extend(_cjk_query_words(match.group()))
            continue
        term = _word_terms(match.group())[0]
        if _is_acronym(match.group(), term):
            words.append(QueryWord(match.group(), (term + ACRONYM_MARK,)))
        else:
            (stop if term in STOPWORDS else words).append(QueryWord(match.group(), (term,)))
    if not words:
        words, stop = stop, []
    terms: list[str] = []
    kept: list[QueryWord] = []
    for word in words:
        new = [term for term in word.terms if term not in terms]
        if not new and word.terms:
            continue  # the same word twice
        if len(terms) + len(new) > MAX_QUERY_TERMS:
            truncated = True
            break
        terms.extend(new)
        kept.append(word)
    return ParsedQuery(tuple(kept), tuple(dict.fromkeys(w.text for w in stop)), truncated,
                       tuple(terms))


def similarity_terms(title: str, tags: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Distinctive terms of a draft title and its tags, for "similar ideas" (any may match):
    words that are not noise; for Chinese, words of two characters or more."""
    terms: list[str] = []
    for span in _tokens(" ".join([title[:300], *tags])):
        term = span.term
        if _CJK_TERM.match(term):
            if len(term) > 1 and term not in _TITLE_NOISE_CJK:
                terms.append(term)
        elif term not in TITLE_NOISE and (len(term) > 1 or term.isdigit()):
            terms.append(term)
    return list(dict.fromkeys(terms))[:MAX_QUERY_TERMS]


STOPWORDS = frozenset(fold_word(word) for word in _STOPWORDS)
_SURFACE_FORMS: dict[str, tuple[str, ...]] = {}
for _form, _base in _IRREGULAR.items():
    _SURFACE_FORMS.setdefault(fold_word(_base), (fold_word(_base), _base))
    _SURFACE_FORMS[fold_word(_base)] += (_form,)
TITLE_NOISE = STOPWORDS | frozenset(fold_word(word) for word in _TITLE_NOISE)
