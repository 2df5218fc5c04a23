"""An entry page's meta description: its own words, short enough for a search result; pure."""

from __future__ import annotations

import re

from ..model.events import first_paragraph
from ..model.records import Entry

DESCRIPTION_LIMIT = 160     # characters; search engines show about this many
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def entry_description(entry: Entry, limit: int = DESCRIPTION_LIMIT) -> str:
    """Return an entry's lead, else its summary, else its body's first paragraph, as plain
    text of at most limit characters, cut at a word ('' when it has no words)."""
    source = entry.lead or entry.summary or first_paragraph(entry.body_html)
    return shorten(_SPACE.sub(" ", _TAG.sub(" ", source)).strip(), limit)


def shorten(text: str, limit: int) -> str:
    """Return text, or its words that fit in limit characters with an ellipsis after them."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return cut.rstrip(" ,;:.–—-") + "…"
