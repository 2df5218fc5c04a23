"""Writing the site: a staging folder beside the output, then an atomic swap into place.

A killed build leaves either the previous site or the new one, never a mix: files are written into
a hidden staging folder next to the output folder, which is exchanged with the output folder in one
system call (renameat2 with RENAME_EXCHANGE) once everything is written. Files whose bytes did not
change are hard-linked from the previous site instead of written again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .urls import safe_join

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass
class WriteReport:
    """What writing the site did."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


def content_digest(data: bytes) -> str:
    """Return the digest recorded for an output file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def staging_dir(out_dir: Path) -> Path:
    """Return the hidden folder a build is written into before it replaces out_dir."""
    return out_dir.with_name(f".{out_dir.name}.staging")


def previous_dir(out_dir: Path) -> Path:
    """Return where the previous site waits while a non-atomic swap is under way."""
    return out_dir.with_name(f".{out_dir.name}.previous")


def recover(out_dir: Path) -> None:
    """Undo what an interrupted build left: restore the previous site, drop the staging folder."""
    previous = previous_dir(out_dir)
    if previous.exists():
        if out_dir.exists():
            shutil.rmtree(previous)
        else:
            os.rename(previous, out_dir)
    staging = staging_dir(out_dir)
    if staging.exists():
        shutil.rmtree(staging)


def list_files(root: Path) -> dict[str, Path]:
    """Return relative POSIX path -> file for every file below root."""
    if not root.is_dir():
        return {}
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def _unchanged(old: Path, data: bytes, old_digest: str | None) -> bool:
    """Return whether the previous file old holds exactly data."""
    if old_digest is not None:
        return old_digest == content_digest(data)
    try:
        return old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def is_same_site(out_dir: Path, files: Mapping[str, bytes],
                 old_digests: Mapping[str, str] | None = None) -> bool:
    """Return whether out_dir already holds exactly files, so nothing needs writing."""
    existing = list_files(out_dir)
    if set(existing) != set(files):
        return False
    digests = old_digests or {}
    return all(_unchanged(existing[p], data, digests.get(p)) for p, data in files.items())


def stage_site(out_dir: Path, files: Mapping[str, bytes],
               old_digests: Mapping[str, str] | None = None) -> tuple[Path, WriteReport]:
    """Write files into a fresh staging folder, linking unchanged ones; return it and a report."""
    recover(out_dir)
    staging = staging_dir(out_dir)
    staging.mkdir(parents=True)
    existing = list_files(out_dir)
    digests = old_digests or {}
    report = WriteReport(removed=len(set(existing) - set(files)))
    made: set[Path] = set()
    for rel, data in files.items():
        target = safe_join(staging, rel)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        old = existing.get(rel)
        if old is not None and _unchanged(old, data, digests.get(rel)):
            try:
                os.link(old, target)
                report.unchanged += 1
                continue
            except OSError:
                pass
        target.write_bytes(data)
        report.written += 1
    return staging, report


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; return False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def commit_site(staging: Path, out_dir: Path) -> None:
    """Put the staged site in place of out_dir atomically and delete the previous site."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)
        return
    previous = previous_dir(out_dir)
    os.rename(out_dir, previous)
    os.rename(staging, out_dir)
    shutil.rmtree(previous)


def discard_staging(out_dir: Path) -> None:
    """Remove the staging folder of a failed build, leaving the previous site untouched."""
    staging = staging_dir(out_dir)
    if staging.exists():
        shutil.rmtree(staging)
