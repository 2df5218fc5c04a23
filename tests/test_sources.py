"""One rule for sources: build, import, check and the dev server's watcher agree on which files
are entries and raw articles, and on which slugs are taken."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.sources import ingest
from site_builder.build import BuildOptions, build
from site_builder.core.config import load_config
from site_builder.serve import scan, watched_roots
from site_builder.sources.tree import find_files, is_ignored, taken_slugs

REPO = Path(__file__).resolve().parent.parent
ENTRY = "---\ntitle: {title}\ndate: {date}\n{extra}---\nBody.\n"
RAW = "date 2023-03-20 https://example.org/talks\nTalks in 2023\nA lead.\nA body paragraph.\n"


def sitegen(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real CLI on site."""
    return subprocess.run([sys.executable, "-m", "site_builder", args[0], "--site", str(site),
                           *args[1:]], cwd=REPO, capture_output=True, text=True, timeout=300)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_hidden_files_and_editor_debris_are_never_sources():
    for name in (".a.md.swp", "a.md~", ".#a.md", "#a.md#", "4913", ".old", ".git", "a.md.tmp"):
        assert is_ignored(name), name
    for name in ("a.md", "style.css", "sitegen.yaml", "2022", "a~b.md"):
        assert not is_ignored(name), name


def test_a_slug_is_taken_by_an_entry_slug_and_by_its_file_name():
    assert taken_slugs([("content/2020/01/file-name.md", "the-slug")]) == {"file-name", "the-slug"}


@pytest.fixture
def cluttered(tmp_path) -> Path:
    """A site whose content/ and seeds/ also hold hidden folders, swap and backup files."""
    site = tmp_path / "site"
    write(site / "content/2022/12/talks.md", ENTRY.format(title="Talks", date="2022-12-30", extra=""))
    write(site / "seeds/visit.txt", RAW)
    broken = "---\ntitle: [unclosed\n---\n"
    for rel in ("content/.old/broken.md", "content/2022/12/.talks.md.swp",
                "content/2022/12/talks.md~", "content/2022/12/#talks.md#",
                "content/2022/12/.#talks.md", "content/.hidden.md", "seeds/.drafts/bad.txt",
                "seeds/visit.txt~", "seeds/.visit.txt.swp"):
        write(site / rel, broken)
    return site


def test_build_check_import_and_the_watcher_agree_on_a_cluttered_tree(cluttered):
    site = cluttered
    config = load_config(site)
    entries = {p.relative_to(site).as_posix() for p in find_files(site / "content", ".md")}
    raws = {p.relative_to(site).as_posix() for p in ingest.find_raw_files([site / "seeds"])}
    assert entries == {"content/2022/12/talks.md"}
    assert raws == {"seeds/visit.txt"}

    check = sitegen(site, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "checked 1 raw article(s)" in check.stdout and "checked 1 entry" in check.stdout

    report = build(BuildOptions(site))
    assert report.entries == 2 and report.imported == ["content/2023/03/talks-in-2023.md"]

    watched = scan(site, watched_roots(site, config))
    sources = {rel for rel in watched if rel.startswith(("content/", "seeds/"))}
    assert sources == entries | raws | set(report.imported)
    before = dict(watched)
    for rel in ("content/.old/broken.md", "content/2022/12/talks.md~", "seeds/.visit.txt.swp"):
        write(site / rel, "changed\n")
    assert scan(site, watched_roots(site, config)) == before, "ignored files trigger no rebuild"


def test_the_same_raw_article_gets_the_same_entry_through_build_and_import(tmp_path):
    # An entry whose file name is the article's slug, though its own slug is another, in
    # another month: both must see that the name is taken.
    site = tmp_path / "site"
    write(site / "content/2020/01/talks-in-2023.md",
          ENTRY.format(title="Other", date="2020-01-05", extra="slug: renamed-by-hand\n"))
    write(site / "seeds/visit.txt", RAW)
    other = tmp_path / "other"
    shutil.copytree(site, other)

    assert sitegen(site, "build").returncode == 0
    imported = sitegen(other, "import", str(other / "seeds"))
    assert imported.returncode == 0, imported.stderr

    def new_entries(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in find_files(root / "content", ".md")} - {
            "content/2020/01/talks-in-2023.md"}

    assert new_entries(site) == new_entries(other)
    assert len(new_entries(site)) == 1


@pytest.mark.parametrize("link, target", [("content/2022/up", ".."), ("content/2022/self", "."),
                                          ("content/a-copy", "2022"), ("content/knot", "knot")])
def test_a_link_to_a_folder_read_already_is_one_line_from_build_and_check(tmp_path, link, target):
    site = tmp_path / "site"
    write(site / "content/2022/talks.md", ENTRY.format(title="Talks", date="2022-12-30", extra=""))
    (site / link).symlink_to(target, target_is_directory=True)
    for command in ("check", "build"):
        done = sitegen(site, command)
        lines = [line for line in (done.stdout + done.stderr).splitlines()
                 if "link" in line and not line.startswith("no built site")]
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert len(lines) == 1 and ": this link" in lines[0] and len(lines[0]) < 300, lines


@pytest.mark.parametrize("link, target", [("content/2022/up", ".."), ("content/2022/self", "."),
                                          ("content/a-copy", "2022"), ("content/knot", "knot")])
def test_a_link_read_already_is_named_relative_to_the_site_over_a_built_site(tmp_path, link,
                                                                             target):
    # check, over a built site, also compares the sources' times with the build's
    site = tmp_path / "site"
    write(site / "content/2022/talks.md", ENTRY.format(title="Talks", date="2022-12-30", extra=""))
    assert sitegen(site, "build").returncode == 0
    (site / link).symlink_to(target, target_is_directory=True)
    for command in ("check", "build"):
        done = sitegen(site, command)
        lines = [line for line in (done.stdout + done.stderr).splitlines()
                 if "this link" in line]
        assert done.returncode == 1 and "Traceback" not in done.stderr, done
        assert len(lines) == 1 and lines[0].startswith(f"{link}: this link"), lines
        assert str(tmp_path) not in done.stdout + done.stderr
