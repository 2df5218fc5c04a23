"""Infer an article's event date from the words of its first sentence; pure.

Only the first sentence of the dateline paragraph is read (then the lead's, when that says
nothing): it is where a news report says when its news happened ("..., Chinese television
reported on Saturday."). An explicit reference to the day counts: a weekday ("on Friday",
"в пятницу"), "yesterday"/"вчера", "today"/"сегодня", or a day and month ("on March 21",
"21 марта"), in English or Russian. It is resolved against the publication date: a weekday
is the most recent one on or before it, a day and month is in the publication's year, or the
year before when that would be after it.

A table of words, not PyPI's dateparser: dateparser takes a weekday to mean the one a week
before when the article is published on that weekday ("on Saturday" in Saturday's paper is
that Saturday), and its search of free text picks up neighbouring words; see the README.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..model.records import RawArticle

WEEKDAYS = {  # name as written after "on" / "в", "во" -> Monday 0 … Sunday 6
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
    "понедельник": 0, "вторник": 1, "среду": 2, "четверг": 3, "пятницу": 4, "субботу": 5,
    "воскресенье": 6,
}
DAYS_BACK = {"today": 0, "yesterday": 1, "сегодня": 0, "вчера": 1}
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}
_ENGLISH_WEEKDAYS = "|".join(name for name in WEEKDAYS if name.isascii())
_RUSSIAN_WEEKDAYS = "|".join(name for name in WEEKDAYS if not name.isascii())
_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_REFERENCE = re.compile(
    rf"(?P<weekday>(?:\bon\s+)?\b(?P<en_day>{_ENGLISH_WEEKDAYS})\b"
    rf"|\bв(?:о)?\s+(?P<ru_day>{_RUSSIAN_WEEKDAYS})\b)"
    rf"|\b(?P<relative>{'|'.join(DAYS_BACK)})\b"
    rf"|(?P<month_day>(?:\bon\s+)?\b(?P<month1>{_MONTHS})\.?\s+{_DAY.format('day1')}\b)"
    rf"|(?P<day_month>(?:\bon\s+)?\b{_DAY.format('day2')}\s+(?P<month2>{_MONTHS})\b)",
    re.IGNORECASE)
# Every reference holds one of these words whole: a sentence without one needs no search (most
# have none, and _REFERENCE tries all its forms at each character).
_DAY_WORDS = frozenset([*WEEKDAYS, *DAYS_BACK, *MONTHS])
_DAY_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_DAY_WORDS, key=len, reverse=True))})\b",
                       re.IGNORECASE)
_WORD = re.compile(r"\w+")
# A sentence ends at . ! ? or … followed by white space and a capital or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'«“„(]?[A-ZА-ЯЁ])")


@dataclass(frozen=True)
class InferredDate:
    """An event day read from an article, and the words it was read from."""

    day: datetime.date
    words: str


def first_sentence(paragraph: str) -> str:
    """Return the first sentence of a paragraph."""
    return _SENTENCE_END.split(paragraph.strip(), maxsplit=1)[0]


# Letters that _REFERENCE, ignoring case as re does, takes for i, but case folding does not
_DOTTED_AND_DOTLESS_I = str.maketrans({"\u0131": "i", "\u0307": None})


def _word_key(word: str) -> str:
    """Return the key of a word _REFERENCE matched in its tables: 'ſunday', 'SUNDAY' and
    'frıday' are 'sunday', 'sunday' and 'friday'."""
    return word.casefold().translate(_DOTTED_AND_DOTLESS_I)


def _resolve(match: re.Match, published: datetime.date) -> datetime.date | None:
    """Return the day a reference found in the text means, or None when it is no day."""
    if match["weekday"]:
        weekday = WEEKDAYS.get(_word_key(match["en_day"] or match["ru_day"]))
        if weekday is None:
            return None
        return published - datetime.timedelta(days=(published.weekday() - weekday) % 7)
    if match["relative"]:
        days_back = DAYS_BACK.get(_word_key(match["relative"]))
        return None if days_back is None else published - datetime.timedelta(days=days_back)
    month = MONTHS.get(_word_key(match["month1"] or match["month2"]))
    if month is None:
        return None
    day = int(match["day1"] or match["day2"])
    for year in (published.year, published.year - 1):
        try:
            found = datetime.date(year, month, day)
        except ValueError:     # 31 April, or 29 February outside a leap year
            continue
        if found <= published:
            return found
    return None


def infer_from_sentence(sentence: str, published: datetime.date) -> InferredDate | None:
    """Return the day the first reference to one in a sentence means, or None."""
    if not may_name_a_day(sentence):
        return None
    for match in _REFERENCE.finditer(sentence):
        day = _resolve(match, published)
        if day is not None:
            return InferredDate(day, " ".join(match.group().split()))
    return None


def may_name_a_day(sentence: str) -> bool:
    """Return whether sentence holds a word a reference to a day needs (False: it has none)."""
    if sentence.isascii():   # then lower() is all the case folding _REFERENCE does
        return not _DAY_WORDS.isdisjoint(_WORD.findall(sentence.lower()))
    return _DAY_WORD.search(sentence) is not None   # ſ, K, ᲀ... match as the regex has them


def infer_event_date(article: RawArticle) -> InferredDate | None:
    """Return the event day an article's first sentences name: that of the dateline
    paragraph, then the lead's; None when neither names one."""
    sentences = []
    if article.dateline and article.paragraphs:
        sentences.append(first_sentence(article.paragraphs[0]))
    if article.lead:
        sentences.append(first_sentence(article.lead))
    for sentence in sentences:
        found = infer_from_sentence(sentence, article.date)
        if found:
            return found
    return None
