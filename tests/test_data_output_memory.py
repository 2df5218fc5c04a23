"""The largest data outputs at scale: timeline.json, the sitemap and filter/index.json are made
at little more than their own size (a render worker made them at 3 to 40 times it)."""

import datetime
import json
import tracemalloc

import pytest

from site_builder.core.config import parse_config
from site_builder.model.site import build_site
from site_builder.outputs import sitemap
from site_builder.outputs.plan import DataOutput, build_plan

from helpers import make_entry

CONFIG = parse_config({"page_size": 20, "base_url": "https://example.org/"})
COUNTRIES = ("FR", "DE", "JP", "BR", "KE", "IN")


def planned_outputs(count: int) -> dict[str, DataOutput]:
    """Return the data outputs of a planned site of count entries with tags and countries."""
    entries = [make_entry(f"entry-{i:05d}", f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                          tags=(f"topic {i % 40}", f"theme {i % 7}"),
                          countries=(COUNTRIES[i % 6], COUNTRIES[(i * 7 + 1) % 6]),
                          lead=f"The lead of entry {i}, with <b> & 'quotes'. " * 3)
               for i in range(count)]
    return {o.path: o for o in build_plan(build_site(entries, CONFIG), CONFIG)
            if isinstance(o, DataOutput)}


@pytest.fixture(scope="module")
def outputs():
    return planned_outputs(4000)


def made_with_peak(output: DataOutput) -> tuple[bytes, int]:
    """Return an output's bytes and the peak of memory allocated while it was made."""
    tracemalloc.start()
    try:
        data = output.make(output.view)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return data, peak


@pytest.mark.parametrize("path", ["timeline.json", "sitemap.xml"])
def test_a_large_data_output_is_made_at_little_more_than_its_size(outputs, path):
    data, peak = made_with_peak(outputs[path])
    assert len(data) > 500_000
    assert peak <= 1.5 * len(data), f"{path}: {peak} bytes at peak for {len(data)}"


def test_the_filter_index_is_made_without_a_copy_of_every_entry(outputs):
    # Its version was the digest of one JSON of every entry, made whole and thrown away (95
    # times the index's bytes here); what is left is a facet's postings while it is written.
    data, peak = made_with_peak(outputs["filter/index.json"])
    assert len(data) > 20_000
    assert peak <= 2.5 * len(data), f"{peak} bytes at peak for {len(data)}"
    assert json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode() == data


def test_each_sitemap_file_is_made_alone_with_the_bytes_of_the_whole_set():
    urls = [(f"https://example.org/{n % 23}/", datetime.date(2020, 1, 1 + n % 28)) for n in range(60)]
    whole = sitemap.build_sitemap(urls, site_url="https://example.org/", max_urls=5)
    assert len(whole) == 6
    for path, data in whole.items():
        assert sitemap.build_sitemap_file(iter(urls), path, site_url="https://example.org/",
                                          max_urls=5) == data
