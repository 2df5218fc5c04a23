"""The language of an article: a BCP 47 tag from its source, or detected from its text.

A text whose script or commonest words make its language certain is answered without a model
(see quicklang); the rest go to langdetect (a port of Google's language-detection), seeded so
that the same text always gets the same answer; README "Language" says why it was chosen over
lingua.
"""

from __future__ import annotations

import re

from .quicklang import quick_language

# A BCP 47 tag as pages use them: a 2-3 letter language, then optional script, region and
# variant subtags ("en", "ru", "zh-Hans", "pt-BR", "sr-Latn-RS", "de-CH-1996").
_TAG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
                     r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*")
_SAMPLE_CHARS = 2_000     # enough for a reliable answer; more only costs time
_MIN_LETTERS = 12         # shorter texts get a guess no better than chance


def is_language_tag(text: str) -> bool:
    """Return whether text is a well-formed BCP 47 language tag such as 'ru' or 'pt-BR'."""
    return _TAG_RE.fullmatch(text) is not None


def normal_tag(text: str) -> str:
    """Return a source's language tag in its usual case ('EN_us' -> 'en-US'), or '' when it
    is not a language tag."""
    text = text.strip().replace("_", "-")
    if not is_language_tag(text):
        return ""
    parts = text.split("-")
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            tag.append(part.title())
        elif len(part) == 2 or part.isdigit():
            tag.append(part.upper())
        else:
            tag.append(part.lower())
    return "-".join(tag)


def detect_language(text: str) -> str:
    """Return the BCP 47 tag of the language text is written in, or '' when it cannot tell."""
    sample = text[:_SAMPLE_CHARS]
    if not _has_letters(sample, _MIN_LETTERS):
        return ""
    quick = quick_language(sample)
    if quick is not None:
        return quick
    from langdetect import DetectorFactory, LangDetectException, detect   # loads 55 profiles

    DetectorFactory.seed = 0    # langdetect is random unless seeded
    try:
        return normal_tag(detect(sample))
    except LangDetectException:
        return ""


def _has_letters(text: str, count: int) -> bool:
    """Return whether text has at least count letters (reading only as far as it must)."""
    for char in text:
        if char.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0
