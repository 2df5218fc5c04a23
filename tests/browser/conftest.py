"""Browser tests: a test site built once, served under /repo/ on 127.0.0.1, seen by Chromium.

The site is the repository's seed article plus generated entries over several years with
overlapping tags. It is built with `python -m site_builder build --base-url
http://127.0.0.1:PORT/repo/` (the search index included) and served from a parent folder by a
real HTTP server that, like GitHub Pages, answers unknown paths under /repo/ with the site's
404.html. Chromium is Debian's, launched by path through Playwright's Python API.
"""

from __future__ import annotations

import datetime
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pages_server import GzipHandler

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tests" / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUB_PATH = "repo"

TAG_POOL = ("russia", "china", "united nations", "sanctions", "energy", "european union",
            "bilateral relations")
# One unusual word per generated entry, so a search for it has exactly one right answer.
UNIQUE_WORDS = ("quokka", "narwhal", "axolotl", "pangolin", "okapi", "tapir", "wombat", "ibex",
                "marmot", "gecko")
PLACES = ("GENEVA", "NEW YORK", "BRUSSELS", "VIENNA", "ASTANA")
# Words that only one field of one entry carries, to show each field is searched.
TITLE_WORD = (10, "Zeppelin")
LEAD_WORD = (11, "marzipan")
TAG_WORD = (12, "kelp forests")


@dataclass(frozen=True)
class GeneratedEntry:
    """What a generated entry file says, for the tests' expectations."""

    slug: str
    title: str
    date: datetime.date
    tags: tuple[str, ...]
    word: str | None
    lead: str

    @property
    def path(self) -> str:
        """Return the entry's URL path below the site root."""
        return f"{self.date:%Y/%m/%d}/{self.slug}/"


@dataclass
class TestSite:
    """The built and served test site."""

    folder: Path
    public: Path
    base_url: str            # http://127.0.0.1:PORT/repo/
    entries: list[GeneratedEntry]
    seed_title: str
    build_output: str
    figures: dict = field(default_factory=dict)

    def url(self, path: str = "") -> str:
        """Return the absolute URL of a path below the site root."""
        return self.base_url + path.lstrip("/")

    def tagged(self, *tags: str) -> set[str]:
        """Return the URL paths of every entry carrying all tags (the seed included)."""
        found = {e.path for e in self.entries if set(tags) <= set(e.tags)}
        if set(tags) <= SEED_TAGS:
            found.add(SEED_PATH)
        return found


SEED_TAGS = {"russia", "moscow", "china", "xi jinping", "bilateral relations",
             "russia-china relations", "russian-chinese alliance", "moscow-beijing ties",
             "putin and xi friendship"}
SEED_PATH = "2022/12/31/chinas-xi-ready-to-maintain-close-cooperation-with-putin-in-2023/"


def generated_entries(count: int = 40) -> list[GeneratedEntry]:
    """Return count entries over 2019-2023, several a month in places, with overlapping tags."""
    entries = []
    for n in range(count):
        date = datetime.date(2019 + n % 5, 1 + (n * 7) % 12, 1 + (n * 11) % 28)
        tags = tuple(dict.fromkeys((TAG_POOL[n % 7], TAG_POOL[(n * 3 + 1) % 7])))
        if n % 3 == 0:
            tags += tuple(t for t in (TAG_POOL[(n + 3) % 7],) if t not in tags)
        word = UNIQUE_WORDS[n] if n < len(UNIQUE_WORDS) else None
        title = f"Talks round {n} ends in {PLACES[n % 5].title()}"
        lead = f"Negotiators met for round {n} of consultations and issued a joint statement."
        if n == TITLE_WORD[0]:
            title += f" after the {TITLE_WORD[1]} affair"
        if n == LEAD_WORD[0]:
            lead += f" Hosts served {LEAD_WORD[1]}."
        if n == TAG_WORD[0]:
            tags += (TAG_WORD[1],)
        entries.append(GeneratedEntry(f"talks-round-{n}", title, date, tags, word, lead))
    return entries


def write_entry(content: Path, entry: GeneratedEntry, n: int) -> None:
    """Write one generated entry as content/YYYY/MM/slug.md."""
    path = content / f"{entry.date:%Y}" / f"{entry.date:%m}" / f"{entry.slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    tag_lines = "".join(f"- {t}\n" for t in entry.tags)
    special = f" Delegates compared the process to a {entry.word}." if entry.word else ""
    body = (f"{PLACES[n % 5].title()} hosted round {n} of the consultations on regional security."
            f"{special}\n\nThe parties agreed to meet again and to keep their channels open. "
            "Observers described the atmosphere as businesslike.\n\n"
            "> We have made progress on the questions that matter most.\n")
    path.write_text(
        f"---\ntitle: {entry.title}\nslug: {entry.slug}\ndate: {entry.date.isoformat()}\n"
        f"lead: {entry.lead}\n"
        f"tags:\n{tag_lines}source:\n  name: Example Wire\n"
        f"  url: https://news.example/{entry.slug}\ndateline: {PLACES[n % 5]}\n---\n\n{body}",
        encoding="utf-8")


class SiteHandler(GzipHandler):
    """Serves the parent folder like GitHub Pages: text gzipped for clients that take it, and
    unknown paths under /repo/ answered with the site's 404 page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory, SUB_PATH, "404.html")
        if code == 404 and self.path.startswith(f"/{SUB_PATH}/") and not_found.is_file():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def served_root(tmp_path_factory) -> Path:
    """The folder the HTTP server serves; the site appears in it as repo/."""
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="session")
def server(served_root: Path):
    """A real HTTP server on 127.0.0.1 (any free port) in a thread; yields its origin."""
    handler = functools.partial(SiteHandler, directory=str(served_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def site(tmp_path_factory, served_root: Path, server: str) -> TestSite:
    """The test site: seed plus generated entries, built under the sub-path and served."""
    folder = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "seeds", folder / "seeds")
    entries = generated_entries()
    for n, entry in enumerate(entries):
        write_entry(folder / "content", entry, n)
    # 41 entries at 20 a page: home and the larger tags have several pages.
    (folder / "sitegen.yaml").write_text("page_size: 20\n", encoding="utf-8")
    base_url = f"{server}/{SUB_PATH}/"
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(folder),
                           "--base-url", base_url],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    public = folder / "public"
    (served_root / SUB_PATH).symlink_to(public, target_is_directory=True)
    raw = (REPO / "seeds").glob("*.txt")
    seed_title = next(raw).read_text(encoding="utf-8").splitlines()[1].strip()
    return TestSite(folder, public, base_url, entries, seed_title, done.stdout + done.stderr)


@pytest.fixture(scope="session")
def event_site(tmp_path_factory, served_root: Path, server: str) -> TestSite:
    """A small site of one event in three agencies' reports (TASS, Sputnik, Xinhua) and another
    event of the same day (TASS), built with its search index and served under /events/."""
    from test_events import GRAIN, SIGNING, write_report

    folder = tmp_path_factory.mktemp("events")
    for slug, fields in SIGNING.items():
        write_report(folder, slug, fields)
    write_report(folder, "grain", GRAIN)
    (folder / "sitegen.yaml").write_text("title: Diplomacy timeline\n", encoding="utf-8")
    base_url = f"{server}/events/"
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(folder),
                           "--base-url", base_url],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (served_root / "events").symlink_to(folder / "public", target_is_directory=True)
    return TestSite(folder, folder / "public", base_url, [], "", done.stdout + done.stderr)


@pytest.fixture(scope="session")
def figures(site: TestSite):
    """Measured figures the tests record; written to test-artifacts/browser-figures.json."""
    yield site.figures
    if site.figures:
        write_figures(site.figures)


def write_figures(figures: dict) -> None:
    """Write figures to test-artifacts/browser-figures.json; under pytest-xdist, merged with
    what the run's other workers wrote there (one file lock at a time)."""
    import fcntl

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "browser-figures.json"
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    with open(ARTIFACTS / "browser-figures.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = {}
        if run and path.is_file():
            written = json.loads(path.read_text(encoding="utf-8"))
            if written.pop("run", None) == run:     # an earlier run's figures are replaced
                merged = written
        merged.update(figures)
        if run:
            merged["run"] = run
        path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def playwright_instance():
    """Playwright's sync API for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    """Debian's Chromium, launched by path (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Requests:
    """Every URL a browser context asked for."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        """Return the URLs that left 127.0.0.1."""
        return [u for u in self.urls
                if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname != "127.0.0.1"]


@pytest.fixture
def open_context(chromium, site):
    """Return a function making browser contexts that record requests and stay on 127.0.0.1.

    Any request to another host is recorded, then aborted, and fails the test at teardown.
    """
    made = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = chromium.new_context(**options)
        requests = Requests()
        context.on("request", requests.record)
        context.route(lambda url: urlsplit(url).hostname not in (None, "127.0.0.1"),
                      lambda route: route.abort())
        context.set_default_timeout(10_000)
        made.append((context, requests))
        return context, requests

    yield make
    foreign = []
    for context, requests in made:
        foreign += requests.foreign()
        context.close()
    assert not foreign, f"requests left 127.0.0.1: {foreign}"


@pytest.fixture
def page(open_context):
    """A page in a fresh light-scheme desktop context."""
    context, _ = open_context(color_scheme="light")
    return context.new_page()


def run_axe(page) -> list[dict]:
    """Inject axe-core into the page and return its violations (WCAG 2.x A/AA and best practice)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/tools")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return result


@pytest.fixture(scope="session")
def node() -> str:
    """The node binary that runs Lighthouse."""
    found = shutil.which("node")
    if not found:
        pytest.fail("node is missing: apt-get install nodejs npm")
    return found


def environment_for_lighthouse() -> dict[str, str]:
    """Return the environment Lighthouse runs in: Debian's Chromium, no proxy."""
    env = dict(os.environ)
    env["CHROME_PATH"] = CHROMIUM
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


# Before any page script: record every layout shift the page makes without recent input (what
# cumulative layout shift adds up), with the elements that moved.
RECORD_LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        if (!entry.hadRecentInput) {
            window.__shifts.push({value: entry.value, moved: entry.sources.map((source) =>
                source.node ? source.node.nodeName + "#" + (source.node.id || "") + "."
                              + (source.node.className || "") : "?")});
        }
    }
}).observe({type: "layout-shift", buffered: true});
"""


def slow_scripts(context, delay_s: float = 0.4) -> None:
    """Make the context's scripts arrive delay_s late, so the page is painted before they run
    (as on a slow network), and what they insert or change can shift what was painted."""
    import time

    def late(route):
        time.sleep(delay_s)
        route.continue_()

    context.route("**/static/*.js", late)


def layout_shifts(page) -> list[dict]:
    """Return the layout shifts recorded by RECORD_LAYOUT_SHIFTS, after two more frames."""
    return page.evaluate("""() => new Promise((resolve) => requestAnimationFrame(() =>
        requestAnimationFrame(() => resolve(window.__shifts))))""")
