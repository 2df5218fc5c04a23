"""The dev server's watcher with inotify (site_builder/serve.py `watch`): a save is rebuilt after
the short quiet period, a burst of writes closer together than it still gives one rebuild and one
reload, and the search index waits until the reloaded browsers are back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from livereload.handlers import LiveReloadHandler

from site_builder.serve import (NOTIFIED_QUIET_SECONDS, QUIET_SECONDS, RELOADED_WAIT_SECONDS,
                                DevState, scan, watch, watched_roots)
from site_builder.core.config import Config
from site_builder.sources.fsevents import open_notifier
from test_serve import write_config, write_entry

pytestmark = pytest.mark.skipif(open_notifier() is None, reason="no inotify on this system")
SETTLE_SECONDS = 1.0   # the watcher's first full scan, which starts its inotify watches


class FakeRebuilder:
    """What watch() asks of the dev server's Rebuilder, recording when it was asked."""

    def __init__(self, site: Path):
        self.options = type("Options", (), {"site_dir": site})()
        self.state = DevState(site / "out")
        self.rebuilds: list[tuple[float, set[str]]] = []
        self.finished: list[float] = []

    def roots(self) -> list[Path]:
        return watched_roots(self.options.site_dir, Config())

    def static_prefix(self) -> str:
        return "templates/static/"

    def log(self, message: str) -> None:
        pass

    def rebuild(self, changes: set[str]) -> bool:
        self.rebuilds.append((time.monotonic(), changes))
        return True

    def finish(self) -> bool:
        self.finished.append(time.monotonic())
        return False


@pytest.fixture
def watched(tmp_path: Path):
    """Yield (site, rebuilder, reloads) with watch() running on a small site in a thread."""
    site = tmp_path / "site"
    site.mkdir()
    write_config(site, "Diplomacy timeline")
    write_entry(site, "talks-0", "2022-12-10", "Talks")
    rebuilder, reloads, stop = FakeRebuilder(site), [], threading.Event()
    built = scan(site, rebuilder.roots())
    thread = threading.Thread(target=watch, args=(
        rebuilder, lambda message, page=None: reloads.append((time.monotonic(), message, page)),
        stop, threading.Lock(), built), daemon=True)
    thread.start()
    time.sleep(SETTLE_SECONDS)
    try:
        yield site, rebuilder, reloads
    finally:
        stop.set()
        thread.join(5)


def wait_until(condition, timeout: float = 10.0) -> None:
    """Wait until condition() holds; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_save_is_rebuilt_after_the_short_quiet_period(watched):
    site, rebuilder, _ = watched
    # A save's last event comes between `saving` and `saved`: the quiet period is counted from
    # it, so the rebuild is at least the quiet period after `saving`, and (the point of
    # inotify) well within polling's 0.15 s of `saved`.
    since_saving, since_saved = [], []
    for number in range(5):
        saving = time.monotonic()
        entry = write_entry(site, "talks-0", "2022-12-10", f"Talks, take {number}")
        saved = time.monotonic()
        wait_until(lambda: len(rebuilder.rebuilds) == number + 1)
        since_saving.append(rebuilder.rebuilds[-1][0] - saving)
        since_saved.append(rebuilder.rebuilds[-1][0] - saved)
        assert rebuilder.rebuilds[-1][1] == {str(entry.relative_to(site))}
        time.sleep(0.3)
    assert min(since_saving) >= NOTIFIED_QUIET_SECONDS, since_saving
    # the 0.15 s quiet period of polling is most of a save's way to the screen: not with inotify
    assert min(since_saved) < QUIET_SECONDS, since_saved


def test_a_burst_of_writes_closer_than_the_quiet_period_gives_one_rebuild(watched):
    site, rebuilder, reloads = watched
    written = set()
    for number in range(20):   # 0.2 s of writes, each 10 ms after the last: a checkout's pace
        entry = write_entry(site, f"burst-{number}", "2023-02-01", f"Burst entry {number}")
        written.add(str(entry.relative_to(site)))
        time.sleep(NOTIFIED_QUIET_SECONDS / 5)
    wait_until(lambda: rebuilder.rebuilds)
    time.sleep(1.0)
    assert len(rebuilder.rebuilds) == 1, rebuilder.rebuilds
    assert rebuilder.rebuilds[0][1] == written
    assert [message["command"] for _, message, page in reloads if page is None] == ["reload"]


def test_the_search_index_waits_until_the_reloaded_page_is_back(watched):
    site, rebuilder, reloads = watched
    browser = object()   # one connected page, as livereload.js keeps it in the waiters
    LiveReloadHandler.waiters.add(browser)
    try:
        write_entry(site, "talks-0", "2022-12-10", "Talks, edited")
        wait_until(lambda: reloads)
        time.sleep(RELOADED_WAIT_SECONDS / 2)
        assert not rebuilder.finished, "the search index took the CPU from the reloading page"
        hello = time.monotonic()
        rebuilder.state.hellos += 1   # the reloaded page's livereload.js says hello again
        wait_until(lambda: rebuilder.finished)
        assert rebuilder.finished[0] - hello < RELOADED_WAIT_SECONDS / 2

        write_entry(site, "talks-0", "2022-12-10", "Talks, edited again")   # no page comes back
        wait_until(lambda: len(rebuilder.finished) == 2)
        reload_at = [at for at, _, page in reloads if page is None][-1]
        assert rebuilder.finished[1] - reload_at >= RELOADED_WAIT_SECONDS
    finally:
        LiveReloadHandler.waiters.discard(browser)
