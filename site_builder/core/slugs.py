"""Slugs: short, readable, URL- and file-system-safe names made from titles and tags."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Iterable

from slugify import slugify

from .digests import name_digest

MAX_SLUG_LENGTH = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Names Windows reserves for devices: a folder called so cannot be checked out there.
# "China's" becomes "chinas", not "china-s".
_APOSTROPHES = [["'", ""], ["\u2019", ""], ["\u02bc", ""]]
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)


def make_slug(text: str, fallback: str = "untitled") -> str:
    """Return a lowercase ASCII slug for text (transliterating other scripts), never empty."""
    slug = slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True,
                   replacements=_APOSTROPHES)
    slug = slug.strip("-") or fallback
    if slug in RESERVED_NAMES:
        slug += "-1"
    return slug


def tag_identity(name: str) -> str:
    """Return what makes two tag names one tag: the name in NFC, case-folded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def tag_slugs(identities: Iterable[str]) -> dict[str, str]:
    """Return tag identity -> slug, distinct for distinct identities.

    A tag's slug is made from its identity. Where several identities make the same slug
    ('c', 'c++', 'c#'), or one makes none (an emoji), each gets a suffix: a digest of its
    identity, so it depends neither on order nor on the other tags' names; the identity that
    is the slug itself ('c') keeps it plain. No slug is longer than MAX_SLUG_LENGTH.
    """
    plain = {key: make_slug(key, fallback="") for key in sorted(set(identities))}
    sharing = Counter(plain.values())
    slugs: dict[str, str] = {}
    taken = {slug for key, slug in plain.items() if sharing[slug] == 1 or slug == key}
    for key, slug in plain.items():
        if slug and (sharing[slug] == 1 or slug == key):
            slugs[key] = slug
            continue
        digest = name_digest(key)
        for length in (8, 12, 64):      # a longer digest only on a clash of the short one
            head = (slug or "tag")[:MAX_SLUG_LENGTH - length - 1].rstrip("-")
            slugs[key] = f"{head}-{digest[:length]}"
            if slugs[key] not in taken:
                break
        taken.add(slugs[key])
    return slugs


def is_valid_slug(slug: str) -> bool:
    """Return whether slug is safe to use as one URL path segment and folder name."""
    return (
        isinstance(slug, str)
        and len(slug) <= 200
        and SLUG_PATTERN.match(slug) is not None
        and slug not in RESERVED_NAMES
    )
