"""Pure: the search index after a few docs changed, made from the previous index's chunks.

Building the whole index takes seconds at 10,000 entries (every posting of every word); an edit
touches a few groups. Those groups are read from the chunks that hold them, patched with the
changed docs' words, and the chunks from the one before the first touched chunk are cut again
(searchindex.Cutter) until a cut falls where an old chunk began past the last touched one: the
chunks from there are kept. Cuts depend on a chunk's own forms only, so the result is the index
a whole build makes, byte for byte (tests/test_search.py checks it).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Mapping, Sequence

from .searchindex import (Cutter, Numbering, Tokens, decode_group, dumps, encode_group,
                          group_key, group_weights, root_and_facets, token_forms, utf16_order,
                          words_file)

Pair = tuple[str, str]          # (group key, form)
LoadChunk = Callable[[str], Mapping]   # path below searchindex/ -> the chunk's parsed JSON


def changes_of(tokens: Sequence[Tokens], old_tokens: Mapping[int, Tokens]
               ) -> tuple[set[str], set[Pair], set[Pair]]:
    """Return the groups whose docs or forms changed, and the (group, form) pairs that the
    changed docs gained and lost."""
    touched, gained, lost = set(), set(), set()
    for number, old in old_tokens.items():
        new = tokens[number]
        before, after = group_weights(old), group_weights(new)
        touched |= {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        old_pairs = {(group_key(old[0], form), form) for form in token_forms(old)}
        new_pairs = {(group_key(new[0], form), form) for form in token_forms(new)}
        gained |= new_pairs - old_pairs
        lost |= old_pairs - new_pairs
    touched |= {key for key, _ in gained | lost}
    return touched, gained, lost


def has_form(tokens: Tokens, name: str, form: str) -> bool:
    """Return whether a doc's tokens, stemmed by name, hold form."""
    return tokens[0] == name and f" {form} " in f" {tokens[1]} "


class Patch:
    """The previous index's chunks, read as needed, and the touched groups, patched."""

    def __init__(self, listed: list[list[str]], layout: list[list[str]], load: LoadChunk):
        self.listed, self.layout, self.load = listed, layout, load
        self.firsts = [utf16_order(first) for first, _ in listed]
        self.loaded: dict[int, Mapping] = {}
        self.encoded: dict[str, str] = {}
        self.forms: dict[str, set[str]] = {}       # touched group -> its forms now

    def chunk(self, number: int) -> Mapping:
        """Return old chunk number, parsed; its untouched groups' JSON goes into encoded."""
        if number not in self.loaded:
            parsed = self.load(self.listed[number][1])
            for key, group in zip(self.layout[number], parsed["groups"]):
                if key not in self.forms:
                    self.encoded[key] = (dumps({"words": group["words"]})[:-1] + ",\"docs\":["
                                         + ",".join(map(str, group["docs"])) + "]}")
            self.loaded[number] = parsed
        return self.loaded[number]

    def chunk_of(self, form: str) -> int:
        """Return the old chunk whose range holds form."""
        return max(0, bisect_right(self.firsts, utf16_order(form)) - 1)

    def patch_groups(self, touched: set[str], gained: set[Pair], lost: set[Pair],
                     tokens: Sequence[Tokens], changed: Sequence[int]) -> None:
        """Read each touched group from a chunk holding it and apply the changed docs to it."""
        where = {key: number for number, keys in enumerate(self.layout)
                 for key in keys if key in touched}
        weights = {number: group_weights(tokens[number]) for number in changed}
        for key in touched:
            forms, postings = [], {}
            if key in where:
                chunk = self.chunk(where[key])
                forms, postings = decode_group(chunk["groups"][self.layout[where[key]].index(key)])
            for number in changed:
                weight = weights[number].get(key)
                if weight:
                    postings[number] = weight
                else:
                    postings.pop(number, None)
            name = key.split(":", 1)[0]
            now = set(forms) | {form for pair_key, form in gained if pair_key == key}
            now -= {form for pair_key, form in lost if pair_key == key and not any(
                has_form(tokens[number], name, form) for number in postings)}
            self.forms[key] = now if postings else set()
            self.encoded[key] = encode_group(now, postings)

    def items(self, number: int, gained: set[Pair]) -> list[tuple[str, list[str]]]:
        """Return old chunk number's forms (each with its groups' keys) as they are now."""
        chunk, keys = self.chunk(number), self.layout[number]
        forms: dict[str, set[str]] = {form: {keys[i] for i in where}
                                      for form, where in chunk["forms"].items()}
        for key, form in gained:
            if self.chunk_of(form) == number and form in self.forms.get(key, ()):
                forms.setdefault(form, set()).add(key)
        items = []
        for form in sorted(forms, key=utf16_order):
            kept = sorted(key for key in forms[form]
                          if key not in self.forms or form in self.forms[key])
            if kept:
                items.append((form, kept))
        return items


def patch_index(numbered: Numbering, tokens: Sequence[Tokens], old_tokens: Mapping[int, Tokens],
                listed: list[list[str]], layout: list[list[str]], load: LoadChunk,
                facets: Mapping[str, Mapping[str, Sequence[int]]]
                ) -> tuple[dict[str, bytes | None], list[list[str]]] | None:
    """Return the index after the docs in old_tokens (number -> their previous tokens) changed
    (path -> bytes, None for an old chunk kept) and each chunk's groups' keys; None when the
    previous index cannot be patched (then build it whole)."""
    if not listed or len(listed) != len(layout):
        return None
    patch = Patch(listed, layout, load)
    touched, gained, lost = changes_of(tokens, old_tokens)
    patch.patch_groups(touched, gained, lost, tokens, sorted(old_tokens))
    affected = {patch.chunk_of(form) for _, form in gained | lost}
    affected |= {number for number, keys in enumerate(layout) if touched.intersection(keys)}
    new_listed, new_layout, files = [], [], {}

    def keep(number: int) -> None:
        new_listed.append(listed[number])
        new_layout.append(layout[number])
        files[listed[number][1]] = None

    def add(chunk) -> None:
        path, data, keys = words_file(chunk, patch.encoded)
        files[path] = data
        new_listed.append([chunk[0][0], path])
        new_layout.append(keys)

    # Each run of touched chunks is cut again from the chunk before it until a cut falls where
    # an old chunk, not touched, began: the chunks between two such runs are kept as they are.
    number, cutter = 0, None
    while number < len(listed):
        if cutter is None:
            following = [touched_chunk for touched_chunk in affected if touched_chunk >= number]
            if not following:
                break
            for kept in range(number, max(number, min(following) - 1)):
                keep(kept)
            number = max(number, min(following) - 1)
            cutter = Cutter(lambda key: len(patch.encoded[key]))
        for form, keys in patch.items(number, gained):
            for chunk in cutter.feed(form, keys):
                add(chunk)
        number += 1
        if not cutter.current and number not in affected:
            cutter = None
    for chunk in cutter.finish() if cutter else ():
        add(chunk)
    for kept in range(number, len(listed)):
        keep(kept)
    files.update(root_and_facets(numbered, new_listed, facets))
    return files, new_layout

