"""The tag filter's index, filter.json: each entry's date, title, URL and tag numbers; pure."""

from __future__ import annotations

import json
from typing import Sequence

from .model import Entry, Tag
from .urls import tag_path


def relative_url(url: str, base_path: str) -> str:
    """Return a root-relative URL with the base path cut off, so it resolves against the index."""
    return url[len(base_path):] if url.startswith(base_path) else url


def build_filter_json(entries: Sequence[Entry], tags: Sequence[Tag], base_path: str) -> bytes:
    """Return compact JSON: tags as [slug, name, url], entries as [date, title, url, tag numbers].

    Entries keep the order given (the listings' order); URLs are relative to the site's root,
    where filter.json lives, so the index works under any base path.
    """
    numbers: dict[str, list[int]] = {}
    for number, tag in enumerate(tags):
        for entry in tag.entries:
            numbers.setdefault(entry.path, []).append(number)
    data = {
        "tags": [[t.slug, t.name, tag_path(t.slug).lstrip("/")] for t in tags],
        "entries": [[e.date.isoformat(), e.title, relative_url(e.url, base_path),
                     numbers.get(e.path, [])] for e in entries],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
