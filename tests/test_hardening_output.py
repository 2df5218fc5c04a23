"""Hardening: no output folder, however it is given, makes a build remove the site or its sources.

A build replaces its output folder's files. Each case below once emptied the site folder, its
`.git` or the folder beside it; now `build` and `check` refuse it with one line, and every file of
the whole temporary tree (the site, its repository, a sibling folder) is byte for byte as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OWNER_MARKER = ".sitegen-output"   # the file that marks a folder as a site sitegen built

REPO = Path(__file__).resolve().parent.parent
ENTRY = "---\ntitle: Talks in Moscow\ndate: 2022-12-31\ntags: [russia]\n---\nBody.\n"


def sitegen(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `python -m site_builder COMMAND --site site ...` and return what it did."""
    return subprocess.run([sys.executable, "-m", "site_builder", args[0], "--site", str(site),
                           *args[1:]], cwd=REPO, capture_output=True, text=True, timeout=300)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Return every file (with its bytes) and folder (None) below root."""
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[Path(folder, name).relative_to(root).as_posix()] = None
        for name in files:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def make_site(root: Path, config: str = "") -> Path:
    """Return a site with an entry, a raw article, a template, a repository and a sibling file."""
    site = root / "site"
    for rel, text in {"content/2022/12/talks.md": ENTRY,
                      "seeds/keep.txt": "date 2022-12-30 https://example.org/a\nTalks in Beijing\nA lead.\nA body.\n",
                      "templates/static/extra.css": "p{}",
                      "sitegen.yaml": config,
                      ".github/workflows/pages.yml": "on: push\n",
                      "docs/guide.md": "# A guide the author wrote\n"}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    (root / "beside-the-site.txt").write_text("another project's file")
    return site


def assert_refused(done: subprocess.CompletedProcess, words: str) -> None:
    """Check a command exited 1 with a one-line reason holding words, and no traceback."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    text = done.stdout + done.stderr
    assert "Traceback" not in text
    assert any(words in line and line.count("\n") == 0 for line in text.splitlines()), text


@pytest.mark.parametrize("output, words", [
    (".", "is the site folder itself"),
    ("./", "is the site folder itself"),
    ("content", "is the site's content/"),
    ("content/2022", "lies inside the site's content/"),
    ("seeds", "is the site's seeds/"),
    ("templates/static", "lies inside the site's templates/"),
    (".git", "is the site's .git/"),
    (".github", "is the site's .github/"),
    ("sitegen.yaml", "is the site's sitegen.yaml"),
])
def test_a_config_output_dir_over_the_sources_is_refused_by_build_and_check(tmp_path, output, words):
    site = make_site(tmp_path, f"output_dir: {output}\n")
    before = snapshot(tmp_path)
    for command in ("build", "check"):
        done = sitegen(site, command)
        assert_refused(done, f"sitegen.yaml:1: output_dir '{output}' {words}")
        assert snapshot(tmp_path) == before


@pytest.mark.parametrize("output, words", [
    (".", "is the site folder itself"),
    ("..", "contains the site folder"),
    ("content", "is the site's content/"),
    ("seeds/new", "lies inside the site's seeds/"),
    (".git", "is the site's .git/"),
    ("docs", "is not empty and has no .sitegen-output file"),
    ("../", "contains the site folder"),
])
def test_an_output_option_over_the_site_or_a_foreign_folder_is_refused(tmp_path, output, words):
    site = make_site(tmp_path)
    before = snapshot(tmp_path)
    target = output if output.startswith("/") else str(site / output)
    for command in ("build", "check"):
        assert_refused(sitegen(site, command, "--output", target), words)
        assert snapshot(tmp_path) == before


def test_an_output_folder_that_links_to_the_site_is_refused(tmp_path):
    site = make_site(tmp_path)
    (site / "public").symlink_to(site, target_is_directory=True)
    before = snapshot(tmp_path)
    assert_refused(sitegen(site, "build"), "is the site folder itself")
    assert snapshot(tmp_path) == before


def test_a_foreign_folder_is_used_once_emptied_and_is_then_marked_as_the_sites(tmp_path):
    site = make_site(tmp_path)
    docs = site / "docs"
    assert_refused(sitegen(site, "build", "--output", str(docs)), str(docs))
    assert (docs / "guide.md").is_file()
    (docs / "guide.md").unlink()
    assert sitegen(site, "build", "--output", str(docs)).returncode == 0
    assert (docs / OWNER_MARKER).is_file() and (docs / "index.html").is_file()
    # A built site is sitegen's: the next build, clean or not, replaces its files.
    (docs / "2022" / "12" / "31" / "talks-in-moscow" / "index.html").write_text("stale")
    assert sitegen(site, "build", "--output", str(docs), "--clean").returncode == 0
    assert "Talks in Moscow" in (docs / "2022/12/31/talks-in-moscow/index.html").read_text()


def test_a_site_built_before_the_marker_existed_is_known_by_its_cache(tmp_path):
    site = make_site(tmp_path)
    assert sitegen(site, "build").returncode == 0
    (site / "public" / OWNER_MARKER).unlink()
    assert sitegen(site, "build").returncode == 0, "the cache's manifest says sitegen built it"
    assert (site / "public" / OWNER_MARKER).is_file()
    (site / "public" / OWNER_MARKER).unlink()
    for cached in (site / ".sitegen-cache").iterdir():
        cached.unlink()
    before = snapshot(tmp_path)
    assert_refused(sitegen(site, "build"), "has no .sitegen-output file")
    assert snapshot(tmp_path) == before


def test_the_config_rule_accepts_ordinary_output_folders(tmp_path):
    for output in ("public", "site-out", "_site", "build/html", ".public"):
        site = make_site(tmp_path / output.replace("/", "-"), f"output_dir: {output}\n")
        done = sitegen(site, "build", "--quiet")
        assert done.returncode == 0, (output, done.stderr)
        assert (site / output / OWNER_MARKER).is_file()


def test_a_site_built_by_an_earlier_sitegen_is_known_by_its_old_manifests_name(tmp_path):
    # Earlier versions kept the output manifest as a pickle, which is never read (unpickling
    # can run code): its name, a digest of the output folder's path, is evidence enough.
    site = make_site(tmp_path)
    assert sitegen(site, "build").returncode == 0
    cache_dir = site / ".sitegen-cache"
    [manifest] = cache_dir.glob("outputs-*.json")
    for cached in cache_dir.iterdir():
        cached.unlink()
    manifest.with_suffix(".pickle").write_bytes(b"an old manifest, never unpickled")
    (site / "public" / OWNER_MARKER).unlink()
    for command in ("check", "build"):
        done = sitegen(site, command)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (site / "public" / OWNER_MARKER).is_file()
    assert not list(cache_dir.glob("*.pickle"))
