"""Full-text search: the search page over sitegen's own index (searchindex/), its tag, country and
year filters and date orders, ?q= from the header, under /repo/; and the engine's guarantees: one
words chunk per query word, chunks fetched once a page, a prefix across chunks, no stale answer
over a newer one, an index replaced under an open page noticed."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys

import pytest

from conftest import (LEAD_WORD, RECORD_LAYOUT_SHIFTS, REPO, SEED_PATH, SUB_PATH, TAG_WORD,
                      TITLE_WORD, layout_shifts, slow_scripts)

RESULT_LINK = "#search-results a"
SEARCH_INPUT = "#q"
STATUS = "#search-status"

# In the page: type `word` into the search box as one input event, and resolve with the
# milliseconds until a result link reading `title` is in the page (at the next frame).
TIME_SEARCH = """async ([word, title]) => {
    const input = document.querySelector("#q");
    const root = document.querySelector("#search");
    const shown = () => [...root.querySelectorAll("#search-results a")]
        .some(a => a.textContent.trim() === title);
    return await new Promise((resolve, reject) => {
        const start = performance.now();
        const observer = new MutationObserver(() => {
            if (shown()) {
                observer.disconnect();
                requestAnimationFrame(() => resolve(performance.now() - start));
            }
        });
        observer.observe(root, {childList: true, subtree: true, characterData: true});
        setTimeout(() => { observer.disconnect(); reject(new Error("no result for " + word)); }, 5000);
        input.value = word;
        input.dispatchEvent(new Event("input", {bubbles: true}));
    });
}"""


def open_search(page, site, query: str = ""):
    """Open the search page (with a query string) and wait until it is ready to type into."""
    page.goto(site.url("search/" + query))
    page.locator(SEARCH_INPUT).wait_for()
    page.locator("#search-options").wait_for()      # shown once search.js runs


def results(page) -> list[str]:
    """Return the hrefs of the results shown, below /repo/."""
    return [h.removeprefix(f"/{SUB_PATH}/") for h in
            page.locator(RESULT_LINK).evaluate_all("links => links.map(a => a.getAttribute('href'))")]


def wait_for_results(page, query: str, search: str | None = None) -> None:
    """Wait until the results shown are those of query (and of the whole ?search, if given)."""
    page.wait_for_function("""([q, search]) => {
        const list = document.querySelector("#search-results");
        return list.getAttribute("data-query") === q && !list.hasAttribute("aria-busy")
            && (search === null || list.getAttribute("data-search") === search);
    }""", arg=[query, search])


BUNDLE = "searchindex"
WORDS_CHUNK = f"/{BUNDLE}/words/"
FACET = f"/{BUNDLE}/facets/"


def read_index(public) -> dict:
    """Return a built site's searchindex/index.json."""
    return json.loads((public / BUNDLE / "index.json").read_text(encoding="utf-8"))


def chunks_for(index: dict, word: str) -> list[str]:
    """Return the words chunk files a query word needs (the format's rule, forms in UTF-16 code
    unit order): the last chunk whose first form is at or before the word, then up to two more
    whose first form starts with it."""
    firsts = [first.encode("utf-16-be") for first, _ in index["words"]]
    after = sum(1 for first in firsts if first <= word.encode("utf-16-be"))
    chosen = [after - 1] if after else []
    for n in range(after, len(firsts)):
        if len(chosen) == 3 or not index["words"][n][0].startswith(word):
            break
        chosen.append(n)
    return [index["words"][n][1] for n in chosen]


def test_the_build_made_a_search_index(site):
    index = read_index(site.public)
    assert index["format"] == 1 and index["docs"] == len(site.entries) + 1
    files = [file for _, file in index["words"]] + list(index["facets"].values())
    assert files and all((site.public / BUNDLE / file).is_file() for file in files)
    fragments = site.public / BUNDLE / index["epoch"]
    assert len(list(fragments.glob("*.json"))) == index["docs"]
    assert not (site.public / "pagefind").exists()
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
    assert link.get_attribute("href") == f"/{SUB_PATH}/" + SEED_PATH
    assert page.locator(STATUS).inner_text() == "1 result for \u201ctelegram\u201d"
    assert page.locator("#search-results mark").first.inner_text().lower() == "telegram"
    assert page.get_by_role("searchbox", name="Words to find").input_value() == "telegram"
    assert not page.locator("#search-fallback").is_visible()
    link.click()
    page.wait_for_url(site.url(SEED_PATH))
    assert page.locator("h1").inner_text().strip() == site.seed_title


def test_search_covers_titles_leads_bodies_and_tags(page, site):
    open_search(page, site)
    by_number = dict(enumerate(site.entries))
    for word, expected in ((by_number[3].word, by_number[3].title),            # body
                           (TITLE_WORD[1], by_number[TITLE_WORD[0]].title),
                           (LEAD_WORD[1], by_number[LEAD_WORD[0]].title),
                           (TAG_WORD[1], by_number[TAG_WORD[0]].title)):
        page.locator(SEARCH_INPUT).fill(word)
        page.locator(RESULT_LINK, has_text=expected).first.wait_for()
        assert page.locator(RESULT_LINK).count() == 1, word


def test_typing_keeps_the_query_in_the_address_and_shows_ten_then_more(page, site):
    open_search(page, site)
    page.locator(SEARCH_INPUT).press_sequentially("consultations", delay=30)
    wait_for_results(page, "consultations")
    assert page.url == site.url("search/?q=consultations")
    total = len(site.entries)                 # every generated entry, not the seed
    assert page.locator(STATUS).inner_text() == f"{total} results for \u201cconsultations\u201d"
    assert page.locator(RESULT_LINK).count() == 10
    page.get_by_role("button", name="More results").click()
    page.wait_for_function("document.querySelectorAll('#search-results a').length === 20")
    # Keyboard users land on the first new result.
    assert page.evaluate("document.activeElement === document.querySelectorAll('#search-results a')[10]")
    shown = results(page)
    assert len(set(shown)) == 20 and set(shown) <= {e.path for e in site.entries}


def test_tag_and_year_filters_and_date_order_in_the_page(page, site):
    open_search(page, site, "?q=consultations")
    wait_for_results(page, "consultations")
    page.wait_for_function("document.querySelectorAll('#search-tag option').length > 5")
    page.locator("#search-tag").select_option("russia")
    page.locator("#search-year").select_option("2021")
    page.locator("#search-sort").select_option("newest")
    wait_for_results(page, "consultations", "q=consultations&tag=russia&year=2021&sort=newest")
    assert page.locator(STATUS).inner_text().endswith("for \u201cconsultations\u201d, tagged "
                                                      "russia, in 2021")
    expected = [e for e in site.entries if "russia" in e.tags and e.date.year == 2021]
    assert expected, "the test site has such entries"
    assert sorted(results(page)) == sorted(e.path for e in expected)
    dates = page.locator("#search-results time").evaluate_all("t => t.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True) and len(dates) == len(expected)
    assert page.url == site.url("search/?q=consultations&tag=russia&year=2021&sort=newest")
    # The option counts follow the results: russia has them all.
    page.wait_for_function("(n) => document.querySelector(\"#search-tag option[value='russia']\")"
                           ".textContent === `russia (${n})`", arg=len(expected))


def test_a_shared_address_with_filters_alone_lists_the_newest_first(page, site):
    open_search(page, site, "?tag=china&year=2022")
    wait_for_results(page, "", "tag=china&year=2022")
    expected = {path for path in site.tagged("china") if path.startswith("2022/")}
    assert SEED_PATH in expected
    assert sorted(results(page)) == sorted(expected)
    dates = page.locator("#search-results time").evaluate_all("t => t.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)
    assert page.locator("#search-tag").input_value() == "china"
    assert page.locator("#search-year").input_value() == "2022"


def test_the_country_filter_keeps_its_state_in_the_address(page, site):
    open_search(page, site, "?country=China")
    wait_for_results(page, "", "country=China")
    expected = site.tagged("china")    # the test site's only way to involve China is the tag
    assert SEED_PATH in expected
    shown = results(page)                         # the first ten, newest first
    assert len(shown) == min(10, len(expected)) and set(shown) <= expected
    assert page.locator(STATUS).inner_text() == f"{len(expected)} results for involving China"
    page.wait_for_function("document.querySelectorAll('#search-country option').length > 3")
    assert page.locator("#search-country").input_value() == "China"
    page.wait_for_function("(n) => document.querySelector(\"#search-country option[value='China']\")"
                           ".textContent === `China (${n})`", arg=len(expected))
    page.locator("#search-year").select_option("2022")
    wait_for_results(page, "", "country=China&year=2022")
    in_2022 = sorted(p for p in expected if p.startswith("2022/"))
    assert 0 < len(in_2022) <= 10 and sorted(results(page)) == in_2022


def test_arrow_down_moves_from_the_box_to_the_results(page, site):
    open_search(page, site, "?q=consultations")
    wait_for_results(page, "consultations")
    page.locator(SEARCH_INPUT).focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement === document.querySelector('#search-results a')")
    # One-letter queries are not run: they would match nearly every word.
    page.locator(SEARCH_INPUT).fill("c")
    wait_for_results(page, "c")
    assert page.locator(STATUS).inner_text() == "Type at least two letters."
    assert page.locator(RESULT_LINK).count() == 0


# In the page: a worker or WebAssembly module made by the page, counted.
COUNT_WORKERS = """window.__made = [];
for (const name of ["Worker", "SharedWorker"]) {
    const Real = window[name];
    if (Real) {
        window[name] = function (...args) { window.__made.push(name); return new Real(...args); };
    }
}
for (const name of ["instantiate", "instantiateStreaming", "compile", "compileStreaming"]) {
    const real = WebAssembly[name];
    WebAssembly[name] = (...args) => { window.__made.push(name); return real(...args); };
}"""


def test_search_runs_on_the_page_without_workers_or_webassembly(page, site):
    page.add_init_script(COUNT_WORKERS)
    fetched = []
    page.context.on("request", lambda request: fetched.append(request.url))
    open_search(page, site)
    page.locator(SEARCH_INPUT).fill("telegram")
    wait_for_results(page, "telegram")
    assert results(page) == [SEED_PATH]
    assert page.evaluate("window.__made") == []
    assert not [url for url in fetched if "wasm" in url or "pagefind" in url]


def test_search_results_follow_typing_within_100_ms(page, site, figures):
    open_search(page, site)
    words = [e for e in site.entries if e.word]
    cold = page.evaluate(TIME_SEARCH, [words[0].word, words[0].title])
    warm = [page.evaluate(TIME_SEARCH, [e.word, e.title]) for e in words[1:]]
    median = statistics.median(warm)
    figures["search_ms"] = {"first_query_ms": round(cold, 1), "median_ms": round(median, 1),
                            "max_ms": round(max(warm), 1), "queries": len(warm),
                            "entries": len(site.entries) + 1}
    print(f"\nsearch: first query {cold:.0f} ms, then median {median:.0f} ms, max {max(warm):.0f} ms")
    assert median < 100, warm


def build_site(folder, base_url: str) -> None:
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(folder),
                           "--base-url", base_url],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and "search index not built" not in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("typed", ["by the reader", "by a script"])
def test_a_search_page_open_across_a_new_deploy_searches_the_new_index(page, site, served_root,
                                                                        server, tmp_path, typed):
    """The page asks index.json again when the box gains focus; a search that finds a file of
    its index gone (typed without focus, by a script) makes it ask at once."""
    # A copy of the test site built under its own sub-path, where it is deployed again below.
    folder = tmp_path / "site"
    shutil.copytree(site.folder, folder,
                    ignore=shutil.ignore_patterns("public", ".sitegen-cache", ".public*"))
    sub_path = f"{SUB_PATH}-redeploy-{typed.split()[-1]}"
    base_url = f"{server}/{sub_path}/"
    build_site(folder, base_url)
    (served_root / sub_path).symlink_to(folder / "public", target_is_directory=True)
    if typed == "by the reader":
        page.goto(base_url + "search/?q=consultations")
        wait_for_results(page, "consultations")
        assert page.locator(RESULT_LINK).count() > 0
    else:                      # no chunk fetched yet: the next search's chunk will be gone
        page.goto(base_url + "search/")
        page.locator(STATUS, has_text="Search ").wait_for()
    before = read_index(folder / "public")

    # The next deploy: an entry gains a word no entry had, so a words chunk is a new file and
    # the one the open page may have read is gone.
    edited = sorted((folder / "content").rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nCapybaras watched the talks.\n",
                      encoding="utf-8")
    build_site(folder, base_url)
    after = read_index(folder / "public")
    gone = {file for _, file in before["words"]} - {file for _, file in after["words"]}
    assert gone and not any((folder / "public" / BUNDLE / file).exists() for file in gone)
    assert set(chunks_for(before, "capybaras")) <= gone

    # Back in the search box, the reader searches the new index, not the files that are gone.
    if typed == "by the reader":
        page.locator(SEARCH_INPUT).fill("capybaras")
    else:
        page.evaluate("""() => {
            const input = document.querySelector("#q");
            input.value = "capybaras";
            input.dispatchEvent(new Event("input", {bubbles: true}));
        }""")
        assert page.evaluate("document.activeElement.id") != "q"
    # The search typed may first run on the index the page had (no result) while the page finds
    # the new index, then runs again on it: wait for the one result (or the timeout).
    page.wait_for_function("([selector, text]) => document.querySelector(selector).innerText"
                           " === text", arg=[STATUS, "1 result for \u201ccapybaras\u201d"])
    wait_for_results(page, "capybaras")
    assert page.locator(RESULT_LINK).count() == 1
    assert page.locator(STATUS).inner_text() == "1 result for \u201ccapybaras\u201d"


# Each result shown: its link's path, and the (source, path) of the reports listed under it.
SHOWN_EVENTS = """() => [...document.querySelectorAll("#search-results > li")].map(li => [
    li.querySelector(".search-result-link").getAttribute("href"),
    [...li.querySelectorAll(".search-also a")].map(a => [a.textContent, a.getAttribute("href")])])"""
SIGNING_PATHS = {"TASS": "/events/2023/03/21/tass/", "Sputnik": "/events/2023/03/21/sputnik/",
                 "Xinhua": "/events/2023/03/22/xinhua/"}


def test_reports_of_one_event_are_one_result_listing_the_others_by_source(page, event_site):
    open_search(page, event_site)
    page.locator(SEARCH_INPUT).fill("statement")
    wait_for_results(page, "statement")
    (first, also), (second, others) = page.evaluate(SHOWN_EVENTS)
    # The signing's reports say "statement" in title, lead and text; the grain report once:
    # the event comes first, as its best report ranks, with the other two reports under it.
    assert {first, *(href for _, href in also)} == set(SIGNING_PATHS.values())
    assert sorted(also) == sorted([name, href] for name, href in SIGNING_PATHS.items()
                                  if href != first)
    assert (second, others) == ("/events/2023/03/21/grain/", [])
    label = page.locator("#search").get_attribute("data-also")
    assert label == "Also reported by"                      # the page's words, not the script's
    assert page.locator(".search-also").inner_text().startswith(label + ": ")
    # A search only the grain report answers shows it alone; a new search folds afresh.
    page.locator(SEARCH_INPUT).fill("fertiliser")
    wait_for_results(page, "fertiliser")
    assert page.evaluate(SHOWN_EVENTS) == [["/events/2023/03/21/grain/", []]]
    page.locator(SEARCH_INPUT).fill("Moscow")
    wait_for_results(page, "Moscow")
    [(first, also)] = page.evaluate(SHOWN_EVENTS)
    assert {first, *(href for _, href in also)} == set(SIGNING_PATHS.values())


def test_the_lists_are_in_the_page_and_their_counts_load_when_the_reader_turns_to_them(page, site):
    fetched = []
    page.context.on("request", lambda request: fetched.append(request.url))
    open_search(page, site)
    russia = len(site.tagged("russia"))
    assert page.locator("#search-tag option[value='russia']").text_content() == f"russia ({russia})"
    assert page.locator("#search-year option").all_text_contents()[:2] == [
        "Any year", f"2023 ({sum(e.date.year == 2023 for e in site.entries)})"]
    # A search fetches no facet file: its lists show their values until the reader turns to them.
    page.locator(SEARCH_INPUT).fill("consultations")
    wait_for_results(page, "consultations")
    page.wait_for_load_state("networkidle")
    assert not [url for url in fetched if FACET in url]
    year = "#search-year option[value='2023']"
    page.wait_for_function("([selector, text]) => document.querySelector(selector).text === text",
                           arg=[year, "2023"])
    page.locator("#search-tag").focus()
    in_2023 = sum(e.date.year == 2023 for e in site.entries)   # all have the word; the seed is 2022's
    page.wait_for_function("([selector, text]) => document.querySelector(selector).text === text",
                           arg=[year, f"2023 ({in_2023})"])
    assert [url for url in fetched if FACET in url]


def test_a_tag_slug_in_the_address_chooses_the_tag(page, site):
    open_search(page, site, "?tag=european-union")
    wait_for_results(page, "", "tag=european+union")
    assert page.locator("#search-tag").input_value() == "european union"
    tagged = site.tagged("european union")
    assert len(results(page)) == min(10, len(tagged)) and set(results(page)) <= tagged
    assert page.locator(STATUS).inner_text().endswith("tagged european union")


def test_an_excerpt_does_not_repeat_the_title_and_date_shown_above_it(page, site):
    open_search(page, site, "?q=" + TITLE_WORD[1])
    wait_for_results(page, TITLE_WORD[1])
    entry = site.entries[TITLE_WORD[0]]
    excerpt = page.locator(".search-excerpt").first.inner_text()
    assert excerpt and entry.title not in excerpt and TITLE_WORD[1] not in excerpt
    assert str(entry.date.year) not in excerpt.split()[:3], excerpt
    # A word of the body is marked where the body has it.
    open_search(page, site, "?q=" + site.entries[3].word)
    wait_for_results(page, site.entries[3].word)
    assert page.locator(".search-excerpt mark").first.inner_text().lower().strip(".,;") == site.entries[3].word


@pytest.mark.parametrize("width, height", [(360, 800), (1280, 900)])
def test_the_search_page_shifts_nothing_as_its_script_fills_it(open_context, site, width, height):
    """The search page painted before its scripts run: showing the options, the status and a
    ?q= link's results, and filling the lists, moves nothing already on screen."""
    context, _ = open_context(viewport={"width": width, "height": height})
    context.add_init_script(RECORD_LAYOUT_SHIFTS)
    slow_scripts(context)
    page = context.new_page()
    open_search(page, site)
    page.locator(STATUS, has_text="Search ").wait_for()
    page.wait_for_load_state("networkidle")
    assert layout_shifts(page) == []
    open_search(page, site, "?q=consultations&tag=european-union")
    wait_for_results(page, "consultations")
    page.wait_for_load_state("networkidle")
    assert layout_shifts(page) == []


LARGE_ENTRIES = 2000


@pytest.fixture(scope="module")
def large_search_site(served_root, server, tmp_path_factory):
    """A search-built site of the benchmark corpus's first LARGE_ENTRIES entries (many words
    chunks), served at /large-search/."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import generate

    folder = tmp_path_factory.mktemp("large-search")
    for article in generate.make_articles(LARGE_ENTRIES, seed=1):
        path = folder / generate.entry_paths(article)["sitegen"].removeprefix("sitegen/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate.sitegen_text(article), encoding="utf-8")
    build_site(folder, f"{server}/large-search/")
    (served_root / "large-search").symlink_to(folder / "public", target_is_directory=True)
    return folder / "public"


def sent_bytes(requests) -> int:
    """Return the bytes (headers and body, as sent) of finished requests."""
    return sum(sizes["responseBodySize"] + sizes["responseHeadersSize"]
               for sizes in (request.sizes() for request in requests))


def chunk_requests(urls: list[str]) -> list[str]:
    """Return the words chunk files among request URLs, as index.json names them."""
    return [url[url.index(WORDS_CHUNK) + len(BUNDLE) + 2:] for url in urls if WORDS_CHUNK in url]


def test_what_the_search_page_downloads_stays_within_a_phones_budget(
        open_context, server, large_search_site, figures):
    """On a site of LARGE_ENTRIES entries, from an empty cache: the search page before the first
    keystroke (150 KB), what a two-word query adds (300 KB): one words chunk per word, no facet."""
    index = read_index(large_search_site)
    assert len(index["words"]) >= 10
    context, _ = open_context()
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    page = context.new_page()
    page.goto(f"{server}/large-search/search/")
    page.locator(STATUS, has_text="Search ").wait_for()
    page.wait_for_load_state("networkidle")
    before, before_requests = sent_bytes(finished), len(finished)
    assert not chunk_requests([request.url for request in finished])
    mark = len(finished)
    page.locator(SEARCH_INPUT).fill("ceasefire negotiations")
    wait_for_results(page, "ceasefire negotiations")
    page.wait_for_load_state("networkidle")
    query = sent_bytes(finished[mark:])
    fetched = chunk_requests([request.url for request in finished[mark:]])
    figures["search_bytes"] = {"entries": LARGE_ENTRIES, "chunks": len(index["words"]),
                               "before_keystroke_bytes": before,
                               "before_keystroke_requests": before_requests,
                               "two_word_query_bytes": query,
                               "two_word_query_requests": len(finished) - mark}
    print(f"\nsearch at {LARGE_ENTRIES} entries: {before} bytes in {before_requests} requests "
          f"before the first keystroke, {query} bytes for a two-word query")
    assert sorted(fetched) == sorted({*chunks_for(index, "ceasefire"),
                                      *chunks_for(index, "negotiations")})
    assert not [request.url for request in finished if FACET in request.url]
    assert before <= 150 * 1024 and query <= 300 * 1024


def test_typing_a_word_letter_by_letter_fetches_each_chunk_once(open_context, server,
                                                                 large_search_site):
    index = read_index(large_search_site)
    context, _ = open_context()
    fetched = []
    context.on("request", lambda request: fetched.append(request.url))
    page = context.new_page()
    page.goto(f"{server}/large-search/search/")
    page.locator(STATUS, has_text="Search ").wait_for()
    page.locator(SEARCH_INPUT).press_sequentially("negotiations", delay=40)
    wait_for_results(page, "negotiations")
    page.wait_for_load_state("networkidle")
    needed = {file for n in range(2, len("negotiations") + 1)
              for file in chunks_for(index, "negotiations"[:n])}
    assert sorted(chunk_requests(fetched)) == sorted(needed)      # each one once
    assert page.locator(RESULT_LINK).count() == 10


# In the page: a new engine over the bundle; the answers to searches, all asked at once (each
# newer than the one before), then the total of each when asked alone.
SEARCH_AT_ONCE = """async ([engineUrl, bundle, queries]) => {
    const engine = (await import(engineUrl)).createEngine();
    await engine.start({bundle, base: "/large-search/"});
    const asked = queries.map((query, n) => engine.search({id: n + 1, query, filters: {}, sort: ""}));
    const together = (await Promise.all(asked)).map((answer) => answer.stale ? "stale" : answer.total);
    const alone = [];
    for (const [n, query] of queries.entries()) {
        alone.push((await engine.search({id: 100 + n, query, filters: {}, sort: ""})).total);
    }
    return {together, alone, chunks: engine.cachedChunks()};
}"""


def form_docs(index: dict, public, prefix: str) -> set[int]:
    """Return the docs of every group with a form starting with prefix, read from every chunk."""
    docs = set()
    for _, file in index["words"]:
        chunk = json.loads((public / BUNDLE / file).read_text(encoding="utf-8"))
        for form, groups in chunk["forms"].items():
            if form.startswith(prefix):
                for number in groups:
                    doc = 0
                    for value in chunk["groups"][number]["docs"]:
                        doc += value // 8
                        docs.add(doc)
    return docs


def test_a_prefix_finds_its_forms_across_chunks(open_context, server, large_search_site):
    index = read_index(large_search_site)
    firsts = [first for first, _ in index["words"]]
    # A prefix of a chunk's first form (so the chunk before holds the forms sorting before it)
    # that one or two chunks' first forms start with: its forms span two or three chunks.
    prefix = next(first[:n] for first in firsts[1:] for n in range(2, len(first))
                  if 1 <= sum(other.startswith(first[:n]) for other in firsts) <= 2)
    context, _ = open_context()
    page = context.new_page()
    page.goto(f"{server}/large-search/search/")
    engine = page.locator("#search").get_attribute("data-engine")
    answer = page.evaluate(SEARCH_AT_ONCE, [engine, "/large-search/searchindex/", [prefix]])
    assert answer["alone"] == [len(form_docs(index, large_search_site, prefix))] != [0], prefix
    assert len(answer["chunks"]) >= 2
    assert sorted(answer["chunks"]) == sorted(chunks_for(index, prefix))


def test_a_stale_search_never_answers_over_a_newer_one(open_context, server, large_search_site):
    # In the engine: searches asked at once; each but the newest says it is stale.
    context, _ = open_context()
    page = context.new_page()
    page.goto(f"{server}/large-search/search/")
    engine = page.locator("#search").get_attribute("data-engine")
    queries = ["ceasefire", "summit", "embassy"]
    answer = page.evaluate(SEARCH_AT_ONCE, [engine, "/large-search/searchindex/", queries])
    assert answer["together"] == ["stale", "stale", answer["alone"][2]] and answer["alone"][2] > 0
    # On the page: the older search's chunk arrives after the newer search's results are shown,
    # and changes nothing.
    index = read_index(large_search_site)
    older, newer = next((a, b) for a in queries for b in queries
                        if not set(chunks_for(index, a)) & set(chunks_for(index, b)))
    (older_chunk,) = chunks_for(index, older)
    held = []
    page = context.new_page()
    page.route(f"**{WORDS_CHUNK}{older_chunk.split('/')[-1]}", lambda route: held.append(route))
    page.goto(f"{server}/large-search/search/")
    page.locator(STATUS, has_text="Search ").wait_for()
    page.locator(SEARCH_INPUT).fill(older)
    while not held:
        page.wait_for_timeout(20)
    page.locator(SEARCH_INPUT).fill(newer)
    wait_for_results(page, newer)
    shown = page.locator(RESULT_LINK).evaluate_all("links => links.map(a => a.href)")
    status = page.locator(STATUS).inner_text()
    held[0].continue_()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    assert page.locator(RESULT_LINK).evaluate_all("links => links.map(a => a.href)") == shown
    assert page.locator(STATUS).inner_text() == status and newer in status
    assert page.locator("#search-results").get_attribute("data-query") == newer
