"""Tests of site_builder.outputs.sitemap: valid Sitemaps, split into an index past the protocol's limits."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from site_builder.outputs.sitemap import MAX_URLS, build_robots_txt, build_sitemap
from validators import validate_sitemap

S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE = "https://user.github.io/repo/"
DAY = datetime.date(2022, 12, 31)


def locs(data: bytes) -> list[str]:
    """Return the <loc> texts of a sitemap or sitemap index, in order."""
    return [loc.text for loc in ET.fromstring(data).iter(f"{S}loc")]


def lastmods(data: bytes) -> list[str | None]:
    """Return each entry's <lastmod> text (None where it has none), in order."""
    return [child.findtext(f"{S}lastmod") for child in ET.fromstring(data)]


def many(count: int) -> list[tuple[str, datetime.date]]:
    """Return count distinct entry URLs under the sub-path, with lastmods a day apart."""
    start = datetime.date(2000, 1, 1)
    return [(f"{SITE}entries/{n:06d}/", start + datetime.timedelta(days=n)) for n in range(count)]


def test_a_small_site_gets_one_valid_sitemap():
    urls = [(SITE, DAY), (SITE + "2022/12/31/chinas-xi-ready/", DAY), (SITE + "tags/china/", None)]
    files = build_sitemap(urls, site_url=SITE)
    assert list(files) == ["sitemap.xml"]
    data = files["sitemap.xml"]
    assert validate_sitemap(data) == []
    assert ET.fromstring(data).tag == f"{S}urlset"
    assert locs(data) == [url for url, _ in urls]
    assert lastmods(data) == ["2022-12-31", "2022-12-31", None]


def test_special_characters_are_escaped_and_non_ascii_is_percent_encoded():
    urls = [(SITE + "search/?q=a&b='c'\"d\"<e>", DAY), (SITE + "tags/россия китай/", DAY)]
    data = build_sitemap(urls, site_url=SITE)["sitemap.xml"]
    assert validate_sitemap(data) == []
    assert b"&amp;" in data and b"&apos;" in data
    assert locs(data) == [SITE + "search/?q=a&b='c'%22d%22%3Ce%3E",
                          SITE + "tags/%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F%20%D0%BA%D0%B8%D1%82%D0%B0%D0%B9/"]


def test_duplicate_urls_are_listed_once_with_their_latest_lastmod():
    urls = [(SITE, datetime.date(2022, 1, 1)), (SITE + "a/", None), (SITE, datetime.date(2022, 3, 1)),
            (SITE, None), (SITE + "a/", datetime.date(2021, 1, 1))]
    data = build_sitemap(urls, site_url=SITE)["sitemap.xml"]
    assert locs(data) == [SITE, SITE + "a/"]
    assert lastmods(data) == ["2022-03-01", "2021-01-01"]


def test_a_datetime_lastmod_is_written_as_its_day():
    moment = datetime.datetime(2022, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    data = build_sitemap([(SITE, moment)], site_url=SITE)["sitemap.xml"]
    assert validate_sitemap(data) == []
    assert lastmods(data) == ["2022-12-31"]


def test_more_urls_than_a_file_may_hold_make_an_index_and_numbered_sitemaps():
    urls = many(5)
    files = build_sitemap(urls, site_url="https://user.github.io/repo", max_urls=2)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    for data in files.values():
        assert validate_sitemap(data) == []
    index = files["sitemap.xml"]
    assert ET.fromstring(index).tag == f"{S}sitemapindex"
    assert locs(index) == [SITE + "sitemap-1.xml", SITE + "sitemap-2.xml", SITE + "sitemap-3.xml"]
    assert lastmods(index) == ["2000-01-02", "2000-01-04", "2000-01-05"]
    listed = [loc for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml") for loc in locs(files[name])]
    assert listed == [url for url, _ in urls]


def test_a_numbered_sitemap_without_lastmods_has_none_in_the_index():
    files = build_sitemap([(SITE + "a/", DAY), (SITE + "b/", None)], site_url=SITE, max_urls=1)
    assert validate_sitemap(files["sitemap.xml"]) == []
    assert lastmods(files["sitemap.xml"]) == ["2022-12-31", None]


def test_the_byte_limit_splits_too():
    urls = many(10)
    one_file = build_sitemap(urls, site_url=SITE)["sitemap.xml"]
    limit = len(one_file) // 2
    files = build_sitemap(urls, site_url=SITE, max_bytes=limit)
    assert len(files) >= 3
    for name, data in files.items():
        assert validate_sitemap(data) == []
        if name != "sitemap.xml":
            assert len(data) <= limit
    listed = [loc for name, data in files.items() if name != "sitemap.xml" for loc in locs(data)]
    assert listed == [url for url, _ in urls]


def test_the_protocol_limit_of_50000_urls_per_file():
    assert MAX_URLS == 50_000
    exactly = build_sitemap(many(50_000), site_url=SITE)
    assert list(exactly) == ["sitemap.xml"]
    files = build_sitemap(many(50_001), site_url=SITE)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]
    assert len(locs(files["sitemap-1.xml"])) == 50_000
    assert locs(files["sitemap-2.xml"]) == [many(50_001)[-1][0]]
    for data in files.values():
        assert validate_sitemap(data) == []


def test_the_same_urls_give_the_same_bytes():
    assert build_sitemap(many(20), site_url=SITE, max_urls=7) == build_sitemap(many(20), site_url=SITE, max_urls=7)


def test_an_empty_list_is_refused():
    with pytest.raises(ValueError, match="at least one URL"):
        build_sitemap([], site_url=SITE)


@pytest.mark.parametrize("bad", ["/repo/", "repo/x", "javascript:alert(1)", "https://", "ftp://host/x"])
def test_urls_that_are_not_absolute_web_urls_are_refused(bad):
    with pytest.raises(ValueError):
        build_sitemap([(bad, None)], site_url=SITE)


def test_a_url_longer_than_the_protocol_allows_is_refused():
    with pytest.raises(ValueError, match="2048"):
        build_sitemap([(SITE + "a" * 2048, None)], site_url=SITE)


def test_robots_txt_allows_everything_and_names_the_sitemap():
    text = build_robots_txt(SITE + "sitemap.xml").decode()
    assert text == f"User-agent: *\nDisallow:\n\nSitemap: {SITE}sitemap.xml\n"


@pytest.mark.parametrize("bad", [SITE + "sitemap.xml\nDisallow: /", "/repo/sitemap.xml", SITE + "x\r"])
def test_robots_txt_refuses_a_url_that_is_not_one_absolute_url(bad):
    with pytest.raises(ValueError):
        build_robots_txt(bad)
