"""The one place that turns user Markdown into HTML that is safe to render.

markdown-it renders with raw HTML disabled and finds bare links and e-mail addresses with
its linkify rule (linkify-it-py; text inside code spans, code blocks and links is left
alone). Links to anything but http, https and mailto lose their link and keep their text.
nh3 (the Rust sanitiser ammonia) then keeps only an allow-list of tags and attributes, only
those URL schemes, and gives every link rel="nofollow noopener". The result is stored beside
the source; only these stored columns are ever rendered |safe.

Every step is linear in the length of the text (issue 13): bleach's Linker was quadratic
on one long word, and its html5lib tree walker on elements with many children (a long
table or list). tests/unit/test_text_rendering.py measures it.
"""
from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"},
                      "td": {"align"}}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
HEADING_DEMOTION = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6"}
_SAFE_HREF = re.compile("^(?:" + "|".join(sorted(ALLOWED_PROTOCOLS)) + "):", re.IGNORECASE)


def _unlink_unsafe_hrefs(state: StateCore) -> None:
    """Links to anything but http, https and mailto keep their text and lose the link."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, dropped = [], []
        for token in block.children:
            if token.type == "link_open":
                dropped.append(not _SAFE_HREF.match(str(token.attrGet("href") or "")))
                if dropped[-1]:
                    continue
            elif token.type == "link_close" and dropped and dropped.pop():
                continue
            kept.append(token)
        block.children = kept


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_markdown.enable(["table", "strikethrough", "linkify"])
_markdown.linkify.set({"fuzzy_email": True, "fuzzy_link": True})
_markdown.core.ruler.push("unlink_unsafe_hrefs", _unlink_unsafe_hrefs)


def _demote_headings(html_text: str) -> str:
    """Keep user headings below the page's own h1/h2 so the outline stays sound."""
    return re.sub(r"<(/?)(h[1-5])>",
                  lambda m: f"<{m.group(1)}{HEADING_DEMOTION[m.group(2)]}>", html_text)


def sanitise_html(html_text: str) -> str:
    """Only the allowed tags, attributes and link schemes; rel="nofollow noopener" on links."""
    return nh3.clean(html_text, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=set(ALLOWED_PROTOCOLS), link_rel=LINK_REL,
                     url_relative="deny", strip_comments=True)


def render_markdown(source: str) -> str:
    """Markdown → sanitised HTML with safe, nofollow links."""
    return sanitise_html(_demote_headings(_markdown.render(source or "")))


def html_text(html_text: str) -> str:
    """The text a reader sees of sanitised HTML, unescaped, whitespace as it came."""
    return html.unescape(nh3.clean(html_text, tags=set()))


def plain_excerpt(source: str, length: int = 200) -> str:
    """A one-line text preview of Markdown, for lists and notifications (escaped by Jinja)."""
    text = re.sub(r"\s+", " ", html_text(_markdown.render(source or ""))).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
