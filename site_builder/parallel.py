"""Spreading work over worker processes, which inherit the parent's memory by forking.

Forked workers see the objects the parent built (the plan, the Jinja environment) without
pickling them; only the small chunks of work items and the results cross process boundaries.
"""

from __future__ import annotations

import os
import signal
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

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


def _worker_started() -> None:
    """Let SIGTERM end a worker outright, whatever handler it inherited (the dev server's): it
    is how a pool stops its workers when a task fails or the caller stops early."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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
    return _collect(fork_each(task, items, jobs, chunk_size), len(items), progress)


def fork_each(task: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], jobs: int,
              chunk_size: int) -> Iterator[list[Result]]:
    """Yield task(chunk) for each chunk of items, in order, as the workers finish them (so that
    the caller can fold each into a compact result instead of holding them all)."""
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), chunk_size)]
    if jobs <= 1 or len(chunks) <= 1 or not hasattr(os, "fork"):
        yield from map(task, chunks)
        return
    import multiprocessing   # here, not above: small rebuilds run in-process, spared its import

    global _task
    _task = task
    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(chunks)), _worker_started)
    try:
        yield from pool.imap(_run, chunks)
    except BaseException:   # a task failed, or the caller stopped early: stop the workers now
        pool.terminate()
        raise
    else:   # every result is in: the workers end by themselves, with no signal to miss
        pool.close()
        pool.join()
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
