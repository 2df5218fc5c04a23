"""Accessibility (axe-core), small screens, page weight and screenshots, in light and dark."""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, SEED_PATH, run_axe

SCHEMES = ("light", "dark")
# Every kind of page, by URL path below the site root; "?tag=" shows the filter's results and
# "?q=" the search UI with results.
PAGES = {
    "home": "",
    "home-page-2": "page/2/",
    "home-filtered": "?tag=russia&year=2022",
    "home-by-country": "?country=ru&relation=cn-ru",
    "entry": SEED_PATH,
    "tag-index": "tags/",
    "tag": "tags/china/",
    "year": "2022/",
    "month": "2022/12/",
    "day": "2022/12/31/",
    "archive": "archive/",
    "countries": "countries/",
    "country": "countries/ru/",
    "relations": "relations/",
    "relation": "relations/cn-ru/",
    "search": "search/?q=telegram",
    "404": "404.html",
}
AXE_PAGES = ("home", "home-filtered", "home-by-country", "entry", "tag-index", "tag", "year", "month", "search", "404",
             "countries", "country", "relations", "relation")
PAGE_WEIGHT_LIMIT = 60_000

# Bytes over the wire for the page and everything it loaded: the navigation and resource
# timing entries' transferSize (headers included).
TRANSFERRED = """() => {
    const entries = [...performance.getEntriesByType("navigation"),
                     ...performance.getEntriesByType("resource")];
    return entries.map(e => [e.name, e.transferSize, e.decodedBodySize]);
}"""


def settle(page, name: str) -> None:
    """Wait until what scripts add to the page is there."""
    page.wait_for_load_state("networkidle")
    if name == "search":
        page.locator("#search-results a").first.wait_for()
    elif name in ("home-filtered", "home-by-country"):
        page.locator("#filter-results .tl-list > li").first.wait_for()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_violations(open_context, site, name, scheme):
    context, _ = open_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(site.url(PAGES[name]))
    settle(page, name)
    violations = run_axe(page)
    assert violations == [], violations


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_horizontal_scrolling_at_360_px(open_context, site, name):
    context, _ = open_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(site.url(PAGES[name]))
    settle(page, name)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


@pytest.mark.parametrize("name", ("home", "entry"))
def test_pages_weigh_under_60_kb_before_search_is_used(open_context, site, figures, name):
    context, _ = open_context()
    page = context.new_page()
    page.goto(site.url(PAGES[name]))
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate(TRANSFERRED)
    transferred = sum(sent for _, sent, _ in loaded)
    decoded = sum(size for _, _, size in loaded)
    figures.setdefault("page_weight", {})[name] = {
        "transferred_bytes": transferred, "uncompressed_bytes": decoded,
        "files": {url.removeprefix(site.url()) or "/": [sent, size] for url, sent, size in loaded}}
    assert all(sent > 0 for _, sent, _ in loaded), loaded     # every file was measured
    assert not any("/searchindex/" in url or "/filter/" in url for url, _, _ in loaded)
    assert transferred < PAGE_WEIGHT_LIMIT, loaded


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", (360, 1280))
def test_screenshots(open_context, site, width, scheme):
    height = 740 if width == 360 else 900
    context, _ = open_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("home", "entry", "relation"):
        page.goto(site.url(PAGES[name]))
        page.wait_for_load_state("networkidle")
        path = folder / f"{name}-{width}-{scheme}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 5_000


def test_event_screenshots(open_context, event_site):
    # The README's picture of an event: the home timeline showing the signing once with its
    # three reports, and an entry page's "Also reported by".
    context, _ = open_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.goto(event_site.url())
    page.wait_for_load_state("networkidle")
    reports = page.locator(".tl-reports")
    assert reports.inner_text() == "3 reports: Sputnik, TASS, Xinhua"
    reports.scroll_into_view_if_needed()
    home = folder / "event-home-1280-light.png"
    page.screenshot(path=str(home))
    page.goto(event_site.url("2023/03/21/tass/"))
    page.wait_for_load_state("networkidle")
    also = page.locator(".also-reported")
    assert also.locator("li").count() == 2
    also.scroll_into_view_if_needed()
    entry = folder / "event-entry-1280-light.png"
    page.screenshot(path=str(entry))
    for path in (home, entry):
        assert path.stat().st_size > 5_000
