"""The site model: order, tag index with aliases, date periods, neighbours and related entries."""

import dataclasses

import pytest

from site_builder.core.config import Config, parse_config
from site_builder.model.site import assemble_site, build_site, layout_site

from helpers import make_entry


def test_timeline_order_periods_and_neighbours():
    entries = [make_entry("c", "2023-01-02"), make_entry("a", "2022-12-31"),
               make_entry("b", "2022-12-31")]
    site = build_site(entries, parse_config({}))
    assert [e.slug for e in site.entries] == ["a", "b", "c"]
    assert [p.key for p in site.years] == [(2022, 0, 0), (2023, 0, 0)]
    assert [p.key for p in site.months] == [(2022, 12, 0), (2023, 1, 0)]
    assert [(p.key, len(p.entries)) for p in site.days] == [((2022, 12, 31), 2), ((2023, 1, 2), 1)]
    assert site.previous["content/2022/12/a.md"] is None
    assert site.next["content/2022/12/a.md"].slug == "b"
    assert site.previous["content/2023/01/c.md"].slug == "b"
    assert site.next["content/2023/01/c.md"] is None


def test_urls_include_the_base_path_and_permalink():
    config = parse_config({"base_url": "https://user.github.io/repo/"})
    site = build_site([make_entry("xi-putin", "2022-12-31", ("Russia",))], config)
    entry = site.entries[0]
    assert entry.url == "/repo/2022/12/31/xi-putin/"
    assert entry.tag_links == (("Russia", "/repo/tags/russia/"),)
    custom = build_site([make_entry("x", "2022-12-31")],
                        parse_config({"permalink": "/news/{year}/{slug}/"}))
    assert custom.entries[0].url == "/news/2022/x/"


def test_tags_merge_spellings_and_aliases():
    entries = [
        make_entry("a", "2022-01-01", ("Russia-China relations",)),
        make_entry("b", "2022-01-02", ("russia-china relations",)),
        make_entry("c", "2022-01-03", ("russia-china relations", "russian-chinese alliance")),
        make_entry("d", "2022-01-04", ("Russian-Chinese Alliance",)),
    ]
    plain = build_site(entries, parse_config({}))
    assert {(t.name, len(t.entries)) for t in plain.tags} == {
        ("russia-china relations", 3), ("Russian-Chinese Alliance", 2)}
    aliased = build_site(entries, parse_config(
        {"tag_aliases": {"russian-chinese alliance": "russia-china relations"}}))
    assert [(t.name, t.slug, len(t.entries)) for t in aliased.tags] == [
        ("russia-china relations", "russia-china-relations", 4)]
    entry_c = aliased.entries[2]
    assert entry_c.tag_links == (("russia-china relations", "/tags/russia-china-relations/"),)


def test_related_prefers_most_shared_tags():
    entries = [
        make_entry("base", "2022-01-10", ("a", "b", "c")),
        make_entry("two", "2022-01-01", ("a", "b")),
        make_entry("one-near", "2022-01-11", ("a",)),
        make_entry("three", "2021-01-01", ("a", "b", "c", "d")),
        make_entry("none", "2022-01-10", ("z",)),
    ]
    site = build_site(entries, parse_config({"related_count": 3}))
    related = [e.slug for e in site.related["content/2022/01/base.md"]]
    assert related == ["three", "two", "one-near"]
    assert site.related["content/2022/01/none.md"] == ()


def test_one_tag_on_every_entry():
    entries = [make_entry(f"e{i}", f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}", ("common", f"t{i % 50}"))
               for i in range(5000)]
    site = build_site(entries, parse_config({}))
    assert len(site.tags) == 51
    assert all(len(r) == Config().related_count for r in site.related.values())
    first = site.entries[0]
    # Related entries share both tags when such entries exist.
    assert all(set(r.tags) == set(first.tags) for r in site.related[first.path])


def test_a_layout_serves_the_same_entries_with_other_bodies():
    config = parse_config({})
    entries = [make_entry(f"e{i}", f"2022-0{1 + i % 3}-0{1 + i % 4}", (f"t{i % 3}", "all"),
                          body_html=f"<p>{i}</p>") for i in range(9)]
    layout, _ = layout_site(entries, config)
    edited = [dataclasses.replace(e, body_html="<p>new</p>") if i == 4 else e
              for i, e in enumerate(entries)]
    assert assemble_site(edited, layout) == build_site(edited, config)
    assert assemble_site(reversed(entries), layout) == build_site(entries, config)
    with pytest.raises(ValueError):
        assemble_site(entries[:-1], layout)


def tag_urls(site) -> dict[str, str]:
    """Return tag name -> its URL, from every entry's tag links (one URL per name)."""
    links = {link for entry in site.entries for link in entry.tag_links}
    assert len({name for name, _ in links}) == len(links), links
    return dict(links)


def test_distinct_tags_whose_slugs_are_the_same_get_distinct_urls():
    entries = [make_entry("lang", "2022-01-01", ("C++", "C#", "C")),
               make_entry("beijing", "2022-01-02", ("北京",)),
               make_entry("background", "2022-01-03", ("背景",)),
               make_entry("ukraine", "2022-01-04", ("🇺🇦",)),
               make_entry("russia", "2022-01-05", ("🇷🇺",))]
    site = build_site(entries, parse_config({}))
    urls = tag_urls(site)
    assert set(urls) == {"C++", "C#", "C", "北京", "背景", "🇺🇦", "🇷🇺"}
    assert len(set(urls.values())) == 7
    assert urls["C"] == "/tags/c/"                 # the tag that is its slug keeps it plain
    assert urls["C++"].startswith("/tags/c-") and urls["北京"].startswith("/tags/bei-jing-")
    assert urls["🇺🇦"].startswith("/tags/tag-")
    ukraine = next(e for e in site.entries if e.slug == "ukraine")
    assert ukraine.tag_links == (("🇺🇦", urls["🇺🇦"]),)
    assert {(t.name, t.slug) for t in site.tags} == {
        (name, url.split("/")[2]) for name, url in urls.items()}
    assert all(len(t.entries) == 1 for t in site.tags if t.name != "C")


def test_a_disambiguated_tag_url_depends_neither_on_order_nor_on_other_tags():
    one = build_site([make_entry("a", "2022-01-01", ("C++", "C"))], parse_config({}))
    more = build_site([make_entry("b", "2022-01-02", ("C#", "c plus", "🇷🇺")),
                       make_entry("a", "2022-01-01", ("C", "C++"))], parse_config({}))
    assert tag_urls(one)["C++"] == tag_urls(more)["C++"]
    assert tag_urls(one)["C"] == tag_urls(more)["C"] == "/tags/c/"


def test_nfc_and_nfd_spellings_and_case_are_one_tag_named_in_nfc():
    nfc, nfd = "Türkiye", "Tu\u0308rkiye"
    entries = [make_entry("a", "2022-01-01", (nfd,)), make_entry("b", "2022-01-02", (nfd,)),
               make_entry("c", "2022-01-03", (nfc, "TÜRKIYE")), make_entry("d", "2022-01-04", (nfc,))]
    site = build_site(entries, parse_config({}))
    assert [(t.name, t.slug, len(t.entries)) for t in site.tags] == [(nfc, "turkiye", 4)]
    assert site.entries[2].tag_links == ((nfc, "/tags/turkiye/"),)
    aliased = build_site(entries, parse_config({"tag_aliases": {nfd.upper(): "Turkey"}}))
    assert [(t.name, t.slug, len(t.entries)) for t in aliased.tags] == [("Turkey", "turkey", 4)]


def test_an_entry_keeps_at_most_max_tags_tags_the_first_ones():
    many = tuple(f"tag {n}" for n in range(100))
    entries = [make_entry("many", "2022-01-01", many), make_entry("few", "2022-01-02", ("tag 99",))]
    site = build_site(entries, parse_config({"max_tags": 5}))
    assert [name for name, _ in site.entries[0].tag_links] == ["tag 0", "tag 1", "tag 2", "tag 3", "tag 4"]
    assert sorted(t.name for t in site.tags) == ["tag 0", "tag 1", "tag 2", "tag 3", "tag 4", "tag 99"]
    assert len(build_site(entries, parse_config({})).entries[0].tag_links) == 30


def test_entries_sit_at_their_event_and_ties_keep_publication_order():
    from site_builder.core.eventdates import parse_event_date
    entries = [make_entry("late-report", "2023-01-05", event=parse_event_date("2023-01-01")),
               make_entry("early-report", "2023-01-03", event=parse_event_date("2023-01-01")),
               make_entry("no-event", "2023-01-02"),
               make_entry("in-january", "2023-02-01", event=parse_event_date("2023-01")),
               make_entry("in-2023", "2023-03-01", event=parse_event_date("2023")),
               make_entry("new-year", "2023-01-01")]
    site = build_site(entries, Config())
    assert [e.slug for e in site.entries] == ["in-2023", "in-january", "new-year", "early-report",
                                              "late-report", "no-event"]
    assert [(p.key, [e.slug for e in p.entries]) for p in site.days] == [
        ((2023, 1, 1), ["new-year", "early-report", "late-report"]), ((2023, 1, 2), ["no-event"])]
    assert [(p.key, len(p.entries)) for p in site.months] == [((2023, 1, 0), 5)]
    assert [(p.key, len(p.entries)) for p in site.years] == [((2023, 0, 0), 6)]
