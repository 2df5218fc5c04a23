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


# The site's fixed pages and files, as URL paths from the site's root.
TAGS_PATH = "/tags/"
COUNTRIES_PATH = "/countries/"
# The indexes by number of entries: files, so that no tag or country folder can take their name.
TAGS_BY_COUNT_PATH = "/tags/by-count.html"
COUNTRIES_BY_COUNT_PATH = "/countries/by-count.html"
RELATIONS_PATH = "/relations/"
ARCHIVE_PATH = "/archive/"
SEARCH_PATH = "/search/"
NOT_FOUND_PATH = "/404.html"
FEED_PATH = "/feed.xml"
TIMELINE_JSON_PATH = "/timeline.json"
FILTER_INDEX_PATH = "/filter/index.json"
SITEMAP_PATH = "/sitemap.xml"
ROBOTS_PATH = "/robots.txt"
NOJEKYLL_PATH = "/.nojekyll"
CNAME_PATH = "/CNAME"
STATIC_DIR = "static"
SEARCH_BUNDLE_DIR = "searchindex"     # the search index's folder, as search.html expects


def static_path(name: str) -> str:
    """Return the URL path of a static file of the theme, by its published (hashed) name."""
    return f"/{STATIC_DIR}/{name}"


def filter_chunk_path(number: int) -> str:
    """Return the URL path of one chunk of the timeline filter's entries."""
    return f"/filter/entries-{number}.json"


def sitemap_part_path(number: int) -> str:
    """Return the URL path of one part of a sitemap too large for one file."""
    return f"/sitemap-{number}.xml"


def permalink_path(pattern: str, slug: str, day: datetime.date) -> str:
    """Return the site-relative URL path ('/2022/12/31/slug/') of an entry."""
    return pattern.format(year=f"{day.year:04d}", month=f"{day.month:02d}",
                          day=f"{day.day:02d}", slug=slug)


def home_path(page: int = 1) -> str:
    """Return the URL path of a page of the home timeline."""
    return "/" if page == 1 else f"/page/{page}/"


def tag_path(slug: str, page: int = 1) -> str:
    """Return the URL path of a page of a tag's timeline."""
    return f"{TAGS_PATH}{slug}/" if page == 1 else f"{TAGS_PATH}{slug}/page/{page}/"


def tag_feed_path(slug: str) -> str:
    """Return the URL path of a tag's Atom feed."""
    return f"{TAGS_PATH}{slug}{FEED_PATH}"


def country_path(code: str, page: int = 1) -> str:
    """Return the URL path of a page of a country's timeline (codes lower case)."""
    path = f"{COUNTRIES_PATH}{code.lower()}/"
    return path if page == 1 else f"{path}page/{page}/"


def country_feed_path(code: str) -> str:
    """Return the URL path of a country's Atom feed."""
    return f"{COUNTRIES_PATH}{code.lower()}{FEED_PATH}"


def relation_path(codes: tuple[str, str], page: int = 1) -> str:
    """Return the URL path of a page of a pair's timeline: codes lower case, in order."""
    path = f"{RELATIONS_PATH}{codes[0].lower()}-{codes[1].lower()}/"
    return path if page == 1 else f"{path}page/{page}/"


def relation_feed_path(codes: tuple[str, str]) -> str:
    """Return the URL path of a pair's Atom feed."""
    return f"{relation_path(codes)}{FEED_PATH.lstrip('/')}"


def period_path(year: int, month: int = 0, day: int = 0) -> str:
    """Return the URL path of a year, month or day archive."""
    path = f"/{year:04d}/"
    if month:
        path += f"{month:02d}/"
        if day:
            path += f"{day:02d}/"
    return path


def period_page_path(year: int, month: int, day: int, page: int = 1) -> str:
    """Return the URL path of a page of a period's archive."""
    path = period_path(year, month, day)
    return path if page == 1 else f"{path}page/{page}/"


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
