"""Edge: writes the search index (searchindex.py makes it) into the site's searchindex/ folder.

Only files whose bytes changed are written: words chunks and facet files are named by their
digest, so an existing one is right; a fragment is written when its doc's fields changed or the
numbering (the epoch) did. Each file is written to a temporary name and renamed, index.json
last, and only then are the files it no longer names removed: a build killed or failing on the
way leaves the previous index.json and every file it names in place.

What the next build needs (each doc's words under its key, each fragment's key, the epoch) comes
back as a SearchState, which the build cache keeps.

An index that cannot be patched is built whole a run of docs at a time, on worker processes when
the build gives a spread: each run comes back as its groups (their docs as the text the words
chunks hold) and its words compressed, and is folded in as it comes, so that no posting is held
as a Python object and no doc's text is kept (see build_whole): the groups' docs go to an unnamed
file as they grow (SpillFile), the words to the build cache's writer when the build gives one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections import ChainMap, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from ..core.urls import SEARCH_BUNDLE_DIR
from .searchindex import (INDEX_FILE, Doc, Groups, Numbering, Part, Tokens, digest, doc_tokens,
                          fragment, fragment_path, part_groups, root_and_facets, stemmer_name,
                          words_files)
from .searchpatch import patch_index

TEMP_PREFIX = ".tmp-"
CONTENT_FOLDERS = ("words", "facets")      # content-addressed files
OLD_BUNDLE_DIR = "pagefind"                # where earlier versions put Pagefind's index
PATCH_LIMIT = 50                           # docs whose words changed, past which the index is
                                           # built whole rather than patched
DOCS_PER_TASK = 500                        # docs a worker indexes at a time in a whole build

# How a whole build spreads its work: spread(task, items, chunk_size=n) yields task(chunk) for
# each chunk of n items, in order (parallel.fork_each on worker processes, or serial).
Spread = Callable[..., Iterable[list]]


@dataclass
class SearchState:
    """What an index update leaves for the next: enough to redo only what changed."""

    epoch: str = ""
    index: str = ""                                          # digest of index.json's bytes
    fragments: list[str] = field(default_factory=list)      # each doc's fragment key
    keys: list[str] = field(default_factory=list)           # each doc's token key
    tokens: Mapping[str, Tokens] = field(default_factory=dict)  # token key -> the doc's words
    layout: list[list[str]] = field(default_factory=list)   # each words chunk's groups' keys


@dataclass
class Update:
    """The outcome of an index update: the new state and the paths written."""

    state: SearchState
    written: list[str]


def token_key(doc: Doc) -> str:
    """Return the key of a doc's words: its stemmer, its entry file's digest and its tags (whose
    names the site model may change), or without a digest one of everything they are made of."""
    if doc.source_digest:
        tags = hashlib.blake2b("\0".join(doc.tags).encode("utf-8"), digest_size=6).hexdigest()
        return f"{stemmer_name(doc.lang)}:{doc.source_digest}:{tags}"
    parts = "\0".join((doc.lang, doc.title, doc.dateline, doc.lead, doc.body, *doc.tags))
    return hashlib.blake2b(parts.encode("utf-8"), digest_size=12).hexdigest()


def fragment_key(doc: Doc, tokens: str) -> str:
    """Return the key of a doc's fragment: a digest of its fields (tokens stands for its text)."""
    parts = "\0".join((doc.url, doc.title, doc.date, doc.event, doc.source, doc.lang, tokens))
    return hashlib.blake2b(parts.encode("utf-8"), digest_size=12).hexdigest()


def write_file(bundle: Path, rel: str, data: bytes) -> None:
    """Write data at bundle/rel through a temporary file and a rename."""
    target = bundle / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{TEMP_PREFIX}{target.name}")
    temp.write_bytes(data)
    os.replace(temp, target)


def read_bytes(path: Path) -> bytes | None:
    """Return a file's bytes, or None when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def serial(task: Callable[[Sequence[int]], list], items: Sequence[int], chunk_size: int
           ) -> Iterator[list]:
    """Yield task(chunk) for each chunk of items, in order, in this process."""
    for start in range(0, len(items), chunk_size):
        yield task(items[start:start + chunk_size])


def update_index(site_folder: Path, docs: Sequence[Doc],
                 facets: Mapping[str, Mapping[str, Sequence[int]]],
                 previous: SearchState, spread: Spread = serial,
                 sink: TokenSink | None = None) -> Update:
    """Bring site_folder's search index up to date with docs; return the state and the files
    written. A whole build spreads the docs over spread's workers, and hands each run's words
    to sink when there is one (the state's words are then sink), instead of keeping them.
    Raises OSError when the disk refuses, the previous index then whole."""
    bundle = site_folder / SEARCH_BUNDLE_DIR
    keys, fragments, numbered = doc_heads(docs)
    epoch = numbered.epoch
    old_root = read_bytes(bundle / INDEX_FILE)
    same_epoch = (old_root is not None and previous.epoch == epoch
                  and previous.index == digest(old_root) and (bundle / epoch).is_dir())
    old_fragments = previous.fragments if same_epoch else []
    made = patched(bundle, docs, numbered, keys, facets, previous, old_root) if same_epoch \
        else None
    if made:
        files, layout, known, changed = made
        written = write_changed(bundle, files)
        written += write_fragments(bundle, docs, epoch, range(len(docs)), fragments,
                                   old_fragments, changed)
    else:
        files, layout, known, written = build_whole(bundle, docs, numbered, keys, fragments,
                                                    facets, previous, old_fragments, spread,
                                                    PackedTokens() if sink is None else sink)
    if old_root != files[INDEX_FILE]:
        write_file(bundle, INDEX_FILE, files[INDEX_FILE])
        written.append(INDEX_FILE)
    remove_unlisted(bundle, set(files), epoch, numbered.docs)
    remove_old_bundle(site_folder)
    state = SearchState(epoch=epoch, index=digest(files[INDEX_FILE]), fragments=fragments,
                        keys=keys, tokens=known, layout=layout)
    return Update(state, written)


def doc_heads(docs: Iterable[Doc]) -> tuple[list[str], list[str], Numbering]:
    """Return each doc's token key and fragment key, and the docs' numbering: all that is
    known of the docs without reading their bodies."""
    keys, fragments, numbered = [], [], Numbering()
    for doc in docs:
        key = token_key(doc)
        keys.append(key)
        fragments.append(fragment_key(doc, key))
        numbered.add(doc)
    return keys, fragments, numbered


def write_changed(bundle: Path, files: Mapping[str, bytes | None]) -> list[str]:
    """Write the files but index.json that are not there yet (the others are named by their
    digest, or kept); return their paths."""
    written = []
    for rel, data in files.items():
        if data is not None and rel != INDEX_FILE and not (bundle / rel).is_file():
            write_file(bundle, rel, data)
            written.append(rel)
    return written


def write_fragments(bundle: Path, docs: Sequence[Doc], epoch: str, numbers: Iterable[int],
                    fragments: Sequence[str], old_fragments: Sequence[str],
                    made: Mapping[int, Doc] | None = None) -> list[str]:
    """Write the fragments of the docs numbered numbers whose key changed; return their paths."""
    written = []
    for number in numbers:
        if number >= len(old_fragments) or old_fragments[number] != fragments[number]:
            rel = fragment_path(epoch, number)
            doc = made[number] if made and number in made else docs[number]
            write_file(bundle, rel, fragment(doc))
            written.append(rel)
    return written


@dataclass
class Indexed:
    """What a worker made of a run of consecutive docs: their groups, their words packed, and
    the fragments it wrote."""

    part: Part
    packed: bytes
    ends: list[int]
    written: list[str]


def index_docs(bundle: Path, docs: Sequence[Doc], numbers: Sequence[int], keys: Sequence[str],
               fragments: Sequence[str], old_fragments: Sequence[str],
               known: Mapping[str, Tokens], epoch: str) -> Indexed:
    """Return the groups and the packed words of the docs numbered numbers, made or taken from
    known; write their fragments that changed. Each doc (and its body) is made once."""
    tokens, made = [], {}
    for number in numbers:
        found = stored_tokens(known, keys[number])
        if found is None:
            made[number] = docs[number]
            found = doc_tokens(made[number])
        tokens.append(found)
    written = write_fragments(bundle, docs, epoch, numbers, fragments, old_fragments, made)
    part = part_groups(numbers, tokens)
    packed, ends = pack_tokens(tokens)
    return Indexed(part, packed, ends, written)


def stored_tokens(known: Mapping[str, Tokens], key: str) -> Tokens | None:
    """Return the words stored under key, or None when there are none (or they do not decode)."""
    try:
        return known[key]
    except KeyError:
        return None


def build_whole(bundle: Path, docs: Sequence[Doc], numbered: Numbering, keys: list[str],
                fragments: list[str], facets: Mapping[str, Mapping[str, Sequence[int]]],
                previous: SearchState, old_fragments: Sequence[str], spread: Spread,
                known: TokenSink) -> tuple[dict[str, bytes | None], list[list[str]], TokenSink,
                                           list[str]]:
    """Build the index whole, the docs indexed a run at a time by spread's workers and folded
    into compact groups as they come, their words handed to known; return the files (words
    chunks as None, written already), each chunk's groups' keys, known and the paths written."""
    epoch = numbered.epoch

    def task(numbers: Sequence[int]) -> list[Indexed]:
        return [index_docs(bundle, docs, numbers, keys, fragments, old_fragments,
                           previous.tokens, epoch)]

    written: list[str] = []
    start = 0               # the first doc of the next run
    bundle.mkdir(parents=True, exist_ok=True)
    with SpillFile(bundle) as spill:
        groups = Groups(spill)
        for results in spread(task, range(numbered.docs), chunk_size=DOCS_PER_TASK):
            for indexed in results:
                groups.add(indexed.part)
                run, start = keys[start:start + len(indexed.ends)], start + len(indexed.ends)
                known.add(run, indexed.packed, indexed.ends)    # keys held once, not as sent
                written += indexed.written
        files: dict[str, bytes | None] = {}
        layout, listed = [], []
        for rel, data, chunk_keys, first in words_files(groups):
            if not (bundle / rel).is_file():
                write_file(bundle, rel, data)
                written.append(rel)
            files[rel] = None
            listed.append([first, rel])
            layout.append(chunk_keys)
    files.update(root_and_facets(numbered, listed, facets))
    written += write_changed(bundle, files)
    return files, layout, known, written


class SpillFile:
    """Groups' docs kept in a file that has no name (gone when closed, or when the process is
    killed) rather than in memory: each group's as the places of its pieces in the file."""

    def __init__(self, folder: Path):
        self.file = tempfile.TemporaryFile(dir=folder)
        self.pieces: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.end = 0

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def put(self, key: str, coded: bytes) -> None:
        """Append a piece of a group's docs."""
        os.pwrite(self.file.fileno(), coded, self.end)
        self.pieces[key].append((self.end, len(coded)))
        self.end += len(coded)

    def size(self, key: str) -> int:
        """Return how many bytes of a group's docs the file holds."""
        return sum(length for _, length in self.pieces.get(key, ()))

    def take(self, key: str) -> bytes:
        """Return a group's docs the file holds, in order."""
        return b"".join(os.pread(self.file.fileno(), length, start)
                        for start, length in self.pieces.get(key, ()))


def pack_tokens(tokens: Iterable[Tokens]) -> tuple[bytes, list[int]]:
    """Return docs' words as one compressed piece of text and where each doc's ends in it."""
    pieces, ends, total = [], [], 0
    for doc_tokens_ in tokens:
        piece = "\t".join(doc_tokens_).encode("utf-8")
        total += len(piece)
        ends.append(total)
        pieces.append(piece)
    return zlib.compress(b"".join(pieces)), ends


class TokenSink(Protocol):
    """Where a whole build hands each run's words (the build cache writes them as they come)."""

    def add(self, keys: list[str], packed: bytes, ends: list[int]) -> None:
        """Take the words of a run of docs, packed by pack_tokens."""


class PackedTokens(Mapping):
    """Every doc's words (token key -> Tokens), kept compressed a run of docs at a time, each
    run decompressed when asked for: a whole build holds them all until the build cache has
    them."""

    def __init__(self):
        self.runs: list[tuple[bytes, list[int]]] = []
        self.where: dict[str, tuple[int, int]] = {}     # key -> (run, position in it)
        self.last: tuple[int, bytes] = (-1, b"")

    def add(self, keys: list[str], packed: bytes, ends: list[int]) -> None:
        """Add the words of a run of docs, packed by pack_tokens."""
        run = len(self.runs)
        self.runs.append((packed, ends))
        self.where.update((key, (run, position)) for position, key in enumerate(keys))

    def piece(self, key: str) -> bytes:
        """Return a doc's words as the text they were packed as."""
        run, position = self.where[key]
        if self.last[0] != run:
            self.last = (run, zlib.decompress(self.runs[run][0]))
        ends = self.runs[run][1]
        return self.last[1][ends[position - 1] if position else 0:ends[position]]

    def __getitem__(self, key: str) -> Tokens:
        name, forms, digits = str(self.piece(key), "utf-8").split("\t")
        return name, forms, digits

    def __contains__(self, key: object) -> bool:
        return key in self.where

    def __iter__(self):
        return iter(self.where)

    def __len__(self) -> int:
        return len(self.where)


class TokenList(Sequence):
    """Each doc's words, looked up under its key only when asked for (the build cache decodes
    them one by one: a patch needs those of a few docs)."""

    def __init__(self, keys: list[str], known: Mapping[str, Tokens]):
        self.keys, self.known = keys, known

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, number):
        return self.known[self.keys[number]]


def patched(bundle: Path, docs: Sequence[Doc], numbered: Numbering, keys: list[str],
            facets: Mapping[str, Mapping[str, Sequence[int]]], previous: SearchState,
            old_root: bytes) -> tuple[dict[str, bytes | None], list[list[str]],
                                      Mapping[str, Tokens], dict[int, Doc]] | None:
    """Return the index patched where a few docs' words changed (see searchpatch.py), with every
    doc's words and the changed docs (made once: their fragments are written from them); or None
    when it cannot be: too many changed, or the previous index is not what the state says."""
    if len(previous.keys) != len(keys):
        return None
    changed = [number for number, key in enumerate(keys) if previous.keys[number] != key]
    if len(changed) > PATCH_LIMIT or any(previous.keys[n] not in previous.tokens for n in changed):
        return None
    changed_docs = {n: docs[n] for n in changed}
    made_now = {keys[n]: doc_tokens(changed_docs[n]) for n in changed
                if keys[n] not in previous.tokens}
    known = ChainMap(made_now, previous.tokens)
    try:
        made = patch_index(numbered, TokenList(keys, known),
                           {n: previous.tokens[previous.keys[n]] for n in changed},
                           json.loads(old_root)["words"], previous.layout,
                           lambda rel: json.loads((bundle / rel).read_bytes()), facets)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None     # a chunk missing or not what the state says: build it whole
    if made and all(data is not None or (bundle / rel).is_file() for rel, data in made[0].items()):
        return made[0], made[1], known, changed_docs
    return None


def remove_unlisted(bundle: Path, listed: set[str], epoch: str, docs: int) -> None:
    """Remove what index.json no longer names: other epochs, unlisted chunks and facets,
    fragments past the last doc, and temporary files of a killed update."""
    for path in bundle.iterdir():
        if path.is_symlink() or not path.is_dir():
            if path.name != INDEX_FILE:
                remove(path)
        elif path.name in CONTENT_FOLDERS:
            unlisted(path, {rel.split("/", 1)[1] for rel in listed
                            if rel.startswith(f"{path.name}/")})
        elif path.name == epoch:
            unlisted(path, {f"{number}.json" for number in range(docs)})
        else:
            remove(path)


def unlisted(folder: Path, names: set[str]) -> None:
    """Remove what folder holds but names."""
    for name in os.listdir(folder):
        if name not in names:
            remove(folder / name)


def remove(path: Path) -> None:
    """Remove a file or a folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def remove_old_bundle(site_folder: Path) -> None:
    """Remove the Pagefind bundle an earlier version of sitegen wrote, if any."""
    old = site_folder / OLD_BUNDLE_DIR
    if (old / "shards.json").is_file() or (old / "pagefind.js").is_file():
        shutil.rmtree(old)


def remove_index(site_folder: Path) -> None:
    """Remove the search index from a site that no longer has search."""
    if (site_folder / SEARCH_BUNDLE_DIR / INDEX_FILE).is_file():
        shutil.rmtree(site_folder / SEARCH_BUNDLE_DIR)
    remove_old_bundle(site_folder)
