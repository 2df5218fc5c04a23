"""Entry loading: fields, dates in any accepted form, unknown keys kept, and every bad input."""

import datetime
import zoneinfo

import pytest

from site_builder.sources.content import decode_entry, load_entries, parse_date, parse_entry
from site_builder.core.errors import SourceError

UTC = datetime.timezone.utc
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def entry_text(front: str, body: str = "Body text.") -> str:
    return f"---\n{front}---\n\n{body}\n"


def test_fields_are_read():
    text = entry_text(
        "title: Xi meets Putin\ndate: 2022-12-31\nslug: xi-putin\nlead: A lead.\n"
        "summary: A summary.\ntags: [russia, China, china, ' ', Xi Jinping]\n"
        "source:\n  name: Sputnik\n  url: https://sputniknews.com/a\ndateline: BEIJING\n"
        "imported_from: seeds/a.txt\nmood: hopeful\n")
    entry = parse_entry(text, "content/2022/12/xi-putin.md", tz=UTC)
    assert entry.title == "Xi meets Putin"
    assert entry.slug == "xi-putin"
    assert entry.date == datetime.date(2022, 12, 31)
    assert entry.lead == "A lead." and entry.summary == "A summary."
    assert entry.tags == ("russia", "China", "Xi Jinping")
    assert (entry.source_name, entry.source_url) == ("Sputnik", "https://sputniknews.com/a")
    assert entry.dateline == "BEIJING"
    assert entry.body_html == "<p>Body text.</p>"
    assert entry.params == {"imported_from": "seeds/a.txt", "mood": "hopeful"}
    assert entry.draft is False


def test_slug_defaults_to_the_title():
    entry = parse_entry(entry_text("title: Встреча в Москве\ndate: 2023-01-02\n"), "e.md", tz=UTC)
    assert entry.slug == "vstrecha-v-moskve"


@pytest.mark.parametrize("value, instant", [
    ("2022-12-31", datetime.datetime(2022, 12, 31, tzinfo=MOSCOW)),
    ("'2022-12-31'", datetime.datetime(2022, 12, 31, tzinfo=MOSCOW)),
    ("2013-05-06 02:12:52 +0200",
     datetime.datetime(2013, 5, 6, 2, 12, 52, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))),
    ("2019-08-01T10:00:00Z", datetime.datetime(2019, 8, 1, 10, tzinfo=UTC)),
    ('"2019-08-01T10:00:00+05:30"',
     datetime.datetime(2019, 8, 1, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))),
    ("2019-08-01 10:00", datetime.datetime(2019, 8, 1, 10, tzinfo=MOSCOW)),
    ("2023-5-9", datetime.datetime(2023, 5, 9, tzinfo=MOSCOW)),          # a string to YAML
    ("'2023-5-9'", datetime.datetime(2023, 5, 9, tzinfo=MOSCOW)),
    ("2023-12-9", datetime.datetime(2023, 12, 9, tzinfo=MOSCOW)),
    ("2023-5-9 10:00", datetime.datetime(2023, 5, 9, 10, tzinfo=MOSCOW)),
])
def test_dates_and_date_times(value, instant):
    entry = parse_entry(entry_text(f"title: T\ndate: {value}\n"), "e.md", tz=MOSCOW)
    assert entry.instant == instant


@pytest.mark.parametrize("tag", ["ru", "pt-BR", "zh-Hans", "sr-Latn-RS"])
def test_a_language_tag_is_kept_for_the_entry_page(tag):
    entry = parse_entry(entry_text(f"title: T\ndate: 2022-01-01\nlang: {tag}\n"), "e.md", tz=UTC)
    assert entry.params["lang"] == tag


def test_day_is_filed_under_the_site_time_zone():
    entry = parse_entry(entry_text("title: T\ndate: 2019-12-31T22:30:00Z\n"), "e.md", tz=MOSCOW)
    assert entry.date == datetime.date(2020, 1, 1)


@pytest.mark.parametrize("front, line, message", [
    ("title: T\ndate: 2022-02-30\n", 3, "date '2022-02-30' is not a calendar date"),
    ("title: T\ndate: yesterday\n", 3, "date 'yesterday' is not a date"),
    ("title: T\ndate: 05/09/2023\n", 3,
     "date '05/09/2023' is not a date (expected YYYY-MM-DD, or a date-time"),
    ("title: T\ndate: 2023-5-32\n", 3, "date '2023-5-32' is not a calendar date"),
    ("title: T\ndate: [2022]\n", 3, "date must be a date, not list"),
    ("date: 2022-01-01\n", 1, "the entry has no title"),
    ("title: T\n", 1, "the entry has no date"),
    ("title: T\ndate: 2022-01-01\ntags: russia, china\n", 4, "'tags' must be a list of strings"),
    ("title: T\ndate: 2022-01-01\ntags: [[a]]\n", 4, "tag ['a'] is not a string"),
    ("title: T\ndate: 2022-01-01\nslug: ../../etc\n", 4, "is not a safe URL name"),
    ("title: T\ndate: 2022-01-01\nslug: con\n", 4, "is not a safe URL name"),
    ("title: T\ndate: 2022-01-01\ndraft: perhaps\n", 4, "'draft' must be true or false"),
    ("title: [T]\ndate: 2022-01-01\n", 2, "'title' must be text"),
    ("title: T\ndate: 2022-01-01\nsource: javascript:alert(1)\n", 4, "is not an http(s) URL"),
    ("title: T\ndate: 2022-01-01\nsource: {url: 'data:text/html,x'}\n", 4, "is not an http(s) URL"),
    ("title: T\ndate: 2022-01-01\nlang: english\n", 4, "lang 'english' is not a language tag"),
    ("title: T\ndate: 2022-01-01\nlang: 'ru\" onmouseover=\"x'\n", 4, "is not a language tag"),
    ("title: T\ndate: 2022-01-01\nlang: [ru]\n", 4, "lang \"['ru']\" is not a language tag"),
])
def test_bad_front_matter_names_file_and_line(front, line, message):
    with pytest.raises(SourceError) as info:
        parse_entry(entry_text(front), "content/e.md", tz=UTC)
    assert str(info.value).startswith(f"content/e.md:{line}: ")
    assert message in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("title: T\n", "content/e.md:1: no front matter"),
    ("---\ntitle: T\n", "content/e.md:1: front matter is never closed"),
    ("---\n- a\n- b\n---\n", "content/e.md:2: front matter must be a mapping"),
    ("---\ntitle: T\ndate: [2022\n---\n", "content/e.md:4: invalid YAML"),
])
def test_broken_files(text, message):
    with pytest.raises(SourceError) as info:
        parse_entry(text, "content/e.md", tz=UTC)
    assert str(info.value).startswith(message)


def test_crlf_and_bom_are_accepted():
    text = "\ufeff" + entry_text("title: T\ndate: 2022-01-01\n").replace("\n", "\r\n")
    assert parse_entry(text, "e.md", tz=UTC).title == "T"


def test_hand_written_html_is_sanitised():
    body = '<script>alert(1)</script>\n\n<a href="javascript:alert(1)" onclick="x()">link</a>'
    entry = parse_entry(entry_text("title: T\ndate: 2022-01-01\n", body), "e.md", tz=UTC)
    assert "<script" not in entry.body_html
    assert "javascript:" not in entry.body_html and "onclick" not in entry.body_html
    assert "link" in entry.body_html


def test_not_utf8_and_not_text():
    with pytest.raises(SourceError, match=r"^e.md:2: the file is not valid UTF-8"):
        decode_entry(b"---\n\xff\xfe\n", "e.md")
    with pytest.raises(SourceError, match="not a text file"):
        decode_entry(b"\x00\x01binary", "e.md")


def test_load_entries_collects_every_error(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.md").write_text(entry_text("title: Good\ndate: 2022-01-01\n"), encoding="utf-8")
    (content / "bad1.md").write_text(entry_text("title: Bad\ndate: 2022-13-01\n"), encoding="utf-8")
    (content / "bad2.md").write_text(entry_text("date: 2022-01-01\n"), encoding="utf-8")
    entries, errors = load_entries(tmp_path, sorted(content.glob("*.md")), UTC)
    assert [e.title for e in entries] == ["Good"]
    assert sorted(e.path for e in errors) == ["content/bad1.md", "content/bad2.md"]
    assert entries[0].digest


def test_parse_date_rejects_impossible_offsets():
    with pytest.raises(ValueError, match="impossible time zone"):
        parse_date("2022-01-01 10:00 +2500", UTC)


# --- markup: how the body is written ------------------------------------------------------------

def test_markup_text_shows_the_body_as_written():
    text = entry_text("title: T\ndate: 2022-01-01\nmarkup: text\n", "*not em* <b>x</b> & [y]")
    entry = parse_entry(text, "e.md", tz=UTC)
    assert entry.body_html == "<p>*not em* &lt;b&gt;x&lt;/b&gt; &amp; [y]</p>"
    assert "markup" not in entry.params
    markdown = parse_entry(entry_text("title: T\ndate: 2022-01-01\nmarkup: markdown\n", "*em*"),
                           "e.md", tz=UTC)
    assert markdown.body_html == "<p><em>em</em></p>"


@pytest.mark.parametrize("value", ["html", "Text", "[text]", "true", "''"])
def test_an_unknown_markup_is_a_located_error_naming_the_allowed_ones(value):
    text = entry_text(f"title: T\ndate: 2022-01-01\nmarkup: {value}\n")
    with pytest.raises(SourceError, match=r"^e.md:4: markup .* is not one of: markdown, text "):
        parse_entry(text, "e.md", tz=UTC)


def test_a_body_past_the_markdown_limits_is_an_error_on_its_line_in_the_file():
    text = entry_text("title: T\ndate: 2022-01-01\n", "Intro.\n\n" + "> " * 60 + "deep")
    with pytest.raises(SourceError, match=r"^e.md:8: lists or quotes are nested more than 50"):
        parse_entry(text, "e.md", tz=UTC)
    text = entry_text("title: T\ndate: 2022-01-01\nmarkup: text\n", "> " * 60 + "[" * 50_000)
    assert parse_entry(text, "e.md", tz=UTC).body_html.startswith("<p>&gt; &gt; ")


# --- control characters in front matter ---------------------------------------------------------

def test_control_characters_are_stripped_from_every_front_matter_value():
    text = entry_text('title: "a\\0b \\x01c\\u0085"\ndate: 2022-01-01\nlead: "l\\te\\nad\\r"\n'
                      'tags: ["t\\x1bag", "\\x7f"]\nsource: {name: "S\\x02", url: "https://a.example/"}\n'
                      'dateline: "\\x9fBEIJING"\nmood: ["h\\x00appy", {"k\\x01": "v\\uffff"}]\n')
    entry = parse_entry(text, "e.md", tz=UTC)
    assert entry.title == "ab c"
    assert entry.lead == "l\te\nad"       # tab and line feed are text; the CR is dropped
    assert entry.tags == ("tag",)
    assert (entry.source_name, entry.dateline) == ("S", "BEIJING")
    assert entry.params == {"mood": ["happy", {"k": "v"}]}


@pytest.mark.parametrize("source", ['"https://a.example/\\0x"', '{url: "https://a\\x01.example/"}',
                                    '"https://a.example/\\tx"', '{url: "https://a.example/\\x85x"}'])
def test_a_source_url_with_a_control_character_is_a_located_error(source):
    text = entry_text(f"title: T\ndate: 2022-01-01\nsource: {source}\n")
    with pytest.raises(SourceError, match=r"^e.md:4: source URL .* holds the control character "
                                          r"U\+00(00|01|09|85) \(remove it"):
        parse_entry(text, "e.md", tz=UTC)


def test_front_matter_too_deep_to_clean_is_a_located_error():
    text = entry_text("title: T\ndate: 2022-01-01\nx: " + "[" * 990 + "]" * 990 + "\n")
    with pytest.raises(SourceError, match=r"^e.md:2: front matter is nested too deeply"):
        parse_entry(text, "e.md", tz=UTC)


def test_a_slug_with_a_control_character_is_an_error_not_cleaned():
    text = entry_text('title: T\ndate: 2022-01-01\nslug: "a\\0b"\n')
    with pytest.raises(SourceError, match=r"^e.md:4: slug 'a\\x00b' is not a safe URL name"):
        parse_entry(text, "e.md", tz=UTC)
