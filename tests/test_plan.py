"""The plan: each output's key is the digest of its view, and a body edit reaches only the
outputs whose views hold bodies."""

import dataclasses
import datetime
from collections.abc import Mapping

import pytest

from site_builder.core.config import parse_config
from site_builder.model.records import Entry
from site_builder.outputs.plan import DataOutput, PageOutput, Planner, build_plan
from site_builder.model.site import build_site
from site_builder.outputs.views import view_digest

from helpers import make_entry


def sample_entries():
    return [make_entry(f"e{i:02d}", f"2022-{1 + i % 3:02d}-{1 + i % 5:02d}",
                       tags=("common", f"t{i % 4}"), lead=f"Lead {i}.", source_name="Agency",
                       source_url=f"https://news.example/{i}", params={"desk": f"d{i}"},
                       body_html=f"<p>Body {i}.</p>", digest=f"digest {i}", meta_digest=f"meta {i}",
                       countries=("RU", "CN") if i % 2 else ("RU",))
            for i in range(12)]


def keys(plan):
    return {output.path: view_digest(output.view) for output in plan}


CONFIG = parse_config({"page_size": 3, "base_url": "https://example.org/sub/"})


@pytest.mark.parametrize("edited", [0, 5, 11])
def test_a_body_change_reaches_no_output_but_the_body_outputs(edited):
    # The build replans only Planner.body_outputs when nothing but bodies changed, and compares
    # their keys with the last whole plan's: every other key must stay as it was.
    entries = sample_entries()
    before = keys(build_plan(build_site(entries, CONFIG), CONFIG))
    entries[edited] = dataclasses.replace(entries[edited], body_html="<p>New.</p>",
                                          digest="new digest")
    site = build_site(entries, CONFIG)
    after = keys(build_plan(site, CONFIG))
    body_outputs = keys(Planner(site, CONFIG).body_outputs({entries[edited].path}))

    changed = {path for path in after if after[path] != before.get(path)}
    linked = next(entry for entry in site.entries if entry.path == entries[edited].path)
    assert after.keys() == before.keys()
    assert {Planner(site, CONFIG).entry_page(linked).path, "feed.xml"} <= changed
    assert changed <= body_outputs.keys()
    assert body_outputs == {path: after[path] for path in body_outputs}


def test_the_same_site_planned_twice_gives_the_same_keys():
    first = keys(build_plan(build_site(sample_entries(), CONFIG), CONFIG))
    second = keys(build_plan(build_site(sample_entries(), CONFIG), CONFIG))
    assert first == second


# Every value a view holds is in its key ---------------------------------------------------------

LEAVES = (str, int, float, bool, bytes, datetime.date, type(None))


def leaf_paths(value, path=()):
    """Yield the path (a tuple of field names and indexes) to every plain value inside value."""
    if isinstance(value, LEAVES):
        yield path
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from leaf_paths(getattr(value, f.name), path + (f.name,))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from leaf_paths(item, path + (index,))
    elif isinstance(value, Mapping):
        yield path + ("<new key>",)
        for key, item in value.items():
            yield from leaf_paths(item, path + (key,))
    else:
        raise AssertionError(f"a view holds {type(value).__name__}, which is no plain value")


def changed_leaf(value):
    """Return a value that differs from the plain value given."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(seconds=1)
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    if value is None:
        return "now set"
    return value + type(value)(1 if isinstance(value, (int, float)) else b"x" if
                               isinstance(value, bytes) else "x")


def with_changed(value, path):
    """Return a copy of value with the plain value at path changed."""
    if not path:
        return changed_leaf(value)
    step, rest = path[0], path[1:]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{step: with_changed(getattr(value, step), rest)})
    if isinstance(value, tuple):
        return value[:step] + (with_changed(value[step], rest),) + value[step + 1:]
    if step == "<new key>":
        return {**value, "added": "value"}
    return {**value, step: with_changed(value[step], rest)}


def one_output_of_each_view():
    """Return one output of each kind of view in a sample site's plan."""
    plan = build_plan(build_site(sample_entries(), CONFIG), CONFIG)
    chosen = {}
    for output in plan:
        kind = (type(output.view).__name__, getattr(output, "template", None))
        if kind not in chosen or len(list(leaf_paths(output.view))) < 400:
            chosen[kind] = output
    return list(chosen.values())


@pytest.mark.parametrize("output", one_output_of_each_view(),
                         ids=lambda o: f"{type(o.view).__name__}:{o.path}")
def test_every_value_a_view_holds_is_in_its_key(output):
    view = output.view
    key = view_digest(view)
    paths = list(leaf_paths(view))
    assert paths
    for path in paths:
        assert view_digest(with_changed(view, path)) != key, path
    assert view_digest(dataclasses.replace(view)) == key


def test_every_kind_of_output_is_covered():
    kinds = {type(o.view).__name__ for o in one_output_of_each_view()}
    assert kinds >= {"ListingPage", "PeriodPage", "EntryPage", "TagsPage", "ArchivePage",
                     "PlainPage", "SearchPage", "FeedView", "TimelineView", "FilterView", "SitemapView",
                     "FileView", "CountriesPage", "CountryPage", "RelationsPage", "RelationPage"}


def test_a_view_holds_no_body_but_the_entry_page_and_the_site_feed():
    # Neighbours, related entries, listings and tag feeds hold summaries: a body edit changes no
    # other view, which is what lets a body edit replan only Planner.body_outputs.
    plan = build_plan(build_site(sample_entries(), CONFIG), CONFIG)

    def holds_entries(value):
        if isinstance(value, Entry):
            return True
        if dataclasses.is_dataclass(value):
            return any(holds_entries(getattr(value, f.name)) for f in dataclasses.fields(value))
        return isinstance(value, tuple) and any(holds_entries(item) for item in value)

    holders = {o.path for o in plan if holds_entries(o.view)}
    entry_pages = {o.path for o in plan if isinstance(o, PageOutput) and o.template == "entry.html"}
    assert holders == entry_pages | {"feed.xml"}
    assert all(isinstance(o, (PageOutput, DataOutput)) for o in plan)
