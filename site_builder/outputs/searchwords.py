"""Pure: the word rules of the search index, which templates/static/search-engine.js repeats
exactly (tests/test_searchwords.py runs both on the same strings).

fold(text): Unicode NFKD, combining marks (category M) dropped, NFC again (which puts Hangul
syllables, that NFKD cut into their letters, back together), lower-cased.
words(text): the folded text's maximal runs of letters and digits (categories L and N); inside
such a run each Han, Hiragana, Katakana or Hangul character is a word of its own, as the site
has no word segmenter for those scripts. Anything else (apostrophes, hyphens, dots, spaces,
emoji) ends a word.
"""

from __future__ import annotations

import re
import unicodedata

# Han, Hiragana, Katakana and Hangul (syllables and jamo), by block; the JS uses the same ranges.
CJK_RANGES = ("\u1100-\u11ff\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b"
              "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3131-\u318e\u31f0-\u31ff"
              "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
              "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff")
CJK = re.compile(f"[{CJK_RANGES}]")
WORD = re.compile(f"[{CJK_RANGES}]|[^\\W_{CJK_RANGES}]+")   # \w less "_" is Python's L and N


def fold(text: str) -> str:
    """Return text without accents and other combining marks, in lower case."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    marks = {ord(char): None for char in set(decomposed)
             if not char.isascii() and unicodedata.category(char)[0] == "M"}
    return unicodedata.normalize("NFC", decomposed.translate(marks)).lower()


def words(text: str) -> list[str]:
    """Return the words of text, folded, in order."""
    return WORD.findall(fold(text))


def is_cjk(word: str) -> bool:
    """Return whether a word is one Han, Hiragana, Katakana or Hangul character."""
    return len(word) == 1 and CJK.match(word) is not None


def searchable(word: str) -> bool:
    """Return whether a word is looked up: one character is too little, but for a CJK one."""
    return len(word) > 1 or is_cjk(word)
