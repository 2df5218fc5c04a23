"""filter.json: the tag filter's compact index."""

from __future__ import annotations

import json

from helpers import make_entry
from site_builder.core.config import Config
from site_builder.outputs.filterindex import build_filter_json
from site_builder.model.site import build_site


def test_entries_carry_date_title_relative_url_and_tag_numbers():
    config = Config(base_url="https://example.org/sub/")
    site = build_site([make_entry("a", "2022-01-02", tags=("Russia", "china")),
                       make_entry("b", "2022-03-04", tags=("china",), title="B & <b>"),
                       make_entry("c", "2022-05-06")], config)
    data = json.loads(build_filter_json(site.entries[::-1], site.tags, config.base_path))
    assert data["tags"] == [["china", "china", "tags/china/"], ["russia", "Russia", "tags/russia/"]]
    assert [e[0] for e in data["entries"]] == ["2022-05-06", "2022-03-04", "2022-01-02"]
    assert data["entries"][1][1:] == ["B & <b>", "2022/03/04/b/", [0]]
    assert data["entries"][2][3] == [0, 1] and data["entries"][0][3] == []


def test_entries_are_at_their_event_with_its_words_when_more_than_a_day():
    from site_builder.core.eventdates import parse_event_date
    config = Config()
    site = build_site([make_entry("a", "2022-01-02", event=parse_event_date("2021-11~")),
                       make_entry("b", "2022-03-04", event=parse_event_date("2022-03-01")),
                       make_entry("c", "2022-05-06")], config)
    data = json.loads(build_filter_json(site.entries, site.tags, config.base_path))
    assert data["entries"] == [["2021-11-01", "a", "2022/01/02/a/", [], "about November 2021"],
                               ["2022-03-01", "b", "2022/03/04/b/", []],
                               ["2022-05-06", "c", "2022/05/06/c/", []]]
