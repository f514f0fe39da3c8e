"""Rendering user text is linear in its length (issue 13), and ordinary text renders as it
always did.

bleach's Linker took 6.9 s for one 20,000-character word (quadratic); its html5lib tree
walker was quadratic on long tables and lists. Measured within one run, never against an
absolute time: the work (Python calls, deterministic) and the time of each hostile shape
against ordinary Markdown of the same length, and how the work grows with the length.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable

import pytest

from ideaboard.text import plain_excerpt, render_markdown

LENGTH = 20_000  # the longest body a form accepts
ORDINARY = ("## Why this matters\n\nWe lose **two hours** a week in [status meetings]"
            "(https://example.com/m); the notes at http://wiki.example.com/notes say so. "
            "Write to ops@example.com.\n\n- agree an agenda the day before\n- share "
            "`status.md` instead\n  1. owners update it\n\n| team | hours |\n|---|---:|\n"
            "| ops | 3 |\n\n> Meetings are where work goes to wait.\n\n")


def ordinary(n: int) -> str:
    return (ORDINARY * (n // len(ORDINARY) + 1))[:n]


HOSTILE: dict[str, Callable[[int], str]] = {
    "one long word": lambda n: "a" * n,
    "one long URL": lambda n: "https://example.com/" + "a" * (n - 20),
    "a dotted word": lambda n: "a." * (n // 2),
    "nested emphasis": lambda n: "*" * (n // 2) + "a" + "*" * (n // 2),
    "unclosed emphasis": lambda n: "*a **a " * (n // 7),
    "deep lists": lambda n: "".join("  " * min(i, 60) + "- a\n" for i in range(n // 64)),
    "deep quotes": lambda n: ">" * n,
    "many links": lambda n: "[a](http://x.co) " * (n // 18),
    "many bare links": lambda n: "http://x.co " * (n // 12),
    "many e-mail addresses": lambda n: "a@b.co " * (n // 7),
    "open brackets": lambda n: "[" * n,
    "long table": lambda n: "|a|b|\n|-|-|\n" + "|a|b|\n" * ((n - 12) // 6),
    "wide table": lambda n: "|" + "a|" * (n // 4) + "\n|" + "-|" * (n // 4) + "\n",
    "long list": lambda n: "- a\n" * (n // 4),
    "entities": lambda n: "&amp;" * (n // 5),
}
WORK_FACTOR = 15  # the heaviest shape (open brackets) does ~13× the calls of ordinary text
TIME_FACTOR = 15  # measured ≤ 6× on a busy 2-core box; quadratic was ~200× for one word


def python_calls(source: str) -> int:
    """Python and C function calls made while rendering: the same on every run."""
    calls = 0

    def count(_frame, event, _arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        render_markdown(source)
    finally:
        sys.setprofile(None)
    return calls


def best_time(source: str, repeats: int = 3) -> float:
    """CPU time of this process (other work on a shared machine barely moves it), best of n."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        render_markdown(source)
        best = min(best, time.process_time() - started)
    return best


WORK_LENGTH = 10_000  # the work is linear (next test), so half the maximum says the same


@pytest.fixture(scope="module")
def ordinary_work() -> int:
    return python_calls(ordinary(WORK_LENGTH))


@pytest.mark.parametrize("shape", HOSTILE)
def test_hostile_text_does_about_the_work_of_ordinary_text(shape, ordinary_work):
    source = HOSTILE[shape](WORK_LENGTH)
    assert python_calls(source) <= WORK_FACTOR * ordinary_work


@pytest.mark.parametrize("shape", HOSTILE)
def test_work_grows_linearly_with_length(shape):
    """Four times the text, about four times the calls (a quadratic step would be 16×)."""
    small, large = python_calls(HOSTILE[shape](2_500)), python_calls(HOSTILE[shape](10_000))
    assert large <= 4.5 * max(small, 1), (small, large)


# Shapes whose work is mostly inside C (the linkifier's regular expressions, the sanitiser),
# where call counts see nothing: bleach's quadratic linkify was one regular expression.
C_HEAVY = ("one long word", "one long URL", "a dotted word", "many bare links",
           "many e-mail addresses", "long table", "wide table", "nested emphasis", "entities")


def test_hostile_text_takes_about_the_time_of_ordinary_text():
    """At the maximum length, against the same baseline, in one run."""
    baseline = best_time(ordinary(LENGTH))
    ratios = {shape: best_time(HOSTILE[shape](LENGTH), 2) / baseline for shape in C_HEAVY}
    assert max(ratios.values()) <= TIME_FACTOR, ratios


def test_time_grows_linearly_for_a_long_word_and_url():
    for make in (HOSTILE["one long word"], HOSTILE["one long URL"], HOSTILE["a dotted word"]):
        small, large = best_time(make(5_000), 5), best_time(make(LENGTH), 5)
        assert large <= 10 * small, (small, large)  # linear: 4×; quadratic: 16×


# --- the same HTML for ordinary content ---------------------------------------------------------

@pytest.mark.parametrize("source, html", [
    ("We lose **two hours** in [meetings](https://example.com/m?a=1&b=2), see "
     "http://wiki.example.com/x or mail ops@example.com.",
     '<p>We lose <strong>two hours</strong> in <a href="https://example.com/m?a=1&amp;b=2" '
     'rel="nofollow noopener">meetings</a>, see <a href="http://wiki.example.com/x" '
     'rel="nofollow noopener">http://wiki.example.com/x</a> or mail '
     '<a href="mailto:ops@example.com" rel="nofollow noopener">ops@example.com</a>.</p>\n'),
    ("- agree an agenda\n- share `status.md` and `http://example.com/in-code`\n"
     "  1. owners update it\n",
     "<ul>\n<li>agree an agenda</li>\n<li>share <code>status.md</code> and "
     "<code>http://example.com/in-code</code>\n<ol>\n<li>owners update it</li>\n</ol>\n"
     "</li>\n</ul>\n"),
    ("```\ncurl https://example.com/api\n```\n",
     "<pre><code>curl https://example.com/api\n</code></pre>\n"),
    ("## Why\n\n> quoted *text*\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n",
     "<h4>Why</h4>\n<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>\n<table>\n"
     "<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
     "<td>2</td>\n</tr>\n</tbody>\n</table>\n"),
    ("[inside](https://example.com) a link, https://example.com/bare is not nested",
     '<p><a href="https://example.com" rel="nofollow noopener">inside</a> a link, '
     '<a href="https://example.com/bare" rel="nofollow noopener">https://example.com/bare</a>'
     " is not nested</p>\n"),
])
def test_ordinary_content_renders_as_before(source, html):
    assert render_markdown(source) == html


def test_plain_excerpt_reads_like_the_text():
    assert plain_excerpt('## Title\n\nSay "hi" & <b>wave</b> at https://example.com') == (
        'Title Say "hi" & <b>wave</b> at https://example.com')
    assert plain_excerpt("word " * 100, 20) == "word word word word…"
