"""The build cache's objects as plain JSON values, and back, checking every shape and type.

Pure: cache.py does the reading and writing. A decoder given anything but what its encoder
makes raises BadCache (or ValueError, TypeError, KeyError, IndexError, which mean the same), so
that a damaged or hostile cache file is discarded instead of handing the build a wrong object.
Entries are rows (lists in field order), not mappings: JSON decodes them a third faster.
"""

from __future__ import annotations

import base64
import datetime
import zoneinfo
from dataclasses import fields
from itertools import chain
from typing import Any, Callable, Mapping

from .model import Entry
from .sitemodel import Layout

ENTRY_FIELDS = tuple(field.name for field in fields(Entry))
MAX_VALUE_DEPTH = 100   # front matter nested deeper is not cached (its entry is parsed each build)
_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


class BadCache(ValueError):
    """A cache file's contents are not what this version of sitegen writes."""


# ---------------------------------------------------------------- small checks

def _text(value: Any) -> str:
    """Return value, which must be a str."""
    if type(value) is not str:
        raise BadCache(f"expected text, found {type(value).__name__}")
    return value


def _count(value: Any) -> int:
    """Return value, which must be an int of at least 0."""
    if type(value) is not int or value < 0:
        raise BadCache(f"expected a whole number, found {value!r:.40}")
    return value


def _list(value: Any, length: int | None = None) -> list:
    """Return value, which must be a list (of that length, when given)."""
    if type(value) is not list or (length is not None and len(value) != length):
        raise BadCache(f"expected a list of {length or 'any number of'} items")
    return value


def _mapping(value: Any) -> dict:
    """Return value, which must be a JSON object."""
    if type(value) is not dict:
        raise BadCache(f"expected a mapping, found {type(value).__name__}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    """Return the list value, which must hold only str, as a tuple."""
    items = tuple(_list(value))
    if items and set(map(type, items)) != {str}:
        raise BadCache("expected a list of texts")
    return items


def _record(value: Any, names: tuple[str, ...]) -> list:
    """Return the values of a JSON object that must have exactly the given keys, in that order."""
    if type(value) is not dict or value.keys() != set(names):
        raise BadCache(f"expected a mapping of {', '.join(names)}")
    return [value[name] for name in names]


# ---------------------------------------------------------------- front matter values

def encode_value(value: Any, depth: int = 0) -> Any:
    """Return a front matter value (what YAML's safe loader makes) as a JSON value.

    Lists and scalars stay as they are; every other kind becomes a one-key object that names it.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > MAX_VALUE_DEPTH:
        raise ValueError("front matter nested too deeply to cache")
    depth += 1
    if kind is list:
        return [encode_value(item, depth) for item in value]
    if kind is dict:
        return {"map": [[encode_value(k, depth), encode_value(v, depth)] for k, v in value.items()]}
    if kind is tuple:
        return {"tuple": [encode_value(item, depth) for item in value]}
    if kind is set:
        return {"set": [encode_value(item, depth) for item in value]}
    if kind is bytes:
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if kind is datetime.datetime:
        return {"datetime": encode_datetime(value)}
    if kind is datetime.date:
        return {"date": value.isoformat()}
    raise TypeError(f"cannot cache a front matter value of type {kind.__name__}")


def decode_value(value: Any, depth: int = 0) -> Any:
    """Return the front matter value that encode_value made value from."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > MAX_VALUE_DEPTH:
        raise BadCache("a value is nested too deeply")
    depth += 1
    if kind is list:
        return [decode_value(item, depth) for item in value]
    if kind is not dict or len(value) != 1:
        raise BadCache("a front matter value has an unknown form")
    [(tag, inner)] = value.items()
    if tag == "map":
        return {decode_value(k, depth): decode_value(v, depth)
                for k, v in (_list(pair, 2) for pair in _list(inner))}
    if tag == "tuple":
        return tuple(decode_value(item, depth) for item in _list(inner))
    if tag == "set":
        return {decode_value(item, depth) for item in _list(inner)}
    if tag == "bytes":
        return base64.b64decode(_text(inner), validate=True)
    if tag == "datetime":
        return decode_datetime(inner)
    if tag == "date":
        return datetime.date.fromisoformat(_text(inner))
    raise BadCache(f"a front matter value has an unknown kind {tag!r:.40}")


def encode_datetime(moment: datetime.datetime) -> list:
    """Return [wall time in ISO format, fold, zone] where zone is a ZoneInfo key, a fixed
    offset in microseconds, or None for a naive time."""
    zone = moment.tzinfo
    if zone is None:
        where: str | int | None = None
    elif type(zone) is zoneinfo.ZoneInfo and zone.key:
        where = zone.key
    elif type(zone) is datetime.timezone and zone == datetime.timezone(zone.utcoffset(None)) \
            and zone.tzname(None) == datetime.timezone(zone.utcoffset(None)).tzname(None):
        where = zone.utcoffset(None) // datetime.timedelta(microseconds=1)
    else:
        raise TypeError(f"cannot cache the time zone {zone!r}")
    return [moment.replace(tzinfo=None).isoformat(), moment.fold, where]


def decode_datetime(value: Any, zones: dict[str, datetime.tzinfo] | None = None
                    ) -> datetime.datetime:
    """Return the datetime encode_datetime made value from; zones caches ZoneInfo lookups."""
    wall, fold, where = _list(value, 3)
    moment = datetime.datetime.fromisoformat(_text(wall))
    if fold not in (0, 1) or type(fold) is not int or moment.tzinfo is not None:
        raise BadCache("a date-time is not in the cache's form")
    if where is None:
        zone = None
    elif type(where) is str:
        zone = zones.get(where) if zones is not None else None
        if zone is None:
            zone = zoneinfo.ZoneInfo(where)   # raises ValueError or KeyError for a bad key
            if zones is not None:
                zones[where] = zone
    elif type(where) is int:
        zone = datetime.timezone(datetime.timedelta(microseconds=where))
    else:
        raise BadCache("a date-time has a time zone of the wrong type")
    return moment.replace(tzinfo=zone, fold=fold)


# ---------------------------------------------------------------- entries

def encode_entry(entry: Entry, bodies: bytearray) -> list:
    """Return entry as a row of JSON values in the order of ENTRY_FIELDS; its body goes to the
    end of bodies as UTF-8, the row holding its [offset, length] there."""
    body = entry.body_html.encode("utf-8")
    row = [entry.path, entry.title, entry.slug, encode_datetime(entry.instant),
           entry.date.isoformat(), entry.lead, entry.summary, list(entry.tags),
           entry.source_name, entry.source_url, entry.dateline, [len(bodies), len(body)],
           entry.draft, _encode_params(entry.params), entry.digest, entry.meta_digest,
           entry.url, [list(link) for link in entry.tag_links]]
    bodies += body
    return row


def decode_entry(row: Any, bodies: memoryview, zones: dict[str, datetime.tzinfo]) -> Entry:
    """Return the Entry that encode_entry made row from; zones caches ZoneInfo lookups.

    It runs for every cached entry of every build, so the common case is checked inline.
    """
    if type(row) is not list or len(row) != len(ENTRY_FIELDS):
        raise BadCache(f"an entry is not a list of {len(ENTRY_FIELDS)} fields")
    (path, title, slug, instant, day, lead, summary, tags, source_name, source_url, dateline,
     body, draft, params, digest, meta_digest, url, tag_links) = row
    if set(map(type, (path, title, slug, day, lead, summary, source_name, source_url, dateline,
                      digest, meta_digest, url))) != {str} or type(draft) is not bool:
        raise BadCache("an entry has a field of the wrong type")
    start, length = _list(body, 2)
    if type(start) is not int or type(length) is not int or not 0 <= start <= start + length \
            <= len(bodies):
        raise BadCache("an entry's body is not in the file")
    zone = zones.get(instant[2]) if type(instant) is list and len(instant) == 3 \
        and type(instant[2]) is str and type(instant[0]) is str and instant[1] == 0 else None
    if zone is not None:   # the usual case: the site's time zone, seen before
        moment = datetime.datetime.fromisoformat(instant[0]).replace(tzinfo=zone)
    else:
        moment = decode_datetime(instant, zones)
    if moment.tzinfo is None:
        raise BadCache("an entry has a naive date")
    fields = {
        "path": path, "title": title, "slug": slug, "instant": moment,
        "date": datetime.date.fromisoformat(day), "lead": lead, "summary": summary,
        "tags": _texts(tags), "source_name": source_name, "source_url": source_url,
        "dateline": dateline, "body_html": str(bodies[start:start + length], "utf-8"),
        "draft": draft, "params": _decode_params(params), "digest": digest,
        "meta_digest": meta_digest, "url": url,
        "tag_links": tuple([_pair(link) for link in _list(tag_links)])}
    # What Entry(**fields) makes, at a third of the cost.
    entry = object.__new__(Entry)
    object.__setattr__(entry, "__dict__", fields)   # Entry is frozen
    return entry


def _encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return an entry's front matter params (text keys) as a JSON object of encoded values."""
    return {key: encode_value(value) for key, value in params.items()}


def _decode_params(value: Any) -> dict[str, Any]:
    """Return the params that _encode_params made value from."""
    params = _mapping(value)
    if params and not set(map(type, params.values())) <= _SCALAR_TYPES:
        return {key: decode_value(item) for key, item in params.items()}
    return params   # text, numbers and the like only: as JSON gave them


def _pair(value: Any) -> tuple[str, str]:
    """Return a list of two texts as a tuple."""
    first, second = _list(value, 2)
    return (_text(first), _text(second))


def encode_stat_map(items: dict[str, tuple[tuple[int, int], Any] | None],
                    encode: Callable[[Any], Any]) -> dict[str, list | None]:
    """Return path -> (stat, value) as path -> [mtime_ns, size, encoded value] (None stays)."""
    return {path: None if item is None else [item[0][0], item[0][1], encode(item[1])]
            for path, item in items.items()}


def decode_stat_map(value: Any, decode: Callable[[Any], Any], removals: bool = False
                    ) -> dict[str, tuple[tuple[int, int], Any] | None]:
    """Return the mapping encode_stat_map made value from; None only where removals allows."""
    decoded: dict[str, tuple[tuple[int, int], Any] | None] = {}
    for path, item in _mapping(value).items():
        if item is None and removals:
            decoded[path] = None
            continue
        mtime, size, inner = _list(item, 3)
        if type(mtime) is not int:
            raise BadCache("a file time is not a whole number")
        decoded[path] = ((mtime, _count(size)), decode(inner))
    return decoded


def decode_entries(value: Any, bodies: memoryview, removals: bool = False
                   ) -> dict[str, tuple[tuple[int, int], Entry] | None]:
    """Return path -> (stat, Entry) from encode_stat_map(…, encode_entry); each entry's own
    path must be its key."""
    zones: dict[str, datetime.tzinfo] = {}
    entries = decode_stat_map(value, lambda row: decode_entry(row, bodies, zones), removals)
    if any(item is not None and item[1].path != path for path, item in entries.items()):
        raise BadCache("an entry is filed under another path")
    return entries


def decode_seeds(value: Any) -> dict[str, tuple[tuple[int, int], str]]:
    """Return raw file -> (stat, URL) from encode_stat_map(…, str)."""
    return decode_stat_map(value, _text)   # type: ignore[return-value]


# ---------------------------------------------------------------- the site layout

def encode_layout(layout: Layout) -> dict:
    """Return the layout as JSON values; tag links are numbers in a table of distinct links."""
    table: dict[tuple[str, str], int] = {}
    for links in layout.tag_links:
        for link in links:
            table.setdefault(link, len(table))
    return {
        "order": list(layout.order),
        "urls": list(layout.urls),
        "links": [list(link) for link in table],
        "tag_links": [[table[link] for link in links] for links in layout.tag_links],
        "tags": [[name, slug, list(positions)] for name, slug, positions in layout.tags],
        "periods": [[[list(key), list(positions)] for key, positions in groups]
                    for groups in layout.periods],
        "related": [list(positions) for positions in layout.related],
    }


def decode_layout(value: Any) -> Layout:
    """Return the Layout encode_layout made value from, every position checked to be in range."""
    order, urls, links, tag_links, tags, periods, related = _record(value, (
        "order", "urls", "links", "tag_links", "tags", "periods", "related"))
    order, urls = _texts(order), _texts(urls)
    table = tuple([_pair(link) for link in _list(links)])
    count = len(order)
    if len(set(order)) != count or not len(urls) == len(_list(tag_links)) == len(_list(related)) \
            == count:
        raise BadCache("the layout's lists do not match")
    tag_rows = [_list(tag, 3) for tag in _list(tags)]
    period_rows = [[_list(group, 2) for group in _list(groups)] for groups in _list(periods, 3)]
    numbered_links = _positions(tag_links, len(table))
    tag_members = _positions([positions for _, _, positions in tag_rows], count)
    related_positions = _positions(related, count)
    period_members = [iter(_positions([positions for _, positions in groups], count))
                      for groups in period_rows]
    return Layout(
        order=order,
        urls=urls,
        tag_links=tuple([tuple(map(table.__getitem__, numbers)) for numbers in numbered_links]),
        tags=tuple([(_text(name), _text(slug), positions)
                    for (name, slug, _), positions in zip(tag_rows, tag_members)]),
        periods=tuple(tuple([(_period_key(key), next(members)) for key, _ in groups])
                      for groups, members in zip(period_rows, period_members)),  # type: ignore
        related=tuple(related_positions),
    )


def _positions(lists: list, limit: int) -> list[tuple[int, ...]]:
    """Return lists, each of which must be a list of whole numbers from 0 to limit - 1, as
    tuples (checked in bulk: there are some 100,000 numbers in a layout of 10,000 entries)."""
    if lists and set(map(type, lists)) != {list}:
        raise BadCache("the layout has a list of positions that is not a list")
    tuples = list(map(tuple, lists))
    numbers = list(chain.from_iterable(tuples))
    if numbers and (set(map(type, numbers)) != {int} or min(numbers) < 0
                    or max(numbers) >= limit):
        raise BadCache("the layout points at entries it does not have")
    return tuples


def _period_key(value: Any) -> tuple[int, int, int]:
    """Return a (year, month, day) key, zeros for the parts a period has not, checked to be a
    calendar day."""
    year, month, day = _list(value, 3)
    if set(map(type, value)) != {int} or (month == 0 and day != 0):
        raise BadCache("a period is not a year, month or day")
    datetime.date(year, month or 1, day or 1)   # raises ValueError when it is not a day
    return (year, month, day)


# ---------------------------------------------------------------- related entries

def decode_related_memo(value: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return digest -> entry path -> related paths, each related path one of the memo's entries."""
    memo = {}
    for key, related in _mapping(value).items():
        paths = {path: _texts(others) for path, others in _mapping(related).items()}
        if not set(chain.from_iterable(paths.values())) <= paths.keys():
            raise BadCache("related entries name entries the memo does not have")
        memo[key] = paths
    return memo


# ---------------------------------------------------------------- output manifests

def decode_outputs(value: Any) -> dict[str, tuple[str, str]]:
    """Return output path -> (key, content digest) from a mapping of path -> [key, digest]."""
    outputs = {path: tuple(_list(item, 2)) for path, item in _mapping(value).items()}
    if outputs and set(map(type, chain.from_iterable(outputs.values()))) != {str}:
        raise BadCache("an output's key or digest is not text")
    return outputs   # type: ignore[return-value]


def decode_digests(value: Any) -> dict[str, str]:
    """Return a mapping of text to text."""
    digests = _mapping(value)
    if digests and set(map(type, digests.values())) != {str}:
        raise BadCache("a digest is not text")
    return digests
