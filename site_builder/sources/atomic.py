"""Writing files so that no reader and no crash ever sees half of one (edge).

One file: write_text_atomically. Many files (a bulk import) commit as a group, as databases
do: open a SyncGroup, write_temp_file for each, sync them all with the group, then
commit_temp_file for each and sync_folders once per folder. Every name appears only after every
file's bytes are on disk. A few files are synced one by one, concurrently, so that the file
system flushes them in a few journal commits; many at once are flushed by one syncfs() call,
which on Linux costs a tenth of the time and CPU of 10,000 fsync() calls.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

_TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{8}" + re.escape(_TEMP_SUFFIX))   # as _create_temp_file names
SYNC_THREADS = 32   # concurrent fsync calls: the file system commits them together
SYNCFS_MIN_FILES = 64   # from this many files on, a group is flushed by one syncfs() call


def write_text_atomically(path: Path, text: str, overwrite: bool = False) -> None:
    """Write text to path via a synced temp file beside it; FileExistsError unless overwrite."""
    temp = write_temp_file(path, text)
    commit_temp_file(temp, path, overwrite)
    _sync_folder(path.parent)


def write_temp_file(path: Path, text: str | bytes, sync: bool = True) -> Path:
    """Return a new hidden temp file beside path (its folder made if need be) holding text
    (bytes as they are, str in UTF-8), flushed to disk unless sync is False (then sync_files
    must flush it before its commit)."""
    data = text.encode() if isinstance(text, str) else text
    try:
        return _create_temp_file(path, data, sync)
    except FileNotFoundError:   # a new folder: made only then, sparing a call a file
        path.parent.mkdir(parents=True, exist_ok=True)
        return _create_temp_file(path, data, sync)


def commit_temp_file(temp: Path | str, path: Path | str, overwrite: bool = False) -> None:
    """Give the synced temp file the name path (FileExistsError unless overwrite); the temp
    name is gone afterwards, whatever happens. The folder is left for the caller to sync."""
    try:
        if overwrite:
            os.replace(temp, path)
        else:
            _link_without_replacing(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def sync_files(paths: Iterable[Path]) -> list[OSError | None]:
    """Flush each file's bytes to disk, many at once; return each one's error or None."""
    def sync(path: Path) -> OSError | None:
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            return exc
        return None

    paths = list(paths)
    if len(paths) <= 1:
        return [sync(path) for path in paths]
    with ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(paths))) as pool:
        return list(pool.map(sync, paths))


class SyncGroup:
    """Files written as one group below a folder, then flushed to disk together (sync).

    Made before the first file is written: syncfs() reports a writeback error on the folder's
    file system only if it happened after the group was made (Linux 5.8 and later; where there
    is no such syncfs, each file is synced on its own). Use it as a context manager.
    """

    def __init__(self, folder: Path | str):
        self.device: int | None = None
        self._fd: int | None = None
        if _syncfs_reports_errors():
            with contextlib.suppress(OSError):
                self._fd = os.open(folder, os.O_RDONLY)
                self.device = os.fstat(self._fd).st_dev

    def sync(self, paths: Iterable[Path | str]) -> list[OSError | None]:
        """Flush each file's bytes to disk; return each one's error or None. When a group-wide
        flush fails, each file is synced on its own to tell which ones failed."""
        paths = list(paths)
        if self._fd is None or len(paths) < SYNCFS_MIN_FILES:
            return sync_files(paths)
        devices: dict[str, int | None] = {}
        for folder in {os.path.dirname(path) for path in paths}:
            try:
                devices[folder] = os.stat(folder).st_dev
            except OSError:
                devices[folder] = None
        elsewhere = [i for i, path in enumerate(paths)
                     if devices[os.path.dirname(path)] != self.device]
        if len(elsewhere) == len(paths) or _syncfs(self._fd) is not None:
            return sync_files(paths)
        problems: list[OSError | None] = [None] * len(paths)
        for i, problem in zip(elsewhere, sync_files([paths[i] for i in elsewhere])):
            problems[i] = problem
        return problems

    def close(self) -> None:
        """Release the folder."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "SyncGroup":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _syncfs_reports_errors() -> bool:
    """Return whether this system has syncfs() and it reports writeback errors (Linux 5.8+)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        major, minor = (int(part) for part in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 8)


def _syncfs(fd: int) -> OSError | None:
    """Flush the file system holding fd's file to disk; return the error, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.syncfs(fd) == 0:
            return None
        errno = ctypes.get_errno()
        return OSError(errno, os.strerror(errno))
    except (OSError, AttributeError) as exc:   # no C library to load, or no syncfs in it
        return OSError(str(exc))


def sync_folders(folders: Iterable[Path]) -> None:
    """Flush the entries of each folder to disk, many at once, where the system allows it."""
    folders = sorted(set(folders))
    with ThreadPoolExecutor(max_workers=max(1, min(SYNC_THREADS, len(folders)))) as pool:
        list(pool.map(_sync_folder, folders))


def is_temp_name(name: str) -> bool:
    """Return whether a file name is one of this module's temp files: '.a.md.1f2e3d4c.tmp'."""
    return _TEMP_NAME.fullmatch(name) is not None


def _create_temp_file(path: Path, data: bytes, sync: bool = True) -> Path:
    """Return a new hidden temp file next to path holding data, flushed to disk when sync."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _link_without_replacing(temp: Path | str, path: Path | str) -> None:
    """Give temp's file the name path, atomically, failing with FileExistsError if it exists."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network or FAT file systems)
        if os.path.exists(path):
            raise FileExistsError(str(path)) from None
        os.replace(temp, path)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk where the system allows it (POSIX)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
