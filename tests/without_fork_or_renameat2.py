"""Run the sitegen CLI as on a system with neither fork nor renameat2 (Windows has neither,
macOS has no renameat2): `python tests/without_fork_or_renameat2.py COMMAND [ARGS]`.

`os.fork` is gone and no C library can be found to look renameat2 up in; a worker pool, should
the code still ask for one, fails the command. Work is cut into chunks of two, at least two
jobs are asked for and every write of the output folder swaps it whole, so that each build meets
the places where the fallbacks are taken. Each time one is, a line naming it is appended to the
file named by FALLBACK_LOG, when that is set.
"""

from __future__ import annotations

import ctypes.util
import multiprocessing
import os
import sys


def note(what: str) -> None:
    """Append one line to the fallback log, if the test asked for one."""
    if os.environ.get("FALLBACK_LOG"):
        with open(os.environ["FALLBACK_LOG"], "a", encoding="utf-8") as log:
            log.write(what + "\n")


def no_pool(*args, **kwargs):
    """Stand in for multiprocessing.get_context: without fork there must be no pool."""
    raise AssertionError("a worker pool was asked for on a system without fork")


if hasattr(os, "fork"):   # Windows has none to remove
    del os.fork
ctypes.util.find_library = lambda name: None
multiprocessing.get_context = no_pool

from site_builder import build, parallel   # noqa: E402 - after the system is changed
from site_builder.cli import main          # noqa: E402
from site_builder.outputs import folder    # noqa: E402

build.PARSE_CHUNK = build.RENDER_CHUNK = build.KEY_CHUNK = 2
folder.JOURNAL_LIMIT = 0
parallel.default_jobs = lambda: 2
real_exchange, real_fork_map = folder._exchange, parallel.fork_map


def exchange(a, b) -> bool:
    """Return what the real exchange does, noting which way the folders were swapped."""
    swapped = real_exchange(a, b)
    note("renameat2" if swapped else "two renames")
    return swapped


def fork_map(task, items, jobs, chunk_size, progress=None):
    """Return what the real fork_map does, noting work it would have shared with workers."""
    if jobs > 1 and len(items) > chunk_size:
        note("in this process")
    return real_fork_map(task, items, jobs, chunk_size, progress)


folder._exchange = exchange
parallel.fork_map = fork_map
sys.exit(main(sys.argv[1:]))
