"""Tests for site_builder.sources.language and quicklang: a text's language, told by its script
or function words where they make it certain, and by langdetect otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.sources import quicklang
from site_builder.sources.language import detect_language, normal_tag
from site_builder.sources.quicklang import ANSWERED_BY_WORDS, SAMPLE_CHARS, quick_language

# News-style titles and paragraphs in 17 languages, each labelled with its language; "langdetect"
# names langdetect's answer where it is wrong.
SAMPLE = json.loads((Path(__file__).parent / "data" / "languages.json").read_text("utf-8"))
COMMON = ("en", "fr", "es", "de", "ru", "ar", "zh-CN")


def langdetect_alone(text: str) -> str:
    """Return what langdetect alone says of text, as detect_language did before quicklang."""
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    return normal_tag(detect(text[:2000]))


@pytest.mark.parametrize("item", SAMPLE, ids=lambda item: f"{item['lang']}-{len(item['text'])}")
def test_every_labelled_text_gets_its_language(item):
    assert detect_language(item["text"]) == item["lang"]


@pytest.mark.parametrize("item", SAMPLE, ids=lambda item: f"{item['lang']}-{len(item['text'])}")
def test_the_quick_answer_is_langdetects_or_none(item):
    quick = quick_language(item["text"])
    assert quick in (None, item["lang"])
    if quick is not None and "langdetect" not in item:
        assert langdetect_alone(item["text"]) == quick


def test_paragraphs_in_common_languages_need_no_model(monkeypatch):
    def no_model(text):
        raise AssertionError(f"langdetect asked about {text[:40]!r}")
    monkeypatch.setattr("langdetect.detect", no_model)
    long_texts = [item for item in SAMPLE if len(item["text"]) > 100 and item["lang"] in COMMON]
    assert {item["lang"] for item in long_texts} == set(COMMON)
    assert [detect_language(item["text"]) for item in long_texts] == [
        item["lang"] for item in long_texts]


@pytest.mark.parametrize("text, language", [
    # Cyrillic with letters Russian lacks, Arabic letters with Persian ones: langdetect decides
    ("Дві делегації зустрілися у вівторок у Женеві та домовилися", None),
    ("Двете делегации се срещнаха във вторник в Женева", None),   # no ы, э or ё
    ("دو هیئت روز سه‌شنبه در ژنو با یکدیگر دیدار کردند", None),
    ("Les dues delegacions es van reunir dimarts a Ginebra i van acordar", None),  # Catalan
    ("Ministers meet", None),                  # too few function words to be sure
    ("Le président a dit que la réunion et les discussions sont pour la paix, mais il n'a pas "
     "donné de détails sur les dates", "fr"),
    ("Путин и Си провели переговоры в Кремле, обсудив вопросы торговли", "ru"),
    ("兩國代表團星期二在日內瓦舉行會談", "zh-TW"),
    ("12345 67890 !!!", None),
])
def test_quick_language_answers_only_clear_cases(text, language):
    assert quick_language(text) == language


def test_the_quick_answer_reads_a_bounded_sample():
    english = "The minister said that the talks were useful and that the sides will meet again. "
    german = "Der Minister sagte, dass die Gespräche nützlich waren und sich die Seiten wieder treffen. "
    text = english * (SAMPLE_CHARS // len(english) + 1) + german * 100
    assert quick_language(text) == "en"


def test_the_words_answered_are_the_common_latin_languages():
    assert set(ANSWERED_BY_WORDS) == {"en", "fr", "es", "de", "it", "pt", "nl"}


def test_a_text_whose_letters_are_all_ascii_is_not_counted_by_script(monkeypatch):
    counted = []
    monkeypatch.setattr(quicklang, "_count", lambda pattern, text: counted.append(text) or 0)
    text = ("The president said on Friday that the talks were held in Beijing, and that "
            "both sides agreed — “a new step” — to meet again in the spring of this year.")
    assert quick_language(text) == "en"
    assert counted == []


def quick_language_before(text: str) -> str | None:
    """Return what quick_language said before ASCII letters were spared the script counts."""
    sample = text[:SAMPLE_CHARS]
    letters = quicklang._count(quicklang._LETTERS, sample)
    if not letters:
        return None
    for script, pattern in quicklang._SCRIPTS.items():
        if quicklang._count(pattern, sample) >= letters * quicklang._MIN_SHARE:
            return (quicklang._by_function_words(sample) if script == "latin"
                    else quicklang._by_letters(script, sample))
    return None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("the and of der und les el que il è на в и 的 ½ ² _ 7 — “ é".split()
                                + [" ", ". "]) | st.text(max_size=5), max_size=120).map(" ".join))
def test_quick_language_answers_as_it_did_before(text):
    assert quick_language(text) == quick_language_before(text)
