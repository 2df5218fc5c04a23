"""Reading a large timeline: issue 20's targets that hold without network emulation, on a
2,000-entry site over 26 years (the benchmark corpus, built with search), and the tags index's
find box and letter jumps. The measuring functions are benchmarks/reader_figures.py's, which
benchmarks/reader.py runs on 10,000 entries."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import reader_figures as figures  # noqa: E402

ENTRIES = 2000
YEARS = 26
SUB_PATH = "reader"


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory):
    """The 2,000-entry site, built and served; yields (public folder, base URL, traffic)."""
    folder = tmp_path_factory.mktemp("reader")
    figures.write_corpus(folder / "site", ENTRIES, YEARS)
    parent = folder / "served"
    parent.mkdir()
    server, base, traffic = figures.serve(folder / "site" / "public", SUB_PATH, parent)
    figures.build(folder / "site", base)
    yield folder / "site" / "public", base, traffic
    server.shutdown()
    server.server_close()


@pytest.fixture
def phone(chromium):
    """A page in a fresh phone-sized context."""
    context = chromium.new_context(viewport=figures.PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def test_the_site_spans_twenty_years_and_more(reader_site):
    public, _, _ = reader_site
    assert len(list(public.glob("[0-9]" * 4))) >= 20


def test_the_first_entry_is_on_the_first_phone_screen(reader_site, phone):
    _, base, _ = reader_site
    top = figures.first_entry_top(phone, base)
    print(f"\nhome on a phone: the first entry starts at {top:.0f} px")
    assert top <= figures.TARGETS["first_entry_px"]


def test_the_first_entry_is_a_few_tab_presses_away(reader_site, phone):
    _, base, _ = reader_site
    presses = figures.tab_presses_to_first_entry(phone, base, limit=400)
    print(f"\nTab presses to the first entry: {presses}")
    assert presses is not None and presses <= figures.TARGETS["tab_presses"]


def test_the_search_page_is_light_before_the_first_key(reader_site, phone):
    _, base, _ = reader_site
    size, requests = figures.search_page_load(phone, base)
    print(f"\nsearch page before the first key: {size} bytes in {requests} requests")
    assert size <= figures.TARGETS["search_bytes"]
    assert requests <= figures.TARGETS["search_requests"]


def test_a_two_word_query_adds_little(reader_site, phone):
    _, base, _ = reader_site
    query = figures.query_downloads(phone, base)
    print(f"\na two-word query adds {query['bytes']} bytes in {query['requests']} requests")
    assert query["bytes"] <= figures.TARGETS["query_bytes"]
    # Typed key by key: a words chunk per prefix at most, no facet, and no file fetched twice
    # (chunks and fragments stay in the page).
    assert query["facets"] == 0 and 2 <= query["chunks"] <= sum(map(len, figures.QUERY))
    assert query["repeated"] == 0


def test_the_tag_filter_offers_a_tag_within_its_data_budget(reader_site, phone):
    _, base, traffic = reader_site
    size = figures.filter_bytes_to_first_suggestion(phone, base, traffic)
    print(f"\ntag filter data before the first suggestion: {size} bytes gzipped")
    assert 0 < size <= figures.TARGETS["filter_bytes"]


@pytest.mark.parametrize("form", ["phone", "desktop"])
@pytest.mark.parametrize("kind", ["home", "tag", "search", "tags index"])
def test_no_layout_shift(reader_site, chromium, kind, form):
    public, base, traffic = reader_site
    viewport = figures.PHONE if form == "phone" else figures.DESKTOP
    shift = figures.layout_shift(chromium, base + figures.page_kinds(public)[kind], traffic,
                                 viewport)
    print(f"\ncumulative layout shift of {kind} on a {form}: {shift}")
    assert shift == figures.TARGETS["cls"]


# --- the tags index ----------------------------------------------------------------------------

def shown_tags(page) -> list[str]:
    """Return the names of the tags the index shows."""
    return page.locator(".index-section li:visible > a").all_inner_texts()


def test_the_find_box_narrows_the_tags_index(reader_site, phone):
    _, base, _ = reader_site
    phone.goto(base + "tags/")
    every = shown_tags(phone)
    assert len(every) > 300         # the 2,000-entry corpus has about 400 tags: a long index
    box = phone.get_by_role("searchbox", name="Find a tag")
    assert box.is_visible()
    box.fill("Relations")
    narrowed = shown_tags(phone)
    assert narrowed == [name for name in every if "relations" in name.casefold()]
    assert 0 < len(narrowed) < len(every)
    assert phone.locator(".index-find-status").inner_text() == f"{len(narrowed)} shown"
    # Letters left without a tag hide with their jumps.
    visible_letters = phone.locator(".letter-jumps a:visible").all_inner_texts()
    assert visible_letters == sorted({name[0].upper() for name in narrowed})
    box.fill("no tag has this")
    assert shown_tags(phone) == [] and "No tag matches" in phone.locator(
        ".index-find-status").inner_text()
    box.fill("")
    assert shown_tags(phone) == every


def test_letter_jumps_land_on_their_letter(reader_site, phone):
    _, base, _ = reader_site
    phone.goto(base + "tags/")
    jumps = phone.locator(".letter-jumps a")
    assert jumps.count() >= 10
    for n in (jumps.count() // 2, jumps.count() - 1):
        link = jumps.nth(n)
        letter, box = link.inner_text(), link.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (letter, box)
        link.click()
        heading = phone.get_by_role("heading", name=letter, exact=True)
        # The letter's heading comes into view (at the top unless the page ends first).
        phone.wait_for_function("""el => {
            const r = el.getBoundingClientRect();
            return window.scrollY > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
        }""", arg=heading.element_handle())
        assert phone.evaluate("location.hash") == link.get_attribute("href")
        first = phone.locator(f"#{link.get_attribute('href')[1:]} li > a").first.inner_text()
        assert first[0].upper() == letter


def test_without_javascript_the_tags_index_is_complete(reader_site, chromium):
    public, base, _ = reader_site
    context = chromium.new_context(java_script_enabled=False, viewport=figures.PHONE)
    page = context.new_page()
    try:
        for path, file in (("tags/", "tags/index.html"), ("tags/by-count.html",) * 2):
            page.goto(base + path)
            html = (public / file).read_text(encoding="utf-8")
            listed = re.findall(r'<li><a href="[^"]+/tags/[^"]+/">', html)
            assert page.locator(".index-section li:visible > a").count() == len(listed) > 300
            assert not page.get_by_role("searchbox", name="Find a tag").is_visible()  # none dead
        page.goto(base + "tags/")
        page.get_by_role("link", name="By number of entries").click()
        counts = [int(c.split()[0]) for c in page.locator(".count").all_inner_texts()]
        assert counts == sorted(counts, reverse=True)
    finally:
        context.close()
