"""Which files of a site are its sources: one rule for the build, import, check and the watcher.

Hidden files and folders (`.git`, `.sitegen-cache`, `.old/`) and the debris editors leave beside
a file they save (`#a.md#`, `a.md~`, `.a.md.swp`, `4913`) are never sources.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Iterable

from ..core.errors import SourceError

Stat = tuple[int, int]   # (mtime_ns, size)
EDITOR_DEBRIS = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|\.tmp$|^4913$)")


def is_ignored(name: str) -> bool:
    """Return whether a file or folder name is never a source: hidden, or an editor's debris."""
    return name.startswith(".") or EDITOR_DEBRIS.search(name) is not None


def scan_tree(root: Path, suffix: str = "") -> dict[str, Stat]:
    """Return the path of every source file below root ending in suffix, with its (mtime_ns, size).

    Paths are plain strings that start with str(root): making and sorting 10,000 Path objects
    took a tenth of a rebuild. Links to folders are followed, but a link that leads to a folder
    read already (a loop, or a second way to the same files) is an error naming the link.
    """
    found: dict[str, Stat] = {}
    if not root.is_dir():
        return found
    info = root.stat()
    seen = {(info.st_dev, info.st_ino): str(root)}     # every folder read, by identity
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as items:
            for item in items:
                if is_ignored(item.name):
                    continue
                try:
                    is_folder = item.is_dir()
                except OSError as exc:     # a link to itself, or one of a chain too long
                    raise SourceError(item.path, None, f"this link cannot be followed "
                                      f"({exc.strerror})", "remove the link") from None
                if is_folder:
                    info = os.stat(item.path)
                    first = seen.setdefault((info.st_dev, info.st_ino), item.path)
                    if first != item.path:
                        link, target = (item.path, first) if item.is_symlink() else (first, item.path)
                        raise SourceError(link, None, f"this link leads to {target}, which is "
                                          "read already (a loop, or the same files twice)",
                                          "remove the link")
                    stack.append(item.path)
                elif item.name.endswith(suffix) and item.is_file():
                    info = item.stat()
                    found[item.path] = (info.st_mtime_ns, info.st_size)
    return dict(sorted(found.items()))


def relative_path(path: str, root: Path) -> str:
    """Return the POSIX path, relative to root, of a path scan_tree(root) found."""
    root_text = str(root)   # not os.path.join(root, ""): this runs for every entry file
    return path[len(root_text) + (not root_text.endswith(os.sep)):].replace(os.sep, "/")


def find_files(root: Path, suffix: str) -> list[Path]:
    """Return every source file below root ending in suffix, sorted."""
    return [Path(path) for path in scan_tree(root, suffix)]


def taken_slugs(entries: Iterable[tuple[str, str]]) -> set[str]:
    """Return the slugs a new entry may not take, given (entry file, slug) pairs: every slug,
    and every entry file's name (a renamed or broken entry keeps its name)."""
    taken = set()
    for path, slug in entries:
        taken.add(slug)
        taken.add(PurePosixPath(path).stem)
    return taken


# The files an import reads: raw text, JSON Lines, and RSS or Atom feeds saved to a file.
TEXT_SUFFIX, JSON_LINES_SUFFIX, FEED_SUFFIXES = ".txt", ".jsonl", (".rss", ".atom", ".xml")
RAW_SUFFIXES = (TEXT_SUFFIX, JSON_LINES_SUFFIX, *FEED_SUFFIXES)
