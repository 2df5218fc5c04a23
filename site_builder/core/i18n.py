"""The site's language as pages speak it: gettext translations of the theme's words and the
CLDR locale of its dates and numbers, as one value that pure modules are handed; pure.

Catalogs are loaded by outputs/catalogs.py; here are the checks a catalog must pass and the
close matches an unknown language code is answered with.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import gettext
import re
from dataclasses import dataclass, field
from typing import Iterator

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, match_skeleton
from babel.localedata import locale_identifiers
from babel.messages.catalog import Catalog
from babel.numbers import format_decimal

# 'en' alone dates in the theme's day-month-year order ('31 December 2022'), as CLDR's world
# English does; 'en-US' gets CLDR's American order.
DATE_LOCALES = {"en": "en_001"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_PERCENT = re.compile(r"%(?:\((\w+)\)[sd]|%)?")     # a placeholder, '%%', or a stray '%'
_COUNTS = {"count", "num"}      # a plural form may leave the number out ('one entry')


@dataclass(frozen=True)
class Language:
    """The words and formats of a site's language: gettext callables and a CLDR locale."""

    locale: Locale
    translations: gettext.NullTranslations
    # Babel takes 30 to 150 µs a call, and the pages name the same few hundred days and counts
    # again and again: each text is made once per value (keyed cheaply: hashing a Locale is slow).
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def gettext(self, message: str) -> str:
        """Return message in the site's language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Return the form of a message the site's language uses for count."""
        return self.translations.ngettext(singular, plural, count)

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """Return a message's forms by CLDR plural category ('one', 'few', 'other'…), for a
        script that picks one with Intl.PluralRules; made once per message."""
        return self.once(("plural_forms", singular, plural), self._plural_forms, singular, plural)

    def _plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """Return a message's forms by CLDR plural category, made anew."""
        return {category: self.ngettext(singular, plural, count)
                for category, count in plural_samples(self.locale).items()}

    def number(self, value: int) -> str:
        """Return a count with the locale's digit grouping: '12,345', '12 345'."""
        return self.once(("number", value), format_decimal, value, locale=self.locale)

    def long_date(self, day: datetime.date) -> str:
        """Return '31 December 2022', '31 декабря 2022 г.', '2022年12月31日'."""
        return self.once(("long", day), format_date, day, "long", locale=self.locale)

    def date_parts(self, day: datetime.date) -> Iterator[tuple[str, str]]:
        """Yield (field, text) pieces of the long date, field 'd', 'M', 'y' or '' (literal
        text), so that a page can link the day, month and year of it each."""
        pattern = self.locale.date_formats["long"]
        values = {name: format_date(day, name, locale=self.locale)
                  for name in re.findall(r"%\((\w+)\)s", pattern.format)}
        for index, piece in enumerate(re.split(r"%\((\w+)\)s", pattern.format)):
            if index % 2:
                yield piece[0], values[piece]
            elif piece:
                yield "", piece.replace("%%", "%")

    @functools.cached_property
    def theme_english(self) -> bool:
        """Return whether short dates take the theme's English forms ('3 Sep', 'Sep 2022'),
        not CLDR's ('3 Sept'): the site's language is plain 'en'."""
        return str(self.locale) == DATE_LOCALES["en"]

    def short_date(self, day: datetime.date) -> str:
        """Return '31 Dec', for listings under a month heading."""
        return self.once(("short", day), self._short_date, day)

    def _short_date(self, day: datetime.date) -> str:
        """Return '31 Dec', made anew."""
        if self.theme_english:
            return f"{day.day} {self.month_name(day.month)[:3]}"
        return format_date(day, self.skeleton_pattern("dMMM"), locale=self.locale)

    def month_label(self, year: int, month: int) -> str:
        """Return 'December 2022', 'декабрь 2022 г.'."""
        return self.once(("month", year, month), format_date, datetime.date(year, month, 1),
                         self.skeleton_pattern("yMMMM"), locale=self.locale)

    def skeleton_pattern(self, skeleton: str) -> str:
        """Return the locale's date pattern closest to a CLDR skeleton ('dMMM' -> 'd MMM'):
        Babel's format_skeleton looks for it anew on every call (some 200 µs)."""
        return self.once(("skeleton", skeleton), _closest_pattern, skeleton, self.locale)

    def short_month_name(self, month: int) -> str:
        """Return the month's short name standing alone: 'Mar', 'март', '3月'."""
        if self.theme_english:
            return self.once(("short_month_name", month), str.__getitem__,
                             self.month_name(month), slice(3))
        return self.once(("short_month_name", month), format_date, datetime.date(2000, month, 1),
                         "LLL", locale=self.locale)

    def short_month_label(self, year: int, month: int) -> str:
        """Return 'Mar 2023', 'мар. 2023 г.', for the dates a listing page holds."""
        if self.theme_english:
            return f"{self.short_month_name(month)} {year}"
        return self.once(("short_month", year, month), format_date, datetime.date(year, month, 1),
                         self.skeleton_pattern("yMMM"), locale=self.locale)

    def short_day_label(self, year: int, month: int, day: int) -> str:
        """Return '20 Mar 2023', '20 мар. 2023 г.'."""
        if self.theme_english:
            return f"{day} {self.short_month_label(year, month)}"
        return self.once(("short_day", year, month, day), format_date,
                         datetime.date(year, month, day), self.skeleton_pattern("yMMMd"),
                         locale=self.locale)

    def month_name(self, month: int) -> str:
        """Return the month's name standing alone: 'December', 'декабрь'."""
        return self.once(("month_name", month), format_date, datetime.date(2000, month, 1),
                          "LLLL", locale=self.locale)

    def once(self, key: tuple, formatter, *args, **kwargs):
        """Return formatter(*args, **kwargs), made the first time key is asked for."""
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = formatter(*args, **kwargs)
        return found


@functools.cache
def plural_samples(locale: Locale) -> dict[str, int]:
    """Return a count of each CLDR plural category the locale has: {'one': 1, 'other': 0}."""
    samples: dict[str, int] = {}
    for count in (*range(0, 200), 1_000_000):     # 'many' in French and Spanish: a million
        samples.setdefault(locale.plural_form(count), count)
    return samples


def _closest_pattern(skeleton: str, locale: Locale) -> str:
    """Return the pattern format_skeleton would use for a skeleton in a locale."""
    found = skeleton if skeleton in locale.datetime_skeletons else \
        match_skeleton(skeleton, locale.datetime_skeletons) or skeleton
    return locale.datetime_skeletons[found].pattern


ENGLISH = Language(Locale.parse(DATE_LOCALES["en"]), gettext.NullTranslations())


def parse_locale(code: str) -> Locale:
    """Return the Babel locale of a language code ('ru', 'pt-BR', 'zh_Hans'); UnknownLocaleError
    or ValueError when Babel knows none."""
    normal = code.strip().replace("-", "_")
    return Locale.parse(DATE_LOCALES.get(normal, normal))


def close_languages(code: str) -> list[str]:
    """Return up to five known language codes that look like code, or whose English name
    does ('russian' -> 'ru')."""
    text = code.strip().replace("-", "_")
    names = {name.casefold(): known for known, name in Locale("en").languages.items()
             if known in known_codes()}
    by_name = [names[n] for n in difflib.get_close_matches(text.casefold(), names, n=3)]
    by_code = difflib.get_close_matches(text, known_codes(), n=5)
    return list(dict.fromkeys(by_name + by_code))[:5]


@functools.cache
def known_codes() -> list[str]:
    """Return every locale identifier Babel knows ('ru', 'zh_Hans_CN', ...)."""
    return sorted(locale_identifiers())


def is_known_language(code: str) -> bool:
    """Return whether Babel knows a language code."""
    try:
        parse_locale(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def placeholders(text: str) -> set[str]:
    """Return the named placeholders of a message: {'count'} for '%(count)s entries'."""
    return set(_PLACEHOLDER.findall(text))


def catalog_problems(catalog: Catalog) -> Iterator[tuple[int | None, str]]:
    """Yield (line, problem) for each translation of a catalog whose placeholders do not match
    its message's."""
    for message in catalog:
        if message.id:
            for problem in message_problems(message.id, message.string):
                yield message.lineno, problem


def message_problems(msgid: str | tuple[str, ...], string: str | tuple[str, ...]) -> Iterator[str]:
    """Yield what is wrong with the placeholders of a translation: one it lacks (a plural form
    may leave the count out), one the message does not have, or a stray '%'."""
    ids = tuple(msgid) if isinstance(msgid, (list, tuple)) else (msgid,)
    strings = tuple(string) if isinstance(string, (list, tuple)) else (string,)
    expected = set().union(*map(placeholders, ids))
    optional = _COUNTS if len(ids) > 1 else set()
    for text in strings:
        if not text:
            continue
        found = placeholders(text)
        unknown, missing = found - expected, expected - found - optional
        broken = any(m.group() == "%" for m in _PERCENT.finditer(text))
        if unknown or missing or broken:
            what = "; ".join(
                [f"has %({name})s, which the message does not" for name in sorted(unknown)]
                + [f"lacks %({name})s" for name in sorted(missing)]
                + ["has a '%' that is no placeholder (write %% for a percent sign)"] * broken)
            yield f"the translation of {ids[0]!r} {what}"
