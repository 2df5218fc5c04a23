"""`sitegen build` end to end: this repository's seed becomes a complete site, every page and
file in place with the right content; bad input fails the build and keeps the previous site."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import write_entry

SEED = "000_a8b0fcfbf1680f64.txt"
SLUG = "chinas-xi-ready-to-maintain-close-cooperation-with-putin-in-2023"
TITLE = "China&#39;s Xi Ready to Maintain Close Cooperation With Putin in 2023"
BASE = "https://user.github.io/repo/"
ATOM = "{http://www.w3.org/2005/Atom}"


def run(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `sitegen` through its real entry point."""
    return subprocess.run([sys.executable, "-m", "site_builder", *args, "--site", str(site)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory, repo_root) -> Path:
    """A site holding only this repository's seed article, built under a project sub-path."""
    site = tmp_path_factory.mktemp("seed") / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(repo_root / "seeds" / SEED, site / "seeds")
    (site / "sitegen.yaml").write_text("title: Test timeline\nsearch: false\ncname: timeline.example.org\n",
                                       encoding="utf-8")
    done = run(site, "build", "--base-url", BASE)
    assert done.returncode == 0, done.stderr
    return site


def page(site: Path, rel: str) -> str:
    return (site / "public" / rel).read_text(encoding="utf-8")


def test_the_seed_is_imported_and_gets_its_page(seed_site):
    entry = seed_site / "content" / "2022" / "12" / f"{SLUG}.md"
    assert entry.is_file()
    html = page(seed_site, f"2022/12/31/{SLUG}/index.html")
    assert f"<h1>{TITLE}</h1>" in html
    assert '<time datetime="2022-12-31">' in html
    for url in ("2022/12/", "2022/"):
        assert f'href="/repo/{url}"' in html
    assert 'href="/repo/2022/12/31/"' not in html       # its one-entry day only points back
    assert '<span class="dateline">BEIJING</span>' in html
    assert 'rel="noopener noreferrer">Sputnik</a>' in html
    assert "heights. The Russian leader also underlined" in html      # the broken line, mended
    for tag, slug in (("xi jinping", "xi-jinping"), ("russia", "russia"), ("china", "china")):
        assert f'<a href="/repo/tags/{slug}/">{tag}</a>' in html


def test_home_tags_and_archives_show_the_entry(seed_site):
    home = page(seed_site, "index.html")
    assert f'<a href="/repo/2022/12/31/{SLUG}/">{TITLE}</a>' in home
    assert '<a href="/repo/tags/bilateral-relations/">bilateral relations</a>' in home
    assert 'id="m2022-12"' in home and '<p class="tl-meta"><span>Sputnik</span>' in home
    tags = page(seed_site, "tags/index.html")
    assert tags.count('<li><a href="/repo/tags/') == 9            # one order a page
    by_count = page(seed_site, "tags/by-count.html")
    assert by_count.count('<li><a href="/repo/tags/') == 9
    tag = page(seed_site, "tags/putin-and-xi-friendship/index.html")
    assert TITLE in tag and 'href="/repo/tags/putin-and-xi-friendship/feed.xml"' in tag
    for rel in ("2022/12/index.html", "2022/12/31/index.html"):
        assert TITLE in page(seed_site, rel), rel
    year = page(seed_site, "2022/index.html")          # a year lists its months, then entries
    months = year.index('<a href="/repo/2022/12/">December</a> <span class="count">1 entry</span>')
    assert months < year.index(TITLE)
    day = page(seed_site, "2022/12/31/index.html")
    assert 'href="/repo/2022/12/"' in day and 'href="/repo/2022/"' in day
    assert 'href="/repo/2022/12/"' in page(seed_site, "archive/index.html")


def test_machine_readable_files(seed_site):
    public = seed_site / "public"
    feed = ET.parse(public / "feed.xml").getroot()
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == f"{BASE}2022/12/31/{SLUG}/"
    assert entry.find(f"{ATOM}updated").text.startswith("2022-12-31T00:00:00")
    tag_feed = ET.parse(public / "tags" / "china" / "feed.xml").getroot()
    assert tag_feed.find(f"{ATOM}entry/{ATOM}title").text.startswith("China's Xi Ready")
    locs = [e.text for e in ET.parse(public / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = sorted(p.relative_to(public).as_posix() for p in public.rglob("*.html"))
    expected = {BASE + p.removesuffix("index.html") for p in pages if p != "404.html"}
    # the seed's one day holds one entry: its page points to the entry and is not listed
    assert set(locs) == expected - {f"{BASE}2022/12/31/"}
    assert (public / "robots.txt").read_text() == f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"
    timeline = json.loads((public / "timeline.json").read_text(encoding="utf-8"))
    (event,) = timeline["events"]
    assert event["start_date"] == {"year": 2022, "month": 12, "day": 31}
    assert event["group"] == "Russia" and "Xi Ready" in event["text"]["headline"]
    assert (public / ".nojekyll").read_bytes() == b""
    assert (public / "CNAME").read_text() == "timeline.example.org\n"
    assert (public / "404.html").is_file()
    css = list((public / "static").glob("style.*.css"))
    assert len(css) == 1 and re.fullmatch(r"style\.[0-9a-f]{10}\.css", css[0].name)
    assert f'href="/repo/static/{css[0].name}"' in page(seed_site, "index.html")


def test_two_builds_give_identical_bytes(seed_site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(seed_site, copy, ignore=shutil.ignore_patterns("public", ".sitegen-cache"))
    assert run(copy, "build", "--base-url", BASE).returncode == 0
    first = {p.relative_to(seed_site / "public"): p.read_bytes()
             for p in (seed_site / "public").rglob("*") if p.is_file()}
    second = {p.relative_to(copy / "public"): p.read_bytes()
              for p in (copy / "public").rglob("*") if p.is_file()}
    assert first == second


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    """Forty-five entries over two years and three tags, five to a page."""
    site = tmp_path_factory.mktemp("big") / "site"
    for i in range(45):
        write_entry(site, f"event-{i:02d}", f"{2021 + i // 30}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    tags=("all", "even" if i % 2 == 0 else "odd"))
    (site / "sitegen.yaml").write_text("page_size: 5\nsearch: false\n", encoding="utf-8")
    assert run(site, "build").returncode == 0
    return site


def test_pagination_of_home_tags_and_archives(big_site):
    public = big_site / "public"
    assert sorted(int(p.parent.name) for p in public.glob("page/*/index.html")) == list(range(2, 10))
    titles = []
    for number in range(1, 10):
        html = page(big_site, "index.html" if number == 1 else f"page/{number}/index.html")
        found = re.findall(r'<li><time datetime="[-\d]+">[^<]+</time> <a href="/(\d{4}/\d\d/\d\d)/event-(\d\d)/">', html)
        assert len(found) == 5
        titles += found
        if number < 9:
            assert f'href="/page/{number + 1}/" rel="next"' in html
    assert titles == sorted(titles, reverse=True) and len(set(titles)) == 45   # newest first, all once
    assert len(list(public.glob("tags/even/page/*/index.html"))) == 4          # 23 entries
    # a year lists its months, then its 30 entries, 5 a page
    assert sorted(int(p.parent.name) for p in public.glob("2021/page/*/index.html")) == [2, 3, 4, 5, 6]


def test_neighbouring_periods_link_each_other(big_site):
    jan = page(big_site, "2021/01/index.html")
    assert 'href="/2021/02/" rel="next"' in jan
    assert 'href="/2022/12/"' not in jan
    first_day = page(big_site, "2021/01/01/index.html")
    assert 'href="/2021/01/13/" rel="next"' in first_day     # the next day that has entries


def test_bad_entries_fail_the_build_and_keep_the_previous_site(big_site):
    before = page(big_site, "index.html")
    bad = big_site / "content" / "2021" / "01" / "event-00.md"
    good = bad.read_text(encoding="utf-8")
    try:
        bad.write_text(good.replace("date: 2021-01-01", "date: 2021-02-30"), encoding="utf-8")
        other = big_site / "content" / "2021" / "02" / "event-01.md"
        other_text = other.read_text(encoding="utf-8")
        other.write_text(other_text.replace("title: ", "titel: "), encoding="utf-8")
        done = run(big_site, "build")
        assert done.returncode == 1
        lines = done.stderr.splitlines()
        assert "content/2021/01/event-00.md:3: date '2021-02-30' is not a calendar date" in lines[0]
        assert lines[1].startswith("content/2021/02/event-01.md:1: the entry has no title")
        assert "Traceback" not in done.stderr
        assert page(big_site, "index.html") == before
        assert not list(big_site.glob(".public*"))
    finally:
        bad.write_text(good, encoding="utf-8")
        other.write_text(other_text, encoding="utf-8")
    assert run(big_site, "build").returncode == 0


def test_a_template_error_names_the_template_and_line(tmp_path):
    site = tmp_path / "site"
    write_entry(site, "one", "2022-01-01")
    (site / "templates").mkdir()
    (site / "templates" / "entry.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ entry.no_such_field }}\n{% endblock %}\n",
        encoding="utf-8")
    done = run(site, "build")
    assert done.returncode == 1
    assert re.search(r"templates/entry\.html:3: template error: .*no_such_field", done.stderr)
    assert "Traceback" not in done.stderr


def test_drafts_are_left_out_unless_asked_for(tmp_path):
    site = tmp_path / "site"
    write_entry(site, "shown", "2022-01-01")
    write_entry(site, "hidden", "2022-01-02", extra="draft: true\n")
    assert run(site, "build").returncode == 0
    assert not (site / "public" / "2022" / "01" / "02" / "hidden").exists()
    assert run(site, "build", "--drafts").returncode == 0
    assert (site / "public" / "2022" / "01" / "02" / "hidden" / "index.html").is_file()


def test_two_entries_claiming_one_page_is_an_error_naming_both(tmp_path):
    site = tmp_path / "site"
    write_entry(site, "same", "2022-01-01")
    (site / "content" / "2022" / "01" / "copy.md").write_text(
        (site / "content" / "2022" / "01" / "same.md").read_text(encoding="utf-8"), encoding="utf-8")
    done = run(site, "build")
    assert done.returncode == 1
    assert "content/2022/01/same.md and content/2022/01/copy.md would both write" in done.stderr \
        or "content/2022/01/copy.md and content/2022/01/same.md would both write" in done.stderr


def test_an_entry_page_inside_the_search_index_folder_is_an_error_while_search_is_on(tmp_path):
    site = tmp_path / "site"
    write_entry(site, "searchindex", "2022-01-01")
    write_entry(site, "other", "2022-01-02")
    (site / "sitegen.yaml").write_text('permalink: "/{slug}/"\n', encoding="utf-8")
    done = run(site, "build")
    assert done.returncode == 1
    assert ("content/2022/01/searchindex.md would write searchindex/index.html, inside searchindex/, "
            "which holds the search index") in done.stderr
    assert not (site / "public").exists()
    (site / "sitegen.yaml").write_text('permalink: "/{slug}/"\nsearch: false\n', encoding="utf-8")
    assert run(site, "build").returncode == 0
    assert (site / "public" / "searchindex" / "index.html").is_file()
