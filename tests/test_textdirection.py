"""Right-to-left sites, entries in another language than their site, and country names in the
site's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.build import BuildOptions, build
from site_builder.core.countrydata import collation_key, display_names
from site_builder.core.textdirection import lang_attributes, text_direction

from helpers import write_entry


@pytest.mark.parametrize("lang", ["ar", "he", "fa", "ur", "ar-EG", "ar_SA", "iw"])
def test_right_to_left_languages(lang):
    assert text_direction(lang) == "rtl"


@pytest.mark.parametrize("lang", ["en", "ru", "zh-Hans", "fr", "", "zz", "not a tag", "x1"])
def test_other_and_unknown_languages_run_left_to_right(lang):
    assert text_direction(lang) == "ltr"


def test_lang_attributes_mark_another_language_and_its_direction():
    assert lang_attributes("ar", "en") == ' lang="ar" dir="rtl"'
    assert lang_attributes("ru", "ar") == ' lang="ru" dir="ltr"'
    assert lang_attributes("ru", "en") == ' lang="ru"'
    assert lang_attributes("en-GB", "en") == ""
    assert lang_attributes("en-GB", "en", always=True) == ' lang="en-GB"'
    assert lang_attributes(None, "en") == "" and lang_attributes("", "ar", always=True) == ""


def test_country_names_in_the_site_language_fall_back_to_english():
    assert display_names("ru")["RU"] == "Россия" and display_names("ar")["CN"] == "الصين"
    assert display_names("en")["RU"] == "Russia" and display_names("zz")["RU"] == "Russia"
    assert display_names("fr")["EG"] == "Égypte"
    assert sorted(["Égypte", "Espagne", "Allemagne", "Eswatini"], key=collation_key) == [
        "Allemagne", "Égypte", "Espagne", "Eswatini"]


ENTRIES = [  # slug, day, tags, extra front matter, title
    ("english-note", "2023-03-20", ("russia", "china"), "", "Talks in Moscow"),
    ("russian-note", "2023-03-21", ("russia",), "lang: ru\n", "Путин поздравил Си"),
    ("arabic-note", "2023-03-22", ("egypt",), "lang: ar\n", "مصر والصين"),
]


def make_site(folder: Path, language: str) -> Path:
    """Build a small site in language with an entry in English, Russian and Arabic."""
    for slug, day, tags, extra, title in ENTRIES:
        write_entry(folder, slug, day, tags=tags, title=title, extra=extra)
    (folder / "sitegen.yaml").write_text(f"search: false\nlanguage: {language}\n", encoding="utf-8")
    build(BuildOptions(folder, jobs=1))
    return folder / "public"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    return {language: make_site(tmp_path_factory.mktemp(language) / "site", language)
            for language in ("en", "ar", "ru")}


def html_tag(page: Path) -> str:
    return re.search(r"<html[^>]*>", page.read_text(encoding="utf-8")).group(0)


def article_tag(page: Path) -> str:
    return re.search(r"<article[^>]*>", page.read_text(encoding="utf-8")).group(0)


def listing_items(page: Path) -> dict[str, str]:
    """Return each timeline item's link text -> its <li> start tag."""
    html = page.read_text(encoding="utf-8")
    return {title: li for li, title in re.findall(r'(<li[^>]*>)<time[^>]*>[^<]*</time> <a [^>]*>([^<]*)</a>', html)}


def test_an_arabic_site_runs_right_to_left_and_an_english_one_says_nothing(sites):
    assert html_tag(sites["ar"] / "index.html") == '<html lang="ar" dir="rtl">'
    assert html_tag(sites["ar"] / "tags/index.html") == '<html lang="ar" dir="rtl">'
    assert html_tag(sites["en"] / "index.html") == '<html lang="en">'
    assert html_tag(sites["ru"] / "index.html") == '<html lang="ru">'


def test_entries_mark_their_language_and_a_direction_other_than_the_sites(sites):
    en, ar = sites["en"], sites["ar"]
    assert article_tag(en / "2023/03/22/msr-wlsyn/index.html").endswith(' lang="ar" dir="rtl">')
    assert article_tag(en / "2023/03/21/putin-pozdravil-si/index.html").endswith(' lang="ru">')
    assert article_tag(ar / "2023/03/22/msr-wlsyn/index.html").endswith(' lang="ar">')
    assert article_tag(ar / "2023/03/21/putin-pozdravil-si/index.html").endswith(' lang="ru" dir="ltr">')
    # The date line and the footer (source, tags, countries) are the site's words.
    page = (ar / "2023/03/21/putin-pozdravil-si/index.html").read_text(encoding="utf-8")
    assert '<p class="entry-date" lang="ar" dir="rtl">' in page
    assert '<div class="entry-footer" lang="ar" dir="rtl">' in page
    page = (en / "2023/03/21/putin-pozdravil-si/index.html").read_text(encoding="utf-8")
    assert '<p class="entry-date" lang="en">' in page and '<div class="entry-footer" lang="en">' in page
    page = (en / "2023/03/20/talks-in-moscow/index.html").read_text(encoding="utf-8")
    assert '<p class="entry-date">' in page and '<div class="entry-footer">' in page
    assert listing_items(en / "index.html") == {
        "Talks in Moscow": "<li>", "Путин поздравил Си": '<li lang="ru">',
        "مصر والصين": '<li lang="ar" dir="rtl">'}
    assert listing_items(ar / "index.html") == {
        "Talks in Moscow": "<li>", "Путин поздравил Си": '<li lang="ru" dir="ltr">',
        "مصر والصين": "<li>"}


def test_countries_are_named_in_the_site_language(sites):
    ru = (sites["ru"] / "countries/index.html").read_text(encoding="utf-8")
    by_name = ru[ru.index('class="index-section"'):]
    assert re.findall(r'</span> ([^<]+)</a>', by_name)[:3] == ["Египет", "Китай", "Россия"]
    entry = (sites["ru"] / "2023/03/20/talks-in-moscow/index.html").read_text(encoding="utf-8")
    assert "Китай" in entry and "Россия" in entry and "Russia" not in entry
    assert "مصر" in (sites["ar"] / "countries/index.html").read_text(encoding="utf-8")
    assert "Egypt" in (sites["en"] / "countries/index.html").read_text(encoding="utf-8")
