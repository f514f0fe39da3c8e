"""Highlighted snippets, built here from plain source text: every character of user text is
escaped by markupsafe and the only markup added is <mark>…</mark>."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from markupsafe import Markup, escape

from ideaboard.search.tokens import places_to_look, spans

LONG_TEXT = 3000   # in longer texts, only the stretch around the first match is segmented
_PIECE = 200
_BREAKS = re.compile(r"[\s，。！？；、,.!?;]")


def _marked_ranges(text: str, wanted: frozenset[str], offset: int = 0) -> list[tuple[int, int]]:
    """Where the wanted terms are: whole words (and whole codes), merged when they touch."""
    ranges: list[tuple[int, int]] = []
    for span in spans(text):
        if span.term not in wanted:
            continue
        start, end = span.start + offset, span.end + offset
        if ranges and start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def _first_region(text: str, wanted: frozenset[str], width: int) -> tuple[int, int]:
    """The stretch of a long text to build its snippet from, so that only that stretch is
    segmented: around the first place that really holds a match (pieces start and end at a
    space or punctuation, so words stay whole); the start of the text when none does."""
    checked_to = -1
    for place in places_to_look(text, wanted):
        if place < checked_to:
            continue
        before = max(_BREAKS.finditer(text, max(0, place - 60), place + 1),
                     key=lambda found: found.end(), default=None)
        start = before.end() if before else max(0, place - 60)
        after = _BREAKS.search(text, place + _PIECE)
        end = after.end() if after else len(text)
        if _marked_ranges(text[start:end], wanted):
            after = _BREAKS.search(text, min(len(text), end + width))
            return start, after.end() if after else len(text)
        checked_to = end
    return 0, min(len(text), width * 2)


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
    text, wanted = text or "", frozenset(terms)
    first, last = 0, len(text)
    if width is not None and len(text) > LONG_TEXT:
        first, last = _first_region(text, wanted, width)
    ranges = _marked_ranges(text[first:last], wanted, first)
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
