"""Events: which entries report the same event; pure.

Two entries report one event when their event days are at most a day apart and their texts
(title, lead and first paragraph) are near-duplicates, or when a person says so with
`same_event_as: <slug>` (`same_event_as: none` keeps an entry apart from loose matches).

Loose matches do not chain: groups are formed around seeds taken in a fixed order (event day,
then time, slug and path), and a loose match joins a group only when it matches the group's
seed, its first report, or an entry linked to the seed by hand; never one that joined loosely.
Explicit links are transitive: an entry brings every entry linked to it.
The same entries so give the same groups in any order of files.

Near-duplicates are found by rapidfuzz: each text becomes the set of its words of four letters
or more (a text needs MIN_WORDS of them to match at all), each word one character, sorted; the
Indel similarity of two such strings (rapidfuzz's `fuzz.ratio`) is the Dice coefficient of the
word sets, and two texts match when it is at least MATCH_SCORE. Only entries of the same or the
next day are compared; each day's comparisons are memoised under a digest of what they read,
so an edit compares again only around its day.
"""

from __future__ import annotations

import datetime
import html
import re
from collections import defaultdict
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from .records import Entry
from ..core.digests import digest_of

MATCH_SCORE = 70            # percent: measured on benchmarks/generate.py --shared-events
MIN_WORD = 4                # shorter words ("the", "said") say little and cost time
MIN_WORDS = 8               # a text of fewer distinct words is too short to match loosely
MEMO_PREFIX = "events "     # memo keys of the day blocks, beside the related entries' digest
APART = "none"              # same_event_as: none
Matches = dict[str, tuple[str, ...]]   # entry path -> the paths of its loose matches
Memo = Mapping[str, Matches]           # memo key -> the matches worked out under it
_TAG = re.compile(r"<[^>]*>")
_LONG_WORD = re.compile(rf"\w{{{MIN_WORD},}}")


def event_start(entry: Entry) -> datetime.date:
    """Return the day an entry sits at in time: its event's start, else its publication day
    (entry may be an Entry or anything with its event and date, such as a listing's summary)."""
    return entry.event.start if entry.event else entry.date


def first_paragraph(body_html: str) -> str:
    """Return the text of the first paragraph of a rendered body ('' when it has none)."""
    start = body_html.find("<p>")
    end = body_html.find("</p>", start)
    return html.unescape(_TAG.sub("", body_html[start + 3:end])) if 0 <= start < end else ""


def text_words(title: str, lead: str, body_html: str) -> str:
    """Return what grouping compares of an entry: the sorted distinct words (MIN_WORD letters or
    more, case-folded) of its title, lead and first paragraph; '' when there are fewer than
    MIN_WORDS, too few to match loosely."""
    text = f"{title} {lead} {first_paragraph(body_html)}".casefold()
    words = set(_LONG_WORD.findall(text))
    return " ".join(sorted(words)) if len(words) >= MIN_WORDS else ""


def event_words(entry: Entry) -> str:
    """Return what grouping compares of an entry (see text_words)."""
    return text_words(entry.title, entry.lead, entry.body_html)


def link_of(entry: Entry) -> str | None:
    """Return the slug an entry's same_event_as names, APART, or None (absent or not text)."""
    value = entry.params.get("same_event_as")
    if value is None or not isinstance(value, str):
        return None
    value = value.strip()
    return APART if value.casefold() == APART else value


def is_primary(entry: Entry) -> bool:
    """Return whether an entry is marked as its event's primary report."""
    return entry.params.get("primary") is True


def grouping_order(entry: Entry) -> tuple:
    """Return the key that orders entries as grouping takes them: event day, time, slug, path."""
    return (event_start(entry), entry.instant, entry.slug, entry.path)


class WordCodes:
    """Gives each distinct word one character, so that a text's sorted set of words is a string
    rapidfuzz compares word by word: the Indel similarity of two such strings is the Dice
    coefficient of the word sets, 2 * |A & B| / (|A| + |B|), whatever characters the words get."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def __call__(self, path: str, words: str) -> str:
        """Return the code string of an entry's words (worked out once per path)."""
        text = self.texts.get(path)
        if text is None:
            codes = self.codes
            for word in words.split():
                if word not in codes:
                    number = len(codes) + 1
                    # A character that is no surrogate, so the string can be encoded.
                    codes[word] = chr(number if number < 0xD800 else number + 0x800)
            text = self.texts[path] = "".join(sorted([codes[word] for word in words.split()]))
        return text


def _block_matches(queries: Sequence[tuple[str, str]], block: Sequence[tuple[str, str]],
                   encode: WordCodes) -> Matches:
    """Return path -> matched paths among block (path, words) for each of queries (the first
    entries of block), and the reverse matches, for every path of block."""
    found: dict[str, set[str]] = {path: set() for path, _ in block}
    choices = [encode(path, words) for path, words in block]
    for index, (path, _) in enumerate(queries):
        for _, _, other in process.extract(choices[index], choices, scorer=fuzz.ratio,
                                           score_cutoff=MATCH_SCORE, limit=None):
            if other != index:
                found[path].add(block[other][0])
                found[block[other][0]].add(path)
    return {path: tuple(sorted(others)) for path, others in found.items()}


def loose_matches(entries: Sequence[Entry], known: Memo
                  ) -> tuple[dict[str, set[str]], dict[str, Matches]]:
    """Return entry path -> the paths of the entries its text near-duplicates within a day, and
    the memo of the day blocks worked out (known holds an earlier build's)."""
    days: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for entry in entries:
        words = event_words(entry) if link_of(entry) != APART else ""
        if words:
            days[event_start(entry).toordinal()].append((entry.path, words))
    matches: dict[str, set[str]] = defaultdict(set)
    memo: dict[str, Matches] = {}
    encode = WordCodes()
    for day in sorted(days):
        queries = sorted(days[day])
        block = queries + sorted(days.get(day + 1, ()))
        key = MEMO_PREFIX + digest_of(MATCH_SCORE, MIN_WORD, MIN_WORDS, block, len(queries))
        found = known.get(key)
        if found is None or found.keys() != {path for path, _ in block}:
            found = _block_matches(queries, block, encode)
        memo[key] = found
        for path, others in found.items():
            matches[path].update(others)
    return matches, memo


def _components(entries: Sequence[Entry]) -> dict[str, list[str]]:
    """Return entry path -> the paths of the entries joined to it by same_event_as links, in
    grouping order (one shared list per component)."""
    by_slug: dict[str, str] = {}
    for entry in entries:
        by_slug.setdefault(entry.slug, entry.path)
    parent = {entry.path: entry.path for entry in entries}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for entry in entries:
        target = by_slug.get(link_of(entry) or "")
        if target is not None:
            parent[root(entry.path)] = root(target)
    members: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        members[root(entry.path)].append(entry.path)
    return {path: members[root(path)] for path in parent}


def group_events(entries: Iterable[Entry], known: Memo | None = None
                 ) -> tuple[list[tuple[str, ...]], dict[str, Matches]]:
    """Return the events that have more than one report, each as its entries' paths (the
    primary report first, then by time), and the memo of the comparisons made (see
    loose_matches)."""
    ordered = sorted(entries, key=grouping_order)
    rank = {entry.path: n for n, entry in enumerate(ordered)}
    by_path = {entry.path: entry for entry in ordered}
    matches, memo = loose_matches(ordered, known or {})
    component = _components(ordered)
    assigned: set[str] = set()
    groups = []
    for seed in ordered:
        if seed.path in assigned:
            continue
        members = list(component[seed.path])
        assigned.update(members)
        candidates = set().union(*[matches.get(path, ()) for path in members])
        for other in sorted(candidates, key=rank.__getitem__):
            if other not in assigned and link_of(by_path[other]) != APART:
                joining = component[other]
                members += joining
                assigned.update(joining)
        if len(members) > 1:
            reports = [by_path[path] for path in members]
            reports.sort(key=lambda e: (not is_primary(e), e.instant, e.slug, e.path))
            groups.append(tuple(entry.path for entry in reports))
    return groups, memo


def link_problems(entries: Sequence[Entry], groups: Sequence[Sequence[str]],
                  drafts: Iterable[str] = ()) -> list[tuple[str, str, str]]:
    """Return (entry path, front matter key, message) for each same_event_as or primary that is
    wrong: not text or not true/false, naming no entry (nor one of the slugs of drafts left
    out of the build), in a cycle of links, or a second primary report of one event."""
    drafts = set(drafts)
    by_slug: dict[str, Entry] = {}
    for entry in sorted(entries, key=grouping_order):
        by_slug.setdefault(entry.slug, entry)
    problems = []
    for entry in entries:
        value = entry.params.get("same_event_as")
        if value is not None and not isinstance(value, str):
            problems.append((entry.path, "same_event_as", "'same_event_as' must be the slug of "
                             "another entry, or none"))
        elif link_of(entry) not in (None, APART, *drafts) and link_of(entry) not in by_slug:
            problems.append((entry.path, "same_event_as", f"same_event_as names "
                             f"'{link_of(entry)[:80]}', which is the slug of no entry"))
        elif _in_cycle(entry, by_slug):
            problems.append((entry.path, "same_event_as", "same_event_as links go round in a "
                             "cycle back to this entry; let one report of the event name none "
                             "of the others"))
        primary = entry.params.get("primary")
        if primary is not None and not isinstance(primary, bool):
            problems.append((entry.path, "primary", "'primary' must be true or false"))
    by_path = {entry.path: entry for entry in entries}
    for group in groups:
        marked = [path for path in group if is_primary(by_path[path])]
        for path in marked[1:]:
            problems.append((path, "primary", f"another report of this event, {marked[0]}, is "
                             "marked primary: true too; keep one"))
    return sorted(problems)


def _in_cycle(entry: Entry, by_slug: Mapping[str, Entry]) -> bool:
    """Return whether following same_event_as links from entry comes back to it."""
    seen = set()
    current = entry
    while True:
        target = by_slug.get(link_of(current) or "")
        if target is None or target.path in seen:
            return False
        if target.path == entry.path:
            return True
        seen.add(target.path)
        current = target
