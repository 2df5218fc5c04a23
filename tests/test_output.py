"""Writing the site: atomic swap, journaled small updates, unchanged files kept, recovery."""

import os

import pytest

from site_builder.outputs import folder as output
from site_builder.core.errors import SitegenError
from site_builder.outputs.folder import (JOURNAL, begin, finish, list_files, previous_dir, recover,
                                 staging_dir, write_file)


def read_tree(root):
    return {rel: path.read_bytes() for rel, path in list_files(root).items()}


def write(out, files, old=None):
    """Write a site the way the build does: changed files staged, unchanged ones kept."""
    old = old if old is not None else read_tree(out) if out.exists() else {}
    staging = begin(out)
    written = [rel for rel, data in files.items() if old.get(rel) != data]
    for rel in written:
        write_file(staging, rel, files[rel])
    kept = [rel for rel in files if rel not in written]
    return finish(out, staging, written, kept, set(old) - set(files))


@pytest.fixture(params=["journal", "swap"])
def mode(request, monkeypatch):
    """Run a test with few changes applied through the journal, and with a full swap."""
    monkeypatch.setattr(output, "JOURNAL_LIMIT", 1000 if request.param == "journal" else 0)
    return request.param


def test_first_write_and_replace(tmp_path, mode):
    out = tmp_path / "public"
    write(out, {"index.html": b"one", "a/index.html": b"a", "old/deep/index.html": b"old"})
    report = write(out, {"index.html": b"two", "a/index.html": b"a"})
    assert read_tree(out) == {"index.html": b"two", "a/index.html": b"a"}
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert not (out / "old").exists(), "folders emptied by removals are removed"
    assert not staging_dir(out).exists() and not previous_dir(out).exists()


def test_unchanged_files_keep_their_inode(tmp_path, mode):
    out = tmp_path / "public"
    write(out, {"same.html": b"same", "new.html": b"v1"})
    before = (out / "same.html").stat()
    write(out, {"same.html": b"same", "new.html": b"v2"})
    after = (out / "same.html").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert (out / "new.html").read_bytes() == b"v2"


def test_swap_replaces_the_folder_in_one_step(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "JOURNAL_LIMIT", 0)
    out = tmp_path / "public"
    write(out, {"index.html": b"one"})
    first = out.stat().st_ino
    write(out, {"index.html": b"two"})
    assert out.stat().st_ino != first


def test_unsafe_paths_are_refused(tmp_path):
    out = tmp_path / "public"
    staging = begin(out)
    with pytest.raises(SitegenError, match="outside the output folder"):
        write_file(staging, "../escape.html", b"x")
    assert not (tmp_path / "escape.html").exists()


def test_an_interrupted_staging_is_discarded(tmp_path):
    out = tmp_path / "public"
    write(out, {"index.html": b"good"})
    staging_dir(out).mkdir()
    (staging_dir(out) / "index.html").write_bytes(b"half")
    recover(out)
    assert read_tree(out) == {"index.html": b"good"}
    assert not staging_dir(out).exists()


def test_an_interrupted_swap_is_undone(tmp_path):
    out = tmp_path / "public"
    write(out, {"index.html": b"good"})
    os.rename(out, previous_dir(out))   # killed between the two renames of a plain swap
    recover(out)
    assert read_tree(out) == {"index.html": b"good"}
    assert not previous_dir(out).exists()


def test_an_interrupted_journal_is_finished(tmp_path):
    out = tmp_path / "public"
    write(out, {"index.html": b"old", "a.html": b"old a", "gone.html": b"x"})
    staging = begin(out)
    write_file(staging, "index.html", b"new")
    write_file(staging, "b/b.html", b"new b")
    output._write_journal(staging, ["index.html", "b/b.html"], ["gone.html"])
    # Killed after moving the first file: the journal is still there.
    os.replace(staging / "index.html", out / "index.html")
    recover(out)
    assert read_tree(out) == {"index.html": b"new", "a.html": b"old a", "b/b.html": b"new b"}
    assert not staging_dir(out).exists()


def test_journal_file_is_never_in_the_site(tmp_path, mode):
    out = tmp_path / "public"
    write(out, {"index.html": b"1"})
    write(out, {"index.html": b"2"})
    assert JOURNAL not in read_tree(out)
