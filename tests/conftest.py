"""Shared fixtures: the repository's root, for tests that use its seed article or theme."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# How scripts/test.sh's `--dist loadfile` hands files to pytest-xdist's workers. Files whose
# tests share no module fixture go test by test to any worker (26 Lighthouse runs of some
# seconds each); the slowest files (a few tests of minutes each) start first, so that no worker
# ends with one of them alone while the other has nothing left.
SPREAD_FILES = {"tests/browser/test_browser_lighthouse.py"}
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
            for scope in reversed(SLOW_FILES):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SlowFilesFirst(config, log)
