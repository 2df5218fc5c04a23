"""Timeline filter in a real browser: what a first filter fetches, and how long a filter takes.

Builds nothing: give it a built site folder (e.g. the `public/` of the 10,000-entry corpus). It
prints the gzipped size of filter/index.json (all a first suggestion waits for) and, over every
value of every facet, the most a first filter fetches (the index and the chunks of the first 20
entries it shows). Then it
serves the folder on 127.0.0.1 with gzip like GitHub Pages (under --sub-path when the site was
built for one), opens the home page in Debian's Chromium (/usr/bin/chromium, through
Playwright), and for each of --tags tags chooses it, then a year on top, and for each of
--countries countries chooses it, then a relation on top, timing from the Add button's submit
to the first animation frame after the results are in the page. It prints the
median, p90 and max in milliseconds, and the home page's cumulative layout shift as it loads,
at phone and desktop widths.

    python benchmarks/filter_latency.py /tmp/bench/sitegen/public --sub-path repo
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from search_latency import CHROMIUM, CHROMIUM_ARGS, LAYOUT_SHIFTS, percentile, serve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from site_builder.outputs.filterindex import decode_index  # noqa: E402

SHOWN = 20                    # the entries filter.js shows first (its STEP)

# In the page: resolve with ms from the next submit to the first animation frame after the
# results for the new address are in the page (as tests/browser/test_browser_filter.py).
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
        setTimeout(() => reject(new Error('no results')), 15000);
    });
}"""


def gzipped(path: Path) -> int:
    """Return a file's size gzipped at level 6, as GitHub Pages sends it."""
    return len(gzip.compress(path.read_bytes(), 6))


def first_filter_bytes(folder: Path) -> tuple[int, int, str]:
    """Return the index's gzipped size, and the most any one first filter fetches with its value."""
    data = (folder / "index.json").read_bytes()
    chunk = json.loads(data)["chunk"]
    index_size = gzipped(folder / "index.json")
    sizes: dict[int, int] = {}
    worst, worst_value = 0, ""
    for facet, values in decode_index(data).items():
        for key, (_, _, positions) in values.items():
            chunks = {p // chunk for p in positions[:SHOWN]}
            for number in chunks - sizes.keys():
                sizes[number] = gzipped(folder / f"entries-{number}.json")
            total = index_size + sum(sizes[number] for number in chunks)
            if total > worst:
                worst, worst_value = total, f"{facet}={key}"
    return index_size, worst, worst_value


def layout_shift(browser, url: str, viewport: dict) -> float:
    """Return the cumulative layout shift of a page loaded at url (the filter's form replacing
    its links), until it is idle."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    shift = page.evaluate("() => window.__shift")
    context.close()
    return shift


def measure(page, base: str, choices: list[tuple[str, str, str]]) -> list[float]:
    """Load the home page, open the filter; return the ms of each choice (facet, key), then of
    the first value offered of another facet on top."""
    page.goto(base)
    page.locator("#filter-toggle").click()
    page.locator("#filter-tag option").nth(1).wait_for(state="attached")
    times = []
    for facet, key, then in choices:
        for name in (facet, then):
            value = key if name == facet else page.eval_on_selector(
                f"#filter-{name} option:nth-child(2)", "o => o.value")
            page.evaluate(ARM)
            page.select_option(f"#filter-{name}", value)
            page.locator(".filter-add").click()
            times.append(page.evaluate("() => window.__latency"))
        page.locator("#filter-reset").click()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder (with filter/index.json)")
    parser.add_argument("--sub-path", default="", help="serve the site under /SUB/ (its base URL's path)")
    parser.add_argument("--tags", type=int, default=12, help="tags to time, frequent to rare")
    parser.add_argument("--countries", type=int, default=4,
                        help="countries to time, frequent to rare, each with a relation on top")
    parser.add_argument("--runs", type=int, default=1, help="page loads, each over every tag")
    args = parser.parse_args(argv)
    folder = args.site / "filter"
    if not (folder / "index.json").is_file():
        parser.error(f"{args.site} has no filter/index.json: give a built site folder")
    index_size, worst, worst_value = first_filter_bytes(folder)
    print(f"filter/index.json: {index_size} bytes gzipped; a first filter fetches at most "
          f"{worst} bytes gzipped ({worst_value})")
    table = decode_index((folder / "index.json").read_bytes())
    by_count = sorted(table["tag"], key=lambda key: -len(table["tag"][key][2]))
    choices = [("tag", key, "year") for key in by_count[::max(1, len(by_count) // args.tags)][:args.tags]]
    countries = sorted(table.get("country", {}), key=lambda key: -len(table["country"][key][2]))
    step = max(1, len(countries) // max(1, args.countries))
    choices += [("country", key, "relation") for key in countries[::step][:args.countries]]
    from playwright.sync_api import sync_playwright

    parent = tempfile.TemporaryDirectory(prefix="filter-latency-")
    server, base = serve(args.site, args.sub_path.strip("/"), Path(parent.name))
    load = os.getloadavg()[0]
    times: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            shifts = [layout_shift(browser, base, {"width": width, "height": height})
                      for width, height in ((360, 800), (1280, 900))]
            for _ in range(args.runs):
                context = browser.new_context()
                times += measure(context.new_page(), base, choices)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        parent.cleanup()
    print(f"filter latency ({len(times)} filters over {len(choices)} tags and countries x "
          f"{args.runs} runs): "
          f"median {statistics.median(times):.0f} ms, p90 {percentile(times, 0.9):.0f} ms, "
          f"max {max(times):.0f} ms (load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"home's layout shift as the filter's form replaces its links: {shifts[0]:.4f} at "
          f"360x800, {shifts[1]:.4f} at 1280x900")
    return 0


if __name__ == "__main__":
    sys.exit(main())
