"""Writing the site so that a reader, or a killed build, never sees half of it.

New and changed files are first written into a hidden staging folder beside the output folder.
Then one of two commits puts them in place:

- many changes (a first or full build): the files that did not change are hard-linked into the
  staging folder, which is then exchanged with the output folder in one system call
  (renameat2 with RENAME_EXCHANGE; two renames where the system has no such call);
- a few changes (an incremental build): a journal listing them is written into the staging
  folder, and each file is moved into the output folder with os.replace. A build killed while
  moving them leaves the journal behind, and the next build finishes the moves before anything
  else, so the site is never left half old and half new.

Files whose bytes did not change are never rewritten.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Collection

from ..core.config import OUTPUT_HINT, Config, output_overlap
from ..core.urls import OWNER_MARKER, safe_join

JOURNAL = ".sitegen-journal.json"
JOURNAL_LIMIT = 2000      # at most this many changes are moved in one by one
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass
class WriteReport:
    """What writing the site did."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


def staging_dir(out_dir: Path) -> Path:
    """Return the hidden folder a build is written into before it reaches out_dir."""
    return out_dir.with_name(f".{out_dir.name}.staging")


def previous_dir(out_dir: Path) -> Path:
    """Return where the previous site waits while a two-rename swap is under way."""
    return out_dir.with_name(f".{out_dir.name}.previous")


def list_files(root: Path) -> dict[str, Path]:
    """Return relative POSIX path -> file for every file below root."""
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def output_folder_problem(site_dir: Path, out_dir: Path, config: Config,
                          built_before: bool) -> str | None:
    """Return why a build must not write into out_dir, or None when it may.

    A build replaces and removes the files of its output folder, so that folder must not be or
    hold the site's sources, and must be empty, missing, or a site sitegen built: one with the
    owner marker, or one the build cache knows (built_before) from before there was a marker.
    """
    site, out = site_dir.resolve(), out_dir.resolve()
    overlap = output_overlap(site, out, config)
    if overlap:
        return f"{out}: the output folder {overlap} ({OUTPUT_HINT})"
    if out.is_dir() and not built_before and not (out / OWNER_MARKER).is_file() \
            and any(out.iterdir()):
        return (f"{out}: the output folder is not empty and has no {OWNER_MARKER} file, so "
                f"sitegen did not build it, and a build would replace its files "
                f"(empty it, or {OUTPUT_HINT})")
    return None


def is_unchanged(old: Path, data: bytes) -> bool:
    """Return whether the file old holds exactly data."""
    try:
        return old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def is_few(changes: int) -> bool:
    """Return whether so few files change that they are moved in one by one."""
    return changes <= JOURNAL_LIMIT


def recover(out_dir: Path) -> None:
    """Finish or undo what an interrupted build left, so out_dir holds one whole site."""
    previous = previous_dir(out_dir)
    if previous.exists():
        if out_dir.exists():
            shutil.rmtree(previous)
        else:
            os.rename(previous, out_dir)
    staging = staging_dir(out_dir)
    if (staging / JOURNAL).is_file():
        _apply_journal(staging, out_dir)
    if staging.exists():
        shutil.rmtree(staging)


def begin(out_dir: Path) -> Path:
    """Return a fresh, empty staging folder for a build of out_dir."""
    recover(out_dir)
    staging = staging_dir(out_dir)
    staging.mkdir(parents=True)
    return staging


def write_file(staging: Path, rel: str, data: bytes) -> None:
    """Write one output file into the staging folder."""
    target = safe_join(staging, rel)
    try:
        target.write_bytes(data)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def finish(out_dir: Path, staging: Path, written: Collection[str], kept: Collection[str],
           removed: Collection[str], carried: Collection[str] = ()) -> WriteReport:
    """Put the staged files in place: written ones replace, kept ones stay, removed ones go.

    carried are folders of out_dir that are not outputs of the build (the search bundle): they
    stay as they are.
    """
    report = WriteReport(written=len(written), unchanged=len(kept), removed=len(removed))
    if not out_dir.exists():
        os.rename(staging, out_dir)
    elif is_few(len(written) + len(removed)):
        _write_journal(staging, written, removed)
        _apply_journal(staging, out_dir)
        shutil.rmtree(staging)
    else:
        carried_files = [f"{folder}/{rel}" for folder in carried
                         for rel in list_files(safe_join(out_dir, folder))]
        for rel in (*kept, *carried_files):
            target = safe_join(staging, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(safe_join(out_dir, rel), target)
        _swap(staging, out_dir)
    return report


def discard(out_dir: Path) -> None:
    """Remove the staging folder of a failed build, leaving the previous site untouched."""
    staging = staging_dir(out_dir)
    if staging.exists() and not (staging / JOURNAL).exists():
        shutil.rmtree(staging)


def _write_journal(staging: Path, written: Collection[str], removed: Collection[str]) -> None:
    """Record the moves to make; once this file exists, the new site is committed."""
    temp = staging / (JOURNAL + ".tmp")
    temp.write_text(json.dumps({"write": sorted(written), "remove": sorted(removed)}))
    os.replace(temp, staging / JOURNAL)


def _apply_journal(staging: Path, out_dir: Path) -> None:
    """Make the moves the journal lists; safe to run again after an interruption."""
    journal = json.loads((staging / JOURNAL).read_text())
    for rel in journal["write"]:
        source = safe_join(staging, rel)
        if source.exists():
            target = safe_join(out_dir, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for rel in journal["remove"]:
        target = safe_join(out_dir, rel)
        target.unlink(missing_ok=True)
        _prune_empty_folders(target.parent, out_dir)


def _prune_empty_folders(folder: Path, root: Path) -> None:
    """Remove folder and its parents up to root while they are empty."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; return False where the system cannot."""
    import ctypes.util   # here, not above: small builds never swap, nor pay for the import

    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _swap(staging: Path, out_dir: Path) -> None:
    """Put staging in place of out_dir and delete the previous site."""
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)
        return
    previous = previous_dir(out_dir)
    os.rename(out_dir, previous)
    os.rename(staging, out_dir)
    shutil.rmtree(previous)
