"""The build cache: parsed entries and the last build's outputs, kept between builds.

It lives in ``.sitegen-cache/`` in the site folder, which git and the output both ignore. Every
file in it is JSON (cacheformat.py says how), written atomically and read defensively: a cache
can come from anywhere (a pull request, a restored CI cache), so nothing in it can run code, and
a file that is not exactly what this version writes is discarded, with the rest of the cache, on
one line of the build's output. A missing, stale or discarded cache only makes the build a full one.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .cacheformat import (BadCache, decode_digests, decode_entries, decode_layout,
                          decode_outputs, decode_related_memo, decode_seeds, encode_entries,
                          encode_layout, encode_outputs, encode_seeds,
                          mapping_values)
from .core.digests import digest_of
from .core.errors import SourceError
from .model.records import Entry
from .model.site import Layout
from .outputs.search import SearchState

CACHE_DIR = ".sitegen-cache"
FORMAT = 9  # bump when what the cache stores changes shape, or how an entry file is parsed
ENTRIES_FILE = "entries.json"
DELTA_FILE = "entries-delta.json"
RELATED_FILE = "related.json"
LAYOUT_FILE = "layout.json"
MANIFEST_PREFIX = "outputs-"
SEARCH_PREFIX = "search-"
SEARCH_TOKENS_FILE = "search-tokens.json"
OLD_SUFFIX = ".pickle"   # the cache of earlier versions, never read: unpickling can run code
TOKENS_BLOCK = 1 << 20    # bytes of search words copied at a time into search-tokens.json
DELTA_LIMIT = 500   # entries the delta file may hold before the whole cache is written again
Stat = tuple[int, int]  # (mtime_ns, size)
FileId = tuple[int, int, int]  # (inode, mtime_ns, size): changes whenever a file is replaced
Log = Callable[[str], None]
# What decoding a file that is not what we wrote may raise (BadCache is a ValueError).
DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)


@dataclass
class EntryCache:
    """Entries parsed by an earlier build, with the file stats they were parsed from."""

    zone: str = ""
    entries: dict[str, tuple[Stat, Entry]] = field(default_factory=dict)   # path -> parsed entry
    seeds: dict[str, tuple[Stat, str]] = field(default_factory=dict)       # raw file -> its URL
    base_id: FileId | None = field(default=None, compare=False)   # entries.json it was read from
    changed: frozenset[str] = field(default=frozenset(), compare=False)  # paths the delta changed


@dataclass
class EntryDelta:
    """The entries changed since entries.json was written: a small file instead of a big one."""

    base_id: FileId                                         # the entries.json it applies to
    entries: dict[str, tuple[Stat, Entry] | None]           # path -> entry, None when removed
    seeds: dict[str, tuple[Stat, str]]


@dataclass
class Manifest:
    """What the last successful build wrote into one output folder."""

    signature: str = ""                                        # digest of every input's stat
    folder_id: tuple[int, int] = (0, 0)                        # (device, inode) of the output folder
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, content digest)
    pages: int = 0                                             # how many outputs are pages
    shape: str = ""                                            # see build.site_shape
    bodies: dict[str, str] = field(default_factory=dict)       # entry path -> its file's digest
    skipped: list[SourceError] = field(default_factory=list)   # raw articles not imported


def _read(path: Path, kind: str, decode: Callable[..., Any], log: Log | None,
          with_bodies: bool = False) -> Any:
    """Return the decoded data of the cache file path of that kind, or None when it is missing
    or not what this version writes; then the whole cache is discarded and log hears why.

    A file is a line of JSON, then (with_bodies) the entries' bodies, which decode(data, bodies)
    cuts by their lengths: JSON would take several times as long to scan them.
    """
    try:
        contents = path.read_bytes()
    except FileNotFoundError:
        if path.with_suffix(OLD_SUFFIX).exists():
            _discard(path.parent, f"{path.with_suffix(OLD_SUFFIX).name} is in an old format", log)
        return None
    except OSError as exc:
        _discard(path.parent, f"{path.name}: {exc.strerror}", log)
        return None
    try:
        end = contents.find(b"\n") % (len(contents) + 1)   # the end when there is no break
        text, bodies = contents[:end], memoryview(contents)[end + 1:]   # not copied
        if bodies and not with_bodies:
            raise BadCache("there is more after the JSON")
        document = json.loads(text)
        if type(document) is not dict or document.keys() != {"sitegen", "format", "kind", "data"}:
            raise BadCache("not a sitegen cache file")
        if (document["sitegen"], document["format"]) != (__version__, FORMAT):
            raise BadCache(f"written by sitegen {str(document['sitegen'])[:20]}, "
                           f"cache format {str(document['format'])[:10]}")
        if document["kind"] != kind:
            raise BadCache(f"holds {str(document['kind'])[:20]}, not {kind}")
        return decode(document["data"], bodies) if with_bodies else decode(document["data"])
    except DECODE_ERRORS as exc:
        _discard(path.parent, f"{path.name}: {_reason(exc)}", log)
        return None


def _reason(exc: BaseException) -> str:
    """Return a short phrase saying why a cache file could not be decoded."""
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return "not valid JSON"
    if isinstance(exc, BadCache):
        return str(exc)
    return "unexpected contents"


def _discard(cache_dir: Path, reason: str, log: Log | None) -> None:
    """Delete every file of the cache (so that no other is read in this build) and say why."""
    for file in _cache_files(cache_dir):
        try:
            file.unlink(missing_ok=True)
        except OSError:
            pass   # a read-only cache is read again, and discarded again, by the next build
    if log is not None:
        log(f"ignoring the build cache ({CACHE_DIR}/{reason}): rebuilding everything")


def _cache_files(cache_dir: Path) -> list[Path]:
    """Return the files in cache_dir that this module writes, or older versions wrote."""
    try:
        return [file for file in cache_dir.iterdir() if file.suffix in (".json", OLD_SUFFIX)
                and not file.is_dir()]
    except OSError:
        return []


def _write(path: Path, kind: str, data: Any, bodies: bytes | Iterable[bytes] = b"") -> None:
    """Write data as the cache file path of that kind, then bodies (see _read), atomically;
    bodies may come as pieces, written one by one as they come."""
    document = {"sitegen": __version__, "format": FORMAT, "kind": kind, "data": data}
    text = json.dumps(document, separators=(",", ":")).encode("ascii")   # never a line break
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            pieces = iter([bodies] if isinstance(bodies, bytes) else bodies)
            first = next(pieces, b"")
            out.write(text + b"\n" + first if first else text)
            for piece in pieces:
                out.write(piece)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _decode_entry_cache(data: Any, bodies: memoryview) -> EntryCache:
    """Return the EntryCache of a decoded entries file."""
    zone, entries, seeds = mapping_values(data, ("zone", "entries", "seeds"))
    if type(zone) is not str:
        raise BadCache("the time zone is not text")
    return EntryCache(zone=zone, entries=decode_entries(entries, bodies),
                      seeds=decode_seeds(seeds))


def _decode_delta(data: Any, bodies: memoryview) -> EntryDelta:
    """Return the EntryDelta of a decoded delta file."""
    base, entries, removed, seeds = mapping_values(data, ("base", "entries", "removed", "seeds"))
    if type(base) is not list or len(base) != 3 or set(map(type, base)) != {int} \
            or type(removed) is not list or not set(map(type, removed)) <= {str}:
        raise BadCache("the delta's base or removed entries are not what they should be")
    changed: dict[str, tuple[Stat, Entry] | None] = dict.fromkeys(removed)
    changed.update(decode_entries(entries, bodies))
    return EntryDelta(tuple(base), changed, decode_seeds(seeds))  # type: ignore[arg-type]


def load_entry_cache(cache_dir: Path, zone: str, log: Log | None = None) -> EntryCache:
    """Return the cached entries parsed in time zone zone (empty if none fit), delta applied."""
    base_id = file_id(cache_dir / ENTRIES_FILE)
    cache = _read(cache_dir / ENTRIES_FILE, "entries", _decode_entry_cache, log, True)
    if cache is None or cache.zone != zone or base_id is None:
        return EntryCache(zone=zone)
    cache.base_id = base_id
    delta = _read(cache_dir / DELTA_FILE, "entries-delta", _decode_delta, log, True)
    if delta is None and not (cache_dir / ENTRIES_FILE).exists():
        return EntryCache(zone=zone)   # the delta was bad: the whole cache was discarded
    if delta is not None and delta.base_id == base_id:
        for path, item in delta.entries.items():
            if item is None:
                cache.entries.pop(path, None)
            else:
                cache.entries[path] = item
        cache.seeds = delta.seeds
        cache.changed = frozenset(delta.entries)
    return cache


def write_entry_cache(cache_dir: Path, cache: EntryCache, previous: EntryCache) -> None:
    """Store the entry cache, which was previous when loaded.

    A few changed entries go into a small delta file next to the unchanged entries.json, so
    that editing one entry of a large site does not write every entry again.
    """
    changed = previous.changed | (previous.entries.keys() - cache.entries.keys()) | {
        path for path, item in cache.entries.items() if previous.entries.get(path) != item}
    base = cache_dir / ENTRIES_FILE
    seeds = encode_seeds(cache.seeds)
    if previous.base_id is None or previous.base_id != file_id(base) or len(changed) > DELTA_LIMIT:
        entries, bodies = encode_entries(cache.entries)
        _write(base, "entries", {"zone": cache.zone, "entries": entries, "seeds": seeds}, bodies)
        (cache_dir / DELTA_FILE).unlink(missing_ok=True)
    else:
        entries, bodies = encode_entries({path: cache.entries[path] for path in changed
                                          if path in cache.entries})
        _write(cache_dir / DELTA_FILE, "entries-delta", {
            "base": list(previous.base_id), "entries": entries, "seeds": seeds,
            "removed": sorted(changed - cache.entries.keys())}, bodies)


def file_id(path: Path) -> FileId | None:
    """Return (inode, mtime_ns, size) of a file, or None when it is missing."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def load_related_memo(cache_dir: Path, log: Log | None = None
                      ) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the related entries the last build worked out, under their digest (see sitemodel)."""
    return _read(cache_dir / RELATED_FILE, "related", decode_related_memo, log) or {}


def write_related_memo(cache_dir: Path, memo: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Store the related entries memo."""
    _write(cache_dir / RELATED_FILE, "related", memo)


def _decode_shaped_layout(data: Any) -> tuple[str, Layout]:
    """Return (shape, layout) of a decoded layout file."""
    shape, layout = mapping_values(data, ("shape", "layout"))
    if type(shape) is not str:
        raise BadCache("the layout's shape is not text")
    return shape, decode_layout(layout)


def load_layout(cache_dir: Path, shape: str, log: Log | None = None) -> Layout | None:
    """Return the site layout stored for a build of that shape (see build.site_shape), if any."""
    stored = _read(cache_dir / LAYOUT_FILE, "layout", _decode_shaped_layout, log)
    return stored[1] if stored is not None and stored[0] == shape else None


def write_layout(cache_dir: Path, shape: str, layout: Layout) -> None:
    """Store the site layout of a build of that shape."""
    _write(cache_dir / LAYOUT_FILE, "layout", {"shape": shape, "layout": encode_layout(layout)})


def _decode_skipped(errors: Any) -> list[SourceError]:
    """Return the errors of the raw articles a build skipped, from what write_manifest made."""
    if type(errors) is not list:
        raise BadCache("the skipped articles are not a list")
    found = []
    for item in errors:
        if type(item) is not list or len(item) != 4 or type(item[0]) is not str \
                or type(item[2]) is not str or not (item[1] is None or type(item[1]) is int) \
                or not (item[3] is None or type(item[3]) is str):
            raise BadCache("a skipped article is not (path, line, message, hint)")
        found.append(SourceError(*item))
    return found


def manifest_path(cache_dir: Path, out_dir: Path) -> Path:
    """Return where the manifest of out_dir is kept (one per output folder)."""
    return cache_dir / f"{MANIFEST_PREFIX}{digest_of(str(out_dir.resolve()))[:12]}.json"


def _decode_manifest(data: Any) -> Manifest:
    """Return the Manifest of a decoded manifest file."""
    signature, folder, outputs, pages, shape, bodies, skipped = mapping_values(
        data, ("signature", "folder_id", "outputs", "pages", "shape", "bodies", "skipped"))
    if type(signature) is not str or type(shape) is not str or type(pages) is not int \
            or type(folder) is not list or len(folder) != 2 or set(map(type, folder)) != {int}:
        raise BadCache("the manifest has a field of the wrong type")
    return Manifest(signature=signature, folder_id=tuple(folder),  # type: ignore[arg-type]
                    outputs=decode_outputs(outputs), pages=pages, shape=shape,
                    bodies=decode_digests(bodies), skipped=_decode_skipped(skipped))


def has_old_manifest(cache_dir: Path, out_dir: Path) -> bool:
    """Return whether an earlier sitegen left a manifest of out_dir: a pickle, never read, whose
    name alone says that sitegen built that folder."""
    return manifest_path(cache_dir, out_dir).with_suffix(OLD_SUFFIX).is_file()


def load_manifest(cache_dir: Path, out_dir: Path, log: Log | None = None) -> Manifest:
    """Return the manifest of out_dir, or an empty one when it no longer describes the folder."""
    manifest = _read(manifest_path(cache_dir, out_dir), "outputs", _decode_manifest, log)
    if manifest is None or manifest.folder_id != folder_id(out_dir):
        return Manifest()
    return manifest


def write_manifest(cache_dir: Path, out_dir: Path, manifest: Manifest) -> None:
    """Store the manifest of out_dir."""
    manifest.folder_id = folder_id(out_dir)
    _write(manifest_path(cache_dir, out_dir), "outputs", {
        "signature": manifest.signature, "folder_id": list(manifest.folder_id),
        "outputs": encode_outputs(manifest.outputs), "pages": manifest.pages,
        "shape": manifest.shape, "bodies": manifest.bodies,
        "skipped": [[e.path, e.line, e.message, e.hint] for e in manifest.skipped]})


def search_path(cache_dir: Path, out_dir: Path) -> Path:
    """Return where the search index's state for out_dir is kept (one per output folder)."""
    return cache_dir / f"{SEARCH_PREFIX}{digest_of(str(out_dir.resolve()))[:12]}.json"


class StoredTokens(Mapping):
    """Docs' words (token key -> (stemmer, forms, digits)) kept as one piece of text, each
    decoded when asked for: a build that patches the index reads a few of 10,000."""

    def __init__(self, ends: dict[str, tuple[int, int]], text: memoryview):
        self.ends, self.text = ends, text

    def __getitem__(self, key: str) -> tuple[str, str, str]:
        start, end = self.ends[key]
        fields = str(self.text[start:end], "utf-8").split("\t")
        if len(fields) != 3:
            raise KeyError(key)     # not what write_tokens wrote: as if never stored
        return fields[0], fields[1], fields[2]

    def __contains__(self, key: object) -> bool:
        return key in self.ends

    def __iter__(self):
        return iter(self.ends)

    def __len__(self) -> int:
        return len(self.ends)


def _encode_tokens(tokens: Mapping[str, tuple[str, str, str]], keys: Iterable[str]
                   ) -> tuple[dict[str, list], Iterator[bytes]]:
    """Return the JSON part (keys and where each ends) and the text of the docs' words, as a
    piece for each doc made as it is written: a whole site's words are never held at once."""
    keys = list(keys)
    ends, total = [], 0
    for piece in _token_pieces(tokens, keys):
        total += len(piece)
        ends.append(total)
    return {"keys": keys, "ends": ends}, _token_pieces(tokens, keys)


def _token_pieces(tokens: Mapping[str, tuple[str, str, str]], keys: list[str]
                  ) -> Iterator[bytes]:
    """Yield the text of each doc's words, in the order of keys."""
    as_stored = getattr(tokens, "piece", None)     # PackedTokens keep each doc's as this text
    for key in keys:
        yield as_stored(key) if as_stored else "\t".join(tokens[key]).encode("utf-8")


def _decode_tokens(data: Any, text: memoryview) -> StoredTokens:
    """Return the StoredTokens of _encode_tokens's output."""
    keys, ends = mapping_values(data, ("keys", "ends"))
    if not _texts(keys) or type(ends) is not list or len(ends) != len(keys) \
            or not all(type(end) is int for end in ends) or (ends and ends[-1] != len(text)):
        raise BadCache("the search words are not what they should be")
    return StoredTokens(dict(zip(keys, zip([0] + ends, ends))), text)


def _decode_search_state(data: Any, text: memoryview) -> SearchState:
    """Return the SearchState of a decoded search file, its words those it stores (the words
    changed since search-tokens.json was written) over those of search-tokens.json."""
    epoch, index, fragments, keys, layout, tokens = mapping_values(
        data, ("epoch", "index", "fragments", "keys", "layout", "tokens"))
    if type(epoch) is not str or type(index) is not str or not _texts(fragments) \
            or not _texts(keys) or type(layout) is not list \
            or not all(_texts(keys) for keys in layout):
        raise BadCache("the search state has a field of the wrong type")
    return SearchState(epoch, index, fragments, keys, _decode_tokens(tokens, text), layout)


def _texts(value: Any) -> bool:
    """Return whether value is a list of strings."""
    return type(value) is list and all(type(item) is str for item in value)


def load_search_state(cache_dir: Path, out_dir: Path, log: Log | None = None) -> SearchState:
    """Return the search index's state of out_dir's last build, or an empty one."""
    state = _read(search_path(cache_dir, out_dir), "search", _decode_search_state, log, True)
    if state is None:
        return SearchState()
    stored = _read(cache_dir / SEARCH_TOKENS_FILE, "search-tokens", _decode_tokens, log, True)
    state.tokens = ChainMap(state.tokens, stored) if stored is not None else state.tokens
    return state


class TokensWriter:
    """search-tokens.json written as a whole build's runs of docs come: each doc's words (under
    its first key) go to a temporary file at once, so that the site's words are never held;
    write() puts the JSON line before them into the file itself, atomically."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.ends: dict[str, int] = {}      # key -> where its words end in the text
        self.text: Any = None               # the temporary file, opened with the first run
        for stale in cache_dir.glob(f".{SEARCH_TOKENS_FILE}.text.*"):    # of a killed build
            stale.unlink(missing_ok=True)

    def add(self, keys: list[str], packed: bytes, ends: list[int]) -> None:
        """Append the words of a run of docs, packed by search.pack_tokens, but those of keys
        already written."""
        if self.text is None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self.text = tempfile.NamedTemporaryFile(dir=self.cache_dir, delete=False,
                                                    prefix=f".{SEARCH_TOKENS_FILE}.text.")
        text, start = memoryview(zlib.decompress(packed)), 0
        for key, end in zip(keys, ends):
            if key not in self.ends:
                self.text.write(text[start:end])
                self.ends[key] = self.text.tell()
            start = end

    def write(self) -> None:
        """Write search-tokens.json: the keys and where each doc's words end, then the text."""
        if self.text is not None:
            self.text.flush()
        _write(self.cache_dir / SEARCH_TOKENS_FILE, "search-tokens",
               {"keys": list(self.ends), "ends": list(self.ends.values())}, self.blocks())

    def blocks(self) -> Iterator[bytes]:
        """Yield the text written so far, a block at a time."""
        if self.text is not None:
            with open(self.text.name, "rb") as text:
                yield from iter(partial(text.read, TOKENS_BLOCK), b"")

    def discard(self) -> None:
        """Remove the temporary file."""
        if self.text is not None:
            self.text.close()
            Path(self.text.name).unlink(missing_ok=True)
            self.text = None


def tokens_writer(cache_dir: Path, previous: SearchState) -> TokensWriter | None:
    """Return a writer of search-tokens.json for a whole build, when the words will be written
    there all (search-tokens.json is missing or unreadable), or None."""
    stored = previous.tokens.maps[-1] if isinstance(previous.tokens, ChainMap) else {}
    return None if isinstance(stored, StoredTokens) else TokensWriter(cache_dir)


def write_search_state(cache_dir: Path, out_dir: Path, state: SearchState,
                       previous: SearchState) -> None:
    """Store the search index's state of out_dir: the words of its docs that search-tokens.json
    lacks go with it, until they are more than DELTA_LIMIT and the words are all written there
    (by the TokensWriter that took them, when the state's words are one)."""
    stored = previous.tokens.maps[-1] if isinstance(previous.tokens, ChainMap) else {}
    if not isinstance(stored, StoredTokens):
        stored = {}
    extra = [key for key in dict.fromkeys(state.keys) if key not in stored]
    if isinstance(state.tokens, TokensWriter):
        state.tokens.write()
        extra = []
    elif len(extra) > DELTA_LIMIT or not stored:
        data, text = _encode_tokens(state.tokens, dict.fromkeys(state.keys))
        _write(cache_dir / SEARCH_TOKENS_FILE, "search-tokens", data, text)
        extra = []
    data, text = _encode_tokens(state.tokens, extra)
    _write(search_path(cache_dir, out_dir), "search", {
        "epoch": state.epoch, "index": state.index, "fragments": state.fragments,
        "keys": state.keys, "layout": state.layout, "tokens": data}, text)


def folder_id(path: Path) -> tuple[int, int]:
    """Return (device, inode) of a folder, which changes when the folder is replaced."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_dev, info.st_ino)
