"""The timeline filter's files: filter/index.json (facets as position lists) and entries-K.json."""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

import pytest

from helpers import make_entry
from site_builder.core import countrydata
from site_builder.core.config import Config
from site_builder.core.countrydata import english_names
from site_builder.model.countries import Recognizer
from site_builder.model.site import build_site
from site_builder.outputs import filterindex
from site_builder.outputs.filterindex import (CHUNK_SIZE, build_filter_chunk, build_filter_index,
                                              chunk_count, decode_index, decode_positions,
                                              encode_positions,
                                              site_facets)
from site_builder.outputs.plan import build_plan
from site_builder.outputs.views import EntrySummary, TagRef, summarize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402


def summaries(config: Config, *entries) -> tuple[tuple[EntrySummary, ...], tuple[TagRef, ...]]:
    """Return the summaries of entries newest first, and the site's tags, as the planner makes them."""
    site = build_site(list(entries), config)
    tags = tuple(TagRef(t.name, t.slug, config.base_path + f"tags/{t.slug}/", len(t.entries))
                 for t in site.tags)
    return tuple(summarize(e) for e in site.entries[::-1]), tags


def facet_table(data: bytes) -> dict[str, dict[str, tuple[str, str, list[int]]]]:
    """Return each facet of an index as key -> (label, url, positions)."""
    return decode_index(data)


@pytest.mark.parametrize("positions,total", [
    ([], 10), ([0], 1), ([9], 10), ([0, 1, 2, 3, 4, 5, 6, 7], 8), ([127, 128, 16384, 20000], 20001),
    (list(range(0, 10000, 3)), 10000), (list(range(31, 64)), 70)])
def test_positions_round_trip_in_either_encoding(positions, total):
    text = encode_positions(positions, total)
    assert decode_positions(text, total) == positions


def test_the_shorter_encoding_is_chosen():
    sparse, dense = encode_positions([5, 900], 1000), encode_positions(list(range(0, 1000, 2)), 1000)
    assert sparse[0] == "d" and len(sparse) < 10                  # two gaps: 3 bytes
    assert dense[0] == "b" and len(dense) == 1 + 4 * 42           # 125 bytes of bitset
    rng = random.Random(7)
    for _ in range(200):
        total = rng.randrange(1, 3000)
        positions = sorted(rng.sample(range(total), rng.randrange(0, min(total, 400))))
        assert decode_positions(encode_positions(positions, total), total) == positions


def test_tag_and_year_facets_hold_each_entrys_positions_and_relative_urls():
    config = Config(base_url="https://example.org/sub/")
    entries, tags = summaries(config, make_entry("a", "2022-01-02", tags=("Russia", "china")),
                              make_entry("b", "2023-03-04", tags=("china",), title="B & <b>"),
                              make_entry("c", "2023-05-06"))
    data = build_filter_index(entries, site_facets(entries, tags, config.base_path))
    assert json.loads(data)["entries"] == 3 and json.loads(data)["chunk"] == CHUNK_SIZE
    assert facet_table(data) == {
        "tag": {"china": ("china", "tags/china/", [1, 2]), "russia": ("Russia", "tags/russia/", [2])},
        "year": {"2023": ("2023", "2023/", [0, 1]), "2022": ("2022", "2022/", [2])}}
    assert [f["label"] for f in json.loads(data)["facets"]] == ["Tag", "Year"]
    chunk = json.loads(build_filter_chunk(entries, config.base_path))
    assert chunk == [["2023-05-06", "c", "2023/05/06/c/"], ["2023-03-04", "B & <b>", "2023/03/04/b/"],
                     ["2022-01-02", "a", "2022/01/02/a/"]]


def test_country_and_relation_facets_appear_once_entries_carry_countries():
    config = Config(relation_min=2)
    plain = build_plan(build_site([make_entry("a", "2022-01-02", tags=("energy",))], config), config)
    index = next(o for o in plain if o.path == "filter/index.json")
    assert list(facet_table(index.make(index.view))) == ["tag", "year"]
    entries = [make_entry("a", "2022-01-02", tags=("energy",), countries=("RU", "CN")),
               make_entry("b", "2022-02-02", countries=("CN", "RU", "KZ")),
               make_entry("c", "2022-03-03", countries=("KZ",))]
    site = build_site(entries, config, country_names=english_names())
    index = next(o for o in build_plan(site, config) if o.path == "filter/index.json")
    table = facet_table(index.make(index.view))
    assert list(table) == ["tag", "year", "country", "relation"]
    # Positions are in listing order: c, b, a. Values carry names and their pages' URLs; a pair
    # with fewer than relation_min shared entries has no page.
    assert table["country"] == {"cn": ("China", "countries/cn/", [1, 2]),
                                "kz": ("Kazakhstan", "countries/kz/", [0, 1]),
                                "ru": ("Russia", "countries/ru/", [1, 2])}
    assert table["relation"] == {
        "cn-kz": ("China – Kazakhstan", "", [1]),
        "cn-ru": ("China – Russia", "relations/cn-ru/", [1, 2]),
        "kz-ru": ("Kazakhstan – Russia", "", [1])}


def test_the_plan_writes_the_index_and_a_chunk_per_chunk_size_of_entries(monkeypatch):
    monkeypatch.setattr(filterindex, "CHUNK_SIZE", 2)
    config = Config(base_url="https://example.org/sub/")
    entries = [make_entry(f"e{n}", f"2022-01-{n + 1:02d}", tags=("t",)) for n in range(5)]
    outputs = {o.path: o for o in build_plan(build_site(entries, config), config)}
    assert [p for p in outputs if p.startswith("filter/")] == [
        "filter/index.json", "filter/entries-0.json", "filter/entries-1.json", "filter/entries-2.json"]
    chunks = [json.loads(outputs[f"filter/entries-{n}.json"].make(outputs[f"filter/entries-{n}.json"].view)) for n in range(3)]
    assert [[e[2] for e in chunk] for chunk in chunks] == [
        ["2022/01/05/e4/", "2022/01/04/e3/"], ["2022/01/03/e2/", "2022/01/02/e1/"], ["2022/01/01/e0/"]]
    assert chunk_count(4) == 2 and chunk_count(0) == 0


def test_the_chunks_version_changes_with_any_title_or_url():
    config = Config()
    entries = [make_entry("a", "2022-01-02", tags=("t",)), make_entry("b", "2022-01-03")]
    retitled = [entries[0], make_entry("b", "2022-01-03", title="New title")]
    versions = []
    for site_entries in (entries, entries, retitled):
        outputs = {o.path: o for o in build_plan(build_site(site_entries, config), config)}
        index = outputs["filter/index.json"]
        versions.append(json.loads(index.make(index.view))["version"])
    assert versions[0] == versions[1] != versions[2] and len(versions[0]) == 12


def test_at_10000_entries_a_first_filter_fetches_under_150_kb_gzipped():
    """The benchmark corpus itself (500 tags by Zipf frequency, 60 countries named by tags,
    capitals and datelines, ~1,770 pairs), planned as a build plans it: a first filter fetches
    the index and, at worst, one chunk for each of the 20 entries it shows."""
    articles = generate.make_articles(10000, seed=1, countries="any")
    entries = [make_entry(a.slug, a.date.isoformat(), tags=a.tags, title=a.title,
                          dateline=a.dateline) for a in articles]
    config = Config()
    recognizer = Recognizer(countrydata.name_table(), countrydata.country_codes(), config.countries)
    site = build_site(entries, config, recognizer=recognizer, country_names=english_names())
    outputs = {o.path: o for o in build_plan(site, config) if o.path.startswith("filter/")}
    index = outputs["filter/index.json"].make(outputs["filter/index.json"].view)
    table = facet_table(index)
    assert len(table["country"]) == 60 and len(table["relation"]) > 1700
    chunks = [len(gzip.compress(o.make(o.view), 6)) for path, o in outputs.items()
              if path != "filter/index.json"]
    first_filter = len(gzip.compress(index, 6)) + sum(sorted(chunks)[-20:])
    assert first_filter < 150_000, (len(gzip.compress(index, 6)), sorted(chunks)[-20:])
    in_2016 = sum(e.date.year == 2016 for e in entries)
    assert table["year"]["2016"][2] == list(range(10000 - in_2016, 10000))
    ru, cn = set(table["country"]["ru"][2]), set(table["country"]["cn"][2])
    assert table["relation"]["cn-ru"] == ("China – Russia", "relations/cn-ru/", sorted(ru & cn))


def test_entries_are_placed_at_their_event_with_its_words_when_more_than_a_day():
    from site_builder.core.eventdates import parse_event_date
    config = Config()
    site = build_site([make_entry("a", "2022-01-02", event=parse_event_date("2021-11~")),
                       make_entry("b", "2022-03-04", event=parse_event_date("2022-03-01")),
                       make_entry("c", "2022-05-06", event=parse_event_date("2021")),
                       make_entry("d", "2022-05-06")], config)
    listed = [summarize(e) for e in site.entries]
    assert json.loads(build_filter_chunk(listed, config.base_path)) == [
        ["2021", "c", "2022/05/06/c/", "2021"],
        ["2021-11", "a", "2022/01/02/a/", "about November 2021"],
        ["2022-03-01", "b", "2022/03/04/b/"],
        ["2022-05-06", "d", "2022/05/06/d/"]]
    year = site_facets(listed, (), config.base_path)[1]
    assert [key for key, _, _ in year.values] == ["2022", "2021"]
    assert [year.keys_of(e) for e in listed] == [["2021"], ["2021"], ["2022"], ["2022"]]
