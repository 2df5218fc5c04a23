"""Edge: writes the search index (searchindex.py makes it) into the site's searchindex/ folder.

Only files whose bytes changed are written: words chunks and facet files are named by their
digest, so an existing one is right; a fragment is written when its doc's fields changed or the
numbering (the epoch) did. Each file is written to a temporary name and renamed, index.json
last, and only then are the files it no longer names removed: a build killed or failing on the
way leaves the previous index.json and every file it names in place.

What the next build needs (each doc's words under its key, each fragment's key, the epoch) comes
back as a SearchState, which the build cache keeps.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..core.urls import SEARCH_BUNDLE_DIR
from .searchindex import (INDEX_FILE, Doc, Tokens, build_index, digest, doc_tokens, epoch_of,
                          fragment, fragment_path, stemmer_name)
from .searchpatch import patch_index

TEMP_PREFIX = ".tmp-"
CONTENT_FOLDERS = ("words", "facets")      # content-addressed files
OLD_BUNDLE_DIR = "pagefind"                # where earlier versions put Pagefind's index
PATCH_LIMIT = 50                           # docs whose words changed, past which the index is
                                           # built whole rather than patched


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
    parts = "\0".join((doc.lang, doc.title, doc.dateline, doc.lead, doc.body_html, *doc.tags))
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


def update_index(site_folder: Path, docs: Sequence[Doc],
                 facets: Mapping[str, Mapping[str, list[int]]],
                 previous: SearchState) -> Update:
    """Bring site_folder's search index up to date with docs; return the state and the files
    written. Raises OSError when the disk refuses, the previous index then whole."""
    bundle = site_folder / SEARCH_BUNDLE_DIR
    keys = [token_key(doc) for doc in docs]
    made_now = {key: doc_tokens(doc) for key, doc in zip(keys, docs) if key not in previous.tokens}
    known = ChainMap(made_now, previous.tokens)
    tokens = TokenList(keys, known)
    epoch = epoch_of(docs)
    fragments = [fragment_key(doc, key) for doc, key in zip(docs, keys)]
    old_root = read_bytes(bundle / INDEX_FILE)
    same_epoch = (old_root is not None and previous.epoch == epoch
                  and previous.index == digest(old_root) and (bundle / epoch).is_dir())
    made = patched(bundle, docs, tokens, keys, facets, previous, old_root) if same_epoch else None
    files, layout = made or build_index(docs, tokens, facets)
    written = []
    for rel, data in files.items():
        if data is not None and rel != INDEX_FILE and not (bundle / rel).is_file():
            write_file(bundle, rel, data)
            written.append(rel)
    old_fragments = previous.fragments if same_epoch else []
    for number, (doc, key) in enumerate(zip(docs, fragments)):
        if number >= len(old_fragments) or old_fragments[number] != key:
            rel = fragment_path(epoch, number)
            write_file(bundle, rel, fragment(doc))
            written.append(rel)
    if old_root != files[INDEX_FILE]:
        write_file(bundle, INDEX_FILE, files[INDEX_FILE])
        written.append(INDEX_FILE)
    remove_unlisted(bundle, set(files), epoch, len(docs))
    remove_old_bundle(site_folder)
    state = SearchState(epoch=epoch, index=digest(files[INDEX_FILE]), fragments=fragments,
                        keys=keys, tokens=known, layout=layout)
    return Update(state, written)


class TokenList(Sequence):
    """Each doc's words, looked up under its key only when asked for (the build cache decodes
    them one by one: a patch needs those of a few docs)."""

    def __init__(self, keys: list[str], known: Mapping[str, Tokens]):
        self.keys, self.known = keys, known

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, number):
        return self.known[self.keys[number]]


def patched(bundle: Path, docs: Sequence[Doc], tokens: Sequence[Tokens], keys: list[str],
            facets: Mapping[str, Mapping[str, list[int]]], previous: SearchState,
            old_root: bytes) -> tuple[dict[str, bytes | None], list[list[str]]] | None:
    """Return the index patched where a few docs' words changed (see searchpatch.py), or None
    when it cannot be: too many changed, or the previous index is not what the state says."""
    if len(previous.keys) != len(docs):
        return None
    changed = [number for number, key in enumerate(keys) if previous.keys[number] != key]
    if len(changed) > PATCH_LIMIT or any(previous.keys[n] not in previous.tokens for n in changed):
        return None
    try:
        made = patch_index(docs, tokens, {n: previous.tokens[previous.keys[n]] for n in changed},
                           json.loads(old_root)["words"], previous.layout,
                           lambda rel: json.loads((bundle / rel).read_bytes()), facets)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None     # a chunk missing or not what the state says: build it whole
    if made and all(data is not None or (bundle / rel).is_file() for rel, data in made[0].items()):
        return made
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
