"""The overview, the pager's dates and the pages of one-entry days (site_builder/outputs/overview.py
and plan.py)."""

from __future__ import annotations

from site_builder.core.config import parse_config
from site_builder.model.site import build_site
from site_builder.outputs.overview import build_overview, first_pages, page_ranges, years_only
from site_builder.outputs.plan import PageOutput, build_plan
from site_builder.outputs.views import DayPointerPage, ListingPage, PeriodPage

from helpers import make_entry


def urls(prefix: str):
    """Return year and month URL makers that name what they were given."""
    return (lambda year: f"{prefix}{year}", lambda year, month: f"{prefix}{year}-{month}")


def test_the_overview_reads_in_listing_order_with_twelve_months_a_year():
    placed = [(2023, 3, 1), (2023, 3, 1), (2023, 1, 5), (2021, 0, 0), (2020, 12, 31)]
    overview = build_overview(placed, True, *urls("/"))
    assert [(y.year, y.count) for y in overview.years] == [(2023, 3), (2021, 1), (2020, 1)]
    months = overview.years[0].months
    assert [m.month for m in months] == list(range(12, 0, -1))
    assert [(m.label, m.count, m.url, m.level) for m in months if m.count] == [
        ("March 2023", 2, "/2023-3", 10), ("January 2023", 1, "/2023-1", 5)]
    assert all(m.url is None and m.level == 0 for m in months if not m.count)
    assert not any(m.count for m in overview.years[1].months)     # a year-only entry: no month
    oldest_first = build_overview(placed[::-1], False, *urls("/"))
    assert [y.year for y in oldest_first.years] == [2020, 2021, 2023]
    assert [m.month for m in oldest_first.years[0].months] == list(range(1, 13))
    assert build_overview([], True, *urls("/")) is None


def test_later_pages_keep_the_years_alone():
    overview = build_overview([(2023, 3, 1), (2022, 1, 1)], True, *urls("/"))
    jump = years_only(overview)
    assert overview.has_months and not jump.has_months
    assert [(y.year, y.count, y.url) for y in jump.years] == \
        [(y.year, y.count, y.url) for y in overview.years]


def test_first_pages_find_the_page_holding_each_year_and_month():
    placed = [(2023, 3, 2), (2023, 3, 1), (2023, 2, 1), (2022, 0, 0), (2022, 5, 1)]
    assert first_pages(placed, 2) == {(2023, 0): 1, (2023, 3): 1, (2023, 2): 2, (2022, 0): 2,
                                      (2022, 5): 3}


def test_page_ranges_name_the_dates_each_page_holds():
    placed = [(2023, 3, 2), (2023, 1, 1), (2023, 1, 1), (2022, 0, 0), (2021, 5, 9)]
    assert page_ranges(placed, 2) == ("Mar 2023 – Jan 2023", "Jan 2023 – 2022", "May 2021")
    assert page_ranges(placed[:3], 2, by_day=True) == ("2 Mar 2023 – 1 Jan 2023", "1 Jan 2023")


def site_of(entries, **settings):
    """Return the plan of a site of entries."""
    config = parse_config({"title": "T", "base_url": "https://example.org/sub/", **settings})
    return build_plan(build_site(entries, config), config)


def by_path(plan) -> dict[str, PageOutput]:
    """Return output path -> page output."""
    return {o.path: o for o in plan if isinstance(o, PageOutput)}


def test_a_day_with_one_entry_points_to_it_and_stays_out_of_the_sitemap():
    entries = [make_entry("alone", "2023-03-01", lead="What happened."),
               make_entry("first", "2023-03-02"), make_entry("second", "2023-03-02")]
    plan = site_of(entries)
    pages = by_path(plan)
    alone = pages["2023/03/01/index.html"]
    assert alone.template == "day.html" and isinstance(alone.view, DayPointerPage)
    assert alone.view.page.canonical == "https://example.org/sub/2023/03/01/alone/"
    assert alone.view.entry.url == "/sub/2023/03/01/alone/"
    assert [link.label for link in alone.view.up] == ["2023", "March 2023"]
    assert not alone.in_sitemap
    assert pages["2023/03/02/index.html"].template == "period.html"     # two entries: a listing
    sitemap = next(o for o in plan if o.path == "sitemap.xml").make(
        next(o for o in plan if o.path == "sitemap.xml").view).decode()
    assert "/sub/2023/03/01/</loc>" not in sitemap and "/sub/2023/03/02/</loc>" in sitemap
    assert "/sub/2023/03/01/alone/</loc>" in sitemap


def test_the_day_pointer_page_says_noindex_and_links_the_entry(tmp_path):
    from site_builder.outputs.render import make_environment, render_page, site_view
    entry = make_entry("alone", "2023-03-01", title="Talks end", lead="What happened.")
    config = parse_config({"title": "T", "base_url": "https://example.org/sub/"})
    plan = build_plan(build_site([entry], config), config)
    env = make_environment(None)
    env.globals["site"] = site_view(config, {"style.css": "/sub/s.css"}, [])
    html = render_page(env, "day.html", by_path(plan)["2023/03/01/index.html"].view).decode()
    assert '<link rel="canonical" href="https://example.org/sub/2023/03/01/alone/">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<a href="/sub/2023/03/01/alone/">Talks end</a>' in html and "What happened." in html
    assert "http-equiv" not in html                 # no refresh: the back button works


def test_year_pages_list_their_entries_paginated_with_dated_pager_links():
    entries = [make_entry(f"e{n}", f"2023-{1 + n // 3:02d}-01") for n in range(25)]
    pages = by_path(site_of(entries, page_size=10))
    year = [pages[p].view for p in ("2023/index.html", "2023/page/2/index.html",
                                    "2023/page/3/index.html")]
    assert all(isinstance(view, PeriodPage) for view in year)
    assert sum(len(m.entries) for v in year for g in v.groups for m in g.months) == 25
    pager = year[1].pagination
    assert [(link.label, link.dates) for link in pager.links] == [
        ("1", "Sep 2023 – Jun 2023"), ("2", "May 2023 – Feb 2023"), ("3", "Feb 2023 – Jan 2023")]
    assert (pager.previous_dates, pager.next_dates) == ("Sep 2023 – Jun 2023", "Feb 2023 – Jan 2023")
    month = pages["2023/01/index.html"].view.pagination
    assert month.total == 1 and month.links[0].dates == "1 Jan 2023"     # by day


def test_the_home_overview_leads_to_the_archives_and_later_pages_keep_the_years():
    entries = [make_entry(f"e{year}", f"{year}-05-01") for year in range(2000, 2026)]
    pages = by_path(site_of(entries, page_size=5))
    home = pages["index.html"].view
    assert isinstance(home, ListingPage) and home.overview.has_months
    assert [y.year for y in home.overview.years] == list(range(2025, 1999, -1))
    assert home.overview.years[0].url == "/sub/2025/"
    assert [m.url for m in home.overview.years[0].months if m.url] == ["/sub/2025/05/"]
    later = pages["page/2/index.html"].view
    assert later.overview and not later.overview.has_months
