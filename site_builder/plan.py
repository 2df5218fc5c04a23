"""The plan: every output of the site known before anything renders.

Each output has a key: a tuple of everything its bytes depend on besides the templates and the
config. Equal keys mean equal bytes, so an incremental build renders only outputs whose key
changed. Contexts are made lazily, only for the outputs that are rendered.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterator, Sequence

from . import feeds, filterindex, search, sitemap, timelinejs
from .config import Config
from .errors import SitegenError
from .model import Entry, Period, Site
from .urls import home_path, is_safe_relative, output_file, period_path, tag_feed_path, tag_path

MONTH_NAMES = tuple(calendar.month_name)
SITE_FEED_LIMIT = 50
TAG_FEED_LIMIT = 10


class OutputClash(SitegenError):
    """Two sources of the site would write the same output file."""


@dataclass(frozen=True)
class PageOutput:
    """An HTML page: template rendered with the context make_context() returns."""

    path: str
    template: str
    key: tuple
    make_context: Callable[[], dict[str, Any]]
    source: str
    lastmod: datetime.date | None = None


@dataclass(frozen=True)
class DataOutput:
    """A non-HTML file whose bytes make() returns."""

    path: str
    key: tuple
    make: Callable[[], bytes]
    source: str


@dataclass(frozen=True)
class Link:
    """A labelled link."""

    label: str
    url: str


@dataclass(frozen=True)
class MonthGroup:
    """A month heading in a listing and the entries under it."""

    label: str
    url: str
    anchor: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class YearGroup:
    """A year heading in a listing and its months."""

    year: int
    url: str
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True)
class Bar:
    """One month of a histogram."""

    label: str              # 'December 2022: 3 entries'
    count: int
    url: str | None         # the month's archive, when it has entries
    level: int              # 0-20: the bar's height in twentieths of the tallest month


@dataclass(frozen=True)
class HistogramYear:
    """One year's row of a histogram: twelve months, None outside the histogram's range."""

    year: int
    url: str
    months: tuple[Bar | None, ...]


@dataclass(frozen=True)
class Pagination:
    """Where a page sits among the pages of a listing."""

    number: int
    total: int
    previous_url: str | None
    next_url: str | None
    links: tuple[Link | None, ...]   # None stands for a gap ("…")


def listing_key(entry: Entry) -> str:
    """Return a digest of what listings show of an entry: front matter, URL and tag links."""
    text = repr((entry.meta_digest, entry.url, entry.tag_links))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def month_label(year: int, month: int) -> str:
    """Return 'December 2022'."""
    return f"{MONTH_NAMES[month]} {year}"


def period_label(period: Period) -> str:
    """Return the human name of a period: '2022', 'December 2022', '31 December 2022'."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return month_label(period.year, period.month)
    return f"{period.day} {month_label(period.year, period.month)}"


def period_page_path(period: Period, page: int = 1) -> str:
    """Return the URL path of a page of a period's archive."""
    path = period_path(*period.key)
    return path if page == 1 else f"{path}page/{page}/"


def group_entries(entries: Sequence[Entry], base: str) -> tuple[YearGroup, ...]:
    """Return entries grouped under year and month headings, keeping their order."""
    years: list[YearGroup] = []
    for entry in entries:
        day = entry.date
        if not years or years[-1].year != day.year:
            years.append(YearGroup(day.year, base + period_path(day.year).lstrip("/"), ()))
        year = years[-1]
        months = year.months
        if not months or months[-1].entries[0].date.month != day.month:
            months += (MonthGroup(month_label(day.year, day.month),
                                  base + period_path(day.year, day.month).lstrip("/"),
                                  f"m{day.year:04d}-{day.month:02d}", (entry,)),)
        else:
            last = months[-1]
            months = months[:-1] + (MonthGroup(last.label, last.url, last.anchor,
                                               last.entries + (entry,)),)
        years[-1] = YearGroup(year.year, year.url, months)
    return tuple(years)


def month_counts(entries: Sequence[Entry]) -> tuple[tuple[int, int, int], ...]:
    """Return (year, month, count) for each month that has entries, in order."""
    counts = Counter([(day.year, day.month) for day in [entry.date for entry in entries]])
    return tuple((year, month, count) for (year, month), count in sorted(counts.items()))


def histogram(counts: Sequence[tuple[int, int, int]], base: str) -> tuple[HistogramYear, ...]:
    """Return one row per year, with a bar for each month from the first in counts to the last."""
    if not counts:
        return ()
    by_month = {(year, month): count for year, month, count in counts}
    first, last = min(by_month), max(by_month)
    peak = max(by_month.values())
    rows = []
    for year in range(first[0], last[0] + 1):
        months: list[Bar | None] = []
        for month in range(1, 13):
            if not first <= (year, month) <= last:
                months.append(None)
                continue
            count = by_month.get((year, month), 0)
            months.append(Bar(
                label=f"{month_label(year, month)}: {count} entr{'y' if count == 1 else 'ies'}",
                count=count,
                url=base + period_path(year, month).lstrip("/") if count else None,
                level=-(-20 * count // peak),
            ))
        rows.append(HistogramYear(year, base + period_path(year).lstrip("/"), tuple(months)))
    return tuple(rows)


def paginate(count: int, size: int) -> int:
    """Return how many pages count items fill (at least one)."""
    return max(1, -(-count // size))


def pagination(number: int, total: int, url_of: Callable[[int], str]) -> Pagination:
    """Return the pagination of page number of total: neighbours, ends, and gaps."""
    shown = sorted({1, total, *range(max(1, number - 2), min(total, number + 2) + 1)})
    links: list[Link | None] = []
    for index, page in enumerate(shown):
        if index and page != shown[index - 1] + 1:
            links.append(None)
        links.append(Link(str(page), url_of(page)))
    return Pagination(
        number=number,
        total=total,
        previous_url=url_of(number - 1) if number > 1 else None,
        next_url=url_of(number + 1) if number < total else None,
        links=tuple(links),
    )


def entry_file(entry: Entry, base_path: str) -> str:
    """Return the output file of an entry's page."""
    return output_file(entry.url[len(base_path) - 1:])


class Planner:
    """Builds the list of outputs for one site; one method per kind of page."""

    def __init__(self, site: Site, config: Config):
        self.site = site
        self.config = config
        self.base = config.base_path
        self.newest_first = config.sort == "newest"
        self.keys = {e.path: listing_key(e) for e in site.entries}

    def entry_key(self, entry: Entry) -> str:
        """Return the listing key of an entry (see listing_key)."""
        return self.keys[entry.path]

    def entry_keys(self, entries: Sequence[Entry]) -> tuple[str, ...]:
        """Return the listing keys of entries, in order."""
        keys = self.keys    # a local name: this runs for some 200,000 entries per build
        return tuple([keys[entry.path] for entry in entries])

    def url(self, path: str) -> str:
        """Return the root-relative URL (with base path) of a site path."""
        return self.base + path.lstrip("/")

    def display(self, entries: Sequence[Entry]) -> Sequence[Entry]:
        """Return entries in the order listings show them."""
        return entries[::-1] if self.newest_first else entries

    def page(self, kind: str, title: str, path: str, **extra: Any) -> dict[str, Any]:
        """Return the context every page has: what it is and where."""
        url = self.url(path)
        return {"kind": kind, "title": title, "url": url,
                "canonical": self.config.site_url + url[len(self.base):], **extra}

    def outputs(self) -> Iterator[PageOutput | DataOutput]:
        """Yield every output of the site but the sitemap."""
        yield from self.listing_pages(self.site.entries, "home", self.config.title, home_path,
                                      feed_url=self.url("/feed.xml"), source="home")
        for entry in self.site.entries:
            yield self.entry_page(entry)
        yield from self.tag_pages()
        yield from self.period_pages()
        yield self.archive_page()
        for path, kind, title in (("/search/", "search", "Search"),
                                  ("/404.html", "404", "Page not found")):
            yield PageOutput(output_file(path), f"{kind}.html", (kind,),
                             functools.partial(lambda *a: {"page": self.page(*a)}, kind, title, path),
                             f"{kind} page")
        yield from self.data_files()

    def body_outputs(self, paths: Collection[str]) -> list[PageOutput | DataOutput]:
        """Return the outputs that may show the bodies of the entries at paths: their pages and
        the data files (the site feed carries whole bodies).

        No other output's key holds an entry's body digest (tests/test_plan.py checks it), so
        a build in which nothing but bodies changed need look at no other output.
        """
        pages = [self.entry_page(entry) for entry in self.site.entries if entry.path in paths]
        return pages + list(self.data_files())

    def listing_pages(self, entries: Sequence[Entry], kind: str, heading: str,
                      path_of: Callable[[int], str], feed_url: str, source: str,
                      template: str = "list.html",
                      extra: dict[str, Any] | None = None, extra_key: tuple = (),
                      histogram_counts: Sequence[tuple[int, int, int]] | None = None,
                      lastmod: datetime.date | None = None) -> Iterator[PageOutput]:
        """Yield the paginated timeline pages of entries (home, a tag or a period).

        The histogram is on the first page only. A page's lastmod is its newest entry's day,
        or lastmod when it lists none.
        """
        shown = self.display(entries)
        size = self.config.page_size
        total = paginate(len(shown), size)
        counts = month_counts(entries) if histogram_counts is None else histogram_counts
        for number in range(1, total + 1):
            chunk = shown[(number - 1) * size: number * size]
            bars = counts if number == 1 else ()
            title = heading if number == 1 else f"{heading} (page {number})"
            key = (template, kind, heading, len(entries), number, total, feed_url, bars,
                   extra_key, self.entry_keys(chunk))
            yield PageOutput(
                output_file(path_of(number)), template, key,
                functools.partial(self.listing_context, kind, title, path_of, number, total,
                                  chunk, heading, len(entries), feed_url, bars,
                                  extra or {}),
                f"{source} page {number}",
                lastmod=max((e.date for e in chunk), default=lastmod),
            )

    def listing_context(self, kind: str, title: str, path_of: Callable[[int], str], number: int,
                        total: int, chunk: Sequence[Entry], heading: str, count: int,
                        feed_url: str, bars: Sequence[tuple[int, int, int]],
                        extra: dict[str, Any]) -> dict[str, Any]:
        """Return the context of one page of a listing."""
        return {
            "page": self.page(kind, title, path_of(number), feed_url=feed_url),
            "heading": heading,
            "count": count,
            "groups": group_entries(chunk, self.base),
            "pagination": pagination(number, total, lambda n: self.url(path_of(n))),
            "histogram": histogram(bars, self.base),
            "tag": None,
            **extra,
        }

    def entry_page(self, entry: Entry) -> PageOutput:
        """Return the page of one entry."""
        previous = self.site.previous[entry.path]
        following = self.site.next[entry.path]
        related = self.site.related[entry.path]
        key = ("entry", entry.digest, self.entry_key(entry), previous and self.entry_key(previous),
               following and self.entry_key(following), self.entry_keys(related))
        path = entry.url[len(self.base) - 1:]
        return PageOutput(entry_file(entry, self.base), "entry.html", key,
                          functools.partial(self.entry_context, entry, path), entry.path,
                          lastmod=entry.date)

    def entry_context(self, entry: Entry, path: str) -> dict[str, Any]:
        """Return the context of an entry's page."""
        day = entry.date
        return {
            "page": self.page("entry", entry.title, path, description=entry.lead),
            "entry": entry,
            "previous": self.site.previous[entry.path],
            "next": self.site.next[entry.path],
            "related": self.site.related[entry.path],
            "day_url": self.url(period_path(day.year, day.month, day.day)),
            "month_url": self.url(period_path(day.year, day.month)),
            "year_url": self.url(period_path(day.year)),
        }

    def tag_pages(self) -> Iterator[PageOutput | DataOutput]:
        """Yield the tag index, each tag's timeline pages and each tag's feed."""
        tags = self.site.tags
        rows = tuple((t.name, self.url(tag_path(t.slug)), len(t.entries)) for t in tags)
        yield PageOutput("tags/index.html", "tags.html", ("tags", rows),
                         functools.partial(self.tags_context, rows), "tag index")
        for tag in tags:
            feed_path = tag_feed_path(tag.slug)
            yield from self.listing_pages(
                tag.entries, "tag", tag.name, functools.partial(tag_path, tag.slug),
                feed_url=self.url(feed_path), source=f"tag '{tag.name}'",
                extra={"tag": tag}, extra_key=(tag.slug,))
            newest = self.display(tag.entries)[:TAG_FEED_LIMIT] if self.newest_first \
                else tag.entries[-TAG_FEED_LIMIT:]
            yield DataOutput(
                output_file(feed_path), ("tag feed", tag.name, self.entry_keys(newest)),
                functools.partial(
                    feeds.build_atom_feed, newest, config=self.config,
                    title=f"{self.config.title}: {tag.name}", feed_url=self.url(feed_path),
                    page_url=self.url(tag_path(tag.slug)), limit=TAG_FEED_LIMIT,
                    full_content=False),
                f"feed of tag '{tag.name}'")

    def tags_context(self, rows: tuple[tuple[str, str, int], ...]) -> dict[str, Any]:
        """Return the context of the tag index."""
        by_name = [{"name": name, "url": url, "count": count} for name, url, count in rows]
        return {
            "page": self.page("tags", "Tags", "/tags/"),
            "tags_by_name": by_name,
            "tags_by_count": sorted(by_name, key=lambda r: (-r["count"], r["name"].casefold())),
        }

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

    def period_link(self, period: Period) -> Link:
        """Return a link to a period's archive."""
        return Link(period_label(period), self.url(period_path(*period.key)))

    def period_page(self, period: Period, siblings: Sequence[Period], index: int,
                    inside: Sequence[Period]) -> Iterator[PageOutput]:
        """Yield the archive pages of one year, month or day."""
        up = []
        if period.kind in ("month", "day"):
            up.append(Link(str(period.year), self.url(period_path(period.year))))
        if period.kind == "day":
            up.append(Link(month_label(period.year, period.month),
                           self.url(period_path(period.year, period.month))))
        children = tuple((self.period_link(c), len(c.entries)) for c in inside)
        extra = {
            "period": period,
            "up": tuple(up),
            "previous": self.period_link(siblings[index - 1]) if index else None,
            "next": self.period_link(siblings[index + 1]) if index + 1 < len(siblings) else None,
            "children": children,
        }
        label = period_label(period)
        # A year lists its months, not its entries: the month pages do that, and a year's
        # thousand entries would otherwise be written out once more.
        is_year = period.kind == "year"
        yield from self.listing_pages(
            () if is_year else period.entries, period.kind, label,
            functools.partial(period_page_path, period),
            feed_url=self.url("/feed.xml"), source=f"{period.kind} archive {label}",
            template="period.html", extra={**extra, "count": len(period.entries)},
            extra_key=(extra["up"], extra["previous"], extra["next"], children,
                       len(period.entries)),
            histogram_counts=month_counts(period.entries) if is_year else (),
            lastmod=max(e.date for e in period.entries))

    def archive_page(self) -> PageOutput:
        """Return /archive/: every year and month, with counts."""
        years = []
        for year in reversed(self.site.years) if self.newest_first else self.site.years:
            months = tuple((self.period_link(m), len(m.entries)) for m in self.site.months
                           if m.year == year.year)
            years.append((self.period_link(year), len(year.entries), months))
        counts = month_counts(self.site.entries)
        return PageOutput("archive/index.html", "archive.html", ("archive", tuple(years), counts),
                          functools.partial(self.archive_context, years, counts), "archive page")

    def archive_context(self, years: list, counts: tuple) -> dict[str, Any]:
        """Return the context of the archive page."""
        return {"page": self.page("archive", "Archive", "/archive/"), "years": years,
                "histogram": histogram(counts, self.base)}

    def data_files(self) -> Iterator[DataOutput]:
        """Yield feeds, timeline.json and the small files GitHub Pages wants."""
        config = self.config
        newest = self.site.entries[::-1][:SITE_FEED_LIMIT]
        yield DataOutput("feed.xml", ("feed", tuple((e.digest, self.entry_key(e)) for e in newest)),
                         functools.partial(feeds.build_atom_feed, newest, config=config,
                                           title=config.title, feed_url=self.url("/feed.xml"),
                                           page_url=self.url("/"), limit=SITE_FEED_LIMIT),
                         "site feed")
        yield DataOutput("timeline.json",
                         ("timeline", self.entry_keys(self.site.entries)),
                         functools.partial(timelinejs.build_timeline_json, self.site.entries,
                                           config=config, title=config.title,
                                           description=config.description),
                         "timeline.json")
        shown = self.display(self.site.entries)
        yield DataOutput("filter.json",
                         ("filter", self.entry_keys(shown)),
                         functools.partial(filterindex.build_filter_json, shown, self.site.tags,
                                           self.base),
                         "filter.json")
        yield DataOutput(".nojekyll", (), bytes, ".nojekyll")
        if config.cname:
            yield DataOutput("CNAME", (config.cname,),
                             functools.partial(str.encode, config.cname.strip() + "\n"), "CNAME")


def build_plan(site: Site, config: Config, extra: Sequence[DataOutput] = ()
               ) -> list[PageOutput | DataOutput]:
    """Return every output of the site, sitemap and extra files included.

    Raises OutputClash when two outputs share a path or a path is unsafe.
    """
    outputs = list(Planner(site, config).outputs()) + list(extra)
    root = config.site_url
    urls = tuple((root + o.path.removesuffix("index.html"), o.lastmod) for o in outputs
                 if isinstance(o, PageOutput) and o.path != "404.html")
    urls_key = hashlib.blake2b(repr(urls).encode("utf-8", "surrogatepass")).hexdigest()
    sitemaps = functools.lru_cache(maxsize=1)(
        functools.partial(sitemap.build_sitemap, urls, site_url=root))
    for path in sitemap_paths(len(urls)):
        outputs.append(DataOutput(path, ("sitemap", urls_key),
                                  functools.partial(lambda p: sitemaps()[p], path), "sitemap"))
    outputs.append(DataOutput("robots.txt", ("robots",), functools.partial(
        sitemap.build_robots_txt, root + "sitemap.xml"), "robots.txt"))
    check_paths(outputs, reserved=(search.BUNDLE_DIR + "/",) if config.search else ())
    return outputs


def sitemap_paths(count: int) -> list[str]:
    """Return the sitemap files a site of count pages has (an index past the protocol limit)."""
    if count <= sitemap.MAX_URLS:
        return ["sitemap.xml"]
    return ["sitemap.xml"] + [f"sitemap-{n}.xml" for n in range(1, -(-count // sitemap.MAX_URLS) + 1)]


def check_paths(outputs: Sequence[PageOutput | DataOutput], reserved: tuple[str, ...] = ()) -> None:
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
