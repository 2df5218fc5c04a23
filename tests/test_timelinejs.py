"""Tests of site_builder.outputs.timelinejs: TimelineJS3 data that shows text as written and embeds safely."""

from __future__ import annotations

import datetime
import json
from html.parser import HTMLParser

import pytest

from site_builder.core.config import Config
from site_builder.model.records import Entry
from site_builder.outputs.timelinejs import TITLE_ID, build_timeline_json, event_ids, group_label

UTC = datetime.timezone.utc
CONFIG = Config(title="Diplomacy", base_url="https://user.github.io/repo/")
HOSTILE = 'Xi </script><script>alert("x")</script> ]]> & \'q\' \x00\x01\x1f\x7f\ud800\ufffe\u2028 — 习近平 Путин مرحبا'
CLEAN = 'Xi </script><script>alert("x")</script> ]]> & \'q\' \u2028 — 习近平 Путин مرحبا'


class _Reader(HTMLParser):
    """Collect the text, tags and link targets of an HTML fragment, as a browser would."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags, self.hrefs = "", [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        self.text += data


def read_html(fragment: str) -> _Reader:
    """Return what a browser would make of an HTML fragment set as innerHTML."""
    reader = _Reader()
    reader.feed(fragment)
    reader.close()
    return reader


def make_entry(slug: str, day: datetime.date, **fields) -> Entry:
    """Return an Entry of that day, with its URL under the /repo/ base path."""
    values = dict(path=f"content/{day:%Y/%m}/{slug}-{day.day}.md", title=f"Title of {slug}", slug=slug,
                  instant=datetime.datetime(day.year, day.month, day.day, 12, tzinfo=UTC), date=day,
                  lead=f"Lead of {slug}.", tags=("China", "Russia"), source_name="TASS",
                  source_url=f"https://tass.com/{slug}", url=f"/repo/{day:%Y/%m/%d}/{slug}/")
    values.update(fields)
    return Entry(**values)


def timeline(entries, title="Diplomacy", description="A chronology.") -> dict:
    """Return the parsed TimelineJS data of entries."""
    return json.loads(build_timeline_json(entries, config=CONFIG, title=title, description=description))


def test_the_format_has_a_title_slide_and_one_event_per_entry():
    entry = make_entry("chinas-xi-ready", datetime.date(2022, 12, 31))
    data = timeline([entry])
    assert data["scale"] == "human"
    assert data["title"] == {"unique_id": TITLE_ID,
                             "text": {"headline": "Diplomacy", "text": "<p>A chronology.</p>"}}
    [event] = data["events"]
    assert event["start_date"] == {"year": 2022, "month": 12, "day": 31}
    assert event["unique_id"] == "chinas-xi-ready"
    assert event["group"] == "China"
    assert event["autolink"] is False
    headline = read_html(event["text"]["headline"])
    assert headline.text == "Title of chinas-xi-ready"
    assert headline.hrefs == ["/repo/2022/12/31/chinas-xi-ready/"]
    body = read_html(event["text"]["text"])
    assert body.text == "Lead of chinas-xi-ready." and body.tags == ["p"]   # no source: it is
    assert body.hrefs == []                                  # on the page the headline opens


def test_events_come_oldest_first_with_the_calendar_day_of_the_entry():
    days = [datetime.date(2022, 12, 31), datetime.date(2021, 1, 2), datetime.date(2022, 2, 24)]
    data = timeline([make_entry(f"e{n}", day) for n, day in enumerate(days)])
    assert [(e["start_date"]["year"], e["start_date"]["month"], e["start_date"]["day"])
            for e in data["events"]] == [(2021, 1, 2), (2022, 2, 24), (2022, 12, 31)]


def test_an_empty_timeline_keeps_its_title_and_has_no_events():
    data = timeline([])
    assert data["events"] == []
    assert data["title"]["text"]["headline"] == "Diplomacy"


def test_an_entry_without_tags_lead_or_source_gets_no_group_and_an_empty_text():
    entry = make_entry("bare", datetime.date(2022, 1, 1), tags=(), lead="", summary="",
                       source_url="", source_name="")
    [event] = timeline([entry], description="")["events"]
    assert "group" not in event
    assert event["text"]["text"] == ""


def test_the_summary_stands_in_for_a_missing_lead():
    entry = make_entry("a", datetime.date(2022, 1, 1), lead="", summary="Short.")
    [event] = timeline([entry])["events"]
    body = read_html(event["text"]["text"])
    assert body.text == "Short."
    assert body.hrefs == []


def test_hostile_text_shows_literally_and_creates_no_markup():
    entry = make_entry("hostile", datetime.date(2022, 3, 1), title=HOSTILE, lead=HOSTILE,
                       tags=(HOSTILE,), source_name=HOSTILE)
    data = timeline([entry], title=HOSTILE, description=HOSTILE)
    [event] = data["events"]
    headline = read_html(event["text"]["headline"])
    assert headline.text == CLEAN and headline.tags == ["a"]
    body = read_html(event["text"]["text"])
    assert body.text == CLEAN
    assert body.tags == ["p"]
    title = read_html(data["title"]["text"]["headline"])
    assert title.text == CLEAN and title.tags == []


def test_a_group_survives_timelinejs_stripping_it_and_writing_it_back_as_html():
    # TimelineJS3 takes the text content of `group` parsed as HTML, then sets it as innerHTML.
    for tag in ["<img src=x onerror=alert(1)>", "US & China", "a &amp; b", "Russia–China", "中国"]:
        stripped = read_html(group_label(tag)).text
        shown = read_html(stripped)
        assert shown.tags == [] and shown.text == tag


def test_the_bytes_are_safe_inside_a_script_element():
    entry = make_entry("x", datetime.date(2022, 1, 1), title="</script><!-- <script>", lead="&amp; ]]>")
    data = build_timeline_json([entry], config=CONFIG, title="</SCRIPT>", description="<!--")
    for raw in (b"<", b">", b"&", b"'", "\u2028".encode()):
        assert raw not in data
    page = f'<script type="application/json" id="timeline-data">{data.decode()}</script><p>after</p>'

    class Scripts(HTMLParser):
        """Collect the contents of script elements."""

        def __init__(self):
            super().__init__()
            self.inside, self.scripts = False, []

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "script"

        def handle_endtag(self, tag):
            self.inside = False

        def handle_data(self, text):
            if self.inside:
                self.scripts.append(text)

    reader = Scripts()
    reader.feed(page)
    assert reader.scripts == [data.decode()]
    assert json.loads(reader.scripts[0])["events"][0]["text"]["headline"].endswith(
        "&lt;/script&gt;&lt;!-- &lt;script&gt;</a>")


def test_non_latin_text_is_kept_as_utf8_not_escaped():
    entry = make_entry("putin", datetime.date(2022, 1, 1), title="Путин и Си Цзиньпин 习近平")
    data = build_timeline_json([entry], config=CONFIG, title="Хроника", description="")
    assert "Путин и Си Цзиньпин 习近平".encode() in data
    assert "Хроника".encode() in data


def test_repeated_slugs_get_distinct_stable_ids():
    days = [datetime.date(2022, 1, 1), datetime.date(2022, 1, 2), datetime.date(2022, 1, 2)]
    entries = [make_entry("talks", day, path=f"content/talks-{n}.md") for n, day in enumerate(days)]
    entries.append(make_entry("other", datetime.date(2022, 1, 3)))
    ids = [e["unique_id"] for e in timeline(entries)["events"]]
    assert ids == ["talks-2022-01-01", "talks-2022-01-02", "talks-2022-01-02-2", "other"]
    assert len(set(ids) | {TITLE_ID}) == len(ids) + 1
    assert event_ids(sorted(entries, key=lambda e: (e.instant, e.url, e.path))) == {
        e.path: i for e, i in zip(entries, ids)}


def test_the_same_entries_in_any_order_give_the_same_bytes():
    entries = [make_entry(f"e{n}", datetime.date(2022, 1, 1 + n)) for n in range(5)]
    build = lambda es: build_timeline_json(es, config=CONFIG, title="T", description="D")  # noqa: E731
    assert build(entries) == build(list(reversed(entries)))


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_title_is_allowed(title):
    assert timeline([], title=title)["title"]["text"]["headline"] == title
