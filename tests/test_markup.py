"""Markdown rendering: sanitised output, and the plain-prose fast path equal to the full parser."""

import markdown
from hypothesis import given, settings, strategies as st

from site_builder.markup import _EXTENSIONS, plain_paragraphs, render_markdown, sanitize_html

PROSE_ALPHABET = list("abcXYZ019 .,;:-'\"()%$?/@&<>*_[]#!=+|~^{}\n\t\u00e9\u0416\u201c\u201d\u00a0")


def full_parser(text: str) -> str:
    return sanitize_html(markdown.markdown(text, extensions=_EXTENSIONS, output_format="html"))


def test_plain_prose_takes_the_fast_path():
    text = 'BEIJING (Sputnik) - Xi said: "ready", 50% of 2023.\n\nSecond paragraph.'
    assert plain_paragraphs(text) == ['BEIJING (Sputnik) - Xi said: "ready", 50% of 2023.',
                                      "Second paragraph."]
    assert render_markdown(text) == full_parser(text)


def test_markdown_takes_the_full_parser():
    for text in ["1. a list", "# heading", "*emphasis*", "a <b>tag</b>", "a & b", "- item",
                 "> quote", "line one\nline two", "[link](http://x.org)", "x  "]:
        assert plain_paragraphs(text) is None, text


# 5,000 generated texts in all: the fast path must give the full parser's HTML exactly.
@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from(PROSE_ALPHABET), max_size=40))
def test_fast_path_equals_full_parser_on_prose_like_text(text):
    if plain_paragraphs(text) is not None:
        assert render_markdown(text) == full_parser(text)


@settings(max_examples=3000, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=30))
def test_fast_path_equals_full_parser_on_any_unicode(text):
    if plain_paragraphs(text) is not None:
        assert render_markdown(text) == full_parser(text)


def test_sanitising_removes_scripts_handlers_and_bad_urls():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src="x" onerror="alert(1)">\n\n'
        '[a](javascript:alert(1)) [b](data:text/html,x) <svg><script>x</script></svg>\n\n'
        '<a href="https://example.org/">ok</a>')
    assert "<script" not in html and "onerror" not in html and "<svg" not in html
    assert "javascript:" not in html and "data:" not in html
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in html
