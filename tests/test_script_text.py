"""The theme's scripts show no English of their own: every sentence a reader sees comes from
the page (JSON in a data-text attribute the template writes), so a translated theme translates the scripts too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEME = Path(__file__).resolve().parent.parent / "templates"
SCRIPTS = sorted((THEME / "static").glob("*.js"))
# Where each script's words are written: the template, and the element whose data-text holds them.
WORDS = {"filter.js": ("_macros.html", 'id="timeline-filter"'), "search.js": ("search.html", 'id="search" ')}

# A string literal that reads as words: one starting with a capital and a small letter, or with
# a space beside a letter ("Show more", " entries", "left)"). Single lower-case words ("click",
# "option") are DOM names and cannot be told apart from text by looking; they are not caught.
ENGLISH = re.compile(r"^[A-Z][a-z]|[A-Za-z]{2,} | [A-Za-z]{2,}")
# Literals readers never see: the strict-mode directive, errors the engine throws (shown only
# after the page's own "Search is not available" sentence, as diagnostics), and CSS selectors.
NOT_SHOWN = re.compile(r"(new Error|querySelector|querySelectorAll|closest|matches)\(\s*$")
KEY_NAMES = {"ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Enter", "Escape", "Home", "End"}


def string_literals(source: str) -> list[tuple[int, str, str]]:
    """Return (line, text before it on its line, literal) for each string literal of a script,
    skipping comments and regular expression literals."""
    found, i = [], 0
    regex_may_follow = True       # after an operator, a bracket or `return`, '/' opens a regex
    while i < len(source):
        c = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i) % (len(source) + 1)
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif c in "\"'`":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            line_start = source.rfind("\n", 0, i) + 1
            found.append((source.count("\n", 0, i) + 1, source[line_start:i], source[i + 1:j]))
            i, regex_may_follow = j + 1, False
        elif c == "/" and regex_may_follow:
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                in_class = (in_class or source[j] == "[") and source[j] != "]"
                j += 2 if source[j] == "\\" else 1
            i, regex_may_follow = j + 1, False
        elif c.isalnum() or c in "_$":
            word = re.match(r"[\w$]+", source[i:]).group(0)
            i, regex_may_follow = i + len(word), word in ("return", "typeof", "case")
        else:
            regex_may_follow = regex_may_follow if c.isspace() else c not in ")]}"
            i += 1
    return found


def english_literals(source: str) -> list[str]:
    """Return 'line: literal' for each literal of a script that reads as English words."""
    return [f"{line}: {text!r}" for line, before, text in string_literals(source)
            if ENGLISH.search(text) and text != "use strict" and text not in KEY_NAMES
            and not NOT_SHOWN.search(before)]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_hold_no_english_text(script):
    assert english_literals(script.read_text(encoding="utf-8")) == []


def test_the_scan_finds_english_and_passes_names_comments_and_patterns():
    source = r"""var a = "Show more"; // "Not this"
/* "Nor this" */ el("li", {"class": "x"});
b = n + " entries"; c = x.replace(/"it's"/g, "\u201c"); throw new Error("a b c");
d = 'Add'; return /a b/.test(s) ? `No results` : "data-key";
"""
    assert english_literals(source) == ["1: 'Show more'", "3: ' entries'", "4: 'Add'",
                                        "4: 'No results'"]


def script_keys(source: str) -> set[str]:
    """Return the keys a script asks the page's words for: text("key", …), text(x ? "a" : "b")."""
    return {key for argument in re.findall(r'\btext\(([^,)]*)', source)
            for key in re.findall(r'"(\w+)"', argument)}


def template_keys(template: str, element: str) -> set[str]:
    """Return the keys of the words a template writes into an element's data-text."""
    source = (THEME / template).read_text(encoding="utf-8")
    block = source[source.index(element):]
    block = block[block.index("data-text='"):block.index("}|tojson }}'")]
    return set(re.findall(r'^\s*"(\w+)":', block, re.M))


@pytest.mark.parametrize("script", sorted(WORDS))
def test_every_word_a_script_asks_for_is_written_by_its_template(script):
    template, element = WORDS[script]
    asked = script_keys((THEME / "static" / script).read_text(encoding="utf-8"))
    assert asked and asked <= template_keys(template, element)
