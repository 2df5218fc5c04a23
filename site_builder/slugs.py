"""Slugs: short, readable, URL- and file-system-safe names made from titles and tags."""

from __future__ import annotations

import re

from slugify import slugify

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


def is_valid_slug(slug: str) -> bool:
    """Return whether slug is safe to use as one URL path segment and folder name."""
    return (
        isinstance(slug, str)
        and len(slug) <= 200
        and SLUG_PATTERN.match(slug) is not None
        and slug not in RESERVED_NAMES
    )
