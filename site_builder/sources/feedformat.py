"""Read an RSS or Atom feed saved to a file into RawArticles, one per item (pure: bytes in).

feedparser reads every version of RSS and Atom, and is given the bytes, never a URL or a
file name, so nothing is fetched; its XML parser leaves external entities unresolved.
"""

from __future__ import annotations

import datetime
import email.utils
import io
import re
from html.parser import HTMLParser

from ..core.errors import SourceError
from ..model.records import RawArticle
from .language import normal_tag
from .rawformat import build_raw_article

FEED_HINT = "save the feed exactly as the server sent it: RSS 0.9 to 2.0, or Atom"
# Where an item or entry opens, to give each item's line.
_ITEM_RE = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
# Elements that end a paragraph of text.
_BLOCKS = frozenset("p div br li h1 h2 h3 h4 h5 h6 blockquote pre tr section article "
                    "header footer ul ol table figure figcaption hr dd dt".split())
_SKIPPED = frozenset(["script", "style", "template"])
_ISO_DAY_RE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


class _TextParser(HTMLParser):
    """Collects the text of HTML as paragraphs, breaking at block elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def break_paragraph(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.break_paragraph()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.break_paragraph()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)


def html_paragraphs(html: str) -> list[str]:
    """Return the text of HTML as paragraphs: tags dropped, entities read, white space folded."""
    if "<" not in html and "&" not in html:
        return [part for part in (" ".join(p.split()) for p in re.split(r"\n\s*\n", html)) if part]
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser.break_paragraph()
    return parser.paragraphs


def item_lines(text: str) -> list[int]:
    """Return the line on which each item or entry of a feed's text opens, in order."""
    lines, line, position = [], 1, 0
    for match in _ITEM_RE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    return lines


def parse_feed(data: bytes, path: str) -> list[RawArticle | SourceError]:
    """Return an article, or the error that keeps it out, for each item of a feed's bytes; one
    error when the bytes are not a feed."""
    import feedparser   # loaded only by imports that read a feed

    if not data.strip():
        return [SourceError(path, None, "the file is empty", FEED_HINT)]
    try:
        # A file object: feedparser treats a string as a URL or file name to open.
        feed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:   # noqa: BLE001 - any failure of the parser is this file's error
        return [SourceError(path, None, f"the feed cannot be read: {exc}", FEED_HINT)]
    if not feed.entries:   # a scraper that saved an empty feed, or no feed, lost something
        line, message = _feed_problem(feed)
        return [SourceError(path, line, message, FEED_HINT)]
    lines = item_lines(data.decode("utf-8", "replace"))
    feed_lang = normal_tag(str(feed.feed.get("language") or ""))
    results: list[RawArticle | SourceError] = []
    for number, item in enumerate(feed.entries, start=1):
        line = lines[number - 1] if len(lines) == len(feed.entries) else None
        try:
            results.append(_item_article(item, path, line, number, feed_lang))
        except SourceError as error:
            results.append(error)
    return results


def _feed_problem(feed) -> tuple[int | None, str]:
    """Return (line, message) saying why a feed gave no items."""
    if feed.get("bozo"):
        exc = feed.get("bozo_exception")
        line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else None
        reason = getattr(exc, "getMessage", lambda: str(exc))()
        return line, f"this is not a well-formed RSS or Atom feed: {reason}"
    if not feed.get("version"):
        return 1, "this is not an RSS or Atom feed"
    return 1, "the feed has no items"


def _item_article(item, path: str, line: int | None, number: int, feed_lang: str) -> RawArticle:
    """Return the article of one feed item, or raise SourceError naming it."""
    where = f"item {number}: "
    try:
        day = _item_day(item)
        summary = html_paragraphs(item.get("summary") or "")
        content = [part for block in item.get("content") or []
                   for part in html_paragraphs(block.get("value") or "")]
        body = content or summary[1:]
        lead = summary[0] if summary and summary[:1] != content[:1] else ""
        title_detail = item.get("title_detail") or {}
        return build_raw_article(
            path, line, date=day, url=_item_url(item),
            title=" ".join(html_paragraphs(item.get("title") or "")), lead=lead,
            keywords=", ".join(tag.get("term") or "" for tag in item.get("tags") or []),
            paragraphs=body,
            lang=normal_tag(str(title_detail.get("language") or "")) or feed_lang)
    except SourceError as error:
        raise SourceError(path, line, where + error.message, error.hint) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise SourceError(path, line, f"{where}cannot be read: {exc}", FEED_HINT) from None


def _item_day(item) -> str:
    """Return the day an item was published, as YYYY-MM-DD in its own time zone ("" if none).

    feedparser gives the time in UTC: an item of 01:30 +0300 on 21 March would be filed on the
    20th. The day written in the feed is kept, as a raw file's or a JSON line's is."""
    for key in ("published", "updated", "created"):
        parsed = item.get(f"{key}_parsed")
        if parsed:
            utc_day = datetime.date(*parsed[:3])
            written = _written_day(str(item.get(key) or ""))
            if written is not None and abs((written - utc_day).days) <= 1:
                return written.isoformat()
            return utc_day.isoformat()
    return ""


def _written_day(text: str) -> datetime.date | None:
    """Return the calendar day an RFC 822 or ISO 8601 date-time names, or None."""
    iso = _ISO_DAY_RE.match(text)
    fields = (iso.groups() if iso else None) or (email.utils.parsedate_tz(text) or ())[:3]
    try:
        return datetime.date(*map(int, fields)) if len(fields) == 3 else None
    except (ValueError, OverflowError):
        return None


def _item_url(item) -> str:
    """Return an item's link, or its id when that is a web address."""
    link = item.get("link") or ""
    if not link and str(item.get("id") or "").startswith(("http://", "https://")):
        link = item["id"]
    return str(link)
