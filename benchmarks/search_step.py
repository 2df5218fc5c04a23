"""Time the search index step of a cold build alone: `python benchmarks/search_step.py SITE`.

SITE is a site folder (e.g. a copy of one made by `generate.py --variant markdown`); its output
folder's search index and the search state in its build cache are removed first, so the index is
built whole. The pages are neither planned nor written (those steps are skipped), so that the
figures are the search step's: wall and CPU seconds of the main process and of its workers, the
main process's resident memory before and after the step (and its peak during it, sampled), and
the workers' peak. `--jobs 1` builds the index in the main process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

from site_builder import build, cache

PAGE_SIZE = resource.getpagesize()


def rss_mib() -> float:
    """Return this process's resident memory in MiB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE_SIZE / 2**20


def children_cpu() -> float:
    """Return the CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured_update_search(real):
    """Return Builder.update_search printing the step's figures."""
    def update_search(self, site, outputs):
        before, peak, done = rss_mib(), [0.0], threading.Event()

        def sample():
            while not done.wait(0.05):
                peak[0] = max(peak[0], rss_mib())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wall, cpu, workers = time.perf_counter(), time.process_time(), children_cpu()
        real(self, site, outputs)
        done.set()
        sampler.join()
        after, workers_peak = rss_mib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"entries {len(site.entries)}: search step {time.perf_counter() - wall:.2f} s wall, "
              f"CPU {time.process_time() - cpu:.2f} s main + {children_cpu() - workers:.2f} s "
              f"workers; main RSS {before:.0f} -> {after:.0f} MiB "
              f"(peak {max(peak[0], after):.0f}); "
              f"workers' peak {workers_peak / 1024:.0f} MiB")
    return update_search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    options = build.BuildOptions(site_dir=args.site, jobs=args.jobs)
    builder = build.Builder(options, log=lambda message: None, progress=None)
    shutil.rmtree(builder.out_dir / "searchindex", ignore_errors=True)
    for stale in [*builder.cache_dir.glob("search-*"), *builder.cache_dir.glob("outputs-*")]:
        stale.unlink()
    Builder = build.Builder
    Builder.load_theme = lambda self, site: None
    Builder.plan_outputs = lambda self, site, theme, manifest, changed: ([], {}, 0)
    Builder.output_keys = lambda self, plan, theme: []
    Builder.write = lambda self, plan, keys, site_paths, manifest, theme: {}
    Builder.update_search = measured_update_search(Builder.update_search)
    assert cache.SEARCH_TOKENS_FILE.startswith("search-")
    builder.run()


if __name__ == "__main__":
    sys.exit(main())
