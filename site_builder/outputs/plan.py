"""The plan: every output of the site, each with its view, known before anything renders; pure.

A page output is a template and a view (site_builder/views.py); a data output is a view and the
function that makes its bytes from it. The view is all an output's bytes depend on besides its
template and the config, so an incremental build compares digests of views to decide what to
render. Views are made here; `Planner.outputs()` reads as the list of the site's page kinds.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterator, Sequence

from . import feeds, filterindex, sitemap, timelinejs
from .countrypages import CountryPages
from ..core.config import Config
from .dates import period_label
from .descriptions import entry_description
from .indexes import by_count, by_letter
from ..core.errors import SitegenError
from ..core.i18n import ENGLISH, Language
from ..model.records import Entry, Period, Site
from ..model.site import placement
from ..core.urls import (ARCHIVE_PATH, CNAME_PATH, FEED_PATH, FILTER_INDEX_PATH, NOJEKYLL_PATH,
                   NOT_FOUND_PATH, OWNER_MARKER, ROBOTS_PATH, SEARCH_BUNDLE_DIR, SEARCH_PATH,
                   SITEMAP_PATH, TAGS_BY_COUNT_PATH, TAGS_PATH, TIMELINE_JSON_PATH, home_path,
                   is_safe_relative,
                   filter_chunk_path, output_file, period_page_path, period_path, sitemap_part_path, tag_feed_path,
                   tag_path)
from .overview import Overview, build_overview, first_pages, page_ranges, years_only
from .views import (ArchivePage, DayPointerPage, EntryPage, EntrySummary, FeedView, FileView,
                    FilterChunkView, FilterView, Link, ListingPage, MonthGroup, PageInfo, Pagination,
                    PeriodPage, PeriodRef, PlainPage, Report, SearchPage, SitemapView, TagRef,
                    TagsPage,
                    TimelineView, YearGroup, report_of, summarize)

SITE_FEED_LIMIT = 50
LISTING_FEED_LIMIT = 10   # entries in the feed of a tag, country or relation
OWNER_NOTE = b"This folder is a site built by sitegen: each build replaces its files.\n"


class OutputClash(SitegenError):
    """Two sources of the site would write the same output file."""


@dataclass(frozen=True, slots=True)
class PageOutput:
    """An HTML page: template rendered with the names of view (see views.context)."""

    path: str
    template: str
    view: Any
    source: str
    lastmod: datetime.date | None = None
    in_sitemap: bool = True     # False: a page that only points elsewhere (a one-entry day)


@dataclass(frozen=True, slots=True)
class DataOutput:
    """A non-HTML file whose bytes make(view) returns."""

    path: str
    view: Any
    make: Callable[[Any], bytes]
    source: str


Output = PageOutput | DataOutput


@functools.lru_cache(maxsize=1 << 16)
def period_url(base: str, year: int, month: int = 0, day: int = 0) -> str:
    """Return the URL of a year's, month's or day's archive, made once: thousands of views
    link each."""
    return base + period_path(year, month, day).lstrip("/")


def month_group(year: int, month: int, base: str, entries: tuple[EntrySummary, ...],
                language: Language = ENGLISH) -> MonthGroup:
    """Return the heading of a month (month 0: of the entries placed in a year only)."""
    if not month:
        return MonthGroup(language.gettext("During %(year)s") % {"year": year},
                          period_url(base, year), f"m{year:04d}-00", entries)
    return MonthGroup(language.month_label(year, month), period_url(base, year, month),
                      f"m{year:04d}-{month:02d}", entries)


def group_entries(entries: Sequence[EntrySummary], base: str, language: Language = ENGLISH
                  ) -> tuple[YearGroup, ...]:
    """Return entries grouped under year and month headings by where they are placed in time,
    keeping their order (the timeline order keeps each month's entries together)."""
    years: list[YearGroup] = []
    last_month = None
    for entry in entries:
        year_number, month_number, _ = placement(entry)
        if not years or years[-1].year != year_number:
            years.append(YearGroup(year_number, period_url(base, year_number), ()))
            last_month = None
        year = years[-1]
        months = year.months
        if last_month != month_number:
            last_month = month_number
            months += (month_group(year_number, month_number, base, (entry,), language),)
        else:
            last = months[-1]
            months = months[:-1] + (MonthGroup(last.label, last.url, last.anchor,
                                               last.entries + (entry,)),)
        years[-1] = YearGroup(year.year, year.url, months)
    return tuple(years)


def by_publication(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """Return entries in the order they were published (feeds announce what is new, whenever
    it happened)."""
    return tuple(sorted(entries, key=lambda e: (e.instant, e.slug, e.path)))


def paginate(count: int, size: int) -> int:
    """Return how many pages count items fill (at least one)."""
    return max(1, -(-count // size))


def pagination(number: int, total: int, link_of: Callable[[int], Link]) -> Pagination:
    """Return the pagination of page number of total: neighbours, ends, and gaps; link_of(page)
    returns the link to a page, with the dates it holds (the pages of a listing share theirs)."""
    shown = sorted({1, total, *range(max(1, number - 2), min(total, number + 2) + 1)})
    links: list[Link | None] = []
    for index, page in enumerate(shown):
        if index and page != shown[index - 1] + 1:
            links.append(None)
        links.append(link_of(page))
    previous = link_of(number - 1) if number > 1 else None
    following = link_of(number + 1) if number < total else None
    return Pagination(
        number=number,
        total=total,
        previous_url=previous.url if previous else None,
        next_url=following.url if following else None,
        links=tuple(links),
        previous_dates=previous.dates if previous else "",
        next_dates=following.dates if following else "",
    )


def entry_file(entry: Entry, base_path: str) -> str:
    """Return the output file of an entry's page."""
    return output_file(entry.url[len(base_path) - 1:])


class Planner(CountryPages):
    """Makes the outputs of one site and their views; one method per kind of page."""

    def __init__(self, site: Site, config: Config, language: Language = ENGLISH):
        self.site = site
        self.config = config
        self.language = language
        self.base = config.base_path
        self.newest_first = config.sort == "newest"
        self.summaries: dict[str, EntrySummary] = {}   # entry path -> summary, made when first asked

    def outputs(self) -> Iterator[Output]:
        """Yield every output of the site but the sitemap."""
        yield from self.listing_pages(self.event_leads(), "home", self.config.title, home_path,
                                      feed_url=self.url(FEED_PATH), source="home",
                                      reports=len(self.site.entries))
        for entry in self.site.entries:
            yield self.entry_page(entry)
        yield from self.tag_pages()
        yield from self.country_pages()
        yield from self.relation_pages()
        yield from self.period_pages()
        yield self.archive_page()
        yield self.search_page()
        yield self.plain_page("404", self.language.gettext("Page not found"), NOT_FOUND_PATH)
        yield from self.data_files()

    def body_outputs(self, paths: Collection[str]) -> list[Output]:
        """Return the outputs whose views hold the bodies of the entries at paths: their pages
        and the site feed.

        No other view holds an entry's body (views hold summaries; tests/test_plan.py checks
        it), so a build in which nothing but bodies changed need look at no other output.
        """
        pages = [self.entry_page(entry) for entry in self.site.entries if entry.path in paths]
        return pages + [self.site_feed()]

    # --- helpers every page kind uses ---------------------------------------------------------

    def url(self, path: str) -> str:
        """Return the root-relative URL (with base path) of a site path."""
        return self.base + path.lstrip("/")

    def display(self, entries: Sequence[Entry]) -> Sequence[Entry]:
        """Return entries in the order listings show them."""
        return entries[::-1] if self.newest_first else entries

    def summary(self, entry: Entry) -> EntrySummary:
        """Return the summary of an entry, made once (a build that replans a body edit needs
        only a few)."""
        found = self.summaries.get(entry.path)
        if found is None:
            found = self.summaries[entry.path] = summarize(entry, self.reports(entry))
        return found

    def reports(self, entry: Entry) -> tuple[Report, ...]:
        """Return every report of an entry's event, the primary first ((): it has one)."""
        return tuple([report_of(other) for other in self.site.events.get(entry.path, ())])

    def event_leads(self) -> list[Entry]:
        """Return the entries the timeline shows: each event's primary report, in time order."""
        events = self.site.events
        return [entry for entry in self.site.entries
                if entry.path not in events or events[entry.path][0].path == entry.path]

    def summarized(self, entries: Sequence[Entry]) -> tuple[EntrySummary, ...]:
        """Return the summaries of entries, in order."""
        known = self.summaries.get   # a local name: this runs for some 200,000 entries per build
        return tuple([known(entry.path) or self.summary(entry) for entry in entries])

    @functools.cached_property
    def tag_refs(self) -> tuple[TagRef, ...]:
        """Return every tag as pages show it, in the site's order of tags."""
        return tuple(TagRef(t.name, t.slug, self.url(tag_path(t.slug)), len(t.entries))
                     for t in self.site.tags)

    @functools.cached_property
    def listed_days(self) -> frozenset[tuple[int, int, int]]:
        """Return the days whose page lists their entries: those with more than one (a day
        with one is a page pointing to it, which its entry's page does not link)."""
        return frozenset(day.key for day in self.site.days if len(day.entries) > 1)

    def numbered(self, title: str, number: int) -> str:
        """Return the title of a listing's page: 'Tags', then 'Tags (page 2)'."""
        return title if number == 1 else \
            self.language.gettext("%(title)s (page %(number)s)") % {"title": title, "number": number}

    def page(self, kind: str, title: str, path: str, description: str = "",
             feed_url: str = "") -> PageInfo:
        """Return what every page has: what it is and where."""
        url = self.url(path)
        return PageInfo(kind, title, url, self.config.site_url + url[len(self.base):],
                        description, feed_url)

    # --- page kinds ---------------------------------------------------------------------------

    def listing_pages(self, entries: Sequence[Entry], kind: str, heading: str,
                      path_of: Callable[[int], str], feed_url: str, source: str,
                      tag: TagRef | None = None, reports: int = 0) -> Iterator[PageOutput]:
        """Yield the paginated timeline pages of entries (home or a tag), each with the
        overview (its months on the first page only). The home lists events (their primary
        reports), of reports in all, and its overview leads to the archives, counting the
        entries they list; a tag's leads into its own pages."""
        for number, chunk, pager, overview in self.listing(entries, path_of,
                                                           own_pages=tag is not None):
            title = self.numbered(heading, number)
            view = ListingPage(
                page=self.page(kind, title, path_of(number), feed_url=feed_url),
                heading=heading, count=reports or len(entries),
                groups=group_entries(chunk, self.base, self.language), pagination=pager,
                overview=overview, tag=tag, events=len(entries))
            yield PageOutput(output_file(path_of(number)), "list.html", view,
                             f"{source} page {number}", lastmod=self.lastmod(chunk))

    def listing(self, entries: Sequence[Entry], path_of: Callable[[int], str],
                own_pages: bool = True, by_day: bool = False, with_overview: bool = True
                ) -> Iterator[tuple[int, tuple[EntrySummary, ...], Pagination, Overview | None]]:
        """Yield (page number, the page's entries, its pagination, its overview) of a listing
        whose page number is at path_of(number): the overview's links lead to the listing's
        own pages (own_pages) or to the site's archives, counting every entry as they do (None
        without with_overview); by_day labels pages by days."""
        shown = self.summarized(self.display(entries))
        placed = [placement(entry) for entry in shown]
        size = self.config.page_size
        total = paginate(len(shown), size)
        ranges = page_ranges(placed, size, by_day, self.language)
        overview = None
        if with_overview:
            overview = self.overview(placed, path_of) if own_pages else \
                self.overview([placement(e) for e in self.display(self.site.entries)], None)
        jump = years_only(overview)
        # Each page's pagination links most pages of the listing: their links are made once.
        page_link = functools.cache(lambda n: Link(str(n), self.url(path_of(n)),
                                                   ranges[n - 1] if n <= len(ranges) else ""))
        for number in range(1, total + 1):
            yield number, shown[(number - 1) * size: number * size], \
                pagination(number, total, page_link), \
                overview if number == 1 else jump

    def overview(self, placed: Sequence[tuple[int, int, int]],
                 path_of: Callable[[int], str] | None) -> Overview | None:
        """Return the overview of a listing placed so: its links lead to the page of path_of
        holding each year or month, at its heading, or (None) to the site's archives."""
        if path_of is None:
            return build_overview(placed, self.newest_first,
                                  lambda year: period_url(self.base, year),
                                  lambda year, month: period_url(self.base, year, month),
                                  self.language)
        pages = first_pages(placed, self.config.page_size)
        return build_overview(
            placed, self.newest_first,
            lambda year: self.url(path_of(pages[(year, 0)])) + f"#y{year}",
            lambda year, month: self.url(path_of(pages[(year, month)])) + f"#m{year:04d}-{month:02d}",
            self.language)

    @staticmethod
    def lastmod(chunk: Sequence[EntrySummary], default: datetime.date | None = None
                ) -> datetime.date | None:
        """Return the day a listing page last changed: its newest entry's, or default."""
        return max((e.date for e in chunk), default=default)

    def entry_page(self, entry: Entry) -> PageOutput:
        """Return the page of one entry."""
        site = self.site
        year, month, day = placement(entry)
        previous, following = site.previous[entry.path], site.next[entry.path]
        countries, relations = self.entry_countries(entry)
        view = EntryPage(
            page=self.page("entry", entry.title, entry.url[len(self.base) - 1:],
                           description=entry_description(entry)),
            entry=entry,
            previous=previous and self.summary(previous),
            next=following and self.summary(following),
            related=self.summarized(site.related[entry.path]),
            day_url=period_url(self.base, year, month, day)
            if (year, month, day) in self.listed_days else "",
            month_url=period_url(self.base, year, month) if month else "",
            year_url=period_url(self.base, year),
            countries=countries, relations=relations,
            also_reported=tuple([r for r in self.reports(entry) if r.url != entry.url]),
            event_id=site.events.get(entry.path, (entry,))[0].url)
        return PageOutput(entry_file(entry, self.base), "entry.html", view, entry.path,
                          lastmod=entry.date)

    def tag_pages(self) -> Iterator[Output]:
        """Yield the tag index (by name, and by number of entries), each tag's timeline pages
        and each tag's feed."""
        refs = self.tag_refs
        name, count = (lambda r: r.name), (lambda r: r.count)
        gettext = self.language.gettext
        for path, title, sections, other in (
                (TAGS_PATH, gettext("Tags"), by_letter(refs, name), TAGS_BY_COUNT_PATH),
                (TAGS_BY_COUNT_PATH, gettext("Tags by number of entries"), by_count(refs, name, count),
                 TAGS_PATH)):
            view = TagsPage(self.page("tags", title, path), sections, len(refs), self.url(other))
            yield PageOutput(output_file(path), "tags.html", view, f"tag index ({title})")
        for tag, ref in zip(self.site.tags, refs):
            feed_path = tag_feed_path(tag.slug)
            yield from self.listing_pages(
                tag.entries, "tag", tag.name, functools.partial(tag_path, tag.slug),
                feed_url=self.url(feed_path), source=f"tag '{tag.name}'", tag=ref)
            yield self.listing_feed(tag.entries, tag.name, feed_path, ref.url,
                                    f"feed of tag '{tag.name}'")

    def listing_feed(self, entries: Sequence[Entry], name: str, feed_path: str, page_url: str,
                     source: str) -> DataOutput:
        """Return the Atom feed of a listing (a tag, country or relation): its newest entries
        by publication, as summaries."""
        published = by_publication(entries)
        newest = published[::-1][:LISTING_FEED_LIMIT] if self.newest_first \
            else published[-LISTING_FEED_LIMIT:]
        feed = FeedView(f"{self.config.title}: {name}", self.url(feed_path), page_url,
                        self.summarized(newest), full_content=False)
        return DataOutput(output_file(feed_path), feed, self.make_feed, source)

    def period_pages(self) -> Iterator[PageOutput]:
        """Yield the year, month and day archives, each paginated like the timeline."""
        children: dict[tuple, list[Period]] = defaultdict(list)
        for month in self.site.months:
            children[(month.year, 0, 0)].append(month)
        for day in self.site.days:
            children[(day.year, day.month, 0)].append(day)
        for periods in (self.site.years, self.site.months, self.site.days):
            for index, period in enumerate(periods):
                yield from self.period_page(period, periods, index, children.get(period.key, ()))

    def child_label(self, period: Period) -> str:
        """Return how a year's month or a month's day is named under its heading."""
        if period.kind == "month":
            return self.language.month_name(period.month)
        return self.language.short_date(datetime.date(period.year, period.month, period.day))

    def period_link(self, period: Period) -> Link:
        """Return a link to a period's archive."""
        return Link(period_label(period, self.language), period_url(self.base, *period.key))

    def period_page(self, period: Period, siblings: Sequence[Period], index: int,
                    inside: Sequence[Period]) -> Iterator[PageOutput]:
        """Yield the archive pages of one year, month or day (a day with one entry: the page
        that points to it)."""
        up = []
        if period.kind in ("month", "day"):
            up.append(Link(str(period.year), period_url(self.base, period.year)))
        if period.kind == "day":
            up.append(Link(self.language.month_label(period.year, period.month),
                           period_url(self.base, period.year, period.month)))
        label = period_label(period, self.language)
        ref = PeriodRef(period.kind, period.year, period.month, period.day, label,
                        period_url(self.base, *period.key))
        previous = self.period_link(siblings[index - 1]) if index else None
        following = self.period_link(siblings[index + 1]) if index + 1 < len(siblings) else None
        # Under its year's or month's heading a child needs no year: 'March', '31 Mar'.
        children = tuple((Link(self.child_label(c), period_url(self.base, *c.key)),
                          len(c.entries)) for c in inside)
        if period.kind == "day" and len(period.entries) == 1:
            yield self.day_pointer(period, label, tuple(up), previous, following)
            return
        # A year lists its entries after its months, under month headings; entries placed
        # in the year alone come first or last, as in every listing.
        path_of = functools.partial(period_page_path, *period.key)
        newest = max(e.date for e in period.entries)
        for number, chunk, pager, _ in self.listing(period.entries, path_of, with_overview=False,
                                                    by_day=period.kind != "year"):
            title = self.numbered(label, number)
            view = PeriodPage(
                page=self.page(period.kind, title, path_of(number), feed_url=self.url(FEED_PATH)),
                heading=label, count=len(period.entries),
                groups=group_entries(chunk, self.base, self.language), pagination=pager, period=ref,
                up=tuple(up), previous=previous, next=following, children=children)
            yield PageOutput(output_file(path_of(number)), "period.html", view,
                             f"{period.kind} archive {label} page {number}",
                             lastmod=self.lastmod(chunk, newest))

    def day_pointer(self, day: Period, label: str, up: tuple[Link, ...], previous: Link | None,
                    following: Link | None) -> PageOutput:
        """Return the page of a day with one entry: it points to the entry (its canonical
        address), stays out of the sitemap and tells search engines not to index it."""
        entry = self.summary(day.entries[0])
        path = period_path(*day.key)
        info = self.page("day", label, path, description=entry.lead)
        view = DayPointerPage(dataclasses.replace(
            info, canonical=self.config.site_url + entry.url[len(self.base):]), entry, up,
            previous, following)
        return PageOutput(output_file(path), "day.html", view, f"day archive {label}",
                          lastmod=entry.date, in_sitemap=False)

    def archive_page(self) -> PageOutput:
        """Return /archive/: every year and month, with counts."""
        years = []
        for year in reversed(self.site.years) if self.newest_first else self.site.years:
            months = tuple((self.period_link(m), len(m.entries),
                            self.language.month_name(m.month))
                           for m in self.site.months if m.year == year.year)
            years.append((self.period_link(year), len(year.entries), months))
        view = ArchivePage(self.page("archive", self.language.gettext("Archive"), ARCHIVE_PATH),
                           tuple(years))
        return PageOutput(output_file(ARCHIVE_PATH), "archive.html", view, "archive page")

    def search_page(self) -> PageOutput:
        """Return the search page, its lists holding every tag, country and year with its
        entries (a year as the search index has it: the year of publication)."""
        by_name = lambda values: tuple(sorted(values, key=lambda value: value[0].casefold()))
        years = Counter(str(entry.date.year) for entry in self.site.entries)
        view = SearchPage(self.page("search", self.language.gettext("Search"), SEARCH_PATH),
                          by_name((t.name, t.count) for t in self.tag_refs),
                          by_name((c.name, c.count) for c in self.country_refs.values()),
                          tuple(sorted(years.items(), reverse=True)))
        return PageOutput(output_file(SEARCH_PATH), "search.html", view, "search page")

    def plain_page(self, kind: str, title: str, path: str) -> PageOutput:
        """Return a page that shows nothing of the entries (404)."""
        return PageOutput(output_file(path), f"{kind}.html", PlainPage(self.page(kind, title, path)),
                          f"{kind} page")

    # --- data files ---------------------------------------------------------------------------

    def make_feed(self, view: FeedView) -> bytes:
        """Return the bytes of an Atom feed."""
        return feeds.build_atom_feed(view.entries, config=self.config, title=view.title,
                                     feed_url=view.feed_url, page_url=view.page_url,
                                     limit=max(1, len(view.entries)),
                                     full_content=view.full_content)

    def make_timeline(self, view: TimelineView) -> bytes:
        """Return the bytes of timeline.json."""
        return timelinejs.build_timeline_json(view.entries, config=self.config, title=view.title,
                                              description=view.description,
                                              country_names=dict(view.country_names))

    def filter_files(self) -> Iterator[DataOutput]:
        """Yield the timeline filter's index and its chunks of entries, in listing order."""
        listed = self.summarized(self.display(self.site.entries))
        yield DataOutput(output_file(FILTER_INDEX_PATH), FilterView(
            listed, self.tag_refs, self.base, tuple(self.country_refs.values()),
            tuple(self.relation_refs.values())),
                         filterindex.filter_index, "filter index")
        size = filterindex.CHUNK_SIZE
        for number in range(filterindex.chunk_count(len(listed))):
            view = FilterChunkView(listed[number * size:(number + 1) * size], self.base)
            yield DataOutput(output_file(filter_chunk_path(number)), view, filterindex.filter_chunk,
                             "filter entries")

    def site_feed(self) -> DataOutput:
        """Return the site's Atom feed: its newest entries, whole."""
        newest = by_publication(self.site.entries)[::-1][:SITE_FEED_LIMIT]
        return DataOutput(output_file(FEED_PATH),
                          FeedView(self.config.title, self.url(FEED_PATH), self.url("/"), newest,
                                   full_content=True),
                          self.make_feed, "site feed")

    def data_files(self) -> Iterator[DataOutput]:
        """Yield feeds, timeline.json, the filter's files and the small files GitHub Pages wants."""
        config, entries = self.config, self.site.entries
        yield self.site_feed()
        yield DataOutput(output_file(TIMELINE_JSON_PATH),
                         TimelineView(config.title, config.description, self.summarized(entries),
                                      tuple((c.code, c.name) for c in self.site.countries)),
                         self.make_timeline, "timeline.json")
        yield from self.filter_files()
        yield file_output(NOJEKYLL_PATH, b"", ".nojekyll")
        yield file_output("/" + OWNER_MARKER, OWNER_NOTE, "output folder marker")
        if config.cname:
            yield file_output(CNAME_PATH, config.cname.strip().encode() + b"\n", "CNAME")


def file_output(path: str, data: bytes, source: str) -> DataOutput:
    """Return an output whose bytes are given."""
    return DataOutput(output_file(path), FileView(path, data), file_bytes, source)


def file_bytes(view: FileView) -> bytes:
    """Return the bytes of a file output."""
    return view.data


def build_plan(site: Site, config: Config, extra: Sequence[DataOutput] = (),
               language: Language = ENGLISH) -> list[Output]:
    """Return every output of the site, sitemap and extra files included.

    Raises OutputClash when two outputs share a path or a path is unsafe.
    """
    outputs = list(Planner(site, config, language).outputs()) + list(extra)
    root = config.site_url
    view = SitemapView(tuple((page_address(root, o), o.lastmod)
                             for o in outputs if isinstance(o, PageOutput) and o.in_sitemap
                             and o.path != output_file(NOT_FOUND_PATH)), root)
    for path in sitemap_paths(len(view.urls)):
        outputs.append(DataOutput(path, view, functools.partial(sitemap_file, path), "sitemap"))
    outputs.append(file_output(ROBOTS_PATH, sitemap.build_robots_txt(root + SITEMAP_PATH.lstrip("/")),
                               "robots.txt"))
    check_paths(outputs, reserved=(SEARCH_BUNDLE_DIR + "/",) if config.search else ())
    return outputs


def page_address(root: str, output: PageOutput) -> str:
    """Return the absolute URL of a page: its view's canonical address where that is it (the
    one string then serves both)."""
    address = root + output.path.removesuffix("index.html")
    page = getattr(output.view, "page", None)
    return page.canonical if page is not None and page.canonical == address else address


def sitemap_file(path: str, view: SitemapView) -> bytes:
    """Return the bytes of one sitemap file (made alone: the site's files kept together were
    several times its size)."""
    return sitemap.build_sitemap_file(view.urls, path, site_url=view.site_url)


def sitemap_paths(count: int) -> list[str]:
    """Return the sitemap files a site of count pages has (an index past the protocol limit)."""
    first = output_file(SITEMAP_PATH)
    if count <= sitemap.MAX_URLS:
        return [first]
    return [first] + [output_file(sitemap_part_path(n))
                      for n in range(1, -(-count // sitemap.MAX_URLS) + 1)]


def check_paths(outputs: Sequence[Output], reserved: tuple[str, ...] = ()) -> None:
    """Raise if an output path is unsafe, inside a reserved folder (e.g. the search index's,
    which its updates clear of anything else) or claimed twice, naming both claimants.

    Paths are compared case-folded: on a case-insensitive file system (macOS, Windows)
    'Tags/x/index.html' and 'tags/x/index.html' are one file.
    """
    claimed: dict[str, tuple[str, str]] = {}      # folded path -> (path, source)
    for output in outputs:
        if not is_safe_relative(output.path):
            raise OutputClash(f"{output.source}: output path {output.path!r} is not safe")
        folded = output.path.casefold()
        if folded.startswith(reserved):
            folder = next(folder for folder in reserved if folded.startswith(folder))
            raise OutputClash(f"{output.source} would write {output.path}, inside {folder}, "
                              f"which holds the search index; give it another slug")
        if folded in claimed:
            path, source = claimed[folded]
            same = path if path == output.path else \
                f"{output.path} and {path} (one file where case is ignored: macOS, Windows)"
            raise OutputClash(f"{output.source} and {source} would both write {same}; give one "
                              f"of them another slug or date")
        claimed[folded] = (output.path, output.source)
