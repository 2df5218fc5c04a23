"""Knight Lab TimelineJS3 data (its JSON format) for the entries, safe to embed in a page; pure."""

from __future__ import annotations

import datetime
import html
import io
import json
import re
from typing import Iterable, Mapping

from ..core.config import Config
from ..core.eventdates import EventDate, event_words
from ..model.records import Entry
from ..model.site import timeline_key

PRECISION_PARTS = {"year": 1, "month": 2, "day": 3}
# The title slide's id: entry slugs start with [a-z0-9], so no event id can take it.
TITLE_ID = "_title"

# Controls, lone surrogates and non-characters that neither HTML nor JSON text should carry.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# JSON escapes that keep the bytes inert inside <script> and inside HTML attributes, and that
# keep U+2028/U+2029 from ending a JavaScript string in older engines.
_EMBED_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}
_EMBED_PATTERN = re.compile("[<>&'\u2028\u2029]")


def text_html(text: str) -> str:
    """Return plain text as HTML that shows it literally (escaped, without control characters)."""
    return html.escape(_NOT_TEXT.sub("", text), quote=True)


def embed_safe_json(data: object) -> bytes:
    """Return compact UTF-8 JSON of data with <, >, &, ' and U+2028/9 written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _EMBED_PATTERN.sub(lambda m: _EMBED_ESCAPES[m.group()], text).encode()


def event_ids(entries: list[Entry]) -> dict[str, str]:
    """Return entry path -> unique_id: the slug, or slug-YYYY-MM-DD(-n) when slugs repeat."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.slug] = counts.get(entry.slug, 0) + 1
    ids: dict[str, str] = {}
    taken: set[str] = {TITLE_ID}
    for entry in entries:
        candidate = entry.slug if counts[entry.slug] == 1 else f"{entry.slug}-{entry.date.isoformat()}"
        unique, n = candidate, 1
        while unique in taken:
            n += 1
            unique = f"{candidate}-{n}"
        taken.add(unique)
        ids[entry.path] = unique
    return ids


def group_label(tag: str) -> str:
    """Return a tag as a TimelineJS group that shows literally.

    TimelineJS3 reads `group` as HTML, strips it to its text content, then writes that text
    back with innerHTML: escaping twice makes the tag's own text come out, and inert.
    """
    return html.escape(text_html(tag), quote=True)


def _event_text(entry: Entry) -> str:
    """Return the HTML body of an entry's slide: its lead (the headline links to the entry
    page, which names the source; the file stays small for long timelines)."""
    lead = (entry.lead or entry.summary).strip()
    return f"<p>{text_html(lead)}</p>" if lead else ""


def _known_parts(day: datetime.date, precision: str) -> dict:
    """Return a TimelineJS date with only the parts known at precision (it accepts a year
    alone)."""
    parts = {"year": day.year, "month": day.month, "day": day.day}
    return dict(list(parts.items())[:PRECISION_PARTS[precision]])


def _dates(entry: Entry) -> dict:
    """Return the start_date, and end_date and display_date when there are any, of a slide:
    the event's dates, or the publication day."""
    happened: EventDate | None = entry.event
    if happened is None:
        return {"start_date": _known_parts(entry.date, "day")}
    dates = {"start_date": _known_parts(happened.start, happened.precision)}
    if happened.is_interval:
        dates["end_date"] = _known_parts(happened.end, happened.end_precision)
    if happened.uncertain or happened.approximate:
        dates["display_date"] = text_html(event_words(happened))
    return dates


def _event(entry: Entry, unique_id: str, country_names: Mapping[str, str]) -> dict:
    """Return the TimelineJS slide of one entry, grouped by its first country, else its first
    tag."""
    event = {
        "unique_id": unique_id,
        **_dates(entry),
        "text": {
            "headline": f'<a href="{text_html(entry.url)}">{text_html(entry.title)}</a>',
            "text": _event_text(entry),
        },
        "autolink": False,
    }
    countries = entry.countries
    if countries:
        event["group"] = group_label(country_names.get(countries[0], countries[0]))
    elif entry.tags:
        event["group"] = group_label(entry.tags[0])
    return event


def build_timeline_json(entries: Iterable[Entry], *, config: Config, title: str,
                        description: str, country_names: Mapping[str, str] | None = None
                        ) -> bytes:
    """Return TimelineJS3 JSON (title slide + one event per entry, oldest first) as UTF-8 bytes.

    Headlines link to the entry pages (Entry.url, root-relative); all text is escaped so it
    shows as written. The bytes contain no raw <, > or &, so they can go inside <script>.
    With no entries the events list is empty (TimelineJS then shows its own message).
    config is taken for symmetry with the other builders and for future settings.
    """
    ordered = sorted(entries, key=timeline_key)
    ids = event_ids(ordered)
    head = embed_safe_json({
        "scale": "human",
        "title": {
            "unique_id": TITLE_ID,
            "text": {"headline": text_html(title),
                     "text": f"<p>{text_html(description)}</p>" if description.strip() else ""},
        },
        "events": [],
    })
    # Each event is written as JSON as it is made, into one buffer whose bytes getvalue() hands
    # over without a copy: the events as one value, then as a list of pieces joined, took 3 to
    # 9 times the file's size in the worker that writes it.
    out = io.BytesIO()
    out.write(head.removesuffix(b"[]}") + b"[")
    names = country_names or {}
    for n, entry in enumerate(ordered):
        if n:
            out.write(b",")
        out.write(embed_safe_json(_event(entry, ids[entry.path], names)))
    out.write(b"]}")
    return out.getvalue()
