"""Internal links of a built site: every link and anchor must lead somewhere in the output.

`find_broken_links` is pure: it takes the output as a mapping of output-relative POSIX paths to
bytes and the base path the site was built for ('/' or '/repo/'). Only HTML files are parsed;
other files just have to exist. External (http, https, mailto, ...) links are not followed.
"""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = frozenset(["href", "src", "action"])
# Fragments a browser handles without a matching id: '#' alone and '#top' scroll to the top.
BUILTIN_FRAGMENTS = frozenset(["", "top"])


class _PageParser(HTMLParser):
    """Collects the ids (anchors) and the links of one HTML page, with their line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the tag's id (or <a name>) and its link attributes."""
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.links.append((line, value.strip()))

    handle_startendtag = handle_starttag


def parse_page(data: bytes) -> _PageParser:
    """Return the parser that has read one HTML page's ids and links."""
    parser = _PageParser()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    return parser


def is_html(path: str) -> bool:
    """Return whether an output file is an HTML page."""
    return path.endswith((".html", ".htm"))


def is_external(link: str) -> bool:
    """Return whether a link leaves the site: it has a scheme (http:, mailto:...) or a host."""
    parts = urlsplit(link)
    return bool(parts.scheme or parts.netloc)


def page_url_path(path: str, base_path: str) -> str:
    """Return the URL path an output file is served at: x/index.html -> /base/x/."""
    url = base_path + path
    return url[: -len("index.html")] if posixpath.basename(path) == "index.html" else url


def resolve_target(link_path: str, page: str, base_path: str) -> str | None:
    """Return the output file a link's path leads to (maybe missing), or None outside base_path."""
    if not link_path:
        return page
    if not link_path.startswith("/"):
        link_path = posixpath.join(posixpath.dirname(page_url_path(page, base_path)), link_path)
    folder = link_path.endswith(("/", "/.", "/.."))
    url = "/" + posixpath.normpath(link_path).lstrip("/")
    if folder and not url.endswith("/"):
        url += "/"
    if url == base_path.rstrip("/"):  # /repo: GitHub Pages redirects to /repo/
        url = base_path
    if not url.startswith(base_path):
        return None
    rel = url[len(base_path):]
    return rel + "index.html" if not rel or rel.endswith("/") else rel


def find_broken_links(pages: Mapping[str, bytes], base_path: str) -> list[str]:
    """Return 'page:line: message' for every internal link or anchor that leads nowhere."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    parsed = {path: parse_page(data) for path, data in sorted(pages.items()) if is_html(path)}
    problems: list[str] = []
    for page, parser in parsed.items():
        for line, link in parser.links:
            for message in _link_problems(link, page, base_path, pages, parsed):
                problems.append(f"{page}:{line}: {message}")
    return problems


def _link_problems(link: str, page: str, base_path: str, pages: Mapping[str, bytes],
                   parsed: Mapping[str, _PageParser]) -> Iterator[str]:
    """Yield what is wrong with one link on one page (nothing when it is fine)."""
    if is_external(link):
        return
    parts = urlsplit(link)
    target = resolve_target(unquote(parts.path), page, base_path)
    if target is None:
        yield f"link {link!r} leads outside the site's base path {base_path!r}"
        return
    if target not in pages:
        folder = target + "/index.html"
        if folder in pages:  # /repo/x: GitHub Pages redirects to /repo/x/
            target = folder
        else:
            yield f"link {link!r} leads to {target}, which is not in the output"
            return
    fragment = unquote(parts.fragment)
    if "#" not in link or fragment.casefold() in BUILTIN_FRAGMENTS or target not in parsed:
        return
    if fragment not in parsed[target].ids:
        where = "this page" if target == page else target
        yield f"link {link!r} points to an anchor #{fragment} that {where} does not have"


def load_output(out_dir: Path) -> dict[str, bytes]:
    """Return output-relative POSIX path -> bytes for every file of a built site.

    Only HTML pages are read; other files are listed with empty bytes, since a link to them
    only needs them to exist.
    """
    out_dir = Path(out_dir)
    files: dict[str, bytes] = {}
    for path in sorted(out_dir.rglob("*")):
        if path.is_file():
            rel = path.relative_to(out_dir).as_posix()
            files[rel] = path.read_bytes() if is_html(rel) else b""
    return files
