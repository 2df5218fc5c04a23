"""Dates as pages name them: '31 December 2022', '31 Dec', 'December 2022'; pure."""

from __future__ import annotations

import calendar
import datetime

from ..core.eventdates import EventDate, event_words
from ..model.records import Period

MONTH_NAMES = tuple(calendar.month_name)


def long_date(day: datetime.date) -> str:
    """Return '31 December 2022'."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def short_date(day: datetime.date) -> str:
    """Return '31 Dec', for listings that sit under a month heading."""
    return f"{day.day} {MONTH_NAMES[day.month][:3]}"


def event_short(event: EventDate) -> str:
    """Return an event date for a listing under month headings: '30 Dec' for a plain day, the
    words of anything else ('about December 2022', '20–22 March 2023')."""
    return short_date(event.start) if is_plain_day(event) else event_words(event)


def is_plain_day(event: EventDate) -> bool:
    """Return whether an event date is one certain day, which a listing names by day alone."""
    return event.precision == "day" and not (event.is_interval or event.uncertain
                                             or event.approximate)


def month_label(year: int, month: int) -> str:
    """Return 'December 2022'."""
    return f"{MONTH_NAMES[month]} {year}"


def period_label(period: Period) -> str:
    """Return the human name of a period: '2022', 'December 2022', '31 December 2022'."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return month_label(period.year, period.month)
    return f"{period.day} {month_label(period.year, period.month)}"
