"""The theme in the reader's language: catalogs that hold every UI string, complete and with
matching placeholders; built Russian, Arabic and Chinese sites without English UI text; dates
and plurals by CLDR; bad languages and broken catalogs refused with their file and line."""

from __future__ import annotations

import datetime
import html.parser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from site_builder.core.i18n import ENGLISH, catalog_problems
from site_builder.outputs.catalogs import load_language
from site_builder.outputs.render import make_environment
from site_builder.core.config import Config

REPO = Path(__file__).resolve().parent.parent
LOCALES = REPO / "templates" / "locales"
SHIPPED = ("en", "ru", "zh_Hans", "fr", "es", "ar")


def sitegen(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run sitegen with args; return the finished process with its text output."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def read_catalog(path: Path):
    """Return the catalog at path."""
    with path.open("rb") as file:
        return read_po(file)


def ids(catalog) -> set:
    """Return the message ids of a catalog (a plural message by its singular)."""
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


# --- the catalogs -------------------------------------------------------------------------------

def test_the_catalogs_hold_every_string_the_templates_and_python_modules_show(tmp_path):
    pot = tmp_path / "fresh.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_",
         "-k", "gettext", "-k", "ngettext:1,2", "-k", "plural_forms:1,2", "--no-location", "-o", str(pot), "."],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    extracted = ids(read_catalog(pot))
    assert {"Tags", "Archive", "Entries per year and month", "Page %(number)s of %(total)s",
            "During %(year)s", "about %(date)s", "%(count)s report:"} <= extracted
    assert extracted == ids(read_catalog(LOCALES / "sitegen.pot")), \
        "sitegen.pot is stale: run the pybabel extract and update commands of the README"
    for name in SHIPPED:
        missing = extracted - ids(read_catalog(LOCALES / name / "LC_MESSAGES" / "sitegen.po"))
        assert not missing, f"{name} lacks {sorted(missing)}"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_catalog_is_complete_with_its_languages_plural_forms_and_matching_placeholders(name):
    catalog = read_catalog(LOCALES / name / "LC_MESSAGES" / "sitegen.po")
    expected_forms = {"en": 2, "ru": 3, "zh_Hans": 1, "fr": 3, "es": 3, "ar": 6}[name]
    assert catalog.num_plurals == expected_forms
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"{name}: {message.id!r} is fuzzy"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{name}: {message.id!r} is not translated"
        if isinstance(message.id, tuple):
            assert len(strings) == expected_forms, f"{name}: {message.id!r} forms"
    assert list(catalog_problems(catalog)) == []


def test_a_placeholder_missing_or_misspelled_is_a_catalog_problem():
    catalog = read_catalog(LOCALES / "ru" / "LC_MESSAGES" / "sitegen.po")
    catalog.get("Page %(number)s of %(total)s").string = "Страница %(nubmer)s"
    problems = list(catalog_problems(catalog))
    assert len(problems) == 1
    line, problem = problems[0]
    assert line and "%(nubmer)s" in problem and "lacks %(number)s" in problem \
        and "lacks %(total)s" in problem


# --- dates, numbers and plurals -----------------------------------------------------------------

def language(code: str):
    """Return the loaded language of a site in code with no site files of its own."""
    return load_language(Path("/nonexistent"), Config(language=code),
                         REPO / "templates").language


def test_russian_plurals_take_their_three_forms():
    ru = language("ru")
    words = {n: ru.ngettext("%(count)s entry", "%(count)s entries", n) % {"count": n}
             for n in (1, 2, 5, 11, 21, 22, 25)}
    assert words == {1: "1 сообщение", 2: "2 сообщения", 5: "5 сообщений", 11: "11 сообщений",
                     21: "21 сообщение", 22: "22 сообщения", 25: "25 сообщений"}


def test_arabic_plurals_take_six_forms_and_chinese_one():
    ar, zh = language("ar"), language("zh")
    forms = [ar.ngettext("%(count)s entry", "%(count)s entries", n) % {"count": n}
             for n in (0, 1, 2, 3, 11, 100)]
    assert forms == ["0 خبر", "خبر واحد", "خبران", "3 أخبار", "11 خبرًا", "100 خبر"]
    assert {zh.ngettext("%(count)s entry", "%(count)s entries", n) % {"count": n}
            for n in (1, 2)} == {"1 条报道", "2 条报道"}


def test_dates_and_numbers_follow_cldr():
    day = datetime.date(2022, 12, 31)
    ru, zh, fr = language("ru"), language("zh"), language("fr")
    assert ru.long_date(day) == "31 декабря 2022\u202fг."
    assert zh.long_date(day) == "2022年12月31日"
    assert fr.long_date(day) == "31 décembre 2022"
    assert ru.month_name(12) == "декабрь" and zh.month_label(2022, 12) == "2022年12月"
    assert ru.number(12345) == "12\xa0345" and ENGLISH.number(12345) == "12,345"
    assert ENGLISH.long_date(day) == "31 December 2022" and ENGLISH.short_date(
        datetime.date(2022, 9, 3)) == "3 Sep"
    assert [t for f, t in zh.date_parts(day) if f] == ["2022", "12", "31"]


def test_plain_english_alone_takes_the_theme_short_forms_decided_in_one_place():
    day = datetime.date(2022, 9, 3)
    forms = {code: (lang.theme_english, lang.short_date(day), lang.short_month_name(9),
                    lang.short_month_label(2022, 9), lang.short_day_label(2022, 9, 3))
             for code, lang in (("en", language("en")), ("en-GB", language("en-GB")),
                                ("en-US", language("en-US")))}
    assert forms == {"en": (True, "3 Sep", "Sep", "Sep 2022", "3 Sep 2022"),
                     "en-GB": (False, "3 Sept", "Sept", "Sept 2022", "3 Sept 2022"),
                     "en-US": (False, "Sep 3", "Sep", "Sep 2022", "Sep 3, 2022")}
    assert ENGLISH.theme_english and not language("ru").theme_english
    ENGLISH.short_date(day)
    assert ENGLISH.memo[("short", day)] == "3 Sep"     # made once, through the shared memo


def test_chinese_is_served_by_the_simplified_catalog_and_traditional_is_not():
    assert language("zh-CN").gettext("Tags") == language("zh").gettext("Tags") == "主题"
    assert language("zh-TW").gettext("Tags") == "Tags"


# --- built sites --------------------------------------------------------------------------------

ENTRIES = [  # slug, day, title, tags, extra front matter
    ("vstrecha", "2022-12-30", "Встреча министров", ("Россия", "Китай", "энергетика"),
     "event_date: 2022-12~\n"),
    ("peregovory", "2022-12-31", "Переговоры в Пекине", ("Россия", "Китай"), ""),
    ("zayavlenie", "2023-01-15", "Совместное заявление", ("энергетика",),
     "event_date: 2023-01-10/2023-01-12\n"),
    ("vizit", "2023-02-01", "Визит делегации", ("Россия",), "event_date: 2023?\n"),
]


class Texts(html.parser.HTMLParser):
    """Collects a page's text nodes and its title, aria-label, alt and placeholder values,
    leaving out scripts and styles."""

    ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        self.texts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(data.strip())


def english_fragments() -> set[str]:
    """Return the English words of the catalog's messages: each message without its markup,
    split at its placeholders, its pieces of three letters or more."""
    fragments = set()
    for message in read_catalog(LOCALES / "en" / "LC_MESSAGES" / "sitegen.po"):
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            plain = re.sub(r"<[^>]+>", "%(tag)s", text)
            for piece in re.split(r"%\(\w+\)s", plain):
                piece = piece.strip(" .,:;·“”()←→")
                if re.search(r"[A-Za-z]{3}", piece):
                    fragments.add(piece)
    return fragments


def english_left(text: str, fragments: set[str]) -> list[str]:
    """Return the English fragments text holds as whole words."""
    return [f for f in fragments if re.search(rf"(?<![A-Za-z]){re.escape(f)}(?![A-Za-z])", text)]


@pytest.fixture(scope="module", params=["ru", "ar", "zh"])
def built_site(request, tmp_path_factory) -> tuple[str, Path]:
    code = request.param
    site = tmp_path_factory.mktemp(f"site-{code}")
    assert sitegen("init", "--language", code, str(site)).returncode == 0
    (site / "seeds" / "example-article.txt").unlink()
    config = (site / "sitegen.yaml").read_text(encoding="utf-8")
    config = config.replace("title: My timeline", "title: Дипломатия") \
        .replace("description: A chronology of news.", "description: Хроника.")
    (site / "sitegen.yaml").write_text(config + "search: false\npage_size: 2\n", encoding="utf-8")
    for slug, day, title, tags, extra in ENTRIES:
        path = site / "content" / day[:4] / day[5:7] / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        tag_lines = "".join(f"- {t}\n" for t in tags)
        path.write_text(f"---\ntitle: {title}\ndate: {day}\nlead: Коротко о главном.\n"
                        f"tags:\n{tag_lines}source:\n  name: ТАСС\n  url: https://tass.ru/{slug}\n"
                        f"{extra}---\n\nТекст сообщения.\n", encoding="utf-8")
    result = sitegen("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "no catalog" not in result.stdout + result.stderr
    return code, site / "public"


def test_sitegen_init_writes_the_language(built_site):
    code, public = built_site
    assert f"\nlanguage: {code}\n" in (public.parent / "sitegen.yaml").read_text(encoding="utf-8")
    assert re.search(f'<html lang="{code}"[ >]', (public / "index.html").read_text(encoding="utf-8"))


def test_no_page_of_a_translated_site_shows_english_ui_text(built_site):
    code, public = built_site
    fragments = english_fragments()
    pages = sorted(public.rglob("*.html"))
    assert len(pages) > 15
    found = {}
    for page in pages:
        parser = Texts()
        parser.feed(page.read_text(encoding="utf-8"))
        left = sorted({f for text in parser.texts for f in english_left(text, fragments)})
        if left:
            found[page.relative_to(public).as_posix()] = left
    assert found == {}


def test_the_walk_finds_english_ui_text():
    # The check above can fail: an English page holds the catalog's words.
    fragments = english_fragments()
    assert "Page" in english_left("Page 1 of 3", fragments)
    assert "Entries per year and month" in english_left("Entries per year and month", fragments)
    assert english_left("Страница 1 из 3", fragments) == []


def test_russian_pages_show_russian_dates_and_plurals(built_site):
    code, public = built_site
    if code != "ru":
        pytest.skip("the Russian site's words")
    entry = next(public.glob("2022/12/31/peregovory*/index.html")).read_text(encoding="utf-8")
    assert re.search(r'31 <a href="[^"]*/2022/12/">декабря</a> '
                     r'<a href="[^"]*/2022/">2022</a>', entry)
    home = (public / "index.html").read_text(encoding="utf-8")
    assert 'Хроника. <span id="listing-count">4 сообщения</span>.' in home and "Страница 1 из 2" in home
    tags = (public / "tags" / "index.html").read_text(encoding="utf-8")
    assert "3 темы, по названию." in tags
    year = (public / "2022" / "index.html").read_text(encoding="utf-8")
    assert "декабрь 2022\u202fг." in year


def test_chinese_pages_show_chinese_dates(built_site):
    code, public = built_site
    if code != "zh":
        pytest.skip("the Chinese site's words")
    entry = next(public.glob("2022/12/31/peregovory*/index.html")).read_text(encoding="utf-8")
    assert re.search(r'>2022</a>年<a href="[^"]*/2022/12/">12</a>月31日',
                     entry)


def test_russian_home_inflects_both_counts_of_events_from_reports(tmp_path):
    # 21 reports of 2 events: "из 21 сообщения" (genitive singular), not "из 21 сообщений"
    site = tmp_path / "site"
    (site / "content" / "2023" / "03").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Хроника\nlanguage: ru\nsearch: false\n",
                                       encoding="utf-8")
    for number in range(21):
        joined = "same_event_as: r0\n" if 0 < number < 20 else "same_event_as: none\n"
        (site / "content" / "2023" / "03" / f"r{number}.md").write_text(
            f"---\ntitle: Сообщение {number}\ndate: 2023-03-{number + 1:02d}\nslug: r{number}\n"
            f"{joined}---\n\nТекст {number}.\n", encoding="utf-8")
    result = sitegen("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    home = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert '<span id="listing-count">2 события из 21 сообщения</span>' in home


@pytest.mark.parametrize("code, words", [
    ("ru", {(1, 1): "1 событие из 1 сообщения", (2, 5): "2 события из 5 сообщений",
            (5, 21): "5 событий из 21 сообщения", (21, 22): "21 событие из 22 сообщений"}),
    ("en", {(1, 2): "1 event from 2 reports", (2, 21): "2 events from 21 reports"}),
    ("zh", {(2, 21): "2 个事件，共 21 篇报道"}),
    ("ar", {(1, 2): "حدث واحد من خبرين", (3, 11): "3 أحداث من 11 خبرًا"}),
])
def test_events_from_reports_gives_each_count_its_own_plural_form(code, words):
    env = make_environment(None, language=language(code))
    template = env.from_string('{% from "_macros.html" import events_from_reports %}'
                               '{{ events_from_reports(events, reports) }}')
    assert {counts: template.render(events=counts[0], reports=counts[1])
            for counts in words} == words


# --- settings and broken catalogs ---------------------------------------------------------------

def make_site(tmp_path: Path, config: str) -> Path:
    """Return a small site folder with config as its sitegen.yaml and one entry."""
    site = tmp_path / "site"
    (site / "content" / "2022" / "12").mkdir(parents=True)
    (site / "sitegen.yaml").write_text(config + "search: false\n", encoding="utf-8")
    (site / "content" / "2022" / "12" / "a.md").write_text(
        "---\ntitle: A\ndate: 2022-12-31\ntags: [energy]\n---\n\nText.\n", encoding="utf-8")
    return site


def test_an_unknown_language_is_an_error_naming_the_setting_and_close_matches(tmp_path):
    site = make_site(tmp_path, "language: russ\n")
    for command in ("build", "check"):
        result = sitegen(command, "--site", str(site))
        assert result.returncode != 0
        assert "sitegen.yaml:1: unknown language 'russ'" in result.stderr + result.stdout
        assert "close matches: ru" in result.stderr + result.stdout


def test_a_language_without_a_catalog_builds_in_english_with_one_warning(tmp_path):
    site = make_site(tmp_path, "language: de\n")
    result = sitegen("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("language 'de' has no catalog") == 1
    page = (site / "public" / "tags" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "<h1>Tags</h1>" in page


def test_a_site_overrides_words_in_its_config_and_its_own_catalog(tmp_path):
    by_name = '%(count)s tag, by name. <a href=\\"%(url)s\\">By number of entries</a>'
    site = make_site(tmp_path, "language: ru\ntranslations:\n  Tags: Рубрики\n"
                               f"  \"{by_name}\": ['%(count)s рубрика по алфавиту. <a href=\"%(url)s\">По числу</a>',"
                               " '%(count)s рубрики по алфавиту. <a href=\"%(url)s\">По числу</a>',"
                               " '%(count)s рубрик по алфавиту. <a href=\"%(url)s\">По числу</a>']\n")
    own = site / "templates" / "locales" / "ru" / "LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "sitegen.po").write_text('msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
                                    'msgid "Archive"\nmsgstr "Летопись"\n', encoding="utf-8")
    result = sitegen("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    page = (site / "public" / "tags" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Рубрики</h1>" in page and "1 рубрика по алфавиту." in page
    assert ">Летопись</a>" in page and ">Страны</a>" in page     # the theme's catalog for the rest


def test_a_broken_placeholder_in_a_sites_catalog_fails_build_and_check_naming_file_and_line(tmp_path):
    site = make_site(tmp_path, "language: ru\n")
    own = site / "templates" / "locales" / "ru" / "LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "sitegen.po").write_text('msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
                                    '#, python-format\nmsgid "Page %(number)s of %(total)s"\n'
                                    'msgstr "Страница %(nomer)s из %(total)s"\n', encoding="utf-8")
    for command in ("build", "check"):
        result = sitegen(command, "--site", str(site))
        assert result.returncode != 0, command
        assert ("templates/locales/ru/LC_MESSAGES/sitegen.po:6: the translation of "
                "'Page %(number)s of %(total)s' has %(nomer)s") in result.stderr + result.stdout
    assert not (site / "public" / "index.html").exists()


def test_a_broken_placeholder_in_the_config_translations_is_an_error(tmp_path):
    site = make_site(tmp_path, "language: en\ntranslations:\n  'Page %(number)s of %(total)s': "
                               "'Page %(number)s'\n")
    result = sitegen("build", "--site", str(site))
    assert result.returncode != 0
    assert "sitegen.yaml: translations: the translation of 'Page %(number)s of %(total)s' " \
           "lacks %(total)s" in result.stderr + result.stdout
