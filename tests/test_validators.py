"""Tests that each validator in tests/validators.py can fail: a validator passing everything is caught."""

from __future__ import annotations

import pytest

import validators
from validators import MissingTool, validate_atom, validate_atom_files, validate_html, validate_sitemap

GOOD_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://example.org/</id>
  <title>Example</title>
  <updated>2022-12-31T10:00:00+03:00</updated>
  <author><name>Desk</name></author>
  <link rel="self" href="https://example.org/feed.xml"/>
  <entry>
    <id>https://example.org/a/</id>
    <title>A</title>
    <updated>2022-12-31T10:00:00Z</updated>
    <link href="https://example.org/a/"/>
  </entry>
</feed>
"""


def test_a_good_feed_passes():
    assert validate_atom(GOOD_ATOM) == []


def test_a_feed_given_as_a_path_is_read(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(GOOD_ATOM)
    assert validate_atom(path) == []
    path.write_bytes(GOOD_ATOM.replace(b"<title>Example</title>", b""))
    assert validate_atom(str(path)) != []


@pytest.mark.parametrize("change, expected", [
    ((b"<id>https://example.org/</id>", b""), "jing"),                                # feed id missing
    ((b"<title>A</title>", b"<title>A</title><bogus>x</bogus>"), "jing"),            # unknown Atom element
    ((b'<link rel="self"', b'<link rel="self" type="nothing"'), "jing"),             # not a media type
    ((b"2022-12-31T10:00:00Z", b"31 Dec 2022"), "jing"),                             # not a date-time
    ((b"2022-12-31T10:00:00Z", b"2022-12-31T10:00:00"), "RFC 3339"),                 # no offset
    ((b"<author><name>Desk</name></author>", b""), "4.1.1"),                          # nobody's author
    ((b'<link href="https://example.org/a/"/>', b""), "4.1.2"),                     # no link, no content
    ((b"<id>https://example.org/a/</id>", b"<id>a</id>"), "absolute IRI"),            # relative id
    ((b"</feed>", b""), "feedparser"),                                              # not well-formed
    ((b"<title>A</title>", b"<title>A \x01</title>"), "feedparser"),                # illegal character
], ids=["no-id", "unknown-element", "media-type", "date", "no-offset", "no-author", "no-link",
        "relative-id", "not-well-formed", "control-character"])
def test_a_bad_feed_is_reported(change, expected):
    old, new = change
    assert old in GOOD_ATOM
    problems = validate_atom(GOOD_ATOM.replace(old, new, 1))
    assert problems, "the validator passed a broken feed"
    assert any(expected in problem for problem in problems), problems


def test_duplicate_entry_ids_are_reported():
    entry = GOOD_ATOM[GOOD_ATOM.index(b"<entry>"):GOOD_ATOM.index(b"</entry>") + len(b"</entry>")]
    problems = validate_atom(GOOD_ATOM.replace(b"</feed>", entry + b"</feed>"))
    assert any("appears twice" in p for p in problems), problems


def test_many_feeds_are_checked_in_one_call_and_each_problem_names_its_file(tmp_path):
    good, bad, broken = tmp_path / "good.xml", tmp_path / "bad feed.xml", tmp_path / "broken.xml"
    good.write_bytes(GOOD_ATOM)
    bad.write_bytes(GOOD_ATOM.replace(b"<title>Example</title>", b""))
    broken.write_bytes(GOOD_ATOM.replace(b"</feed>", b""))
    problems = validate_atom_files([good, bad, broken])
    assert not any(p.startswith(f"{good}:") for p in problems), problems
    assert any(p.startswith(f"{bad}: jing:") and "title" in p for p in problems), problems
    assert any(p.startswith(f"{broken}: ") for p in problems), problems
    assert validate_atom_files([]) == []


def test_an_rss_feed_is_not_atom():
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>https://e.org/</link>' \
          b'<description>d</description></channel></rss>'
    assert validate_atom(rss) != []


GOOD_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/a/</loc><lastmod>2022-12-31</lastmod></url>
</urlset>
"""
GOOD_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/sitemap-1.xml</loc><lastmod>2022-12-31</lastmod></sitemap>
</sitemapindex>
"""


def test_a_good_sitemap_and_a_good_index_pass():
    assert validate_sitemap(GOOD_SITEMAP) == []
    assert validate_sitemap(GOOD_INDEX) == []


@pytest.mark.parametrize("document, old, new, expected", [
    (GOOD_SITEMAP, b"2022-12-31", b"31/12/2022", "lastmod"),                    # not a W3C date
    (GOOD_SITEMAP, b"https://example.org/a/", b"/a/", "minLength"),             # too short for a loc
    (GOOD_SITEMAP, b"<loc>https://example.org/a/</loc>", b"", "loc"),           # loc missing
    (GOOD_SITEMAP, b"</url>", b"<priority>2</priority></url>", "priority"),     # priority above 1.0
    (GOOD_SITEMAP, b"<url>", b"<url><title>x</title>", "title"),                # unknown element
    (GOOD_SITEMAP, b"<url><loc>https://example.org/a/</loc><lastmod>2022-12-31</lastmod></url>", b"",
     "xmllint"),                                                                # no url at all
    (GOOD_SITEMAP, b"sitemap/0.9", b"sitemap/0.8", "neither"),                   # wrong namespace
    (GOOD_SITEMAP, b"</urlset>", b"", "well-formed"),                            # not well-formed
    (GOOD_INDEX, b"<lastmod>2022-12-31</lastmod>", b"<lastmod>soon</lastmod>", "lastmod"),
    (GOOD_INDEX, b"sitemap><loc>https://example.org/sitemap-1.xml</loc><lastmod>2022-12-31</lastmod></sitemap>",
     b"url><loc>https://example.org/a/</loc></url>", "xmllint"),                 # url inside an index
], ids=["lastmod", "short-loc", "no-loc", "priority", "unknown-element", "no-url", "namespace",
        "not-well-formed", "index-lastmod", "url-in-index"])
def test_a_bad_sitemap_is_reported(document, old, new, expected):
    assert old in document
    problems = validate_sitemap(document.replace(old, new, 1))
    assert problems, "the validator passed a broken sitemap"
    assert any(expected in problem for problem in problems), problems


def test_a_sitemap_over_the_protocol_limit_is_reported():
    url = b"<url><loc>https://example.org/a/</loc></url>\n"
    document = GOOD_SITEMAP.replace(b"</urlset>", url * 50_000 + b"</urlset>")
    problems = validate_sitemap(document)
    assert any("at most 50000" in p for p in problems), problems


def test_the_html_checker_reports_errors_and_passes_a_good_page(tmp_path):
    good = tmp_path / "good.html"
    good.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good</title>'
                    "</head><body><p>Fine.</p></body></html>", encoding="utf-8")
    bad = tmp_path / "bad page.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bad</title>'
                   '</head><body>\n<p><div>Block in a paragraph</p>\n<img src="x.png"></body></html>',
                   encoding="utf-8")
    no_title = tmp_path / "no-title.html"
    no_title.write_text('<!DOCTYPE html><html lang="en"><head></head><body></body></html>', encoding="utf-8")
    problems = validate_html([good, bad, no_title])
    assert problems, "the validator passed broken pages"
    assert not any(str(good) in p for p in problems), problems
    assert any(p.startswith(f"{bad}:") and "alt" in p for p in problems), problems       # img without alt
    assert any(p.startswith(f"{bad}:2:") for p in problems), problems                   # stray </p>, line 2
    assert any(p.startswith(f"{no_title}:") and "title" in p for p in problems), problems


def test_the_html_checker_on_no_files_starts_nothing():
    assert validate_html([]) == []


def test_a_missing_tool_is_an_error_not_a_skip(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingTool, match="jing"):
        validate_atom(GOOD_ATOM)
    with pytest.raises(MissingTool, match="xmllint"):
        validate_sitemap(GOOD_SITEMAP)
    with pytest.raises(MissingTool, match="java"):
        validate_html([tmp_path / "x.html"])


def test_a_missing_vnu_jar_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setattr(validators, "VNU_JAR", tmp_path / "vnu.jar")
    with pytest.raises(MissingTool, match="npm ci"):
        validate_html([tmp_path / "x.html"])
