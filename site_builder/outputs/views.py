"""Views: what each kind of output is made from, as frozen plain values; pure.

A template receives its page's view (as names: `page`, `entry`, `groups`, …) and the site's view
(`site`), and nothing else. A data file's maker receives its view. So an output's bytes depend on
its view, its template and the config alone, and the key an incremental build compares is a
digest of the view: nothing a template can reach is left out of it (see `view_digest`).

Neighbours, listed entries and related entries are `EntrySummary` records: the front matter and
URLs of an entry, never its body, so that a body edit reaches only the outputs that show bodies.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

from ..core.digests import digest_text
from ..core.eventdates import EventDate
from ..model.records import Entry
from .overview import Overview


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link."""

    label: str
    url: str
    dates: str = ""         # a pager's link: the dates its page holds, 'Mar 2023 – Jan 2023'


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What every page is and where: seen by templates as `page`."""

    kind: str               # 'home', 'entry', 'tag', 'year', 'month', 'day', 'tags', 'archive', …
    title: str
    url: str                # root-relative, with the base path
    canonical: str          # absolute
    description: str = ""
    feed_url: str = ""      # the page's own Atom feed, when it has one


@dataclass(frozen=True, slots=True)
class Report:
    """One report of an event, as listings and entry pages name it."""

    title: str
    url: str
    date: datetime.date
    source_name: str


@dataclass(frozen=True)
class EntrySummary:
    """What listings, neighbours and the machine-readable files show of an entry: all but its body.

    A summary is in about ten views, so its digest is made once, when it is made (see
    view_digest): the build's forked workers share it rather than each making it again.
    """

    path: str
    title: str
    slug: str
    url: str
    date: datetime.date
    instant: datetime.datetime
    lead: str
    summary: str
    tags: tuple[str, ...]
    tag_links: tuple[tuple[str, str], ...]
    source_name: str
    source_url: str
    dateline: str
    params: Mapping[str, Any]
    event: EventDate | None = None
    event_date_inferred: str = ""
    countries: tuple[str, ...] = ()
    reports: tuple[Report, ...] = ()    # every report of its event, when it has several

    def __post_init__(self) -> None:
        """Work out the summary's digest: the digest of its repr, which shows every field."""
        self.__dict__["digest"] = digest_text(repr(self))   # a frozen instance's memo, no field


def summarize(entry: Entry, reports: tuple[Report, ...] = ()) -> EntrySummary:
    """Return the summary of an entry, with the reports of its event."""
    return EntrySummary(entry.path, entry.title, entry.slug, entry.url, entry.date, entry.instant,
                        entry.lead, entry.summary, entry.tags, entry.tag_links, entry.source_name,
                        entry.source_url, entry.dateline, entry.params, entry.event,
                        entry.event_date_inferred, entry.countries, reports)


def report_of(entry: Entry) -> Report:
    """Return how an entry is named as one report of its event."""
    return Report(entry.title, entry.url, entry.date, entry.source_name)


@dataclass(frozen=True, slots=True)
class TagRef:
    """A tag as pages show it."""

    name: str
    slug: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class CountryRef:
    """A country as pages show it: its flag is two regional indicator characters."""

    code: str
    name: str
    flag: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class RelationRef:
    """A pair of countries as pages show it; url is None when the pair has no page."""

    countries: tuple[CountryRef, CountryRef]
    url: str | None
    count: int

    @property
    def label(self) -> str:
        """Return the pair's name: 'China – Russia'."""
        return f"{self.countries[0].name} – {self.countries[1].name}"


@dataclass(frozen=True, slots=True)
class PeriodRef:
    """A year, month or day as pages show it."""

    kind: str               # 'year', 'month' or 'day'
    year: int
    month: int
    day: int
    label: str              # '2022', 'December 2022', '31 December 2022'
    url: str


@dataclass(frozen=True, slots=True)
class MonthGroup:
    """A month heading in a listing and the entries under it."""

    label: str
    url: str
    anchor: str
    entries: tuple[EntrySummary, ...]


@dataclass(frozen=True, slots=True)
class YearGroup:
    """A year heading in a listing and its months."""

    year: int
    url: str
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True, slots=True)
class Pagination:
    """Where a page sits among the pages of a listing."""

    number: int
    total: int
    previous_url: str | None
    next_url: str | None
    links: tuple[Link | None, ...]   # None stands for a gap ("…")
    previous_dates: str = ""         # the dates the previous and next pages hold
    next_dates: str = ""


# --- the views of pages: one per kind, each rendered by the template named beside it ----------

@dataclass(frozen=True, slots=True)
class SiteView:
    """What every template sees as `site`."""

    title: str
    description: str
    language: str
    sort: str
    base_path: str
    home_url: str
    tags_url: str
    countries_url: str
    relations_url: str
    archive_url: str
    search_url: str
    feed_url: str
    timeline_json_url: str
    filter_index_url: str
    assets: Mapping[str, str]          # static file name -> its URL, with a content hash
    years: tuple[Link, ...]
    search: bool
    direction: str = "ltr"             # 'rtl' for a language written right to left


@dataclass(frozen=True, slots=True)
class ListingPage:
    """list.html: a page of the home timeline or of a tag's timeline."""

    page: PageInfo
    heading: str
    count: int                          # entries in the whole listing, not on this page
    groups: tuple[YearGroup, ...]
    pagination: Pagination
    overview: Overview | None           # months on the first page, the years alone after it
    tag: TagRef | None = None
    events: int = 0                     # the events the listing's entries report (the home's)


@dataclass(frozen=True, slots=True)
class PeriodPage:
    """period.html: a page of a year, month or day archive."""

    page: PageInfo
    heading: str
    count: int
    groups: tuple[YearGroup, ...]
    pagination: Pagination
    period: PeriodRef
    up: tuple[Link, ...]                # the year (and month) above it
    previous: Link | None
    next: Link | None
    children: tuple[tuple[Link, int], ...]   # its months or days, with their counts


@dataclass(frozen=True, slots=True)
class EntryPage:
    """entry.html: one entry, whole, with its neighbours and related entries."""

    page: PageInfo
    entry: Entry
    previous: EntrySummary | None
    next: EntrySummary | None
    related: tuple[EntrySummary, ...]
    day_url: str
    month_url: str
    year_url: str
    countries: tuple[CountryRef, ...] = ()
    relations: tuple[RelationRef, ...] = ()    # the entry's pairs that have pages
    also_reported: tuple[Report, ...] = ()   # the other reports of its event
    event_id: str = ""    # the URL of its event's primary report: unique, where slugs may repeat


@dataclass(frozen=True, slots=True)
class IndexSection:
    """A run of an index page's rows: those under one initial letter, or all (letter '')."""

    letter: str
    anchor: str             # the section's fragment id, '' without a letter
    rows: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class DayPointerPage:
    """day.html: a day with one entry, which sends the reader to that entry."""

    page: PageInfo                      # canonical: the entry's own address
    entry: EntrySummary
    up: tuple[Link, ...]                # its year and month
    previous: Link | None = None        # the neighbouring days that have entries
    next: Link | None = None


@dataclass(frozen=True, slots=True)
class TagsPage:
    """tags.html: every tag in one order, by name under initial letters or by number of
    entries, with a link to the other order's page."""

    page: PageInfo
    sections: tuple[IndexSection, ...]
    count: int
    other_order_url: str


@dataclass(frozen=True, slots=True)
class CountriesPage:
    """countries.html: every country in one order, as TagsPage."""

    page: PageInfo
    sections: tuple[IndexSection, ...]
    count: int
    other_order_url: str


@dataclass(frozen=True, slots=True)
class CountryPage:
    """country.html: a page of a country's timeline, with its most frequent partners."""

    page: PageInfo
    country: CountryRef
    count: int
    groups: tuple[YearGroup, ...]
    pagination: Pagination
    overview: Overview | None
    partners: tuple[RelationRef, ...]        # first page only


@dataclass(frozen=True, slots=True)
class RelationsPage:
    """relations.html: every pair of countries with a page, by number of shared entries."""

    page: PageInfo
    relations: tuple[RelationRef, ...]
    relation_min: int
    unlisted: int                            # pairs with fewer shared entries than relation_min


@dataclass(frozen=True, slots=True)
class RelationPage:
    """relation.html: a page of the timeline of the entries involving both countries."""

    page: PageInfo
    relation: RelationRef
    count: int
    groups: tuple[YearGroup, ...]
    pagination: Pagination
    overview: Overview | None


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """archive.html: every year with its months, and their counts."""

    page: PageInfo
    years: tuple[tuple[Link, int, tuple[tuple[Link, int, str], ...]], ...]   # month: name too


@dataclass(frozen=True, slots=True)
class PlainPage:
    """404.html: a page that shows nothing of the entries."""

    page: PageInfo


@dataclass(frozen=True, slots=True)
class SearchPage:
    """search.html: the values of its tag, country and year lists (as the search index's facets
    name them), each with its number of entries, so the lists need no download."""

    page: PageInfo
    tag_values: tuple[tuple[str, int], ...]
    country_values: tuple[tuple[str, int], ...]
    year_values: tuple[tuple[str, int], ...]        # newest first


# --- the views of data files -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeedView:
    """An Atom feed: the site's (whole entries) or a tag's (summaries)."""

    title: str
    feed_url: str
    page_url: str
    entries: tuple[Entry | EntrySummary, ...]
    full_content: bool


@dataclass(frozen=True, slots=True)
class TimelineView:
    """timeline.json: every entry for TimelineJS."""

    title: str
    description: str
    entries: tuple[EntrySummary, ...]
    country_names: tuple[tuple[str, str], ...] = ()   # (code, name) of the site's countries


@dataclass(frozen=True, slots=True)
class FilterView:
    """filter/index.json: the timeline filter's facets, entries in listing order."""

    entries: tuple[EntrySummary, ...]
    tags: tuple[TagRef, ...]
    base_path: str
    countries: tuple[CountryRef, ...] = ()      # by name
    relations: tuple[RelationRef, ...] = ()     # every pair of the site, pages or not


@dataclass(frozen=True, slots=True)
class FilterChunkView:
    """filter/entries-K.json: the entries at some positions of the listing order."""

    entries: tuple[EntrySummary, ...]
    base_path: str


@dataclass(frozen=True, slots=True)
class SitemapView:
    """The sitemap files: every page's absolute URL and the day it last changed."""

    urls: tuple[tuple[str, datetime.date | None], ...]
    site_url: str


@dataclass(frozen=True, slots=True)
class FileView:
    """A file whose bytes are given: a static file, the small files GitHub Pages wants."""

    name: str
    data: bytes


def context(view: Any) -> dict[str, Any]:
    """Return the names a template receives from a page's view: its fields."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


def view_digest(view: Any) -> str:
    """Return a digest of every value a view holds, nested records included.

    It digests the view's repr, which for these frozen records shows every field, but with each
    summary's digest in place of the summary's repr, and fed to the hash a piece at a time: a
    listing of thousands of entries never becomes one string.
    """
    text = _ViewText()
    text.add(view)
    text.flush()
    return text.hasher.hexdigest()


class _ViewText:
    """The text view_digest digests, fed to a hash in batches of pieces as it is made."""

    BATCH = 2048     # pieces joined before they go to the hash

    def __init__(self) -> None:
        self.hasher = hashlib.blake2b(digest_size=16)
        self.pieces: list[str] = []

    def flush(self) -> None:
        """Feed the pieces made so far to the hash."""
        self.hasher.update("".join(self.pieces).encode("utf-8", "surrogatepass"))
        self.pieces.clear()

    def add(self, value: Any) -> None:
        """Add the text of a value: its repr, a summary's digest in place of the summary's."""
        pieces, kind = self.pieces, type(value)
        if kind is EntrySummary:
            pieces.append(f"EntrySummary#{value.digest}")
        elif kind is tuple:
            pieces.append("(")
            for item in value:
                self.add(item)
                pieces.append(",")
                if len(pieces) >= self.BATCH:
                    self.flush()
            pieces.append(")")
        elif hasattr(kind, "__dataclass_fields__"):
            pieces.append(kind.__qualname__ + "(")
            for name in _shown_fields(kind):
                pieces.append(name + "=")
                self.add(getattr(value, name))
                pieces.append(",")
            pieces.append(")")
        else:
            pieces.append(repr(value))


@functools.cache
def _shown_fields(kind: type) -> tuple[str, ...]:
    """Return the names of the fields a dataclass's repr shows."""
    return tuple(f.name for f in dataclasses.fields(kind) if f.repr)
