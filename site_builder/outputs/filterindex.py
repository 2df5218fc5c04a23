"""The timeline filter's index: facets whose values hold position lists, entries in chunks; pure.

`filter/index.json` is what a first filter fetches: the number of entries, the chunk size, the
version of the chunks (filter.js asks for entries-K.json?v=VERSION, so a browser never pairs a
new index with chunks it cached from an earlier deploy), and
each facet as {name, label, values: [[key, label, url, postings]]}. A value's postings are the
positions (in listing order) of the entries that have it, as one string: "d" and the base64 of
the gaps as varints (LEB128), or "b" and the base64 of a bitset (bit p of byte p >> 3 is
position p), whichever is shorter. A facet of pairs (relation) is {name, label, pairs: the
facet its keys pair, values: [[key, url]]}: a value 'a-b' holds the entries that have both a
and b, and its label is theirs joined by ' – ', so its postings need not be sent (at 10,000
entries they were 217 KB gzipped, three times the rest). `filter/entries-K.json` holds where each entry at positions
K * CHUNK_SIZE onwards is placed in time (its event, else its publication: `2022-12-30`,
`2022-12` or `2022`), its title and URL, and the words of an event date that is not a plain day,
fetched only for the results a page shows.
URLs are relative to the site's root, so the files work under any base path.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from .dates import is_plain_day
from .views import CountryRef, EntrySummary, FilterView, RelationRef, TagRef
from ..core.eventdates import event_datetime_attribute, event_words
from ..core.urls import period_path
from ..model.site import placement

# Entries per entries-K.json: ~1.2 KB gzipped at the benchmark's titles, so a rare value's first
# 20 results, one chunk each, fetch ~25 KB (50 a chunk fetched ~48 KB).
CHUNK_SIZE = 20


@dataclass(frozen=True)
class Facet:
    """A way to narrow the timeline: its URL key, its label, and each entry's values."""

    name: str                                          # the URL's key: ?tag=energy
    label: str
    values: Iterable[tuple[str, str, str]]             # key, label, page URL ('' for none)
    keys_of: Callable[[EntrySummary], Iterable[str]]   # the keys of an entry's values
    pairs: str = ""        # the facet whose keys this one's pair ('a-b'), its postings implied


class Remade:
    """An iterable whose items make() makes afresh at each pass: a site's thousands of facet
    values are never all held at once."""

    def __init__(self, make: Callable[[], Iterable]) -> None:
        self.make = make

    def __iter__(self) -> Iterator:
        return iter(self.make())


def relative_url(url: str, base_path: str) -> str:
    """Return a root-relative URL with the base path cut off, so it resolves against the index."""
    return url[len(base_path):] if url.startswith(base_path) else url


def entry_countries(entry: EntrySummary) -> tuple[str, ...]:
    """Return an entry's countries as lower-case ISO codes."""
    return tuple(code.lower() for code in entry.countries)


def entry_relations(entry: EntrySummary) -> list[str]:
    """Return each pair of an entry's countries as 'a-b', codes in alphabetical order."""
    codes = sorted(set(entry_countries(entry)))
    return [f"{a}-{b}" for n, a in enumerate(codes) for b in codes[n + 1:]]


def site_facets(entries: Sequence[EntrySummary], tags: Sequence[TagRef], base_path: str,
                countries: Sequence[CountryRef] = (), relations: Sequence[RelationRef] = ()
                ) -> list[Facet]:
    """Return the facets of a site's filter: tag and year, and country and relation when the
    site has countries (each value linked to its page, a pair only when it has one)."""
    slug_of = {t.url: t.slug for t in tags}
    years = sorted({placement(e)[0] for e in entries}, reverse=True)
    facets = [
        Facet("tag", "Tag", Remade(lambda: ((t.slug, t.name, relative_url(t.url, base_path))
                                            for t in tags)),
              lambda e: [slug_of[url] for _, url in e.tag_links]),
        Facet("year", "Year", Remade(lambda: ((str(y), str(y), period_path(y).lstrip("/"))
                                              for y in years)),
              lambda e: [str(placement(e)[0])]),
    ]
    if countries:
        pairs = sorted(relations, key=lambda r: r.label.casefold())
        facets += [
            Facet("country", "Country",
                  Remade(lambda: ((c.code.lower(), c.name, relative_url(c.url, base_path))
                                  for c in countries)),
                  entry_countries),
            Facet("relation", "Relation",
                  Remade(lambda: (("-".join(c.code.lower() for c in r.countries), r.label,
                                   relative_url(r.url, base_path) if r.url else "") for r in pairs)),
                  entry_relations, pairs="country"),
        ]
    return facets


def _append_gap(gaps: bytearray, gap: int) -> None:
    """Append one gap to gaps as a varint (LEB128)."""
    while gap >= 0x80:
        gaps.append(gap & 0x7F | 0x80)
        gap >>= 7
    gaps.append(gap)


def _gap_positions(gaps: bytes) -> Iterator[int]:
    """Yield the ascending positions whose varint gaps are gaps."""
    gap, shift, previous = 0, 0, -1
    for byte in gaps:
        gap |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            previous += gap + 1
            yield previous
            gap = shift = 0


def _postings_text(gaps: bytes, total: int, positions: Sequence[int] | None = None) -> str:
    """Return the positions with varint gaps gaps as 'd' + base64 gaps or 'b' + base64 bitset,
    whichever is shorter."""
    if len(gaps) * 8 <= total:
        return "d" + base64.b64encode(gaps).decode()
    bits = bytearray((total + 7) // 8)
    for position in _gap_positions(gaps) if positions is None else positions:
        bits[position >> 3] |= 1 << (position & 7)
    return "b" + base64.b64encode(bits).decode()


def encode_positions(positions: Sequence[int], total: int) -> str:
    """Return ascending positions below total as 'd' + base64 varint gaps or 'b' + base64
    bitset, whichever is shorter."""
    gaps = bytearray()
    previous = -1
    for position in positions:
        _append_gap(gaps, position - previous - 1)
        previous = position
    return _postings_text(gaps, total, positions)


def decode_positions(text: str, total: int) -> list[int]:
    """Return the positions encode_positions wrote (the format's reference; filter.js has its own)."""
    data = base64.b64decode(text[1:])
    if text[0] == "b":
        return [p for p in range(total) if data[p >> 3] >> (p & 7) & 1]
    return list(_gap_positions(data))


def _facet_gaps(entries: Sequence[EntrySummary], facet: Facet) -> dict[str, bytearray | None]:
    """Return each key of a facet that some entry has -> the varint gaps of its positions (none
    for a facet of pairs, whose postings are not sent)."""
    if facet.pairs:
        return dict.fromkeys(key for entry in entries for key in facet.keys_of(entry))
    gaps: dict[str, bytearray] = {}
    last: dict[str, int] = {}
    for position, entry in enumerate(entries):
        for key in facet.keys_of(entry):
            if key not in gaps:
                gaps[key] = bytearray()
            _append_gap(gaps[key], position - last.get(key, -1) - 1)
            last[key] = position
    return gaps


def _json_open(data: dict) -> bytes:
    """Return the compact JSON of data, whose last value is an empty list, without its ']}'."""
    return to_json(data).removesuffix(b"]}")


def build_filter_index(entries: Sequence[EntrySummary], facets: Sequence[Facet],
                       version: str = "") -> bytes:
    """Return index.json: the entry count, the chunk size and version, and each facet's values
    with postings."""
    # Written piece by piece, postings kept as varint gaps: lists of positions and the index as
    # one value took some 40 times the file's size.
    total = len(entries)
    out = io.BytesIO()
    out.write(_json_open({"entries": total, "chunk": CHUNK_SIZE, "version": version, "facets": []}))
    for n, facet in enumerate(facets):
        gaps = _facet_gaps(entries, facet)
        head = {"name": facet.name, "label": facet.label}
        if facet.pairs:
            head["pairs"] = facet.pairs
        out.write(b"," * bool(n) + _json_open(head | {"values": []}))
        values = ([key, url] if facet.pairs else [key, label, url, _postings_text(gaps.pop(key), total)]
                  for key, label, url in facet.values if key in gaps)
        for m, value in enumerate(values):
            out.write(b"," * bool(m) + to_json(value))
        out.write(b"]}")
        del gaps
    out.write(b"]}")
    return out.getvalue()


def decode_index(data: bytes) -> dict[str, dict[str, tuple[str, str, list[int]]]]:
    """Return each facet of an index.json as key -> (label, url, positions), pairs worked out
    from the facet they pair as filter.js does (the format's reference)."""
    index = json.loads(data)
    table: dict[str, dict[str, tuple[str, str, list[int]]]] = {}
    for facet in index["facets"]:
        if "pairs" in facet:
            of = table[facet["pairs"]]
            table[facet["name"]] = {key: pair_value(of, key, url) for key, url in facet["values"]}
        else:
            table[facet["name"]] = {key: (label, url, decode_positions(postings, index["entries"]))
                                    for key, label, url, postings in facet["values"]}
    return table


def pair_value(of: dict[str, tuple[str, str, list[int]]], key: str, url: str
               ) -> tuple[str, str, list[int]]:
    """Return the label, url and positions of the pair 'a-b' of two values of a facet."""
    (label_a, _, positions_a), (label_b, _, positions_b) = (of[code] for code in key.split("-"))
    both = set(positions_b)
    return f"{label_a} – {label_b}", url, [p for p in positions_a if p in both]


def placed(entry: EntrySummary) -> str:
    """Return where an entry is placed in time as an HTML date: '2022-12-30', '2022-12', '2022'
    (as the listings' <time datetime> says it)."""
    return event_datetime_attribute(entry.event) if entry.event else entry.date.isoformat()


def chunk_item(entry: EntrySummary, base_path: str) -> list[str]:
    """Return [placed, title, URL] of an entry, and the words of its event date when that is not
    one plain day ('about November 2021', '20–22 March 2023')."""
    item = [placed(entry), entry.title, relative_url(entry.url, base_path)]
    if entry.event and not is_plain_day(entry.event):
        item.append(event_words(entry.event))
    return item


def build_filter_chunk(entries: Sequence[EntrySummary], base_path: str) -> bytes:
    """Return an entries-K.json: chunk_item of each of its entries."""
    return to_json([chunk_item(e, base_path) for e in entries])


def chunk_count(total: int) -> int:
    """Return how many entries-K.json files total entries make."""
    return (total + CHUNK_SIZE - 1) // CHUNK_SIZE


def to_json(data: object) -> bytes:
    """Return compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def chunks_version(entries: Sequence[EntrySummary], base_path: str) -> str:
    """Return the chunks' version: the digest of build_filter_chunk of every entry, hashed item by
    item rather than made whole (that JSON of the whole site was most of the index's memory)."""
    digest = hashlib.blake2b(digest_size=16)    # as core.digests.digest_bytes
    digest.update(b"[")
    for n, entry in enumerate(entries):
        digest.update(b"," * bool(n) + to_json(chunk_item(entry, base_path)))
    digest.update(b"]")
    return digest.hexdigest()[:12]


def filter_index(view: FilterView) -> bytes:
    """Return filter/index.json for its view; the chunks' version is the digest of their entries."""
    version = chunks_version(view.entries, view.base_path)
    facets = site_facets(view.entries, view.tags, view.base_path, view.countries, view.relations)
    return build_filter_index(view.entries, facets, version)


def filter_chunk(view: FilterView) -> bytes:
    """Return an entries-K.json for its view (the chunk's entries)."""
    return build_filter_chunk(view.entries, view.base_path)
