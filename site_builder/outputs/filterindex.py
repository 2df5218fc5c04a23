"""The tag filter's index, filter.json: each entry's date, title, URL and tag numbers; pure."""

from __future__ import annotations

import json
from typing import Sequence

from .views import EntrySummary, FilterView, TagRef
from ..core.urls import tag_path


def relative_url(url: str, base_path: str) -> str:
    """Return a root-relative URL with the base path cut off, so it resolves against the index."""
    return url[len(base_path):] if url.startswith(base_path) else url


def filter_json(view: FilterView) -> bytes:
    """Return filter.json for its view."""
    return build_filter_json(view.entries, view.tags, view.base_path)


def build_filter_json(entries: Sequence[EntrySummary], tags: Sequence[TagRef], base_path: str) -> bytes:
    """Return compact JSON: tags as [slug, name, url], entries as [date, title, url, tag numbers].

    Entries keep the order given (the listings' order); URLs are relative to the site's root,
    where filter.json lives, so the index works under any base path. An entry's tags are found
    by its tag links' URLs.
    """
    paths = [tag_path(t.slug).lstrip("/") for t in tags]
    number_of = {base_path + path: number for number, path in enumerate(paths)}
    data = {
        "tags": [[t.slug, t.name, path] for t, path in zip(tags, paths)],
        "entries": [[e.date.isoformat(), e.title, relative_url(e.url, base_path),
                     sorted(number_of[url] for _, url in e.tag_links)] for e in entries],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
