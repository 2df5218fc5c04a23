"""The search index (site_builder/outputs/searchindex.py, searchpatch.py, search.py): what a
built index answers when read back as the search page reads it, its files, and its updates."""

from __future__ import annotations

import dataclasses
import functools
import json
import random
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pytest

from helpers import write_entry
from searchreader import bundle_files, listed_files, read_json, search, urls
from site_builder import cache, parallel
from site_builder.build import BuildOptions, build
from site_builder.outputs import search as writer
from site_builder.outputs import searchindex
from site_builder.outputs.search import SearchState, update_index
from site_builder.outputs.searchindex import Doc, build_index, doc_tokens


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """A built site: English entries in three years, a Russian one and a Chinese one."""
    site = tmp_path_factory.mktemp("search")
    write_entry(site, "summit", "2021-03-01", tags=("Diplomacy",), title="Leaders hold talks",
                body="The talks on trade went on until the evening.",
                extra="countries: [RU, CN]\n")
    write_entry(site, "lecture", "2022-05-02", tags=("Trade",), title="A lecture",
                body="A short talk about negotiations and grain.", extra="countries: [FR]\n")
    write_entry(site, "kremlin", "2022-06-03", tags=("Diplomacy",), title="Встреча в Кремле",
                body="Переговоры прошли в Кремле.", extra="lang: ru\ncountries: [RU]\n")
    write_entry(site, "beijing", "2023-01-04", tags=("Trade",), title="Beijing meeting",
                body="中国和俄罗斯举行会谈。 The Trade ministers' café — l'accord.",
                extra="countries: [CN]\n")
    (site / "sitegen.yaml").write_text("title: Search test\n", encoding="utf-8")
    report = build(BuildOptions(site))
    assert "search index" in [name for name, _ in report.steps]
    bundle = site / "public" / "searchindex"
    root = read_json(bundle / "index.json")
    URLS.update({str(n): read_json(bundle / root["epoch"] / f"{n}.json")["url"]
                 for n in range(root["docs"])})
    return bundle


DAYS = {"summit": "/2021/03/01/", "lecture": "/2022/05/02/", "kremlin": "/2022/06/03/",
        "beijing": "/2023/01/04/"}
URLS: dict[str, str] = {}


def url(slug: str) -> str:
    """Return the URL of the entry written as slug (the site makes its slug from the title)."""
    [found] = [u for u in URLS.values() if u.startswith(DAYS[slug])]
    return found


def test_a_query_finds_the_entries_holding_every_word(small_site):
    assert urls(small_site, "talks") == [url("summit"), url("lecture")]   # the title counts more
    assert urls(small_site, "talks evening") == [url("summit")]          # AND
    assert urls(small_site, "talk grain") == [url("lecture")]            # "talk" as "talks"
    assert urls(small_site, "TALK") == [url("summit"), url("lecture")]   # "talk" stems as "talks"
    assert urls(small_site, "talks elephants") == []
    assert urls(small_site, "diplomacy") == [url("kremlin"), url("summit")]   # tags are words


def test_a_query_word_matches_as_a_prefix(small_site):
    assert urls(small_site, "negot") == [url("lecture")]
    assert urls(small_site, "gr") == [url("lecture")]       # grain, not "great": none has it


def test_other_languages_and_scripts_are_found(small_site):
    assert urls(small_site, "Кремле") == [url("kremlin")]
    assert urls(small_site, "переговоры") == [url("kremlin")]
    assert urls(small_site, "会") == [url("beijing")]
    assert urls(small_site, "俄罗斯") == [url("beijing")]     # three characters: AND of each
    assert urls(small_site, "cafe") == [url("beijing")]       # accents folded
    assert urls(small_site, "accord ministers") == [url("beijing")]   # apostrophes split


def test_index_json_lists_years_as_ranges_and_the_facets(small_site):
    root = read_json(small_site / "index.json")
    assert root["format"] == 1 and root["docs"] == 4
    assert root["years"] == {"2021": [0, 0], "2022": [1, 2], "2023": [3, 3]}
    tags = read_json(small_site / root["facets"]["tag"])["values"]
    assert tags == {"Diplomacy": [0, 2], "Trade": [1, 2]}     # docs 0, 2 and 1, 3 delta-coded
    countries = read_json(small_site / root["facets"]["country"])["values"]
    assert countries == {"China": [0, 3], "France": [1], "Russia": [0, 2]}


def test_a_fragment_holds_the_fields_and_the_text_after_the_title(small_site):
    root = read_json(small_site / "index.json")
    fragment = read_json(small_site / root["epoch"] / "2.json")
    assert fragment == {"url": url("kremlin"), "title": "Встреча в Кремле", "date": "2022-06-03",
                        "event": url("kremlin"), "source": "Example", "lang": "ru",
                        "text": "Lead of kremlin. Переговоры прошли в Кремле."}
    assert "<" not in read_json(small_site / root["epoch"] / "0.json")["text"]


def test_the_entry_pages_carry_no_pagefind_attributes(small_site):
    html = (small_site.parent / url("summit").strip("/") / "index.html").read_text(encoding="utf-8")
    assert "pagefind" not in html
    assert '<article class="entry">' in html


def test_every_file_index_json_names_is_there_and_nothing_else(small_site):
    assert set(bundle_files(small_site)) == listed_files(small_site)


# --- the index maker, on made-up docs ------------------------------------------------------------

VOCABULARY = [f"word{n}" for n in range(400)] + ["common"]


def make_docs(count: int, seed: int = 1) -> list[Doc]:
    """Return count docs of random words, a day apart; every doc holds "common"."""
    rng = random.Random(seed)
    return [Doc(url=f"/{n}/", title=f"Title {rng.choice(VOCABULARY)}", date=f"{2000 + n // 100}-01-01",
                event=f"/{n}/", source="S", lang="en", dateline="",
                lead="", body_html="<p>common " + " ".join(rng.sample(VOCABULARY[:-1], 20)) + "</p>")
            for n in range(count)]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(searchindex, "CHUNK_BYTES", 600)
    monkeypatch.setattr(searchindex, "CHUNK_MIN", 400)
    monkeypatch.setattr(searchindex, "CHUNK_MAX", 800)


def test_chunks_are_cut_at_about_the_size_and_a_big_form_has_its_own(small_chunks):
    docs = make_docs(300)
    files, _ = build_index(docs, [doc_tokens(doc) for doc in docs], {})
    root = json.loads(files["index.json"])
    sizes = {first: len(files[path]) for first, path in root["words"]}
    assert len(sizes) > 20
    common = json.loads(files[dict(root["words"])["common"]])
    assert list(common["forms"]) == ["common"] and len(common["groups"][0]["docs"]) == 300
    assert all(size <= 800 + 600 for first, size in sizes.items() if first != "common")
    firsts = [first for first, _ in root["words"]]
    assert firsts == sorted(firsts)


def test_form_order_is_javascripts_utf16_order():
    # U+FA0E is a Han character that folding keeps; in UTF-16 U+20000 is D840 DC00, before it.
    docs = [Doc("/a/", "\ufa0e \U00020000 zz", "2020-01-01", "/a/", "", "en", "", "", "")]
    files, _ = build_index(docs, [doc_tokens(doc) for doc in docs], {})
    [(first, path)] = json.loads(files["index.json"])["words"]
    assert list(json.loads(files[path])["forms"]) == ["zz", "\U00020000", "\ufa0e"]


# --- updates of the index folder ------------------------------------------------------------------

def update(folder, docs, state=None):
    """Update the index in folder; return the new state and the files written."""
    done = update_index(folder, docs, {"tag": {"t": [0]}}, state or SearchState())
    return done.state, done.written


def clean_bundle(tmp_path, docs) -> dict[str, bytes]:
    folder = tmp_path / f"clean-{random.random()}"
    update(folder, docs)
    return bundle_files(folder / "searchindex")


def with_body(doc: Doc, body: str) -> Doc:
    return dataclasses.replace(doc, body_html=body)


def test_a_body_edit_rewrites_a_few_chunks_and_one_fragment(tmp_path, small_chunks):
    docs = make_docs(300)
    state, _ = update(tmp_path, docs)
    bundle = tmp_path / "searchindex"
    chunks = len(read_json(bundle / "index.json")["words"])
    docs[150] = with_body(docs[150], docs[150].body_html + " zebra word7 talks")
    state, written = update(tmp_path, docs, state)
    epoch = read_json(bundle / "index.json")["epoch"]
    assert f"{epoch}/150.json" in written and "index.json" in written
    assert len([rel for rel in written if rel.startswith(f"{epoch}/")]) == 1
    assert 1 <= len([rel for rel in written if rel.startswith("words/")]) <= 6 < chunks
    assert bundle_files(bundle) == clean_bundle(tmp_path, docs)
    assert search(bundle, "zebra") == [150]


def test_an_edit_far_apart_in_form_order_reads_only_the_chunks_around_it(tmp_path, small_chunks,
                                                                           monkeypatch):
    docs = make_docs(300)
    state, _ = update(tmp_path, docs)
    bundle = tmp_path / "searchindex"
    chunks = len(read_json(bundle / "index.json")["words"])
    read, real_read = [], Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: (
        read.append(path.name) if path.parent.name == "words" else None, real_read(path))[1])
    docs[120] = with_body(docs[120], docs[120].body_html + " aardvark zzyzx")
    state, written = update(tmp_path, docs, state)
    assert 1 <= len(read) <= 8 < chunks
    assert 1 <= len([rel for rel in written if rel.startswith("words/")]) <= 8
    assert bundle_files(bundle) == clean_bundle(tmp_path, docs)
    assert search(bundle, "aardvark zzyzx") == [120]


@pytest.mark.parametrize("seed", range(6))
def test_a_patched_index_is_the_index_a_whole_build_makes(tmp_path, small_chunks, seed):
    rng = random.Random(seed)
    docs = make_docs(200, seed)
    state, _ = update(tmp_path, docs)
    for _ in range(4):
        for number in rng.sample(range(len(docs)), rng.randint(1, 3)):
            picked = rng.sample(VOCABULARY, rng.randint(0, 30)) + [f"new{rng.randint(0, 9)}"]
            docs[number] = dataclasses.replace(docs[number], title=f"T {rng.choice(VOCABULARY)}",
                                               body_html=" ".join(picked))
        state, written = update(tmp_path, docs, state)
        assert bundle_files(tmp_path / "searchindex") == clean_bundle(tmp_path, docs)


def test_an_unchanged_index_is_not_written_again(tmp_path):
    docs = make_docs(20)
    state, _ = update(tmp_path, docs)
    assert update(tmp_path, docs, state)[1] == []


def test_an_older_entry_makes_a_new_epoch_and_the_old_one_goes(tmp_path):
    docs = make_docs(20)
    state, _ = update(tmp_path, docs)
    bundle = tmp_path / "searchindex"
    old_epoch = read_json(bundle / "index.json")["epoch"]
    older = Doc("/older/", "Older", "1999-01-01", "/older/", "", "en", "", "", "<p>first</p>")
    state, _ = update(tmp_path, [older] + docs, state)
    epoch = read_json(bundle / "index.json")["epoch"]
    assert epoch != old_epoch and not (bundle / old_epoch).exists()
    assert read_json(bundle / epoch / "0.json")["url"] == "/older/"
    assert bundle_files(bundle) == clean_bundle(tmp_path, [older] + docs)


@pytest.mark.parametrize("fail_after", [0, 1, 3, 8])
def test_a_failed_update_leaves_the_previous_index_whole(tmp_path, monkeypatch, fail_after):
    docs = make_docs(30)
    state, _ = update(tmp_path, docs)
    bundle = tmp_path / "searchindex"
    before = bundle_files(bundle)
    real_write, calls = writer.write_file, []

    def failing(*args):
        if len(calls) >= fail_after:
            raise OSError(28, "No space left on device")
        calls.append(args)
        real_write(*args)

    monkeypatch.setattr(writer, "write_file", failing)
    changed = [with_body(docs[0], "other words")] + docs[1:]
    changed[0] = dataclasses.replace(changed[0], url="/moved/")   # a new epoch as well
    with pytest.raises(OSError):
        update(tmp_path, changed, state)
    after = bundle_files(bundle)
    assert after["index.json"] == before["index.json"]
    assert all(after[rel] == before[rel] for rel in listed_files(bundle))


def test_leftovers_of_a_killed_update_are_removed_by_the_next(tmp_path):
    docs = make_docs(10)
    state, _ = update(tmp_path, docs)
    bundle = tmp_path / "searchindex"
    (bundle / "words" / ".tmp-abc.json").write_text("{")
    (bundle / "0123456789abcdef").mkdir()
    (bundle / "shards.json").write_text("{}")
    docs[3] = with_body(docs[3], "changed")
    update(tmp_path, docs, state)
    assert set(bundle_files(bundle)) == listed_files(bundle)


def test_search_off_removes_the_index(small_site, tmp_path):
    site = small_site.parent.parent
    (site / "sitegen.yaml").write_text("title: Search test\nsearch: false\n", encoding="utf-8")
    try:
        build(BuildOptions(site, output_dir=tmp_path / "out"))
        assert not (tmp_path / "out" / "searchindex").exists()
        build(BuildOptions(site))
        assert not small_site.exists()
    finally:
        (site / "sitegen.yaml").write_text("title: Search test\n", encoding="utf-8")
        build(BuildOptions(site))
        assert small_site.is_dir()


# --- a whole build holds the docs' words compactly ---------------------------------------------

LONG_WORDS = [f"extraordinarily{n}" for n in range(600)]


class MadeDocs(Sequence):
    """count docs of long random words, each made when asked for (as site_docs makes them), its
    body read through read_body; reads counts the reads of each doc's body."""

    def __init__(self, count: int):
        self.count, self.reads = count, [0] * count
        self.edited: set[int] = set()       # docs whose body has one more word

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[n] for n in range(self.count)[number]]
        if not 0 <= number < self.count:
            raise IndexError(number)
        rng = random.Random(number)
        words = rng.sample(LONG_WORDS, 80) + ["zebra"] * (number in self.edited)
        body = "<p>" + " ".join(words) + "</p>"

        def read_body() -> str:
            self.reads[number] += 1
            return body

        return Doc(url=f"/{number}/", title=f"Title {rng.choice(LONG_WORDS)}",
                   date=f"{2000 + number // 500}-01-01", event=f"/{number}/", source="S",
                   lang="en", dateline="", lead="", body_html="",
                   source_digest=f"d{number}" + "e" * (number in self.edited), read_body=read_body)


def peak_and_words(folder: Path, docs: MadeDocs) -> tuple[int, int, SearchState]:
    """Return the most memory a whole build of docs held, the size of their words as text, and
    the build's state."""
    words = sum(len("\t".join(doc_tokens(docs[n]))) for n in range(len(docs)))
    docs.reads = [0] * len(docs)
    tracemalloc.start()
    try:
        state, _ = update(folder, docs)
        return tracemalloc.get_traced_memory()[1], words, state
    finally:
        tracemalloc.stop()


def test_a_whole_build_holds_less_than_the_docs_words(tmp_path):
    peak, words, _ = peak_and_words(tmp_path / "small", MadeDocs(1000))
    docs = MadeDocs(2000)
    more_peak, more_words, state = peak_and_words(tmp_path / "large", docs)
    assert more_peak - peak < (more_words - words) * 0.75, (more_peak - peak, more_words - words)
    assert docs.reads == [1] * len(docs)        # each body read once: for words and fragment
    assert [state.tokens[key] for key in state.keys[:3]] == [doc_tokens(docs[n]) for n in range(3)]
    assert bundle_files(tmp_path / "large" / "searchindex") == clean_bundle(
        tmp_path, [docs[n] for n in range(len(docs))])


def test_the_words_go_to_the_cache_file_as_they_are_read(tmp_path):
    written_while_read = []

    class Watched(dict):
        def __getitem__(self, key):
            temporary = tmp_path.glob(".search-tokens*")
            written_while_read.append(sum(path.stat().st_size for path in temporary))
            return super().__getitem__(key)

    tokens = Watched({f"key{n}": ("english", " ".join(LONG_WORDS[n:n + 20]), "1" * 20)
                      for n in range(300)})
    state = SearchState(epoch="e", index="i", fragments=list(tokens), keys=list(tokens),
                        tokens=tokens)
    cache.write_search_state(tmp_path, tmp_path / "public", state, SearchState())
    size = (tmp_path / cache.SEARCH_TOKENS_FILE).stat().st_size
    assert max(written_while_read) > size / 2       # never the whole site's words at once
    assert cache.load_search_state(tmp_path, tmp_path / "public").tokens["key7"] == tokens["key7"]


def test_a_whole_build_on_worker_processes_makes_the_same_index(tmp_path, small_chunks,
                                                                monkeypatch):
    monkeypatch.setattr(writer, "DOCS_PER_TASK", 40)
    docs = make_docs(300)
    done = update_index(tmp_path, docs, {"tag": {"t": [0]}}, SearchState(),
                        functools.partial(parallel.fork_each, jobs=2))
    assert bundle_files(tmp_path / "searchindex") == clean_bundle(tmp_path, docs)
    assert [done.state.tokens[key] for key in done.state.keys] == [doc_tokens(doc) for doc in docs]


def test_a_patch_reads_the_edited_body_once_and_no_other(tmp_path):
    docs = MadeDocs(600)
    state, _ = update(tmp_path, docs)
    docs.edited, docs.reads = {7}, [0] * len(docs)
    update(tmp_path, docs, state)
    assert docs.reads == [int(number == 7) for number in range(len(docs))]
    assert search(tmp_path / "searchindex", "zebra") == [7]


def test_a_whole_build_writes_the_words_file_as_the_runs_come(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "DOCS_PER_TASK", 100)
    text_size = []

    class Watched(MadeDocs):
        def __getitem__(self, number):
            temporary = (tmp_path / "cache").glob(f".{cache.SEARCH_TOKENS_FILE}.text.*")
            text_size.append(sum(path.stat().st_size for path in temporary))
            return super().__getitem__(number)

    docs = Watched(600)
    tokens = cache.TokensWriter(tmp_path / "cache")
    done = update_index(tmp_path / "streamed", docs, {}, SearchState(), sink=tokens)
    cache.write_search_state(tmp_path / "cache", tmp_path / "streamed", done.state, SearchState())
    tokens.discard()
    assert len(set(text_size)) > 4      # the words file grew with each run, not at the end
    kept = update_index(tmp_path / "kept", docs, {}, SearchState())
    cache.write_search_state(tmp_path / "old", tmp_path / "streamed", kept.state, SearchState())
    names = sorted([cache.SEARCH_TOKENS_FILE, cache.search_path(tmp_path, tmp_path / "streamed").name])
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == names   # no temporary
    for name in names:
        assert (tmp_path / "cache" / name).read_bytes() == (tmp_path / "old" / name).read_bytes()
    assert cache.load_search_state(tmp_path / "cache", tmp_path / "streamed").tokens[
        done.state.keys[7]] == doc_tokens(docs[7])




def test_a_whole_build_keeps_the_groups_docs_on_disk_as_they_grow(tmp_path, monkeypatch):
    monkeypatch.setattr(searchindex, "SPILL_BYTES", 64, raising=False)
    monkeypatch.setattr(writer, "DOCS_PER_TASK", 100)
    held = []
    add = searchindex.Groups.add

    def watched_add(self, part):
        add(self, part)
        held.append(max(map(len, self.docs.values())))

    monkeypatch.setattr(searchindex.Groups, "add", watched_add)
    docs = MadeDocs(1500)
    update_index(tmp_path, docs, {}, SearchState(), sink=cache.TokensWriter(tmp_path / "cache"))
    most_held = max(held)
    words = {rel: data for rel, data in bundle_files(tmp_path / "searchindex").items()
             if rel.startswith("words/")}
    made = [docs[n] for n in range(len(docs))]
    in_memory, _ = build_index(made, [doc_tokens(doc) for doc in made], {})
    assert words == {rel: data for rel, data in in_memory.items() if rel.startswith("words/")}
    longest = max(len(group.split('"docs":[')[1]) for data in words.values()
                  for group in data.decode("utf-8").split('{"words":')[1:])
    assert most_held < longest / 3, (most_held, longest)    # never a group's docs all at once


def test_the_words_file_of_a_killed_whole_build_goes_with_the_next(tmp_path):
    stale = tmp_path / f".{cache.SEARCH_TOKENS_FILE}.text.killed"
    stale.write_bytes(b"english\tword\t1")
    cache.TokensWriter(tmp_path).discard()
    assert list(tmp_path.iterdir()) == []
