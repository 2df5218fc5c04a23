"""sitemaps.org Sitemaps (split into an index past the protocol's limits) and robots.txt; pure."""

from __future__ import annotations

import datetime
from typing import Iterable
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


def _merge(urls: Iterable[tuple[str, datetime.date | None]]) -> dict[str, datetime.date | None]:
    """Return each URL once, in first-seen order, with the latest lastmod day given for it."""
    merged: dict[str, datetime.date | None] = {}
    for url, lastmod in urls:
        day = None if lastmod is None else lastmod_day(lastmod)
        known = merged.get(url)
        merged[url] = max(known, day) if known and day else (known or day)
    return merged


def _chunks(items: list[tuple[str, datetime.date | None]], max_urls: int,
            max_bytes: int) -> list[list[tuple[str, datetime.date | None]]]:
    """Return (<url> element, lastmod) pairs packed in order into groups that fit one file each."""
    room = max_bytes - len((_URLSET_OPEN + _URLSET_CLOSE).encode())
    groups: list[list[tuple[str, datetime.date | None]]] = [[]]
    size = 0
    for element, lastmod in items:
        length = len(element.encode())
        if length > room:
            raise ValueError(f"one sitemap entry is larger than {max_bytes} bytes")
        if len(groups[-1]) == max_urls or size + length > room:
            groups.append([])
            size = 0
        groups[-1].append((element, lastmod))
        size += length
    return groups


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
    merged = _merge(urls)
    if not merged:
        raise ValueError("a sitemap needs at least one URL (the home page, at least)")
    if not site_url.endswith("/"):
        site_url += "/"
    items = [(_url_element(url, lastmod), lastmod) for url, lastmod in merged.items()]
    groups = _chunks(items, max_urls, max_bytes)
    files = {output_file(sitemap_part_path(n)): _URLSET_OPEN + "".join(e for e, _ in group) + _URLSET_CLOSE
             for n, group in enumerate(groups, start=1)}
    if len(files) == 1:
        return {SITEMAP_FILE: next(iter(files.values())).encode()}
    if len(files) > MAX_URLS:
        raise ValueError(f"{len(merged)} URLs need more sitemaps than one index may list ({MAX_URLS})")
    newest = [max((d for _, d in group if d is not None), default=None) for group in groups]
    index = _index([site_url + name for name in files], newest)
    return {SITEMAP_FILE: index.encode()} | {name: text.encode() for name, text in files.items()}


def build_robots_txt(sitemap_url: str) -> bytes:
    """Return a robots.txt that allows every crawler everything and names the sitemap.

    Crawlers read robots.txt only at the root of a host, so under a sub-path
    (https://user.github.io/repo/) the file is harmless but ignored.
    """
    if any(c in sitemap_url for c in "\r\n") or urlsplit(sitemap_url).scheme not in ("http", "https"):
        raise ValueError(f"the sitemap URL must be one absolute http(s) URL, not {sitemap_url!r}")
    return f"User-agent: *\nDisallow:\n\nSitemap: {sitemap_url}\n".encode()
