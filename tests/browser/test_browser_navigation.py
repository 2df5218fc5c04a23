"""Moving around the site as a reader does: by clicking, with and without JavaScript."""

from __future__ import annotations

import re

from conftest import SEED_PATH


def heading(page) -> str:
    """Return the text of the page's h1."""
    return page.locator("h1").inner_text().strip()


def test_home_tag_entry_day_year_by_clicking(page, site):
    page.goto(site.url())
    assert page.get_by_role("link", name="Timeline", exact=True).get_attribute("aria-current") == "page"
    assert page.locator(".tl-list > li").count() == 20            # first page of 41 entries

    page.locator(".timeline .tl-meta a", has_text=re.compile(r"^china$")).first.click()
    page.wait_for_url(site.url("tags/china/"))
    assert heading(page) == "china"
    first_entry = page.locator(".tl-list > li > a").first
    title = first_entry.inner_text().strip()

    first_entry.click()
    page.wait_for_url(re.compile(r"/repo/\d{4}/\d\d/\d\d/[\w-]+/$"))
    assert heading(page) == title
    entry_url = page.url
    entry_path = re.sub(r"^https?://[^/]+", "", entry_url)
    day_url = entry_url.rsplit("/", 2)[0] + "/"
    day_link = page.locator(f'.entry-date time a[href="{entry_path.rsplit("/", 2)[0]}/"]')
    day_label = page.locator(".entry-date time").inner_text().strip()    # "8 March 2019"

    if day_link.count():        # the day lists several entries: the entry links it
        day_link.click()
        page.wait_for_url(day_url)
    else:                       # one entry: its day page points back here, so is not linked,
        page.goto(day_url)      # but it still answers
    assert heading(page) == day_label
    # a day lists its entries, or, with one entry, is a small page pointing to it
    assert page.locator(f'main a[href="{entry_path}"]', has_text=title).count() == 1

    year = day_label.split()[-1]
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=year, exact=True).click()
    page.wait_for_url(site.url(f"{year}/"))
    assert heading(page) == year
    assert page.locator(".children .period-list a").count() >= 1


def test_every_link_on_the_home_page_stays_under_the_base_path(page, site):
    page.goto(site.url())
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    own = [h for h in hrefs if h.startswith("http://127.0.0.1")]
    assert own and all(h.startswith(site.url()) for h in own), own


def test_unknown_path_shows_the_404_page_with_working_links(page, site):
    response = page.goto(site.url("no/such/page/"))
    assert response.status == 404
    assert heading(page) == "Page not found"
    page.get_by_role("link", name="Browse by tag").click()
    page.wait_for_url(site.url("tags/"))
    assert heading(page) == "Tags"


def test_without_javascript_every_view_still_shows_its_content(open_context, site):
    context, _ = open_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(site.url())
    assert page.locator(".tl-list > li").count() == 20
    assert page.locator("#timeline-filter select").count() == 0   # the filter needs JavaScript
    assert page.locator(".pager a[rel=next]").is_visible()

    page.goto(site.url("tags/china/"))
    assert heading(page) == "china"
    assert page.locator(".tl-list > li").count() >= 5
    assert page.get_by_role("link", name=site.seed_title).is_visible()

    page.goto(site.url(SEED_PATH))
    assert heading(page) == site.seed_title
    assert "telegram" in page.locator(".entry-body").inner_text()

    page.goto(site.url("search/?q=telegram"))
    assert page.locator("#search-fallback").is_visible()
    assert page.locator("#search-fallback a", has_text="tag").is_visible()


def test_no_request_leaves_127_0_0_1(open_context, site):
    context, requests = open_context()
    page = context.new_page()
    for path in ("", "page/2/", "tags/", "tags/china/", SEED_PATH, "2022/", "2022/12/",
                 "2022/12/31/", "archive/", "search/?q=telegram", "404.html", "?tag=russia&tag=china"):
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
    assert len(requests.urls) > 12
    assert any("/searchindex/words/" in u for u in requests.urls)   # search really ran
    assert any(u.endswith("/filter/index.json") for u in requests.urls)
    assert requests.foreign() == []


def test_the_overview_is_one_tab_stop_a_row_and_the_arrow_keys_open_a_year(page, site):
    page.goto(site.url())
    overview = page.locator("nav.overview")
    years = overview.locator(".ov-years a")
    assert years.count() >= 2
    assert overview.locator('.ov-years a[tabindex="0"]').count() == 1
    assert overview.locator('.ov-months:not([hidden])').count() == 1
    assert overview.locator('.ov-months:not([hidden]) a[tabindex="0"]').count() == 1
    height = overview.bounding_box()["height"]
    second = years.nth(1).get_attribute("data-year")

    years.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.year") == second
    assert overview.locator(".ov-months:not([hidden])").get_attribute("data-year") == second
    assert overview.bounding_box()["height"] == height          # the months open in place
    page.keyboard.press("Tab")                                  # into the open year's months
    assert page.evaluate("document.activeElement.closest('.ov-months').dataset.year") == second
    page.keyboard.press("Tab")                                  # and out of the overview
    assert page.evaluate("!document.activeElement.closest('.overview')")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.year") == second   # it kept its place
