"""Time a build's import step over raw articles: `python benchmarks/import_step.py CORPUS SITE`.

Copies CORPUS/seeds (e.g. `python benchmarks/generate.py --entries 10000 --out CORPUS --raw`)
into a fresh SITE with `search: false`, runs `sitegen build` there and stops it once the import
step is done; prints the step's wall time, the CPU of this process and of its workers, and a
SHA-256 over the entry files written (path and bytes), to tell that two versions wrote the same.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

from site_builder import build as build_module


class _ImportDone(Exception):
    """Raised after the import step, to stop the build there."""


def main(corpus: Path, site: Path) -> None:
    """Import corpus/seeds into a fresh site folder and print what it took."""
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copytree(corpus / "seeds", site / "seeds")
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
    print(f"{build_module.__file__}: import {t1 - t0:.2f} s wall; CPU "
          f"{c1.user - c0.user + c1.system - c0.system:.2f} s here, "
          f"{c1.children_user - c0.children_user + c1.children_system - c0.children_system:.2f} s "
          f"in workers; {len(files)} entries, sha256 {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
