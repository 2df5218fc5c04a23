"""Which files of a site are its sources: one rule for the build, import, check and the watcher.

Hidden files and folders (`.git`, `.sitegen-cache`, `.old/`) and the debris editors leave beside
a file they save (`#a.md#`, `a.md~`, `.a.md.swp`, `4913`) are never sources.

A link may not lead out of the site folder (as in Jekyll's safe mode): a merged link to
`/proc/self/environ` or to a file in the author's home would otherwise be published.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Iterable

from ..core.errors import SourceError
from .atomic import is_temp_name

Stat = tuple[int, int]   # (mtime_ns, size)
EDITOR_DEBRIS = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|\.tmp$|^4913$)")


def is_ignored(name: str) -> bool:
    """Return whether a file or folder name is never a source: hidden, or an editor's debris."""
    return name.startswith(".") or EDITOR_DEBRIS.search(name) is not None


def is_inside(path: str, folder: str) -> bool:
    """Return whether path is folder or lies below it (both real, absolute paths)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def is_in_folder(path: str | Path, folder: str | Path) -> bool:
    """Return whether path is in folder, following every link but the path's own last one."""
    head, name = os.path.split(os.path.abspath(path))
    return is_inside(os.path.join(os.path.realpath(head), name), os.path.realpath(folder))


def outside_target(path: str | Path, site: str) -> str | None:
    """Return where path really leads when that is outside site (a real path), else None.

    Every link of a chain is followed, so a link to a link inside the site that leads out is
    caught by its real end."""
    target = os.path.realpath(path)
    return None if is_inside(target, site) else target


def site_named(path: str | Path, site: str | Path | None) -> str:
    """Return path as messages name it: relative to the site folder when that is given."""
    return str(path) if site is None else Path(os.path.relpath(path, site)).as_posix()


def outside_link_error(link: str | Path, target: str, site: str | Path) -> SourceError:
    """Return the error that refuses a link (or a folder) that leads out of the site, naming
    the link relative to the site folder."""
    return SourceError(site_named(link, site), None,
                       f"this link leads outside the site folder, to {target}",
                       "copy the file into the site instead")


def refuse_outside_link(path: str | Path, site: Path | None) -> None:
    """Raise outside_link_error when path, inside the site folder site, leads out of it."""
    if site is None:
        return
    target = outside_target(path, os.path.realpath(site))
    if target is not None:
        raise outside_link_error(path, target, site)


def scan_tree(root: Path, suffix: str | tuple[str, ...] = "", site: Path | None = None,
              temps: list[str] | None = None) -> dict[str, Stat]:
    """Return the path of every source file below root ending in suffix, with its (mtime_ns, size);
    add to temps, when given, the path of every temp file of atomic's naming found there.

    Paths are plain strings that start with str(root): making and sorting 10,000 Path objects
    took a tenth of a rebuild. Links to folders are followed, but a link that leads to a folder
    read already (a loop, or a second way to the same files) is an error naming the link; so
    is, when the site folder is given, root or a link below it that leads out of the site.
    """
    found: dict[str, Stat] = {}
    refuse_outside_link(root, site)
    if not root.is_dir():
        return found
    real_site = None if site is None else os.path.realpath(site)
    info = root.stat()
    seen = {(info.st_dev, info.st_ino): str(root)}     # every folder read, by identity
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as items:
            for item in items:
                if is_ignored(item.name):
                    if temps is not None and is_temp_name(item.name) and item.is_file():
                        temps.append(item.path)
                    continue
                if real_site is not None and item.is_symlink():
                    target = outside_target(item.path, real_site)
                    if target is not None:
                        raise outside_link_error(item.path, target, site)
                try:
                    is_folder = item.is_dir()
                except OSError as exc:     # a link to itself, or one of a chain too long
                    raise SourceError(site_named(item.path, site), None,
                                      f"this link cannot be followed "
                                      f"({exc.strerror})", "remove the link") from None
                if is_folder:
                    info = os.stat(item.path)
                    first = seen.setdefault((info.st_dev, info.st_ino), item.path)
                    if first != item.path:
                        link, target = (item.path, first) if item.is_symlink() else (first, item.path)
                        raise SourceError(site_named(link, site), None, "this link leads to "
                                          f"{site_named(target, site)}, which is read already "
                                          "(a loop, or the same files twice)", "remove the link")
                    stack.append(item.path)
                elif item.name.endswith(suffix) and item.is_file():
                    info = item.stat()
                    found[item.path] = (info.st_mtime_ns, info.st_size)
    return dict(sorted(found.items()))


def relative_path(path: str, root: Path) -> str:
    """Return the POSIX path, relative to root, of a path scan_tree(root) found."""
    root_text = str(root)   # not os.path.join(root, ""): this runs for every entry file
    return path[len(root_text) + (not root_text.endswith(os.sep)):].replace(os.sep, "/")


def find_files(root: Path, suffix: str | tuple[str, ...], site: Path | None = None) -> list[Path]:
    """Return every source file below root ending in suffix, sorted (see scan_tree)."""
    return [Path(path) for path in scan_tree(root, suffix, site)]


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
