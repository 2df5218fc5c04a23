"""Plain data the build passes along: raw articles, entries, tags, periods and the site."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from operator import itemgetter
from typing import Any, Mapping

from ..core.eventdates import EventDate
from ..core.packedtext import PackedText

@dataclass(frozen=True)
class RawArticle:
    """One scraped article, as parsed from its raw text file."""

    path: str
    date: datetime.date
    url: str
    title: str
    lead: str
    summary: str
    keywords: tuple[str, ...]
    dateline: str
    paragraphs: tuple[str, ...]
    lang: str = ""                 # BCP 47 tag, when the source says or the text shows it


@dataclass(frozen=True)
class Entry:
    """One timeline entry, loaded from a Markdown file with YAML front matter."""

    path: str                      # the source file, relative to the site folder
    title: str
    slug: str
    instant: datetime.datetime     # when it happened, time-zone aware
    date: datetime.date            # the calendar day in the site's time zone
    lead: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    source_name: str = ""
    source_url: str = ""
    dateline: str = ""
    body_html: str = PackedText()  # type: ignore[assignment]   # held compressed, see PackedText
    draft: bool = False
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)  # unknown front matter
    digest: str = ""               # hash of the source file's bytes
    meta_digest: str = ""          # hash of the front matter and first paragraph: what listings
                                   # show and grouping reads
    url: str = ""                  # root-relative URL with the base path, set by the site model
    tag_links: tuple[tuple[str, str], ...] = ()   # (tag name, tag page URL), set by the site model
    event: EventDate | None = None  # when the reported event happened (event_date), if given
    event_date_inferred: str = ""   # the words the importer read it from, until confirmed
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 codes: the front matter's as loaded,
                                     # those it involves once the site model has set them

    def __eq__(self, other: object) -> bool:
        """Return whether every compared field is equal, the bodies compared packed (as the
        entry cache compares every entry, decompressing them all would cost more than parsing)."""
        if other.__class__ is not Entry:
            return NotImplemented
        return _compared(self.__dict__) == _compared(other.__dict__)   # type: ignore[attr-defined]

    def __hash__(self) -> int:
        """Return the hash of the compared fields, as dataclasses would but for the body."""
        return hash(_compared(self.__dict__))


_compared = itemgetter(*(f.name for f in fields(Entry) if f.compare))


@dataclass(frozen=True)
class Tag:
    """A tag and the entries that carry it, in timeline order (oldest first)."""

    name: str
    slug: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Country:
    """A country and the entries that involve it, in timeline order (oldest first)."""

    code: str                      # ISO 3166-1 alpha-2
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Relation:
    """A pair of countries and the entries that involve both, in timeline order."""

    codes: tuple[str, str]         # in alphabetical order
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Period:
    """A year, month or day that has entries, in timeline order (oldest first)."""

    kind: str                      # "year", "month" or "day"
    year: int
    month: int = 0
    day: int = 0
    entries: tuple[Entry, ...] = ()

    @property
    def key(self) -> tuple[int, int, int]:
        """Return (year, month, day) with zeros for the parts this kind has not."""
        return (self.year, self.month, self.day)

    @property
    def first_day(self) -> datetime.date:
        """Return the first calendar day of the period."""
        return datetime.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class Site:
    """Every entry in timeline order, with the indexes the pages are made from."""

    entries: tuple[Entry, ...]                   # oldest first
    tags: tuple[Tag, ...]                         # by name
    years: tuple[Period, ...]
    months: tuple[Period, ...]
    days: tuple[Period, ...]
    previous: Mapping[str, Entry | None]          # entry path -> the entry before it in time
    next: Mapping[str, Entry | None]
    related: Mapping[str, tuple[Entry, ...]]
    countries: tuple[Country, ...] = ()           # by name
    relations: tuple[Relation, ...] = ()          # every pair, most shared entries first
    # entry path -> every report of its event, the primary first, for events of several reports
    events: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
