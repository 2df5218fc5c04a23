"""Tests for site_builder.sources.eventinference and the importer's use of it."""

from __future__ import annotations

import datetime
import functools
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.model.records import RawArticle
from site_builder.sources import eventinference
from site_builder.sources.eventinference import (InferredDate, first_sentence,
                                                 infer_event_date, infer_from_sentence)
from site_builder.sources.frontmatter import split_front_matter
from site_builder.sources.ingest import import_articles

D = datetime.date
SATURDAY = D(2022, 12, 31)     # the seed's publication day


@pytest.mark.parametrize("sentence, day, words", [
    # weekdays: the most recent on or before the publication day
    ("Chinese television reported on Saturday.", D(2022, 12, 31), "on Saturday"),
    ("Putin congratulated Xi on Friday.", D(2022, 12, 30), "on Friday"),
    ("The leaders met on Sunday, the Kremlin said.", D(2022, 12, 25), "on Sunday"),
    ("The ministry said Monday that talks would go on.", D(2022, 12, 26), "Monday"),
    ("Путин в пятницу поздравил Си Цзиньпина с Новым годом.", D(2022, 12, 30), "в пятницу"),
    ("Во вторник министры встретились в Пекине.", D(2022, 12, 27), "Во вторник"),
    ("Лидеры встретились в субботу.", D(2022, 12, 31), "в субботу"),
    ("Лидеры встретились в воскресенье.", D(2022, 12, 25), "в воскресенье"),
    # yesterday and today
    ("The treaty was signed yesterday in Moscow.", D(2022, 12, 30), "yesterday"),
    ("Today the presidents spoke by phone.", D(2022, 12, 31), "Today"),
    ("Вчера стороны подписали соглашение.", D(2022, 12, 30), "Вчера"),
    ("Сегодня прошли переговоры.", D(2022, 12, 31), "Сегодня"),
    # a day and month: this year, or the year before when that would be in the future
    ("The leaders met on December 21 in Moscow.", D(2022, 12, 21), "on December 21"),
    ("The leaders met on 21st March.", D(2022, 3, 21), "on 21st March"),
    ("Лидеры встретились 21 декабря в Москве.", D(2022, 12, 21), "21 декабря"),
])
def test_references_to_the_day(sentence, day, words):
    assert infer_from_sentence(sentence, SATURDAY) == InferredDate(day, words)


def test_a_day_and_month_after_the_publication_is_last_year():
    published = D(2023, 1, 3)
    assert infer_from_sentence("The talks began on December 28.", published) == \
        InferredDate(D(2022, 12, 28), "on December 28")
    assert infer_from_sentence("Переговоры начались 28 декабря.", published).day == D(2022, 12, 28)
    assert infer_from_sentence("They met on January 3.", published).day == D(2023, 1, 3)


def test_the_week_boundary():
    assert infer_from_sentence("They met on Saturday.", SATURDAY).day == SATURDAY
    assert infer_from_sentence("They met on Sunday.", SATURDAY).day == SATURDAY - datetime.timedelta(6)
    sunday = D(2023, 1, 1)
    assert infer_from_sentence("They met on Sunday.", sunday).day == sunday
    assert infer_from_sentence("They met on Monday.", sunday).day == D(2022, 12, 26)


@pytest.mark.parametrize("sentence", [
    "The leaders met in Moscow.", "Лидеры встретились в Москве.",
    "They will meet on February 30.", "", "Sundays are quiet in Moscow.",
])
def test_no_reference_no_date(sentence):
    assert infer_from_sentence(sentence, SATURDAY) is None


def test_first_sentence():
    assert first_sentence("It was signed on Friday. On Monday it took effect.") == \
        "It was signed on Friday."
    assert first_sentence("U.S. officials spoke. Then") == "U.S. officials spoke."


def article(paragraphs, lead="A lead.", dateline="MOSCOW", date=SATURDAY):
    return RawArticle("raw.txt", date, "https://example.org/a", "Title", lead, "", (),
                      dateline, tuple(paragraphs))


def test_only_the_first_sentence_of_the_dateline_paragraph_then_the_lead():
    assert infer_event_date(article(["MOSCOW (TASS) - They met on Friday. Talks went on."])) == \
        InferredDate(D(2022, 12, 30), "on Friday")
    # nothing in the dateline paragraph's first sentence: the lead's first sentence
    assert infer_event_date(article(["MOSCOW (TASS) - They met. On Friday they signed."],
                                    lead="Signed yesterday. On Monday more.")) == \
        InferredDate(D(2022, 12, 30), "yesterday")
    # never any other sentence or paragraph
    assert infer_event_date(article(["MOSCOW (TASS) - They met. On Friday they signed.",
                                     "On Monday they left."], lead="A lead. On Tuesday.")) is None
    # without a dateline the first paragraph is not a dateline paragraph
    assert infer_event_date(article(["They met on Friday."], dateline="")) is None


def test_the_seed_is_dated_by_its_first_sentence(repo_root):
    from site_builder.sources.ingest import load_raw_articles
    seed = next((repo_root / "seeds").glob("*.txt"))
    [article] = load_raw_articles(seed, "seed.txt")
    assert infer_event_date(article) == \
        InferredDate(D(2022, 12, 31), "on Saturday")


RAW = ("date 2022-12-31 https://example.org/{name}\nTitle {name}\nLead of {name}.\n"
       "MOSCOW (TASS) - {first}\n")


def write_raw(site, name, first):
    path = site / "seeds" / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RAW.format(name=name, first=first), encoding="utf-8")
    return path


def front_of(site, relpath):
    return split_front_matter((site / relpath).read_text(encoding="utf-8"), relpath)[0]


def test_import_writes_the_inferred_date_and_the_words(tmp_path):
    write_raw(tmp_path, "one", "Putin met Xi on Friday.")
    write_raw(tmp_path, "two", "Putin met Xi in Moscow.")
    report = import_articles([tmp_path / "seeds"], tmp_path)
    one, two = (front_of(tmp_path, rel) for rel in report.written)
    assert (one["event_date"], one["event_date_inferred"]) == ("2022-12-30", "on Friday")
    assert "event_date" not in two and "event_date_inferred" not in two


@functools.cache
def letters_taken_for_day_words() -> dict[str, list[str]]:
    """Return, for each letter of the day words, every character the reference pattern,
    ignoring case as re does, takes for it."""
    letters = sorted(set("".join([*eventinference.WEEKDAYS, *eventinference.MONTHS,
                                  *eventinference.DAYS_BACK])))
    any_letter = re.compile("[" + re.escape("".join(letters)) + "]", re.IGNORECASE)
    found = [chr(c) for c in range(sys.maxunicode + 1) if any_letter.fullmatch(chr(c))]
    return {letter: [c for c in found if re.fullmatch(re.escape(letter), c, re.IGNORECASE)]
            for letter in letters}


@pytest.mark.parametrize("table", [eventinference.WEEKDAYS, eventinference.MONTHS,
                                   eventinference.DAYS_BACK])
def test_a_day_word_in_any_letters_the_pattern_takes_for_it_is_read_as_that_word(table):
    # re takes ſ for s, ı and İ for i, ᲀ for в...: such a word is the day it looks like, and no
    # KeyError stops the import
    published = datetime.date(2022, 12, 31)
    taken = letters_taken_for_day_words()
    for word in table:
        template = ("Talks were held {}." if table is eventinference.DAYS_BACK
                    else "Talks on 3 {}." if table is eventinference.MONTHS
                    else "Talks were held on {}." if word.isascii() else "Переговоры во {}.")
        expected = infer_from_sentence(template.format(word), published)
        assert expected is not None, word
        for i, letter in enumerate(word):
            for other in taken[letter]:
                variant = word[:i] + other + word[i + 1:]
                found = infer_from_sentence(template.format(variant), published)
                assert found is not None and found.day == expected.day, variant


def test_an_article_with_such_a_word_is_imported(tmp_path):
    write_raw(tmp_path, "one", "Putin met Xi on ſunday.")
    [relpath] = import_articles([tmp_path / "seeds"], tmp_path).written
    front = front_of(tmp_path, relpath)
    assert (front["event_date"], front["event_date_inferred"]) == ("2022-12-25", "on ſunday")


def test_a_forced_import_keeps_a_hand_set_event_date(tmp_path):
    write_raw(tmp_path, "one", "Putin met Xi on Friday.")
    [relpath] = import_articles([tmp_path / "seeds"], tmp_path).written
    entry = tmp_path / relpath
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("event_date: 2022-12-30\nevent_date_inferred: on Friday\n",
                                  "event_date: 2022-12~\n"), encoding="utf-8")
    import_articles([tmp_path / "seeds"], tmp_path, force=True)
    front = front_of(tmp_path, relpath)
    assert front["event_date"] == "2022-12~" and "event_date_inferred" not in front


def sitegen(site, *args):
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=site,
                          capture_output=True, text=True, timeout=120)


def test_check_lists_inferred_dates_until_confirmed(tmp_path):
    (tmp_path / "sitegen.yaml").write_text("title: T\nsearch: false\n", encoding="utf-8")
    write_raw(tmp_path, "one", "Putin met Xi on Friday.")
    [relpath] = import_articles([tmp_path / "seeds"], tmp_path).written
    result = sitegen(tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    line = f"{relpath}:5: event_date 2022-12-30 (30 December 2022) inferred from 'on Friday'"
    assert line in result.stdout
    entry = tmp_path / relpath
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "event_date_inferred: on Friday\n", ""), encoding="utf-8")
    result = sitegen(tmp_path, "check")
    assert result.returncode == 0 and "inferred" not in result.stdout


def test_a_sentence_without_a_day_word_is_not_searched_for_references(monkeypatch):
    searched: list[str] = []
    pattern = eventinference._REFERENCE

    class Spy:
        def finditer(self, sentence):
            searched.append(sentence)
            return pattern.finditer(sentence)

    monkeypatch.setattr(eventinference, "_REFERENCE", Spy())
    assert infer_from_sentence("The ministry published its report.", SATURDAY) is None
    assert infer_from_sentence("Министерство опубликовало доклад.", SATURDAY) is None
    assert searched == []
    assert infer_from_sentence("Putin congratulated Xi on Friday.", SATURDAY).words == "on Friday"
    assert searched == ["Putin congratulated Xi on Friday."]


def reference_search(sentence: str, published: datetime.date) -> InferredDate | None:
    """Return what infer_from_sentence found before sentences were screened for day words."""
    for match in eventinference._REFERENCE.finditer(sentence):
        day = eventinference._resolve(match, published)
        if day is not None:
            return InferredDate(day, " ".join(match.group().split()))
    return None


def outcome(infer, sentence: str) -> object:
    """Return what infer gives for sentence, or the type of the error it raises ('on ſunday'
    matches the search, whose tables then know no 'ſunday': a KeyError, before as now)."""
    try:
        return infer(sentence, SATURDAY)
    except KeyError as error:
        return type(error)


DAY_WORD_PIECES = st.sampled_from(sorted(eventinference._DAY_WORDS)).flatmap(
    lambda word: st.sampled_from([word, word.upper(), word.title(), word.replace("s", "ſ"),
                                  word.replace("k", "\u212a"), word.replace("в", "ᲀ")]))


@settings(max_examples=300, deadline=None)
@given(st.lists(DAY_WORD_PIECES | st.sampled_from(["on", "в", "во", "21", "3rd", " ", ".", ",",
                                                    "-", "\u0130", "x"])
                | st.text(max_size=4), max_size=8).map("".join))
def test_screening_for_day_words_finds_every_reference_the_search_finds(sentence):
    assert outcome(infer_from_sentence, sentence) == outcome(reference_search, sentence)
    if eventinference._REFERENCE.search(sentence):
        assert eventinference.may_name_a_day(sentence)
