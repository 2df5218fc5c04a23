"""Feeds saved to a file become raw articles (site_builder.sources.feedformat), never a traceback."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

from site_builder.core.errors import SourceError
from site_builder.model.records import RawArticle
from site_builder.sources.feedformat import html_paragraphs, item_lines, parse_feed
from site_builder.sources.ingest import import_articles

VENDORED = Path(__file__).parent / "data" / "feeds" / "feedparser"
DATE = "<pubDate>Fri, 30 Dec 2022 12:00:00 +0300</pubDate>"


def rss(items: str, extra: str = "", head: str = "") -> bytes:
    """Return an RSS 2.0 feed holding items."""
    return (f'<?xml version="1.0" encoding="utf-8"?>{head}\n<rss version="2.0"><channel>'
            f"<title>Agency</title><link>https://agency.example/</link>{extra}\n{items}\n"
            "</channel></rss>\n").encode("utf-8")


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Agentur</title><id>urn:x</id><updated>2023-03-21T10:00:00Z</updated>
  <entry>
    <title type="html">Xi trifft &lt;b&gt;Putin&lt;/b&gt;</title>
    <link href="https://agentur.example/a"/><id>urn:a</id>
    <published>2023-03-21T10:00:00+01:00</published>
    <summary>Die Präsidenten trafen sich.</summary>
    <content type="html">&lt;p&gt;MOSKAU (dpa) - Die Präsidenten trafen sich.&lt;/p&gt;&lt;p&gt;Sie sprachen
    &lt;/p&gt;&lt;p&gt;. Dann aßen sie.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</content>
    <category term="Russland"/><category term="china"/>
  </entry>
</feed>
"""


def test_an_atom_entry_becomes_the_article_a_raw_file_would():
    [article] = parse_feed(ATOM.encode(), "seeds/a.atom")
    assert isinstance(article, RawArticle)
    assert (article.title, str(article.date), article.url, article.lead, article.keywords,
            article.dateline, article.lang) == (
        "Xi trifft Putin", "2023-03-21", "https://agentur.example/a", "Die Präsidenten trafen sich.",
        ("Russland", "china"), "MOSKAU", "de")
    assert article.paragraphs == ("MOSKAU (dpa) - Die Präsidenten trafen sich.",
                                  "Sie sprachen. Dann aßen sie.")


def test_an_rss_item_takes_the_channel_language_its_categories_and_its_description():
    data = rss(f"<item><title>Путин</title><link>https://a.example/1</link>{DATE}"
               "<category>Россия</category><description>&lt;p&gt;МОСКВА, 30 дек — РИА Новости. "
               "Текст.&lt;/p&gt;&lt;p&gt;Ещё.&lt;/p&gt;</description></item>", "<language>ru-RU</language>")
    [article] = parse_feed(data, "f.rss")
    assert (article.lang, article.keywords, article.lead, article.paragraphs, article.dateline) == (
        "ru-RU", ("Россия",), "МОСКВА, 30 дек — РИА Новости. Текст.", ("Ещё.",), "")


def test_each_bad_item_is_an_error_at_its_line_and_the_good_ones_are_articles():
    data = rss(f"<item><title>Good</title><link>https://a.example/1</link>{DATE}</item>\n"
               "<item><title>No date</title><link>https://a.example/2</link></item>\n"
               f"<item><title>Bad link</title><link>ftp://a.example/3</link>{DATE}</item>\n"
               f"<item><link>https://a.example/4</link>{DATE}</item>\n"
               f"<item><title>No link</title>{DATE}</item>")
    results = parse_feed(data, "seeds/f.rss")
    assert isinstance(results[0], RawArticle)
    assert [str(error) for error in results[1:]] == [
        "seeds/f.rss:4: item 2: the article has no date (give it a date as YYYY-MM-DD)",
        "seeds/f.rss:5: item 3: source URL 'ftp://a.example/3' is not an http(s) URL "
        "(expected e.g. https://example.com/news/article.html)",
        "seeds/f.rss:6: item 4: the article has no title (give it a title)",
        "seeds/f.rss:7: item 5: the article has no source URL (give it its http(s) URL)",
    ]


@pytest.mark.parametrize("data, message", [
    (b" \n", "seeds/f.xml: the file is empty"),
    (b"<html><body><p>Not found</p></body></html>", "seeds/f.xml:1: this is not an RSS or Atom feed"),
    (b"<rss version='2.0'><channel><title>T</title></channel></rss>",
     "seeds/f.xml:1: the feed has no items"),
    (b"\x00\x01\x02 binary", "seeds/f.xml"),
    (b"<rss version='2.0'><channel><item><title>T</title></ite", "seeds/f.xml:1: item 1: "),
], ids=["empty", "html", "no-items", "binary", "cut-off"])
def test_a_file_that_gives_no_article_is_a_located_error(data, message):
    results = parse_feed(data, "seeds/f.xml")
    assert results and all(isinstance(item, SourceError) for item in results)
    assert str(results[0]).startswith(message)


def test_html_paragraphs_drop_tags_scripts_and_fold_white_space():
    assert html_paragraphs("<p>a <b>b</b>\n c</p><script>x()</script><br>d &amp; e<div>f</div>") == [
        "a b c", "d & e", "f"]
    assert html_paragraphs("plain\n\ntext  here") == ["plain", "text here"]


def test_item_lines_counts_items_and_entries_with_prefixes():
    assert item_lines("<rss>\n<item>\n</item><item/>\n\n<atom:entry x='1'>") == [2, 3, 5]


# --- nothing is fetched or read through a feed ------------------------------------------------


@pytest.fixture
def counting_server():
    """Yield (base URL, list of requested paths) of a local HTTP server."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY leak 'LEAKED'>LEAKED")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_external_entities_and_doctypes_are_never_resolved_or_fetched(counting_server, tmp_path):
    base, requests = counting_server
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    item = (f"<item><title>T &file; &web;</title><link>https://a.example/1</link>{DATE}"
            "<description>x &file; &web; %dtd;</description></item>")
    head = (f'<!DOCTYPE rss SYSTEM "{base}/doctype.dtd" [<!ENTITY file SYSTEM "{secret.as_uri()}">'
            f'<!ENTITY web SYSTEM "{base}/entity"><!ENTITY % dtd SYSTEM "{base}/parameter.dtd"> %dtd;]>')
    results = parse_feed(rss(item, head=head), "f.rss")
    text = repr(results)
    assert "SECRET-CONTENT" not in text and "LEAKED" not in text
    assert requests == []


def test_a_feed_naming_a_url_or_a_file_is_read_as_text_not_opened(counting_server, tmp_path):
    base, requests = counting_server
    for data in (f"{base}/feed.xml".encode(), str(VENDORED / "LICENSE").encode()):
        [error] = parse_feed(data, "f.xml")
        assert isinstance(error, SourceError)
    assert requests == []


def test_billion_laughs_ends_quickly():
    entities = "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9))
    head = f'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">{entities}]>'
    started = time.perf_counter()
    results = parse_feed(rss(f"<item><title>&j;</title><link>https://a.example/</link>{DATE}</item>",
                             head=head), "f.rss")
    assert time.perf_counter() - started < 10
    assert len(repr(results)) < 10_000


# --- a large public collection of valid and invalid feeds -----------------------------------------


def import_corpus(files: list[Path]) -> dict[str, int]:
    """Return counts of parsing each feed: articles, located errors, errors without a line;
    fail on any exception."""
    counts = {"feeds": 0, "articles": 0, "errors": 0, "errors without a line": 0}
    for path in files:
        counts["feeds"] += 1
        results = parse_feed(path.read_bytes(), path.name)
        assert results, f"{path}: neither articles nor errors"
        for item in results:
            if isinstance(item, SourceError):
                counts["errors"] += 1
                counts["errors without a line"] += item.line is None
                assert str(item).startswith(path.name) and "\n" not in str(item)
            else:
                counts["articles"] += 1
    return counts


def test_every_vendored_feedparser_test_feed_gives_articles_or_located_errors():
    files = sorted(VENDORED.rglob("*.xml"))
    counts = import_corpus(files)
    assert counts == {"feeds": 75, "articles": 15, "errors": 60, "errors without a line": 2}


@pytest.fixture(scope="session")
def feedparser_test_suite(tmp_path_factory) -> Path:
    """Return the tests folder of feedparser's sdist (from SITEGEN_FEEDPARSER_SDIST, or
    downloaded from PyPI with pip); skip when neither can be had."""
    import feedparser

    sdist = os.environ.get("SITEGEN_FEEDPARSER_SDIST")
    if not sdist:
        folder = tmp_path_factory.mktemp("sdist")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             "--quiet", "-d", str(folder), f"feedparser=={feedparser.__version__}"],
            capture_output=True, text=True, timeout=120)
        found = sorted(folder.glob("feedparser-*.tar.gz"))
        if done.returncode or not found:
            pytest.skip("feedparser's sdist (its test feeds) could not be downloaded from PyPI; "
                        "set SITEGEN_FEEDPARSER_SDIST to a feedparser-*.tar.gz")
        sdist = str(found[0])
    target = tmp_path_factory.mktemp("feedparser")
    with tarfile.open(sdist) as archive:
        archive.extractall(target, filter="data")
    [tests] = target.glob("feedparser-*/tests")
    return tests


def test_every_feed_of_feedparsers_test_suite_gives_articles_or_located_errors(feedparser_test_suite):
    files = sorted(feedparser_test_suite.rglob("*.xml"))
    counts = import_corpus(files)
    print(counts)   # feedparser 6.0.14: 2,242 feeds, 30 articles, 2,231 errors (24 without a line)
    assert counts["feeds"] >= 2000 and counts["articles"] + counts["errors"] >= counts["feeds"]


def test_import_of_a_feed_is_deduped_and_slugged_like_raw_files(tmp_path):
    (tmp_path / "seeds").mkdir()
    items = "".join(f"<item><title>Same title</title><link>https://a.example/{n}?utm_source=x</link>"
                    f"{DATE}</item>" for n in (1, 2, 1))
    (tmp_path / "seeds" / "f.rss").write_bytes(rss(items))
    (tmp_path / "seeds" / "g.txt").write_text(
        "date 2022-12-30 http://www.a.example/2/\nAnother title\n", encoding="utf-8")
    report = import_articles([tmp_path / "seeds"], tmp_path)
    assert report.errors == []
    assert len(report.written) == 2 and report.written[0].endswith("/same-title.md")
    assert report.written[1].startswith("content/2022/12/same-title-")
    assert [message.split(" already imported as ")[0] for message in report.skipped] == [
        "seeds/f.rss:", "seeds/g.txt:"]


@pytest.mark.parametrize("written, day", [
    ("<pubDate>Tue, 21 Mar 2023 01:30:00 +0300</pubDate>", "2023-03-21"),   # 20 March in UTC
    ("<pubDate>Tue, 21 Mar 2023 23:30:00 -0500</pubDate>", "2023-03-21"),   # 22 March in UTC
    ("<pubDate>Tue, 21 Mar 2023 12:00:00 GMT</pubDate>", "2023-03-21"),
    ("<dc:date>2023-03-21T00:15:00+03:00</dc:date>", "2023-03-21"),
    ("<pubDate>21 Mar 2023</pubDate>", "2023-03-21"),
])
def test_an_item_keeps_the_day_written_in_its_own_time_zone(written, day):
    data = rss(f"<item><title>Talks</title><link>https://a.example/1</link>{written}</item>",
               head="").replace(b'<rss version="2.0">',
                                b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">')
    [article] = parse_feed(data, "f.rss")
    assert str(article.date) == day
