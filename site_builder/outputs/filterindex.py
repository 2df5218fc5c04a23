"""The tag filter's index, filter.json: each entry's date, title, URL and tag numbers; pure."""

from __future__ import annotations

import json
from typing import Sequence

from .dates import event_words, is_plain_day
from .views import EntrySummary, FilterView, TagRef
from ..model.site import event_start
from ..core.urls import tag_path


def relative_url(url: str, base_path: str) -> str:
    """Return a root-relative URL with the base path cut off, so it resolves against the index."""
    return url[len(base_path):] if url.startswith(base_path) else url


def _item(entry: EntrySummary, base_path: str, number_of: dict[str, int]) -> list:
    """Return an entry as filter.json lists it: [day it is placed at, title, URL, tag numbers],
    and the words of its event date when they are more than that day's."""
    item = [event_start(entry).isoformat(), entry.title, relative_url(entry.url, base_path),
            sorted(number_of[url] for _, url in entry.tag_links)]
    if entry.event and not is_plain_day(entry.event):
        item.append(event_words(entry.event))
    return item


def filter_json(view: FilterView) -> bytes:
    """Return filter.json for its view."""
    return build_filter_json(view.entries, view.tags, view.base_path)


def build_filter_json(entries: Sequence[EntrySummary], tags: Sequence[TagRef], base_path: str) -> bytes:
    """Return compact JSON: tags as [slug, name, url], entries as [date, title, url, tag numbers]
    (and the words of an event date that is not a plain day: see _item).

    Entries keep the order given (the listings' order); URLs are relative to the site's root,
    where filter.json lives, so the index works under any base path. An entry's tags are found
    by its tag links' URLs.
    """
    paths = [tag_path(t.slug).lstrip("/") for t in tags]
    number_of = {base_path + path: number for number, path in enumerate(paths)}
    data = {
        "tags": [[t.slug, t.name, path] for t, path in zip(tags, paths)],
        "entries": [_item(e, base_path, number_of) for e in entries],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
