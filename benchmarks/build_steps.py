"""Print the memory of a build after each of its steps: `cd SITE && python build_steps.py [build
options]`, e.g. `--clean`.

After each step: its seconds, the RSS of the build's process, the largest RSS it has had
(ru_maxrss) and that of the largest worker it forked (forked workers count the pages they
inherited too).
"""

from __future__ import annotations

import resource
import sys

from search_step import rss_mib   # a sibling script: this folder is on the path
from site_builder import build
from site_builder.cli import main


def peak_mib(who: int) -> float:
    """Return the largest RSS of this process (RUSAGE_SELF) or of its children, in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024


def report_step(step):
    """Return Builder.step, printing the memory after each step."""
    def step_and_report(self, name: str) -> None:
        step(self, name)
        print(f"{name:16s} {self.report.steps[-1][1]:7.2f} s  rss {rss_mib():6.0f} MiB  "
              f"peak {peak_mib(resource.RUSAGE_SELF):6.0f} MiB  "
              f"workers' peak {peak_mib(resource.RUSAGE_CHILDREN):6.0f} MiB",
              file=sys.stderr, flush=True)
    return step_and_report


if __name__ == "__main__":
    build.Builder.step = report_step(build.Builder.step)
    sys.argv = ["sitegen", "build", *sys.argv[1:]]
    main()
