"""Reading a 10,000-entry timeline: every figure of issue 20's table, in Debian's Chromium.

Builds the benchmark corpus (benchmarks/generate.py's articles, spread over 26 years) with
search, or takes a site already built by this script, serves it like GitHub Pages and prints
one row per figure with its target. Each figure is one function of reader_figures.py.

    python benchmarks/reader.py --out /tmp/reader              # generate, build, measure
    python benchmarks/reader.py --out /tmp/reader --no-build   # measure the site built there
    python benchmarks/reader.py --out /tmp/reader --skip-lighthouse --json figures.json

The slow phone is 360×800 with 4× CPU slowdown, 150 ms latency and 1.6 Mbps, all through
Chromium's DevTools protocol, which also counts the search page's bytes. --search-only measures
the search figures alone. Run it on a quiet machine: the timings include this machine's load.

    python benchmarks/reader.py --out /tmp/reader --no-build --search-only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import reader_figures as figures

SUB_PATH = "reader"
KINDS = ("home", "entry", "tag", "tags index", "year", "month", "day", "search", "countries",
         "country", "relations", "relation", "404")


def kb(size: int) -> str:
    """Return bytes as KB with one decimal."""
    return f"{size / 1000:,.1f} KB"


def phone_context(browser):
    """Return a fresh phone-sized browser context (empty cache)."""
    context = browser.new_context(viewport=figures.PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(120_000)
    return context


def search_rows(browser, base: str) -> list[tuple[str, str, str]]:
    """Return the search page's rows: bytes before the first key and for a two-word query
    (each from an empty cache), and the slow phone's times."""
    rows = []
    for measure in ("load", "query", "last key", "cold link"):
        context = phone_context(browser)
        if measure == "load":
            size, requests = figures.search_page_load(context.new_page(), base)
            rows.append(("search page: bytes before the first keystroke",
                         f"{kb(size)} in {requests} requests", "≤ 150 KB"))
        elif measure == "query":
            query = figures.query_downloads(context.new_page(), base)
            rows.append((f"search: bytes added by a two-word query ({' '.join(figures.QUERY)})",
                         f"{kb(query['bytes'])} in {query['requests']} requests "
                         f"({query['chunks']} words chunks, {query['facets']} facets)",
                         "≤ 300 KB"))
        elif measure == "last key":
            last_key = figures.slow_last_key_to_results(context, base)
        else:
            cold_ms = figures.slow_cold_link(context, base)
        context.close()
    rows.append(("search on a slow phone: last key → results; cold ?q= link",
                 f"{last_key / 1000:.2f} s; {cold_ms / 1000:.2f} s", "≤ 1 s; ≤ 3 s"))
    return rows


def measure_all(browser, public: Path, base: str, traffic: figures.Traffic,
                lighthouse: bool) -> list[tuple[str, str, str]]:
    """Return (figure, value, target) rows of every measurement."""
    phone = browser.new_context(viewport=figures.PHONE, is_mobile=True, has_touch=True)
    phone.set_default_timeout(120_000)
    page = phone.new_page()
    kinds = figures.page_kinds(public)
    rows = [("home on a phone: top of the first entry",
             f"{figures.first_entry_top(page, base):,.0f} px", "≤ 800 px")]
    presses = figures.tab_presses_to_first_entry(page, base)
    rows.append(("Tab presses from the top to the first entry",
                 str(presses) if presses else f"> {figures.TAB_LIMIT}", "≤ 15"))
    phone.close()
    rows += search_rows(browser, base)
    phone = browser.new_context(viewport=figures.PHONE, is_mobile=True, has_touch=True)
    rows.append(("tag filter: data before the first suggestion (gzipped)",
                 kb(figures.filter_bytes_to_first_suggestion(phone.new_page(), base, traffic)),
                 "≤ 150 KB"))
    phone.close()
    for form, viewport in (("phone", figures.PHONE), ("desktop", figures.DESKTOP)):
        shifts = [figures.layout_shift(browser, base + kinds[kind], traffic, viewport)
                  for kind in ("home", "tag", "search")]
        rows.append((f"cumulative layout shift (home / tag page / search), {form}, scripts "
                     "0.5 s late", " / ".join(f"{s:.3f}" for s in shifts), "0"))
    if lighthouse:
        rows += lighthouse_rows(base, kinds)
    return rows


def lighthouse_rows(base: str, kinds: dict[str, str]) -> list[tuple[str, str, str]]:
    """Return one row per form factor: Lighthouse accessibility by page kind."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for desktop in (False, True):
            found = {}
            for kind in KINDS:
                result = figures.lighthouse(base + kinds[kind], Path(folder) / "report.json",
                                            desktop, categories=("accessibility",))
                found[kind] = figures.scores(result)["accessibility"]
            low = {k: v for k, v in found.items() if v < 100}
            value = (f"{min(found.values())} (below 100: " +
                     ", ".join(f"{k} {v}" for k, v in low.items()) + ")") if low else "100 on all"
            rows.append((f"Lighthouse accessibility on a {'desktop' if desktop else 'phone'}, "
                         f"{len(KINDS)} page kinds", value, "100 on every page kind"))
    return rows


def print_table(rows: list[tuple[str, str, str]], entries: int) -> None:
    """Print the rows as a Markdown table."""
    print(f"| measured at {entries:,} entries | now | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main(argv: list[str] | None = None) -> int:
    """Build (unless told not to), serve and measure; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder of the site (made here)")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=26, help="the span of the entries")
    parser.add_argument("--no-build", action="store_true", help="measure OUT/site as built")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--search-only", action="store_true", help="measure the search page alone")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    site, parent = args.out / "site", args.out / "served"
    parent.mkdir(parents=True, exist_ok=True)
    server, base, traffic = figures.serve(site / "public", SUB_PATH, parent)
    if not args.no_build:
        figures.write_corpus(site, args.entries, args.years)
        figures.build(site, base)
    entries = sum(1 for _ in (site / "content").rglob("*.md"))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=figures.CHROMIUM,
                                             args=figures.CHROMIUM_ARGS)
        rows = (search_rows(browser, base) if args.search_only else
                measure_all(browser, site / "public", base, traffic, not args.skip_lighthouse))
        browser.close()
    server.shutdown()
    print_table(rows, entries)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
