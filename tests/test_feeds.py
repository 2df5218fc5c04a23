"""Tests of site_builder.outputs.feeds: Atom feeds valid per RFC 4287 whatever the entries contain."""

from __future__ import annotations

import datetime
import io
import xml.etree.ElementTree as ET

import feedparser
import pytest

from site_builder.core.config import Config
from site_builder.outputs.feeds import EMPTY_FEED_UPDATED, absolute_url, build_atom_feed, xml_text
from site_builder.model.records import Entry
from validators import validate_atom

A = "{http://www.w3.org/2005/Atom}"
UTC = datetime.timezone.utc
MOSCOW = datetime.timezone(datetime.timedelta(hours=3))
CONFIG = Config(title="Diplomacy", author="The Desk", base_url="https://user.github.io/repo/")
HOSTILE = 'Xi <script>alert("x")</script> ]]> & \'quotes\' \x00\x01\x0b\x1f\x7f\ud800\ufffe — 习近平 Путин مرحبا'


def make_entry(slug: str, instant: datetime.datetime, **fields) -> Entry:
    """Return an Entry dated instant, with its URL under the /repo/ base path and tag links
    for its tags (as the site model sets them)."""
    day = instant.date()
    values = dict(path=f"content/{day:%Y/%m}/{slug}.md", title=f"Title of {slug}", slug=slug,
                  instant=instant, date=day, lead=f"Lead of {slug}.", tags=("diplomacy",),
                  source_name="TASS", source_url=f"https://tass.com/politics/{slug}",
                  body_html=f"<p>Body of {slug}.</p>", url=f"/repo/{day:%Y/%m/%d}/{slug}/")
    values.update(fields)
    values.setdefault("tag_links", tuple((name, "/repo/tags/t/") for name in values["tags"]))
    return Entry(**values)


def feed(entries, **kwargs) -> bytes:
    """Return the home feed of entries under the /repo/ sub-path."""
    options = dict(config=CONFIG, title="Diplomacy", feed_url="/repo/feed.xml", page_url="/repo/")
    options.update(kwargs)
    return build_atom_feed(entries, **options)


def parse(data: bytes) -> ET.Element:
    """Return the root element of a feed."""
    return ET.fromstring(data)


def three_entries() -> list[Entry]:
    """Return three entries on different days, oldest first."""
    return [make_entry("first", datetime.datetime(2022, 2, 4, 9, 0, tzinfo=UTC)),
            make_entry("second", datetime.datetime(2022, 6, 1, 12, 30, tzinfo=MOSCOW)),
            make_entry("third", datetime.datetime(2022, 12, 31, 23, 59, 59, tzinfo=MOSCOW))]


def test_a_feed_under_a_sub_path_is_valid_atom_with_absolute_ids_and_links():
    data = feed(three_entries())
    assert validate_atom(data) == []
    root = parse(data)
    assert root.findtext(f"{A}id") == "https://user.github.io/repo/"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": "https://user.github.io/repo/feed.xml",
                     "alternate": "https://user.github.io/repo/"}
    assert root.findtext(f"{A}author/{A}name") == "The Desk"
    assert root.findtext(f"{A}generator") == "sitegen"
    entry = root.find(f"{A}entry")
    assert entry.findtext(f"{A}id") == "https://user.github.io/repo/2022/12/31/third/"
    alternate = entry.find(f"{A}link[@rel='alternate']")
    assert alternate.get("href") == "https://user.github.io/repo/2022/12/31/third/"


def test_entries_come_newest_first_and_feed_updated_is_the_newest_instant():
    entries = three_entries()
    root = parse(feed(entries))
    assert [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")] == [
        "Title of third", "Title of second", "Title of first"]
    assert root.findtext(f"{A}updated") == "2022-12-31T23:59:59+03:00"


def test_order_follows_the_instant_not_the_local_clock_time():
    early_local = make_entry("tokyo", datetime.datetime(2022, 5, 1, 8, 0,
                                                        tzinfo=datetime.timezone(datetime.timedelta(hours=9))))
    late_local = make_entry("london", datetime.datetime(2022, 5, 1, 1, 0, tzinfo=UTC))
    root = parse(feed([early_local, late_local]))
    # 08:00+09:00 is 23:00 UTC the day before, so London's 01:00 UTC is the newer one.
    assert [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")] == [
        "Title of london", "Title of tokyo"]


def test_limit_keeps_only_the_newest_entries():
    root = parse(feed(three_entries(), limit=2))
    assert [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")] == [
        "Title of third", "Title of second"]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(limit):
    with pytest.raises(ValueError):
        feed(three_entries(), limit=limit)


def test_the_same_entries_in_any_order_give_the_same_bytes():
    entries = three_entries()
    assert feed(entries) == feed(list(reversed(entries))) == feed(entries[1:] + entries[:1])


def test_an_empty_feed_is_valid_and_dated_at_the_documented_fallback():
    data = feed([])
    assert validate_atom(data) == []
    root = parse(data)
    assert root.findall(f"{A}entry") == []
    assert root.findtext(f"{A}updated") == "1970-01-01T00:00:00+00:00"
    assert EMPTY_FEED_UPDATED.isoformat() == "1970-01-01T00:00:00+00:00"


def test_entry_fields_times_categories_summary_content_and_via_link():
    entry = make_entry("xi", datetime.datetime(2022, 12, 31, 10, 0, tzinfo=MOSCOW),
                       tags=("China", "Russia–China relations"), lead="Xi is ready.",
                       body_html='<p>He said <a href="https://x.example/">so</a>.</p>')
    element = parse(feed([entry])).find(f"{A}entry")
    assert element.findtext(f"{A}published") == "2022-12-31T10:00:00+03:00"
    assert element.findtext(f"{A}updated") == "2022-12-31T10:00:00+03:00"
    assert [c.get("term") for c in element.findall(f"{A}category")] == ["China", "Russia–China relations"]
    assert element.findtext(f"{A}summary") == "Xi is ready."
    content = element.find(f"{A}content")
    assert content.get("type") == "html"
    assert content.text == '<p>He said <a href="https://x.example/">so</a>.</p>'
    via = element.find(f"{A}link[@rel='via']")
    assert via.get("href") == "https://tass.com/politics/xi" and via.get("title") == "TASS"
    assert element.find(f"{A}author") is None            # the feed's author covers it


def test_summary_falls_back_to_the_summary_field_and_is_left_out_when_both_are_empty():
    with_summary = make_entry("a", datetime.datetime(2022, 1, 1, tzinfo=UTC), lead="", summary="Short.")
    bare = make_entry("b", datetime.datetime(2022, 1, 2, tzinfo=UTC), lead="", summary="  ")
    data = feed([with_summary, bare])
    assert validate_atom(data) == []
    entries = {e.findtext(f"{A}title"): e for e in parse(data).findall(f"{A}entry")}
    assert entries["Title of a"].findtext(f"{A}summary") == "Short."
    assert entries["Title of b"].find(f"{A}summary") is None


@pytest.mark.parametrize("source_url", ["", "javascript:alert(1)", "tass.com/x", "ftp://tass.com/x"])
def test_a_source_that_is_not_a_web_url_gets_no_via_link(source_url):
    entry = make_entry("a", datetime.datetime(2022, 1, 1, tzinfo=UTC), source_url=source_url)
    data = feed([entry])
    assert validate_atom(data) == []
    assert parse(data).find(f"{A}entry/{A}link[@rel='via']") is None


def test_hostile_text_stays_well_formed_valid_and_reads_back_as_written():
    entry = make_entry("hostile", datetime.datetime(2022, 3, 1, tzinfo=UTC), title=HOSTILE,
                       lead=HOSTILE, tags=(HOSTILE, "a\"b'c<d>&e"), source_name=HOSTILE,
                       body_html=f"<p>{HOSTILE}</p>")
    data = feed([entry], title=HOSTILE, subtitle=HOSTILE)
    assert validate_atom(data) == []
    root = parse(data)
    clean = xml_text(HOSTILE)
    assert "\x00" not in clean and "\ud800" not in clean and "\x7f" not in clean
    assert "<script>" in clean and "]]>" in clean and "习近平 Путин مرحبا" in clean
    element = root.find(f"{A}entry")
    assert root.findtext(f"{A}title") == clean
    assert root.findtext(f"{A}subtitle") == clean
    assert element.findtext(f"{A}title") == clean
    assert element.findtext(f"{A}summary") == clean
    assert element.findtext(f"{A}content") == f"<p>{clean}</p>"
    assert [c.get("term") for c in element.findall(f"{A}category")] == [clean, "a\"b'c<d>&e"]
    assert element.find(f"{A}link[@rel='via']").get("title") == clean
    assert b"<script>" not in data


def test_feedparser_reads_the_feed_as_written():
    entry = make_entry("xi", datetime.datetime(2022, 12, 31, 10, 0, tzinfo=MOSCOW),
                       title="Xi & Putin <talk>", tags=("China",))
    parsed = feedparser.parse(io.BytesIO(feed([entry])))
    assert not parsed.bozo and parsed.version == "atom10"
    item = parsed.entries[0]
    assert item.title == "Xi & Putin <talk>"
    assert item.link == "https://user.github.io/repo/2022/12/31/xi/"
    assert item.id == "https://user.github.io/repo/2022/12/31/xi/"
    assert [t.term for t in item.tags] == ["China"]


def test_a_tag_feed_has_its_own_id_and_self_link():
    root = parse(feed(three_entries(), title="China", feed_url="/repo/tags/china/feed.xml",
                      page_url="/repo/tags/china/"))
    assert root.findtext(f"{A}id") == "https://user.github.io/repo/tags/china/"
    assert root.find(f"{A}link[@rel='self']").get("href") == "https://user.github.io/repo/tags/china/feed.xml"


def test_a_site_at_the_root_of_its_host():
    config = Config(base_url="https://example.org")
    entry = make_entry("a", datetime.datetime(2022, 1, 1, tzinfo=UTC), url="/2022/01/01/a/")
    data = build_atom_feed([entry], config=config, title="T", feed_url="/feed.xml", page_url="/")
    assert validate_atom(data) == []
    root = parse(data)
    assert root.findtext(f"{A}id") == "https://example.org/"
    assert root.findtext(f"{A}entry/{A}id") == "https://example.org/2022/01/01/a/"
    assert root.findtext(f"{A}author/{A}name") == "A diplomacy timeline"     # no author: the title


def test_a_naive_instant_is_refused():
    entry = make_entry("naive", datetime.datetime(2022, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="time zone"):
        feed([entry])


@pytest.mark.parametrize("language, expected", [("en", "en"), ("ru_RU", "ru-RU"), ("not a tag!", None)])
def test_the_feed_language_is_set_only_when_it_is_a_language_tag(language, expected):
    config = Config(base_url="https://user.github.io/repo/", language=language)
    data = build_atom_feed([], config=config, title="T", feed_url="/repo/feed.xml", page_url="/repo/")
    assert validate_atom(data) == []
    assert parse(data).get("{http://www.w3.org/XML/1998/namespace}lang") == expected


def test_absolute_url_joins_the_base_host_to_a_root_relative_url():
    assert absolute_url(CONFIG, "/repo/2022/") == "https://user.github.io/repo/2022/"
    assert absolute_url(Config(base_url="http://localhost:8000/"), "/") == "http://localhost:8000/"
    assert absolute_url(CONFIG, "https://other.example/x") == "https://other.example/x"


@pytest.mark.parametrize("bad", ["repo/2022/", "//evil.example/x", ""])
def test_absolute_url_refuses_what_is_not_root_relative(bad):
    with pytest.raises(ValueError):
        absolute_url(CONFIG, bad)


def test_categories_are_the_site_models_tags_aliased_merged_and_capped():
    from site_builder.core.config import parse_config
    from site_builder.model.site import build_site

    config = parse_config({"base_url": "https://user.github.io/repo/", "max_tags": 3,
                           "tag_aliases": {"PRC": "China"}})
    entry = make_entry("xi", datetime.datetime(2022, 12, 31, 10, 0, tzinfo=MOSCOW),
                       tags=("PRC", "Tu\u0308rkiye", "Türkiye", "C++", "C", "Russia"), tag_links=())
    linked = build_site([entry], config).entries[0]
    element = parse(feed([linked], config=config)).find(f"{A}entry")
    assert [c.get("term") for c in element.findall(f"{A}category")] == ["China", "Türkiye", "C++"]
    assert [name for name, _ in linked.tag_links] == ["China", "Türkiye", "C++"]
