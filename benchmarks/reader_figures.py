"""What a reader of a large timeline meets, measured in Debian's Chromium: the figures of
issue 20's table, one small function each. benchmarks/reader.py prints them for the
10,000-entry corpus; tests/browser/test_browser_reader.py holds the targets that do not depend
on network emulation on a 2,000-entry site.

The search page's bytes and requests are Chromium's own count (the DevTools protocol's
encodedDataLength: headers and body as received, gzipped where GitHub Pages gzips); the tag
filter's are counted by the server (the Content-Length of every answer). Layout shift is
measured with scripts answered half a second late, so that the page is painted before they run,
as on a phone. The slow phone is the DevTools protocol's: 4× CPU slowdown
(Emulation.setCPUThrottlingRate), 150 ms latency and 1.6 Mbps
(Network.emulateNetworkConditions); the search page makes no worker, so the emulation reaches
every request.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(REPO / "tests" / "browser"))
import generate  # noqa: E402
from pages_server import GzipHandler  # noqa: E402
from search_latency import ARM, UIS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LIGHTHOUSE = REPO / "tests" / "tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
SLOW_CPU = 4                     # × slowdown
SLOW_LATENCY_MS = 150           # before each answer
SLOW_BYTES_PER_S = 1_600_000 / 8  # 1.6 Mbps
FIRST_ENTRY = "main .tl-list > li"                 # the home timeline's first entry
FILTER_BUTTON = r"^(Filter|Narrow) "               # the tag filter's button, by its name
FILTER_SUGGESTION = "#filter-tag option >> nth=1"  # its first tag to choose
QUERY = ("nuclear", "summit")    # a two-word query: words of many of the corpus's entries
SCRIPT_DELAY = 0.5              # s: how late scripts arrive when layout shift is measured
TAB_LIMIT = 600                  # Tab presses before giving up on reaching the first entry

# The targets of issue 20 that hold without network emulation (bytes, px, presses, CLS).
TARGETS = {"first_entry_px": 800, "tab_presses": 15, "search_bytes": 150_000,
           "search_requests": 8, "query_bytes": 300_000, "filter_bytes": 150_000, "cls": 0.0}


# --- the corpus --------------------------------------------------------------------------------

def write_corpus(site: Path, count: int, years: int = 26, seed: int = 1) -> None:
    """Write count entries of the benchmark corpus (benchmarks/generate.py) into site/content,
    spread evenly over the years up to 2023, and a sitegen.yaml with search on."""
    articles = generate.make_articles(count, seed)
    first = datetime.date(2024 - years, 1, 1)
    span = (datetime.date(2023, 12, 31) - first).days
    for n, article in enumerate(articles):
        day = first + datetime.timedelta(days=n * span // max(count - 1, 1))
        article = dataclasses.replace(article, date=day)
        path = site / "content" / f"{day:%Y}" / f"{day:%m}" / f"{article.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate.sitegen_text(article), encoding="utf-8")
    (site / "sitegen.yaml").write_text("title: Diplomacy timeline\nsearch: true\n",
                                       encoding="utf-8")


def build(site: Path, base_url: str) -> str:
    """Build site for base_url with this checkout's sitegen; return its output."""
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site),
                           "--base-url", base_url], cwd=REPO, capture_output=True, text=True,
                          timeout=3600, check=False)
    if done.returncode:
        raise RuntimeError(done.stdout + done.stderr)
    return done.stdout + done.stderr


def page_kinds(public: Path) -> dict[str, str]:
    """Return a path below the site root of one page of each kind in a built site."""
    def first(folder: Path, pattern: str = "*") -> Path:
        return sorted(p for p in folder.glob(pattern) if p.is_dir() and p.name != "page")[0]
    year = first(public, "[0-9]" * 4)
    month = first(year)
    day = first(month)
    relative = lambda path: path.relative_to(public).as_posix() + "/"   # noqa: E731
    return {"home": "", "entry": relative(first(day)), "tag": relative(first(public / "tags")),
            "tags index": "tags/", "year": relative(year), "month": relative(month),
            "day": relative(day), "search": "search/", "countries": "countries/",
            "country": relative(first(public / "countries")), "relations": "relations/",
            "relation": relative(first(public / "relations")),
            # The 404 page by its own URL: Lighthouse audits no page answered with 404.
            "404": "404.html"}


# --- the server: counts bytes, answers scripts late when asked ---------------------------------

class Traffic:
    """What the server sent since the last reset, and how late it answers with scripts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: list[tuple[str, int]] = []    # (path, bytes of body)
        self.script_delay = 0.0                      # s before answering with a script

    def reset(self) -> None:
        """Forget what was sent."""
        with self.lock:
            self.answers = []

    def record(self, path: str, size: int) -> None:
        with self.lock:
            self.answers.append((path, size))

    def total(self, within: str = "") -> tuple[int, int]:
        """Return (bytes, answers) sent since the last reset, of paths holding within."""
        with self.lock:
            chosen = [size for path, size in self.answers if within in path]
        return sum(chosen), len(chosen)


class CountingHandler(GzipHandler):
    """GitHub Pages-like answers (gzip, the site's 404 page), counted, scripts maybe late."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    traffic: Traffic
    not_found: Path | None = None

    def send_response(self, code: int, message: str | None = None) -> None:
        if self.traffic.script_delay and self.path.split("?")[0].endswith(".js"):
            time.sleep(self.traffic.script_delay)
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-length":
            self.traffic.record(self.path, int(value))
        super().send_header(keyword, value)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found is None:
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that says nothing when a browser drops a connection."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve(public: Path, sub_path: str, parent: Path) -> tuple[http.server.HTTPServer, str, Traffic]:
    """Serve public at /sub_path/ on 127.0.0.1 (through a link in parent); return the server,
    the site's base URL and its traffic."""
    link = parent / sub_path
    if not link.is_symlink():
        link.symlink_to(public.resolve(), target_is_directory=True)
    traffic = Traffic()
    handler = type("Handler", (CountingHandler,), {"traffic": traffic,
                                                   "not_found": public / "404.html"})
    server = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{sub_path}/", traffic


# --- the measurements --------------------------------------------------------------------------

def first_entry_top(page, base: str) -> float:
    """Return how far down the home page (px) its first entry starts."""
    page.goto(base)
    return page.locator(FIRST_ENTRY).first.evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY")


def tab_presses_to_first_entry(page, base: str, limit: int = TAB_LIMIT) -> int | None:
    """Return how many Tab presses from the top of the home page reach a link of its first
    entry (None if limit presses do not)."""
    page.goto(base)
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("""sel => {
                const first = document.querySelector(sel);
                return !!first && first.contains(document.activeElement);
            }""", FIRST_ENTRY):
            return presses
    return None


class Downloads:
    """What a page downloads from now on, as Chromium's DevTools protocol reports it: each
    finished request's URL and bytes received (headers and body, compressed as sent)."""

    def __init__(self, page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.finished: list[tuple[str, int]] = []          # (request id, bytes)
        self.session.on("Network.requestWillBeSent", lambda event: self.urls.__setitem__(
            event["requestId"], event["request"]["url"]))
        self.session.on("Network.loadingFinished", lambda event: self.finished.append(
            (event["requestId"], int(event["encodedDataLength"]))))
        self.session.send("Network.enable")

    def mark(self) -> int:
        """Return a mark of what was downloaded so far."""
        return len(self.finished)

    def repeated(self, mark: int = 0, within: str = "") -> int:
        """Return how many requests finished since mark, of URLs holding within, were for a URL
        asked before."""
        urls = [url for url in (self.urls.get(request, "") for request, _ in self.finished[mark:])
                if within in url]
        return len(urls) - len(set(urls))

    def since(self, mark: int = 0, within: str = "") -> tuple[int, int]:
        """Return (bytes, requests) finished since mark, of URLs holding within."""
        chosen = [size for request, size in self.finished[mark:]
                  if within in self.urls.get(request, "")]
        return sum(chosen), len(chosen)


def search_page_load(page, base: str) -> tuple[int, int]:
    """Return (bytes, requests) the search page takes before the first keystroke, from an
    empty cache."""
    downloads = Downloads(page)
    page.goto(base + "search/")
    page.wait_for_load_state("networkidle")
    return downloads.since()


def type_query(page, words: tuple[str, ...], key_delay: int = 0) -> float:
    """Type words into the search box of the open search page; return ms from the last key to
    the frame that shows the query's results."""
    query = " ".join(words)
    ui = UIS["sitegen"]
    box = page.locator(ui["input"])
    box.fill("")
    box.click()
    page.evaluate(ARM, [ui["input"], ui["root"], ui["shown"], query, 60_000])
    page.keyboard.type(query, delay=key_delay)
    return page.evaluate("() => window.__latency")


def query_downloads(page, base: str, words: tuple[str, ...] = QUERY) -> dict[str, int]:
    """Return what a two-word query adds to the loaded search page: its bytes and requests, how
    many of those were words chunks and facets, and how many asked again for an index file
    already fetched."""
    downloads = Downloads(page)
    page.goto(base + "search/")
    page.wait_for_load_state("networkidle")
    mark = downloads.mark()
    type_query(page, words)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    size, requests = downloads.since(mark)
    return {"bytes": size, "requests": requests,
            "chunks": downloads.since(mark, "/searchindex/words/")[1],
            "facets": downloads.since(mark, "/searchindex/facets/")[1],
            "repeated": downloads.repeated(mark, "/searchindex/")}


def slow_phone(context, page) -> None:
    """Make page a slow phone: 4× slower CPU, 150 ms latency and 1.6 Mbps each way."""
    session = context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": SLOW_CPU})
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": SLOW_LATENCY_MS,
        "downloadThroughput": SLOW_BYTES_PER_S, "uploadThroughput": SLOW_BYTES_PER_S})


def slow_last_key_to_results(context, base: str, words: tuple[str, ...] = QUERY) -> float:
    """Return ms from the last key of a query typed on a slow phone to its results (the
    search page loaded first, as a reader opens it)."""
    page = context.new_page()
    slow_phone(context, page)
    try:
        page.goto(base + "search/")
        page.wait_for_load_state("networkidle")
        return type_query(page, words, key_delay=120)
    finally:
        page.close()


def slow_cold_link(context, base: str, words: tuple[str, ...] = QUERY) -> float:
    """Return ms from following a ?q= link on a slow phone, nothing cached, to its results."""
    page = context.new_page()
    slow_phone(context, page)
    query = " ".join(words)
    try:
        page.goto(f"{base}search/?q={'+'.join(words)}", wait_until="commit")
        handle = page.wait_for_function("""query => {
            const results = document.querySelector('#search-results');
            return results && results.getAttribute('data-query') === query
                && results.querySelector('a') && performance.now();
        }""", arg=query, timeout=120_000, polling="raf")
        return handle.json_value()
    finally:
        page.close()


def filter_bytes_to_first_suggestion(page, url: str, traffic: Traffic) -> int:
    """Return the gzipped bytes of filter data a listing's tag filter fetches before it offers
    its first tag."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    traffic.reset()
    page.get_by_role("button", name=re.compile(FILTER_BUTTON)).click()
    page.locator(FILTER_SUGGESTION).wait_for(state="attached")
    return traffic.total("/filter/")[0]


# In the page from its start: the layout shifts no input caused, summed.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver(list => {
    for (const shift of list.getEntries()) {
        if (!shift.hadRecentInput) window.__cls += shift.value;
    }
}).observe({type: "layout-shift", buffered: true});
"""


def layout_shift(browser, url: str, traffic: Traffic, viewport: dict = PHONE,
                 settle_ms: int = 1000) -> float:
    """Return the cumulative layout shift of a first visit to url, its scripts answered
    SCRIPT_DELAY late (as on a phone's network: the page is painted before they run, so what
    they insert or change shows as a shift), once the network is idle and settle_ms more have
    passed."""
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE,
                                  has_touch=viewport == PHONE)
    context.add_init_script(CLS_OBSERVER)
    context.set_default_timeout(60_000)
    traffic.script_delay = SCRIPT_DELAY
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(settle_ms)
        return round(page.evaluate("() => window.__cls"), 4)
    finally:
        traffic.script_delay = 0.0
        context.close()


def lighthouse(url: str, report: Path, desktop: bool, categories=("accessibility",
               "best-practices")) -> dict:
    """Run Lighthouse on url as a phone (its default) or a desktop; return its JSON report."""
    node = shutil.which("node")
    if node is None or not LIGHTHOUSE.is_file():
        raise RuntimeError(f"Lighthouse needs node and {LIGHTHOUSE} (npm ci --prefix tests/tools)")
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    done = subprocess.run(
        [node, str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
         f"--only-categories={','.join(categories)}", *(["--preset=desktop"] if desktop else []),
         f"--chrome-flags={' '.join(['--headless=new', *CHROMIUM_ARGS])}",
         "--max-wait-for-load=20000"],
        capture_output=True, text=True, timeout=180, env=env, check=False)
    if done.returncode:
        raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
    return json.loads(report.read_text(encoding="utf-8"))


def scores(result: dict) -> dict[str, int]:
    """Return a Lighthouse report's score (0–100) by category."""
    return {name: round(category["score"] * 100) for name, category in
            result["categories"].items()}


def failing_audits(result: dict, category: str) -> list[str]:
    """Return 'id: title' of each weighted audit of category that did not pass."""
    failing = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            failing.append(f"{ref['id']}: {audit['title']}")
    return failing
