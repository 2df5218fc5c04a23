"""sitemaps.org Sitemaps (split into an index past the protocol's limits) and robots.txt; pure."""

from __future__ import annotations

import datetime
import io
from typing import Iterable, Iterator, Sequence
from urllib.parse import quote, urlsplit

from ..core.urls import SITEMAP_PATH, output_file, sitemap_part_path

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_FILE = output_file(SITEMAP_PATH)
MAX_URLS = 50_000                    # per file, sitemaps.org protocol
MAX_BYTES = 50 * 1024 * 1024         # per file, uncompressed (52,428,800 bytes)

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_URLSET_OPEN = f'{_HEAD}<urlset xmlns="{SITEMAP_NS}">\n'
_URLSET_CLOSE = "</urlset>\n"
_INDEX_OPEN = f'{_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">\n'
_INDEX_CLOSE = "</sitemapindex>\n"
# Characters left as they are in a URL; everything else (spaces, non-ASCII) is %-encoded.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"
# xml.sax.saxutils.escape with quotes, without the 20 ms its import of urllib.request costs.
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def sitemap_url_text(url: str) -> str:
    """Return url %-encoded where needed and entity-escaped, as a <loc> must hold it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"sitemap URLs must be absolute http(s) URLs, not {url!r}")
    encoded = quote(url, safe=_URL_SAFE)
    if len(encoded) > 2048:
        raise ValueError(f"sitemap URLs may be at most 2048 characters long: {encoded[:80]}...")
    return encoded.translate(_XML_ESCAPES)


def lastmod_day(value: datetime.date) -> datetime.date:
    """Return the calendar day of a date or datetime (a datetime's day in its own zone)."""
    return value.date() if isinstance(value, datetime.datetime) else value


def _url_element(url: str, lastmod: datetime.date | None) -> str:
    """Return one <url> element, on its own line."""
    text = f"<url><loc>{sitemap_url_text(url)}</loc>"
    if lastmod is not None:
        text += f"<lastmod>{lastmod.isoformat()}</lastmod>"
    return text + "</url>\n"


Pairs = Sequence[tuple[str, datetime.date | None]]
# The lastmod of a repeated URL once it has been listed.
_LISTED = object()


def _latest_of_repeated(urls: Pairs) -> dict:
    """Return each URL given more than once -> the latest lastmod day given for it."""
    seen: set[str] = set()
    repeated: dict = {}
    for url, _ in urls:
        if url in seen:
            repeated[url] = None
        seen.add(url)
    del seen
    for url, lastmod in urls:
        if url in repeated:
            day, known = None if lastmod is None else lastmod_day(lastmod), repeated[url]
            repeated[url] = max(known, day) if known and day else (known or day)
    return repeated


def _unique(urls: Pairs) -> Iterator[tuple[str, datetime.date | None]]:
    """Yield each URL once, in first-seen order, with the latest lastmod day given for it."""
    repeated = _latest_of_repeated(urls)
    for url, lastmod in urls:
        if url in repeated:
            day, repeated[url] = repeated[url], _LISTED
            if day is _LISTED:
                continue
        else:
            day = None if lastmod is None else lastmod_day(lastmod)
        yield url, day


def _layout(urls: Pairs, max_urls: int, max_bytes: int) -> list[tuple[int, datetime.date | None]]:
    """Return (URL count, newest lastmod) of each file the URLs fill in order, packed to fit."""
    room = max_bytes - len((_URLSET_OPEN + _URLSET_CLOSE).encode())
    groups: list[list] = []
    size = room + 1
    for url, lastmod in _unique(urls):
        length = len(_url_element(url, lastmod).encode())
        if length > room:
            raise ValueError(f"one sitemap entry is larger than {max_bytes} bytes")
        if size + length > room or groups[-1][0] == max_urls:
            groups.append([0, None])
            size = 0
        group = groups[-1]
        group[0] += 1
        group[1] = max(group[1], lastmod) if group[1] and lastmod else (group[1] or lastmod)
        size += length
    if not groups:
        raise ValueError("a sitemap needs at least one URL (the home page, at least)")
    if len(groups) > MAX_URLS:
        raise ValueError(f"{sum(n for n, _ in groups)} URLs need more sitemaps than one index "
                         f"may list ({MAX_URLS})")
    return [(count, newest) for count, newest in groups]


def _urlset(urls: Pairs, start: int, count: int) -> bytes:
    """Return a <urlset> document of the count URLs from the start-th (the file written as it is made)."""
    out = io.BytesIO()
    out.write(_URLSET_OPEN.encode())
    for n, (url, lastmod) in enumerate(_unique(urls)):
        if n >= start + count:
            break
        if n >= start:
            out.write(_url_element(url, lastmod).encode())
    out.write(_URLSET_CLOSE.encode())
    return out.getvalue()


def _part_names(count: int) -> list[str]:
    """Return the output paths of count numbered sitemap files."""
    return [output_file(sitemap_part_path(n)) for n in range(1, count + 1)]


def build_sitemap_file(urls: Iterable[tuple[str, datetime.date | None]], path: str, *,
                       site_url: str, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> bytes:
    """Return the bytes of the file at path among those build_sitemap makes (only that one)."""
    urls = urls if isinstance(urls, Sequence) else list(urls)
    groups = _layout(urls, max_urls, max_bytes)
    names = _part_names(len(groups))
    if path == SITEMAP_FILE and len(groups) == 1:
        return _urlset(urls, 0, groups[0][0])
    if path == SITEMAP_FILE:
        if not site_url.endswith("/"):
            site_url += "/"
        return _index([site_url + name for name in names], [newest for _, newest in groups]).encode()
    if path not in names:
        raise KeyError(path)
    n = names.index(path)
    return _urlset(urls, sum(count for count, _ in groups[:n]), groups[n][0])


def _index(locs: list[str], lastmods: list[datetime.date | None]) -> str:
    """Return a <sitemapindex> document listing the sitemaps at locs."""
    lines = [_INDEX_OPEN]
    for loc, lastmod in zip(locs, lastmods):
        line = f"<sitemap><loc>{sitemap_url_text(loc)}</loc>"
        if lastmod is not None:
            line += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        lines.append(line + "</sitemap>\n")
    lines.append(_INDEX_CLOSE)
    return "".join(lines)


def build_sitemap(urls: Iterable[tuple[str, datetime.date | None]], *, site_url: str,
                  max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> dict[str, bytes]:
    """Return {output path: bytes} of the sitemap files listing (absolute URL, lastmod day) pairs.

    Paths are relative to the output folder that site_url (config.site_url) serves. When all
    URLs fit one file (at most max_urls URLs and max_bytes bytes) the result is
    {"sitemap.xml": urlset}; otherwise {"sitemap.xml": index, "sitemap-1.xml": ..., ...}, the
    index naming each numbered file by its absolute URL under site_url, with its newest lastmod.
    Duplicate URLs are listed once (with their latest lastmod); at least one URL is required.
    """
    urls = urls if isinstance(urls, Sequence) else list(urls)
    count = len(_layout(urls, max_urls, max_bytes))
    paths = [SITEMAP_FILE] + (_part_names(count) if count > 1 else [])
    return {path: build_sitemap_file(urls, path, site_url=site_url, max_urls=max_urls,
                                     max_bytes=max_bytes) for path in paths}


def build_robots_txt(sitemap_url: str) -> bytes:
    """Return a robots.txt that allows every crawler everything and names the sitemap.

    Crawlers read robots.txt only at the root of a host, so under a sub-path
    (https://user.github.io/repo/) the file is harmless but ignored.
    """
    if any(c in sitemap_url for c in "\r\n") or urlsplit(sitemap_url).scheme not in ("http", "https"):
        raise ValueError(f"the sitemap URL must be one absolute http(s) URL, not {sitemap_url!r}")
    return f"User-agent: *\nDisallow:\n\nSitemap: {sitemap_url}\n".encode()
