"""A reader of the search index in Python, doing what the search page does (format v1: see
site_builder/outputs/searchindex.py), so that tests can ask a built index questions."""

from __future__ import annotations

import json
import math
from pathlib import Path

from site_builder.outputs.searchindex import utf16_order
from site_builder.outputs.searchwords import searchable, words

MAX_CHUNKS = 3      # chunks fetched for one word


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def decode(deltas: list[int]) -> list[int]:
    """Return a facet's doc numbers from its delta-coded list."""
    numbers, total = [], 0
    for delta in deltas:
        total += delta
        numbers.append(total)
    return numbers


def word_docs(bundle: Path, root: dict, word: str) -> dict[int, float]:
    """Return the docs a query word matches, each with its weight (prefix matches count half)."""
    firsts = [utf16_order(first) for first, _ in root["words"]]
    key = utf16_order(word)
    start = max([i for i, first in enumerate(firsts) if first <= key], default=0)
    chunks = [start] + [i for i in range(start + 1, len(firsts))
                        if root["words"][i][0].startswith(word)][:MAX_CHUNKS - 1]
    found: dict[int, float] = {}
    for number in chunks:
        chunk = read_json(bundle / root["words"][number][1])
        for form, groups in chunk["forms"].items():
            if not form.startswith(word):
                continue
            factor = 1.0 if form == word else 0.5
            for index in groups:
                doc = 0
                for value in chunk["groups"][index]["docs"]:
                    doc += value >> 3
                    found[doc] = max(found.get(doc, 0), (value & 7) * factor)
    return found


def search(bundle: Path, text: str) -> list[int]:
    """Return the docs matching every word of text, best first (ties: newest first)."""
    root = read_json(bundle / "index.json")
    scores: dict[int, float] | None = None
    for word in [w for w in words(text) if searchable(w)]:
        found = word_docs(bundle, root, word)
        idf = math.log(1 + root["docs"] / max(1, len(found)))
        if scores is None:
            scores = {doc: idf * weight for doc, weight in found.items()}
        else:
            scores = {doc: score + idf * found[doc] for doc, score in scores.items() if doc in found}
    return sorted(scores or {}, key=lambda doc: (-scores[doc], -doc))


def urls(bundle: Path, text: str) -> list[str]:
    """Return the URLs of search(bundle, text), from the fragments."""
    root = read_json(bundle / "index.json")
    return [read_json(bundle / root["epoch"] / f"{doc}.json")["url"] for doc in search(bundle, text)]


def listed_files(bundle: Path) -> set[str]:
    """Return every file index.json names, fragments included, and index.json."""
    root = read_json(bundle / "index.json")
    return ({"index.json"} | {path for _, path in root["words"]} | set(root["facets"].values())
            | {f"{root['epoch']}/{n}.json" for n in range(root["docs"])})


def bundle_files(bundle: Path) -> dict[str, bytes]:
    """Return every file of a bundle folder with its bytes."""
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
