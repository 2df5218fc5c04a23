"""The search index step: Pagefind run over a built site folder, and what happens without it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from site_builder import search

ENTRY = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Home</a></nav><article data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>
<p>{body}</p><div hidden><span data-pagefind-filter="year">{year}</span>
<span data-pagefind-sort="date" data-pagefind-meta="date">{date}</span></div>
<div class="entry-footer"><ul><li><a href="/tags/{tag}/" data-pagefind-filter="tag">{tag}</a></li></ul></div>
</article></body></html>"""


def write_site(folder: Path) -> Path:
    """Write a small built site: two entries and a listing page without data-pagefind-body."""
    pages = {
        "2022/12/31/telegram/index.html": ENTRY.format(title="New Year telegram", year=2022,
                                                       date="2022-12-31", tag="china",
                                                       body="Xi sent Putin a telegram."),
        "2023/01/02/visit/index.html": ENTRY.format(title="A visit", year=2023, date="2023-01-02",
                                                    tag="russia", body="The minister arrived."),
        "index.html": "<!doctype html><html lang='en'><body><p>Timeline</p></body></html>",
    }
    for rel, html in pages.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return folder


def fake_binary(folder: Path, script: str) -> Path:
    """Return an executable shell script standing in for Pagefind."""
    path = folder / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_installed_binary_is_found():
    binary = search.find_pagefind()
    assert binary is not None and binary.is_file(), "pip install 'pagefind[extended]'"


def test_index_site_writes_the_bundle_with_filters_and_sort(tmp_path):
    site = write_site(tmp_path / "site")
    logged: list[str] = []
    assert search.index_site(site, logged.append) is None
    bundle = site / "pagefind" / "0"                            # a small site: one shard
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert not (bundle / "pagefind-ui.js").exists()            # the search page has its own UI
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 2        # only the marked entries
    assert len(list((bundle / "filter").glob("*.pf_filter"))) >= 1
    assert list((bundle / "fragment").glob("*.pf_fragment"))
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == 2
    assert manifest["shards"] == [{"path": "0/", "pages": 2, "first": "2022-12-31",
                                   "last": "2023-01-02"}]
    assert logged == []                                        # quiet when all is well


def test_a_large_site_is_cut_into_date_ordered_shards(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    extra = site / "2021/06/01/summit/index.html"
    extra.parent.mkdir(parents=True)
    extra.write_text(ENTRY.format(title="A summit", year=2021, date="2021-06-01", tag="china",
                                  body="Leaders met at the summit."), encoding="utf-8")
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    assert search.index_site(site, lambda line: None) is None
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert [(s["path"], s["pages"], s["first"]) for s in manifest["shards"]] == [
        ("0/", 1, "2021-06-01"), ("1/", 1, "2022-12-31"), ("2/", 1, "2023-01-02")]
    for shard in manifest["shards"]:
        entry = json.loads((site / "pagefind" / shard["path"] / "pagefind-entry.json")
                           .read_text(encoding="utf-8"))
        assert entry["languages"]["en"]["page_count"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]   # no views left behind


def test_entry_pages_are_the_marked_ones_in_date_order(tmp_path):
    site = write_site(tmp_path / "site")
    assert search.entry_pages(site, None, site / "pagefind") == [
        ("2022-12-31", "2022/12/31/telegram/index.html"), ("2023-01-02", "2023/01/02/visit/index.html")]
    assert search.entry_pages(site, "2023/*/*/*/index.html", site / "pagefind") == [
        ("2023-01-02", "2023/01/02/visit/index.html")]


@pytest.mark.parametrize("pages,version,shards", [
    (10_000, (1, 5), 20), (10_000, (1, 4), 1), (10_000, None, 1), (40, (1, 5), 1),
    (1_000_000, (1, 5), search.MAX_SHARDS)])
def test_shard_count(pages, version, shards):
    assert search.shard_count(pages, version) == shards


def test_refresh_index_replaces_the_bundle_of_a_live_site(tmp_path):
    site = write_site(tmp_path / "public")
    stale = site / "pagefind" / "stale.txt"
    stale.parent.mkdir()
    stale.write_text("old", encoding="utf-8")
    assert search.refresh_index(site, lambda line: None) is None
    assert (site / "pagefind" / "0" / "pagefind.js").is_file()
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]   # no work folder left


def test_a_missing_binary_gives_one_line(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    monkeypatch.setenv(search.BINARY_ENV, str(tmp_path / "no-such-pagefind"))
    message = search.index_site(site, lambda line: None)
    assert message is not None and "\n" not in message
    assert message.startswith("search index not built: the Pagefind binary was not found")
    assert "pip install 'pagefind[extended]'" in message
    assert not (site / "pagefind").exists()


def test_a_failing_binary_gives_its_last_line(tmp_path):
    site = write_site(tmp_path / "site")
    binary = fake_binary(tmp_path, 'echo "Running Pagefind" ; echo "Error: out of cheese" >&2 ; exit 3')
    message = search.index_site(site, lambda line: None, binary=binary)
    assert message == "search index not built: Pagefind exited with status 3: Error: out of cheese"


def test_a_binary_that_writes_nothing_is_a_failure(tmp_path):
    site = write_site(tmp_path / "site")
    message = search.index_site(site, lambda line: None, binary=fake_binary(tmp_path, "exit 0"))
    assert message == "search index not built: Pagefind wrote no pagefind/0/pagefind.js"


def test_an_empty_folder_is_reported_not_raised(tmp_path):
    message = search.index_site(tmp_path, lambda line: None)
    assert message is not None and message.startswith("search index not built: Pagefind exited")


def test_a_failed_refresh_keeps_the_previous_bundle(tmp_path):
    site = write_site(tmp_path / "public")
    assert search.refresh_index(site, lambda line: None) is None
    before = sorted(p.name for p in (site / "pagefind").iterdir())
    message = search.refresh_index(site, lambda line: None,
                                   binary=fake_binary(tmp_path, "exit 1"))
    assert message.startswith("search index not built")
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == before


@pytest.mark.parametrize("text,line", [("", ""), ("a\n\n  b  \n\n", "b"), ("only", "only")])
def test_last_line(text, line):
    assert search.last_line(text) == line
