"""Entries: parse an entry file's text into an Entry (pure), and load every entry of a site."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from .frontmatter import split_front_matter
from .language import is_language_tag
from .markup import MARKUPS, MarkupError, render_body
from ..core.config import Config, shown
from ..core.countrydata import country_codes
from ..core.digests import digest_bytes, digest_text
from ..core.errors import SourceError
from ..core.eventdates import EVENT_DATE_HINT, event_date_of, event_words
from ..core.slugs import is_valid_slug, make_slug
from ..model.events import link_problems, text_words
from ..model.records import Entry, Site
from ..model.site import count_tags

KNOWN_KEYS = frozenset(
    ["title", "date", "slug", "lead", "summary", "tags", "source", "dateline", "draft", "markup",
     "event_date", "event_date_inferred", "countries"]
)
DATE_HINT = "expected YYYY-MM-DD, or a date-time such as 2019-08-01T10:00:00Z"
# Month and day may have one digit (2023-5-9), which YAML leaves a string.
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# C0 and C1 control characters but tab and line feed, lone surrogates, U+FFFE and U+FFFF: a
# YAML escape ("\0", "\x01") can put them in a value, and no page, feed or URL may show them.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_URL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # tab and LF too
_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def key_line(text: str, key: str) -> int | None:
    """Return the line number of a top-level front matter key, for error messages."""
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def parse_date(value: Any, tz: datetime.tzinfo) -> datetime.datetime:
    """Return the aware instant a front matter date stands for; ValueError says why not."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=tz)
    if not isinstance(value, str):
        raise ValueError(f"date must be a date, not {type(value).__name__}")
    text = value.strip()
    match = _DATE.match(text)
    if match:
        year, month, day = map(int, match.groups())
        try:
            return datetime.datetime(year, month, day, tzinfo=tz)
        except ValueError:
            raise ValueError(f"date '{text}' is not a calendar date") from None
    match = _DATETIME.match(text)
    if not match:
        raise ValueError(f"date '{text}' is not a date")
    year, month, day, hour, minute = map(int, match.groups()[:5])
    second = int(match.group(6) or 0)
    zone = match.group(7)
    if zone is None:
        zone_info: datetime.tzinfo = tz
    elif zone == "Z":
        zone_info = datetime.timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= datetime.timedelta(hours=24):
            raise ValueError(f"date '{text}' has an impossible time zone offset")
        zone_info = datetime.timezone(sign * offset)
    try:
        return datetime.datetime(year, month, day, hour, minute, second, tzinfo=zone_info)
    except ValueError:
        raise ValueError(f"date '{text}' is not a calendar date and time") from None


def without_control_characters(value: Any) -> Any:
    """Return a front matter value with control characters removed from every string in it."""
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {without_control_characters(key): without_control_characters(item)
                for key, item in value.items()}
    return value


def _text_field(data: dict, key: str, fail) -> str:
    """Return a front matter value that must be text, or '' when it is absent."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(key, f"'{key}' must be text, not {type(value).__name__}", "put the text in quotes")
    return str(value).strip()


def _tags(data: dict, fail) -> tuple[str, ...]:
    """Return the entry's tags: trimmed, case-folded duplicates and empty items dropped."""
    value = data.get("tags")
    if value is None:
        return ()
    if not isinstance(value, list):
        fail("tags", "'tags' must be a list of strings", "e.g. tags: [russia, china]")
    tags: list[str] = []
    seen: set[str] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            fail("tags", f"tag {item!r} is not a string", "put it in quotes")
        name = " ".join(str(item).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            # Interned: a tag repeats in thousands of entries, which then share one string (and
            # a worker's chunk of entries pickles it once), some 40 MB less at 100,000 entries.
            tags.append(sys.intern(name))
    return tuple(tags)


def _countries(data: dict, fail) -> tuple[str, ...]:
    """Return the ISO 3166-1 alpha-2 codes the entry names (upper case, duplicates dropped)."""
    value = data.get("countries")
    if value is None:
        return ()
    hint = "e.g. countries: [RU, CN] (ISO 3166-1 alpha-2 codes)"
    if not isinstance(value, list):
        fail("countries", "'countries' must be a list of country codes", hint)
    codes, known = [], country_codes()
    for item in value:
        code = item.strip().upper() if isinstance(item, str) else None
        if code not in known:
            fail("countries", f"unknown country code {shown(item)} in 'countries'", hint)
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _source(data: dict, fail) -> tuple[str, str]:
    """Return (source name, source URL); the URL must be http(s), with no control character."""
    value = data.get("source")
    if value is None:
        return "", ""
    if isinstance(value, str):
        name, url = "", value.strip()
    elif isinstance(value, dict):
        name = _text_field(value, "name", lambda k, m, h=None: fail("source", f"source {m}", h))
        url = _text_field(value, "url", lambda k, m, h=None: fail("source", f"source {m}", h))
    else:
        fail("source", "'source' must be a URL or a mapping with name and url")
    control = _NOT_IN_URL.search(url)
    if control:
        fail("source", f"source URL {url[:80]!r} holds the control character "
             f"U+{ord(control.group()):04X}", "remove it: no URL can hold one")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # 'http://[::1' (an unclosed IPv6 address)
        scheme = ""
    if url and scheme not in ("http", "https"):
        fail("source", f"source URL {url[:80]!r} is not an http(s) URL")
    return without_control_characters(name), url


def parse_entry(text: str, path: str, *, tz: datetime.tzinfo, digest: str = "",
                front_matter: dict[str, Any] | None = None) -> Entry:
    """Return the Entry an entry file's text describes, or raise SourceError with its line.

    front_matter, when given, is the mapping text's YAML holds (an import that has just
    written it), spared a second parse."""
    data, body, body_line = split_front_matter(text, path, front_matter)

    def fail(key: str, message: str, hint: str | None = None):
        raise SourceError(path, key_line(text, key) or 1, message, hint)

    # The URL names taken before the cleaning: one with a control character is an error.
    source_name, source_url = _source(data, fail)
    slug = data.get("slug")
    try:
        data = without_control_characters(data)
    except RecursionError:   # libyaml loads up to 1,000 levels: more than Python recurses through
        raise SourceError(path, 2, "front matter is nested too deeply") from None

    title = _text_field(data, "title", fail)
    if not title:
        fail("title", "the entry has no title", "add a line such as: title: Some title")
    if data.get("date") is None:
        fail("date", "the entry has no date", "add a line such as: date: 2022-12-31")
    try:
        instant = parse_date(data["date"], tz)
        day = instant.astimezone(tz).date()
    except ValueError as exc:
        fail("date", str(exc), DATE_HINT)
    except OverflowError:  # 0001-01-01T00:00+05:00 is in year 0 in UTC
        fail("date", f"date '{data['date']}' is out of the range of years 1 to 9999", DATE_HINT)
    if slug is None:
        slug = make_slug(title)
    elif not isinstance(slug, str) or not is_valid_slug(slug):
        fail("slug", f"slug {str(slug)[:80]!r} is not a safe URL name",
             "use lowercase letters, digits and '-', e.g. xi-meets-putin")
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", "'draft' must be true or false")
    markup = data.get("markup", MARKUPS[0])
    if markup not in MARKUPS:
        fail("markup", f"markup {str(markup)[:80]!r} is not one of: {', '.join(MARKUPS)}",
             "markdown (the default) or text, for a body shown exactly as written")
    try:
        body_html = render_body(body, markup)
    except MarkupError as exc:
        raise SourceError(path, body_line + exc.line, exc.message, exc.hint) from None
    lang = data.get("lang")
    if lang is not None and not (isinstance(lang, str) and is_language_tag(lang)):
        fail("lang", f"lang {str(lang)[:60]!r} is not a language tag",
             "a BCP 47 tag such as en, ru, zh-Hans or pt-BR")
    event = None
    if data.get("event_date") is not None:
        try:
            event = event_date_of(data["event_date"])
        except ValueError as exc:
            fail("event_date", str(exc), EVENT_DATE_HINT)
    params = {key: value for key, value in data.items() if key not in KNOWN_KEYS}
    lead = _text_field(data, "lead", fail)
    return Entry(
        path=path,
        title=title,
        slug=slug,
        instant=instant,
        date=day,
        lead=lead,
        summary=_text_field(data, "summary", fail),
        tags=_tags(data, fail),
        source_name=source_name,
        source_url=source_url,
        dateline=_text_field(data, "dateline", fail),
        body_html=body_html,
        draft=draft,
        params=params,
        digest=digest,
        # Grouping reads words of the first paragraph too: an edit of those must lay out the
        # site again.
        meta_digest=digest_text(repr(data) + text_words(title, lead, body_html)),
        event=event,
        event_date_inferred=_text_field(data, "event_date_inferred", fail) if event else "",
        countries=_countries(data, fail),
    )


def decode_entry(data: bytes, path: str) -> str:
    """Return the text of an entry file's bytes, which must be UTF-8 text."""
    if b"\x00" in data:
        raise SourceError(path, None, "this is not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, "the file is not valid UTF-8",
                          "save it as UTF-8 in your editor") from None


def load_entry(site_dir: Path, file: Path, tz: datetime.tzinfo) -> Entry:
    """Return the Entry stored in file (a path below site_dir)."""
    rel = file.relative_to(site_dir).as_posix()
    data = file.read_bytes()
    return parse_entry(decode_entry(data, rel), rel, tz=tz, digest=digest_bytes(data))


def try_load_entry(site_dir: Path, file: Path, tz: datetime.tzinfo) -> Entry | SourceError:
    """Return the Entry stored in file, or the error that stops it from loading."""
    try:
        return load_entry(site_dir, file, tz)
    except SourceError as exc:
        return exc
    except OSError as exc:
        return SourceError(file.relative_to(site_dir).as_posix(), None,
                           f"cannot read the file: {exc.strerror}")


def load_entries(site_dir: Path, files: Iterable[Path], tz: datetime.tzinfo
                 ) -> tuple[list[Entry], list[SourceError]]:
    """Return (entries, errors) for the given entry files, collecting every error."""
    entries, errors = [], []
    for file in files:
        result = try_load_entry(site_dir, file, tz)
        (errors if isinstance(result, SourceError) else entries).append(result)
    return entries, errors


def file_key_line(path: Path, *keys: str) -> int | None:
    """Return the line of the first of keys an entry file has, if the file is readable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    return next(filter(None, (key_line(text, key) for key in keys)), None)


def tag_cap_warnings(entries: Sequence[Entry], config: Config, site_dir: Path) -> list[str]:
    """Return a warning for each entry with more tags than max_tags: the build uses the first."""
    warnings = []
    for entry in entries:
        if len(entry.tags) <= config.max_tags:     # no more distinct tags than names
            continue
        count = count_tags(entry.tags, config.tag_aliases)
        if count > config.max_tags:
            warnings.append(f"{_located(entry, site_dir, 'tags')}: warning: {count:,} tags; "
                            f"only the first {config.max_tags} are used (max_tags in sitegen.yaml)")
    return warnings


def _located(entry: Entry, site_dir: Path, key: str) -> str:
    """Return 'path:line' of a front matter key of an entry, or its path when not found."""
    line = file_key_line(site_dir / entry.path, key)
    return f"{entry.path}:{line}" if line else entry.path


def event_date_warnings(entries: Sequence[Entry], site_dir: Path) -> list[str]:
    """Return a warning for each entry whose event starts more than a day after it was
    published: a likely typo."""
    return [f"{_located(entry, site_dir, 'event_date')}: warning: event_date {entry.event.text} "
            f"is more than a day after the publication date {entry.date.isoformat()} (a typo?)"
            for entry in entries
            if entry.event and entry.event.start > entry.date + datetime.timedelta(days=1)]


def inferred_event_dates(entries: Sequence[Entry], site_dir: Path) -> list[str]:
    """Return a line for each event date the importer inferred and nobody has confirmed yet."""
    return [f"{_located(entry, site_dir, 'event_date_inferred')}: event_date {entry.event.text} "
            f"({event_words(entry.event)}) inferred from {entry.event_date_inferred!r}; "
            f"delete event_date_inferred to confirm it"
            for entry in sorted(entries, key=lambda e: e.path)
            if entry.event and entry.event_date_inferred]
def event_link_errors(site: Site, site_dir: Path, drafts: Iterable[str] = ()
                      ) -> list[SourceError]:
    """Return an error for each same_event_as or primary in the site's entries that is wrong
    (see events.link_problems; a link to one of the slugs of drafts is not), at its line."""
    groups = {tuple(entry.path for entry in reports) for reports in site.events.values()}
    return [SourceError(path, file_key_line(site_dir / path, key), message)
            for path, key, message in link_problems(site.entries, sorted(groups), drafts)]
