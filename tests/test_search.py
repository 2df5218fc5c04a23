"""The search index step: Pagefind run over a built site folder, and what happens without it."""

from __future__ import annotations

import json
import random
import re
import shutil
import stat
from pathlib import Path

import pytest

from helpers import indexable_pages, shard_identities
from site_builder.core.digests import digest_bytes
from site_builder.outputs import search

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
    return write_pages(folder, pages)


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    """Write each page (path below folder -> HTML) into folder; return folder."""
    for rel, html in pages.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return folder


def write_entries(folder: Path, count: int) -> list[str]:
    """Write count entry pages, a day apart from 2020-01-01; return their paths, oldest first."""
    pages = {}
    for number in range(count):
        date = f"2020-{number // 28 + 1:02d}-{number % 28 + 1:02d}"
        pages[f"{date.replace('-', '/')}/entry-{number}/index.html"] = ENTRY.format(
            title=f"Entry {number}", year=2020, date=date, tag="china",
            body=f"Talks round {number} ended.")
    write_pages(folder, pages)
    return list(pages)


def read_manifest(site: Path) -> dict:
    return json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))


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
    assert search.index_site(site, indexable_pages(site), logged.append) is None
    manifest = read_manifest(site)
    assert [(s["pages"], s["first"], s["last"]) for s in manifest["shards"]] == [
        (2, "2022-12-31", "2023-01-02")]                       # a small site: one shard
    assert manifest["pages"] == 2
    bundle = site / "pagefind" / manifest["shards"][0]["path"]
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert not (bundle / "pagefind-ui.js").exists()            # the search page has its own UI
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 2        # only the marked entries
    assert len(list((bundle / "filter").glob("*.pf_filter"))) >= 1
    assert list((bundle / "fragment").glob("*.pf_fragment"))
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == sorted(
        ["shards.json", bundle.name])
    assert logged == []                                        # quiet when all is well


def test_a_large_site_is_cut_into_date_ordered_shards(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    write_pages(site, {"2021/06/01/summit/index.html": ENTRY.format(
        title="A summit", year=2021, date="2021-06-01", tag="china", body="Leaders met at the summit.")})
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    assert search.index_site(site, indexable_pages(site), lambda line: None) is None
    manifest = read_manifest(site)
    assert [(s["pages"], s["first"]) for s in manifest["shards"]] == [
        (1, "2021-06-01"), (1, "2022-12-31"), (1, "2023-01-02")]
    for shard in manifest["shards"]:
        entry = json.loads((site / "pagefind" / shard["path"] / "pagefind-entry.json")
                           .read_text(encoding="utf-8"))
        assert entry["languages"]["en"]["page_count"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]   # no views left behind


def test_indexable_pages_are_the_marked_ones_in_date_order(tmp_path):
    site = write_site(tmp_path / "site")
    def digest(rel: str) -> str:
        return digest_bytes((site / rel).read_bytes())

    telegram, visit = "2022/12/31/telegram/index.html", "2023/01/02/visit/index.html"
    assert indexable_pages(site) == [
        ("2022-12-31", telegram, digest(telegram)), ("2023-01-02", visit, digest(visit))]


@pytest.mark.parametrize("pages,size", [
    (40, 500), (10_000, 500), (16_000, 500), (16_001, 1000), (100_000, 4000)])
def test_shard_size_doubles_to_keep_about_max_shards(pages, size):
    assert search.shard_size(pages) == size


def fake_pages(count: int, prefix: str = "p") -> list[tuple[str, str, str]]:
    return [(f"2020-01-{n % 28 + 1:02d}", f"{prefix}/{n}/index.html", "digest") for n in range(count)]


def test_shards_are_about_the_size_asked_and_keep_the_date_order():
    pages = sorted(fake_pages(20_000))
    shards = search.cut_shards(pages, 500)
    assert [page for shard in shards for page in shard] == pages
    assert all(500 * 7 // 8 <= len(shard) <= 750 for shard in shards[:-1])
    assert 0 < len(shards[-1]) <= 750
    assert 35 <= len(shards) <= 45
    assert search.cut_shards(pages[:500], 500) == [pages[:500]]
    assert search.cut_shards([], 500) == []


def test_adding_or_removing_a_page_nearly_always_changes_one_shard_only():
    pages = sorted(fake_pages(20_000))

    def runs(some: list) -> set[tuple]:
        return {tuple(rel for _, rel, _ in shard) for shard in search.cut_shards(some, 500)}

    before, rng, changed = runs(pages), random.Random(7), []
    for trial in range(200):
        at = rng.randrange(len(pages))
        if trial % 2:
            after = pages[:at] + [(pages[at][0], f"new/{trial}/index.html", "digest")] + pages[at:]
        else:
            after = pages[:at] + pages[at + 1:]
        changed.append(len(runs(after) - before))
    assert min(changed) == 1
    assert sum(1 for n in changed if n == 1) >= 180, changed   # cutting every 500 pages: ~0


def test_a_rebuild_indexes_again_only_the_shard_whose_page_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 8)
    site = tmp_path / "public"
    paths = write_entries(site, 60)
    assert search.index_site(site, indexable_pages(site), lambda line: None) is None
    shards_before, folders_before = read_manifest(site)["shards"], shard_identities(site)
    assert len(shards_before) >= 4

    edited = site / paths[30]
    edited.write_text(edited.read_text(encoding="utf-8").replace("ended.", "ended in Geneva."),
                      encoding="utf-8")
    assert search.index_site(site, indexable_pages(site), lambda line: None) is None
    shards_after, folders_after = read_manifest(site)["shards"], shard_identities(site)
    assert [s["pages"] for s in shards_after] == [s["pages"] for s in shards_before]
    gone = set(folders_before) - set(folders_after)
    made = set(folders_after) - set(folders_before)
    assert len(gone) == len(made) == 1
    kept = set(folders_before) & set(folders_after)
    assert len(kept) == len(shards_before) - 1
    assert all(folders_before[name] == folders_after[name] for name in kept)   # not redone
    remade = made.pop() + "/"
    shard = next(s for s in shards_after if s["path"] == remade)
    assert shard["first"] <= "2020-02-03" <= shard["last"]             # paths[30]'s date

    # A clean index of the same pages makes the same shards.
    copy = tmp_path / "copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    assert search.index_site(copy, indexable_pages(copy), lambda line: None) is None
    assert read_manifest(copy) == read_manifest(site)


def test_index_site_replaces_what_the_bundle_folder_held(tmp_path):
    site = write_site(tmp_path / "public")
    stale = site / "pagefind" / "0" / "pagefind.js"
    stale.parent.mkdir(parents=True)
    stale.write_text("an index in an older layout", encoding="utf-8")
    (site / "pagefind" / "stale.txt").write_text("old", encoding="utf-8")
    for left_by_a_killed_build in (".views-x1y2/0123456789abcdef/2023", ".0123456789abcdef.partial"):
        (site / "pagefind" / left_by_a_killed_build).mkdir(parents=True)
    assert search.index_site(site, indexable_pages(site), lambda line: None) is None
    shard = read_manifest(site)["shards"][0]["path"]
    assert (site / "pagefind" / shard / "pagefind.js").is_file()
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == sorted(
        ["shards.json", shard.rstrip("/")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]   # no work folder left


def test_a_missing_binary_gives_one_line(tmp_path, monkeypatch):
    site = write_site(tmp_path / "site")
    monkeypatch.setenv(search.BINARY_ENV, str(tmp_path / "no-such-pagefind"))
    message = search.index_site(site, indexable_pages(site), lambda line: None)
    assert message is not None and "\n" not in message
    assert message.startswith("search index not built: the Pagefind binary was not found")
    assert "pip install 'pagefind[extended]'" in message
    assert not (site / "pagefind").exists()


def test_a_failing_binary_gives_its_last_line(tmp_path):
    site = write_site(tmp_path / "site")
    binary = fake_binary(tmp_path, 'echo "Running Pagefind" ; echo "Error: out of cheese" >&2 ; exit 3')
    message = search.index_site(site, indexable_pages(site), lambda line: None, binary=binary)
    assert message == "search index not built: Pagefind exited with status 3: Error: out of cheese"


def test_a_binary_that_writes_nothing_is_a_failure(tmp_path):
    site = write_site(tmp_path / "site")
    message = search.index_site(site, indexable_pages(site), lambda line: None, binary=fake_binary(tmp_path, "exit 0"))
    assert re.fullmatch(r"search index not built: Pagefind wrote no pagefind/[0-9a-f]{16}/pagefind\.js",
                        message), message
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == []


def test_an_empty_folder_is_reported_not_raised(tmp_path):
    message = search.index_site(tmp_path, indexable_pages(tmp_path), lambda line: None)
    assert message is not None and message.startswith("search index not built: Pagefind exited")


def test_a_failed_update_keeps_the_previous_bundle(tmp_path):
    site = write_site(tmp_path / "public")
    assert search.index_site(site, indexable_pages(site), lambda line: None) is None
    before = {p.name: p.stat().st_ino for p in (site / "pagefind").iterdir()}
    manifest = read_manifest(site)
    visit = site / "2023/01/02/visit/index.html"
    visit.write_text(visit.read_text(encoding="utf-8").replace("arrived", "left"), encoding="utf-8")
    message = search.index_site(site, indexable_pages(site), lambda line: None, binary=fake_binary(tmp_path, "exit 1"))
    assert message.startswith("search index not built")
    assert {p.name: p.stat().st_ino for p in (site / "pagefind").iterdir()} == before
    assert read_manifest(site) == manifest


@pytest.mark.parametrize("text,line", [("", ""), ("a\n\n  b  \n\n", "b"), ("only", "only")])
def test_last_line(text, line):
    assert search.last_line(text) == line


def test_a_site_without_entries_gets_an_empty_index_where_pagefind_makes_one(tmp_path):
    site = tmp_path / "public"
    site.mkdir()
    # Stands in for a Pagefind that indexes an empty site: `--site S --output-path O --quiet`.
    script = 'if [ "$3" = "--output-path" ]; then mkdir -p "$4" && touch "$4/pagefind.js"; fi'
    assert search.index_site(site, [], lambda line: None, binary=fake_binary(tmp_path, script)) is None
    assert read_manifest(site)["pages"] == 0
    assert [(s["pages"], s["first"]) for s in read_manifest(site)["shards"]] == [(0, "")]


SEARCH_SCRIPT = """
// node search.mjs BUNDLE_URL QUERY: print the URLs of the results, as the search page gets them
const [base, query] = process.argv.slice(2);
const source = await (await fetch(base + "pagefind.js")).text();
const pagefind = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
await pagefind.options({ basePath: base, baseUrl: "/" });
await pagefind.init();
const found = await pagefind.search(query);
console.log(JSON.stringify(await Promise.all(found.results.map(async (r) => (await r.data()).url))));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs Pagefind's search here")
def test_a_russian_article_is_found_by_a_russian_query(tmp_path):
    import functools
    import http.server
    import subprocess
    import sys
    import threading

    agencies = Path(__file__).parent / "data" / "raw" / "agencies"
    for name in ("ria.txt", "ap.txt"):
        (tmp_path / "seeds").mkdir(exist_ok=True)
        shutil.copy(agencies / name, tmp_path / "seeds" / name)
    built = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(tmp_path)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    page = next((tmp_path / "public/2022/12/30").glob("*/index.html")).read_text(encoding="utf-8")
    assert '<article class="entry" data-pagefind-body lang="ru">' in page
    script = tmp_path / "search.mjs"
    script.write_text(SEARCH_SCRIPT, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(tmp_path / "public"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        [bundle] = [p.name for p in (tmp_path / "public" / "pagefind").iterdir() if p.is_dir()]
        base = f"http://127.0.0.1:{server.server_address[1]}/pagefind/{bundle}/"

        def search(query: str) -> list[str]:
            result = subprocess.run(["node", str(script), base, query], capture_output=True,
                                    text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout)

        assert search("переговоры") == ["/2022/12/30/putin-i-si-tszinpin-proveli-videokonferentsiiu/"]
        assert search("Кремле") == ["/2022/12/30/putin-i-si-tszinpin-proveli-videokonferentsiiu/"]
        assert search("arrived") == ["/2023/03/20/xi-arrives-in-moscow-for-talks-with-putin/"]
    finally:
        server.shutdown()
        server.server_close()

