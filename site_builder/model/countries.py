"""Which countries an entry involves, recognised from its tags and dateline; pure.

A Recognizer is given its name table (see core/countrydata.py) and the site's own names, and
remembers what it found for each tag, so that a site of 10,000 entries looks up each of its
distinct tags once. The rules, in the order they are tried for a tag:

1. the whole tag is a name: a country's in any language the data knows, a capital's or a big
   city's ('russia', 'Russian Federation', 'россия', 'moscow');
2. dotted initials are a country code or a name ('U.S.' -> US, 'U.A.E.' -> AE);
3. a tag joined by '-', '–', '—' or '/' whose every part names a country, the first part by
   its last words and the last by its first words ('russia-china relations' -> RU, CN;
   'moscow-beijing ties' -> RU, CN; 'U.S.-China' and 'US-China' -> US, CN: in a joined tag a
   code in capitals counts too). A part that names nothing means no country at all, so that
   'al-qaeda' or 'anti-corruption' find none.

A dateline is the place before the first '(', ',' or ' - ' ('BEIJING (Sputnik)' -> CN).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from ..core.countrydata import name_key

_JOINS = re.compile(r"\s*[-–—/]\s*")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.){2,}$|^(?:[^\W\d_]\.)+[^\W\d_]$")
_DATELINE_END = re.compile(r"\(|,| [-–—] ")
MAX_NAME_WORDS = 4      # the longest run of words rule 3 tries as a name ('bosnia and herzegovina')


def flag(code: str) -> str:
    """Return a country's flag as its two regional indicator characters."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Return a pair of country codes in alphabetical order."""
    return (a, b) if a < b else (b, a)


class Recognizer:
    """Finds the countries a tag or a dateline names, each tag looked at once."""

    def __init__(self, table: Mapping[str, str], codes: Iterable[str],
                 extra: Mapping[str, str] | None = None):
        self.table = table
        self.codes = frozenset(codes)
        self.extra = {name_key(name): code for name, code in (extra or {}).items()}
        self.known: dict[str, tuple[str, ...]] = {}

    def name(self, text: str) -> str | None:
        """Return the code of the country a whole name stands for, if any."""
        key = name_key(text)
        return self.extra.get(key) or self.table.get(key)

    def initials(self, text: str) -> str | None:
        """Return the code dotted initials ('U.S.', 'U.K.') stand for, if any."""
        if not _INITIALS.match(text.strip()):
            return None
        letters = text.replace(".", "").strip().upper()
        return letters if letters in self.codes else self.name(letters)

    def part(self, text: str) -> str | None:
        """Return the code a part of a joined tag names: a name, dotted initials, or a code
        written in capitals ('US' in 'US-China relations', where it cannot be the word 'us')."""
        if len(text) == 2 and text.isupper() and text in self.codes:
            return text
        return self.name(text) or self.initials(text)

    def joined(self, text: str) -> tuple[str, ...]:
        """Return the codes of a tag joined by dashes or slashes whose every part names a
        country (see the module's rule 3), or () when one part names none."""
        parts = [part.split() for part in _JOINS.split(text.strip())]
        if len(parts) < 2 or not all(parts):
            return ()
        found = []
        for index, words in enumerate(parts):
            sizes = range(min(MAX_NAME_WORDS, len(words)), 0, -1)
            if index == 0:
                runs = [words[-n:] for n in sizes]          # its last words
            elif index == len(parts) - 1:
                runs = [words[:n] for n in sizes]           # its first words
            else:
                runs = [words]
            code = next(filter(None, (self.part(" ".join(run)) for run in runs)), None)
            if code is None:
                return ()
            found.append(code)
        return tuple(dict.fromkeys(found))

    def tag(self, tag: str) -> tuple[str, ...]:
        """Return the codes of the countries a tag names (none, one, or those it joins)."""
        found = self.known.get(tag)
        if found is None:
            code = self.name(tag) or self.initials(tag)
            found = self.known[tag] = (code,) if code else self.joined(tag)
        return found

    def dateline(self, dateline: str) -> str | None:
        """Return the code of the country a dateline's place is in, if known."""
        place = _DATELINE_END.split(dateline, maxsplit=1)[0].strip()
        return self.name(place) if place else None

    def countries(self, tags: Iterable[str], dateline: str) -> tuple[str, ...]:
        """Return the codes of the countries named by the tags, in order, then the dateline's."""
        found: dict[str, None] = {}
        for tag in tags:
            found.update(dict.fromkeys(self.tag(tag)))
        place = self.dateline(dateline) if dateline else None
        if place:
            found[place] = None
        return tuple(found)
