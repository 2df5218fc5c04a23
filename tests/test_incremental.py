"""Incremental builds: after any kind of edit, a build from the cache gives the clean build's bytes."""

import dataclasses
import shutil

import pytest

from site_builder import build as build_module
from site_builder.build import BuildOptions, build
from site_builder import cache
from site_builder.outputs import folder as output, searchindex
from site_builder.cache import CACHE_DIR
from site_builder.outputs.folder import list_files
from site_builder.outputs.views import EntryPage, ListingPage, PeriodPage

from helpers import search_identities, write_entry
from searchreader import bundle_files

SEED = "seeds/000_a8b0fcfbf1680f64.txt"
SIGNING = ("The leaders of Russia and China signed a joint statement on deepening the "
           "comprehensive partnership and strategic interaction entering a new era, the Kremlin "
           "press service reported on Tuesday.")


def tree(root):
    return {rel: path.read_bytes() for rel, path in list_files(root).items()}


def clean_build(site, tmp_path):
    """Build a copy of the site with no cache and no previous output; return its tree."""
    copy = tmp_path / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", CACHE_DIR, ".public*"))
    build(BuildOptions(copy, jobs=1))
    return tree(copy / "public")


@pytest.fixture
def site(tmp_path, repo_root):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    shutil.copy(repo_root / SEED, site / "seeds")
    for i in range(30):
        write_entry(site, f"entry-{i:02d}", f"202{i % 3}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                    tags=("russia", f"topic {i % 4}", f"group {i % 7}"))
    for slug, agency, day in (("tass", "TASS", "2023-03-21"), ("sputnik", "Sputnik", "2023-03-21"),
                              ("xinhua", "Xinhua", "2023-03-22")):
        write_entry(site, slug, day, tags=("russia",), title=f"{agency} says Russia and China sign a "
                    "joint statement", body=f"MOSCOW ({agency}) - {SIGNING}")
    # The search index is left out here (tests below and test_search cover it).
    (site / "sitegen.yaml").write_text("title: Test timeline\npage_size: 4\nsearch: false\n",
                                       encoding="utf-8")
    build(BuildOptions(site))
    return site


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = {
    "edit a body": lambda s: edit(s / "content/2020/01/entry-00.md", "Body text.", "New body."),
    "edit a title": lambda s: edit(s / "content/2021/02/entry-01.md", "title: Entry 01",
                                   "title: A new title"),
    "add an entry": lambda s: write_entry(s, "added", "2023-06-15", tags=("russia", "new tag")),
    "delete an entry": lambda s: (s / "content/2022/03/entry-02.md").unlink(),
    "rename an entry file": lambda s: (s / "content/2020/04/entry-03.md").rename(
        s / "content/2020/04/renamed.md"),
    "retag an entry": lambda s: edit(s / "content/2021/05/entry-04.md", "- topic 0", "- retagged"),
    "move an entry in time": lambda s: edit(s / "content/2022/06/entry-05.md", "date: 2022-06-06",
                                            "date: 2019-01-01"),
    "make an entry a draft": lambda s: edit(s / "content/2020/07/entry-06.md", "---\n\n",
                                            "draft: true\n---\n\n"),
    "change a template": lambda s: (s / "templates").mkdir(exist_ok=True) or (s / "templates/404.html").write_text(
        "{% extends 'base.html' %}{% block content %}<h1>Lost</h1>{% endblock %}", encoding="utf-8"),
    "change the stylesheet": lambda s: (s / "templates/static").mkdir(parents=True, exist_ok=True) or (
        s / "templates/static/style.css").write_text("body { color: black; }", encoding="utf-8"),
    "change the config": lambda s: (s / "sitegen.yaml").write_text(
        "title: Renamed timeline\npage_size: 3\nsort: oldest\nsearch: false\n", encoding="utf-8"),
    "give an entry an approximate month event date": lambda s: edit(
        s / "content/2021/08/entry-07.md", "---\n\n", "event_date: 2019-05~\n---\n\n"),
    "give an entry an interval event date": lambda s: edit(
        s / "content/2022/09/entry-08.md", "---\n\n", "event_date: 2020-03-20/2020-03-22?\n---\n\n"),
    "give an entry a year event date": lambda s: edit(
        s / "content/2020/10/entry-09.md", "---\n\n", "event_date: 2021\n---\n\n"),
    "reword an event's report": lambda s: edit(s / "content/2023/03/xinhua.md", SIGNING,
                                                 "Grain exports were discussed in Beijing by "
                                                 "agriculture ministers and their deputies."),
    "join an entry to an event": lambda s: edit(
        s / "content/2021/02/entry-01.md", "---\n\n",
        "same_event_as: tass-says-russia-and-china-sign-a-joint-statement\n---\n\n"),
    "keep a report apart": lambda s: edit(s / "content/2023/03/sputnik.md", "---\n\n",
                                          "same_event_as: none\n---\n\n"),
    "mark a report primary": lambda s: edit(s / "content/2023/03/xinhua.md", "---\n\n",
                                            "primary: true\n---\n\n"),
    "name the sources of a host": lambda s: edit(
        s / "content/2021/08/entry-07.md", "  name: Example\n", "") or (s / "sitegen.yaml").write_text(
        "title: Test timeline\npage_size: 4\nsearch: false\nsources: {example.org: Example "
        "Wire}\n", encoding="utf-8"),
    "add a raw article": lambda s: (s / "seeds/extra.txt").write_text(
        "date 2023-02-01 https://example.org/extra\nExtra title\nExtra lead\nBody paragraph.\n",
        encoding="utf-8"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_build_equals_clean_build(site, tmp_path, name):
    before = tree(site / "public")
    EDITS[name](site)
    report = build(BuildOptions(site))
    after = tree(site / "public")
    # A renamed file keeps its slug (from the title), so its site does not change.
    assert (after == before) == (name == "rename an entry file")
    assert after == clean_build(site, tmp_path)
    assert report.write.written + report.write.removed < len(after), "only what changed is written"


def dumping_template(view_class) -> str:
    """Return a template that writes out every value of its view, and of the site view."""
    names = ["site"] + [f.name for f in dataclasses.fields(view_class)]
    return "".join(f"{name}: {{{{ {name} }}}}\n" for name in names)


@pytest.mark.parametrize("name", list(EDITS))
def test_templates_that_show_every_value_of_their_views_stay_equal_to_clean_builds(
        site, tmp_path, name):
    # A site's own templates may show anything their views offer: the neighbours' and related
    # entries' fields, the tag or period of a listing. Each output's key covers its whole view.
    templates = site / "templates"
    templates.mkdir()
    for template, view_class in (("entry.html", EntryPage), ("list.html", ListingPage),
                                 ("period.html", PeriodPage)):
        (templates / template).write_text(dumping_template(view_class), encoding="utf-8")
    build(BuildOptions(site))
    page = (site / "public/2020/01/01/entry-00/index.html").read_text(encoding="utf-8")
    assert "next: EntrySummary(" in page and "entry: Entry(" in page
    EDITS[name](site)
    build(BuildOptions(site))
    assert tree(site / "public") == clean_build(site, tmp_path)


@pytest.mark.parametrize("delta_limit", [0, 1, 500])
def test_a_sequence_of_edits_stays_equal_to_clean_builds(site, tmp_path, monkeypatch, delta_limit):
    # The limit decides when the entry cache is written whole and when as a delta.
    monkeypatch.setattr(cache, "DELTA_LIMIT", delta_limit)
    for name, change in EDITS.items():
        if name in ("change a template", "change the stylesheet"):
            continue
        change(site)
        build(BuildOptions(site))
        assert tree(site / "public") == clean_build(site, tmp_path), name


def test_no_change_rebuild_touches_nothing(site):
    files = list_files(site / "public")
    stats = {rel: (p.stat().st_ino, p.stat().st_mtime_ns) for rel, p in files.items()}
    report = build(BuildOptions(site))
    assert report.up_to_date
    assert {rel: (p.stat().st_ino, p.stat().st_mtime_ns)
            for rel, p in list_files(site / "public").items()} == stats


def test_a_body_edit_rewrites_only_what_shows_the_body(site):
    report_before = tree(site / "public")
    EDITS["edit a body"](site)
    report = build(BuildOptions(site))
    changed = {rel for rel, data in tree(site / "public").items() if report_before.get(rel) != data}
    assert report.write.written == len(changed)
    # The site feed carries whole bodies; listings and tag feeds show the front matter only.
    assert changed == {"2020/01/01/entry-00/index.html", "feed.xml"}


def test_body_edits_replan_only_what_shows_bodies(site, tmp_path, monkeypatch):
    # Nothing but bodies changed: the last build's layout and the keys of every output that
    # shows no body still hold, so neither the layout nor the whole plan is made again.
    def refuse(*args, **kwargs):
        raise AssertionError("made again")

    monkeypatch.setattr(build_module, "layout_site", refuse)
    monkeypatch.setattr(build_module, "build_plan", refuse)
    pages = sum(rel.endswith(".html") for rel in tree(site / "public"))
    for old, new in (("Body text.", "New body."), ("New body.", "Newer body.")):
        edit(site / "content/2020/01/entry-00.md", old, new)
        report = build(BuildOptions(site))
        assert (report.pages, report.write.written) == (pages, 2)   # the entry's page, feed.xml
    monkeypatch.undo()
    assert tree(site / "public") == clean_build(site, tmp_path)


@pytest.mark.parametrize("name", ["edit a title", "retag an entry", "move an entry in time",
                                  "make an entry a draft", "change a template",
                                  "change the config"])
def test_other_edits_replan_the_whole_site(site, monkeypatch, name):
    plans = []
    whole_plan = build_module.build_plan
    monkeypatch.setattr(build_module, "build_plan",
                        lambda *args: plans.append(args) or whole_plan(*args))
    EDITS[name](site)
    build(BuildOptions(site))
    assert plans


def test_a_body_edit_writes_a_small_entry_cache_delta(site):
    cache_dir = site / CACHE_DIR
    base = cache.file_id(cache_dir / cache.ENTRIES_FILE)
    EDITS["edit a body"](site)
    build(BuildOptions(site))
    assert cache.file_id(cache_dir / cache.ENTRIES_FILE) == base
    loaded = cache.load_entry_cache(cache_dir, "UTC")
    assert loaded.changed == {"content/2020/01/entry-00.md"}
    assert "New body." in loaded.entries["content/2020/01/entry-00.md"][1].body_html


def test_a_corrupt_cache_only_costs_a_full_build(site, tmp_path):
    for file in (site / CACHE_DIR).iterdir():
        file.write_bytes(b"not a pickle")
    EDITS["edit a title"](site)
    build(BuildOptions(site))
    assert tree(site / "public") == clean_build(site, tmp_path)


@pytest.fixture
def searchable(site, monkeypatch):
    """The site with search on, its search index cut into chunks of about 1 KB."""
    monkeypatch.setattr(searchindex, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(searchindex, "CHUNK_MIN", 700)
    monkeypatch.setattr(searchindex, "CHUNK_MAX", 1400)
    (site / "sitegen.yaml").write_text("title: Test timeline\npage_size: 4\n", encoding="utf-8")
    build(BuildOptions(site))
    assert len(chunks(site / "public")) >= 4
    return site


def chunks(public) -> set[str]:
    """Return the words chunks of a built site's search index."""
    return {rel for rel in search_identities(public) if rel.startswith("words/")}


@pytest.mark.parametrize("journal_limit", [0, output.JOURNAL_LIMIT])   # swap, or move files in
# (The config edits turn search off.)
@pytest.mark.parametrize("name", [name for name in EDITS
                                  if name not in ("change the config", "name the sources of a host")])
def test_an_edit_writes_only_the_search_files_it_changed(searchable, tmp_path, monkeypatch,
                                                         name, journal_limit):
    monkeypatch.setattr(output, "JOURNAL_LIMIT", journal_limit)
    public = searchable / "public"
    before = search_identities(public)
    EDITS[name](searchable)
    logged = []
    build(BuildOptions(searchable), logged.append)
    assert not any("search index not" in line for line in logged), logged
    after = search_identities(public)
    # The same index as a clean build (chunks and facets are named by their bytes) ...
    clean_build(searchable, tmp_path)
    assert bundle_files(public / "searchindex") == bundle_files(
        tmp_path / "clean/public/searchindex")
    # ... of which the files the edit left alone were kept, not written again.
    rewritten = {rel for rel in set(before) & set(after) if before[rel] != after[rel]}
    assert not {rel for rel in rewritten if rel.split("/")[0] in ("words", "facets")}
    if name == "edit a body":       # the same numbering: the entry's fragment is written anew
        assert len(rewritten - {"index.json"}) == 1
        assert len(chunks(public) - set(before)) <= 3 < len(chunks(public))


def test_turning_search_off_removes_the_index(searchable):
    assert (searchable / "public/searchindex/index.json").is_file()
    EDITS["change the config"](searchable)
    build(BuildOptions(searchable))
    assert not (searchable / "public/searchindex").exists()


def test_without_its_cache_a_build_still_keeps_the_unchanged_chunks(searchable):
    public = searchable / "public"
    before = search_identities(public)
    shutil.rmtree(searchable / CACHE_DIR)
    EDITS["edit a body"](searchable)
    build(BuildOptions(searchable))
    after = search_identities(public)
    kept = chunks(public) & set(before)
    assert len(kept) >= len(chunks(public)) - 3 and all(before[s] == after[s] for s in kept)


def test_a_clean_build_writes_every_search_file_anew(searchable):
    public = searchable / "public"
    before = search_identities(public)
    build(BuildOptions(searchable, clean=True))
    after = search_identities(public)
    assert set(after) == set(before)                      # the same entries, the same files
    assert all(before[s] != after[s] for s in after)      # but each one written again


