"""Search latency in a real browser: how long after the last keystroke a query's results show.

Builds nothing: give it a built site folder (e.g. the `public/` of a `search: true` build of the
10,000-entry corpus). It serves the folder on 127.0.0.1 with gzip like GitHub Pages (under
--sub-path when the site was built for one), opens /search/ in Debian's Chromium
(/usr/bin/chromium, through Playwright) and, for each word of a fixed list, types it into the
search box and times from the input event that completes the word to the first animation frame
after a result for that word is in the page. It prints the first query (cold: page just loaded,
nothing fetched yet), then the median, p90 and max of the rest, in milliseconds.

    python benchmarks/search_latency.py /tmp/bench/sitegen/public
    python benchmarks/search_latency.py SITE --mode paste        # the whole word in one input event
    python benchmarks/search_latency.py SITE --ui pagefind-ui    # a peer built with Pagefind's UI
    python benchmarks/search_latency.py SITE --phone             # a slow phone, and bytes

--phone emulates a slow phone through Chromium's DevTools protocol: a 360x800 screen, 4x CPU
slowdown (Emulation.setCPUThrottlingRate), 150 ms latency and 1.6 Mbps
(Network.emulateNetworkConditions). Every sitegen run (phone or not) also reports what the page
downloads: the bytes (compressed, as sent) and requests of the search page until it is idle
before the first keystroke, the bytes and requests a two-word query adds and how many of those
were words chunks, how many tags the page's list offers before any download, what the lists'
counts then fetch when the reader turns to them (the index's facets), and the page's cumulative
layout shift; and, for --phone, the time from opening a cold `?q=` link to its results.

--mode type (default) presses one key every --key-delay ms (120, a fast typist), as a person
does, so the page sees every prefix; --mode paste sets the whole word at once, so nothing could
be fetched ahead. Between words the box is cleared and the page left idle for --settle ms.
The figures include Chromium's own work and this machine's load: run it on a quiet machine,
and more than once (--runs).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

# The browser tests' GitHub Pages-like file handler (this script needs their tools anyway).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
from pages_server import GzipHandler  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Common and rarer words of the synthetic corpus: most match 4,000 to 10,000 of its 10,000
# entries, the most postings a query scores.
WORDS = ("summit", "ceasefire", "embassy", "sanctions", "pipeline", "ambassador", "memorandum",
         "delegation", "negotiations", "grain", "nuclear", "consultations", "visit", "energy",
         "security", "trade", "minister", "partnership", "refugees", "ulaanbaatar", "elections")

# The two search pages this can drive: sitegen's own (search.js) and Pagefind's default UI.
UIS = {
    "sitegen": {"input": "#q", "root": "#search",
                "shown": """(root, word) => root.querySelector('#search-results')
                    ?.getAttribute('data-query') === word
                    && root.querySelector('#search-results a') !== null"""},
    "pagefind-ui": {"input": "#search .pagefind-ui__search-input", "root": "#search",
                    "shown": """(root, word) => root.querySelector('.pagefind-ui__result-link')
                        && (root.querySelector('.pagefind-ui__message')?.textContent || '')
                           .includes(word)"""},
}

# In the page: resolve with ms from the input event that makes the box read `word` to the first
# animation frame after `shown(root, word)` holds. Typing happens outside, from Playwright.
ARM = """([inputSel, rootSel, shownSrc, word, timeout]) => {
    const input = document.querySelector(inputSel);
    const root = document.querySelector(rootSel);
    const shown = eval(shownSrc);
    window.__latency = new Promise((resolve, reject) => {
        let start = null;
        const onInput = (event) => {
            if (input.value === word && start === null) { start = performance.now(); check(); }
        };
        const check = () => {
            if (start !== null && shown(root, word)) {
                observer.disconnect();
                input.removeEventListener("input", onInput);
                requestAnimationFrame(() => resolve(performance.now() - start));
            }
        };
        const observer = new MutationObserver(check);
        observer.observe(root, {childList: true, subtree: true, characterData: true,
                                attributes: true});
        input.addEventListener("input", onInput);
        setTimeout(() => { observer.disconnect(); reject(new Error("no result for " + word)); },
                   timeout);
    });
}"""


PHONE = {"viewport": {"width": 360, "height": 800}, "cpu_slowdown": 4, "latency_ms": 150,
         "mbps": 1.6}
TWO_WORDS = "ceasefire negotiations"
# In the page: ms from navigation start to the first animation frame with a result shown.
COLD_LINK = """(shownSrc) => new Promise((resolve) => {
    const root = document.querySelector("#search");
    const shown = eval(shownSrc);
    const check = () => shown(root, new URLSearchParams(location.search).get("q")) &&
        requestAnimationFrame(() => resolve(performance.now()));
    if (!check()) { new MutationObserver(check).observe(root, {childList: true, subtree: true,
                                                               attributes: true}); }
})"""


def emulate_phone(context, page) -> None:
    """Make page a slow phone (PHONE) through Chromium's DevTools protocol."""
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": PHONE["cpu_slowdown"]})
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": PHONE["latency_ms"],
        "downloadThroughput": PHONE["mbps"] * 1e6 / 8, "uploadThroughput": PHONE["mbps"] * 1e6 / 8})


# Before the page's scripts: add up its layout shifts without recent input (cumulative layout
# shift, as the browser tests read it) into window.__shift.
LAYOUT_SHIFTS = """window.__shift = 0;
new PerformanceObserver((list) => list.getEntries().forEach((entry) => {
    if (!entry.hadRecentInput) { window.__shift += entry.value; }
})).observe({type: "layout-shift", buffered: true});"""


class Transfer:
    """The bytes (body and headers as sent) and requests of a page, as Chromium reports them."""

    def __init__(self, context) -> None:
        self.requests: list[tuple[str, int]] = []
        context.on("requestfinished", self.record)

    def record(self, request) -> None:
        """Count one finished request."""
        try:
            sizes = request.sizes()
        except Exception:                   # noqa: BLE001 - a request of a closed page
            return
        self.requests.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    def since(self, mark: int, within: str = "") -> tuple[int, int]:
        """Return (bytes, requests) since the mark-th request, of URLs holding within."""
        chosen = [size for url, size in self.requests[mark:] if within in url]
        return sum(chosen), len(chosen)


def new_page(browser, phone: bool):
    """Return (context, page): a fresh one, emulating a slow phone if asked."""
    context = browser.new_context(**({"viewport": PHONE["viewport"]} if phone else {}))
    page = context.new_page()
    if phone:
        emulate_phone(context, page)
    return context, page


def measure_transfer(browser, base: str, ui: dict, phone: bool) -> dict:
    """Return the search page's download figures, from an empty cache: before the first
    keystroke, for a two-word query (and its words chunks), for the lists' counts, and (phone)
    a cold ?q= link's time to results."""
    context, page = new_page(browser, phone)
    page.add_init_script(LAYOUT_SHIFTS)
    transfer = Transfer(context)
    page.goto(base + "search/")
    page.wait_for_load_state("networkidle")
    before, requests = transfer.since(0)
    options = page.locator("#search-tag option").count() - 1      # the tags the page offers
    mark = len(transfer.requests)
    page.locator(ui["input"]).fill(TWO_WORDS)
    page.wait_for_function("([src, root, word]) => eval(src)(document.querySelector(root), word)",
                           arg=[ui["shown"], ui["root"], TWO_WORDS])
    page.wait_for_load_state("networkidle")
    query_bytes, query_requests = transfer.since(mark)
    _, query_chunks = transfer.since(mark, "/searchindex/words/")
    mark = len(transfer.requests)
    page.locator("#search-tag").focus()       # the reader turns to the lists: their counts load
    page.wait_for_function("() => /\\(/.test(document.querySelector('#search-tag').options[1].text)")
    page.wait_for_load_state("networkidle")
    counts_bytes, _ = transfer.since(mark)
    shift = page.evaluate("() => window.__shift")
    figures = {"before_keystroke_kb": round(before / 1024, 1), "before_keystroke_requests": requests,
               "two_word_query_kb": round(query_bytes / 1024, 1),
               "two_word_query_requests": query_requests, "two_word_query_chunks": query_chunks,
               "tags_in_page": options, "list_counts_kb": round(counts_bytes / 1024, 1),
               "layout_shift": round(shift, 4)}
    context.close()
    if phone:
        cold, cold_page = new_page(browser, phone)
        cold_page.goto(base + "search/?q=" + TWO_WORDS.replace(" ", "+"))
        figures["cold_link_ms"] = round(cold_page.evaluate(COLD_LINK, ui["shown"]), 1)
        cold.close()
    return figures


class Handler(GzipHandler):
    """Serves the folder quietly, text gzipped and connections kept open, like GitHub Pages."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True      # headers and body go out at once, as a CDN sends them


def serve(folder: Path, sub_path: str, parent: Path):
    """Serve folder at /sub_path/ on 127.0.0.1 (through a link in parent); return (server, base URL)."""
    root = folder
    if sub_path:
        root = parent
        (root / sub_path).symlink_to(folder.resolve(), target_is_directory=True)
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = f"/{sub_path}/" if sub_path else "/"
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of values."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def measure(page, base: str, ui: dict, words: list[str], mode: str, key_delay: int,
            settle: int, timeout: int) -> list[float | None]:
    """Load the search page; return the ms of each word in turn (the first one cold), or None
    for a word whose results did not show within timeout ms."""
    page.goto(base + "search/")
    box = page.locator(ui["input"])
    box.wait_for()
    times = []
    for n, word in enumerate(words):
        if n:
            box.fill("")
            page.wait_for_timeout(settle)
        box.click()
        page.evaluate(ARM, [ui["input"], ui["root"], ui["shown"], word, timeout])
        if mode == "type":
            page.keyboard.type(word, delay=key_delay)
        else:
            box.fill(word)
        try:
            times.append(page.evaluate("() => window.__latency"))
        except Exception as error:          # noqa: BLE001 - Playwright's Error: report, go on
            print(f"{word}: {str(error).splitlines()[0]}", file=sys.stderr)
            times.append(None)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site folder (with search/ and searchindex/)")
    parser.add_argument("--sub-path", default="", help="serve the site under /SUB/ (its base URL's path)")
    parser.add_argument("--ui", choices=sorted(UIS), default="sitegen")
    parser.add_argument("--mode", choices=("type", "paste"), default="type")
    parser.add_argument("--key-delay", type=int, default=120, help="ms between keys (type mode)")
    parser.add_argument("--settle", type=int, default=400, help="idle ms between words")
    parser.add_argument("--runs", type=int, default=1, help="page loads, each over every word")
    parser.add_argument("--words", help="comma-separated words instead of the built-in list")
    parser.add_argument("--timeout", type=int, default=15000, help="ms to wait for one word")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--phone", action="store_true",
                        help="emulate a slow phone (360x800, 4x CPU, 150 ms, 1.6 Mbps)")
    args = parser.parse_args(argv)
    if not (args.site / "search" / "index.html").is_file():
        parser.error(f"{args.site} has no search/index.html: give a built site folder")
    words = args.words.split(",") if args.words else list(WORDS)
    from playwright.sync_api import sync_playwright

    parent = tempfile.TemporaryDirectory(prefix="search-latency-")
    server, base = serve(args.site, args.sub_path.strip("/"), Path(parent.name))
    load = os.getloadavg()[0]
    firsts: list[float] = []
    rest: list[float] = []
    transfers: list[dict] = []
    failed = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                if args.ui == "sitegen":
                    transfers.append(measure_transfer(browser, base, UIS[args.ui], args.phone))
                context, page = new_page(browser, args.phone)
                times = measure(page, base, UIS[args.ui], words, args.mode, args.key_delay,
                                args.settle, args.timeout)
                failed += times.count(None)
                if times[0] is not None:
                    firsts.append(times[0])
                rest.extend(t for t in times[1:] if t is not None)
                print(" ".join(f"{w}={t:.0f}" if t is not None else f"{w}=FAILED"
                               for w, t in zip(words, times)), file=sys.stderr)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        parent.cleanup()
    if not firsts or not rest:
        print(f"search latency: {failed} of {len(words) * args.runs} queries showed no result")
        return 1
    figures = {"ui": args.ui, "mode": args.mode, "runs": args.runs, "words": len(words),
               "phone": args.phone,
               "load_average": round(load, 2),
               "failed": failed, "first_ms": round(statistics.median(firsts), 1),
               "median_ms": round(statistics.median(rest), 1),
               "p90_ms": round(percentile(rest, 0.9), 1), "max_ms": round(max(rest), 1)}
    print(f"search latency ({args.ui}, {args.mode}, {len(words)} words x {args.runs} runs): "
          f"first {figures['first_ms']:.0f} ms, median {figures['median_ms']:.0f} ms, "
          f"p90 {figures['p90_ms']:.0f} ms, max {figures['max_ms']:.0f} ms "
          f"(load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
          + (f"; {failed} queries showed no result within {args.timeout} ms" if failed else ""))
    for name in sorted(transfers[0]) if transfers else ():
        figures[name] = statistics.median(t[name] for t in transfers)
    if transfers:
        print("downloads: " + ", ".join(f"{name} {figures[name]}" for name in sorted(transfers[0])))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
