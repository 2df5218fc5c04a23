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

from .countries import Recognizer, pair_key
from .events import event_start, group_events
from .records import Country, Entry, Period, Relation, Site, Tag
from ..core.config import Config
from ..core.countrydata import collation_key
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
PLACEMENT_RANK = {"year": 0, "month": 1, "day": 2}   # at one start, a year's entries come first


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
    countries: tuple[tuple[str, ...], ...] = ()             # each entry's country codes


def placement(entry: Entry) -> tuple[int, int, int]:
    """Return the (year, month, day) an entry is filed under, zeros for the parts its event
    date does not give: a month-precision event is under no day, a year-precision one under
    no month."""
    day = event_start(entry)
    precision = entry.event.precision if entry.event else "day"
    return (day.year, day.month if precision != "year" else 0,
            day.day if precision == "day" else 0)


def timeline_key(entry: Entry) -> tuple:
    """Return the sort key that puts entries in time order: by event, those placed in a year
    or month alone first in it (so that listings keep each heading's entries together), then
    by publication, ties broken stably."""
    precision = entry.event.precision if entry.event else "day"
    return (event_start(entry), PLACEMENT_RANK[precision], entry.instant, entry.slug, entry.path)


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


def _linked(entry: Entry, url: str, tag_links: tuple[tuple[str, str], ...],
            countries: tuple[str, ...], source: str) -> Entry:
    """Return a copy of entry with its URL, tag links, countries and source name set.

    This is dataclasses.replace without the checks of __init__, twenty times faster: it runs
    for every entry of every build.
    """
    fields = entry.__dict__.copy()
    fields["url"] = url
    fields["tag_links"] = tag_links
    fields["countries"] = countries
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
        year, month, day = placement(entry)
        years.setdefault((year, 0, 0), []).append(position)
        if month:
            months.setdefault((year, month, 0), []).append(position)
        if day:
            days.setdefault((year, month, day), []).append(position)
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


def _entry_countries(entries: Sequence[Entry], tag_names: Mapping[str, Sequence[str]],
                     recognizer: Recognizer | None) -> tuple[tuple[str, ...], ...]:
    """Return each entry's country codes: its front matter's, else those recognised from its
    tags (as the site names them) and its dateline, else none."""
    if recognizer is None:
        return tuple([entry.countries for entry in entries])
    return tuple([entry.countries or recognizer.countries(tag_names[entry.path], entry.dateline)
                  for entry in entries])


def layout_site(entries: Iterable[Entry], config: Config,
                known_related: Mapping[str, RelatedPaths] | None = None,
                recognizer: Recognizer | None = None
                ) -> tuple[Layout, dict[str, RelatedPaths]]:
    """Return where each of the given (non-draft) entries goes in the site under config, and
    the related entries and event comparisons worked out for it, under digests of what they
    depend on.

    known_related holds what an earlier build worked out, under its digests: a build that
    changed no dates or tags (a body or title edit) so skips the costliest part of the layout,
    and an edit compares texts again only on the days around it (see events.group_events).
    recognizer finds the countries of entries whose front matter names none (None: no
    recognition).
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
        countries=_entry_countries(
            ordered, {path: [names[slug] for slug in slugs] for path, slugs in slugs_of.items()},
            recognizer),
        sources=tuple([e.source_name or source_name(e.source_url, config.sources)
                       for e in ordered]),
        events=tuple([tuple([position[p] for p in paths]) for paths in events]),
    )
    return layout, {key: related, **event_memo}


def _country_groups(countries: Sequence[tuple[str, ...]]
                    ) -> tuple[dict[str, list[int]], dict[tuple[str, str], list[int]]]:
    """Return code -> the positions of its entries, and pair of codes -> the positions of
    the entries involving both, each ascending."""
    by_code: dict[str, list[int]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, codes in enumerate(countries):
        for i, code in enumerate(codes):
            by_code[code].append(position)
            for other in codes[i + 1:]:
                by_pair[pair_key(code, other)].append(position)
    return by_code, by_pair


def assemble_site(entries: Iterable[Entry], layout: Layout,
                  country_names: Mapping[str, str] | None = None) -> Site:
    """Return the Site of the entries that layout was made for (by path; bodies may differ);
    countries are named by country_names (code -> name), else by their codes."""
    by_path = {entry.path: entry for entry in entries}
    if by_path.keys() != set(layout.order):
        raise ValueError("the layout was made for other entries")
    countries = layout.countries or ((),) * len(layout.order)
    linked = [_linked(by_path[path], url, links, codes, source)
              for path, url, links, codes, source
              in zip(layout.order, layout.urls, layout.tag_links, countries, layout.sources)]

    def pick(positions: Positions) -> tuple[Entry, ...]:
        return tuple([linked[i] for i in positions])

    years, months, days = (
        tuple(Period(kind, *key, entries=pick(positions)) for key, positions in groups)
        for kind, groups in zip(PERIOD_KINDS, layout.periods))
    last = len(linked) - 1
    names = country_names or {}
    by_code, by_pair = _country_groups(countries)
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
        countries=tuple(sorted((Country(code, names.get(code, code), pick(positions))
                                for code, positions in by_code.items()),
                               key=lambda c: (collation_key(c.name), c.code))),
        relations=tuple(Relation(codes, pick(positions)) for codes, positions in
                        sorted(by_pair.items(), key=lambda item: (-len(item[1]), item[0]))),
        events={entry.path: reports for reports in events for entry in reports},
    )


def build_site(entries: Iterable[Entry], config: Config, recognizer: Recognizer | None = None,
               country_names: Mapping[str, str] | None = None) -> Site:
    """Return the Site for the given (non-draft) entries under config (see layout_site)."""
    entries = list(entries)
    return assemble_site(entries, layout_site(entries, config, recognizer=recognizer)[0],
                         country_names)
