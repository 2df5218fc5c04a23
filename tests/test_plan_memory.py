"""The plan's memory at scale: values that many views show alike are one object, not one per
view (a 100,000-entry site has hundreds of thousands of overview cells)."""

from site_builder.core.config import parse_config
from site_builder.model.site import build_site
from site_builder.outputs.plan import build_plan
from site_builder.outputs.views import ListingPage

from helpers import make_entry

CONFIG = parse_config({"page_size": 4, "base_url": "https://example.org/"})


def sample_plan():
    entries = [make_entry(f"e{i:03d}", f"{2019 + i % 3}-{1 + i % 5:02d}-{1 + i % 27:02d}",
                          tags=("common", f"t{i % 6}")) for i in range(60)]
    return build_plan(build_site(entries, CONFIG), CONFIG)


def test_overview_cells_of_empty_months_are_shared_by_every_listing():
    overviews = [o.view.overview for o in sample_plan()
                 if isinstance(o.view, ListingPage) and o.view.overview and o.view.overview.has_months]
    assert len(overviews) > 5
    empty = {}
    for overview in overviews:
        for year in overview.years:
            for cell in year.months:
                if not cell.count:
                    empty.setdefault((year.year, cell.month), set()).add(id(cell))
    assert empty and all(len(ids) == 1 for ids in empty.values())


def test_overview_month_names_of_equal_counts_are_one_string():
    names = {}
    for o in sample_plan():
        if isinstance(o.view, ListingPage) and o.view.overview:
            for year in o.view.overview.years:
                for cell in year.months:
                    names.setdefault(cell.name, set()).add(id(cell.name))
    assert any(len(ids) == 1 for ids in names.values())
    assert all(len(ids) == 1 for ids in names.values())


def test_the_pages_of_a_listing_share_their_pagination_links_and_archive_urls():
    plan = sample_plan()
    links, urls = {}, {}
    for o in plan:
        pager = getattr(o.view, "pagination", None)
        if pager is not None:
            for link in pager.links:
                if link is not None:
                    links.setdefault((o.view.page.kind, o.view.heading, link.url), set()).add(id(link))
        for name in ("day_url", "month_url", "year_url"):
            if getattr(o.view, name, ""):
                urls.setdefault(getattr(o.view, name), set()).add(id(getattr(o.view, name)))
    assert any(len(ids) == 1 for ids in links.values()) and urls
    assert all(len(ids) == 1 for ids in links.values())
    assert all(len(ids) == 1 for ids in urls.values())


def test_an_empty_site_is_planned():
    assert build_plan(build_site([], CONFIG), CONFIG)


def test_timeline_json_is_made_event_by_event_with_the_same_bytes():
    # The worker that writes timeline.json held the whole site's events as one value.
    import json
    import tracemalloc

    from site_builder.outputs import timelinejs

    entries = [make_entry(f"e{i:04d}", f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                          tags=("t<&>'",), lead="A lead \u2028 with <b> & 'quotes' " * 8)
               for i in range(3000)]
    site = build_site(entries, CONFIG)
    tracemalloc.start()
    try:
        data = timelinejs.build_timeline_json(site.entries, config=CONFIG, title="T <x>",
                                              description="D & d")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    whole = json.loads(data)
    assert len(whole["events"]) == 3000 and whole["title"]["text"]["headline"] == "T &lt;x&gt;"
    assert data == timelinejs.embed_safe_json(whole)
    assert peak < 4 * len(data)    # the events as one value took 9 times the bytes
