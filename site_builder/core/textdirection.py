"""Which way a language is written, from CLDR's data in Babel; pure.

Pages say it with `dir`: the whole page for a site in Arabic, Hebrew, Persian or Urdu, and an
entry (its article, its listing items) whose language runs the other way from the site's.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from markupsafe import Markup


@functools.lru_cache(maxsize=256)
def text_direction(lang: str) -> str:
    """Return 'rtl' for a language CLDR writes right to left, else 'ltr' (also for an unknown,
    empty or malformed tag)."""
    try:
        locale = Locale.parse((lang or "").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return "ltr"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


def primary_language(tag: str) -> str:
    """Return a language tag's language subtag, lower case: 'en' for 'en-GB' or 'EN_us'."""
    return tag.replace("_", "-").split("-")[0].lower()


def lang_attributes(lang: str | None, site_language: str, always: bool = False) -> Markup:
    """Return ' lang="ru"' for text in another language than the site's (always: also in the
    same), with ' dir="rtl"' or ' dir="ltr"' when it runs the other way, else ''."""
    if not lang or (not always and primary_language(lang) == primary_language(site_language)):
        return Markup("")
    attributes = Markup(' lang="{}"').format(lang)
    direction = text_direction(lang)
    if direction != text_direction(site_language):
        attributes += Markup(' dir="{}"').format(direction)
    return attributes
