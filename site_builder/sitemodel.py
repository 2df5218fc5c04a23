"""The site model: entries in timeline order with tag and date indexes, built in one pass."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from typing import Iterable, Mapping, Sequence

from .config import Config
from .model import Entry, Period, Site, Tag
from .slugs import make_slug
from .urls import permalink_path, tag_path

RELATED_PER_TAG = 6     # nearest entries in time looked at per shared tag
RELATED_TAGS = 3        # rarest tags of an entry looked at
RelatedPaths = dict[str, tuple[str, ...]]   # entry path -> the paths of its related entries


def timeline_key(entry: Entry) -> tuple:
    """Return the sort key that puts entries in time order, ties broken stably."""
    return (entry.instant, entry.slug, entry.path)


def canonical_tag(name: str, aliases: Mapping[str, str]) -> str:
    """Return the tag name that name stands for under the site's tag aliases."""
    return aliases.get(name.casefold(), name)


class TagNamer:
    """Maps tag names as written to canonical names and slugs, each worked out once."""

    def __init__(self, aliases: Mapping[str, str]):
        self.aliases = aliases
        self.known: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        """Return (canonical name, slug) of a tag as written."""
        found = self.known.get(name)
        if found is None:
            canonical = canonical_tag(name, self.aliases)
            found = self.known[name] = (canonical, make_slug(canonical, "tag"))
        return found


def _tag_names(entries: Iterable[Entry], namer: TagNamer) -> dict[str, str]:
    """Return tag slug -> display name, the most used spelling winning (ties: sorted first)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    for entry in entries:
        for name in entry.tags:
            canonical, slug = namer(name)
            spellings[slug][canonical] += 1
    return {
        slug: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for slug, counter in spellings.items()
    }


def _entry_tag_slugs(entry: Entry, namer: TagNamer) -> tuple[str, ...]:
    """Return the slugs of an entry's tags after aliasing, without duplicates, in order."""
    return tuple(dict.fromkeys(namer(name)[1] for name in entry.tags))


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
             members: Mapping[str, list[Entry]], count: int) -> RelatedPaths:
    """Return entry path -> the paths of entries sharing most tags with it, nearest in time first.

    Only the nearest few entries of each of an entry's rarest tags are candidates, which keeps
    this linear in the number of entries even when one tag is on every entry.
    """
    position = {slug: {e.path: i for i, e in enumerate(items)} for slug, items in members.items()}
    tag_sets = {path: frozenset(slugs) for path, slugs in slugs_of.items()}
    times = {entry.path: entry.instant.timestamp() for entry in entries}
    half = RELATED_PER_TAG // 2
    related: RelatedPaths = {}
    for entry in entries:
        own = tag_sets[entry.path]
        when = times[entry.path]
        rarest = sorted(own, key=lambda s: (len(members[s]), s))[:RELATED_TAGS]
        candidates: set[str] = set()
        for slug in rarest:
            low = max(0, position[slug][entry.path] - half)
            candidates.update(other.path for other in members[slug][low:low + RELATED_PER_TAG + 1])
        candidates.discard(entry.path)
        # Sorting a few dozen candidates outright is faster than heapq.nsmallest, same result.
        best = sorted([(-len(own & tag_sets[path]), abs(times[path] - when), path)
                       for path in candidates])[:count]
        related[entry.path] = tuple(path for _, _, path in best)
    return related


def _related_digest(entries: Sequence[Entry], slugs_of: Mapping[str, tuple[str, ...]],
                    count: int) -> str:
    """Return a digest of everything _related reads: the entries in order, their times and tags."""
    text = repr((RELATED_PER_TAG, RELATED_TAGS, count,
                 [(e.path, e.instant.timestamp(), slugs_of[e.path]) for e in entries]))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def build_site(entries: Iterable[Entry], config: Config,
               related_memo: dict[str, RelatedPaths] | None = None) -> Site:
    """Return the Site for the given (non-draft) entries under config.

    related_memo maps a digest of what related entries depend on to the related paths worked
    out for it; it is read, and replaced when stale, so that a build which changed no dates or
    tags (a body edit) skips the costliest part of the model.
    """
    namer = TagNamer(config.tag_aliases)
    ordered = sorted(entries, key=timeline_key)
    names = _tag_names(ordered, namer)
    base = config.base_path
    tag_urls = {slug: base + tag_path(slug).lstrip("/") for slug in names}
    slugs_of: dict[str, tuple[str, ...]] = {}
    linked: list[Entry] = []
    for entry in ordered:
        slugs = _entry_tag_slugs(entry, namer)
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
    memo = {} if related_memo is None else related_memo
    key = _related_digest(linked, slugs_of, config.related_count)
    if key not in memo:
        memo.clear()
        memo[key] = _related(linked, slugs_of, members, config.related_count)
    by_path = {entry.path: entry for entry in linked}
    return Site(
        entries=tuple(linked),
        tags=tags,
        years=years,
        months=months,
        days=days,
        previous=previous,
        next=following,
        related={path: tuple(by_path[p] for p in paths) for path, paths in memo[key].items()},
    )
