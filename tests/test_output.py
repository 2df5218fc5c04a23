"""Writing the site: atomic swap, unchanged files kept, stale files gone, interruptions undone."""

import os

import pytest

from site_builder.errors import SitegenError
from site_builder.output import (commit_site, is_same_site, list_files, previous_dir, recover,
                                 stage_site, staging_dir)


def read_tree(root):
    return {rel: path.read_bytes() for rel, path in list_files(root).items()}


def write(out, files):
    staging, report = stage_site(out, files)
    commit_site(staging, out)
    return report


def test_first_write_and_replace(tmp_path):
    out = tmp_path / "public"
    write(out, {"index.html": b"one", "a/index.html": b"a", "old/index.html": b"old"})
    report = write(out, {"index.html": b"two", "a/index.html": b"a"})
    assert read_tree(out) == {"index.html": b"two", "a/index.html": b"a"}
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert not staging_dir(out).exists() and not previous_dir(out).exists()


def test_unchanged_files_keep_their_inode(tmp_path):
    out = tmp_path / "public"
    write(out, {"same.html": b"same", "new.html": b"v1"})
    before = (out / "same.html").stat()
    write(out, {"same.html": b"same", "new.html": b"v2"})
    after = (out / "same.html").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_is_same_site(tmp_path):
    out = tmp_path / "public"
    files = {"index.html": b"x", "feed.xml": b"y"}
    write(out, files)
    assert is_same_site(out, files)
    assert not is_same_site(out, {"index.html": b"x"})
    assert not is_same_site(out, {"index.html": b"x", "feed.xml": b"z"})


def test_unsafe_paths_are_refused(tmp_path):
    out = tmp_path / "public"
    with pytest.raises(SitegenError, match="outside the output folder"):
        stage_site(out, {"../escape.html": b"x"})
    assert not (tmp_path / "escape.html").exists()


def test_interrupted_build_is_undone(tmp_path):
    out = tmp_path / "public"
    write(out, {"index.html": b"good"})
    # A build killed while staging: the staging folder is left behind.
    staging_dir(out).mkdir()
    (staging_dir(out) / "index.html").write_bytes(b"half")
    # A build killed between the two renames of a non-atomic swap.
    os.rename(out, previous_dir(out))
    recover(out)
    assert read_tree(out) == {"index.html": b"good"}
    assert not staging_dir(out).exists() and not previous_dir(out).exists()
