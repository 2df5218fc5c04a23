"""The built site passes real validators: the Nu HTML Checker on every page, RFC 4287's RELAX NG
schema (jing) and feedparser on every Atom feed, the sitemaps.org schema on the sitemap."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import write_entry
from validators import validate_atom_files, validate_html, validate_sitemap

BASE = "https://user.github.io/repo/"


@pytest.fixture(scope="module")
def public(tmp_path_factory, repo_root) -> Path:
    """The seed plus 30 entries over three years, some with hostile text, and 7 with each form
    of event date, built under /repo/."""
    site = tmp_path_factory.mktemp("valid") / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(repo_root / "seeds" / "000_a8b0fcfbf1680f64.txt", site / "seeds")
    for i in range(30):
        write_entry(site, f"entry-{i:02d}", f"202{i % 3}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                    tags=("russia", f"topic {i % 4}", json.dumps("<b>bold</b> & \"quoted\"")),
                    title=json.dumps(f"'Entry' {i} <script>alert({i})</script>"),
                    body=f"Paragraph with <em>markup</em> & an [link](https://example.org/{i}).\n\n"
                         "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>")
    # every form of event date, on every page kind it reaches
    for n, event in enumerate(["2022-12-30", "2022-11", "2021", "2022-03-20/2022-03-22",
                               "2022-12-29?", "2022-04~", "2022-05-01%"]):
        write_entry(site, f"event-{n}", "2022-12-31", tags=("russia", "events"),
                    extra=f"event_date: {event}\n")
    (site / "sitegen.yaml").write_text("page_size: 6\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site),
                           "--base-url", BASE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return site / "public"


def test_every_page_is_valid_html(public):
    pages = sorted(public.rglob("*.html"))
    assert len(pages) > 100
    assert validate_html(pages) == []


def test_every_feed_is_valid_atom(public):
    feeds = sorted(public.rglob("*.xml"))
    feeds = [f for f in feeds if f.name == "feed.xml"]
    assert len(feeds) > 5
    assert validate_atom_files(feeds) == []


def test_the_sitemap_is_valid_and_lists_every_page(public):
    assert validate_sitemap(public / "sitemap.xml") == []
    locs = {e.text for e in ET.parse(public / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {BASE + p.relative_to(public).as_posix().removesuffix("index.html")
             for p in public.rglob("*.html") if p.name != "404.html"
             and not p.relative_to(public).as_posix().startswith("searchindex/")}
    # every page but those that only point to another (a day with one entry: noindex)
    def page_file(page):
        path = public / page.removeprefix(BASE)
        return path if page.endswith(".html") else path / "index.html"
    pointers = {page for page in pages if '<meta name="robots" content="noindex">' in
                page_file(page).read_text(encoding="utf-8")}
    assert pointers and locs == pages - pointers
