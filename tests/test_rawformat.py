"""Tests for site_builder.sources.rawformat: parsing raw scraped articles from lines."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.core.errors import SourceError
from site_builder.model.records import RawArticle
from site_builder.sources.rawformat import _CLAUSE_WORDS as CLAUSE_WORDS
from site_builder.sources.rawformat import (
    clean_line, decode_raw, find_dateline, is_keywords_before_dateline, is_keywords_line,
    merge_continuations,
    parse_keywords, parse_raw_article, split_raw_lines, split_summary_keywords_body,
)

SEED = Path(__file__).parent / "data" / "raw" / "sputnik-xi-putin.txt"
AGENCIES = Path(__file__).parent / "data" / "raw" / "agencies"
URL = ("https://sputniknews.com/20221231/"
       "chinas-xi-ready-to-maintain-close-cooperation-with-putin-in-2023-1105949069.html")
SUMMARY = (
    'The Chinese president also said that the relations between Moscow and Beijing may "find new '
    'opportunities for growth" in 2023. On Friday, Putin congratulated Xi on New Year and expressed '
    "confidence that cooperation between countries will reach new heights. The Russian leader also "
    "underlined that, in the outgoing year, relations of comprehensive partnership and strategic "
    "cooperation between Russia and China continued to strengthen and demonstrated high dynamic and "
    "resilience to external challenges."
)
KEYWORDS = ("russia", "moscow", "china", "xi jinping", "bilateral relations",
            "russia-china relations", "russian-chinese alliance", "moscow-beijing ties",
            "putin and xi friendship")
HEAD = ["date 2023-03-21 https://example.com/a", "A title", "The lead"]
DATELINED = "MOSCOW, March 21 (Sputnik) - The talks began on Tuesday."
PROSE = "The talks, which began on Tuesday, ended late at night without any agreement at all."


def parse_text(text: str, path: str = "raw/a.txt") -> RawArticle:
    """Return the article parsed from a whole file's text."""
    return parse_raw_article(split_raw_lines(text), path)


def parse_error(lines: list[str], path: str = "raw/a.txt") -> SourceError:
    """Return the SourceError that parsing lines raises."""
    with pytest.raises(SourceError) as info:
        parse_raw_article(lines, path)
    return info.value


def seed_article() -> RawArticle:
    """Return the parsed seed article."""
    return parse_text(decode_raw(SEED.read_bytes(), "raw/seed.txt"), "raw/seed.txt")


# --- the seed -------------------------------------------------------------------------------


def test_seed_every_field():
    article = seed_article()
    assert article.path == "raw/seed.txt"
    assert article.date == datetime.date(2022, 12, 31)
    assert article.url == URL
    assert article.title == "China's Xi Ready to Maintain Close Cooperation With Putin in 2023"
    assert article.lead == (
        "Chinese President Xi Jinping, in a New Year telegram to Russian President Vladimir Putin, "
        "expressed the willingness to maintain close contacts with him in the new year")
    assert article.summary == SUMMARY
    assert article.keywords == KEYWORDS
    assert article.dateline == "BEIJING"
    assert len(article.paragraphs) == 4
    assert article.paragraphs[0].startswith("BEIJING (Sputnik) - Chinese President Xi Jinping")
    assert article.paragraphs[0].endswith("Chinese television reported on Saturday.")
    assert article.paragraphs[1].startswith('"I am ready to maintain close contacts')
    assert article.paragraphs[2] == ('The Chinese president also said that the relations between '
                                     'Moscow and Beijing may "find new opportunities for growth" '
                                     'in 2023.')
    assert article.paragraphs[3].startswith("On Friday, Putin congratulated Xi")
    assert "will reach new heights. The Russian leader also underlined" in article.paragraphs[3]
    assert article.paragraphs[3].endswith("resilience to external challenges.")


def test_seed_paragraphs_are_the_file_lines_with_the_broken_one_joined():
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    assert raw_lines[9].startswith(". The Russian leader")
    assert seed_article().paragraphs == (
        raw_lines[5], raw_lines[6], raw_lines[7], raw_lines[8] + raw_lines[9])


@pytest.mark.parametrize("variant", [
    lambda data: data.replace(b"\n", b"\r\n"),
    lambda data: data.replace(b"\n", b"\r"),
    lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
    lambda data: b"\n\n" + data.replace(b"\n", b"\n  \n\t") + b"\n\n",
], ids=["crlf", "cr", "bom-crlf", "blank-lines-and-indents"])
def test_line_endings_bom_and_blank_lines_do_not_change_the_article(variant):
    data = variant(SEED.read_bytes())
    article = parse_text(decode_raw(data, "raw/seed.txt"), "raw/seed.txt")
    assert article == seed_article()


# --- cleaning and decoding ----------------------------------------------------------------


@pytest.mark.parametrize("line, expected", [
    ("  padded\t ", "padded"),
    ("\ufeffdate 2022-12-31 x", "date 2022-12-31 x"),
    ("tab\there", "tab here"),
    ("a\nb\rc", "a b c"),
    ("a\u2028b\x85c", "a b c"),
    ("bell\x07 and escape\x1b[0m", "bell and escape[0m"),
    ("\x01\x02\x03", ""),
    ("lone \ud800 surrogate", "lone  surrogate"),
    ("keep\u00a0no-break space", "keep\u00a0no-break space"),
])
def test_clean_line(line, expected):
    assert clean_line(line) == expected


def test_split_raw_lines_breaks_on_lf_crlf_and_cr_only():
    assert split_raw_lines("a\r\nb\rc\nd\u2028e") == ["a", "b", "c", "d\u2028e"]


def test_decode_raw_accepts_a_bom():
    assert decode_raw("\ufeffdate é".encode("utf-8"), "a.txt") == "date é"


def test_decode_raw_rejects_bytes_that_are_not_utf8_with_their_line():
    error = pytest.raises(SourceError, decode_raw, b"date\r\ntitle\r\nlead caf\xe9\r\n", "raw/a.txt")
    assert error.value.format() == (
        "raw/a.txt:3: the file is not valid UTF-8 (byte 0xE9 at offset 21) (save the file as UTF-8)")


def test_decode_raw_counts_the_bom_in_the_offset_of_bad_bytes():
    error = pytest.raises(SourceError, decode_raw, b"\xef\xbb\xbfdate\n\xff", "a.txt").value
    assert error.format() == "a.txt:2: the file is not valid UTF-8 (byte 0xFF at offset 8) (save the file as UTF-8)"


@pytest.mark.parametrize("data", [
    b"date 2022-12-31 x\x00y",
    "date 2022-12-31 https://a.b/".encode("utf-16"),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
], ids=["nul", "utf-16", "png"])
def test_decode_raw_rejects_binary_files(data):
    error = pytest.raises(SourceError, decode_raw, data, "raw/a.txt").value
    assert error.path == "raw/a.txt"
    assert "the file is not text: it contains NUL bytes" in error.format()
    assert error.hint


# --- broken lines -------------------------------------------------------------------------


@pytest.mark.parametrize("texts, expected", [
    (["reach new heights", ". The Russian leader"], ["reach new heights. The Russian leader"]),
    (["new heights.", ". The Russian"], ["new heights. The Russian"]),
    (["new heights.", "."], ["new heights."]),
    (["he said", ", adding more"], ["he said, adding more"]),
    (["he waited", "... and waited"], ["he waited... and waited"]),
    (["one", ".two", "; three"], ["one.two; three"]),
    (["a quote", '"Another paragraph"'], ["a quote", '"Another paragraph"']),
    (["a line", "- a dash"], ["a line", "- a dash"]),
    (["russia, china", ". A body line"], ["russia, china", ". A body line"]),
])
def test_merge_continuations(texts, expected):
    assert merge_continuations(texts) == expected


def test_a_continuation_never_joins_the_date_line():
    article = parse_raw_article(["date 2022-12-31 https://a.example/x", ". Odd title"], "a.txt")
    assert article.title == ". Odd title"


# --- summary, keywords, body --------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "russia, moscow, china, xi jinping",
    "Russia, China, Xi Jinping",
    "russia",
    "u.s., russia-china relations",
    "a,,b,",
    "putin and xi friendship, moscow-beijing ties",
])
def test_is_keywords_line_accepts(text):
    assert is_keywords_line(text)


@pytest.mark.parametrize("text", [
    PROSE,
    "However, the deal, which was signed on Friday, remains fragile",
    "On Friday, Putin congratulated Xi on New Year and expressed confidence that it works",
    "Russia, China sign deal",
    "Russia",
    "He said: yes, no, maybe",
    'russia, "china", moscow',
    "russia, china. Moscow",
    ", , ,",
    "Stay tuned.",
])
def test_is_keywords_line_rejects(text):
    assert not is_keywords_line(text)


SUMMARY_LINE = "The talks ended late at night without any agreement. Both sides blamed the other."
KEYWORD_LINE = "russia, talks, diplomacy"


@pytest.mark.parametrize("rest, expected", [
    ([], ("", "", [])),
    ([SUMMARY_LINE, KEYWORD_LINE, DATELINED, PROSE],
     (SUMMARY_LINE, KEYWORD_LINE, [DATELINED, PROSE])),
    ([KEYWORD_LINE, DATELINED, PROSE], ("", KEYWORD_LINE, [DATELINED, PROSE])),
    ([KEYWORD_LINE, PROSE], ("", KEYWORD_LINE, [PROSE])),
    ([SUMMARY_LINE, DATELINED, PROSE], (SUMMARY_LINE, "", [DATELINED, PROSE])),
    ([DATELINED, PROSE], ("", "", [DATELINED, PROSE])),
    ([PROSE, "The talks ended late at night without any agreement. Then more."],
     ("", "", [PROSE, "The talks ended late at night without any agreement. Then more."])),
    ([SUMMARY_LINE, PROSE, "The talks ended late at night without any agreement. Then more."],
     (SUMMARY_LINE, "", [PROSE, "The talks ended late at night without any agreement. Then more."])),
    ([SUMMARY_LINE, PROSE], ("", "", [SUMMARY_LINE, PROSE])),
    ([SUMMARY_LINE], ("", "", [SUMMARY_LINE])),
    ([KEYWORD_LINE], ("", KEYWORD_LINE, [])),
], ids=["nothing", "all", "no-summary", "no-summary-no-dateline", "no-keywords",
        "neither", "neither-no-dateline", "summary-repeated-in-body", "unsure-goes-to-body",
        "lone-prose", "lone-keywords"])
def test_split_summary_keywords_body(rest, expected):
    assert split_summary_keywords_body(rest) == expected


def test_article_without_summary_and_keywords_keeps_all_body_and_dateline():
    article = parse_raw_article(HEAD + [DATELINED, PROSE], "a.txt")
    assert (article.summary, article.keywords) == ("", ())
    assert article.paragraphs == (DATELINED, PROSE)
    assert article.dateline == "MOSCOW"


@pytest.mark.parametrize("typed, day", [("2023-5-9", datetime.date(2023, 5, 9)),
                                        ("2023-05-9", datetime.date(2023, 5, 9)),
                                        ("2023-12-1", datetime.date(2023, 12, 1))])
def test_a_date_typed_without_leading_zeros_is_read(typed, day):
    assert parse_raw_article([f"date {typed} https://a.example/", "T"], "a.txt").date == day


def test_article_with_only_date_and_title():
    article = parse_raw_article(HEAD[:2], "a.txt")
    assert (article.title, article.lead, article.summary, article.keywords, article.dateline,
            article.paragraphs) == ("A title", "", "", (), "", ())


@pytest.mark.parametrize("paragraph, place", [
    ("BEIJING (Sputnik) - Chinese President", "BEIJING"),
    ("MOSCOW, March 21 (Sputnik) - Russia", "MOSCOW"),
    ("MOSCOW, December 31. /TASS/. Russian President", "MOSCOW"),
    ("WASHINGTON (AP) — The", "WASHINGTON"),
    ("KYIV, Ukraine (AP) — Russia", "KYIV"),
    ("ST. PETERSBURG (Reuters) - The", "ST. PETERSBURG"),
    ("NEW YORK - Stocks", "NEW YORK"),
    ("МОСКВА, 21 марта (РИА Новости) - Президент", "МОСКВА"),
    ("The president (AP) - said", ""),
    ('"I am ready," Xi said', ""),
    ("On Friday, Putin congratulated Xi", ""),
    ("", ""),
])
def test_find_dateline(paragraph, place):
    assert find_dateline(paragraph) == place


@pytest.mark.parametrize("paragraph, place", [
    ("MOSCOW, March 21. /TASS/. Russian President", "MOSCOW"),
    ("MOSCOW, March 21 (Xinhua) -- Chinese President", "MOSCOW"),
    ("МОСКВА, 30 дек — РИА Новости. Президент", "МОСКВА"),
    ("MOSCOW, March 21 (Reuters) - Russian President", "MOSCOW"),
    ("MOSCOW (AP) — Chinese leader", "MOSCOW"),
    ("Moscow (AFP) - Chinese President", "Moscow"),
    ("Buenos Aires (AFP) - The", "Buenos Aires"),
    ("On Friday, Putin met Xi (AP) - and", ""),
    ("Moscow - the talks", ""),
], ids=["tass", "xinhua", "ria", "reuters", "ap", "afp", "afp-two-words", "prose-before-agency",
        "title-case-without-agency"])
def test_find_dateline_of_each_agency(paragraph, place):
    assert find_dateline(paragraph) == place


@pytest.mark.parametrize("name", sorted(json.loads(
    (AGENCIES / "expected.json").read_text(encoding="utf-8"))))
def test_agency_case_files(name):
    expected = json.loads((AGENCIES / "expected.json").read_text(encoding="utf-8"))[name]
    path = AGENCIES / name
    article = parse_text(decode_raw(path.read_bytes(), name), name)
    assert article.dateline == expected["dateline"]
    assert article.keywords == tuple(expected["keywords"])
    assert article.summary == expected["summary"]
    assert find_dateline(article.paragraphs[0]) == expected["dateline"]
    assert str(article.date) == expected.get("date", str(article.date))


@pytest.mark.parametrize("text, following, expected", [
    ("Xi Jinping, Vladimir Putin, Russia, china, Kremlin, joint statement", DATELINED, True),
    ("Xi Jinping ,  Vladimir Putin,, Russia", DATELINED, True),
    ("China, Russia sign deal", DATELINED, True),
    ("Xi Jinping, Vladimir Putin, Russia, china", PROSE, False),
    ("Xi Jinping, Vladimir Putin, Russia, china", None, False),
    ("However, the deal, which was signed on Friday, remains fragile", DATELINED, False),
    ("On Friday, Putin congratulated Xi.", DATELINED, False),
    ("Moscow, in turn, has said nothing", DATELINED, False),
    ("The talks, the first in years, ended.", DATELINED, False),
    ("Russia", DATELINED, False),
    (DATELINED, DATELINED, False),
])
def test_is_keywords_before_dateline(text, following, expected):
    assert is_keywords_before_dateline(text, following) is expected


def test_mixed_case_keywords_after_a_summary_are_keywords():
    keywords = "Xi Jinping, Vladimir Putin, Russia, china, Kremlin, joint statement"
    assert split_summary_keywords_body([SUMMARY_LINE, keywords, DATELINED, PROSE]) == (
        SUMMARY_LINE, keywords, [DATELINED, PROSE])
    article = parse_raw_article(HEAD + [keywords, DATELINED], "a.txt")
    assert article.keywords == ("Xi Jinping", "Vladimir Putin", "Russia", "china", "Kremlin",
                                "joint statement")
    assert (article.dateline, article.paragraphs) == ("MOSCOW", (DATELINED,))


def test_parse_keywords_trims_drops_empties_and_case_folded_repeats():
    assert parse_keywords(" Russia, russia ,, China,RUSSIA , straße, STRASSE,") == (
        "Russia", "China", "straße")


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("lines, expected", [
    ([], "raw/a.txt: the file is empty (a raw article starts with a line 'date YYYY-MM-DD URL', "
         "then the title)"),
    (["", "  ", "\t"], "raw/a.txt: the file is empty"),
    (["", "A title", "date 2022-12-31 https://a.example/"],
     "raw/a.txt:2: expected a 'date YYYY-MM-DD URL' line, found 'A title'"),
    (["date"], "raw/a.txt:1: the date line has no date"),
    (["date 2022-02-30 https://a.example/", "T"],
     "raw/a.txt:1: date '2022-02-30' is not a calendar date (expected YYYY-MM-DD)"),
    (["date 31.12.2022 https://a.example/", "T"],
     "raw/a.txt:1: date '31.12.2022' is not in the form YYYY-MM-DD (e.g. 2022-12-31)"),
    (["date ٢٠٢٢-١٢-٣١ https://a.example/", "T"], "is not in the form YYYY-MM-DD"),
    (["date 05/09/2023 https://a.example/", "T"],
     "raw/a.txt:1: date '05/09/2023' is not in the form YYYY-MM-DD (e.g. 2022-12-31)"),
    (["date 2023-5-32 https://a.example/", "T"],
     "raw/a.txt:1: date '2023-5-32' is not a calendar date (expected YYYY-MM-DD)"),
    (["date 2023-005-09 https://a.example/", "T"], "is not in the form YYYY-MM-DD"),
    (["\n", " date 2022-12-31", "T"], "raw/a.txt:2: the date line has no source URL"),
    (["date 2022-12-31 ftp://a.example/", "T"], "source URL 'ftp://a.example/' is not an http(s) URL"),
    (["date 2022-12-31 https://", "T"], "is not an http(s) URL"),
    (["date 2022-12-31 http://[::1/", "T"], "is not an http(s) URL"),
    (["date 2022-12-31 https://a.example/ extra", "T"], "unexpected text after the URL: 'extra'"),
    (["date 2022-12-31 https://a.example/"], "raw/a.txt:1: the article has no title"),
    (["date 2022-12-31 https://a.example/", "", "  "], "raw/a.txt:1: the article has no title"),
    (["date 2022-12-31 https://a.example/", "Ti\x00tle"],
     "raw/a.txt:2: the file is not text: it contains NUL bytes"),
])
def test_bad_input_is_one_located_sentence_with_a_hint(lines, expected):
    error = parse_error(lines)
    assert expected in error.format()
    assert error.path == "raw/a.txt"
    assert error.hint


# --- the keywords rule, as properties -------------------------------------------------------

WORD = st.from_regex(r"[A-Za-z][a-z]{1,9}", fullmatch=True).filter(
    lambda word: word.casefold() not in CLAUSE_WORDS)
PHRASE = st.lists(WORD, min_size=1, max_size=3).map(" ".join)
SEPARATOR = st.sampled_from([", ", ",", " , ", ",  ", ",, ", " ,, "])
CLAUSE = st.tuples(st.lists(WORD, max_size=2), st.sampled_from(sorted(CLAUSE_WORDS)),
                   st.lists(WORD, min_size=1, max_size=3)).map(
    lambda parts: " ".join([*parts[0], parts[1], *parts[2]]))
DATELINES = st.sampled_from([DATELINED, "MOSCOW, March 21. /TASS/. Russia and China",
                             "Moscow (AFP) - The talks", "МОСКВА, 30 дек — РИА Новости. Путин"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PHRASE, min_size=3, max_size=8), st.data(), DATELINES, st.booleans())
def test_keyword_lines_of_any_case_before_a_dateline_are_keywords(phrases, data, dateline,
                                                                  with_summary):
    line = phrases[0]
    for phrase in phrases[1:]:
        line += data.draw(SEPARATOR) + phrase
    rest = ([SUMMARY_LINE] if with_summary else []) + [line, dateline, PROSE]
    article = parse_raw_article(HEAD + rest, "a.txt")
    assert article.keywords == parse_keywords(line)
    assert article.paragraphs[0] == dateline and article.dateline
    assert article.summary == (SUMMARY_LINE if with_summary else "")


@settings(max_examples=300, deadline=None)
@given(WORD, st.lists(CLAUSE, min_size=1, max_size=4), st.sampled_from([".", "", "!", "?"]),
       DATELINES, st.booleans())
def test_sentences_with_commas_are_never_keywords(opening, clauses, end, dateline, with_summary):
    sentence = opening.capitalize() + ", " + ", ".join(clauses) + end
    rest = ([SUMMARY_LINE] if with_summary else []) + [sentence, dateline]
    article = parse_raw_article(HEAD + rest, "a.txt")
    assert article.keywords == ()
    assert sentence in (article.summary, *article.paragraphs)


# --- totality and time --------------------------------------------------------------------

ANY_LINE = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)
LIKELY_LINE = st.one_of(
    ANY_LINE,
    st.sampled_from(["date 2022-12-31 https://a.example/x", " date 2022-02-30 http://b/",
                     "russia, china", DATELINED, PROSE, ". continued", "", "date", "\x00"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LIKELY_LINE, max_size=12))
def test_parser_is_total_on_any_lines(lines):
    try:
        article = parse_raw_article(lines, "raw/x.txt")
    except SourceError as error:
        assert error.format().startswith("raw/x.txt")
        return
    assert isinstance(article, RawArticle)
    assert article.title and all(article.paragraphs) and all(article.keywords)
    assert all("\n" not in text and "\r" not in text and text == text.strip()
               for text in (article.title, article.lead, article.summary, *article.paragraphs))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_decoding_and_parsing_is_total_on_any_bytes(data, with_head):
    if with_head:
        data = b"date 2022-12-31 https://a.example/\n" + data
    try:
        parse_raw_article(split_raw_lines(decode_raw(data, "x.txt")), "x.txt")
    except SourceError as error:
        assert error.path == "x.txt"


@pytest.mark.parametrize("body_lines", [
    ["x" * 3_000_000],
    [". continued"] * 100_000,
    ["word, " * 500_000],
    ["BEIJING" + " " * 1_000_000 + "(Sputnik) - x"],
    [". " * 1_000_000],
], ids=["long-line", "many-continuations", "comma-line", "spaces", "dots"])
def test_parser_runs_in_linear_time_on_huge_input(body_lines):
    started = time.perf_counter()
    article = parse_raw_article(HEAD + [PROSE] + body_lines, "a.txt")
    assert article.title == "A title"
    assert time.perf_counter() - started < 5  # quadratic behaviour takes minutes here


def clean_line_in_full(line: str) -> str:
    """Return what clean_line gave before lines with nothing to replace were only stripped."""
    from site_builder.sources import rawformat
    line = rawformat._SPACE_LIKE_RE.sub(" ", line)
    line = rawformat._CONTROL_RE.sub("", line)
    return line.strip().lstrip("\ufeff").strip()


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("a Я\t\r\x0b\x1c\x1f\x01\x7f\x85\x9f\xa0\u2028\u2029\u3000\ufeff"
                               "\ud800\x00"), max_size=12) | st.text(max_size=12))
def test_clean_line_takes_its_shortcut_only_where_it_gives_the_same(line):
    assert clean_line(line) == clean_line_in_full(line)
