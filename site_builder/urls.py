"""Every URL and output path of the site, and a path join that cannot leave the output folder."""

from __future__ import annotations

import datetime
import posixpath
from pathlib import Path

from .errors import SitegenError

MAX_NAME_BYTES = 255      # the longest file or folder name common file systems take
MAX_PATH_BYTES = 2048     # well under PATH_MAX (4096) once the output folder's own path is added
# Marks a folder as a site sitegen built, whose files later builds may replace and remove.
OWNER_MARKER = ".sitegen-output"


def permalink_path(pattern: str, slug: str, day: datetime.date) -> str:
    """Return the site-relative URL path ('/2022/12/31/slug/') of an entry."""
    return pattern.format(year=f"{day.year:04d}", month=f"{day.month:02d}",
                          day=f"{day.day:02d}", slug=slug)


def home_path(page: int = 1) -> str:
    """Return the URL path of a page of the home timeline."""
    return "/" if page == 1 else f"/page/{page}/"


def tag_path(slug: str, page: int = 1) -> str:
    """Return the URL path of a page of a tag's timeline."""
    return f"/tags/{slug}/" if page == 1 else f"/tags/{slug}/page/{page}/"


def tag_feed_path(slug: str) -> str:
    """Return the URL path of a tag's Atom feed."""
    return f"/tags/{slug}/feed.xml"


def period_path(year: int, month: int = 0, day: int = 0) -> str:
    """Return the URL path of a year, month or day archive."""
    path = f"/{year:04d}/"
    if month:
        path += f"{month:02d}/"
        if day:
            path += f"{day:02d}/"
    return path


def output_file(url_path: str) -> str:
    """Return the output file (relative, POSIX) that serves url_path."""
    if url_path.endswith("/"):
        return url_path.lstrip("/") + "index.html"
    return url_path.lstrip("/")


def is_safe_relative(rel: str) -> bool:
    """Return whether rel is a relative POSIX path that stays inside its root and that file
    systems can hold (no name over 255 bytes, as a permalink '/{slug}-{slug}/' could make)."""
    if not rel or "\x00" in rel or "\\" in rel or rel.startswith("/"):
        return False
    encoded = rel.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_PATH_BYTES or max(map(len, encoded.split(b"/"))) > MAX_NAME_BYTES:
        return False
    normal = posixpath.normpath(rel)
    return normal == rel.rstrip("/") and not normal.startswith("..") and normal != "."


def safe_join(root: Path, rel: str) -> Path:
    """Return root/rel, refusing any rel that would lead outside root."""
    if not is_safe_relative(rel):
        raise SitegenError(f"refusing to write outside the output folder: {rel!r}")
    return Path(root, *rel.split("/"))
