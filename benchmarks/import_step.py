"""Time a build's import step over raw articles.

    python benchmarks/import_step.py RAW SITE [--runs N]

RAW is a folder of raw articles (e.g. C/seeds after `python benchmarks/generate.py --entries
10000 --out C --raw`). Each run copies them into a fresh site folder SITE/run-K/seeds with
`search: false`, runs `sitegen build` there in a new process and stops it once the import step
is done; it prints the step's wall time, the CPU of that process and of its workers, and a
SHA-256 over the entry files written (path and bytes), to tell that two versions wrote the
same. Then the median of the runs.

SITE must not exist, and its run folders are deleted only after the last run: deleting
thousands of files just before an import makes ext4 pass over their inodes for about a minute
when it allocates new ones (its "recently deleted" check), which slowed this step by a third.
Any checkout can be timed with PYTHONPATH=CHECKOUT.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


class _ImportDone(Exception):
    """Raised after the import step, to stop the build there."""


def measure_once(raw: Path, site: Path) -> dict:
    """Import the raw articles into the new site folder site, in this process; return what it
    took."""
    from site_builder import build as build_module

    site.mkdir(parents=True)
    shutil.copytree(raw, site / "seeds")
    (site / "sitegen.yaml").write_text("title: Bench\nbase_url: http://localhost/\nsearch: false\n",
                                       encoding="utf-8")
    os.sync()
    marks: dict[str, tuple[float, os.times_result]] = {}
    step = build_module.Builder.step

    def timed_step(builder, name: str) -> None:
        step(builder, name)
        marks[name] = (time.perf_counter(), os.times())
        if name == "import seeds":
            raise _ImportDone

    build_module.Builder.step = timed_step
    try:
        build_module.build(build_module.BuildOptions(site_dir=site))
    except _ImportDone:
        pass
    (t0, c0), (t1, c1) = marks["load entries"], marks["import seeds"]
    digest = hashlib.sha256()
    files = sorted((site / "content").rglob("*.md"))
    for path in files:
        digest.update(path.relative_to(site).as_posix().encode() + b"\n" + path.read_bytes())
    return {"seconds": round(t1 - t0, 3),
            "cpu_parent": round(c1.user - c0.user + c1.system - c0.system, 3),
            "cpu_workers": round(c1.children_user - c0.children_user
                                 + c1.children_system - c0.children_system, 3),
            "system_workers": round(c1.children_system - c0.children_system, 3),
            "entries": len(files), "sha256": digest.hexdigest()[:16],
            "code": build_module.__file__}


def measure(raw: Path, site: Path, runs: int, progress=print) -> dict:
    """Time the import step runs times, each in a new process and a new folder under site (which
    must not exist, and is deleted afterwards); return every run and the median wall time."""
    if site.exists():
        raise SystemExit(f"{site} exists: give a new folder (see the note on deleting files)")
    results = []
    try:
        for run in range(1, runs + 1):
            done = subprocess.run([sys.executable, __file__, "--one", str(raw),
                                   str(site / f"run-{run}")],
                                  check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.splitlines()[-1]))
            progress(describe(results[-1]))
    finally:
        shutil.rmtree(site, ignore_errors=True)
    return {"runs": results, "median_seconds": statistics.median(r["seconds"] for r in results)}


def describe(result: dict) -> str:
    """Return one run's figures as a line."""
    return (f"{result['code']}: import {result['seconds']:.2f} s wall; CPU "
            f"{result['cpu_parent']:.2f} s here, {result['cpu_workers']:.2f} s in workers "
            f"({result['system_workers']:.2f} s of it in the kernel); "
            f"{result['entries']} entries, sha256 {result['sha256']}")


def main() -> None:
    """Parse the command line and time the runs."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="a folder of raw articles")
    parser.add_argument("site", type=Path, help="a new folder for the sites (deleted afterwards)")
    parser.add_argument("--runs", type=int, default=1, help="runs; the median is printed")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_once(args.raw.resolve(), args.site.resolve())))
        return
    result = measure(args.raw.resolve(), args.site.resolve(), args.runs)
    print(f"median of {args.runs}: {result['median_seconds']:.2f} s")


if __name__ == "__main__":
    main()
