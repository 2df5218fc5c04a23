"""Full-text search: Pagefind's index, its tag and year filters and date sort, under /repo/."""

from __future__ import annotations

import statistics

from conftest import LEAD_WORD, SEED_PATH, TAG_WORD, TITLE_WORD

RESULT_LINK = "#search .pagefind-ui__result-link"
SEARCH_INPUT = "#search .pagefind-ui__search-input"

# In the page: put `word` in Pagefind's search box as typing does, and resolve with the
# milliseconds until a result link reading `title` is shown.
TIME_SEARCH = """async ([word, title]) => {
    const input = document.querySelector("#search .pagefind-ui__search-input");
    const root = document.querySelector("#search");
    const shown = () => [...root.querySelectorAll(".pagefind-ui__result-link")]
        .some(a => a.textContent.trim() === title);
    return await new Promise((resolve, reject) => {
        const start = performance.now();
        const observer = new MutationObserver(() => {
            if (shown()) { observer.disconnect(); resolve(performance.now() - start); }
        });
        observer.observe(root, {childList: true, subtree: true, characterData: true});
        setTimeout(() => { observer.disconnect(); reject(new Error("no result for " + word)); }, 5000);
        input.value = word;
        input.dispatchEvent(new Event("input", {bubbles: true}));
    });
}"""


def test_the_build_made_a_search_index(site):
    bundle = site.public / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-ui.js").is_file()
    assert "search index not built" not in site.build_output


def test_header_search_finds_a_word_of_the_seed_body_and_opens_it(page, site):
    page.goto(site.url())
    page.get_by_role("searchbox", name="Search entries").fill("telegram")
    page.get_by_role("searchbox", name="Search entries").press("Enter")
    page.wait_for_url(site.url("search/?q=telegram"))
    link = page.locator(RESULT_LINK).first
    link.wait_for()
    assert page.locator(RESULT_LINK).count() == 1
    assert link.inner_text().strip() == site.seed_title
    assert link.get_attribute("href") == "/repo/" + SEED_PATH
    assert not page.locator("#search-fallback").is_visible()
    link.click()
    page.wait_for_url(site.url(SEED_PATH))
    assert page.locator("h1").inner_text().strip() == site.seed_title


def test_search_covers_titles_leads_bodies_and_tags(page, site):
    page.goto(site.url("search/"))
    page.locator(SEARCH_INPUT).wait_for()
    by_number = dict(enumerate(site.entries))
    for word, expected in ((by_number[3].word, by_number[3].title),            # body
                           (TITLE_WORD[1], by_number[TITLE_WORD[0]].title),
                           (LEAD_WORD[1], by_number[LEAD_WORD[0]].title),
                           (TAG_WORD[1], by_number[TAG_WORD[0]].title)):
        page.locator(SEARCH_INPUT).fill(word)
        page.locator(RESULT_LINK, has_text=expected).first.wait_for()
        assert page.locator(RESULT_LINK).count() == 1, word


def test_pagefind_tag_and_year_filters_and_date_sort_work(page, site):
    page.goto(site.url("search/"))
    page.locator(SEARCH_INPUT).wait_for()
    found = page.evaluate("""async () => {
        const pagefind = await import("/repo/pagefind/pagefind.js");
        await pagefind.init();
        const filters = await pagefind.filters();
        const both = await pagefind.search(null, {filters: {tag: {all: ["russia", "china"]}}});
        const year = await pagefind.search(null, {filters: {year: "2021"}});
        const sorted = await pagefind.search("consultations", {sort: {date: "desc"}});
        const data = await Promise.all(sorted.results.slice(0, 10).map(r => r.data()));
        const urls = await Promise.all(both.results.map(r => r.data().then(d => d.url)));
        return {filters: Object.keys(filters).sort(), tags: Object.keys(filters.tag || {}),
                both: urls, year: year.results.length, dates: data.map(d => d.meta.date)};
    }""")
    assert found["filters"] == ["tag", "year"]
    assert {"russia", "china", "united nations"} <= set(found["tags"])
    assert {u.removeprefix("/repo/") for u in found["both"]} == site.tagged("russia", "china")
    assert found["year"] == sum(e.date.year == 2021 for e in site.entries)
    assert len(found["dates"]) == 10 and found["dates"] == sorted(found["dates"], reverse=True)


def test_search_results_follow_typing_within_100_ms(page, site, figures):
    page.goto(site.url("search/"))
    page.locator(SEARCH_INPUT).wait_for()
    words = [e for e in site.entries if e.word]
    cold = page.evaluate(TIME_SEARCH, [words[0].word, words[0].title])
    warm = [page.evaluate(TIME_SEARCH, [e.word, e.title]) for e in words[1:]]
    median = statistics.median(warm)
    figures["search_ms"] = {"first_query_ms": round(cold, 1), "median_ms": round(median, 1),
                            "max_ms": round(max(warm), 1), "queries": len(warm),
                            "entries": len(site.entries) + 1}
    print(f"\nsearch: first query {cold:.0f} ms, then median {median:.0f} ms, max {max(warm):.0f} ms")
    assert median < 100, warm
