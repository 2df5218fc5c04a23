"""Spreading work over worker processes, which inherit the parent's memory by forking.

Forked workers see the objects the parent built (the plan, the Jinja environment) without
pickling them; only the small chunks of work items and the results cross process boundaries.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# The function forked workers run. Set only for the duration of fork_map, in the parent before
# it forks: a function passed to a pool is pickled by name, so a closure could not be sent.
_task: Callable | None = None


def default_jobs() -> int:
    """Return how many workers to use by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _run(chunk: Sequence) -> list:
    """Run the current task over one chunk in a worker."""
    assert _task is not None
    return _task(chunk)


def fork_map(task: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], jobs: int,
             chunk_size: int, progress: Callable[[int, int], None] | None = None) -> list[Result]:
    """Return the concatenated task(chunk) results over chunks of items, in order.

    Runs in this process when one job is asked for, when there is too little work to share, or
    where the system cannot fork. progress(done, total) is called after each chunk.
    """
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    if jobs <= 1 or len(chunks) <= 1 or not hasattr(os, "fork"):
        parts = map(task, chunks)
        return _collect(parts, len(items), progress)
    import multiprocessing   # here, not above: small rebuilds run in-process, spared its import

    global _task
    _task = task
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            return _collect(pool.imap(_run, chunks), len(items), progress)
    finally:
        _task = None


def _collect(parts: Iterable[list[Result]], total: int,
             progress: Callable[[int, int], None] | None) -> list[Result]:
    """Return the results of all parts in order, reporting progress after each."""
    results: list[Result] = []
    for part in parts:
        results.extend(part)
        if progress:
            progress(len(results), total)
    return results
