"""The index pages' orders (tags, countries): by name under initial letters, or by number of
entries; pure. Each index page ships one order, so a 300-tag index is not twice as long."""

from __future__ import annotations

import unicodedata
from typing import Callable, Sequence, TypeVar

from .views import IndexSection

Row = TypeVar("Row")
OTHER = "#"     # the heading of names that do not begin with a letter


def initial(name: str) -> str:
    """Return the capital letter a name is filed under ('É' under 'E'), or '#' for a digit or
    a sign."""
    first = unicodedata.normalize("NFKD", name.strip()[:1])[:1]
    return first.upper() if first.isalpha() else OTHER


def letter_anchor(letter: str) -> str:
    """Return the fragment id of a letter's section: 'letter-a', 'letter-u416' for 'Ж'."""
    if letter == OTHER:
        return "letter-other"
    return f"letter-{letter.lower()}" if letter.isascii() else f"letter-u{ord(letter):x}"


def by_letter(rows: Sequence[Row], name_of: Callable[[Row], str]) -> tuple[IndexSection, ...]:
    """Return rows (already in name order) as one section per initial letter, in the order the
    letters first come."""
    sections: dict[str, list[Row]] = {}
    for row in rows:
        sections.setdefault(initial(name_of(row)), []).append(row)
    return tuple(IndexSection(letter, letter_anchor(letter), tuple(items))
                 for letter, items in sections.items())


def by_count(rows: Sequence[Row], name_of: Callable[[Row], str],
             count_of: Callable[[Row], int]) -> tuple[IndexSection, ...]:
    """Return rows as one section without a letter, most entries first, then by name."""
    ordered = sorted(rows, key=lambda row: (-count_of(row), name_of(row).casefold()))
    return (IndexSection("", "", tuple(ordered)),) if ordered else ()
