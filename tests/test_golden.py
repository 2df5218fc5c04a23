"""Golden output: a small fixed site (tests/golden/site) builds to exactly tests/golden/expected.

Any change to the rendered output fails this test. To accept a change on purpose, rebuild the
expected tree and review it with git diff:

    SITEGEN_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from site_builder.build import BuildOptions, build

GOLDEN = Path(__file__).resolve().parent / "golden"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_golden_site_builds_to_the_expected_tree(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(GOLDEN / "site", site)
    build(BuildOptions(site, jobs=1))
    built = tree(site / "public")
    expected_dir = GOLDEN / "expected"
    if os.environ.get("SITEGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(site / "public", expected_dir)
    expected = tree(expected_dir)
    assert sorted(built) == sorted(expected), "files added or missing"
    for path, data in expected.items():
        if built[path] != data:
            diff = difflib.unified_diff(data.decode(errors="replace").splitlines(),
                                        built[path].decode(errors="replace").splitlines(),
                                        f"expected/{path}", f"built/{path}", lineterm="", n=2)
            raise AssertionError("\n".join(list(diff)[:60]))
