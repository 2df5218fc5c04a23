"""Tests for site_builder.sources.ingest: raw files become entry files, atomically and without clobbering."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.sources import ingest
from site_builder.sources.frontmatter import split_front_matter
from legacy_escape import escape_markdown
from site_builder.sources.atomic import write_text_atomically
from site_builder.sources.ingest import (
    ImportReport, find_raw_files, import_articles, scan_entries, source_name,
)
from site_builder.sources.markup import render_body, render_markdown, render_text
from site_builder.sources.rawformat import clean_line, decode_raw, parse_raw_article, split_raw_lines
from site_builder.core.slugs import is_valid_slug, make_slug
from site_builder.sources.language import is_language_tag
from site_builder.sources.urlnorm import url_key

SEED = Path(__file__).parent / "data" / "raw" / "sputnik-xi-putin.txt"
SEED_URL = ("https://sputniknews.com/20221231/"
            "chinas-xi-ready-to-maintain-close-cooperation-with-putin-in-2023-1105949069.html")
SEED_TITLE = "China's Xi Ready to Maintain Close Cooperation With Putin in 2023"
SEED_ENTRY = f"content/2022/12/{make_slug(SEED_TITLE)}.md"
TAG_RE = re.compile(r"<[^>]*>")


def visible_text(html_text: str) -> str:
    """Return what a reader sees of HTML: tags stripped, entities unescaped."""
    return html.unescape(TAG_RE.sub("", html_text))


def rendered_paragraphs(body: str, markup: str = "markdown") -> list[str]:
    """Return the visible text of each <p> that a body in markup renders to."""
    rendered = render_body(body, markup)
    assert re.fullmatch(r"(<p>.*</p>\n?)*", rendered, re.S), rendered
    return [visible_text(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.S)]


def write_raw(folder: Path, name: str, text: str | bytes) -> Path:
    """Write a raw article file and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def raw_text(url: str, title: str, body: str = "WASHINGTON (AP) — Something happened.") -> str:
    """Return a small raw article."""
    return f"date 2023-03-21 {url}\n{title}\nThe lead\nrussia, china, talks\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a site folder holding the seed as raw/seed.txt."""
    write_raw(tmp_path / "raw", "seed.txt", SEED.read_bytes())
    return tmp_path


def read_entry(site: Path, relpath: str) -> tuple[dict, str]:
    """Return (front matter, body) of an entry file."""
    front, body, _ = split_front_matter((site / relpath).read_text(encoding="utf-8"), relpath)
    return front, body


def no_temp_files(folder: Path) -> bool:
    """Return whether no temp file of an atomic write is left under folder."""
    return not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


# --- the seed -------------------------------------------------------------------------------


def test_seed_entry_every_field(site):
    report = import_articles([site / "raw" / "seed.txt"], site)
    assert report == ImportReport(written=[SEED_ENTRY], skipped=[], errors=[])
    front, body = read_entry(site, SEED_ENTRY)
    seed_lines = SEED.read_text(encoding="utf-8").split("\n")
    assert list(front) == ["title", "date", "event_date", "event_date_inferred", "slug", "lead",
                           "summary", "tags", "source", "dateline", "lang", "imported_from", "markup"]
    assert front["markup"] == "text"
    # "..., Chinese television reported on Saturday.": published that Saturday.
    assert front["event_date"] == "2022-12-31"
    assert front["event_date_inferred"] == "on Saturday"
    assert front["title"] == SEED_TITLE == seed_lines[1]
    assert front["date"] == "2022-12-31"
    assert front["slug"] == Path(SEED_ENTRY).stem
    assert front["slug"].endswith("xi-ready-to-maintain-close-cooperation-with-putin-in-2023")
    assert front["lead"] == seed_lines[2]
    assert front["summary"] == seed_lines[3]
    assert front["tags"] == [tag.strip() for tag in seed_lines[4].split(",")]
    assert len(front["tags"]) == 9
    assert front["source"] == {"name": "Sputnik", "url": SEED_URL}
    assert front["dateline"] == "BEIJING"
    assert front["imported_from"] == "raw/seed.txt"
    paragraphs = body.strip("\n").split("\n\n")
    assert paragraphs == seed_lines[5:8] + [seed_lines[8] + seed_lines[9]]
    assert "will reach new heights. The Russian leader also underlined" in paragraphs[3]
    assert rendered_paragraphs(body, "text") == paragraphs


def test_entry_round_trips_every_field_of_the_raw_article(site):
    path = site / "raw" / "seed.txt"
    article = parse_raw_article(split_raw_lines(decode_raw(path.read_bytes(), "x")), "x")
    [relpath] = import_articles([path], site).written
    front, body = read_entry(site, relpath)
    assert front["title"] == article.title
    assert front["date"] == article.date.isoformat()
    assert front["lead"] == article.lead
    assert front["summary"] == article.summary
    assert front["tags"] == list(article.keywords)
    assert front["source"]["url"] == article.url
    assert front["dateline"] == article.dateline
    assert body.strip("\n").split("\n\n") == list(article.paragraphs)  # unescaped
    assert rendered_paragraphs(body, "text") == list(article.paragraphs)


def test_entry_file_is_plain_lf_utf8_and_ends_with_a_newline(site):
    import_articles([site / "raw"], site)
    data = (site / SEED_ENTRY).read_bytes()
    assert b"\r" not in data and data.endswith(b".\n") and data.startswith(b"---\ntitle: ")


def test_article_without_summary_or_keywords_has_no_summary_key_and_empty_tags(tmp_path):
    write_raw(tmp_path, "a.txt", "date 2023-01-05 https://tass.com/politics/1\nTitle\nLead\n"
                                 "MOSCOW, January 5. /TASS/. Body.\n")
    [relpath] = import_articles([tmp_path / "a.txt"], tmp_path).written
    front, _ = read_entry(tmp_path, relpath)
    assert relpath == "content/2023/01/title.md"
    assert "summary" not in front
    assert front["tags"] == [] and front["dateline"] == "MOSCOW"
    assert front["source"] == {"name": "TASS", "url": "https://tass.com/politics/1"}


def test_cyrillic_title_gets_a_readable_latin_slug(tmp_path):
    write_raw(tmp_path, "ru.txt", raw_text("https://ria.ru/1.html", "Путин встретился с Си Цзиньпином"))
    [relpath] = import_articles([tmp_path / "ru.txt"], tmp_path).written
    assert relpath == "content/2023/03/putin-vstretilsia-s-si-tszinpinom.md"
    front, _ = read_entry(tmp_path, relpath)
    assert front["title"] == "Путин встретился с Си Цзиньпином"
    assert front["source"]["name"] == "RIA Novosti"


def test_custom_content_folder_and_imported_from_relative_to_the_site(tmp_path):
    raw = write_raw(tmp_path / "in" / "deep", "a.txt", raw_text("https://a.example/1", "Hello"))
    report = import_articles([raw], tmp_path, content_dir="site/entries")
    assert report.written == ["site/entries/2023/03/hello.md"]
    front, _ = read_entry(tmp_path, report.written[0])
    assert front["imported_from"] == "in/deep/a.txt"


# --- the body renders literally --------------------------------------------------------------
# Bodies are written as they are, with `markup: text`; entries imported before that hold the
# text escaped as Markdown (legacy_escape) and no markup key. Both render literally, and a
# paragraph gives the same HTML either way, so re-importing changes no page.

LITERAL_CASES = [
    "1. Not a list", "2023. A year, not a list", "# Not a heading", "#hashtag", "* not a bullet",
    "- not a bullet", "+ not a bullet", "> not a quote", "===", "---", "- - -", "***", "___",
    "~~~", "~~~ python", "```", "``` code", "=== heading?", "<script>alert(1)</script>",
    "a &lt; b and AT&amp;T and &#65; and &copy; and &copy and & alone", "snake_case and _em_",
    "__strong__ and *em* and **both**", "`code` and ``more``", "[text](javascript:alert(1))",
    "![img](http://x/y.png)", "[ref][1] and [^1]", "*[HTML]: Hyper Text", "[1]: http://x.example/",
    "back\\slash \\* \\_ \\\\ end\\", "C:\\path\\to\\file", ": definition?", "{: .class}",
    "text {: #id}", "<http://autolink.example>", "<!-- comment -->", "a | b | c", "| a |",
    "Tom & Jerry <3", "tab\tinside", "x\u00a0y", "10 * 3 = 30", "http://example.com/a_b_c",
    "@some_user_name", "a__b__c", "_", "*", "\\", "&", "<", "1.", "1.5 million", "100 % sure",
    "<div markdown=\"1\">*x*</div>", "&#x27; &#X27;", "Foo  ", "1) not a list either", "&#0",
    "&#65 and &#x41 without semicolons", "&#", "&amp",
]


@pytest.mark.parametrize("text", LITERAL_CASES)
def test_escaped_paragraph_renders_as_its_own_text(text):
    paragraph = clean_line(text)
    assert rendered_paragraphs(escape_markdown(paragraph)) == [paragraph]


@pytest.mark.parametrize("text", LITERAL_CASES)
def test_plain_text_paragraph_renders_as_its_escaped_markdown_did(text):
    paragraph = clean_line(text)
    assert render_text(paragraph) == render_markdown(escape_markdown(paragraph))
    assert rendered_paragraphs(paragraph, "text") == [paragraph]


def test_definition_list_cannot_form_from_two_paragraphs():
    body = "\n\n".join(escape_markdown(p) for p in ["Term", ": definition", "~~~", "x", "~~~"])
    assert rendered_paragraphs(body) == ["Term", ": definition", "~~~", "x", "~~~"]


@pytest.mark.parametrize("text, escaped", [
    ("Plain prose, with \"quotes\" and (brackets), stays as it is.",
     "Plain prose, with \"quotes\" and (brackets), stays as it is."),
    ("snake_case_name", "snake_case_name"),
    ("2023. A year", "2023\\. A year"),
    ("<b>", "&lt;b>"),
    ("AT&amp;T & co", "AT&amp;amp;T & co"),
    ("*a* _b_ `c` [d]", "\\*a\\* \\_b\\_ \\`c\\` \\[d]"),
    ("# x", "\\# x"),
    ("C:\\dir", "C:\\dir"),
], ids=lambda value: value[:12])
def test_escaping_is_minimal_and_readable(text, escaped):
    assert escape_markdown(text) == escaped


PARAGRAPH = st.text(
    alphabet=st.one_of(st.sampled_from(list("\\`*_{}[]()<>#+-.!|:~=&;' \t\"0123456789aZ")),
                       st.characters(codec="utf-8")),
    min_size=1, max_size=60,
).map(clean_line).filter(lambda text: text and "\x00" not in text)  # as the parser gives


@settings(max_examples=600, deadline=None)
@given(PARAGRAPH)
def test_any_paragraph_renders_literally(paragraph):
    assert rendered_paragraphs(escape_markdown(paragraph)) == [paragraph]
    assert render_text(paragraph) == render_markdown(escape_markdown(paragraph))


@settings(max_examples=200, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=5))
def test_any_paragraphs_render_literally_together(paragraphs):
    body = "\n\n".join(escape_markdown(p) for p in paragraphs)
    assert rendered_paragraphs(body) == paragraphs
    assert render_text("\n\n".join(paragraphs)) == render_markdown(body)


FIELD = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1,
                max_size=40).map(clean_line).filter(lambda text: text and text[0] not in ".,;:!?)]}…»”")


@settings(max_examples=150, deadline=None)
@given(title=FIELD, lead=FIELD, summary=FIELD, body=st.lists(PARAGRAPH, min_size=2, max_size=4))
def test_any_article_round_trips_through_its_entry(tmp_path_factory, title, lead, summary, body):
    site = tmp_path_factory.mktemp("site")
    body = [p for p in body if p[0] not in ".,;:!?)]}…»”"] or ["Body."]
    lines = ["date 2021-07-04 https://a.example/x", title, lead, summary, "one, two, three", *body]
    article = parse_raw_article(lines, "raw.txt")
    write_raw(site, "raw.txt", "\n".join(lines))
    [relpath] = import_articles([site / "raw.txt"], site).written
    front, text = read_entry(site, relpath)
    assert (front["title"], front["lead"], front.get("summary", ""), front["tags"]) == (
        article.title, article.lead, article.summary, list(article.keywords))
    assert is_valid_slug(front["slug"]) and relpath.endswith(f"/{front['slug']}.md")
    assert rendered_paragraphs(text, front["markup"]) == list(article.paragraphs)


# --- source names ---------------------------------------------------------------------------


@pytest.mark.parametrize("url, name", [
    ("https://sputniknews.com/x", "Sputnik"), ("https://www.sputniknews.com/x", "Sputnik"),
    ("https://tass.com/x", "TASS"), ("https://tass.ru/x", "TASS"), ("https://www.reuters.com/x", "Reuters"),
    ("https://apnews.com/x", "AP"), ("https://www.bbc.co.uk/news/x", "BBC"),
    ("https://news.bbc.co.uk/x", "BBC"), ("https://www.bbc.com/x", "BBC"),
    ("http://www.xinhuanet.com/x", "Xinhua"), ("https://english.news.cn/x", "Xinhua"),
    ("https://www.globaltimes.cn/x", "Global Times"), ("https://www.rt.com/x", "RT"),
    ("https://www.aljazeera.com/x", "Al Jazeera"), ("https://WWW.RT.COM/x", "RT"),
    ("https://www.example-news.co.uk/a", "Example News"), ("https://news.example.com/a", "Example"),
    ("https://example.com.au/a", "Example"), ("http://localhost:8000/a", "Localhost"),
    ("http://10.0.0.1/a", "10.0.0.1"), ("not a url", ""), ("http://[::1/", ""),
])
def test_source_name(url, name):
    assert source_name(url) == name


# --- bad input --------------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": (b"", "raw/empty.txt: the file is empty"),
    "blank.txt": (b"\r\n  \r\n", "raw/blank.txt: the file is empty"),
    "nodate.txt": (b"A title\nA lead\n", "raw/nodate.txt:1: expected a 'date YYYY-MM-DD URL' line"),
    "baddate.txt": (b"date 2022-02-30 https://a.example/\nT\n",
                    "raw/baddate.txt:1: date '2022-02-30' is not a calendar date "
                    "(expected YYYY-MM-DD)"),
    "nourl.txt": (b"\n date 2022-12-31\nT\n", "raw/nourl.txt:2: the date line has no source URL"),
    "notitle.txt": (b"date 2022-12-31 https://a.example/\n\n", "raw/notitle.txt:1: the article has no title"),
    "latin1.txt": ("date 2022-12-31 https://a.example/\nCaf\xe9\n".encode("latin-1"),
                   "raw/latin1.txt:2: the file is not valid UTF-8"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "raw/binary.txt:3: the file is not text"),
}


def test_each_bad_file_gets_one_error_and_the_good_ones_are_still_imported(site):
    for name, (data, _) in BAD_FILES.items():
        write_raw(site / "raw", name, data)
    report = import_articles(find_raw_files([site / "raw"]), site)
    assert report.written == [SEED_ENTRY]
    assert report.skipped == []
    messages = sorted(error.format() for error in report.errors)
    expected = sorted(message for _, message in BAD_FILES.values())
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected):
        assert message.startswith(start), (message, start)
        assert message.endswith(")"), message  # every message carries a hint
    assert list((site / "content").rglob("*.md")) == [site / SEED_ENTRY]


def test_a_missing_source_file_is_an_error_not_a_traceback(tmp_path):
    report = import_articles([tmp_path / "gone.txt"], tmp_path)
    assert report.written == []
    [error] = report.errors
    assert error.format().startswith("gone.txt: cannot read the file: ")


# --- duplicates and same titles ---------------------------------------------------------------


def test_same_article_with_crlf_and_bom_is_one_entry(site):
    copy = b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n")
    write_raw(site / "raw", "seed-copy.txt", copy)
    report = import_articles(find_raw_files([site / "raw"]), site)
    assert report.written == [SEED_ENTRY]
    assert report.errors == []
    [message] = report.skipped
    assert message.startswith("raw/seed.txt: already imported as " + SEED_ENTRY)
    assert len(list((site / "content").rglob("*.md"))) == 1
    front, _ = read_entry(site, SEED_ENTRY)
    assert front["imported_from"] == "raw/seed-copy.txt"  # sorted order: the copy came first


def test_importing_again_reports_already_imported_and_writes_nothing(site):
    import_articles([site / "raw"], site)
    before = (site / SEED_ENTRY).stat().st_mtime_ns
    report = import_articles(find_raw_files([site / "raw"]), site)
    assert report.written == [] and report.errors == []
    assert report.skipped == [f"raw/seed.txt: already imported as {SEED_ENTRY} "
                              "(same source URL); not written again"]
    assert (site / SEED_ENTRY).stat().st_mtime_ns == before


def test_known_urls_and_slugs_given_by_the_caller_are_used_instead_of_a_scan(site):
    report = import_articles([site / "raw" / "seed.txt"], site,
                             known_urls={SEED_URL: "content/elsewhere.md"}, known_slugs=set())
    assert report.written == []
    assert "already imported as content/elsewhere.md" in report.skipped[0]
    slug = Path(SEED_ENTRY).stem
    report = import_articles([site / "raw" / "seed.txt"], site, known_urls={}, known_slugs={slug})
    assert report.written == [f"content/2022/12/{slug}-{ingest.url_hash(SEED_URL)}.md"]


def test_same_title_different_urls_get_distinct_stable_slugs(tmp_path):
    first = write_raw(tmp_path / "raw", "a.txt", raw_text("https://a.example/1", "Talks End"))
    second = write_raw(tmp_path / "raw", "b.txt", raw_text("https://b.example/2", "Talks End"))
    report = import_articles([second, first], tmp_path)  # given unsorted: processed sorted
    suffix = ingest.url_hash("https://b.example/2")
    assert report.written == ["content/2023/03/talks-end.md", f"content/2023/03/talks-end-{suffix}.md"]
    assert len(suffix) == 6
    front, _ = read_entry(tmp_path, report.written[1])
    assert front["slug"] == f"talks-end-{suffix}"
    assert front["source"]["url"] == "https://b.example/2"
    # Another site importing the same files, in another order, gets the same paths.
    other = tmp_path / "other"
    shutil.copytree(tmp_path / "raw", other / "raw")
    again = import_articles(find_raw_files([other / "raw"]), other)
    assert again.written == report.written


def test_same_title_in_another_month_still_gets_a_distinct_slug(tmp_path):
    write_raw(tmp_path, "a.txt", raw_text("https://a.example/1", "Talks End"))
    write_raw(tmp_path, "b.txt", raw_text("https://a.example/2", "Talks End").replace("2023-03", "2024-05"))
    report = import_articles(find_raw_files([tmp_path]), tmp_path)
    assert [Path(p).stem for p in report.written] == [
        "talks-end", f"talks-end-{ingest.url_hash('https://a.example/2')}"]


def test_a_later_run_with_a_same_titled_article_keeps_the_first_entry(tmp_path):
    write_raw(tmp_path / "raw", "b.txt", raw_text("https://b.example/2", "Talks End"))
    assert import_articles([tmp_path / "raw"], tmp_path).written == ["content/2023/03/talks-end.md"]
    write_raw(tmp_path / "raw", "a.txt", raw_text("https://a.example/1", "Talks End"))
    report = import_articles(find_raw_files([tmp_path / "raw"]), tmp_path)
    assert report.written == [f"content/2023/03/talks-end-{ingest.url_hash('https://a.example/1')}.md"]
    assert len(report.skipped) == 1


# --- hand edits, force -------------------------------------------------------------------------


def test_a_hand_edited_entry_is_never_overwritten_without_force(site):
    import_articles([site / "raw"], site)
    entry = site / SEED_ENTRY
    entry.write_text(entry.read_text(encoding="utf-8").replace("title: China", "title: Edited China"),
                     encoding="utf-8")
    edited = entry.read_bytes()
    report = import_articles([site / "raw"], site)
    assert report.written == [] and len(report.skipped) == 1
    assert entry.read_bytes() == edited


def test_force_reimports_over_the_existing_entry_at_its_path(site):
    import_articles([site / "raw"], site)
    entry = site / SEED_ENTRY
    entry.write_text(entry.read_text(encoding="utf-8").replace("title: China", "title: Edited China"),
                     encoding="utf-8")
    report = import_articles([site / "raw"], site, force=True)
    assert report == ImportReport(written=[SEED_ENTRY], skipped=[], errors=[])
    assert read_entry(site, SEED_ENTRY)[0]["title"] == SEED_TITLE
    assert len(list((site / "content").rglob("*.md"))) == 1


def test_force_still_imports_a_duplicate_of_the_same_run_once(site):
    write_raw(site / "raw", "copy.txt", SEED.read_bytes())
    report = import_articles([site / "raw"], site, force=True)
    assert report.written == [SEED_ENTRY] and len(report.skipped) == 1


def test_a_file_in_the_way_gets_a_new_slug_and_is_left_alone(site):
    blocker = site / SEED_ENTRY
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not an entry at all", encoding="utf-8")
    report = import_articles([site / "raw"], site)
    assert report.written == [SEED_ENTRY.replace(".md", f"-{ingest.url_hash(SEED_URL)}.md")]
    assert blocker.read_text(encoding="utf-8") == "not an entry at all"


def test_a_file_appearing_after_the_scan_is_not_overwritten_without_force(site):
    blocker = site / SEED_ENTRY
    blocker.parent.mkdir(parents=True)
    blocker.write_text("hand made", encoding="utf-8")
    # The caller says nothing is in use, but the target exists when the entry is written.
    original_exists = Path.exists
    lie = lambda path: False if path == blocker else original_exists(path)  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "exists", lie)
        report = import_articles([site / "raw"], site, known_urls={}, known_slugs=set())
        assert report.written == []
        assert report.skipped == [f"raw/seed.txt: {SEED_ENTRY} already exists; not overwritten "
                                  "(import with force to replace it)"]
        assert blocker.read_text(encoding="utf-8") == "hand made"
        report = import_articles([site / "raw"], site, known_urls={}, known_slugs=set(), force=True)
    assert report.written == [SEED_ENTRY]
    assert read_entry(site, SEED_ENTRY)[0]["title"] == SEED_TITLE
    assert no_temp_files(site)


# --- atomic writes -------------------------------------------------------------------------------


def test_a_failure_during_the_write_leaves_no_entry_and_no_temp_file(site, monkeypatch):
    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest.os, "fsync", failing_fsync)
    report = import_articles([site / "raw"], site)
    assert report.written == []
    [error] = report.errors
    assert error.format() == (f"raw/seed.txt: cannot write {SEED_ENTRY}: No space left on device "
                              "(check the folder's permissions)")
    assert not (site / SEED_ENTRY).exists()
    assert no_temp_files(site)


def test_an_interrupted_write_propagates_and_cleans_up(site, monkeypatch):
    written = {}

    def interrupted_link(source, target):
        written["temp"] = Path(source).read_text(encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest.os, "link", interrupted_link)
    with pytest.raises(KeyboardInterrupt):
        import_articles([site / "raw"], site)
    assert written["temp"].startswith("---\ntitle: ")  # the temp file held the whole entry
    assert not (site / SEED_ENTRY).exists()
    assert no_temp_files(site)


def test_a_failed_forced_replace_keeps_the_old_entry_intact(site, monkeypatch):
    import_articles([site / "raw"], site)
    before = (site / SEED_ENTRY).read_bytes()

    def failing_replace(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(ingest.os, "replace", failing_replace)
    report = import_articles([site / "raw"], site, force=True)
    assert report.written == [] and len(report.errors) == 1
    assert (site / SEED_ENTRY).read_bytes() == before
    assert no_temp_files(site)


def test_write_text_atomically_refuses_to_replace_without_overwrite(tmp_path):
    target = tmp_path / "a" / "b.md"
    write_text_atomically(target, "one\n")
    with pytest.raises(FileExistsError):
        write_text_atomically(target, "two\n")
    assert target.read_text(encoding="utf-8") == "one\n"
    write_text_atomically(target, "three\n", overwrite=True)
    assert target.read_text(encoding="utf-8") == "three\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.md"]


def test_write_text_atomically_without_hard_links_still_refuses_to_replace(tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(ingest.os, "link", no_links)
    target = tmp_path / "b.md"
    write_text_atomically(target, "one\n")
    with pytest.raises(FileExistsError):
        write_text_atomically(target, "two\n")
    assert target.read_text(encoding="utf-8") == "one\n"
    assert no_temp_files(tmp_path)


def test_entry_files_get_ordinary_permissions(site):
    old_umask = os.umask(0o022)
    try:
        import_articles([site / "raw"], site)
    finally:
        os.umask(old_umask)
    assert (site / SEED_ENTRY).stat().st_mode & 0o777 == 0o644


# --- finding files and scanning entries ----------------------------------------------------------


def test_find_raw_files_recurses_into_folders_and_sorts(tmp_path):
    for name in ["b/2.txt", "b/1.txt", "a.txt", "b/c/3.txt", "b/notes.md", ".hidden/4.txt",
                 "b/.5.txt"]:
        write_raw(tmp_path, name, "x")
    single = write_raw(tmp_path / "elsewhere", "z.dat", "x")
    found = find_raw_files([tmp_path / "b", single, tmp_path / "a.txt", tmp_path / "b",
                            tmp_path / "missing.txt"])
    assert found == [tmp_path / "a.txt", tmp_path / "b/1.txt", tmp_path / "b/2.txt",
                     tmp_path / "b/c/3.txt", single]


def test_scan_entries_collects_urls_and_slugs_and_skips_broken_entries(site):
    import_articles([site / "raw"], site)
    content = site / "content"
    (content / "2020").mkdir()
    (content / "2020" / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (content / "2020" / "binary.md").write_bytes(b"\xff\xfe\x00")
    (content / "2020" / "no-front-matter.md").write_text("just text", encoding="utf-8")
    (content / "2020" / "odd-source.md").write_text("---\nsource: [1, 2]\nslug: custom\n---\n",
                                                    encoding="utf-8")
    urls, slugs = scan_entries(content, site)
    assert urls == {SEED_URL: SEED_ENTRY}
    assert slugs == {Path(SEED_ENTRY).stem, "broken", "binary", "no-front-matter", "odd-source",
                     "custom"}


def test_scan_entries_of_a_missing_folder_is_empty(tmp_path):
    assert scan_entries(tmp_path / "content", tmp_path) == ({}, set())


def many_keywords_text(url: str, count: int) -> str:
    """Return a raw article whose keyword line has count keywords (a repeat or two among them)."""
    keywords = ", ".join(["russia", "russia"] + [f"keyword {n}" for n in range(count - 1)])
    return (f"date 2023-03-21 {url}\nMany keywords\nThe lead.\nThe summary.\n{keywords}\n"
            "MOSCOW (TASS) - Something happened.\n")


def test_an_article_with_too_many_keywords_keeps_the_first_ones_and_says_so_once(tmp_path):
    write_raw(tmp_path / "raw", "many.txt", many_keywords_text("https://tass.com/many", 6000))
    write_raw(tmp_path / "raw", "few.txt", raw_text("https://tass.com/few", "Few keywords"))
    report = import_articles([tmp_path / "raw"], tmp_path)
    assert len(report.written) == 2 and not report.errors
    front, _ = read_entry(tmp_path, next(p for p in report.written if "many" in p))
    assert front["tags"] == ["russia"] + [f"keyword {n}" for n in range(29)]
    assert report.notes == ["raw/many.txt: 5,970 of its 6,000 keywords (only the first 30 "
                            "become tags: max_tags in sitegen.yaml)"]
    assert report.skipped == []


def test_the_import_command_follows_the_sites_max_tags_and_prints_the_note(tmp_path):
    (tmp_path / "sitegen.yaml").write_text("max_tags: 4\n", encoding="utf-8")
    write_raw(tmp_path / "raw", "many.txt", many_keywords_text("https://tass.com/many", 10))
    result = subprocess.run([sys.executable, "-m", "site_builder", "import", "raw", "--site", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("keywords (only the first 4 become tags") == 1, result.stdout
    entry = next((tmp_path / "content").rglob("*.md"))
    front, _ = read_entry(tmp_path, entry.relative_to(tmp_path).as_posix())
    assert front["tags"] == ["russia", "keyword 0", "keyword 1", "keyword 2"]


def test_the_build_prints_the_note_of_an_article_with_too_many_keywords(tmp_path):
    write_raw(tmp_path / "seeds", "many.txt", many_keywords_text("https://tass.com/many", 40))
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "note: seeds/many.txt: 10 of its 40 keywords (only the first 30 become tags" \
        in result.stdout, result.stdout
    again = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", ".", "--clean"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "note:" not in again.stdout and "skipped" not in again.stdout


# --- the same article under another URL --------------------------------------------------------


@pytest.mark.parametrize("one, other", [
    ("https://a.example/news/x", "http://a.example/news/x"),
    ("https://a.example/news/x", "https://www.a.example/news/x/"),
    ("https://a.example/news/x", "https://A.EXAMPLE:443/news/x#comments"),
    ("https://a.example/news/x?id=5", "https://a.example/news/x?utm_source=tw&id=5&fbclid=abc"),
    ("https://a.example/news/x?a=1&b=2", "https://a.example/news/x?b=2&a=1&utm_medium=email"),
    ("https://a.example/news/x", "https://a.example/news/x?gclid=1&mc_cid=2&_ga=3&ref=rss"),
])
def test_url_key_ignores_what_does_not_choose_the_article(one, other):
    assert url_key(one) == url_key(other)


@pytest.mark.parametrize("one, other", [
    ("https://a.example/news/x", "https://a.example/news/y"),
    ("https://a.example/news/x?id=5", "https://a.example/news/x?id=6"),
    ("https://a.example/news/x", "https://b.example/news/x"),
    ("https://a.example/news/x", "https://a.example:8080/news/x"),
    ("https://a.example/News/x", "https://a.example/news/x"),
])
def test_url_key_keeps_what_chooses_the_article(one, other):
    assert url_key(one) != url_key(other)


def test_the_same_article_under_another_url_is_a_duplicate_naming_its_entry(tmp_path):
    write_raw(tmp_path / "raw", "a.txt", raw_text("https://a.example/news/x", "Talks in Moscow"))
    write_raw(tmp_path / "raw", "b.txt", raw_text(
        "http://www.a.example/news/x/?utm_source=telegram&utm_medium=social#top", "Talks again"))
    report = import_articles([tmp_path / "raw"], tmp_path)
    assert report.written == ["content/2023/03/talks-in-moscow.md"] and report.errors == []
    assert report.skipped == [
        "raw/b.txt: already imported as content/2023/03/talks-in-moscow.md, from "
        "https://a.example/news/x (the same source URL as http://www.a.example/news/x/"
        "?utm_source=telegram&utm_medium=social#top, ignoring scheme, www., trailing slash, "
        "fragment and tracking parameters); not written again"]
    again = import_articles([tmp_path / "raw" / "b.txt"], tmp_path)   # against the scanned entry
    assert again.written == [] and "already imported as content/2023/03/talks-in-moscow.md" \
        in again.skipped[0]


# --- JSON Lines ---------------------------------------------------------------------------------

JSONL_GOOD = {"title": "Xi meets Putin", "date": "2023-3-21", "url": "https://a.example/1",
              "lead": "The leaders met", "summary": "They met for four hours.",
              "keywords": ["Xi Jinping", "vladimir putin", "Xi Jinping"],
              "body": "MOSCOW (AP) — The leaders met.\n\nThey talked\n. Then they ate."}


def jsonl(*items) -> str:
    """Return JSON Lines text of items (dicts, or lines given as strings)."""
    return "\n".join(item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                     for item in items) + "\n"


def test_json_lines_become_entries_cleaned_as_raw_files_are(tmp_path):
    second = {**JSONL_GOOD, "url": "https://a.example/2", "date": "2023-03-22T10:00:00Z",
              "keywords": "russia, china,, talks", "body": ["BEIJING (Xinhua) -- Text\x07.", ""],
              "title": "Xi meets Putin"}
    write_raw(tmp_path / "raw", "feed.jsonl", jsonl(JSONL_GOOD, second))
    report = import_articles([tmp_path / "raw"], tmp_path)
    assert report.errors == []
    first_path, second_path = report.written
    assert first_path == "content/2023/03/xi-meets-putin.md"
    assert second_path == f"content/2023/03/xi-meets-putin-{ingest.url_hash('https://a.example/2')}.md"
    front, body = read_entry(tmp_path, first_path)
    assert (front["date"], front["lead"], front["summary"], front["tags"], front["dateline"],
            front["imported_from"], front["lang"]) == (
        "2023-03-21", "The leaders met", "They met for four hours.", ["Xi Jinping", "vladimir putin"],
        "MOSCOW", "raw/feed.jsonl", "en")
    assert body.strip().split("\n\n") == ["MOSCOW (AP) — The leaders met.",
                                          "They talked. Then they ate."]
    front, body = read_entry(tmp_path, second_path)
    assert (front["date"], front["tags"], front["dateline"], body.strip()) == (
        "2023-03-22", ["russia", "china", "talks"], "BEIJING", "BEIJING (Xinhua) -- Text.")


@pytest.mark.parametrize("line, message", [
    ("{", "raw/a.jsonl:2: this line is not JSON: Expecting property name enclosed in double quotes"),
    ("[1, 2]", "raw/a.jsonl:2: this line is a JSON array, not an object"),
    (json.dumps({**JSONL_GOOD, "author": "x"}), "raw/a.jsonl:2: unknown key 'author'"),
    (json.dumps({**JSONL_GOOD, "title": 5}), "raw/a.jsonl:2: 'title' must be a string, not a JSON number"),
    (json.dumps({**JSONL_GOOD, "title": " "}), "raw/a.jsonl:2: the article has no title"),
    (json.dumps({**JSONL_GOOD, "date": None}), "raw/a.jsonl:2: the article has no date"),
    (json.dumps({**JSONL_GOOD, "date": "05/09/2023"}),
     "raw/a.jsonl:2: date '05/09/2023' is not in the form YYYY-MM-DD (e.g. 2022-12-31)"),
    (json.dumps({**JSONL_GOOD, "date": "2023-2-30"}), "raw/a.jsonl:2: date '2023-2-30' is not a calendar date"),
    (json.dumps({**JSONL_GOOD, "url": "javascript:alert(1)"}), "raw/a.jsonl:2: source URL 'javascript:alert(1)' is not an http(s) URL"),
    (json.dumps({**JSONL_GOOD, "url": ""}), "raw/a.jsonl:2: the article has no source URL"),
    (json.dumps({**JSONL_GOOD, "keywords": [1]}), "raw/a.jsonl:2: 'keywords' must be a string or a list of strings"),
    (json.dumps({**JSONL_GOOD, "lang": "english please"}), "raw/a.jsonl:2: lang 'english please' is not a language tag"),
    ("[" * 100_000, "raw/a.jsonl:2: this line is not JSON"),
], ids=["not-json", "array", "unknown-key", "title-number", "no-title", "no-date", "ambiguous-date",
        "impossible-date", "bad-url", "no-url", "keywords-numbers", "bad-lang", "deep"])
def test_each_bad_json_line_is_an_error_at_its_line_and_the_others_are_imported(tmp_path, line,
                                                                                 message):
    third = {**JSONL_GOOD, "url": "https://a.example/3", "title": "Third"}
    write_raw(tmp_path / "raw", "a.jsonl", jsonl(JSONL_GOOD, line, "", third))
    report = import_articles([tmp_path / "raw"], tmp_path)
    assert [str(error) for error in report.errors] == [str(report.errors[0])]
    assert str(report.errors[0]).startswith(message)
    assert report.written == ["content/2023/03/xi-meets-putin.md", "content/2023/03/third.md"]


def test_a_json_lines_file_that_is_not_utf8_is_one_error(tmp_path):
    write_raw(tmp_path / "raw", "a.jsonl", b'{"title": "caf\xe9"}\n')
    report = import_articles([tmp_path / "raw"], tmp_path)
    assert [str(e) for e in report.errors] == [
        "raw/a.jsonl:1: the file is not valid UTF-8 (byte 0xE9 at offset 14) (save the file as UTF-8)"]


# --- language -------------------------------------------------------------------------------------


def test_each_entry_gets_the_language_of_its_source_or_its_text(tmp_path):
    ria = Path(__file__).parent / "data" / "raw" / "agencies" / "ria.txt"
    write_raw(tmp_path / "raw", "ria.txt", ria.read_bytes())
    write_raw(tmp_path / "raw", "de.jsonl", jsonl(
        {**JSONL_GOOD, "title": "Xi trifft Putin in Moskau", "url": "https://a.example/de",
         "body": "MOSKAU (dpa) - Die beiden Präsidenten haben sich am Dienstag im Kreml getroffen "
                 "und über die Zusammenarbeit gesprochen."},
        {**JSONL_GOOD, "url": "https://a.example/given", "lang": "pt_br"}))
    report = import_articles([tmp_path / "raw"], tmp_path)
    langs = {read_entry(tmp_path, path)[0]["imported_from"] + read_entry(tmp_path, path)[0]["title"]:
             read_entry(tmp_path, path)[0]["lang"] for path in report.written}
    assert langs == {"raw/de.jsonlXi trifft Putin in Moskau": "de",
                     "raw/de.jsonlXi meets Putin": "pt-BR",
                     "raw/ria.txtПутин и Си Цзиньпин провели видеоконференцию": "ru"}


def test_an_article_too_short_to_tell_gets_no_lang(tmp_path):
    write_raw(tmp_path / "raw", "a.txt", "date 2023-03-21 https://a.example/x\nXi\n")
    [path] = import_articles([tmp_path / "raw"], tmp_path).written
    assert "lang" not in read_entry(tmp_path, path)[0]


@pytest.mark.parametrize("tag, valid", [
    ("en", True), ("ru", True), ("pt-BR", True), ("zh-Hans", True), ("sr-Latn-RS", True),
    ("de-CH-1996", True), ("yue", True), ("en us", False), ("english", False), ("e", False),
    ("en-", False), ("ru\n", False), ("", False),
])
def test_is_language_tag(tag, valid):
    assert is_language_tag(tag) is valid


# --- seeds of every kind in the build -----------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Agency</title><link>https://agency.example/</link>
<language>ru</language>
<item><title>Путин провел переговоры</title><link>https://agency.example/ru/1?utm_source=rss</link>
<pubDate>Fri, 30 Dec 2022 12:00:00 +0300</pubDate><category>Россия</category><category>Китай</category>
<description>&lt;p&gt;МОСКВА, 30 дек — РИА Новости. Президент провел переговоры.&lt;/p&gt;</description></item>
</channel></rss>
"""


def test_the_build_imports_json_lines_and_feeds_from_seeds_once(tmp_path):
    write_raw(tmp_path / "seeds", "a.jsonl", jsonl(JSONL_GOOD))
    write_raw(tmp_path / "seeds", "b.rss", RSS)
    write_raw(tmp_path / "seeds", "c.txt", raw_text("https://a.example/1#dup", "Duplicate"))
    run = lambda: subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(tmp_path)],
                                 capture_output=True, text=True, timeout=120)
    first = run()
    assert first.returncode == 0, first.stderr
    assert "imported 2 raw article(s) from seeds/" in first.stdout
    entries = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "content").rglob("*.md"))
    assert entries == ["content/2022/12/putin-provel-peregovory.md", "content/2023/03/xi-meets-putin.md"]
    page = (tmp_path / "public/2022/12/30/putin-provel-peregovory/index.html").read_text("utf-8")
    assert '<article class="entry" lang="ru">' in page
    second = run()
    assert second.returncode == 0, second.stderr
    assert "imported" not in second.stdout and "Traceback" not in second.stderr


def test_check_and_import_report_each_bad_item_of_a_json_lines_file_or_feed(tmp_path):
    write_raw(tmp_path / "seeds", "a.jsonl", jsonl(JSONL_GOOD, {**JSONL_GOOD, "url": "ftp://x"}))
    write_raw(tmp_path / "seeds", "b.atom", "<feed xmlns='http://www.w3.org/2005/Atom'><title>T"
                                            "</title></feed>")
    write_raw(tmp_path / "seeds", "c.txt", raw_text("http://www.a.example/1/", "Same article"))
    sitegen = lambda *args: subprocess.run([sys.executable, "-m", "site_builder", *args, "--site",
                                            str(tmp_path)], capture_output=True, text=True, timeout=120)
    expected = ["seeds/a.jsonl:2: source URL 'ftp://x' is not an http(s) URL",
                "seeds/b.atom:1: the feed has no items"]
    checked = sitegen("check")
    assert checked.returncode == 1
    assert [line for line in (checked.stdout + checked.stderr).splitlines()
            if line.startswith("seeds/")] == [line for line in (checked.stdout + checked.stderr).splitlines()
                                               if any(line.startswith(e) for e in expected)]
    assert all(e in checked.stdout + checked.stderr for e in expected)
    imported = subprocess.run([sys.executable, "-m", "site_builder", "import", "--site", str(tmp_path),
                               str(tmp_path / "seeds")], capture_output=True, text=True, timeout=120)
    assert imported.returncode == 1 and "Traceback" not in imported.stderr
    assert all(e in imported.stderr for e in expected)
    assert "wrote content/2023/03/xi-meets-putin.md" in imported.stdout
    assert "skipped seeds/c.txt: already imported as content/2023/03/xi-meets-putin.md" in imported.stdout
