"""Event dates through whole builds: each EDTF form on every page kind it touches, feeds in
publication order, and the located errors and warning of build and check."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write_entry
from site_builder.build import BuildOptions, build

# slug: (publication day, event_date or None)
ENTRIES = {
    "plain": ("2023-04-10", None),
    "day-event": ("2022-12-31", "2022-12-30"),
    "month-event": ("2023-01-15", "2022-11"),
    "year-event": ("2023-02-01", "2021"),
    "interval-event": ("2023-03-25", "2023-03-20/2023-03-22"),
    "uncertain-event": ("2023-01-02", "2022-12-29?"),
    "approximate-event": ("2023-05-01", "2023-04~"),
    "both-event": ("2023-05-02", "2023-05-01%"),
    "same-day-event": ("2023-05-03", "2023-05-03"),
}
# The timeline order: by event (publication day when none), oldest first.
TIMELINE = ["year-event", "month-event", "uncertain-event", "day-event", "interval-event",
            "approximate-event", "plain", "both-event", "same-day-event"]


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("events") / "site"
    for slug, (day, event) in ENTRIES.items():
        write_entry(site, slug, day, tags=("talks",),
                    extra="countries: [RU]\n" + (f"event_date: {event}\n" if event else ""))
    (site / "sitegen.yaml").write_text("title: Events\nsearch: false\n", encoding="utf-8")
    build(BuildOptions(site))
    return site / "public"


def page(public: Path, path: str) -> str:
    return (public / path / "index.html").read_text(encoding="utf-8")


def listed(html: str) -> list[str]:
    """Return the slugs of the entries a listing shows, in order."""
    return re.findall(r'<li><time [^>]*>[^<]*</time> <a href="/[^"]*/([a-z-]+)/">', html)


def pointed(html: str) -> list[str]:
    """Return the slug of the entry a one-entry day's page points to (its canonical address)."""
    return re.findall(r'<link rel="canonical" href="[^"]*/([a-z-]+)/">', html)


def listed_dates(html: str) -> dict[str, tuple[str, str]]:
    """Return slug -> (datetime attribute, text) of each listed entry's time element."""
    return {slug: (attr, text) for attr, text, slug in re.findall(
        r'<li><time datetime="([^"]*)">([^<]*)</time> <a href="/[^"]*/([a-z-]+)/">', html)}


def test_the_timelines_place_entries_by_event(public):
    # listings show the newest first (sort: newest, the default)
    assert listed(page(public, "")) == TIMELINE[::-1]
    assert listed(page(public, "tags/talks")) == TIMELINE[::-1]


def test_listings_show_the_event_in_words(public):
    dates = listed_dates(page(public, ""))
    assert dates == {
        "plain": ("2023-04-10", "10 Apr"),
        "day-event": ("2022-12-30", "30 Dec"),
        "month-event": ("2022-11", "November 2022"),
        "year-event": ("2021", "2021"),
        "interval-event": ("2023-03-20", "20–22 March 2023"),
        "uncertain-event": ("2022-12-29", "perhaps 29 December 2022"),
        "approximate-event": ("2023-04", "about April 2023"),
        "both-event": ("2023-05-01", "perhaps about 1 May 2023"),
        "same-day-event": ("2023-05-03", "3 May"),
    }
    assert listed_dates(page(public, "tags/talks")) == dates


def test_month_headings_follow_the_events(public):
    html = page(public, "")
    headings = re.findall(r'class="tl-month-heading" id="([^"]+)"><a href="([^"]+)">([^<]+)<', html)
    assert [(anchor, label) for anchor, _, label in headings][::-1] == [
        ("m2021-00", "During 2021"), ("m2022-11", "November 2022"),
        ("m2022-12", "December 2022"), ("m2023-03", "March 2023"), ("m2023-04", "April 2023"),
        ("m2023-05", "May 2023")]
    assert headings[-1][1] == "/2021/"


def test_archives_file_each_precision_where_it_belongs(public):
    # a year-precision event: its year only
    assert listed(page(public, "2021")) == ["year-event"]
    assert not (public / "2021/01/index.html").exists()
    assert "year-event" not in page(public, "2023")
    # a month-precision event: its year and month, no day
    assert listed(page(public, "2022/11")) == ["month-event"]
    assert not (public / "2022/11/01/index.html").exists()
    assert "1 entry" in page(public, "2022")
    # days: by the event's start; the publication day has it not
    assert pointed(page(public, "2022/12/30")) == ["day-event"]
    assert not (public / "2022/12/31/index.html").exists()
    assert pointed(page(public, "2022/12/29")) == ["uncertain-event"]
    assert pointed(page(public, "2023/03/20")) == ["interval-event"]
    assert not (public / "2023/03/25/index.html").exists()
    assert not (public / "2023/01/15/index.html").exists()
    assert not (public / "2023/01/index.html").exists()
    assert listed(page(public, "2023/04")) == ["plain", "approximate-event"]   # newest first
    assert not (public / "2023/04/01/index.html").exists()
    assert listed(page(public, "2023/05")) == ["same-day-event", "both-event"]
    assert listed(page(public, "2022/12")) == ["day-event", "uncertain-event"]


def test_overviews_count_months_of_events(public):
    home = page(public, "")
    bars = dict(re.findall(r'aria-label="([A-Z][a-z]+ \d{4}): (\d+) entr', home))
    assert bars["November 2022"] == "1" and bars["December 2022"] == "2"
    assert bars["January 2023"] == "0" and bars["February 2023"] == "0"
    assert bars["April 2023"] == "2" and bars["May 2023"] == "2"
    # the year-only event counts in its year, in none of its months
    assert all(count == "0" for month, count in bars.items() if month.endswith("2021"))
    assert '<a href="/2021/" data-year="2021">2021 <span class="ov-n">1<' in home
    assert re.findall(r'aria-label="([A-Z][a-z]+ \d{4}): (\d+) entr', page(public, "tags/talks")) \
        == re.findall(r'aria-label="([A-Z][a-z]+ \d{4}): (\d+) entr', home)


def test_the_entry_page_shows_both_dates_when_they_differ(public):
    day = page(public, "2022/12/31/day-event")
    assert re.search(r'<a href="/2022/12/"><time datetime="2022-12-30">30 December 2022</time></a>\s*'
                     r'<span class="reported">· reported <time datetime="2022-12-31">31 December '
                     r'2022</time> by Example</span>', day)
    # every day here has one entry, so its page only points back: the words link the month
    words = {"month-event": ("2023/01/15", "/2022/11/", "2022-11", "November 2022"),
             "year-event": ("2023/02/01", "/2021/", "2021", "2021"),
             "interval-event": ("2023/03/25", "/2023/03/", "2023-03-20", "20–22 March 2023"),
             "uncertain-event": ("2023/01/02", "/2022/12/", "2022-12-29",
                                 "perhaps 29 December 2022"),
             "approximate-event": ("2023/05/01", "/2023/04/", "2023-04", "about April 2023"),
             "both-event": ("2023/05/02", "/2023/05/", "2023-05-01",
                            "perhaps about 1 May 2023")}
    for slug, (published, archive, attribute, text) in words.items():
        html = page(public, f"{published}/{slug}")
        assert f'<a href="{archive}"><time datetime="{attribute}">{text}</time></a>' in html, slug
        assert "· reported" in html
    same = page(public, "2023/05/03/same-day-event")
    assert "reported" not in same and 'href="/2023/05/"' in same


def test_an_entry_links_its_day_only_where_the_day_page_lists_entries(tmp_path):
    # A one-entry day's page points to its entry, so the entry does not link it back.
    site = tmp_path / "site"
    write_entry(site, "first", "2023-03-02")
    write_entry(site, "reported-later", "2023-03-09", extra="event_date: 2023-03-02\n")
    write_entry(site, "alone", "2023-03-20")
    write_entry(site, "event-alone", "2023-03-25", extra="event_date: 2023-03-05\n")
    (site / "sitegen.yaml").write_text("title: Days\nsearch: false\n", encoding="utf-8")
    build(BuildOptions(site))
    public = site / "public"
    # 2 March lists two entries (one of them by its event): both link it
    assert listed(page(public, "2023/03/02")) == ["reported-later", "first"]
    assert '<a href="/2023/03/02/">2</a> <a href="/2023/03/">March</a>' in page(
        public, "2023/03/02/first")
    assert '<a href="/2023/03/02/"><time datetime="2023-03-02">' in page(
        public, "2023/03/09/reported-later")
    # 20 and 5 March point to their one entry (and keep working); it links its month instead
    assert pointed(page(public, "2023/03/20")) == ["alone"]
    assert pointed(page(public, "2023/03/05")) == ["event-alone"]
    alone = page(public, "2023/03/20/alone")
    assert 'href="/2023/03/20/"' not in alone
    assert '<time datetime="2023-03-20">20 <a href="/2023/03/">March</a>' in alone
    lone = page(public, "2023/03/25/event-alone")
    assert 'href="/2023/03/05/"' not in lone
    assert '<a href="/2023/03/"><time datetime="2023-03-05">5 March 2023</time></a>' in lone


def test_permalinks_keep_the_publication_date(public):
    for slug, (day, _) in ENTRIES.items():
        assert (public / day.replace("-", "/") / slug / "index.html").is_file()


def test_timeline_json_carries_the_known_parts(public):
    events = {e["unique_id"]: e for e in json.loads((public / "timeline.json").read_text())["events"]}
    assert list(events) == TIMELINE
    assert events["plain"]["start_date"] == {"year": 2023, "month": 4, "day": 10}
    assert events["day-event"]["start_date"] == {"year": 2022, "month": 12, "day": 30}
    assert events["month-event"]["start_date"] == {"year": 2022, "month": 11}
    assert events["year-event"]["start_date"] == {"year": 2021}
    assert events["interval-event"]["start_date"] == {"year": 2023, "month": 3, "day": 20}
    assert events["interval-event"]["end_date"] == {"year": 2023, "month": 3, "day": 22}
    assert events["uncertain-event"]["display_date"] == "perhaps 29 December 2022"
    assert events["approximate-event"]["display_date"] == "about April 2023"
    assert events["approximate-event"]["start_date"] == {"year": 2023, "month": 4}
    assert events["both-event"]["display_date"] == "perhaps about 1 May 2023"
    for slug in ("plain", "day-event", "month-event", "year-event", "interval-event"):
        assert "display_date" not in events[slug]
        assert ("end_date" in events[slug]) == (slug == "interval-event")


def test_feeds_stay_in_publication_order(public):
    newest_first = sorted(ENTRIES, key=lambda slug: ENTRIES[slug][0], reverse=True)
    listings = {"feed.xml": [], "tags/talks/feed.xml": ["talks"], "countries/ru/feed.xml": ["ru"]}
    for feed, page_slug in listings.items():
        xml = (public / feed).read_text(encoding="utf-8")
        assert re.findall(r'<link rel="alternate" type="text/html" href="[^"]*/([a-z-]+)/"',
                          xml) == page_slug + newest_first, feed


def sitegen(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *args, "--site", str(site)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value, message", [
    ("2023-03-22/2023-03-20", "event_date '2023-03-22/2023-03-20' ends before it starts"),
    ("30 March 2023", "event_date '30 March 2023' is not an EDTF date"),
    ("2023-02-30", "event_date '2023-02-30' is not a calendar date"),
    ("2023-03-20T10:00:00", "event_date '2023-03-20T10:00:00' is EDTF, but not a day, month or year"),
])
def test_a_bad_event_date_is_a_located_error(tmp_path, value, message):
    write_entry(tmp_path, "good", "2023-03-01")
    write_entry(tmp_path, "bad", "2023-03-25", extra=f"event_date: {value}\n")
    (tmp_path / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    for command in ("build", "check"):
        result = sitegen(tmp_path, command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert f"content/2023/03/bad.md:9: {message}" in result.stdout + result.stderr
        assert "e.g." in result.stdout + result.stderr or "such as 2022-12-30" in \
            result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "public").exists()


def test_an_event_after_publication_is_a_warning(tmp_path):
    write_entry(tmp_path, "typo", "2023-03-25", extra="event_date: 2023-09-20\n")
    write_entry(tmp_path, "next-day", "2023-03-25", extra="event_date: 2023-03-26\n")
    (tmp_path / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    for command in ("build", "check"):
        result = sitegen(tmp_path, command)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert ("content/2023/03/typo.md:9: warning: event_date 2023-09-20 is more than a day "
                "after the publication date 2023-03-25") in output
        assert "next-day.md" not in output
    assert (tmp_path / "public/2023/09/20/index.html").is_file()
