"""The site model: entries in timeline order with tag and date indexes, built in one pass.

It is made in two steps: a Layout says where every entry goes (its place in time, its URL, its
tags, periods, related entries, source name and event) and depends only on the entries' front
matter, the words of their first paragraphs (which grouping reads) and the config; assembling
it with the entries gives the Site. A build whose entries changed only their bodies can so
reuse the last build's layout.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .events import group_events
from .records import Entry, Period, Site, Tag
from ..core.config import Config
from ..core.digests import digest_of
from ..core.slugs import tag_identity, tag_slugs
from ..core.sourcenames import source_name
from ..core.urls import permalink_path, tag_path

RELATED_PER_TAG = 6     # nearest entries in time looked at per shared tag
RELATED_TAGS = 3        # rarest tags of an entry looked at
RelatedPaths = dict[str, tuple[str, ...]]   # entry path -> the paths of its related entries
Positions = tuple[int, ...]                 # entries by their place in Layout.order
PeriodGroups = tuple[tuple[tuple[int, int, int], Positions], ...]   # (year, month, day), entries
PERIOD_KINDS = ("year", "month", "day")


@dataclass(frozen=True)
class Layout:
    """Where each entry goes in the site: the Site without the entries themselves."""

    order: tuple[str, ...]                                  # entry paths, oldest first
    urls: tuple[str, ...]                                   # each entry's URL, in that order
    tag_links: tuple[tuple[tuple[str, str], ...], ...]      # each entry's (tag name, tag URL)
    tags: tuple[tuple[str, str, Positions], ...]            # (name, slug, entries), by name
    periods: tuple[PeriodGroups, PeriodGroups, PeriodGroups]  # years, months, days, oldest first
    related: tuple[Positions, ...]                          # each entry's related entries
    sources: tuple[str, ...]                                # each entry's source name
    events: tuple[Positions, ...]                           # events of several reports


def timeline_key(entry: Entry) -> tuple:
    """Return the sort key that puts entries in time order, ties broken stably."""
    return (entry.instant, entry.slug, entry.path)


def canonical_tag(name: str, aliases: Mapping[str, str]) -> str:
    """Return the tag name (in NFC) that name stands for under the site's tag aliases."""
    name = unicodedata.normalize("NFC", name)
    return unicodedata.normalize("NFC", aliases.get(tag_identity(name), name))


def count_tags(names: Iterable[str], aliases: Mapping[str, str]) -> int:
    """Return how many distinct tags the names stand for under the site's tag aliases."""
    return len({tag_identity(canonical_tag(name, aliases)) for name in names})


class TagNamer:
    """Maps tag names as written to their canonical names and identities, each worked out once."""

    def __init__(self, aliases: Mapping[str, str]):
        self.aliases = aliases
        self.known: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        """Return (canonical name, identity) of a tag as written."""
        found = self.known.get(name)
        if found is None:
            canonical = canonical_tag(name, self.aliases)
            found = self.known[name] = (canonical, tag_identity(canonical))
        return found


def _entry_tags(entries: Iterable[Entry], namer: TagNamer, max_tags: int
                ) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Return (entry path -> its tag slugs after aliasing, in order, one per tag identity, at
    most max_tags; tag slug -> display name, the most used spelling winning, ties to the one
    sorted first)."""
    known = namer.known    # a local name: this looks up some 75,000 tags per 10,000 entries
    spellings: Counter[tuple[str, str]] = Counter()      # (identity, canonical name)
    identities_of: dict[str, list[str]] = {}
    for entry in entries:
        first: dict[str, str] = {}                        # identity -> the entry's spelling
        for name in entry.tags:
            canonical, identity = known.get(name) or namer(name)
            first.setdefault(identity, canonical)
            if len(first) == max_tags:
                break
        spellings.update(first.items())
        identities_of[entry.path] = list(first)
    best: dict[str, tuple[int, str]] = {}
    for (identity, canonical), count in spellings.items():
        rank = (-count, canonical)
        if identity not in best or rank < best[identity]:
            best[identity] = rank
    slug_of = tag_slugs(best)
    return ({path: tuple([slug_of[i] for i in identities])
             for path, identities in identities_of.items()},
            {slug_of[identity]: canonical for identity, (_, canonical) in best.items()})


def _linked(entry: Entry, url: str, tag_links: tuple[tuple[str, str], ...], source: str) -> Entry:
    """Return a copy of entry with its URL, tag links and source name set.

    This is dataclasses.replace without the checks of __init__, twenty times faster: it runs
    for every entry of every build.
    """
    fields = entry.__dict__.copy()
    fields["url"] = url
    fields["tag_links"] = tag_links
    fields["source_name"] = source
    linked = object.__new__(Entry)
    object.__setattr__(linked, "__dict__", fields)   # Entry is frozen
    return linked


def _periods(entries: Sequence[Entry]) -> tuple[PeriodGroups, PeriodGroups, PeriodGroups]:
    """Return the years, months and days that have entries, each oldest first, as their
    (year, month, day) keys with zeros for the parts they have not, and their entries."""
    groups: tuple[dict[tuple[int, int, int], list[int]], ...] = ({}, {}, {})
    years, months, days = groups
    for position, entry in enumerate(entries):
        day = entry.date
        years.setdefault((day.year, 0, 0), []).append(position)
        months.setdefault((day.year, day.month, 0), []).append(position)
        days.setdefault((day.year, day.month, day.day), []).append(position)
    return tuple(tuple((key, tuple(items)) for key, items in sorted(by_key.items()))
                 for by_key in groups)


def _related(entries: Sequence[Entry], slugs_of: Mapping[str, tuple[str, ...]],
             members: Mapping[str, list[int]], count: int) -> RelatedPaths:
    """Return entry path -> the paths of entries sharing most tags with it, nearest in time first.

    members maps each tag to the positions of its entries in entries (ascending). Only the
    nearest few entries of each of an entry's rarest tags are candidates, which keeps this
    linear in the number of entries even when one tag is on every entry. Tag sets are bit masks
    and entries positions, so that scoring a candidate is a few integer operations.
    """
    bit = {slug: 1 << n for n, slug in enumerate(members)}
    masks = [sum(bit[slug] for slug in slugs_of[entry.path]) for entry in entries]
    times = [entry.instant.timestamp() for entry in entries]
    paths = [entry.path for entry in entries]
    half = RELATED_PER_TAG // 2
    related: RelatedPaths = {}
    for i, path in enumerate(paths):
        own, when = masks[i], times[i]
        rarest = sorted(slugs_of[path], key=lambda s: (len(members[s]), s))[:RELATED_TAGS]
        candidates: set[int] = set()
        for slug in rarest:
            items = members[slug]
            low = max(0, bisect_left(items, i) - half)
            candidates.update(items[low:low + RELATED_PER_TAG + 1])
        candidates.discard(i)
        # Sorting a few dozen candidates outright is faster than heapq.nsmallest, same result.
        best = sorted([(-(own & masks[j]).bit_count(), abs(times[j] - when), paths[j])
                       for j in candidates])[:count]
        related[path] = tuple([other for _, _, other in best])
    return related


def _related_digest(entries: Sequence[Entry], slugs_of: Mapping[str, tuple[str, ...]],
                    count: int) -> str:
    """Return a digest of everything _related reads: the entries in order, their times and tags."""
    return digest_of(RELATED_PER_TAG, RELATED_TAGS, count,
                     [(e.path, e.instant.timestamp(), slugs_of[e.path]) for e in entries])


def layout_site(entries: Iterable[Entry], config: Config,
                known_related: Mapping[str, RelatedPaths] | None = None
                ) -> tuple[Layout, dict[str, RelatedPaths]]:
    """Return where each of the given (non-draft) entries goes in the site under config, and
    the related entries and event comparisons worked out for it, under digests of what they
    depend on.

    known_related holds what an earlier build worked out, under its digests: a build that
    changed no dates or tags (a body or title edit) so skips the costliest part of the layout,
    and an edit compares texts again only on the days around it (see events.group_events).
    """
    ordered = sorted(entries, key=timeline_key)
    slugs_of, names = _entry_tags(ordered, TagNamer(config.tag_aliases), config.max_tags)
    base = config.base_path
    tag_links = {slug: (name, base + tag_path(slug).lstrip("/")) for slug, name in names.items()}
    members: dict[str, list[int]] = defaultdict(list)      # tag -> its entries' positions
    for i, entry in enumerate(ordered):
        for slug in slugs_of[entry.path]:
            members[slug].append(i)
    position = {entry.path: i for i, entry in enumerate(ordered)}
    tags = sorted(((names[slug], slug, tuple(items)) for slug, items in members.items()),
                  key=lambda tag: (tag[0].casefold(), tag[1]))
    key = _related_digest(ordered, slugs_of, config.related_count)
    related = (known_related or {}).get(key)
    if related is None or related.keys() != position.keys():   # a stored memo may not fit
        related = _related(ordered, slugs_of, members, config.related_count)
    events, event_memo = group_events(ordered, known_related)
    layout = Layout(
        order=tuple(position),
        urls=tuple([base + permalink_path(config.permalink, e.slug, e.date).lstrip("/")
                    for e in ordered]),
        tag_links=tuple([tuple([tag_links[slug] for slug in slugs_of[e.path]]) for e in ordered]),
        tags=tuple(tags),
        periods=_periods(ordered),
        related=tuple([tuple([position[p] for p in related[e.path]]) for e in ordered]),
        sources=tuple([e.source_name or source_name(e.source_url, config.sources)
                       for e in ordered]),
        events=tuple([tuple([position[p] for p in paths]) for paths in events]),
    )
    return layout, {key: related, **event_memo}


def assemble_site(entries: Iterable[Entry], layout: Layout) -> Site:
    """Return the Site of the entries that layout was made for (by path; bodies may differ)."""
    by_path = {entry.path: entry for entry in entries}
    if by_path.keys() != set(layout.order):
        raise ValueError("the layout was made for other entries")
    linked = [_linked(by_path[path], url, links, source) for path, url, links, source
              in zip(layout.order, layout.urls, layout.tag_links, layout.sources)]

    def pick(positions: Positions) -> tuple[Entry, ...]:
        return tuple([linked[i] for i in positions])

    years, months, days = (
        tuple(Period(kind, *key, entries=pick(positions)) for key, positions in groups)
        for kind, groups in zip(PERIOD_KINDS, layout.periods))
    last = len(linked) - 1
    events = [pick(positions) for positions in layout.events]
    return Site(
        entries=tuple(linked),
        tags=tuple(Tag(name, slug, pick(positions)) for name, slug, positions in layout.tags),
        years=years,
        months=months,
        days=days,
        previous={e.path: (linked[i - 1] if i else None) for i, e in enumerate(linked)},
        next={e.path: (linked[i + 1] if i < last else None) for i, e in enumerate(linked)},
        related={e.path: pick(positions) for e, positions in zip(linked, layout.related)},
        events={entry.path: reports for reports in events for entry in reports},
    )


def build_site(entries: Iterable[Entry], config: Config) -> Site:
    """Return the Site for the given (non-draft) entries under config (see layout_site)."""
    entries = list(entries)
    return assemble_site(entries, layout_site(entries, config)[0])
