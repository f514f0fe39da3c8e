"""Highlighted snippets, built here from plain source text: every character of user text is
escaped by markupsafe and the only markup added is <mark>…</mark>."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from markupsafe import Markup, escape

from ideaboard.search.tokens import spans


def _marked_ranges(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    wanted = set(terms)
    ranges: list[tuple[int, int]] = []
    for span in spans(text):
        if span.term not in wanted:
            continue
        if ranges and span.start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], span.end))
        else:
            ranges.append((span.start, span.end))
    return ranges


def _window(text: str, ranges: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The `width` characters holding the most matches, starting a little before them."""
    if len(text) <= width:
        return 0, len(text)
    starts = [range_start for range_start, _ in ranges]
    best_start, best_count = 0, 0
    for i, start in enumerate(starts):
        count = bisect_left(starts, start + width * 3 // 4) - i
        if count > best_count:
            best_start, best_count = start, count
    start = max(0, best_start - width // 4)
    space = text.rfind(" ", max(0, start - 15), start + 1)  # do not cut a word in half
    if space > 0:
        start = space + 1
    start = min(start, max(0, len(text) - width))
    return start, min(len(text), start + width)


def highlight(text: str, terms: Iterable[str], width: int | None = None) -> Markup:
    """`text` escaped, with each occurrence of the query's terms in <mark>; with `width`,
    only the stretch of text that holds the most matches (the start when none)."""
    text = text or ""
    ranges = _marked_ranges(text, terms)
    start, end = (0, len(text)) if width is None else _window(text, ranges, width)
    parts: list[Markup] = [Markup("…")] if start > 0 else []
    position = start
    for range_start, range_end in ranges:
        if range_end <= start or range_start >= end:
            continue
        range_start, range_end = max(range_start, start), min(range_end, end)
        parts.append(escape(text[position:range_start]))
        parts.append(Markup("<mark>{}</mark>").format(text[range_start:range_end]))
        position = range_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
