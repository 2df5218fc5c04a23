"""View digests at scale: each summary is digested once, when it is made, and a view's digest is
fed to the hash in pieces, so that the build's forked key workers neither digest every summary
again nor make one string of a listing of thousands of entries."""

import dataclasses
import tracemalloc

from site_builder.core.config import parse_config
from site_builder.model.site import build_site
from site_builder.outputs.plan import build_plan
from site_builder.outputs.views import EntrySummary, TimelineView, view_digest

from helpers import make_entry
from test_plan import leaf_paths, with_changed

CONFIG = parse_config({"page_size": 4, "base_url": "https://example.org/"})


def sample_site(count=40):
    return build_site([make_entry(f"e{i:03d}", f"2021-{1 + i % 12:02d}-{1 + i % 27:02d}",
                                  tags=("common", f"t{i % 5}"), lead=f"Lead {i}.",
                                  source_url=f"https://news.example/{i}",
                                  body_html=f"<p>Body {i}.</p>")
                       for i in range(count)], CONFIG)


def summaries_in(value, found):
    """Collect every EntrySummary inside value into found (id -> summary)."""
    if isinstance(value, EntrySummary):
        found[id(value)] = value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            summaries_in(getattr(value, f.name), found)
    elif isinstance(value, tuple):
        for item in value:
            summaries_in(item, found)
    return found


def test_the_plan_holds_one_summary_per_entry_with_its_digest_made():
    # Key workers fork after planning: a digest made then is shared by all of them.
    plan = build_plan(sample_site(), CONFIG)
    found = {}
    for output in plan:
        summaries_in(output.view, found)
    paths = [summary.path for summary in found.values()]
    assert len(paths) == len(set(paths)) == 40
    assert all("digest" in summary.__dict__ for summary in found.values())


def test_view_digests_never_make_a_summarys_text_again(monkeypatch):
    plan = build_plan(sample_site(), CONFIG)
    expected = [view_digest(output.view) for output in plan]

    def refuse(summary):
        raise AssertionError("a summary's repr was made for a view's digest")

    monkeypatch.setattr(EntrySummary, "__repr__", refuse)
    assert [view_digest(output.view) for output in plan] == expected


def test_a_long_listings_digest_is_not_one_string():
    site = sample_site(3000)
    plan = build_plan(site, CONFIG)
    timeline = next(output.view for output in plan if isinstance(output.view, TimelineView))
    assert len(timeline.entries) == 3000
    tracemalloc.start()
    try:
        view_digest(timeline)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Its repr is some 2 MB; the pieces digested at a time are a small part of it.
    assert len(repr(timeline)) > 1_000_000
    assert peak < 400_000


def test_summaries_differing_in_any_value_have_different_digests():
    site = sample_site(2)
    plan = build_plan(site, CONFIG)
    timeline = next(output.view for output in plan if isinstance(output.view, TimelineView))
    summary = timeline.entries[0]
    paths = list(leaf_paths(summary))
    assert {path[0] for path in paths} >= {"title", "url", "lead", "tags", "event", "params"}
    for path in paths:
        changed = with_changed(summary, path)
        assert changed.digest != summary.digest, path
        assert view_digest(dataclasses.replace(timeline, entries=(changed,) + timeline.entries[1:])) \
            != view_digest(timeline), path
    assert dataclasses.replace(summary).digest == summary.digest
