"""Pure: the site's full-text search index, as files ({path below searchindex/: bytes}).

The search page (templates/static/search-engine.js) reads it; the format, version 1:

- Docs are the entries, numbered 0..N-1 oldest first (as site.entries): "newest first" is
  descending doc number, and a year is a contiguous range of docs.
- Words follow searchwords.py. A doc's words are those of its title, dateline, lead (or summary),
  body and tag names. Each is stemmed with the Snowball stemmer of the doc's language (none for a language
  Snowball lacks, for CJK characters and for numbers). A *group* is the docs of one stem of one
  stemmer; its *forms* are the words that stemmed to it anywhere in the site. The browser never
  stems: it looks up the forms.
- `index.json`, the root, fetched without the HTTP cache and replaced last:
  {"format": 1, "docs": N, "epoch": "<hex>",
   "words": [["<first form>", "words/<digest>.json"], ...],   chunks in form order
   "facets": {"tag": "facets/<digest>.json", "country": "facets/<digest>.json"},
   "years": {"2021": [first doc, last doc], ...}}
  Forms are ordered by UTF-16 code units (JavaScript's string order), so that the browser finds
  a word's chunk by comparing strings: the last chunk whose first form is <= the word.
- `words/<digest>.json`, named by a digest of their bytes, never change:
  {"forms": {"talks": [0], ...},                form -> its groups in this chunk (a word
                                                 stemmed in two languages has two)
   "groups": [{"words": ["talk", "talked", "talks"], "docs": [d0*8+w0, (d1-d0)*8+w1, ...]}]}
  A doc's weight in a group is min(times the group's forms occur in the doc, 3), plus 4 when
  one of them is in its title. A group whose forms fall into several chunks is in each of them.
  Chunks are cut after about CHUNK_BYTES, where a digest of the form says (content-defined, so
  an edit changes the chunks around the words it touches, not every chunk after them); a form
  whose groups alone exceed CHUNK_BYTES has a chunk of its own.
- `facets/<digest>.json`: {"values": {"Diplomacy": [d0, d1-d0, ...]}}, one file for the tags
  and one for the countries (by the name the search page lists).
- `<epoch>/<n>.json`, the fragment of doc n: {"url", "title", "date" (ISO), "event", "source",
  "lang", "text"}, text being the plain text after the title (lead and body). The epoch is a
  digest of the entry URLs in doc order: a new numbering gets a new folder, so that a page that
  loaded the previous index.json still finds its docs' fragments until the next load.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import zlib
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from typing import Callable, Iterable, Mapping, Protocol, Sequence

import snowballstemmer

from ..model.records import Site
from .searchwords import is_cjk, searchable, words

FORMAT = 1
INDEX_FILE = "index.json"
CHUNK_BYTES = 24_000        # a chunk of forms is cut after about this many bytes of JSON
CHUNK_MIN = 16_000          # ... never before this many
CHUNK_MAX = 48_000          # ... and always before this many (unless a form is bigger alone)
SPILL_BYTES = 4096          # a group's docs handed to Groups' spill at a time (about)
LONGEST_WORD = 40           # longer runs of letters (URLs, hashes) are not indexed
DIGITS = "01234567"
STEMMERS = {"ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
            "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
            "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian",
            "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
            "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian",
            "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese",
            "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
            "tr": "turkish", "uk": "russian", "yi": "yiddish"}
TAG = re.compile(r"<[^>]*>")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Doc:
    """What the index knows of one entry: its fragment's fields and the text it indexes."""

    url: str
    title: str
    date: str                   # ISO
    event: str                  # the URL of its event's primary report
    source: str
    lang: str
    dateline: str
    lead: str                   # the lead, or the summary when there is no lead
    body_html: str
    tags: tuple[str, ...] = ()  # their names, searched as words of the body
    source_digest: str = ""     # the digest of the entry's file, which all of the above but the
                                # URL, event and source name come from
    read_body: Callable[[], str] | None = field(default=None, compare=False, repr=False)
                                # gives the body when body_html is not given: read only when
                                # the doc's words or fragment are made

    @cached_property
    def body(self) -> str:
        """Return the doc's body HTML, read once."""
        return self.read_body() if self.read_body is not None else self.body_html

    @cached_property
    def text(self) -> str:
        """Return the doc's plain text after its title: lead and body."""
        return " ".join(part for part in (self.lead, plain_text(self.body)) if part)


# A doc's words: its stemmer, its forms (space-separated, in order) and a digit for each
# (min(times in the doc, 3), plus 4 when in the title): compact text that the build cache keeps.
Tokens = tuple[str, str, str]
Chunk = list[tuple[str, list[str]]]     # a words chunk's forms in order, each with its groups' keys


def plain_text(body_html: str) -> str:
    """Return the text of an HTML fragment: tags out, entities decoded, spaces collapsed."""
    return SPACES.sub(" ", html.unescape(TAG.sub(" ", body_html))).strip()


def doc_tokens(doc: Doc) -> Tokens:
    """Return the words of a doc, with how often and whether in the title."""
    counts = Counter(words(" ".join((doc.title, doc.dateline, doc.text, *doc.tags))))
    in_title = set(words(doc.title))
    forms = sorted(word for word in counts if len(word) <= LONGEST_WORD and searchable(word))
    return (stemmer_name(doc.lang), " ".join(forms),
            "".join(DIGITS[min(counts[form], 3) + 4 * (form in in_title)] for form in forms))


def token_forms(tokens: Tokens) -> dict[str, int]:
    """Return each form of a doc's tokens with its digit."""
    _, text, codes = tokens
    return dict(zip(text.split(" "), map(int, codes))) if text else {}


def group_key(name: str, form: str) -> str:
    """Return the key of a form's group for a stemmer: "stemmer:stem"."""
    return f"{name}:{stem(name, form)}"


def group_weights(tokens: Tokens) -> dict[str, int]:
    """Return a doc's weight in each of its groups (see the module's docstring)."""
    name, weights = tokens[0], {}
    for form, code in token_forms(tokens).items():
        key = group_key(name, form)
        weights[key] = add_weight(weights.get(key, 0), code)
    return weights


def add_weight(weight: int, digit: int) -> int:
    """Return a group's weight in a doc with one more form's digit counted."""
    return min((weight & 3) + (digit & 3), 3) | ((weight | digit) & 4)


def stemmer_name(lang: str) -> str:
    """Return the Snowball stemmer for a language tag ("en-GB"), or "" when there is none."""
    return STEMMERS.get(lang.split("-")[0].lower(), "")


@lru_cache(maxsize=None)
def _stemmer(name: str):
    """Return the Snowball stemmer of that name."""
    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=1 << 20)
def stem(name: str, form: str) -> str:
    """Return the stem of a folded word by the named stemmer ("" for none)."""
    if not name or is_cjk(form) or form.isdigit():
        return form
    return _stemmer(name).stemWord(form)


def utf16_order(text: str) -> bytes:
    """Return a sort key ordering strings as JavaScript compares them."""
    return text.encode("utf-16-be", "surrogatepass")


def digest(data: bytes) -> str:
    """Return the short hex digest naming a content-addressed file."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def dumps(value) -> str:
    """Return compact JSON, UTF-8 characters as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fragment(doc: Doc) -> bytes:
    """Return the fragment file of a doc."""
    return dumps({"url": doc.url, "title": doc.title, "date": doc.date, "event": doc.event,
                  "source": doc.source, "lang": doc.lang, "text": doc.text}).encode("utf-8")


def fragment_path(epoch: str, number: int) -> str:
    """Return where the fragment of doc number is, below searchindex/."""
    return f"{epoch}/{number}.json"


@dataclass
class Part:
    """The groups of a run of consecutive docs: each group's forms among them, and its docs
    (delta-coded with their weights, the first from doc 0) with the last of them."""

    forms: dict[str, list[str]]
    docs: dict[str, tuple[str, int]]


def part_groups(numbers: Iterable[int], tokens: Iterable[Tokens]) -> Part:
    """Return the groups of docs numbered numbers (ascending) with those tokens."""
    forms: dict[str, list[str]] = defaultdict(list)
    coded: dict[str, list[str]] = defaultdict(list)
    last: dict[str, int] = {}
    keys: dict[str, dict[str, str]] = defaultdict(dict)     # stemmer -> form -> its group's key
    for number, (name, text, codes) in zip(numbers, tokens):
        weights: dict[str, int] = {}
        keys_of = keys[name]
        for form, code in zip(text.split(" ") if text else (), codes):
            key = keys_of.get(form)
            if key is None:
                key = keys_of[form] = group_key(name, form)
                forms[key].append(form)
            weight, digit = weights.get(key), ord(code) - 48
            weights[key] = digit if weight is None else add_weight(weight, digit)
        for key, weight in weights.items():
            coded[key].append(str((number - last.get(key, 0)) * 8 + weight))
            last[key] = number
    return Part(dict(forms), {key: (",".join(coded[key]), last[key]) for key in coded})


class Spill(Protocol):
    """Where Groups puts the docs of its groups as they grow, to have them back when written."""

    def put(self, key: str, coded: bytes) -> None:
        """Keep more of a group's docs, which follow those kept before."""

    def size(self, key: str) -> int:
        """Return how many bytes of a group's docs are kept."""

    def take(self, key: str) -> bytes:
        """Return a group's docs kept, in the order they were put."""


class Groups:
    """Every group's forms and docs, put together from the Parts of consecutive runs of docs
    in order: the docs as the JSON text they are written as, which is compact, each group's
    handed to spill (when there is one) whenever it reaches SPILL_BYTES."""

    def __init__(self, spill: Spill | None = None):
        self.forms: dict[str, set[str]] = defaultdict(set)
        self.docs: dict[str, bytearray] = {}
        self.last: dict[str, int] = {}
        self.spill = spill

    def add(self, part: Part) -> None:
        """Append a part's docs (which follow those added before) to their groups."""
        for key, members in part.forms.items():
            self.forms[key].update(members)
        for key, (coded, last) in part.docs.items():
            if key not in self.docs:
                self.docs[key] = bytearray(coded.encode("ascii"))
            else:   # the part's first doc is coded from doc 0: code it from the group's last
                first, comma, rest = coded.partition(",")
                self.docs[key] += f",{int(first) - self.last[key] * 8}{comma}{rest}".encode("ascii")
            self.last[key] = last
            if self.spill is not None and len(self.docs[key]) >= SPILL_BYTES:
                self.spill.put(key, bytes(self.docs[key]))
                self.docs[key] = bytearray()

    def size(self, key: str) -> int:
        """Return the length of a group's JSON."""
        spilled = self.spill.size(key) if self.spill is not None else 0
        return len(group_json(self.forms[key], "")) + spilled + len(self.docs[key])

    def encoded(self, key: str) -> str:
        """Return a group's JSON."""
        spilled = self.spill.take(key) if self.spill is not None else b""
        return group_json(self.forms[key], (spilled + self.docs[key]).decode("ascii"))

    def drop(self, key: str) -> None:
        """Forget a group, written for the last time."""
        del self.docs[key], self.forms[key]


def group_json(forms: Iterable[str], coded: str) -> str:
    """Return a group's JSON given its forms and its docs' coded numbers, comma-separated."""
    return dumps({"words": sorted(forms, key=utf16_order)})[:-1] + ",\"docs\":[" + coded + "]}"


def encode_group(forms: Iterable[str], postings: Mapping[int, int]) -> str:
    """Return a group's JSON: its forms and its docs delta-coded with their weights."""
    coded, last = [], 0
    for number in sorted(postings):
        coded.append((number - last) * 8 + postings[number])
        last = number
    return group_json(forms, ",".join(map(str, coded)))


def decode_group(group: Mapping) -> tuple[list[str], dict[int, int]]:
    """Return the forms and the docs (with weights) of a group read from a chunk."""
    postings, number = {}, 0
    for value in group["docs"]:
        number += value >> 3
        postings[number] = value & 7
    return list(group["words"]), postings


def chunk_bytes(chunk: Chunk, encoded: Mapping[str, str]) -> tuple[bytes, list[str]]:
    """Return a words chunk's bytes and its groups' keys in the order it holds them."""
    placed: dict[str, int] = {}
    listed = ",".join(f"{dumps(form)}:{dumps([placed.setdefault(k, len(placed)) for k in keys])}"
                      for form, keys in chunk)
    data = ("{\"forms\":{" + listed + "},\"groups\":["
            + ",".join(encoded[key] for key in placed) + "]}").encode("utf-8")
    return data, list(placed)


def words_file(chunk: Chunk, encoded: Mapping[str, str]) -> tuple[str, bytes, list[str]]:
    """Return a words chunk's path below searchindex/, its bytes and its groups' keys."""
    data, keys = chunk_bytes(chunk, encoded)
    return f"words/{digest(data)}.json", data, keys


def cut_here(form: str, added: int) -> bool:
    """Return whether a chunk past CHUNK_MIN ends after form, which added bytes to it: with odds
    of 1 in (CHUNK_BYTES - CHUNK_MIN) for every byte, drawn from the form itself."""
    return zlib.crc32(form.encode("utf-8")) * (CHUNK_BYTES - CHUNK_MIN) < added * 2 ** 32


class Cutter:
    """Cuts forms (in order, each with its groups' keys) into chunks.

    Where a chunk ends depends on its own forms only (and on whether the next form is big
    enough for a chunk of its own), so that cutting again from a chunk's start gives the same
    chunks: searchpatch.py relies on it.
    """

    def __init__(self, size: Callable[[str], int]):
        self.size_of = size             # group key -> the length of its JSON
        self.current: Chunk = []
        self.placed: set[str] = set()
        self.size = 0

    def feed(self, form: str, keys: list[str]) -> list[Chunk]:
        """Add a form; return the chunks it closed."""
        done = []
        alone = len(form) + 8 + sum(self.size_of(key) + 1 for key in keys)
        if alone > CHUNK_BYTES and self.current:
            done.append(self.close())
        added = len(form) + 8 + sum(self.size_of(key) + 1 for key in keys
                                    if key not in self.placed)
        self.current.append((form, keys))
        self.placed.update(keys)
        self.size += added
        if alone > CHUNK_BYTES or self.size >= CHUNK_MAX or (
                self.size >= CHUNK_MIN and cut_here(form, added)):
            done.append(self.close())
        return done

    def close(self) -> Chunk:
        """Return the chunk being filled, and start another."""
        chunk, self.current, self.placed, self.size = self.current, [], set(), 0
        return chunk

    def finish(self) -> list[Chunk]:
        """Return the last chunk, if any."""
        return [self.close()] if self.current else []


def cut_chunks(items: Iterable[tuple[str, list[str]]], size: Callable[[str], int]
               ) -> list[Chunk]:
    """Return the chunks of forms (in order, each with its groups' keys), size giving the length
    of a group's JSON."""
    cutter, chunks = Cutter(size), []
    for form, keys in items:
        chunks += cutter.feed(form, keys)
    return chunks + cutter.finish()


def form_items(forms: Mapping[str, Iterable[str]]) -> list[tuple[str, list[str]]]:
    """Return (form, its groups' keys) for every form of the groups (key -> forms), in order."""
    keys_of: dict[str, list[str]] = defaultdict(list)
    for key, members in forms.items():
        for form in members:
            keys_of[form].append(key)
    return [(form, sorted(keys_of[form])) for form in sorted(keys_of, key=utf16_order)]


def facet_bytes(values: Mapping[str, Iterable[int]]) -> bytes:
    """Return a facet file: each value's docs, delta-coded."""
    coded = {}
    for value in sorted(values):
        numbers = sorted(values[value])
        coded[value] = [numbers[0]] + [b - a for a, b in zip(numbers, numbers[1:])] if numbers else []
    return dumps({"values": coded}).encode("utf-8")


class Numbering:
    """What index.json says of the docs, taken in doc order (date order): how many, their epoch
    (a digest of their URLs in order: a new numbering gets a new folder of fragments) and each
    year's first and last doc."""

    def __init__(self, docs: Iterable[Doc] = ()):
        self.docs = 0
        self.years: dict[str, list[int]] = {}
        self.urls = hashlib.blake2b(digest_size=8)
        for doc in docs:
            self.add(doc)

    def add(self, doc: Doc) -> None:
        """Count the next doc."""
        self.urls.update(f"\n{doc.url}".encode("utf-8") if self.docs else doc.url.encode("utf-8"))
        self.years.setdefault(doc.date[:4], [self.docs, self.docs])[1] = self.docs
        self.docs += 1

    @property
    def epoch(self) -> str:
        """Return the epoch of the docs counted."""
        return self.urls.hexdigest()


def root_file(numbered: Numbering, listed: list[list[str]], facet_files: Mapping[str, str]
              ) -> bytes:
    """Return index.json."""
    return dumps({"format": FORMAT, "docs": numbered.docs, "epoch": numbered.epoch,
                  "words": listed, "facets": dict(sorted(facet_files.items())),
                  "years": numbered.years}).encode("utf-8")


def facet_files(facets: Mapping[str, Mapping[str, Iterable[int]]]
                ) -> tuple[dict[str, bytes], dict[str, str]]:
    """Return the facet files (path -> bytes) and each facet's path."""
    files, paths = {}, {}
    for name, values in sorted(facets.items()):
        data = facet_bytes(values)
        paths[name] = path = f"facets/{digest(data)}.json"
        files[path] = data
    return files, paths


def root_and_facets(numbered: Numbering, listed: list[list[str]],
                    facets: Mapping[str, Mapping[str, Iterable[int]]]) -> dict[str, bytes]:
    """Return the facet files and index.json naming them and the words chunks listed."""
    files, paths = facet_files(facets)
    files[INDEX_FILE] = root_file(numbered, listed, paths)
    return files


def words_files(groups: Groups) -> Iterable[tuple[str, bytes, list[str], str]]:
    """Yield each words chunk of groups (emptied): its path, bytes, groups' keys, first form.
    A chunk's groups' JSON is made for it, and a group's docs dropped after its last chunk."""
    sizes = {key: groups.size(key) for key in groups.docs}
    chunks = cut_chunks(form_items(groups.forms), sizes.__getitem__)
    last_chunk = {key: number for number, chunk in enumerate(chunks)
                  for _, keys in chunk for key in keys}
    for number, chunk in enumerate(chunks):
        encoded = {key: groups.encoded(key) for _, keys in chunk for key in keys}
        path, data, keys = words_file(chunk, encoded)
        del encoded
        for key in keys:
            if last_chunk[key] == number:
                groups.drop(key)
        yield path, data, keys, chunk[0][0]


def build_index(docs: Sequence[Doc], tokens: Sequence[Tokens],
                facets: Mapping[str, Mapping[str, Iterable[int]]]
                ) -> tuple[dict[str, bytes], list[list[str]]]:
    """Return the index of docs (given their tokens) but the fragments: index.json, the words
    chunks and the facet files, by path below searchindex/; and each chunk's groups' keys."""
    groups = Groups()
    groups.add(part_groups(range(len(tokens)), tokens))
    files, layout, listed = {}, [], []
    for path, data, keys, first in words_files(groups):
        files[path] = data
        listed.append([first, path])
        layout.append(keys)
    files.update(root_and_facets(Numbering(docs), listed, facets))
    return files, layout


class SiteDocs(Sequence):
    """The docs of a site's entries in doc order, each made when asked for, its body read only
    when its words or its fragment are made."""

    def __init__(self, site: Site, language: str):
        self.site, self.language = site, language

    def __len__(self) -> int:
        return len(self.site.entries)

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[n] for n in range(len(self))[number]]
        entry = self.site.entries[number]
        return Doc(url=entry.url, title=entry.title, date=entry.date.isoformat(),
                   event=self.site.events.get(entry.path, (entry,))[0].url,
                   source=entry.source_name, lang=str(entry.params.get("lang") or self.language),
                   dateline=entry.dateline, lead=entry.lead or entry.summary, body_html="",
                   tags=tuple(name for name, _ in entry.tag_links), source_digest=entry.digest,
                   read_body=partial(getattr, entry, "body_html"))


def site_docs(site: Site, language: str) -> Sequence[Doc]:
    """Return the docs of a site's entries, in doc order; language is the site's."""
    return SiteDocs(site, language)


def site_facets(site: Site) -> dict[str, dict[str, array]]:
    """Return the docs of each tag and of each country (by name), as compact arrays."""
    number = {entry.path: n for n, entry in enumerate(site.entries)}
    return {"tag": {tag.name: array("I", [number[e.path] for e in tag.entries])
                    for tag in site.tags},
            "country": {country.name: array("I", [number[e.path] for e in country.entries])
                        for country in site.countries}}
