"""The fallbacks for systems without fork, renameat2 or hard links keep every guarantee.

Windows has no fork and no renameat2, macOS no renameat2, some network and FAT file systems no
hard links. Each fallback is switched off here on this machine and exercised through the real
build: `tests/without_fork_or_renameat2.py` runs the CLI with no `os.fork` and no C library to
find renameat2 in (and logs each fallback it takes); the in-process tests monkeypatch the same.
The dev server's one-rebuild-per-burst under the fallbacks is in tests/test_serve.py, kills of a
build under them in tests/test_hardening_kill.py.
"""

from __future__ import annotations

import ctypes.util
import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write_entry
from site_builder.build import BuildOptions, build
from site_builder.outputs import folder
from site_builder.sources import atomic, ingest

REPO = Path(__file__).resolve().parent.parent
WITHOUT = REPO / "tests" / "without_fork_or_renameat2.py"
RAW = "date 2023-03-{day:02d} https://example.org/talks-{day}\nTalks {day}\nA lead.\nA body.\n"


def snapshot(root: Path) -> dict[str, str]:
    """Return relative path -> digest of every file below root."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file():
            found[rel] = hashlib.blake2b(path.read_bytes()).hexdigest()
    return found


def sitegen(site: Path, *args: str, log: Path | None = None) -> str:
    """Run `sitegen build` for site without fork or renameat2; return the fallbacks it took."""
    env = dict(os.environ, FALLBACK_LOG=str(log or site.parent / "fallbacks.log"))
    Path(env["FALLBACK_LOG"]).write_text("")
    done = subprocess.run([sys.executable, str(WITHOUT), "build", "--site", str(site), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return Path(env["FALLBACK_LOG"]).read_text()


def clean_build(site: Path) -> dict[str, str]:
    """Return the snapshot of a clean build of site with every native call there is."""
    copy = site.parent / "native"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", ".sitegen-cache"))
    build(BuildOptions(copy, jobs=2))
    return snapshot(copy / "public")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site of 12 entries and 3 raw articles, with its search index."""
    root = tmp_path / "site"
    for n in range(12):
        write_entry(root, f"entry-{n}", f"2022-{n % 12 + 1:02d}-0{n % 9 + 1}", ("talks",),
                    body=f"Body {n}.")
    for day in (1, 2, 3):
        (root / "seeds").mkdir(exist_ok=True)
        (root / "seeds" / f"talks-{day}.txt").write_text(RAW.format(day=day))
    (root / "sitegen.yaml").write_text("title: Fallbacks\nbase_url: https://example.org/\n")
    return root


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_this_machine_has_what_the_fallbacks_stand_in_for(tmp_path):
    # Else the tests below would prove nothing: here fork and the one-call swap both work.
    assert hasattr(os, "fork")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    assert folder._exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b" / "x").read_text() == "a"


def test_a_build_without_fork_or_renameat2_gives_the_same_site(site):
    taken = sitegen(site)
    assert "in this process" in taken and "renameat2" not in taken
    assert snapshot(site / "public") == clean_build(site)

    write_entry(site, "entry-3", "2022-04-04", ("talks", "energy"), body="Edited body.")
    taken = sitegen(site)
    assert "two renames" in taken.splitlines() and "renameat2" not in taken
    assert snapshot(site / "public") == clean_build(site)
    assert not folder.staging_dir(site / "public").exists()
    assert not folder.previous_dir(site / "public").exists()


class Killed(BaseException):
    """Stands for the process being killed at one moment."""


def test_a_build_killed_between_the_two_renames_is_made_whole_by_the_next(site, monkeypatch):
    build(BuildOptions(site))
    public = site / "public"
    old = snapshot(public)
    write_entry(site, "entry-3", "2022-04-04", ("talks",), body="Edited body.")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(folder, "JOURNAL_LIMIT", 0)
    real_rename = os.rename

    def rename(source, target):
        if Path(source) == folder.staging_dir(public):   # the second of the two renames
            raise Killed
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(Killed):
        build(BuildOptions(site))
    monkeypatch.setattr(os, "rename", real_rename)
    assert not public.exists() and folder.previous_dir(public).is_dir()
    folder.recover(public)
    assert snapshot(public) == old, "recover puts the last whole site back"
    build(BuildOptions(site))
    assert snapshot(public) == clean_build(site)


def test_without_hard_links_a_new_file_never_replaces_one(tmp_path, monkeypatch):
    def no_link(source, target):
        raise OSError(errno.EPERM, "hard links are not supported here")

    monkeypatch.setattr(os, "link", no_link)
    path = tmp_path / "entry.md"
    atomic.write_text_atomically(path, "first\n")
    with pytest.raises(FileExistsError):
        atomic.write_text_atomically(path, "second\n")
    assert path.read_text() == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.md"], "no temp file is left"


def test_without_hard_links_import_writes_whole_entries_and_never_overwrites(site, monkeypatch):
    monkeypatch.setattr(os, "link", lambda source, target: (_ for _ in ()).throw(
        OSError(errno.EPERM, "hard links are not supported here")))
    raws = ingest.find_raw_files([site / "seeds"])
    first = ingest.import_articles(raws, site)
    assert len(first.written) == 3 and not first.errors
    edited = site / first.written[0]
    edited.write_text(edited.read_text() + "\nA hand edit.\n")
    again = ingest.import_articles(raws, site)
    assert not again.written and not again.errors
    assert edited.read_text().endswith("A hand edit.\n")
