"""The dev server, tested through the real command: `python -m site_builder serve` in a subprocess.

Every wait is a poll with a deadline; every server is stopped (and killed if need be) in teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from tornado.websocket import websocket_connect

from site_builder.cache import CACHE_DIR, manifest_path
from site_builder.serve import (changed_paths, decorate_html, host_rule,
                                local_url, parse_request_path, reload_message, scan)

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
CHANGE_TIMEOUT = 20.0
CONFIG_MARKER = "config-file-marker-7f3a9c"
ENTRY = """\
---
title: {title}
slug: {slug}
date: {date}
lead: A lead.
tags: [russia, china]
source: {{name: Sputnik, url: 'https://sputniknews.com/{slug}'}}
---

Body text of {slug}.
"""
BROKEN_ENTRY = """\
---
title: Xi meets Putin
date: 2022-12-31
tags: [russia, china
lead: oops
---

Body text.
"""
ENTRY_PAGE = "/2022/12/31/xi-putin/"
FIXTURE_FILES = {"sitegen.yaml", "content", "content/2022", "content/2022/12",
                 "content/2022/12/xi-putin.md", "content/2023", "content/2023/01",
                 "content/2023/01/lavrov-wang.md"}


# --- helpers ------------------------------------------------------------------------------------

def write_entry(site: Path, slug: str, date: str, title: str) -> Path:
    """Write an entry file under site/content/YYYY/MM/ and return its path."""
    path = site / "content" / date[:4] / date[5:7] / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ENTRY.format(title=title, date=date, slug=slug), encoding="utf-8")
    return path


def write_config(site: Path, title: str) -> None:
    """Write sitegen.yaml with a base_url that has a sub-path, and a marker never published."""
    (site / "sitegen.yaml").write_text(
        f"# {CONFIG_MARKER}\ntitle: {title}\nbase_url: https://example.org/sub/path/\n",
        encoding="utf-8")


def site_files(site: Path) -> set[str]:
    """Return every path in the site folder except the build cache's (which is not ours)."""
    cache = site / ".sitegen-cache"
    found = {p.relative_to(site).as_posix() for p in site.rglob("*")
             if cache not in p.parents and p != cache}
    if cache.is_dir():  # whatever else caches there, the dev server's folders must be gone
        found |= {p.relative_to(site).as_posix() for p in cache.rglob("*") if "serve" in p.name}
    return found


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float = CHANGE_TIMEOUT,
             what: str = "condition") -> object:
    """Poll condition until it returns something true; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Response:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Server:
    """A running `sitegen serve` subprocess."""

    proc: subprocess.Popen
    port: int
    site: Path
    log: Path

    def get(self, path: str) -> Response:
        """Return the answer to GET path (any status, redirects not followed)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()},
                            answer.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def page(self, path: str) -> str:
        """Return the body of a page that must answer 200."""
        answer = self.get(path)
        assert answer.status == 200, (path, answer.status, answer.body[:300])
        return answer.body

    def raw(self, request: bytes) -> bytes:
        """Send raw bytes and return everything the server answers before closing."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(request)
            chunks = []
            while True:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def output(self) -> str:
        """Return what the server printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def dev_dir(self) -> Path:
        """Return the folder the server builds into."""
        return self.site / ".sitegen-cache" / "serve" / str(self.port)


def start_server(site: Path, port: int, log: Path, fallbacks: Path | None = None) -> subprocess.Popen:
    """Start `python -m site_builder serve` with its output going to log; with a fallback log
    given, as on a system without fork or renameat2 (tests/without_fork_or_renameat2.py)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONUNBUFFERED="1", FALLBACK_LOG=str(fallbacks or ""))
    start = [str(REPO / "tests" / "without_fork_or_renameat2.py")] if fallbacks else [
        "-m", "site_builder"]
    command = [sys.executable, *start, "serve", "--site", str(site), "--port", str(port)]
    with open(log, "wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=REPO)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server politely, then forcibly."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def answer_status(server: Server) -> int | None:
    """Return the status of GET /, or None while nothing listens; fail at once if it died."""
    if server.proc.poll() is not None:
        pytest.fail(f"sitegen serve exited with {server.proc.returncode}:\n{server.output()}")
    try:
        return server.get("/").status
    except OSError:
        return None


@contextlib.contextmanager
def running_server(site: Path, log: Path, ready: Callable[[int | None], bool] = lambda s: s == 200,
                   fallbacks: Path | None = None):
    """Run a dev server for site until the block ends; stop it (or kill it) afterwards."""
    port = free_port()
    proc = start_server(site, port, log, fallbacks)
    server = Server(proc, port, site, log)
    try:
        wait_for(lambda: ready(answer_status(server)), START_TIMEOUT, "the server to answer")
        yield server
    finally:
        stop(proc)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a small site with two entries."""
    root = tmp_path / "site"
    root.mkdir()
    write_config(root, "Diplomacy timeline")
    write_entry(root, "xi-putin", "2022-12-31", "Xi meets Putin")
    write_entry(root, "lavrov-wang", "2023-01-05", "Lavrov meets Wang")
    return root


@pytest.fixture
def server(site: Path, tmp_path: Path, request: pytest.FixtureRequest):
    """Yield a running dev server for the site; parametrized "fallbacks", one running as on a
    system without fork or renameat2, whose fallbacks are logged to tmp_path/fallbacks.log."""
    fallbacks = tmp_path / "fallbacks.log" if getattr(request, "param", "") == "fallbacks" else None
    with running_server(site, tmp_path / "serve.log", fallbacks=fallbacks) as running:
        yield running


class LiveReloadClient:
    """A livereload browser stand-in: tornado's websocket client doing livereload's handshake."""

    def __init__(self, port: int):
        self.url = f"ws://127.0.0.1:{port}/livereload"
        self.conn = None

    async def connect(self) -> dict:
        """Connect, say hello and info like livereload.js; return the server's hello."""
        self.conn = await websocket_connect(self.url)
        await self.conn.write_message(json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        hello = await self.next(10)
        await self.conn.write_message(json.dumps(
            {"command": "info", "url": self.url.replace("ws:", "http:"), "plugins": {}}))
        return hello

    async def next(self, timeout: float) -> dict | None:
        """Return the next message, or None if none came within timeout seconds."""
        try:
            text = await asyncio.wait_for(self.conn.read_message(), timeout)
        except asyncio.TimeoutError:
            return None
        assert text is not None, "the server closed the livereload socket"
        return json.loads(text)

    async def reloads_within(self, seconds: float) -> list[dict]:
        """Return every reload message that arrives within seconds."""
        found, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = await self.next(left)
            if message and message.get("command") == "reload":
                found.append(message)
        return found

    def close(self) -> None:
        """Close the socket."""
        if self.conn is not None:
            self.conn.close()


# --- pure helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "/../sitegen.yaml", "/%2e%2e/sitegen.yaml", "/%2E%2E/%2e%2e/sitegen.yaml", "/a/../../x",
    "/..%2fsitegen.yaml", "/%2f/etc/passwd", "/index.html%00.css", "/a\\..\\b", "/%c0%ae%c0%ae/x",
    "http://evil.example/", "/./index.html", "/" + "a" * 256, "/x/" + "%C3%A9" * 128,
    "/a" * 1025,
])
def test_unsafe_request_paths_are_refused(raw):
    assert parse_request_path(raw) is None


@pytest.mark.parametrize("raw, parts", [
    ("/", []), ("/2022/12/31/xi-putin/", ["2022", "12", "31", "xi-putin"]),
    ("//tags//russia", ["tags", "russia"]), ("/tags/caf%C3%A9/", ["tags", "café"]),
    ("/static/style.0123456789.css", ["static", "style.0123456789.css"]),
    ("/" + "a" * 255, ["a" * 255]), ("/a" * 1024, ["a"] * 1024),
])
def test_safe_request_paths_are_decoded(raw, parts):
    assert parse_request_path(raw) == parts


def test_only_stylesheet_changes_restyle_in_place():
    css = reload_message({"templates/static/style.css"}, "templates/static/")
    assert css["liveCSS"] is True and css["path"].endswith(".css")
    mixed = reload_message({"templates/static/style.css", "content/2022/12/a.md"},
                           "templates/static/")
    assert mixed["liveCSS"] is False and not mixed["path"].endswith(".css")
    assert mixed["command"] == "reload"


def test_snapshot_differences_include_deletions():
    old = {"a.md": (1, 1, 1), "b.md": (1, 1, 2)}
    new = {"a.md": (2, 1, 1), "c.md": (1, 1, 3)}
    assert changed_paths(old, new) == {"a.md", "b.md", "c.md"}




def test_html_gets_script_and_overlay():
    page = b"<html><head><title>x</title></head><body><p>hi</p></body></html>"
    plain = decorate_html(page, [])
    assert plain.index(b"livereload.js") < plain.index(b"</head>")
    assert b"sitegen-error" not in plain
    broken = decorate_html(page, ["content/a.md:3: <bad> date"])
    assert b"sitegen-error" in broken and b"&lt;bad&gt; date" in broken
    assert broken.index(b"sitegen-error") < broken.index(b"</body>")


def test_only_our_own_host_names_are_accepted():
    local = host_rule("127.0.0.1")
    for netloc in ("127.0.0.1", "127.0.0.1:8000", "localhost:1", "LOCALHOST", "[::1]:8000"):
        assert local.allows(netloc), netloc
    for netloc in ("evil.example", "evil.example:8000", "localhost.evil.example", "::1",
                   "10.0.0.2:8000", "127.0.0.1:80:80", "127.0.0.1.evil.example", ""):
        assert not local.allows(netloc), netloc
    assert local.allows_origin("http://localhost:8000")
    for origin in ("http://evil.example", "null", "file://", "http://127.0.0.1.evil.example"):
        assert not local.allows_origin(origin), origin

    named = host_rule("box.lan")
    assert named.allows("box.lan:8000") and named.allows("localhost")
    assert not named.allows("192.168.1.5:8000")
    assert host_rule("::1").allows("[::1]:8000")

    everywhere = host_rule("0.0.0.0", ["box", "box.local"])
    for netloc in ("box:8000", "box.local", "localhost", "192.168.1.5:8000", "[fe80::1]:8000"):
        assert everywhere.allows(netloc), netloc
    for netloc in ("box.evil.example", "evil.example:8000", "fe80::1"):
        assert not everywhere.allows(netloc), netloc


def test_the_watcher_reads_a_folder_once_through_a_link_loop(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("x", encoding="utf-8")
    (content / "here").symlink_to(".")
    (content / "elsewhere").symlink_to(tmp_path / "shared")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "b.md").write_text("y", encoding="utf-8")
    found = scan(tmp_path, [content])
    assert set(found) == {"content/a.md", "content/here", "content/elsewhere",
                          "content/elsewhere/b.md"}, sorted(found)[:10]


def test_local_url_is_browsable():
    assert local_url("127.0.0.1", 8123) == "http://127.0.0.1:8123/"
    assert local_url("0.0.0.0", 80) == "http://localhost:80/"
    assert local_url("::1", 8000) == "http://[::1]:8000/"


# --- the real server ----------------------------------------------------------------------------

def test_serves_the_site_with_local_links_outside_public(server):
    home = server.page("/")
    assert "Xi meets Putin" in home and "Lavrov meets Wang" in home
    assert "livereload.js" in home
    assert "/sub/path/" not in home, "links must use the local base, not base_url's sub-path"
    assert server.page(ENTRY_PAGE).count("Xi meets Putin") >= 1
    assert server.dev_dir().is_dir()
    assert not (server.site / "public").exists(), "serve must never write the published folder"
    stylesheet = next(p for p in (server.dev_dir() / "static").iterdir() if p.suffix == ".css")
    answer = server.get(f"/static/{stylesheet.name}")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/css")


def test_rebuilds_after_content_template_config_edits_and_deletions(server):
    site = server.site
    write_entry(site, "xi-putin", "2022-12-31", "Xi meets Putin again")
    wait_for(lambda: "Xi meets Putin again" in server.page(ENTRY_PAGE), what="the content edit")

    (site / "templates").mkdir()
    (site / "templates" / "entry.html").write_text(
        "<!doctype html>\n<html><head><title>override</title></head>"
        "<body><p>TEMPLATE-OVERRIDE-1</p></body></html>\n", encoding="utf-8")
    wait_for(lambda: "TEMPLATE-OVERRIDE-1" in server.page(ENTRY_PAGE), what="the template edit")

    write_config(site, "Renamed timeline")
    wait_for(lambda: "Renamed timeline" in server.page("/"), what="the sitegen.yaml edit")

    (site / "content" / "2023" / "01" / "lavrov-wang.md").unlink()
    # An incremental build moves its few changed files into place one by one, so each is polled.
    wait_for(lambda: server.get("/2023/01/05/lavrov-wang/").status == 404, what="the deletion")
    wait_for(lambda: "Lavrov meets Wang" not in server.page("/"), what="the home page update")


@pytest.mark.parametrize("server", ["native", "fallbacks"], indirect=True)
def test_browser_reloads_once_per_burst_and_restyles_css_in_place(server, tmp_path, request):
    async def scenario():
        client = LiveReloadClient(server.port)
        try:
            hello = await client.connect()
            assert hello["command"] == "hello"
            assert "http://livereload.com/protocols/official-7" in hello["protocols"]

            write_entry(server.site, "xi-putin", "2022-12-31", "Xi meets Putin, edited")
            started = time.monotonic()
            first = await client.next(CHANGE_TIMEOUT)
            assert first and first["command"] == "reload", first
            assert time.monotonic() - started < 5
            # The reload comes after the rebuild: the page is already the new one.
            assert "Xi meets Putin, edited" in server.page(ENTRY_PAGE)

            for number in range(20):
                write_entry(server.site, f"burst-{number}", "2023-02-01", f"Burst entry {number}")
            reloads = await client.reloads_within(4.0)
            assert len(reloads) == 1, reloads
            assert "Burst entry 19" in server.page("/2023/02/01/")

            static = server.site / "templates" / "static"
            static.mkdir(parents=True)
            (static / "style.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
            restyle = await client.next(CHANGE_TIMEOUT)
            assert restyle and restyle["liveCSS"] is True and restyle["path"].endswith(".css")
        finally:
            client.close()

    old_home = server.page("/")
    asyncio.run(scenario())
    # livereload.js refetches the stylesheet the open page names (an older hashed file): it must
    # get the new rules, not a 404.
    old_css = next(part.split('"')[0] for part in old_home.split('href="')
                   if part.split('"')[0].endswith(".css"))
    assert "rebeccapurple" in server.page(old_css + "?livereload=1")
    if request.node.callspec.params["server"] == "fallbacks":   # the guarantees above held
        taken = (tmp_path / "fallbacks.log").read_text().splitlines()
        assert "two renames" in taken and "in this process" in taken and "renameat2" not in taken


def test_failed_rebuild_keeps_last_good_site_and_shows_the_error(server):
    entry = server.site / "content" / "2022" / "12" / "xi-putin.md"
    entry.write_text(BROKEN_ENTRY, encoding="utf-8")
    wait_for(lambda: "sitegen-error" in server.page("/"), what="the error overlay")
    home = server.page("/")
    assert "xi-putin.md:" in home, "the overlay names the file and line"
    assert "Xi meets Putin" in server.page(ENTRY_PAGE), "the last good pages are still served"
    assert server.proc.poll() is None
    assert any(line.rstrip().split(" ")[0].endswith(":") and "xi-putin.md:" in line
               for line in server.output().splitlines()), server.output()

    write_entry(server.site, "xi-putin", "2022-12-31", "Xi meets Putin, fixed")
    wait_for(lambda: "sitegen-error" not in server.page("/"), what="the overlay to clear")
    assert "Xi meets Putin, fixed" in server.page(ENTRY_PAGE)


def test_a_site_that_never_built_gets_an_error_page_until_fixed(site, tmp_path):
    (site / "sitegen.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with running_server(site, tmp_path / "serve.log", ready=lambda status: status == 500) as server:
        page = server.get("/")
        assert page.status == 500 and page.body.count('id="sitegen-error"') == 1
        assert "sitegen.yaml:" in page.body and "livereload.js" in page.body
        write_config(site, "Working again")
        # The pages reach the folder a moment before the server forgets the error (the browser
        # is told to reload only after both), so wait for the two together.
        wait_for(lambda: (answer := server.get("/")).status == 200
                 and "sitegen-error" not in answer.body, what="the fixed site")
        assert "Working again" in server.page("/")


def test_requests_cannot_leave_the_output_folder(server):
    # The dev output folder is <site>/.sitegen-cache/serve/<port>/: try every depth up to the site.
    attempts = [str(server.site / "sitegen.yaml"), "/../../../../../../etc/passwd",
                "/index.html%00", "/static/..%5c..%5c..%5c..%5csitegen.yaml"]
    for depth in range(1, 6):
        for step, sep in (("..", "/"), ("%2e%2e", "/"), ("%2E%2E", "/"), ("..", "%2f"),
                          (".%2e", "/"), ("%2e%2e", "%2F")):
            attempts.append("/" + (step + sep) * depth + "sitegen.yaml")
            attempts.append("/2022/" + (step + sep) * (depth + 1) + "sitegen.yaml")
    for path in attempts:
        answer = server.raw(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close"
                            "\r\n\r\n".encode())
        status = int(answer.split(b" ", 2)[1])
        assert status in (400, 403, 404), (path, answer[:200])
        assert CONFIG_MARKER.encode() not in answer
        assert b"root:" not in answer
    assert server.page("/").count("Xi meets Putin") >= 1


def test_missing_pages_get_the_site_404_and_folders_redirect(server):
    missing = server.get("/no/such/page/")
    assert missing.status == 404
    own = (server.dev_dir() / "404.html").read_text(encoding="utf-8")
    title = own.split("<title>")[1].split("</title>")[0]
    assert title and title in missing.body
    assert server.get("/no-such-file.css").status == 404

    folder = server.get(ENTRY_PAGE.rstrip("/"))
    assert folder.status in (301, 302, 307, 308)
    assert folder.headers["location"] == ENTRY_PAGE


def test_malformed_requests_do_not_kill_the_server(server):
    huge = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    for request in (b"NONSENSE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", huge, b"\x00\xff\x01\r\n\r\n",
                    b"GET /%ff%fe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"):
        try:
            server.raw(request)
        except OSError:
            pass
    slow = socket.create_connection(("127.0.0.1", server.port))  # a client that never finishes
    try:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert "Xi meets Putin" in server.page("/")
    finally:
        slow.close()
    assert server.proc.poll() is None


def test_port_in_use_is_a_one_line_error(site, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_server(site, port, tmp_path / "serve.log")
        try:
            code = proc.wait(timeout=START_TIMEOUT)
        finally:
            stop(proc)
    output = (tmp_path / "serve.log").read_text(encoding="utf-8").strip()
    assert code == 1
    assert len(output.splitlines()) == 1 and "in use" in output, output
    assert "Traceback" not in output
    assert site_files(site) == FIXTURE_FILES


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_cleanly_without_leftovers(server, signum):
    assert server.dev_dir().is_dir()
    server.proc.send_signal(signum)
    assert server.proc.wait(timeout=CHANGE_TIMEOUT) == 0
    assert "Traceback" not in server.output()
    assert not server.dev_dir().exists()
    assert site_files(server.site) == FIXTURE_FILES, "no stray files may be left"
    assert not manifest_path(server.site / CACHE_DIR, server.dev_dir()).exists()


def test_a_raw_article_dropped_into_seeds_is_imported_and_appears(server):
    seeds = server.site / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "dropped.txt").write_text(
        "date 2023-02-01 https://example.org/dropped\nDropped Article Title\nA lead.\n"
        "MOSCOW (Wire) - The body paragraph.\n", encoding="utf-8")
    wait_for(lambda: "Dropped Article Title" in server.page("/"), what="the imported article")
    assert (server.site / "content" / "2023" / "02" / "dropped-article-title.md").is_file()
    assert "The body paragraph." in server.page("/2023/02/01/dropped-article-title/")


def test_a_broken_raw_article_is_a_warning_and_the_rest_is_served(server):
    seeds = server.site / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "broken.txt").write_text("not a date line\nTitle\n", encoding="utf-8")
    (seeds / "good.txt").write_text(
        "date 2023-02-01 https://example.org/good\nGood Article Title\nA lead.\n"
        "MOSCOW (Wire) - The body paragraph.\n", encoding="utf-8")
    wait_for(lambda: "sitegen-warning" in server.page("/"), what="the warning overlay")
    home = server.page("/")
    assert "Good Article Title" in home and "seeds/broken.txt:1:" in home
    assert "sitegen-error" not in home and server.proc.poll() is None
    assert "seeds/broken.txt:1:" in server.output()
    (seeds / "broken.txt").unlink()
    wait_for(lambda: "sitegen-warning" not in server.page("/"), what="the overlay to clear")
