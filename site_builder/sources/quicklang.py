"""The language of a text told by its script or its commonest words, without a statistical
model; pure.

A text in Cyrillic with Russian's own letters (ы, э, ё) and none of Ukrainian's, Belarusian's,
Serbian's or Macedonian's is Russian, one in Arabic letters without Persian's or Urdu's is
Arabic, kana make Japanese, and so on; a Latin-script text is told by its function words ("the",
"und", "les"...), counted for the languages it is often confused with too. Whatever is not
clear-cut gets None, and the caller asks langdetect, which answers those cases as before.
Tags are langdetect's, in their usual case.
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 600      # function words in 600 characters decide as well as in 2,000
_MIN_WORDS = 6          # function words a Latin-script text needs for an answer
_MIN_MARGIN = 2.0       # ... and how many times the runner-up's count
_MIN_SHARE = 0.9        # the share of letters a text's main script must have

_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SCRIPTS = {   # script -> runs of its letters (the blocks langdetect's profiles cover for it)
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]+"),
    "arabic": re.compile(r"[\u0600-\u06ff\u0750-\u077f]+"),
    "han": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]+"),
    "hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+"),
    "greek": re.compile(r"[\u0370-\u03ff]+"),
    "hebrew": re.compile(r"[\u05d0-\u05ea]+"),
    "thai": re.compile(r"[\u0e00-\u0e7f]+"),
}
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_OTHER_CYRILLIC = re.compile(r"[іїєґўђјљњћџѓќѕІЇЄҐЎЂЈЉЊЋЏЃЌЅ]")   # uk, be, sr, mk
_RUSSIAN_ONLY = re.compile(r"[ыэёЫЭЁ]")                            # not in bg, uk, sr, mk
_PERSIAN_URDU = re.compile(r"[پچژگکیٹڈڑںےۀھ]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Characters written one way in simplified Chinese and another in traditional (common ones).
_SIMPLIFIED = re.compile(r"[们这国说时会对发经过来为与后长开关问题动实现进发门见东车电话区总统议军际]")
_TRADITIONAL = re.compile(r"[們這國說時會對發經過來為與後長開關問題動實現進門見東車電話區總統議軍際]")

# The commonest words of Latin-script languages. Only the first seven are answered here; the
# others are counted so that a Catalan, Afrikaans or Romanian text is not taken for its
# neighbour, and is left to langdetect.
_FUNCTION_WORDS = {
    "en": "the and of to in is was that for on with as by at from are were has have had it "
          "be this which said will would not an but their its after",
    "fr": "le la les des et est dans que qui pour une du au aux sur pas par avec ce cette "
          "sont il elle ont été leur mais selon plus",
    "es": "el los las del y que en por con para una es se su sus al fue como más pero lo ha "
          "han sobre entre según este esta",
    "de": "der die das und ist nicht mit von den dem des ein eine einer zu auf für sich im "
          "auch wird wurde werden nach bei aus hat sind",
    "it": "il di che della delle dei degli nel nella per con una sono è anche non gli alla "
          "del ha ai tra più come dal dalla questo",
    "pt": "o os as do da dos das em no na nos nas que com para uma um não ao pelo pela foi "
          "são mais se é também seu sua",
    "nl": "de het een en van is dat die niet op te met voor zijn er aan ook als bij werd "
          "wordt naar om maar door heeft over",
    "ca": "els les amb per és una del i que dels però més va hi seu aquest aquesta pel als "
          "la de el en un no",
    "ro": "și în cu pe care este din la să un o de a pentru nu mai fost au ale lui",
    "af": "die en van het is nie om te wat sal vir met hulle ook word was op aan deur hy",
    "scandinavian": "og i at er det en til på som med af for den har de ikke var och att är "
                    "inte av för om ett ble blev",
    "pl": "i w na z się nie do że to jest o jak po za od przez dla jego oraz",
    "cs": "a v na se je že s z do to o jako ve by jeho pro které který",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke oleh",
    "tr": "ve bir bu da de için ile olarak çok daha ama gibi olan en",
}
_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _language, _words in _FUNCTION_WORDS.items():
    for _word in _words.split():
        _WORD_LANGUAGES[_word] = _WORD_LANGUAGES.get(_word, ()) + (_language,)
ANSWERED_BY_WORDS = ("en", "fr", "es", "de", "it", "pt", "nl")


def quick_language(text: str) -> str | None:
    """Return the language tag text's script or function words make certain, or None."""
    sample = text[:SAMPLE_CHARS]
    if _LETTERS.search(_ASCII_RUNS.sub("", sample)) is None:
        # Every letter is ASCII, so Latin (most texts, spared counting the letters twice).
        return _by_function_words(sample) if _ASCII_LETTER.search(sample) else None
    letters = _count(_LETTERS, sample)
    if not letters:
        return None
    for script, pattern in _SCRIPTS.items():   # Latin first: most texts are done after one
        if _count(pattern, sample) >= letters * _MIN_SHARE:
            return _by_function_words(sample) if script == "latin" else _by_letters(script, sample)
    return None


def _count(pattern: re.Pattern, text: str) -> int:
    """Return how many characters of text the runs pattern finds hold."""
    return sum(map(len, pattern.findall(text)))


def _by_letters(script: str, sample: str) -> str | None:
    """Return the language the letters of a non-Latin script make certain, or None."""
    if script == "cyrillic":
        if _RUSSIAN_ONLY.search(sample) and not _OTHER_CYRILLIC.search(sample):
            return "ru"
        return None
    if script == "arabic":
        return None if _PERSIAN_URDU.search(sample) else "ar"
    if script == "han":
        if _KANA.search(sample):
            return "ja"
        simplified, traditional = _SIMPLIFIED.search(sample), _TRADITIONAL.search(sample)
        if simplified and not traditional:
            return "zh-CN"
        if traditional and not simplified:
            return "zh-TW"
        return None
    return {"hangul": "ko", "greek": "el", "hebrew": "he", "thai": "th"}[script]


def _by_function_words(sample: str) -> str | None:
    """Return the Latin-script language whose function words clearly lead in sample, or None.

    A word common to k languages counts 1/k for each ("que" says little, "und" much)."""
    counts: dict[str, float] = {}
    for languages in filter(None, map(_WORD_LANGUAGES.get, _WORD.findall(sample.lower()))):
        for language in languages:
            counts[language] = counts.get(language, 0) + 1 / len(languages)
    best = max(counts, key=counts.__getitem__, default="")
    hits = counts.get(best, 0)
    runner_up = max((count for language, count in counts.items() if language != best), default=0)
    if best in ANSWERED_BY_WORDS and hits >= _MIN_WORDS and hits >= runner_up * _MIN_MARGIN:
        return best
    return None
