"""Writing one file so that no reader and no crash ever sees half of it (edge)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

_TEMP_SUFFIX = ".tmp"


def write_text_atomically(path: Path, text: str, overwrite: bool = False) -> None:
    """Write text to path via a synced temp file beside it; FileExistsError unless overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _create_temp_file(path, text)
    try:
        if overwrite:
            os.replace(temp, path)
        else:
            _link_without_replacing(temp, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _create_temp_file(path: Path, text: str) -> Path:
    """Return a new hidden temp file next to path holding text, flushed to disk."""
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _link_without_replacing(temp: Path, path: Path) -> None:
    """Give temp's file the name path, atomically, failing with FileExistsError if it exists."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network or FAT file systems)
        if path.exists():
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
