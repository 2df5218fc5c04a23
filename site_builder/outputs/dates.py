"""Dates as pages name them, in the site's language: '31 December 2022', '31 Dec',
'December 2022'; pure.
"""

from __future__ import annotations

from ..core.eventdates import EventDate, event_words
from ..core.i18n import ENGLISH, Language
from ..model.records import Period


def event_short(event: EventDate, language: Language = ENGLISH) -> str:
    """Return an event date for a listing under month headings: '30 Dec' for a plain day, the
    words of anything else ('about December 2022', '20–22 March 2023')."""
    return language.short_date(event.start) if is_plain_day(event) \
        else event_words(event, language)


def is_plain_day(event: EventDate) -> bool:
    """Return whether an event date is one certain day, which a listing names by day alone."""
    return event.precision == "day" and not (event.is_interval or event.uncertain
                                             or event.approximate)


def period_label(period: Period, language: Language = ENGLISH) -> str:
    """Return the human name of a period: '2022', 'December 2022', '31 December 2022'."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "month":
        return language.month_label(period.year, period.month)
    return language.long_date(period.first_day)
