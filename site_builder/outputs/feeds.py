"""Atom 1.0 feeds (RFC 4287) of timeline entries, built as bytes (pure: no I/O, no clock)."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from typing import Iterable
from urllib.parse import urlsplit

from ..core.config import Config
from ..model.records import Entry

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
GENERATOR = "sitegen"
# The <updated> of a feed with no entries: fixed, so that an empty feed's bytes never change.
EMPTY_FEED_UPDATED = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

# Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE, U+FFFF) and the
# C1 controls and DEL it discourages: none of them can be meant as text in a news entry.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def xml_text(text: str) -> str:
    """Return text without the characters XML 1.0 cannot carry or discourages."""
    return _NOT_XML_TEXT.sub("", text)


def absolute_url(config: Config, root_relative_url: str) -> str:
    """Return scheme://host of config.base_url joined to a root-relative URL ('/repo/x/')."""
    if urlsplit(root_relative_url).scheme in ("http", "https"):
        return root_relative_url
    if not root_relative_url.startswith("/") or root_relative_url.startswith("//"):
        raise ValueError(f"expected a root-relative URL starting with '/', not {root_relative_url!r}")
    base = urlsplit(config.base_url)
    return f"{base.scheme}://{base.netloc}{root_relative_url}"


def rfc3339(instant: datetime.datetime) -> str:
    """Return instant as an RFC 3339 date-time with its offset, to the second."""
    if instant.utcoffset() is None:
        raise ValueError(f"feed times need a time zone, got naive {instant.isoformat()}")
    return instant.isoformat(timespec="seconds")


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Return entries newest first; ties broken by URL so the order is always the same."""
    return sorted(entries, key=lambda e: (e.instant, e.url, e.path), reverse=True)


def _is_web_url(url: str) -> bool:
    """Return whether url is an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append an element (in the Atom namespace the root declares) to parent, and return it."""
    element = ET.SubElement(parent, name,
                            {key: xml_text(value) for key, value in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _add_author(parent: ET.Element, name: str) -> None:
    """Append an atom:author with the given name to parent."""
    _add(_add(parent, "author"), "name", name)


def _add_entry(feed: ET.Element, entry: Entry, config: Config, full_content: bool) -> None:
    """Append one atom:entry describing entry to feed."""
    url = absolute_url(config, entry.url)
    element = _add(feed, "entry")
    _add(element, "id", url)
    _add(element, "title", entry.title, type="text")
    _add(element, "updated", rfc3339(entry.instant))
    _add(element, "published", rfc3339(entry.instant))
    _add(element, "link", rel="alternate", type="text/html", href=url)
    if _is_web_url(entry.source_url):
        via = {"title": entry.source_name} if entry.source_name.strip() else {}
        _add(element, "link", rel="via", type="text/html", href=entry.source_url, **via)
    # No atom:author per entry: the feed's own author covers every entry (RFC 4287 4.1.2).
    # The site model's tags, not the front matter's: aliased, one per tag, at most max_tags.
    for name, _ in entry.tag_links:
        _add(element, "category", term=name)
    summary = entry.lead or entry.summary
    if summary.strip():
        _add(element, "summary", summary, type="text")
    if full_content:
        _add(element, "content", entry.body_html, type="html")


def build_atom_feed(entries: Iterable[Entry], *, config: Config, title: str, feed_url: str,
                    page_url: str, limit: int = 50, subtitle: str | None = None,
                    full_content: bool = True) -> bytes:
    """Return the UTF-8 bytes of an Atom feed of the newest `limit` entries, newest first.

    feed_url and page_url are root-relative URLs like Entry.url (absolute ones pass
    through); the feed's id is the absolute page URL and each entry's id its absolute URL.
    <updated> is the newest entry's instant, or EMPTY_FEED_UPDATED when there is none, so
    the same entries always give the same bytes. subtitle defaults to config.description.
    Without full_content, entries carry their summary and link but not their body.
    """
    if limit < 1:
        raise ValueError(f"a feed needs a limit of at least 1, not {limit}")
    chosen = newest_first(entries)[:limit]
    page = absolute_url(config, page_url)
    feed = ET.Element("feed", xmlns=ATOM_NS)
    language = config.language.replace("_", "-")
    if _LANGUAGE_TAG.fullmatch(language):
        feed.set(f"{{{XML_NS}}}lang", language)
    _add(feed, "id", page)
    _add(feed, "title", title, type="text")
    subtitle = config.description if subtitle is None else subtitle
    if subtitle.strip():
        _add(feed, "subtitle", subtitle, type="text")
    _add(feed, "updated", rfc3339(chosen[0].instant if chosen else EMPTY_FEED_UPDATED))
    _add(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(config, feed_url))
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    _add_author(feed, config.feed_author)
    _add(feed, "generator", GENERATOR)
    for entry in chosen:
        _add_entry(feed, entry, config, full_content)
    ET.indent(feed, space="")  # a line per element; indenting would add a tenth to the bytes
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
