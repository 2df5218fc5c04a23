"""Event dates: EDTF levels 0 and 1 (a day, month or year, an interval of them, uncertain `?`,
approximate `~` or both `%`) as a frozen value, and the words pages show for it; pure.

Parsing is PyPI's `edtf` (the Library of Congress specification); a plain day, month or year,
by far the most common values, skip its parser (some 3 ms a value) for datetime's, which gives
the same result (tests/test_eventdates.py holds the two together).
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any

from babel.dates import format_interval

from .i18n import ENGLISH, Language

EVENT_DATE_HINT = ("write an EDTF date such as 2022-12-30, 2022-12, 2022, "
                   "2023-03-20/2023-03-22, 2022-12-30? (uncertain) or 2022-12~ (approximate)")
MONTH_NAMES = tuple(calendar.month_name)
PRECISIONS = ("year", "month", "day")
_PLAIN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class EventDate:
    """When an entry's event happened, as its front matter's `event_date` says."""

    text: str                      # as written
    start: datetime.date           # the first day it may cover
    end: datetime.date             # the last day it may cover
    precision: str                 # of the start: 'day', 'month' or 'year'
    end_precision: str             # of the end (the start's, unless an interval)
    uncertain: bool = False
    approximate: bool = False
    is_interval: bool = False


@dataclass(frozen=True)
class _Part:
    """One date of an EDTF value: its first and last days and precision."""

    first: datetime.date
    last: datetime.date
    precision: str
    uncertain: bool = False
    approximate: bool = False


def _part(year: int, month: int | None, day: int | None) -> _Part:
    """Return the part for a year, month and day (None for the parts not given)."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of the range 1 to 9999")
    if month is None:
        return _Part(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return _Part(datetime.date(year, month, 1), datetime.date(year, month, last), "month")
    first = datetime.date(year, month, day)
    return _Part(first, first, "day")


def _edtf_part(node: Any, text: str) -> _Part:
    """Return the part an edtf Date, or uncertain/approximate Date, stands for."""
    from edtf.parser import parser_classes as edtf_classes   # see parse_event_date

    flags = {}
    if type(node) is edtf_classes.UncertainOrApproximate:
        flags = {"uncertain": node.is_uncertain or node.is_uncertain_and_approximate,
                 "approximate": node.is_approximate or node.is_uncertain_and_approximate}
        node = node.date
    if type(node) is not edtf_classes.Date or node.significant_digits:
        raise ValueError(f"event_date '{text[:60]}' is EDTF, but not a day, month or year "
                         f"or an interval of them")
    part = _part(int(node._year), node._month and int(node._month), node._day and int(node._day))
    return _Part(part.first, part.last, part.precision, **flags)


@functools.lru_cache(maxsize=4096)
def parse_event_date(text: str) -> EventDate:
    """Return the EventDate an EDTF text stands for; ValueError says why it is not one."""
    match = _PLAIN.match(text)
    if match:
        try:
            part = _part(*(int(g) if g else None for g in match.groups()))
        except ValueError:
            raise ValueError(f"event_date '{text[:60]}' is not a calendar date") from None
        return EventDate(text, part.first, part.last, part.precision, part.precision)
    # edtf (with pyparsing) takes half a second to import: only dates beyond a plain day,
    # month or year need it, and a build that parses no entry none
    from edtf import parse_edtf
    from edtf.parser import parser_classes as edtf_classes
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        node = parse_edtf(text)
    except (EDTFParseException, TypeError, ValueError):   # TypeError: '..' open ends
        raise ValueError(f"event_date '{text[:60]}' is not an EDTF date") from None
    if isinstance(node, edtf_classes.Interval):
        start, end = _edtf_part(node.lower, text), _edtf_part(node.upper, text)
        if end.last < start.first:
            raise ValueError(f"event_date '{text[:60]}' ends before it starts")
        return EventDate(text, start.first, end.last, start.precision, end.precision,
                         start.uncertain or end.uncertain, start.approximate or end.approximate,
                         is_interval=True)
    part = _edtf_part(node, text)
    return EventDate(text, part.first, part.last, part.precision, part.precision,
                     part.uncertain, part.approximate)


def event_date_of(value: Any) -> EventDate:
    """Return the EventDate of a front matter value (YAML reads 2022-12-30 as a date and 2022
    as a number); ValueError says why it is not one."""
    if isinstance(value, datetime.datetime):
        raise ValueError("event_date is a day, month or year, not a time of day")
    if isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}" if value >= 0 else str(value)
    if not isinstance(value, str):
        raise ValueError(f"event_date must be an EDTF date, not {type(value).__name__}")
    return parse_event_date(value.strip())


def _day_words(day: datetime.date, precision: str, language: Language) -> str:
    """Return '30 December 2022', 'December 2022' or '2022'."""
    if precision == "year":
        return str(day.year)
    return language.month_label(day.year, day.month) if precision == "month" \
        else language.long_date(day)


def _span_words(event: EventDate, language: Language) -> str:
    """Return an interval as words, naming shared parts once: '20–22 March 2023' (CLDR's
    interval formats in other languages than English: '20—22 мар. 2023 г.')."""
    start, end = event.start, event.end
    same = event.precision == event.end_precision
    if same and language.locale.language != "en":
        skeleton = {"year": "y", "month": "yMMMM", "day": "yMMMMd"}[event.precision]
        return format_interval(start, end, skeleton, locale=language.locale)
    if same and event.precision == "year":
        return f"{start.year}–{end.year}"
    if same and start.year == end.year:
        if event.precision == "month":
            return f"{MONTH_NAMES[start.month]}–{MONTH_NAMES[end.month]} {end.year}"
        if start.month == end.month:
            return f"{start.day}–{end.day} {MONTH_NAMES[end.month]} {end.year}"
        return f"{start.day} {MONTH_NAMES[start.month]} – {_day_words(end, 'day', language)}"
    return (f"{_day_words(start, event.precision, language)} – "
            f"{_day_words(end, event.end_precision, language)}")


def event_words(event: EventDate, language: Language = ENGLISH) -> str:
    """Return the event date as words: '30 December 2022', 'about December 2022',
    'perhaps 30 December 2022', '20–22 March 2023'."""
    words = _span_words(event, language) if event.is_interval \
        else _day_words(event.start, event.precision, language)
    if event.approximate:
        words = language.gettext("about %(date)s") % {"date": words}
    if event.uncertain:
        words = language.gettext("perhaps %(date)s") % {"date": words}
    return words


def event_datetime_attribute(event: EventDate) -> str:
    """Return the HTML datetime attribute of an event's start: '2022-12-30', '2022-12' or
    '2022' (a valid date, month or year string)."""
    start = event.start
    if event.precision == "year":
        return f"{start.year:04d}"
    if event.precision == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()
