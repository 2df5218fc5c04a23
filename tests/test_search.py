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
    bundle = site / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 2        # only the marked entries
    assert len(list((bundle / "filter").glob("*.pf_filter"))) >= 1
    assert list((bundle / "fragment").glob("*.pf_fragment"))
    assert logged == []                                        # quiet when all is well


def test_refresh_index_replaces_the_bundle_of_a_live_site(tmp_path):
    site = write_site(tmp_path / "public")
    stale = site / "pagefind" / "stale.txt"
    stale.parent.mkdir()
    stale.write_text("old", encoding="utf-8")
    assert search.refresh_index(site, lambda line: None) is None
    assert (site / "pagefind" / "pagefind.js").is_file()
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
    assert message == "search index not built: Pagefind wrote no pagefind/pagefind.js"


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
