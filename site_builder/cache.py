"""The build cache: parsed entries and the last build's outputs, kept between builds.

It lives in ``.sitegen-cache/`` in the site folder, which git and the output both ignore. Every
file in it is written atomically and read defensively: a missing, stale or unreadable cache only
makes the next build a full one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .model import Entry
from .sitemodel import Layout

CACHE_DIR = ".sitegen-cache"
FORMAT = 4  # bump when what the cache stores changes shape, or how an entry file is parsed
ENTRIES_FILE = "entries.pickle"
DELTA_FILE = "entries-delta.pickle"
RELATED_FILE = "related.pickle"
LAYOUT_FILE = "layout.pickle"
DELTA_LIMIT = 500   # entries the delta file may hold before the whole cache is written again
Stat = tuple[int, int]  # (mtime_ns, size)
FileId = tuple[int, int, int]  # (inode, mtime_ns, size): changes whenever a file is replaced


@dataclass
class EntryCache:
    """Entries parsed by an earlier build, with the file stats they were parsed from."""

    zone: str = ""
    entries: dict[str, tuple[Stat, Entry]] = field(default_factory=dict)   # path -> parsed entry
    seeds: dict[str, tuple[Stat, str]] = field(default_factory=dict)       # raw file -> its URL
    base_id: FileId | None = field(default=None, compare=False)   # entries.pickle it was read from
    changed: frozenset[str] = field(default=frozenset(), compare=False)  # paths the delta changed


@dataclass
class EntryDelta:
    """The entries changed since entries.pickle was written: a small file instead of a big one."""

    base_id: FileId                                         # the entries.pickle it applies to
    entries: dict[str, tuple[Stat, Entry] | None]           # path -> entry, None when removed
    seeds: dict[str, tuple[Stat, str]]


@dataclass
class Manifest:
    """What the last successful build wrote into one output folder."""

    signature: str = ""                                        # digest of every input's stat
    folder_id: tuple[int, int] = (0, 0)                        # (device, inode) of the output folder
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, content digest)
    pages: int = 0                                             # how many outputs are pages
    shape: str = ""                                            # see build.site_shape
    bodies: dict[str, str] = field(default_factory=dict)       # entry path -> its file's digest


def digest(*parts: Any) -> str:
    """Return a short hex digest of the repr of parts."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _read(path: Path) -> Any:
    """Return the object pickled in path, or None when it is missing or unreadable."""
    try:
        with open(path, "rb") as handle:
            header, payload = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            ImportError, IndexError):
        return None
    return payload if header == (__version__, FORMAT) else None


def _write(path: Path, payload: Any) -> None:
    """Pickle payload into path atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(((__version__, FORMAT), payload), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_entry_cache(cache_dir: Path, zone: str) -> EntryCache:
    """Return the cached entries parsed in time zone zone (empty if none fit), delta applied."""
    base_id = file_id(cache_dir / ENTRIES_FILE)
    cache = _read(cache_dir / ENTRIES_FILE)
    if not isinstance(cache, EntryCache) or cache.zone != zone or base_id is None:
        return EntryCache(zone=zone)
    cache.base_id = base_id
    delta = _read(cache_dir / DELTA_FILE)
    if isinstance(delta, EntryDelta) and delta.base_id == base_id:
        for path, item in delta.entries.items():
            if item is None:
                cache.entries.pop(path, None)
            else:
                cache.entries[path] = item
        cache.seeds = delta.seeds
        cache.changed = frozenset(delta.entries)
    return cache


def write_entry_cache(cache_dir: Path, cache: EntryCache, previous: EntryCache) -> None:
    """Store the entry cache, which was previous when loaded.

    A few changed entries go into a small delta file next to the unchanged entries.pickle, so
    that editing one entry of a large site does not pickle every entry again.
    """
    changed = previous.changed | (previous.entries.keys() - cache.entries.keys()) | {
        path for path, item in cache.entries.items() if previous.entries.get(path) != item}
    base = cache_dir / ENTRIES_FILE
    if previous.base_id is None or previous.base_id != file_id(base) or len(changed) > DELTA_LIMIT:
        _write(base, EntryCache(zone=cache.zone, entries=cache.entries, seeds=cache.seeds))
        (cache_dir / DELTA_FILE).unlink(missing_ok=True)
    else:
        _write(cache_dir / DELTA_FILE, EntryDelta(
            previous.base_id, {path: cache.entries.get(path) for path in changed}, cache.seeds))


def file_id(path: Path) -> FileId | None:
    """Return (inode, mtime_ns, size) of a file, or None when it is missing."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def load_related_memo(cache_dir: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the related entries the last build worked out, under their digest (see sitemodel)."""
    memo = _read(cache_dir / RELATED_FILE)
    return memo if isinstance(memo, dict) else {}


def write_related_memo(cache_dir: Path, memo: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Store the related entries memo."""
    _write(cache_dir / RELATED_FILE, memo)


def load_layout(cache_dir: Path, shape: str) -> Layout | None:
    """Return the site layout stored for a build of that shape (see build.site_shape), if any."""
    stored = _read(cache_dir / LAYOUT_FILE)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == shape \
            and isinstance(stored[1], Layout):
        return stored[1]
    return None


def write_layout(cache_dir: Path, shape: str, layout: Layout) -> None:
    """Store the site layout of a build of that shape."""
    _write(cache_dir / LAYOUT_FILE, (shape, layout))


def manifest_path(cache_dir: Path, out_dir: Path) -> Path:
    """Return where the manifest of out_dir is kept (one per output folder)."""
    return cache_dir / f"outputs-{digest(str(out_dir.resolve()))[:12]}.pickle"


def load_manifest(cache_dir: Path, out_dir: Path) -> Manifest:
    """Return the manifest of out_dir, or an empty one when it no longer describes the folder."""
    manifest = _read(manifest_path(cache_dir, out_dir))
    if not isinstance(manifest, Manifest) or manifest.folder_id != folder_id(out_dir):
        return Manifest()
    return manifest


def write_manifest(cache_dir: Path, out_dir: Path, manifest: Manifest) -> None:
    """Store the manifest of out_dir."""
    manifest.folder_id = folder_id(out_dir)
    _write(manifest_path(cache_dir, out_dir), manifest)


def folder_id(path: Path) -> tuple[int, int]:
    """Return (device, inode) of a folder, which changes when the folder is replaced."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_dev, info.st_ino)
