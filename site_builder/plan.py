"""The plan: every output of the site (path, template, context) known before anything renders."""

from __future__ import annotations

import calendar
import datetime
import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from . import feeds, sitemap, timelinejs
from .config import Config
from .errors import SitegenError
from .model import Entry, Period, Site, Tag
from .urls import home_path, is_safe_relative, output_file, period_path, tag_feed_path, tag_path

MONTH_NAMES = tuple(calendar.month_name)


class OutputClash(SitegenError):
    """Two sources of the site would write the same output file."""


@dataclass(frozen=True)
class PageOutput:
    """An HTML page: rendered from template with context."""

    path: str
    template: str
    context: dict[str, Any]
    source: str
    lastmod: datetime.date | None = None


@dataclass(frozen=True)
class DataOutput:
    """A non-HTML file whose bytes come from calling make()."""

    path: str
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

    label: str
    count: int
    url: str | None
    percent: int
    year_start: bool


@dataclass(frozen=True)
class Pagination:
    """Where a page sits among the pages of a listing."""

    number: int
    total: int
    previous_url: str | None
    next_url: str | None
    links: tuple[Link | None, ...]   # None stands for a gap ("…")


@dataclass
class PlanContext:
    """What planning needs besides the site: config and the URLs of assets."""

    config: Config
    assets: dict[str, str] = field(default_factory=dict)   # logical name -> hashed URL


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


def group_entries(entries: Sequence[Entry], base: str) -> tuple[YearGroup, ...]:
    """Return entries grouped under year and month headings, keeping their order."""
    years: list[YearGroup] = []
    current_year: int | None = None
    months: list[MonthGroup] = []
    run: list[Entry] = []

    def close_month() -> None:
        if run:
            first = run[0].date
            months.append(MonthGroup(month_label(first.year, first.month),
                                     base + period_path(first.year, first.month).lstrip("/"),
                                     f"m{first.year:04d}-{first.month:02d}", tuple(run)))
            run.clear()

    def close_year() -> None:
        close_month()
        if months:
            years.append(YearGroup(current_year, base + period_path(current_year).lstrip("/"),
                                   tuple(months)))
            months.clear()

    for entry in entries:
        if entry.date.year != current_year:
            close_year()
            current_year = entry.date.year
        elif run and run[-1].date.month != entry.date.month:
            close_month()
        run.append(entry)
    close_year()
    return tuple(years)


def histogram(entries: Sequence[Entry], base: str) -> tuple[Bar, ...]:
    """Return one bar per month from the first entry's month to the last one's."""
    if not entries:
        return ()
    counts: dict[tuple[int, int], int] = {}
    for entry in entries:
        key = (entry.date.year, entry.date.month)
        counts[key] = counts.get(key, 0) + 1
    first, last = min(counts), max(counts)
    peak = max(counts.values())
    bars = []
    year, month = first
    while (year, month) <= last:
        count = counts.get((year, month), 0)
        bars.append(Bar(
            label=f"{month_label(year, month)}: {count} entr{'y' if count == 1 else 'ies'}",
            count=count,
            url=base + period_path(year, month).lstrip("/") if count else None,
            percent=round(100 * count / peak),
            year_start=month == 1 or (year, month) == first,
        ))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(bars)


def period_page_path(period: Period, page: int = 1) -> str:
    """Return the URL path of a page of a period's archive."""
    path = period_path(*period.key)
    return path if page == 1 else f"{path}page/{page}/"


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


class Planner:
    """Builds the list of outputs for one site; one method per kind of page."""

    def __init__(self, site: Site, ctx: PlanContext):
        self.site = site
        self.config = ctx.config
        self.assets = ctx.assets
        self.base = ctx.config.base_path
        self.newest_first = ctx.config.sort == "newest"

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
                "canonical": self.config.site_url.rstrip("/") + url[len(self.base) - 1:],
                **extra}

    def outputs(self) -> Iterator[PageOutput | DataOutput]:
        """Yield every output of the site."""
        yield from self.listing_pages(self.site.entries, "home", self.config.title,
                                      home_path, feed_url=self.url("/feed.xml"), source="home")
        for entry in self.site.entries:
            yield self.entry_page(entry)
        yield from self.tag_pages()
        yield from self.period_pages()
        yield self.archive_page()
        yield PageOutput("search/index.html", "search.html",
                         {"page": self.page("search", "Search", "/search/")}, "search page")
        yield PageOutput("404.html", "404.html",
                         {"page": self.page("404", "Page not found", "/404.html")}, "404 page")
        yield from self.data_files()

    def listing_pages(self, entries: Sequence[Entry], kind: str, heading: str,
                      path_of: Callable[[int], str], feed_url: str, source: str,
                      compact: bool = False, template: str = "list.html",
                      **extra: Any) -> Iterator[PageOutput]:
        """Yield the paginated timeline pages of entries (home, a tag or a period).

        Compact listings (the date archives) leave out leads, which keeps the site small:
        every entry appears in about ten listings.
        """
        shown = self.display(entries)
        size = self.config.page_size
        total = paginate(len(shown), size)
        extra.setdefault("histogram", histogram(entries, self.base))
        extra.setdefault("tag", None)
        for number in range(1, total + 1):
            chunk = shown[(number - 1) * size: number * size]
            title = heading if number == 1 else f"{heading} (page {number})"
            yield PageOutput(
                output_file(path_of(number)), template,
                {
                    "page": self.page(kind, title, path_of(number), feed_url=feed_url),
                    "heading": heading,
                    "count": len(entries),
                    "compact": compact,
                    "groups": group_entries(chunk, self.base),
                    "pagination": pagination(number, total, lambda n: self.url(path_of(n))),
                    **extra,
                },
                f"{source} page {number}",
                lastmod=max((e.date for e in chunk), default=None),
            )

    def entry_page(self, entry: Entry) -> PageOutput:
        """Return the page of one entry."""
        day = entry.date
        path = entry.url[len(self.base) - 1:]
        return PageOutput(
            output_file(path), "entry.html",
            {
                "page": self.page("entry", entry.title, path, description=entry.lead),
                "entry": entry,
                "previous": self.site.previous[entry.path],
                "next": self.site.next[entry.path],
                "related": self.site.related[entry.path],
                "day_url": self.url(period_path(day.year, day.month, day.day)),
                "month_url": self.url(period_path(day.year, day.month)),
                "year_url": self.url(period_path(day.year)),
            },
            entry.path,
            lastmod=day,
        )

    def tag_pages(self) -> Iterator[PageOutput | DataOutput]:
        """Yield the tag index, each tag's timeline pages and each tag's feed."""
        tags = self.site.tags
        rows = [{"name": t.name, "url": self.url(tag_path(t.slug)), "count": len(t.entries)}
                for t in tags]
        yield PageOutput("tags/index.html", "tags.html", {
            "page": self.page("tags", "Tags", "/tags/"),
            "tags_by_name": rows,
            "tags_by_count": sorted(rows, key=lambda r: (-r["count"], r["name"].casefold())),
        }, "tag index")
        for tag in tags:
            feed_path = tag_feed_path(tag.slug)
            yield from self.listing_pages(
                tag.entries, "tag", tag.name, functools.partial(tag_path, tag.slug),
                feed_url=self.url(feed_path), source=f"tag '{tag.name}'", tag=tag)
            yield DataOutput(output_file(feed_path), functools.partial(
                feeds.build_atom_feed, self.display(tag.entries), config=self.config,
                title=f"{self.config.title}: {tag.name}", feed_url=self.url(feed_path),
                page_url=self.url(tag_path(tag.slug))), f"feed of tag '{tag.name}'")

    def period_pages(self) -> Iterator[PageOutput]:
        """Yield the year, month and day archives, each paginated like the timeline."""
        children_of = {"year": self.site.months, "month": self.site.days, "day": ()}
        for periods in (self.site.years, self.site.months, self.site.days):
            for index, period in enumerate(periods):
                yield from self.period_page(period, periods, index, children_of[period.kind])

    def period_link(self, period: Period) -> Link:
        """Return a link to a period's archive."""
        return Link(period_label(period), self.url(period_path(*period.key)))

    def period_page(self, period: Period, siblings: Sequence[Period], index: int,
                    candidates: Sequence[Period]) -> Iterator[PageOutput]:
        """Yield the archive pages of one year, month or day."""
        up = []
        if period.kind in ("month", "day"):
            up.append(Link(str(period.year), self.url(period_path(period.year))))
        if period.kind == "day":
            up.append(Link(month_label(period.year, period.month),
                           self.url(period_path(period.year, period.month))))
        depth = {"year": 1, "month": 2, "day": 3}[period.kind]
        inside = [c for c in candidates if c.key[:depth] == period.key[:depth]]
        label = period_label(period)
        yield from self.listing_pages(
            period.entries, period.kind, label, functools.partial(period_page_path, period),
            feed_url=self.url("/feed.xml"), source=f"{period.kind} archive {label}",
            compact=True,
            template="period.html",
            period=period,
            up=up,
            previous=self.period_link(siblings[index - 1]) if index else None,
            next=self.period_link(siblings[index + 1]) if index + 1 < len(siblings) else None,
            children=[(self.period_link(c), len(c.entries)) for c in inside],
            histogram=histogram(period.entries, self.base) if period.kind == "year" else (),
        )

    def archive_page(self) -> PageOutput:
        """Return /archive/: every year and month, with counts."""
        years = []
        for year in reversed(self.site.years) if self.newest_first else self.site.years:
            months = [(self.period_link(m), len(m.entries)) for m in self.site.months
                      if m.year == year.year]
            years.append((self.period_link(year), len(year.entries), months))
        return PageOutput("archive/index.html", "archive.html", {
            "page": self.page("archive", "Archive", "/archive/"),
            "years": years,
            "histogram": histogram(self.site.entries, self.base),
        }, "archive page")

    def data_files(self) -> Iterator[DataOutput]:
        """Yield feeds, timeline.json and the small files GitHub Pages wants."""
        config = self.config
        yield DataOutput("feed.xml", functools.partial(
            feeds.build_atom_feed, self.site.entries[::-1], config=config, title=config.title,
            feed_url=self.url("/feed.xml"), page_url=self.url("/")), "site feed")
        yield DataOutput("timeline.json", functools.partial(
            timelinejs.build_timeline_json, self.site.entries, config=config,
            title=config.title, description=config.description), "timeline.json")
        yield DataOutput(".nojekyll", lambda: b"", ".nojekyll")
        if config.cname:
            yield DataOutput("CNAME", lambda: config.cname.strip().encode() + b"\n", "CNAME")


def build_plan(site: Site, ctx: PlanContext) -> list[PageOutput | DataOutput]:
    """Return every output of the site, sitemap included; raise OutputClash on a shared path."""
    outputs = list(Planner(site, ctx).outputs())
    pages = [(o.path, o.lastmod) for o in outputs if isinstance(o, PageOutput) and o.path != "404.html"]
    root = ctx.config.site_url
    urls = [(root + path.removesuffix("index.html"), lastmod) for path, lastmod in pages]
    for path, data in sitemap.build_sitemap(urls, site_url=root).items():
        outputs.append(DataOutput(path, functools.partial(bytes, data), "sitemap"))
    outputs.append(DataOutput("robots.txt", functools.partial(
        sitemap.build_robots_txt, root + "sitemap.xml"), "robots.txt"))
    check_paths(outputs)
    return outputs


def check_paths(outputs: Sequence[PageOutput | DataOutput]) -> None:
    """Raise if an output path is unsafe or claimed twice, naming both claimants."""
    claimed: dict[str, str] = {}
    for output in outputs:
        if not is_safe_relative(output.path):
            raise OutputClash(f"{output.source}: output path {output.path!r} is not safe")
        if output.path in claimed:
            raise OutputClash(f"{output.source} and {claimed[output.path]} would both write "
                              f"{output.path}; give one of them another slug or date")
        claimed[output.path] = output.source
