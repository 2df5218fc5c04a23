"""The overview of a listing: a strip of its years, each opening into its twelve months, and the
date range each page of a listing holds; pure.

The overview reads in the listing's order (newest year and month first on a newest-first site),
names every count in text, and stays one strip of years however many years the listing spans:
a reader sees the months of one year at a time (the first; static/overview.js opens another).
On the home its links lead to the site's year and month archives, and it counts what they list:
every entry (report), not the home's events; on a tag, country or relation page they lead to
the page of that listing which holds the year or month, at its heading.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Sequence

from ..core.i18n import ENGLISH, Language

LEVELS = 10     # a month's bar is 0-10 tenths of the fullest month's


@dataclass(frozen=True, slots=True)
class OverviewMonth:
    """One month of a year in the overview."""

    month: int
    label: str              # 'March 2023'
    short: str              # the month's short name: 'Mar'
    name: str               # what it is, counted: 'March 2023: 12 entries'
    count: int
    url: str | None         # None when the month has no entries
    level: int              # 0-LEVELS: the bar's height in tenths of the fullest month


@dataclass(frozen=True, slots=True)
class OverviewYear:
    """One year of the overview: its link and, where months are shown, its twelve months."""

    year: int
    count: int
    url: str
    months: tuple[OverviewMonth, ...]     # in listing order; () on a page with years only


@dataclass(frozen=True, slots=True)
class Overview:
    """The overview of a listing: its years in listing order, the first one open."""

    caption: str            # 'Entries per year and month'
    years: tuple[OverviewYear, ...]

    @property
    def has_months(self) -> bool:
        """Return whether the overview opens its years into months (a listing's first page)."""
        return any(year.months for year in self.years)


Placement = tuple[int, int, int]     # (year, month, day), zeros for the parts not given


def build_overview(placed: Sequence[Placement], newest_first: bool,
                   year_url: Callable[[int], str], month_url: Callable[[int, int], str],
                   language: Language = ENGLISH) -> Overview | None:
    """Return the overview of the entries placed at placed, in listing order (None: no
    entries); year_url and month_url give where a year's and a month's links lead; its words
    are in language."""
    if not placed:
        return None
    years: dict[int, int] = {}
    months: dict[tuple[int, int], int] = {}
    for year, month, _ in placed:
        years[year] = years.get(year, 0) + 1
        if month:
            months[(year, month)] = months.get((year, month), 0) + 1
    peak = max(months.values(), default=1)
    order = range(12, 0, -1) if newest_first else range(1, 13)
    rows = []
    for year, count in years.items():       # dicts keep the listing's order
        cells = []
        for month in order:
            number = months.get((year, month), 0)
            if not number:    # the same in every listing: one cell serves them all
                cells.append(language.once(("overview month", year, month), month_cell,
                                           year, month, 0, None, 0, language))
                continue
            cells.append(month_cell(year, month, number, month_url(year, month),
                                    -(-LEVELS * number // peak), language))
        rows.append(OverviewYear(year, count, year_url(year), tuple(cells)))
    return Overview(language.gettext("Entries per year and month"), tuple(rows))


def month_cell(year: int, month: int, count: int, url: str | None, level: int,
               language: Language) -> OverviewMonth:
    """Return the overview's cell of a month with count entries."""
    label = language.month_label(year, month)
    return OverviewMonth(month, label, language.short_month_name(month),
                         language.once(("overview month name", year, month, count), month_name,
                                       label, count, language), count, url, level)


def month_name(label: str, count: int, language: Language) -> str:
    """Return a month's accessible name: 'December 2022: 3 entries'."""
    words = {"month": label, "count": language.number(count)}
    return language.ngettext("%(month)s: %(count)s entry", "%(month)s: %(count)s entries",
                             count) % words


def years_only(overview: Overview | None) -> Overview | None:
    """Return the overview without its months: the year jump of a listing's later pages."""
    if overview is None:
        return None
    return dataclasses.replace(overview, years=tuple(
        dataclasses.replace(year, months=()) for year in overview.years))


def first_pages(placed: Sequence[Placement], size: int) -> dict[tuple[int, int], int]:
    """Return (year, 0) and (year, month) -> the number of the first page of a listing, size
    entries a page, that holds an entry of that year or month."""
    found: dict[tuple[int, int], int] = {}
    for index, (year, month, _) in enumerate(placed):
        page = index // size + 1
        found.setdefault((year, 0), page)
        if month:
            found.setdefault((year, month), page)
    return found


def range_label(first: Placement, last: Placement, by_day: bool = False,
                language: Language = ENGLISH) -> str:
    """Return the dates a page holds, from its first entry's placement to its last's:
    'Mar 2023 – Jan 2023', 'Mar 2023' (one month), '31 Mar 2023 – 20 Mar 2023' (by_day)."""
    start, end = place_label(first, by_day, language), place_label(last, by_day, language)
    return start if start == end else f"{start} – {end}"


def place_label(place: Placement, by_day: bool, language: Language = ENGLISH) -> str:
    """Return 'Mar 2023' for a placement ('20 Mar 2023' by_day, '2023' when only a year)."""
    year, month, day = place
    if not month:
        return str(year)
    return language.short_day_label(year, month, day) if by_day and day \
        else language.short_month_label(year, month)


def page_ranges(placed: Sequence[Placement], size: int, by_day: bool = False,
                language: Language = ENGLISH) -> tuple[str, ...]:
    """Return the range label of each page of a listing, size entries a page."""
    return tuple(range_label(placed[start], placed[min(start + size, len(placed)) - 1], by_day,
                             language)
                 for start in range(0, len(placed), size))
