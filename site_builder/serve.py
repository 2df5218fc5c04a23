"""The dev server: build the site, serve it locally, rebuild on every change, reload the browser.

Three parts, each small:

- a watcher thread that polls a snapshot (path -> (mtime_ns, size, inode)) of the watched trees,
  waits until the trees have been quiet for a moment, runs ONE build for a whole burst of changes
  (a `git checkout`, an editor's swap files), and only then tells the browsers to reload;
- an HTTP handler that serves the dev output folder, refusing any path that would leave it,
  answering missing pages with the site's own 404.html, and injecting the livereload script (and,
  while the last build is failing, an error overlay) into every HTML page;
- livereload's websocket handler and its livereload.js, mounted in our own tornado application.

Why not livereload's `Server`: its watcher reacts once per changed file and drops changes that
arrive within a few seconds of a reload instead of coalescing them, it reloads the browser on its
own schedule (not after our build has finished), watches the working folder when given nothing to
watch, forces a reload a few seconds after start, answers missing pages with tornado's error page
rather than the site's 404.html, and hides "port in use" inside `serve()`. Its websocket handler
(`LiveReloadHandler`, which keeps the connected browsers in `LiveReloadHandler.waiters`) and the
vendored livereload.js are exactly what we need, so we mount those and send the reload message
(`{"command": "reload", "path": ..., "liveCSS": true}`) ourselves.

The site is built with base_url http://HOST:PORT/ into <site>/.sitegen-cache/serve/PORT/, never
into the published output folder, so a publisher never deploys localhost URLs; that folder is
removed on exit.
"""

from __future__ import annotations

import asyncio
import errno
import html
import ipaddress
import json
import mimetypes
import os
import re
import shutil
import signal
import socket
import stat
import sys
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping
from urllib.parse import quote, unquote_to_bytes, urlsplit

from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler

from .build import BuildOptions, describe
from .cache import CACHE_DIR, manifest_path
from .core.config import CONFIG_FILE, Config, load_config
from .core.errors import BuildFailed, SitegenError
from .sources.fsevents import Notifier, open_notifier
from .livebuild import LiveSite
from .core.urls import MAX_NAME_BYTES, MAX_PATH_BYTES, NOT_FOUND_PATH, SEARCH_PATH, output_file
from .outputs.folder import previous_dir, staging_dir
from .sources.tree import is_ignored, outside_target

POLL_SECONDS = 0.1       # how often the watched trees are scanned (at least)
POLL_LOAD = 0.25         # at most this share of one core goes to scanning big sites
QUIET_SECONDS = 0.15     # how long the trees must stay unchanged before a rebuild starts
# With inotify every write is heard at once, not at the next scan: an editor's save or a
# `git checkout` writes its files within milliseconds of each other, so a shorter quiet will do.
NOTIFIED_QUIET_SECONDS = 0.05
NOTIFIED_POLL_LOAD = 0.05  # with inotify, full scans are a safety net: this share of a core
STOP_POLL_SECONDS = 0.25   # how long the watcher waits for events before looking at stop
MAX_WAIT_SECONDS = 2.0   # rebuild anyway when files keep changing for this long
STOP_WAIT_SECONDS = 60.0  # how long Ctrl-C waits for a running rebuild to finish
RELOADED_WAIT_SECONDS = 0.5  # how long the search index waits for the reloaded pages to be back
EVERY_INTERFACE = ("", "0.0.0.0", "::")   # --host values that listen on every interface
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
LOGGED_URL_CHARS = 100    # a URL echoed in the console is cut to this length
HASHED_ASSET = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{10}\.(?P<suffix>css|js)$")

Log = Callable[[str], None]
Snapshot = Mapping[str, tuple[int, int, int]]

# livereload's own snippet: load livereload.js from whatever host and port served the page.
LIVERELOAD_SCRIPT = (
    '<script>(function(){var s=document.createElement("script");'
    'var p=window.location.port||(window.location.protocol=="https:"?443:80);'
    's.src="//"+window.location.hostname+":"+p+"/livereload.js?port="+p;'
    'document.head.appendChild(s);})();</script>'
).encode()


@dataclass(frozen=True)
class ServeOptions:
    """What to serve and where: the site folder, the address, and whether to open a browser."""

    site_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = False


@dataclass
class DevState:
    """What the HTTP handler needs to know: where the site is and why the last build failed."""

    out_dir: Path
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()   # raw articles the last good build skipped
    hellos: int = 0                  # livereload handshakes: a reloaded page says hello again


# --- pure helpers -------------------------------------------------------------------------------

def dev_output_dir(site_dir: Path, port: int) -> Path:
    """Return the folder the dev server builds into (never the published output folder)."""
    return site_dir / CACHE_DIR / "serve" / str(port)


def local_url(host: str, port: int) -> str:
    """Return the base URL pages are built with, e.g. 'http://127.0.0.1:8000/'."""
    if host in EVERY_INTERFACE:
        host = "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def parse_request_path(raw: str) -> list[str] | None:
    """Return the decoded segments of a raw URL path, or None if it is malformed, escapes, or
    names a file no build writes (a name over 255 bytes, a path over 2,048)."""
    if not raw.startswith("/") or "\\" in raw or re.search(r"%(2f|5c|00)", raw, re.IGNORECASE):
        return None
    try:
        decoded = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return None
    if len(decoded.encode()) > MAX_PATH_BYTES or any(
            len(part.encode()) > MAX_NAME_BYTES for part in parts):
        return None
    return parts


@dataclass(frozen=True)
class HostRule:
    """The host names a request may be addressed to (Host header, websocket Origin).

    A page on another site can reach the server through DNS rebinding (its own name, resolved to
    127.0.0.1), but its requests still carry that name: refusing unknown names stops it.
    """

    names: frozenset[str]
    any_address: bool = False   # listening on every interface: any IP address is ours too

    def allows(self, netloc: str) -> bool:
        """Return whether 'name' or 'name:port' names this server."""
        name = host_name(netloc)
        return name in self.names or (self.any_address and is_ip_address(name))

    def allows_origin(self, origin: str) -> bool:
        """Return whether a websocket's Origin ('http://name:port') is a page of this server."""
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and self.allows(parts.netloc)


def host_rule(host: str, machine_names: Iterable[str] = ()) -> HostRule:
    """Return the rule for a server bound to host: localhost's names and host's; on every
    interface, the machine's names (machine_names) and IP addresses too."""
    names = set(LOCAL_NAMES)
    if host in EVERY_INTERFACE:
        names.update(machine_names)
    else:
        names.add(f"[{host}]" if ":" in host else host)
    return HostRule(frozenset(name.lower() for name in names), host in EVERY_INTERFACE)


def host_name(netloc: str) -> str:
    """Return the lower-case name in 'name:port' (an IPv6 address keeps its brackets)."""
    netloc = netloc.lower()
    name, colon, port = netloc.rpartition(":")
    if colon and port.isdigit() and (name.endswith("]") or ":" not in name):
        return name
    return netloc


def is_ip_address(name: str) -> bool:
    """Return whether a host name is an IPv4 address or a bracketed IPv6 address."""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    elif ":" in name:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def url_of(parts: list[str], folder: bool = False) -> str:
    """Return the URL path of decoded segments, always starting with a single '/'."""
    path = "/" + "/".join(quote(part) for part in parts)
    return path + "/" if folder and parts else path


def current_asset(folder: Path, name: str) -> Path | None:
    """Return the file now standing in for a hashed asset (style.<old hash>.css) of a past build."""
    match = HASHED_ASSET.match(name)
    if not match or not folder.is_dir():
        return None
    pattern = re.compile(re.escape(match["stem"]) + r"\.[0-9a-f]{10}\." + match["suffix"] + "$")
    found = [path for path in folder.iterdir() if pattern.match(path.name)]
    try:
        return max(found, key=lambda path: path.stat().st_mtime_ns, default=None)
    except OSError:  # replaced while we looked
        return None


def insert_before(document: bytes, tags: Iterable[bytes], snippet: bytes) -> bytes:
    """Return document with snippet inserted before the first of tags found, else appended."""
    for tag in tags:
        match = re.search(re.escape(tag), document, re.IGNORECASE)
        if match:
            return document[:match.start()] + snippet + document[match.start():]
    return document + snippet


OVERLAY_HEADINGS = {
    "error": "sitegen: the build failed; pages shown come from the last good build. "
             "Fix the errors below and save: this page reloads by itself.",
    "warning": "sitegen: the site is built, but these raw articles could not be imported "
               "and are left out. Fix or remove them and save: this page reloads by itself.",
}
OVERLAY_COLOURS = {"error": ("#3b0a0a", "#e5484d"), "warning": ("#3b2e0a", "#e5a84d")}


def error_overlay(errors: Iterable[str], kind: str = "error") -> bytes:
    """Return the HTML of the banner shown over every page while the last build is failing
    (kind 'error') or skipped raw articles (kind 'warning')."""
    text = html.escape("\n".join(errors))
    background, border = OVERLAY_COLOURS[kind]
    return (
        f'<div id="sitegen-{kind}" role="alert" style="position:fixed;top:0;left:0;right:0;'
        'z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1em 1.25em;'
        f'background:{background};color:#fff;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;'
        f'border-bottom:4px solid {border};text-align:left">'
        f"<strong>{OVERLAY_HEADINGS[kind]}</strong>"
        f'<pre style="white-space:pre-wrap;margin:.6em 0 0;font:inherit">{text}</pre></div>'
    ).encode()


ERROR_PAGE = (b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
              b"<title>sitegen: build failed</title></head><body></body></html>\n")


def decorate_html(document: bytes, errors: Iterable[str], warnings: Iterable[str] = ()) -> bytes:
    """Return an HTML page with the livereload script and, if any, the error overlay (else the
    warnings' overlay) added."""
    errors, warnings = list(errors), list(warnings)
    if errors:
        document = insert_before(document, (b"</body>", b"</html>"), error_overlay(errors))
    elif warnings:
        document = insert_before(document, (b"</body>", b"</html>"),
                                 error_overlay(warnings, "warning"))
    return insert_before(document, (b"</head>", b"</body>"), LIVERELOAD_SCRIPT)


def shorten(text: str, limit: int = LOGGED_URL_CHARS) -> str:
    """Return text cut to limit characters, marked with '...' if it was cut."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def changed_paths(old: Snapshot, new: Snapshot) -> set[str]:
    """Return the paths added, removed or modified between two snapshots."""
    return {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}


def reload_message(changes: Iterable[str], static_prefix: str) -> dict:
    """Return livereload's reload command: restyle in place if only stylesheets changed."""
    changes = sorted(changes)
    css_only = bool(changes) and all(
        c.startswith(static_prefix) and c.endswith(".css") for c in changes)
    # livereload.js restyles the page without reloading when liveCSS is set and the path ends in
    # .css; a path matching no <link> makes it refetch every stylesheet.
    return {"command": "reload", "path": changes[0] if css_only else "/",
            "liveCSS": css_only, "liveImg": False}


def is_time_to_build(clock: float, changed_at: float, first_change_at: float,
                     quiet: float = QUIET_SECONDS) -> bool:
    """Return whether the trees have been quiet for quiet seconds, or kept changing for too long."""
    return clock - changed_at >= quiet or clock - first_change_at >= MAX_WAIT_SECONDS


def describe_changes(changes: set[str]) -> str:
    """Return 'content/a.md' or 'content/a.md and 19 more'."""
    first = sorted(changes)[0] if changes else "?"
    return first if len(changes) <= 1 else f"{first} and {len(changes) - 1} more"


# --- the disk: watching and building ------------------------------------------------------------

def watched_roots(site_dir: Path, config: Config) -> list[Path]:
    """Return the files and folders whose changes trigger a rebuild."""
    return [site_dir / config.content_dir, site_dir / config.seeds_dir,
            site_dir / config.templates_dir, site_dir / CONFIG_FILE]


def scan(site_dir: Path, roots: Iterable[Path], folders: set[str] | None = None
         ) -> dict[str, tuple[int, int, int]]:
    """Return path -> (mtime_ns, size, inode) of every watched file below roots, and of every
    link below them (so that removing a link is a change); add the folders read to folders.

    Links to folders are followed as the build follows them, but each folder is read once, so a
    link loop costs one visit (the build reports the loop), and a link out of the site is not
    followed (the build refuses it).
    """
    real_site = os.path.realpath(site_dir)
    found: dict[str, tuple[int, int, int]] = {}
    visited: set[tuple[int, int]] = set()   # (device, inode) of every folder read

    def record(path: str, info: os.stat_result) -> None:
        found[os.path.relpath(path, site_dir)] = (info.st_mtime_ns, info.st_size, info.st_ino)

    pending = []
    for root in map(str, roots):
        if os.path.isdir(root) and outside_target(root, real_site) is not None:
            record(root, os.lstat(root))     # a source folder that is a link out of the site
        else:
            pending.append(root)
    while pending:
        path = pending.pop()
        try:
            info = os.stat(path)
            if stat.S_ISREG(info.st_mode):
                record(path, info)
                continue
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(path))
            if folders is not None:
                folders.add(path)
        except OSError:  # missing, or deleted while we looked: the next scan will tell
            continue
        for entry in entries:
            try:
                if is_ignored(entry.name):   # .git, .sitegen-cache, swap files, Emacs locks
                    continue
                if entry.is_symlink():
                    record(entry.path, entry.stat(follow_symlinks=False))
                    if outside_target(entry.path, real_site) is not None:
                        continue
                if entry.is_dir():
                    pending.append(entry.path)
                else:
                    record(entry.path, entry.stat())
            except OSError:  # deleted meanwhile, or a link leading nowhere (recorded above)
                continue
    return found


def rescanned(snapshot: Snapshot, touched: Iterable[tuple[str, bool]], site_dir: Path,
              roots: Iterable[Path]) -> Snapshot | None:
    """Return snapshot with the files events named (path, is a folder) looked at again, or
    None when only a full scan can tell (a folder or a link came or went)."""
    roots = {str(root) for root in roots}
    below = tuple(root + os.sep for root in roots)
    new = dict(snapshot)
    for path, is_folder in touched:
        if not (path in roots or path.startswith(below)) or is_ignored(os.path.basename(path)):
            continue
        if is_folder:
            return None
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            new.pop(os.path.relpath(path, site_dir), None)
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        new[os.path.relpath(path, site_dir)] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return new


def machine_names() -> set[str]:
    """Return the names this machine goes by on the network: 'box', 'box.local', its FQDN."""
    hostname = socket.gethostname()
    return {hostname, f"{hostname}.local", socket.getfqdn()}


def remove_dev_output(site_dir: Path, out_dir: Path) -> None:
    """Remove the dev output folder, its leftovers and its build manifest, and emptied parents."""
    for path in (out_dir, staging_dir(out_dir), previous_dir(out_dir)):
        shutil.rmtree(path, ignore_errors=True)
    manifest_path(site_dir / CACHE_DIR, out_dir).unlink(missing_ok=True)
    for parent in (out_dir.parent, out_dir.parent.parent):
        try:
            parent.rmdir()
        except OSError:
            break


class Rebuilder:
    """Runs builds for the dev server and remembers whether the last one failed."""

    def __init__(self, options: ServeOptions, state: DevState, base_url: str,
                 log: Log, log_error: Log, log_warning: Log | None = None):
        self.options = options
        self.state = state
        self.base_url = base_url
        self.log = log
        self.log_error = log_error
        self.log_warning = log_warning or log_error
        self.config = Config()
        self.site = LiveSite(BuildOptions(options.site_dir, base_url=base_url,
                                          drafts=options.drafts, output_dir=state.out_dir),
                             lambda: Path(self.config.content_dir))

    def roots(self) -> list[Path]:
        """Return what to watch, following the last readable sitegen.yaml."""
        try:
            self.config = load_config(self.options.site_dir)
        except (SitegenError, OSError):
            pass
        return watched_roots(self.options.site_dir, self.config)

    def static_prefix(self) -> str:
        """Return the site-relative folder of the site's own static files, with a slash."""
        return os.path.join(self.config.templates_dir, "static") + os.sep

    def rebuild(self, changes: set[str] | None = None) -> bool:
        """Build the site after changes to the files at paths (None: any); return whether what
        the browser shows changed. The search index is brought up to date by finish()."""
        was_failing = bool(self.state.errors)
        try:
            report = self.site.build(changes, log=self.log, warn=self.log_warning)
        except BuildFailed as exc:
            return self.fail([str(error) for error in exc.errors] + [str(exc)])
        except SitegenError as exc:
            return self.fail([str(exc)])
        except OSError as exc:  # the disk said no: a link loop, a folder without permission
            return self.fail([f"{exc.filename or 'a file'}: {exc.strerror or exc}"])
        except Exception as exc:  # a bug in the build must not kill the dev loop
            self.log_error(traceback.format_exc().rstrip())
            return self.fail([f"internal error: {type(exc).__name__}: {exc}"])
        self.state.errors = ()
        for error in report.skipped_raw:
            self.log_warning(str(error))
        self.log(describe(report))
        warnings = tuple(str(error) for error in report.skipped_raw)
        warned = warnings != self.state.warnings
        self.state.warnings = warnings
        write = report.write
        return was_failing or warned or write.written > 0 or write.removed > 0

    def finish(self) -> bool:
        """Bring the search index up to date after a build; return whether it was."""
        started = time.perf_counter()
        try:
            indexed = self.site.finish()
            if indexed:
                self.log(f"search index up to date in {time.perf_counter() - started:.2f} s")
            return indexed
        except (SitegenError, OSError) as exc:
            self.log_error(f"search index not updated: {exc}")
        except Exception:  # a bug here must not kill the dev loop
            self.log_error(traceback.format_exc().rstrip())
        return False

    def fail(self, errors: list[str]) -> bool:
        """Record and print a failed build's errors; return True (the overlay must show)."""
        for error in errors:
            self.log_error(error)
        kept = "serving the last good build" if self.state.out_dir.is_dir() else "no site yet"
        self.log_error(f"{kept}; fix the errors and save to rebuild")
        self.state.errors = tuple(errors)
        return True


def keep_watching(rebuilder: Rebuilder, notify: Callable[..., None], stop: threading.Event,
                  building: threading.Lock, built: Snapshot) -> None:
    """Run the watcher until stop is set, restarting it should it ever fail."""
    while not stop.is_set():
        try:
            watch(rebuilder, notify, stop, building, built)
        except Exception:  # the dev loop never dies: report, pause, start over
            rebuilder.log_error(traceback.format_exc().rstrip())
            stop.wait(1.0)
            built = scan(rebuilder.options.site_dir, rebuilder.roots())


def watch(rebuilder: Rebuilder, notify: Callable[..., None], stop: threading.Event,
          building: threading.Lock, built: Snapshot) -> None:
    """Poll the watched trees until stop is set; one rebuild, then one reload, per burst.

    built is the snapshot taken just before the last build started, so that nothing changed
    after it goes unnoticed.
    """
    site_dir = rebuilder.options.site_dir
    roots = rebuilder.roots()
    seen = built
    changed_at = first_change_at = 0.0
    pending: set[str] = set()   # source changes the browser has not been reloaded for
    must_reload = False
    interval = POLL_SECONDS
    notifier = open_notifier()   # None: poll alone
    try:
        while not stop.is_set():
            quiet = NOTIFIED_QUIET_SECONDS if notifier else QUIET_SECONDS
            now = look(notifier, site_dir, roots, seen, stop,
                       quiet if notifier and seen != built else interval)
            if now is None:   # time for a full scan
                started = time.monotonic()
                folders: set[str] = set()
                now = scan(site_dir, roots, folders)
                load = POLL_LOAD
                if notifier is not None:
                    folders.update(os.path.dirname(str(root)) for root in roots)
                    if notifier.watch(folders):
                        load = NOTIFIED_POLL_LOAD
                    else:
                        notifier.close()
                        notifier = None
                interval = max(POLL_SECONDS, (time.monotonic() - started) * (1 - load) / load)
            if stop.is_set():
                return
            clock = time.monotonic()
            if now != seen:
                if seen == built:
                    first_change_at = clock
                seen, changed_at = now, clock
            if now == built or not is_time_to_build(clock, changed_at, first_change_at, quiet):
                continue
            changes = changed_paths(built, now)
            pending |= changes
            with building:
                if stop.is_set():
                    return
                rebuilder.log(f"rebuilding after a change to {describe_changes(changes)}")
                must_reload |= rebuilder.rebuild(changes)
            roots = rebuilder.roots()
            built = now
            seen = look_again(notifier, site_dir, roots, built)
            if seen != built:  # more changes arrived during the build: build again, reload once
                changed_at = first_change_at = time.monotonic()
                continue
            if must_reload:
                message = reload_message(pending, rebuilder.static_prefix())
                browsers, hellos = len(LiveReloadHandler.waiters), rebuilder.state.hellos
                notify(message)
                if not message["liveCSS"]:   # the reloading pages come first, then the index
                    wait_for_hellos(rebuilder.state, hellos + browsers, stop)
            pending, must_reload = set(), False
            with building:   # the reload is on its way: now the search index
                if not stop.is_set() and rebuilder.finish():
                    notify(reload_message((), ""), page=SEARCH_PATH)   # the search page follows
    finally:
        if notifier is not None:
            notifier.close()


def wait_for_hellos(state: DevState, count: int, stop: threading.Event) -> None:
    """Wait until state has heard count livereload hellos (the pages told to reload are back,
    so the search index takes no CPU from them), at most RELOADED_WAIT_SECONDS."""
    deadline = time.monotonic() + RELOADED_WAIT_SECONDS
    while state.hellos < count and not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.005)


def look_again(notifier: Notifier | None, site_dir: Path, roots: list[Path], built: Snapshot
               ) -> Snapshot:
    """Return the snapshot now: built with the events since, or a full scan's."""
    if notifier is not None:
        events, lost = notifier.wait(0)
        now = None if lost else rescanned(built, events, site_dir, roots)
        if now is not None:
            return now
    return scan(site_dir, roots)


def look(notifier: Notifier | None, site_dir: Path, roots: list[Path], seen: Snapshot,
         stop: threading.Event, timeout: float) -> Snapshot | None:
    """Wait up to timeout for a change; return the snapshot the events tell of (seen when none
    came before a short timeout), or None when a full scan must look (no notifier, the full
    scan's interval passed, events lost)."""
    if notifier is None:
        stop.wait(timeout)
        return None
    deadline = time.monotonic() + timeout
    touched: list[tuple[str, bool]] = []
    while not touched and not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        events, lost = notifier.wait(min(left, STOP_POLL_SECONDS))
        if lost:
            return None
        touched += events
    if not touched:
        return seen if timeout == NOTIFIED_QUIET_SECONDS else None
    return rescanned(seen, touched, site_dir, roots)





# --- the network: HTTP and the livereload websocket ---------------------------------------------

class KnownHostsOnly:
    """Mixed into every handler: refuse requests addressed to a host name not ours."""

    def prepare(self) -> None:
        """Answer 421 Misdirected Request, with a one-line body, to a foreign Host header."""
        if not self.settings["host_rule"].allows(self.request.host):
            self.set_status(421)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("421 Misdirected Request: unknown host name\n")


class ReloadSocket(KnownHostsOnly, LiveReloadHandler):
    """livereload's websocket, also counting a client as connected after 'hello'."""

    def check_origin(self, origin: str) -> bool:
        """Return whether the page opening the socket is one of ours (livereload allows any)."""
        return self.settings["host_rule"].allows_origin(origin)

    def on_message(self, message):
        """Answer the livereload handshake; close the socket on anything malformed."""
        try:
            data = json.loads(message)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            super().on_message(message)
        except (ValueError, AttributeError, TypeError, RecursionError):  # nested too deep
            self.close(1003, "malformed message")
            return
        if data.get("command") == "hello":
            LiveReloadHandler.waiters.add(self)
            self.settings["state"].hellos += 1
        elif data.get("command") == "info" and isinstance(data.get("url"), str):
            self.page_path = urlsplit(data["url"]).path   # which page: see broadcast


def broadcast(message: dict, page: str | None = None) -> None:
    """Send a livereload command to every connected browser (or those showing the page at
    path page); forget the ones that left."""
    for waiter in list(LiveReloadHandler.waiters):
        if page is not None and getattr(waiter, "page_path", None) != page:
            continue
        try:
            waiter.write_message(message)
        except Exception:  # closed while we wrote: it will not be missed
            LiveReloadHandler.waiters.discard(waiter)


class ReloadScript(KnownHostsOnly, LiveReloadJSHandler):
    """livereload.js, for our own host names only."""


class SiteHandler(KnownHostsOnly, web.RequestHandler):
    """Serves the dev output folder: safe paths only, the site's 404.html, injected scripts."""

    def initialize(self, state: DevState) -> None:
        """Keep the shared state."""
        self.state = state

    def set_default_headers(self) -> None:
        """Never let the browser keep a stale page without asking."""
        self.set_header("Server", "sitegen")
        self.set_header("Cache-Control", "no-cache")

    def get(self) -> None:
        """Answer a GET (or HEAD) with a file, a redirect, the 404 page or the error page."""
        raw = self.request.path
        parts = parse_request_path(raw)
        if parts is None:
            self.send_error(400)
            return
        root = self.state.out_dir
        for _attempt in range(3):  # a rebuild may swap the folder between our looking and reading
            try:
                self.answer(root, parts, raw.endswith("/"))
                return
            except FileNotFoundError:
                time.sleep(0.01)
        self.answer_missing(root)

    head = get

    def answer(self, root: Path, parts: list[str], slash: bool) -> None:
        """Serve what parts name below root; raise FileNotFoundError if it vanished meanwhile."""
        target: Path | None = root.joinpath(*parts)
        if target.is_dir():
            if parts and not slash:
                query = f"?{self.request.query}" if self.request.query else ""
                self.redirect(url_of(parts, folder=True) + query, permanent=False)
                return
            target = target / "index.html"
        elif slash:
            target = None
        elif not target.is_file():
            target = current_asset(target.parent, target.name)
        if target is None or not target.is_file() or not self.is_inside(root, target):
            self.answer_missing(root)
            return
        self.send_file(target, 200)

    def answer_missing(self, root: Path) -> None:
        """Answer with the site's own 404 page, or the error page when there is no site yet."""
        page = root / output_file(NOT_FOUND_PATH)
        if self.state.errors and not (root / "index.html").is_file():
            self.set_status(500)
            self.send_html(ERROR_PAGE)  # the overlay carrying the errors is added on the way out
        elif page.is_file():
            self.send_file(page, 404)
        else:
            self.set_status(404)
            self.send_html(b"<!doctype html><title>Not found</title><h1>Not found</h1>")

    @staticmethod
    def is_inside(root: Path, target: Path) -> bool:
        """Return whether target, with links followed, is inside root."""
        return target.resolve().is_relative_to(root.resolve())

    def send_file(self, path: Path, status: int) -> None:
        """Send a file, decorating HTML pages."""
        data = path.read_bytes()
        self.set_status(status)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            self.send_html(data)
            return
        if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                                "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.finish(data)

    def send_html(self, document: bytes) -> None:
        """Send an HTML page with the livereload script and any error overlay."""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(decorate_html(document, self.state.errors, self.state.warnings))

    def write_error(self, status_code: int, **kwargs) -> None:
        """Answer errors with one short line instead of tornado's page."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def log_exception(self, typ, value, tb) -> None:
        """Print unexpected handler errors in one short line; the server carries on."""
        if not isinstance(value, web.HTTPError):
            print(f"error: {self.request.method} {shorten(self.request.path)}: "
                  f"{shorten(repr(value))}", file=sys.stderr)


def make_app(state: DevState, rule: HostRule) -> web.Application:
    """Return the tornado application: livereload's socket and script, then the site."""
    return web.Application(
        [(r"/livereload", ReloadSocket),
         (r"/livereload\.js", ReloadScript),
         (r".*", SiteHandler, {"state": state})],
        host_rule=rule,
        state=state,
        websocket_max_message_size=64 * 1024,
        log_function=lambda handler: None,
    )


def bind(host: str, port: int) -> list[socket.socket]:
    """Return listening sockets on host:port; a port in use is a one-line SitegenError."""
    try:
        return netutil.bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SitegenError(f"port {port} on {host} is already in use "
                               f"(stop the other server or pass --port {port + 1})") from None
        if exc.errno == errno.EACCES:
            raise SitegenError(f"not allowed to listen on port {port} "
                               "(try a port above 1023)") from None
        reason = exc.strerror or str(exc)
        raise SitegenError(f"cannot listen on {host}:{port}: {reason}") from None


# --- the command --------------------------------------------------------------------------------

def serve(options: ServeOptions, log: Log = print, log_error: Log = print,
          log_warning: Log | None = None) -> int:
    """Build, serve and watch the site until Ctrl-C or SIGTERM; return the exit code."""
    site_dir = options.site_dir.resolve()
    if not site_dir.is_dir():
        raise SitegenError(f"{options.site_dir}: no such site folder")
    sockets = bind(options.host, options.port)
    port = sockets[0].getsockname()[1]
    options = ServeOptions(site_dir, options.host, port, options.open_browser, options.drafts)
    state = DevState(dev_output_dir(site_dir, port))
    rebuilder = Rebuilder(options, state, local_url(options.host, port), log, log_error,
                          log_warning)
    signals = StopSignals()
    signals.install()
    try:
        snapshot = scan(site_dir, rebuilder.roots())  # before the build: no change goes unseen
        rebuilder.rebuild()
        rebuilder.finish()
        return asyncio.run(_run(options, state, rebuilder, sockets, snapshot, signals))
    finally:
        signals.restore()
        for sock in sockets:
            sock.close()
        remove_dev_output(site_dir, state.out_dir)


def open_browser(url: str, log_warning: Log) -> None:
    """Open url in the user's web browser, or say that there is none to open it in."""
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        log_warning(f"--open: no web browser could be started here; open {url} in one yourself")


class StopSignals:
    """Ctrl-C and SIGTERM: a KeyboardInterrupt before the server runs, a clean stop after.

    Plain handlers rather than asyncio's add_signal_handler: that one routes signals through
    set_wakeup_fd, which forked build workers inherit, so the SIGTERM a worker pool sends its
    own workers when it closes would reach the server's loop and stop it.
    """

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.on_stop: Callable[[], None] | None = None
        self.previous: dict[int, object] = {}

    def install(self) -> None:
        """Handle SIGINT and SIGTERM from now on."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.previous[signum] = signal.signal(signum, self.handle)

    def restore(self) -> None:
        """Put back the handlers there were before."""
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def handle(self, signum: int, frame) -> None:
        """Stop the server, interrupt the first build, or let a forked worker die as asked."""
        if os.getpid() != self.owner:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        elif self.on_stop is None:
            raise KeyboardInterrupt
        else:
            self.on_stop()


async def _run(options: ServeOptions, state: DevState, rebuilder: Rebuilder,
               sockets: list[socket.socket], snapshot: Snapshot, signals: StopSignals) -> int:
    """Serve until a stop signal; then wait for a running rebuild and close everything."""
    loop = asyncio.get_running_loop()
    ioloop = IOLoop.current()
    stop, hurry = asyncio.Event(), asyncio.Event()

    def on_signal() -> None:
        (hurry if stop.is_set() else stop).set()

    signals.on_stop = lambda: loop.call_soon_threadsafe(on_signal)

    rule = host_rule(options.host, machine_names() if options.host in EVERY_INTERFACE else ())
    server = httpserver.HTTPServer(make_app(state, rule), idle_connection_timeout=30,
                                   body_timeout=30, max_header_size=16 * 1024,
                                   max_body_size=1024 * 1024, xheaders=False)
    server.add_sockets(sockets)
    stopping, building = threading.Event(), threading.Lock()

    def notify(message: dict, page: str | None = None) -> None:
        if not stopping.is_set():
            ioloop.add_callback(broadcast, message, page)

    watcher = threading.Thread(target=keep_watching, name="sitegen-watcher", daemon=True,
                               args=(rebuilder, notify, stopping, building, snapshot))
    watcher.start()
    url = local_url(options.host, options.port)
    roots = ", ".join(os.path.relpath(p, options.site_dir) + ("" if p.name == CONFIG_FILE else "/")
                      for p in watched_roots(options.site_dir, rebuilder.config))
    rebuilder.log(f"serving {options.site_dir} at {url} (watching {roots}; Ctrl-C to stop)")
    if options.open_browser:
        threading.Thread(target=open_browser, args=(url, rebuilder.log_warning),
                         daemon=True).start()

    await stop.wait()
    rebuilder.log("stopping")
    stopping.set()
    server.stop()
    for waiter in list(LiveReloadHandler.waiters):
        waiter.close()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while watcher.is_alive() and not hurry.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # Hold the build lock so no rebuild writes into the folder while it is being removed.
    got_lock = building.acquire(timeout=0 if hurry.is_set() else 1)
    try:
        remove_dev_output(options.site_dir, state.out_dir)
    finally:
        if got_lock:
            building.release()
    await server.close_all_connections()
    return 0
