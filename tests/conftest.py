"""Shared fixtures: the repository's root, for tests that use its seed article or theme."""

import os
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# How scripts/test.sh's `--dist loadfile` hands files to pytest-xdist's workers. Some files go
# test by test to any worker: 26 Lighthouse runs of some seconds each, and the killed builds,
# a third of the whole run's time in one file (its three tests on the reference builds then
# make those once per worker). The slowest files' tests (minutes each) start first, so that no
# worker ends with one of them alone while the other has nothing left.
SPREAD_FILES = {"tests/browser/test_browser_lighthouse.py", "tests/test_hardening_kill.py"}
SLOW_FILES = ("tests/test_hardening_kill.py", "tests/test_hardening_scale.py")


@pytest.hookimpl(optionalhook=True)     # a pytest-xdist hook: without it, never called
def pytest_xdist_make_scheduler(config, log):
    """Return the `--dist loadfile` scheduler that keeps each file on one worker but spreads
    SPREAD_FILES' tests and starts with SLOW_FILES; None for other modes."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowFilesFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return nodeid if file in SPREAD_FILES else file

        def _assign_work_unit(self, node) -> None:
            slow = [scope for scope in self.workqueue if scope.split("::")[0] in SLOW_FILES]
            for scope in reversed(slow):
                self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SlowFilesFirst(config, log)


# Tests that time the browser against a budget in milliseconds (`..._within_50_ms_...`) share no
# core with other workers: scripts/test.sh runs everything else in parallel with
# SITEGEN_TESTS_ALONE=skip, then these alone in one process with SITEGEN_TESTS_ALONE=only.
TIMED = re.compile(r"_within_\d+_ms")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the timed tests, or all but them, as SITEGEN_TESTS_ALONE says (unset: all)."""
    alone = os.environ.get("SITEGEN_TESTS_ALONE", "")
    if alone not in ("skip", "only"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if bool(TIMED.search(item.name)) == (alone == "only") else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
