"""The search index's word rules (site_builder/outputs/searchwords.py), and the same rules in
the search page's engine (templates/static/search-engine.js), run by Node on the same strings."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.outputs.searchwords import fold, searchable, words

ENGINE = Path(__file__).resolve().parent.parent / "templates" / "static" / "search-engine.js"

TRICKY = [
    "Café au lait, naïve résumé — Ångström",
    "Переговоры в Кремле: ёлка, йогурт, ЁЖ и Й",
    "مُحَمَّدٌ يَكْتُبُ الرِّسَالَةَ",                       # Arabic with harakat
    "中国和俄罗斯举行会谈",
    "東京で会議を開催しました。カタカナ・コーヒー ｶﾀｶﾅ",
    "서울에서 정상회담 한국어",
    "l'accord d’Alger, rock'n'roll, U.S.-China",
    "COVID-19 ²³ ½ 2023-03-21 № 5 ⅻ ①",
    "emoji 🇷🇺🇨🇳 👩🏽‍💻 test🙂word",
    "İstanbul ǅemal ﬁnance ẞtraße Σίσυφος",
    "ﬀ \ufa0e \U00020000 \u30fc",
    "under_score tab\there new\nline",
]


def test_fold_removes_marks_and_case():
    assert fold("Café ÑANDÚ") == "cafe nandu"
    assert fold("Ёлка й") == "елка и"
    assert fold("مُحَمَّد") == "محمد"
    assert fold("한국") == "한국"                     # syllables put together again


def test_words_split_on_punctuation_and_cjk_characters():
    assert words("l'accord U.S.-China rock'n'roll") == ["l", "accord", "u", "s", "china", "rock",
                                                         "n", "roll"]
    assert words("中国和俄罗斯") == ["中", "国", "和", "俄", "罗", "斯"]
    # the voiced mark of "で" is a combining mark, dropped as accents are: "て"
    assert words("東京でカタカナ") == ["東", "京", "て", "カ", "タ", "カ", "ナ"]
    assert words("COVID-19 test🙂word under_score") == ["covid", "19", "test", "word", "under",
                                                       "score"]


def test_a_one_character_word_is_searchable_only_when_cjk():
    assert [searchable(w) for w in ("a", "7", "中", "ab")] == [False, False, True, True]


def run_engine(function: str, texts: list[str]) -> list:
    """Return what the engine's exported function gives for each text, run by Node."""
    script = (f"import {{ {function} }} from {json.dumps(ENGINE.as_uri())};\n"
              "import { readFileSync } from 'node:fs';\n"
              "const texts = JSON.parse(readFileSync(0, 'utf-8'));\n"
              f"process.stdout.write(JSON.stringify(texts.map((t) => {function}(t))));\n")
    done = subprocess.run(["node", "--experimental-detect-module", "--input-type=module", "-e",
                           script], input=json.dumps(texts), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
@pytest.mark.parametrize("function", ["fold", "words"])
def test_the_search_page_has_the_same_word_rules(function):
    python = {"fold": fold, "words": words}[function]
    assert run_engine(function, TRICKY) == [python(text) for text in TRICKY]
