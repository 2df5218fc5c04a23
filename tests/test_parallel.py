"""Worker pools end cleanly whatever SIGTERM handler their parent has (the dev server installs
one): every result in, the workers end by themselves; a failed task or a caller that stops
early ends them by SIGTERM, which a worker always dies of."""

from __future__ import annotations

import multiprocessing.pool
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from site_builder import parallel

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sigterm_ignored():
    """SIGTERM ignored in this process (and so in workers forked from it), as a handler that
    does not end a process would leave it."""
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def doubled(chunk):
    return [item * 2 for item in chunk]


def sigterm_is_default(chunk):
    return [signal.getsignal(signal.SIGTERM) is signal.SIG_DFL for _ in chunk]


def test_workers_end_by_themselves_once_every_result_is_in(sigterm_ignored, monkeypatch):
    terminated = []
    real_terminate = multiprocessing.pool.Pool.terminate

    def terminate(pool):
        terminated.append(pool)
        real_terminate(pool)

    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", terminate)
    for _ in range(20):
        assert parallel.fork_map(doubled, range(40), 2, 3) == [i * 2 for i in range(40)]
    assert terminated == []


def test_a_worker_dies_of_sigterm_whatever_handler_it_inherited(sigterm_ignored):
    assert parallel.fork_map(sigterm_is_default, range(8), 2, 2) == [True] * 8


@pytest.mark.parametrize("stop", ["a task fails", "the caller stops early"])
def test_the_workers_are_stopped_when_the_work_ends_early(stop):
    script = textwrap.dedent(f"""
        import signal, sys, time
        sys.path.insert(0, {str(REPO)!r})
        from site_builder import parallel
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

        def task(chunk):
            if {stop!r} == "a task fails" and 6 in chunk:
                raise ValueError("bad chunk")
            time.sleep(0.05)
            return list(chunk)

        results = parallel.fork_each(task, range(40), 2, 2)
        try:
            for part in results:
                if {stop!r} == "the caller stops early" and 4 in part:
                    results.close()
                    break
        except ValueError as error:
            print("failed:", error)
        print("ended")
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "ended"
    if stop == "a task fails":
        assert "failed: bad chunk" in done.stdout
