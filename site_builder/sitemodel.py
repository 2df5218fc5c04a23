"""The site model: entries in timeline order with tag and date indexes, built in one pass."""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter, defaultdict
from typing import Iterable, Mapping, Sequence

from .config import Config
from .model import Entry, Period, Site, Tag
from .slugs import make_slug
from .urls import permalink_path, tag_path

RELATED_PER_TAG = 8     # nearest entries in time looked at per shared tag
RELATED_TAGS = 5        # rarest tags of an entry looked at


def timeline_key(entry: Entry) -> tuple:
    """Return the sort key that puts entries in time order, ties broken stably."""
    return (entry.instant, entry.slug, entry.path)


def canonical_tag(name: str, aliases: Mapping[str, str]) -> str:
    """Return the tag name that name stands for under the site's tag aliases."""
    return aliases.get(name.casefold(), name)


def _tag_names(entries: Iterable[Entry], aliases: Mapping[str, str]) -> dict[str, str]:
    """Return tag slug -> display name, the most used spelling winning (ties: sorted first)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    for entry in entries:
        for name in entry.tags:
            canonical = canonical_tag(name, aliases)
            spellings[make_slug(canonical, "tag")][canonical] += 1
    return {
        slug: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for slug, counter in spellings.items()
    }


def _entry_tag_slugs(entry: Entry, aliases: Mapping[str, str]) -> tuple[str, ...]:
    """Return the slugs of an entry's tags after aliasing, without duplicates, in order."""
    slugs = (make_slug(canonical_tag(name, aliases), "tag") for name in entry.tags)
    return tuple(dict.fromkeys(slugs))


def _periods(entries: Sequence[Entry]) -> tuple[tuple[Period, ...], ...]:
    """Return (years, months, days) that have entries, each oldest first."""
    groups: dict[str, dict[tuple, list[Entry]]] = {"year": {}, "month": {}, "day": {}}
    for entry in entries:
        day = entry.date
        groups["year"].setdefault((day.year, 0, 0), []).append(entry)
        groups["month"].setdefault((day.year, day.month, 0), []).append(entry)
        groups["day"].setdefault((day.year, day.month, day.day), []).append(entry)
    return tuple(
        tuple(Period(kind, *key, entries=tuple(items)) for key, items in sorted(by_key.items()))
        for kind, by_key in groups.items()
    )


def _related(entries: Sequence[Entry], slugs_of: Mapping[str, tuple[str, ...]],
             members: Mapping[str, list[Entry]], count: int) -> dict[str, tuple[Entry, ...]]:
    """Return entry path -> the entries sharing most tags with it, nearest in time first.

    Only the nearest few entries of each of an entry's rarest tags are candidates, which keeps
    this linear in the number of entries even when one tag is on every entry.
    """
    position = {slug: {e.path: i for i, e in enumerate(items)} for slug, items in members.items()}
    related: dict[str, tuple[Entry, ...]] = {}
    for entry in entries:
        own = set(slugs_of[entry.path])
        rarest = sorted(own, key=lambda s: (len(members[s]), s))[:RELATED_TAGS]
        candidates: dict[str, Entry] = {}
        for slug in rarest:
            items = members[slug]
            index = position[slug][entry.path]
            low = max(0, index - RELATED_PER_TAG // 2)
            for other in items[low:low + RELATED_PER_TAG + 1]:
                if other.path != entry.path:
                    candidates[other.path] = other
        scored = sorted(
            candidates.values(),
            key=lambda o: (-len(own.intersection(slugs_of[o.path])),
                           abs((o.instant - entry.instant).total_seconds()), o.path),
        )
        related[entry.path] = tuple(scored[:count])
    return related


def build_site(entries: Iterable[Entry], config: Config) -> Site:
    """Return the Site for the given (non-draft) entries under config."""
    aliases = config.tag_aliases
    ordered = sorted(entries, key=timeline_key)
    names = _tag_names(ordered, aliases)
    base = config.base_path
    tag_urls = {slug: base + tag_path(slug).lstrip("/") for slug in names}
    slugs_of: dict[str, tuple[str, ...]] = {}
    linked: list[Entry] = []
    for entry in ordered:
        slugs = _entry_tag_slugs(entry, aliases)
        slugs_of[entry.path] = slugs
        url = base + permalink_path(config.permalink, entry.slug, entry.date).lstrip("/")
        links = tuple((names[slug], tag_urls[slug]) for slug in slugs)
        linked.append(dataclasses.replace(entry, url=url, tag_links=links))
    members: dict[str, list[Entry]] = defaultdict(list)
    for entry in linked:
        for slug in slugs_of[entry.path]:
            members[slug].append(entry)
    tags = tuple(sorted(
        (Tag(names[slug], slug, tuple(items)) for slug, items in members.items()),
        key=lambda tag: (tag.name.casefold(), tag.slug),
    ))
    years, months, days = _periods(linked)
    previous = {e.path: (linked[i - 1] if i else None) for i, e in enumerate(linked)}
    following = {e.path: (linked[i + 1] if i + 1 < len(linked) else None)
                 for i, e in enumerate(linked)}
    return Site(
        entries=tuple(linked),
        tags=tags,
        years=years,
        months=months,
        days=days,
        previous=previous,
        next=following,
        related=_related(linked, slugs_of, members, config.related_count),
    )
