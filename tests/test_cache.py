"""The build cache: what it stores comes back exactly, and a cache file that is not what sitegen
wrote (hostile, corrupt, of another shape or format) runs nothing and only costs a full build."""

import datetime
import json
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from site_builder import cache, cacheformat
from site_builder.build import BuildOptions, build
from site_builder.cache import CACHE_DIR
from site_builder.model.events import MEMO_PREFIX
from site_builder.sources.content import KNOWN_KEYS, parse_entry
from site_builder.outputs.folder import list_files

from helpers import write_entry

DISCARDED = "ignoring the build cache"


def tree(root):
    return {rel: path.read_bytes() for rel, path in list_files(root).items()}


def same(a, b) -> bool:
    """Return whether a and b are equal with the same types all the way down (1 is not True,
    a tuple not a list, a date not a datetime) and the same time zones and folds."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, datetime.datetime):
        return a == b and a.fold == b.fold and repr(a.tzinfo) == repr(b.tzinfo)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if hasattr(a, "__dataclass_fields__"):
        return same(vars(a), vars(b))
    return a == b


def round_trip(tmp_path, entries):
    """Return the entries after the entry cache stored and loaded them."""
    folder = tmp_path / "cache"
    shutil.rmtree(folder, ignore_errors=True)
    stored = cache.EntryCache(zone="UTC", entries={e.path: ((1, 2), e) for e in entries},
                              seeds={"seeds/a.txt": ((3, 4), "https://example.org/a")})
    cache.write_entry_cache(folder, stored, cache.EntryCache(zone="UTC"))
    loaded = cache.load_entry_cache(folder, "UTC")
    assert loaded == stored and loaded.seeds == stored.seeds
    return [item[1] for item in loaded.entries.values()]


FRONT_MATTER = [
    "date: 2022-12-30",
    "date: 2022-12-30T10:05:00+05:30",
    "date: 2022-12-30T10:05:00Z",
    "date: !!timestamp 2022-12-30 10:05:00.25",
    "date: !!timestamp 2022-12-30T10:05:00-03:00\nwhen: !!timestamp 2001-02-03\n"
    "at: !!timestamp 2001-02-03T04:05:06.5+01:00\nnaive: !!timestamp 2001-02-03 04:05:06",
    "date: 2022-12-30\nblob: !!binary aGVsbG8=\nchoice: !!set {a, b}\n"
    "pairs: !!omap [{a: 1}, {b: [x, 2.5]}]\nnested: {1: one, 2.5: [true, null, .inf], "
    "null: {deep: [[[-0.0]]]}, 2001-02-03: day}\nflag: yes\nnumber: 0x1F\nnan: .nan\n"
    "text: '\\u00e9 \\U0001F600'\nempty: {}\nnothing: []",
    "date: 2022-12-30\nevent_date: 2023-03-20?/2023-03-22\nevent_date_inferred: on Friday",
    "date: 2022-12-30\nevent_date: 2022-12~",
    "date: 2022-12-30\nevent_date: 2021",
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Moscow", "America/Sao_Paulo"])
@pytest.mark.parametrize("front", FRONT_MATTER)
def test_parsed_entries_come_back_from_the_cache_exactly(tmp_path, zone, front):
    text = f"---\ntitle: Xi meets Putin\ntags: [russia, china]\n{front}\n---\n\nBody *text*.\n"
    entry = parse_entry(text, "content/a.md", tz=zoneinfo.ZoneInfo(zone), digest="d1")
    [loaded] = round_trip(tmp_path, [entry])
    assert loaded == entry and same(loaded, entry)
    assert loaded.instant.tzinfo is entry.instant.tzinfo or isinstance(
        entry.instant.tzinfo, datetime.timezone)


def test_the_repository_entries_come_back_from_the_cache_exactly(tmp_path, repo_root):
    entries = [parse_entry(path.read_text(encoding="utf-8"), path.relative_to(repo_root).as_posix(),
                           tz=zoneinfo.ZoneInfo("UTC"))
               for path in sorted((repo_root / "content").rglob("*.md"))]
    assert entries
    assert all(map(same, round_trip(tmp_path, entries), entries))


YAML_SCALARS = (st.none() | st.booleans() | st.integers(-10**30, 10**30)
                | st.floats(allow_nan=False) | st.text(max_size=20) | st.dates()
                | st.datetimes(timezones=st.none() | st.just(datetime.timezone.utc) | st.builds(
                    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes)),
                    st.integers(-23 * 60, 23 * 60)))
                | st.binary(max_size=20))
YAML_VALUES = st.recursive(YAML_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
# Unknown keys only: the known ones (and `lang`) are checked, and an invalid value is refused.
@given(params=st.dictionaries(st.text(min_size=1, max_size=10).filter(
    lambda key: key not in KNOWN_KEYS and key != "lang"), YAML_VALUES, max_size=5))
def test_any_front_matter_comes_back_from_the_cache_exactly(tmp_path, params):
    front = yaml.safe_dump({"title": "A title", "date": "2020-02-29", **params}, allow_unicode=True)
    entry = parse_entry(f"---\n{front}---\nBody.\n", "content/p.md",
                        tz=zoneinfo.ZoneInfo("Asia/Tokyo"))
    [loaded] = round_trip(tmp_path, [entry])
    assert same(loaded, entry) and same(dict(loaded.params), dict(entry.params))


@pytest.fixture
def site(tmp_path):
    """A built site whose cache holds every kind of file: after a body edit, a delta too."""
    site = tmp_path / "site"
    for i in range(12):
        write_entry(site, f"entry-{i:02d}", f"202{i % 3}-{1 + i % 12:02d}-{1 + i % 27:02d}",
                    tags=("russia", f"topic {i % 4}"),
                    extra=f"when: !!timestamp 2001-02-0{1 + i % 9}\n")
    (site / "sitegen.yaml").write_text("title: Test timeline\npage_size: 4\nsearch: false\n",
                                       encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    body = site / "content/2020/01/entry-00.md"
    body.write_text(body.read_text(encoding="utf-8").replace("Body text.", "New body."),
                    encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    names = {file.name for file in (site / CACHE_DIR).iterdir()}
    assert {cache.ENTRIES_FILE, cache.DELTA_FILE, cache.RELATED_FILE, cache.LAYOUT_FILE} <= names
    return site


def clean_build(site, tmp_path):
    """Return the tree a build of a copy of site with no cache and no output makes."""
    copy = tmp_path / "clean"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("public", CACHE_DIR))
    build(BuildOptions(copy, jobs=1))
    return tree(copy / "public")


def cache_file(site, kind):
    """Return the path of the cache file of that kind (the manifest's name is a digest)."""
    if kind == "outputs":
        return cache.manifest_path(site / CACHE_DIR, site / "public")
    return site / CACHE_DIR / kind


CACHE_FILES = [cache.ENTRIES_FILE, cache.DELTA_FILE, cache.RELATED_FILE, cache.LAYOUT_FILE,
               "outputs", "entries.pickle"]


class RunsCommand:
    """Unpickling this runs a shell command."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.mark.parametrize("kind", CACHE_FILES)
def test_a_hostile_pickle_in_the_cache_runs_nothing(site, tmp_path, kind):
    marker = tmp_path / "marker"
    if kind.endswith(".pickle"):   # the cache as the last version that pickled wrote it
        for file in (site / CACHE_DIR).iterdir():
            file.rename(file.with_suffix(".pickle"))
    cache_file(site, kind).write_bytes(pickle.dumps(RunsCommand(f"touch {marker}")))
    # A change, so that the build reads every part of the cache it would use.
    (site / "content/2021/02/entry-01.md").write_text(
        (site / "content/2021/02/entry-01.md").read_text(encoding="utf-8").replace(
            "title: Entry 01", "title: Another title"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site)],
                            capture_output=True, text=True, timeout=120)
    assert not marker.exists()
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    reason = r"\S+\.pickle is in an old format" if kind.endswith(".pickle") \
        else re.escape(f"{cache_file(site, kind).name}: not valid JSON")
    discarded = [line for line in lines if DISCARDED in line]
    assert len(discarded) == 1 and re.fullmatch(
        rf"{DISCARDED} \({CACHE_DIR}/{reason}\): rebuilding everything", discarded[0]), lines
    assert not list((site / CACHE_DIR).glob("*.pickle"))
    assert "Traceback" not in result.stderr
    assert tree(site / "public") == clean_build(site, tmp_path)


def edit_document(path, change):
    """Rewrite the JSON document of a cache file with change(document), its bodies kept."""
    text, newline, bodies = path.read_bytes().partition(b"\n")
    document = json.loads(text)
    change(document)
    path.write_bytes(json.dumps(document).encode() + newline + bodies)


def column(document, name):
    """Return one column of the entries in a cache file's document."""
    return document["data"]["entries"][name]


BAD_FILES = {   # kind -> how to spoil it
    "bad JSON": (cache.ENTRIES_FILE, lambda path: path.write_bytes(b'{"sitegen": [1,')),
    "not UTF-8": (cache.LAYOUT_FILE, lambda path: path.write_bytes(b'"\xff\xfe"')),
    "empty": ("outputs", lambda path: path.write_bytes(b"")),
    "a list": (cache.RELATED_FILE, lambda path: path.write_bytes(b"[]")),
    "deep nesting": (cache.ENTRIES_FILE, lambda path: path.write_bytes(b"[" * 100_000)),
    "text after the JSON": ("outputs", lambda path: path.write_bytes(path.read_bytes() + b"\nx")),
    "old format": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: d.update(format=cache.FORMAT - 1))),
    "another sitegen": ("outputs", lambda path: edit_document(
        path, lambda d: d.update(sitegen="0.0.1"))),
    "another kind": (cache.LAYOUT_FILE, lambda path: shutil.copy(
        path.parent / cache.RELATED_FILE, path)),
    "no data": (cache.DELTA_FILE, lambda path: edit_document(path, lambda d: d.pop("data"))),
    "a title that is a number": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "title").__setitem__(0, 5))),
    "a column too short": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "slug").pop())),
    "a body outside the file": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "body").__setitem__(0, 10**6))),
    "a body that is not compressed": (cache.ENTRIES_FILE, lambda path: path.write_bytes(
        path.read_bytes().replace(b"\n(\xb5/\xfd", b"\n<p>x", 1))),
    "a naive instant": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "zones").__setitem__(0, None))),
    "a zone that is a path": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "zones").__setitem__(0, "../../../etc/passwd"))),
    "an unknown value kind": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "params").__setitem__(0, {"when": {"pickle": "x"}}))),
    "an unhashable set item": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "params").__setitem__(0, {"s": {"set": [[1]]}}))),
    "a zone number out of range": (cache.DELTA_FILE, lambda path: edit_document(
        path, lambda d: column(d, "zone").__setitem__(0, 5))),
    "a stat that is text": (cache.DELTA_FILE, lambda path: edit_document(
        path, lambda d: column(d, "mtime").__setitem__(0, "1"))),
    "a removed entry that is a number": (cache.DELTA_FILE, lambda path: edit_document(
        path, lambda d: d["data"]["removed"].append(1))),
    "an event that ends before it starts": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "event").__setitem__(
            0, ["x", "2022-01-02", "2022-01-01", "day", "day", False, False, True]))),
    "an event precision of a week": (cache.ENTRIES_FILE, lambda path: edit_document(
        path, lambda d: column(d, "event").__setitem__(
            0, ["x", "2022-01-01", "2022-01-07", "week", "day", False, False, False]))),
    "a position out of range": (cache.LAYOUT_FILE, lambda path: edit_document(
        path, lambda d: d["data"]["layout"]["related"].__setitem__(1, "ffffff00"))),
    "positions that are not hex": (cache.LAYOUT_FILE, lambda path: edit_document(
        path, lambda d: d["data"]["layout"]["related"].__setitem__(1, "0.5"))),
    "lengths that do not add up": (cache.LAYOUT_FILE, lambda path: edit_document(
        path, lambda d: d["data"]["layout"]["tag_links"].__setitem__(0, "01000000"))),
    "a month 13": (cache.LAYOUT_FILE, lambda path: edit_document(
        path, lambda d: d["data"]["layout"]["periods"][1][0].__setitem__(1, 13))),
    "related to an unknown entry": (cache.RELATED_FILE, lambda path: edit_document(
        path, lambda d: [value.__setitem__("content/a.md", ["content/nowhere.md"])
                         for value in d["data"].values()])),
    "an output digest that is a list": ("outputs", lambda path: edit_document(
        path, lambda d: d["data"]["outputs"]["digest"].__setitem__(0, ["d"]))),
    "a folder id of text": ("outputs", lambda path: edit_document(
        path, lambda d: d["data"].__setitem__("folder_id", ["a", "b"]))),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_spoilt_cache_file_is_discarded_with_one_line(site, tmp_path, name):
    kind, spoil = BAD_FILES[name]
    spoil(cache_file(site, kind))
    # A title edit makes the build read the entries, the layout and the related entries.
    path = site / "content/2021/02/entry-01.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Entry 01", "title: New"),
                    encoding="utf-8")
    logged = []
    build(BuildOptions(site, jobs=1), logged.append)
    discarded = [line for line in logged if DISCARDED in line]
    assert len(discarded) == 1 and cache_file(site, kind).name in discarded[0], logged
    assert tree(site / "public") == clean_build(site, tmp_path)
    logged.clear()
    build(BuildOptions(site, jobs=1), logged.append)   # the cache written then is whole again
    assert not logged


def test_the_layout_manifest_and_related_entries_come_back_exactly(site):
    cache_dir = site / CACHE_DIR
    manifest = cache.load_manifest(cache_dir, site / "public")
    assert manifest.outputs and manifest.bodies and manifest.folder_id != (0, 0)
    cache.write_manifest(cache_dir, site / "public", manifest)
    assert same(cache.load_manifest(cache_dir, site / "public"), manifest)
    shape = json.loads(cache_file(site, cache.LAYOUT_FILE).read_bytes())["data"]["shape"]
    layout = cache.load_layout(cache_dir, shape)
    assert layout is not None and layout.related
    cache.write_layout(cache_dir, shape, layout)
    assert same(cache.load_layout(cache_dir, shape), layout)
    memo = cache.load_related_memo(cache_dir)
    assert memo
    cache.write_related_memo(cache_dir, memo)
    assert same(cache.load_related_memo(cache_dir), memo)


def test_the_cache_is_json_and_the_module_no_longer_imports_pickle(site):
    for file in (site / CACHE_DIR).iterdir():
        json.loads(file.read_bytes().partition(b"\n")[0])
    for module in (cacheformat, cache):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+\S*pickle", source, re.MULTILINE)


def test_a_related_memo_under_the_right_digest_that_leaves_out_an_entry_is_worked_out_again(
        site, tmp_path):
    path = site / CACHE_DIR / cache.RELATED_FILE
    left_out = "content/2020/01/entry-00.md"

    def leave_out(document):
        for key, related in document["data"].items():
            if key.startswith(MEMO_PREFIX):   # the event comparisons, memoised beside
                continue
            related.pop(left_out)
            for others in related.values():
                others[:] = [other for other in others if other != left_out]

    edit_document(path, leave_out)
    # A title edit changes the layout but not the digest the related entries are filed under.
    entry = site / "content/2021/02/entry-01.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("title: Entry 01", "title: New"),
                     encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    assert tree(site / "public") == clean_build(site, tmp_path)


def test_a_layout_filed_under_the_sites_shape_for_other_entries_is_worked_out_again(site, tmp_path):
    # A cache file may claim any shape: a layout made for other entries must not reach the
    # assembly of the site, whatever digest it is filed under.
    cache_dir = site / CACHE_DIR
    old_layout = cache.load_layout(cache_dir, cache.load_manifest(cache_dir, site / "public").shape)
    assert old_layout is not None
    (site / "content/2020/01/entry-00.md").unlink()
    build(BuildOptions(site, jobs=1))
    shape = cache.load_manifest(cache_dir, site / "public").shape
    cache.write_layout(cache_dir, shape, old_layout)
    body = site / "content/2021/02/entry-01.md"
    body.write_text(body.read_text(encoding="utf-8").replace("Body text.", "Edited."),
                    encoding="utf-8")
    build(BuildOptions(site, jobs=1))
    assert tree(site / "public") == clean_build(site, tmp_path)
