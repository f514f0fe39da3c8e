"""The one place that turns user Markdown into HTML that is safe to render.

markdown-it renders with raw HTML disabled, then bleach keeps only an allow-list of tags
and attributes and only http, https and mailto links, which all get rel="nofollow noopener".
The result is stored beside the source; only these stored columns are ever rendered |safe.
"""
from __future__ import annotations

import re

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"], "th": ["align"],
                      "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
HEADING_DEMOTION = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])
_cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)


def _set_link_rel(attrs: dict, new: bool = False) -> dict | None:
    href_key = (None, "href")
    href = attrs.get(href_key, "")
    if not re.match(r"^(https?:|mailto:)", href, re.IGNORECASE):
        return None  # drop links to anything else, keeping the text
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_linker = Linker(callbacks=[_set_link_rel], skip_tags={"pre", "code"}, parse_email=True)


def _demote_headings(html: str) -> str:
    """Keep user headings below the page's own h1/h2 so the outline stays sound."""
    return re.sub(r"<(/?)(h[1-5])>",
                  lambda m: f"<{m.group(1)}{HEADING_DEMOTION[m.group(2)]}>", html)


def render_markdown(source: str) -> str:
    """Markdown → sanitised HTML with safe, nofollow links."""
    html = _demote_headings(_markdown.render(source or ""))
    return _linker.linkify(_cleaner.clean(html))


def plain_excerpt(source: str, length: int = 200) -> str:
    """A one-line text preview of Markdown, for lists and notifications (escaped by Jinja)."""
    text = bleach.clean(_markdown.render(source or ""), tags=set(), strip=True)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
