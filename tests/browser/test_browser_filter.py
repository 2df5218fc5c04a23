"""The timeline filter: facets combined, counts beside each choice, the state in the URL, plain
links without JavaScript, and how fast a filter applies at 10,000 entries."""

from __future__ import annotations

import datetime
import gzip
import json
import re
import statistics
import sys
from pathlib import Path

import pytest

from conftest import (PLACES, RECORD_LAYOUT_SHIFTS, SEED_PATH, SEED_TAGS, SUB_PATH,
                      layout_shifts, slow_scripts)
from site_builder.core.config import Config
from site_builder.model.records import Entry
from site_builder.model.site import build_site
from site_builder.core import countrydata
from site_builder.model.countries import Recognizer
from site_builder.outputs.filterindex import decode_index
from site_builder.outputs.plan import build_plan

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

STATUS = "#filter-status"
SEED_YEAR = 2022
SEED_COUNTRIES = {"ru", "cn"}           # its tags russia, moscow, china; its dateline BEIJING
# The countries the fixture's tags and datelines name (conftest's TAG_POOL and PLACES): Geneva
# is neither a capital nor a city of a million, so it names none.
TAG_COUNTRY = {"russia": "ru", "china": "cn"}
PLACE_COUNTRY = {"NEW YORK": "us", "BRUSSELS": "be", "VIENNA": "at", "ASTANA": "kz"}
NAMES = {"ru": "Russia", "cn": "China", "us": "United States",
         "be": "Belgium", "at": "Austria", "kz": "Kazakhstan"}


def shown_paths(page, site) -> set[str]:
    """Return the URL paths (below the site root) of the entries the filter shows."""
    hrefs = page.eval_on_selector_all("#filter-results .tl-list > li > a", "links => links.map(a => a.href)")
    return {h.removeprefix(site.url()) for h in hrefs}


def matching(site, tags=(), year=None) -> set[str]:
    """Return the URL paths of the entries with all tags (and of that year)."""
    found = {e.path for e in site.entries if set(tags) <= set(e.tags)
             and year in (None, e.date.year)}
    if set(tags) <= SEED_TAGS and year in (None, SEED_YEAR):
        found.add(SEED_PATH)
    return found


def countries_of(entry) -> set[str]:
    """Return the lower-case codes of the countries a generated entry's tags and dateline name."""
    number = int(entry.slug.rsplit("-", 1)[1])
    place = PLACES[number % len(PLACES)]
    return {TAG_COUNTRY[t] for t in entry.tags if t in TAG_COUNTRY} | (
        {PLACE_COUNTRY[place]} if place in PLACE_COUNTRY else set())


def with_countries(site, codes, year=None) -> set[str]:
    """Return the URL paths of the entries involving every country in codes (and of that year)."""
    found = {e.path for e in site.entries if set(codes) <= countries_of(e)
             and year in (None, e.date.year)}
    if set(codes) <= SEED_COUNTRIES and year in (None, SEED_YEAR):
        found.add(SEED_PATH)
    return found


def flag(code: str) -> str:
    """Return a country's flag: its two regional indicator letters."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("a")) for letter in code)


def open_filter(page) -> None:
    """Open the filter's panel and wait for its choices."""
    page.get_by_role("button", name=re.compile("^(Filter|Narrow) ")).click()
    page.locator("#filter-tag option").nth(1).wait_for(state="attached")


def add(page, facet: str, key: str) -> None:
    """Choose a value of a facet and press Add."""
    page.select_option(f"#filter-{facet}", key)
    page.get_by_role("button", name="Add", exact=True).click()


def options(page, facet: str) -> dict[str, str]:
    """Return a facet's offered values and their text."""
    return dict(page.eval_on_selector_all(f"#filter-{facet} option",
                                          "o => o.filter(x => x.value).map(x => [x.value, x.text])"))


def test_tag_and_year_combine_across_the_whole_timeline_with_counts(page, site):
    page.goto(site.url())
    # The form replaced the links: they keep their place (no layout shift), unseen and unheard.
    links = page.locator(".facet-links")
    assert links.is_hidden()
    assert page.get_by_role("link", name="relation", exact=True).count() == 0
    open_filter(page)
    assert page.locator("#filter-toggle").get_attribute("aria-expanded") == "true"
    russia = matching(site, ["russia"])
    assert options(page, "tag")["russia"] == f"russia ({len(russia)})"
    add(page, "tag", "russia")
    page.locator(STATUS, has_text=f"{len(russia)} entries with tag “russia”.").wait_for()
    assert shown_paths(page, site) == russia
    assert not page.locator("#listing").is_visible()
    assert page.url == site.url("?tag=russia")

    # Beside each further choice, how many entries it would leave.
    years = options(page, "year")
    expected = {str(y): len(matching(site, ["russia"], y)) for y in range(2019, 2024)}
    assert years == {y: f"{y} ({n})" for y, n in expected.items() if n}
    tags = options(page, "tag")
    assert "russia" not in tags
    assert tags["china"] == f"china ({len(matching(site, ['russia', 'china']))})"

    year = max(expected, key=expected.get)
    add(page, "year", year)
    both = matching(site, ["russia"], int(year))
    assert 0 < len(both) < len(russia)
    page.locator(STATUS, has_text=f"{len(both)} entr").wait_for()
    assert page.locator(STATUS).inner_text().endswith(f"with tag “russia” and year “{year}”.")
    assert shown_paths(page, site) == both
    assert page.url == site.url(f"?tag=russia&year={year}")
    assert options(page, "year") == {}                        # no other year leaves any entry
    dates = page.eval_on_selector_all("#filter-results time", "t => t.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)               # newest first, like the timeline


def test_the_state_is_in_the_url_survives_reload_and_resets(page, site):
    page.goto(site.url("?tag=russia&tag=china"))
    both = matching(site, ["russia", "china"])
    page.locator(STATUS, has_text=f"{len(both)} entries with tag “russia” and tag “china”").wait_for()
    assert shown_paths(page, site) == both
    chips = page.eval_on_selector_all("#filter-chips button", "b => b.map(e => e.dataset.key)")
    assert chips == ["russia", "china"]
    page.reload()
    page.locator(STATUS, has_text=f"{len(both)} entries").wait_for()
    assert shown_paths(page, site) == both

    length = page.evaluate("history.length")
    page.get_by_role("button", name="Remove tag russia").click()
    china = matching(site, ["china"])
    page.locator(STATUS, has_text=f"{len(china)} entries with tag “china”.").wait_for()
    assert page.url == site.url("?tag=china")
    assert page.evaluate("history.length") == length           # replaced, not a new entry
    assert shown_paths(page, site) <= china

    page.get_by_role("link", name="Reset the filter").click()
    assert page.locator("#listing").is_visible()
    assert not page.locator("#filter-results").is_visible()
    assert page.url == site.url()


def test_countries_are_read_from_the_url_named_with_flags_counted_and_reset(page, site):
    page.goto(site.url("?country=ru&country=cn"))
    both = with_countries(site, ["ru", "cn"])
    assert len(both) > 1
    page.locator(STATUS, has_text=f"{len(both)} entries with country “Russia” and country “China”.").wait_for()
    assert shown_paths(page, site) == both
    assert page.url == site.url("?country=ru&country=cn")
    chips = page.eval_on_selector_all("#filter-chips button", "b => b.map(e => e.textContent)")
    assert chips == ["country: Russia×", "country: China×"]
    # Beside each further country and pair, flags, names and how many entries it would leave.
    expected = {code: len(with_countries(site, ["ru", "cn", code])) for code in NAMES}
    assert options(page, "country") == {code: f"{flag(code)} {NAMES[code]} ({n})"
                                        for code, n in expected.items() if n and code not in ("ru", "cn")}
    assert options(page, "relation")["cn-ru"] == f"{flag('cn')} {flag('ru')} China – Russia ({len(both)})"
    assert "kz-ru" in options(page, "relation")
    add(page, "country", "kz")
    three = with_countries(site, ["ru", "cn", "kz"])
    page.locator(STATUS, has_text=f"{len(three)} entr").wait_for()
    assert shown_paths(page, site) == three
    assert page.url == site.url("?country=ru&country=cn&country=kz")
    page.get_by_role("link", name="Reset the filter").click()
    assert page.locator("#listing").is_visible()
    assert page.url == site.url()


def test_a_relation_and_a_year_are_read_written_and_counted(page, site):
    page.goto(site.url("?year=2022&relation=cn-ru"))
    pair = with_countries(site, ["cn", "ru"], SEED_YEAR)
    page.locator(STATUS, has_text=f"{len(pair)} entr").wait_for()
    assert page.locator(STATUS).inner_text().endswith("with year “2022” and relation “China – Russia”.")
    assert shown_paths(page, site) == pair
    assert page.url == site.url("?year=2022&relation=cn-ru")     # facets in the index's order
    tags = options(page, "tag")
    assert tags["russia"] == f"russia ({len(pair)})"                # every Russian entry's tag
    for name, slug in (("energy", "energy"), ("sanctions", "sanctions"), ("united nations", "united-nations")):
        count = len(pair & matching(site, [name]))
        assert tags.get(slug) == (f"{name} ({count})" if count else None)
    page.get_by_role("button", name="Remove year 2022").click()
    every_year = with_countries(site, ["cn", "ru"])
    page.locator(STATUS, has_text=f"{len(every_year)} entries with relation “China – Russia”.").wait_for()
    assert page.url == site.url("?relation=cn-ru")
    assert options(page, "year") == {str(y): f"{y} ({n})" for y in range(2023, 2018, -1)
                                     if (n := len(with_countries(site, ["cn", "ru"], y)))}


def test_back_leaves_a_shared_view_for_the_page_before(page, site):
    page.goto(site.url("tags/"))
    page.goto(site.url("?year=2021"))
    page.locator(STATUS, has_text=f"{len(matching(site, year=2021))} entries with year “2021”").wait_for()
    page.go_back()
    page.wait_for_url(site.url("tags/"))
    page.go_forward()
    page.locator(STATUS, has_text="with year “2021”").wait_for()


def test_the_form_of_earlier_versions_still_works(page, site):
    page.goto(site.url("?tags=russia,china"))
    page.locator(STATUS, has_text=f"{len(matching(site, ['russia', 'china']))} entries").wait_for()
    assert page.url == site.url("?tag=russia&tag=china")


def test_a_tag_page_narrows_its_own_tag(page, site):
    page.goto(site.url("tags/united-nations/"))
    open_filter(page)
    expected = matching(site, ["united nations", "european union"])
    assert len(expected) > 1
    offered = options(page, "tag")
    assert offered["european-union"] == f"european union ({len(expected)})"
    assert "united-nations" not in offered and "sanctions" not in offered   # none would be left
    add(page, "tag", "european-union")
    page.locator(STATUS, has_text=re.compile(
        rf"^{len(expected)} entries with tag “united nations” and tag “european union”")).wait_for()
    assert shown_paths(page, site) == expected
    assert page.url == site.url("tags/united-nations/?tag=european-union")


def test_only_the_index_and_the_shown_entries_chunks_load(open_context, site):
    context, requests = open_context()
    page = context.new_page()
    page.goto(site.url())
    page.wait_for_load_state("networkidle")
    assert not any("/filter/" in u for u in requests.urls)
    open_filter(page)
    add(page, "year", "2019")
    page.locator(STATUS, has_text="with year “2019”").wait_for()
    page.wait_for_load_state("networkidle")
    index = json.loads((site.public / "filter/index.json").read_text(encoding="utf-8"))
    # 2019's entries are the oldest: the last positions of the listing, in the last chunk or two.
    shown = range(index["entries"] - len(matching(site, year=2019)), index["entries"])
    chunks = sorted({position // index["chunk"] for position in shown})
    assert chunks[-1] == (index["entries"] - 1) // index["chunk"] > 0
    assert [u for u in requests.urls if "/filter/" in u] == [site.url("filter/index.json")] + [
        site.url(f"filter/entries-{number}.json?v={index['version']}") for number in chunks]


def test_unknown_and_prototype_keys_are_unknown_values_not_errors(page, site):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for key in ("__proto__", "toString", "atlantis"):
        page.goto(site.url(f"?tag={key}"))
        page.locator(STATUS, has_text=f"0 entries with tag “{key}” (none has tag “{key}”).").wait_for()
        assert not page.locator("#listing").is_visible()
    page.goto(site.url("?country=constructor&year=2021"))
    page.locator(STATUS, has_text="0 entries with country “constructor” and year “2021”").wait_for()
    page.get_by_role("button", name="Remove country constructor").click()
    page.locator(STATUS, has_text=f"{len(matching(site, year=2021))} entries with year “2021”.").wait_for()
    assert errors == []


def test_without_javascript_the_facets_are_plain_links(open_context, site):
    context, _ = open_context(java_script_enabled=False)
    page = context.new_page()
    for path in ("", "tags/china/", "?tag=russia&year=2021"):
        page.goto(site.url(path))
        hrefs = page.eval_on_selector_all("#timeline-filter a", "a => a.map(x => x.href)")
        assert hrefs == [site.url("tags/"), site.url("archive/"), site.url("countries/"),
                         site.url("relations/")]
        assert page.locator("#timeline-filter select, #timeline-filter button").count() == 0
        assert page.locator("#listing").is_visible()
    page.locator("#timeline-filter a", has_text="year").click()
    page.wait_for_url(site.url("archive/"))
    page.go_back()
    page.locator("#timeline-filter a", has_text="relation").click()
    page.wait_for_url(site.url("relations/"))


# --- how fast a filter applies at 10,000 entries ----------------------------------------------

# In the page: resolve with ms from the submit that adds a choice to the first animation frame
# after the results for the new address are in the page.
ARM = """() => {
    const results = document.querySelector('#filter-results');
    window.__latency = new Promise((resolve, reject) => {
        let start = null;
        document.addEventListener('submit', () => { start = performance.now(); },
                                  {capture: true, once: true});
        const check = () => {
            if (start !== null && results.getAttribute('data-query') === location.search) {
                observer.disconnect();
                requestAnimationFrame(() => resolve(performance.now() - start));
            }
        };
        const observer = new MutationObserver(check);
        observer.observe(results, {childList: true, subtree: true, attributes: true});
        setTimeout(() => reject(new Error('no results')), 10000);
    });
}"""


def large_site_files(count: int = 10000) -> dict[str, bytes]:
    """Return the filter's files for the benchmark corpus of count entries (500 tags by Zipf
    frequency, 60 countries named by tags, capitals and datelines, ~1,770 pairs), as a build
    plans them."""
    entries = []
    for article in generate.make_articles(count, seed=1, countries="any"):
        instant = datetime.datetime(article.date.year, article.date.month, article.date.day,
                                    tzinfo=datetime.timezone.utc)
        entries.append(Entry(path=f"content/{article.slug}.md", title=article.title,
                             slug=article.slug, instant=instant, date=article.date,
                             tags=article.tags, dateline=article.dateline))
    config = Config()
    recognizer = Recognizer(countrydata.name_table(), countrydata.country_codes(), config.countries)
    site = build_site(entries, config, recognizer=recognizer,
                      country_names=countrydata.english_names())
    return {o.path.removeprefix("filter/"): o.make(o.view) for o in build_plan(site, config)
            if o.path.startswith("filter/")}


def test_a_filter_applies_within_50_ms_at_10000_entries(open_context, site, served_root, figures):
    """The home page's filter, given the files of a 10,000-entry site served beside it: choices
    of a tag (frequent to rare), then a year on top, and of a country, then a relation on top,
    timed from Add to the frame that shows the results."""
    files = large_site_files()
    table = decode_index(files["index.json"])
    by_count = sorted(table["tag"], key=lambda key: -len(table["tag"][key][2]))
    tags = by_count[::len(by_count) // 12][:12]
    assert len(table["country"]) == 60 and len(table["relation"]) > 1700
    large = served_root / "large"
    (large / "filter").mkdir(parents=True)
    for name, data in files.items():
        (large / "filter" / name).write_bytes(data)
    home = (site.public / "index.html").read_text(encoding="utf-8")
    (large / "index.html").write_text(home.replace(
        f'data-index="/{SUB_PATH}/filter/index.json"', 'data-index="/large/filter/index.json"'),
        encoding="utf-8")
    context, requests = open_context()
    page = context.new_page()
    page.goto(site.url("/").removesuffix(f"{SUB_PATH}/") + "large/")
    open_filter(page)
    times = []
    # Twelve tags, frequent to rare, and four countries: a median of 32 filters stands a busy
    # machine's pauses.
    for facet, key, then in ([("tag", tag, "year") for tag in tags] +
                             [("country", code, "relation") for code in ("ru", "cn", "kz", "mn")]):
        page.evaluate(ARM)
        add(page, facet, key)
        times.append(page.evaluate("() => window.__latency"))
        if len(times) == 1:          # the first filter: the index and the chunks it shows
            fetched = [u.rsplit("/", 1)[1].split("?")[0] for u in requests.urls
                       if "/large/filter/" in u]
            first_filter = sum(len(gzip.compress(files[name])) for name in fetched)
        page.evaluate(ARM)
        add(page, then, next(iter(options(page, then))))
        times.append(page.evaluate("() => window.__latency"))
        page.get_by_role("link", name="Reset the filter").click()
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    figures["filter_ms"] = {"median_ms": round(median, 1), "p90_ms": round(p90, 1),
                            "max_ms": round(max(times), 1),
                            "filters": len(times), "entries": 10000, "each_ms": times,
                            "index_gzip_bytes": len(gzip.compress(files["index.json"])),
                            "first_filter_gzip_bytes": first_filter}
    print(f"\nfilter at 10,000 entries: median {median:.0f} ms, p90 {p90:.0f} ms, "
          f"max {max(times):.0f} ms; "
          f"the first filter fetched {first_filter} bytes gzipped")
    assert median < 50, times
    assert first_filter < 150_000


@pytest.mark.parametrize("width, height", [(360, 800), (1280, 900)])
def test_the_filter_form_takes_the_place_of_its_links_without_shifting_the_page(
        open_context, site, width, height):
    """The form the script puts in place of the plain links, painted first, moves nothing: on
    home and on a tag page, at phone and desktop widths, with the script arriving late."""
    context, _ = open_context(viewport={"width": width, "height": height})
    context.add_init_script(RECORD_LAYOUT_SHIFTS)
    slow_scripts(context)
    page = context.new_page()
    for path in ("", "tags/united-nations/"):
        page.goto(site.url(path))
        page.locator("#filter-toggle").wait_for()
        page.wait_for_load_state("networkidle")
        assert layout_shifts(page) == [], path


def test_the_header_counts_what_the_filter_shows(page, site):
    page.goto(site.url())
    header = page.locator(".page-header .page-meta")
    assert re.search(r"\b41 entries\.", header.inner_text()) and "Page 1 of 3" in header.inner_text()
    open_filter(page)
    add(page, "year", "2021")
    expected = len(matching(site, year=2021))
    page.locator(STATUS, has_text=f"{expected} entries with year “2021”.").wait_for()
    assert header.inner_text().endswith(f" {expected} entries with year “2021”.")
    assert "Page" not in header.inner_text()        # the results are one list, not pages
    page.get_by_role("link", name="Reset the filter").click()
    page.locator("#listing").wait_for()
    assert re.search(r"\b41 entries\.", header.inner_text()) and "Page 1 of 3" in header.inner_text()
    # A tag page counts its own tag with the one chosen.
    page.goto(site.url("tags/united-nations/?tag=european-union"))
    both = len(matching(site, ["united nations", "european union"]))
    page.locator(STATUS, has_text=f"{both} entries with tag").wait_for()
    assert header.inner_text().startswith(
        f"{both} entries with tag “united nations” and tag “european union” · Atom feed")
