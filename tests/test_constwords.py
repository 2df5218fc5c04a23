"""The theme's constant words are translated when a template is compiled, with the same text
newstyle gettext gives; words with placeholders are still checked on every page."""

from __future__ import annotations

import datetime
import gettext

import jinja2
import pytest
from babel.dates import format_skeleton

from site_builder.core.config import Config
from site_builder.core.i18n import Language, parse_locale
from site_builder.outputs.catalogs import load_language
from site_builder.outputs.render import make_environment, theme_dir


@pytest.fixture(scope="module")
def russian(tmp_path_factory) -> Language:
    site = tmp_path_factory.mktemp("site")
    return load_language(site, Config(language="ru"), theme_dir()).language


def test_a_constant_word_is_compiled_into_the_template_as_its_translation(russian, tmp_path):
    env = make_environment(tmp_path, language=russian)
    source = '{{ _("Tags") }}|{{ _("Archive") }}'
    code = env.compile(source, raw=True)
    assert "Tags" not in code and russian.gettext("Tags") in code
    expected = f'{russian.gettext("Tags")}|{russian.gettext("Archive")}'
    assert env.from_string(source).render() == expected


def test_folded_words_render_as_newstyle_gettext_does(russian, tmp_path):
    source = '{{ _("A & B") }} {{ _("100%% sure") }} {{ (_("Tags") ~ "<")|length }}'
    env = make_environment(tmp_path, language=russian)
    newstyle = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    newstyle.install_gettext_translations(russian.translations, newstyle=True)
    assert env.from_string(source).render() == newstyle.from_string(source).render()
    assert env.from_string(source).render().startswith("A & B 100% sure ")


def test_a_word_with_placeholders_is_still_checked_on_every_page(russian, tmp_path):
    env = make_environment(tmp_path, language=russian)
    assert "Page %(number)s" in env.compile('{{ _("Page %(number)s", number=n) }}', raw=True)
    assert env.from_string('{{ _("Page %(number)s", number=n) }}').render(n=2) == \
        russian.gettext("Page %(number)s") % {"number": 2}
    with pytest.raises(KeyError):
        env.from_string('{{ _("Page %(number)s") }}').render()


@pytest.mark.parametrize("code", ["en", "en-US", "ru", "zh_Hans", "ar", "fr", "es"])
def test_dates_by_skeleton_match_babels_format_skeleton(code):
    language = Language(parse_locale(code), gettext.NullTranslations())
    for day in (datetime.date(2022, 12, 31), datetime.date(2016, 5, 3)):
        assert language.month_label(day.year, day.month) == \
            format_skeleton("yMMMM", day, locale=language.locale)
        assert language.skeleton_pattern("dMMM") == \
            language.locale.datetime_skeletons["MMMd"].pattern
