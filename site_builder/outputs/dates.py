"""Dates as pages name them: '31 December 2022', '31 Dec', 'December 2022'; pure."""

from __future__ import annotations

import calendar
import datetime

from ..model.records import Period

MONTH_NAMES = tuple(calendar.month_name)


def long_date(day: datetime.date) -> str:
    """Return '31 December 2022'."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def short_date(day: datetime.date) -> str:
    """Return '31 Dec', for listings that sit under a month heading."""
    return f"{day.day} {MONTH_NAMES[day.month][:3]}"


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
