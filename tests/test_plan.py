"""The plan: which outputs a change to an entry's body can reach."""

import dataclasses

import pytest

from site_builder.config import parse_config
from site_builder.plan import Planner, build_plan
from site_builder.sitemodel import build_site

from helpers import make_entry


def sample_entries():
    return [make_entry(f"e{i:02d}", f"2022-{1 + i % 3:02d}-{1 + i % 5:02d}",
                       tags=("common", f"t{i % 4}"), lead=f"Lead {i}.",
                       body_html=f"<p>Body {i}.</p>", digest=f"digest {i}", meta_digest=f"meta {i}")
            for i in range(12)]


def keys(plan):
    return {output.path: output.key for output in plan}


@pytest.mark.parametrize("edited", [0, 5, 11])
def test_a_body_change_reaches_no_output_but_the_body_outputs(edited):
    # The build replans only Planner.body_outputs when nothing but bodies changed, and compares
    # their keys with the last whole plan's: every other key must stay as it was.
    config = parse_config({"page_size": 3})
    entries = sample_entries()
    before = keys(build_plan(build_site(entries, config), config))
    entries[edited] = dataclasses.replace(entries[edited], body_html="<p>New.</p>",
                                          digest="new digest")
    site = build_site(entries, config)
    after = keys(build_plan(site, config))
    body_outputs = keys(Planner(site, config).body_outputs({entries[edited].path}))

    changed = {path for path in after if after[path] != before.get(path)}
    linked = next(entry for entry in site.entries if entry.path == entries[edited].path)
    assert after.keys() == before.keys()
    assert {Planner(site, config).entry_page(linked).path, "feed.xml"} <= changed
    assert changed <= body_outputs.keys()
    assert body_outputs == {path: after[path] for path in body_outputs}
