"""Entries hold their rendered bodies compressed: in memory, in what parse workers send back,
in the entry cache and in the search docs; and the site built is byte for byte the one built
from bodies held as plain text."""

import dataclasses
import pickle
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

from site_builder import cache, cacheformat
from site_builder.build import BuildOptions, build
from site_builder.cache import CACHE_DIR
from site_builder.core import packedtext
from site_builder.outputs.folder import list_files
from site_builder.outputs.searchindex import Doc, site_docs
from site_builder.sources.content import load_entry

from helpers import make_entry

REPO = Path(__file__).resolve().parent.parent
UTC = zoneinfo.ZoneInfo("UTC")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A site of 120 generated Markdown-rich entries, with search on, not built."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--entries", "120",
                    "--variant", "markdown", "--shared-events", "0.2", "--out", str(out)],
                   check=True, capture_output=True)
    site = out / "sitegen"
    (site / "sitegen.yaml").write_text('title: "Packed"\nbase_url: "https://p.example/"\n'
                                       "search: true\n", encoding="utf-8")
    return site


def entries_of(site):
    """Return every entry of a site folder, parsed from its file."""
    return [load_entry(site, file, UTC) for file in sorted((site / "content").rglob("*.md"))]


def test_an_entry_holds_its_body_compressed(generated):
    for entry in entries_of(generated)[:20]:
        held = entry.__dict__["body_html"]
        assert type(held) is bytes and len(entry.body_html) > 2 * len(held)
        assert packedtext.unpack(held) == entry.body_html
        # All the entry's values together take less memory than its body as text would.
        assert sum(map(sys.getsizeof, entry.__dict__.values())) < len(entry.body_html)


def test_what_a_parse_worker_sends_back_is_smaller_than_the_body(generated):
    for entry in entries_of(generated)[:20]:
        sent = pickle.dumps(entry)
        assert len(sent) < len(entry.body_html)
        assert pickle.loads(sent) == entry and pickle.loads(sent).body_html == entry.body_html


def test_entries_compare_and_hash_without_unpacking_their_bodies(monkeypatch):
    body = "<p>" + "A body long enough to compress. " * 40 + "</p>"
    one, same = make_entry("a", "2023-01-02", body_html=body), make_entry("a", "2023-01-02",
                                                                           body_html=body)
    other = dataclasses.replace(one, body_html=body + "<p>More.</p>")
    draft = dataclasses.replace(same, draft=True)
    assert other.body_html.endswith("<p>More.</p>") and draft.body_html == body

    def refuse(data):
        raise AssertionError("a body was unpacked")
    monkeypatch.setattr(packedtext, "unpack", refuse)
    assert one == same and hash(one) == hash(same) and one != other
    assert one != draft and hash(one) != hash(other)


def test_a_body_is_text_or_packed_bytes_and_stays_frozen():
    entry = make_entry("a", "2023-01-02", body_html="<p>x</p>")
    with pytest.raises(TypeError):
        make_entry("a", "2023-01-02", body_html=["<p>x</p>"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.body_html = "<p>y</p>"   # type: ignore[misc]
    copy = make_entry("a", "2023-01-02", body_html=packedtext.packed(entry, "body_html"))
    assert copy == entry and copy.body_html == "<p>x</p>"
    assert make_entry("b", "2023-01-02").body_html == ""


def test_the_entry_cache_stores_the_bodies_compressed(generated, tmp_path):
    site = tmp_path / "site"
    subprocess.run(["cp", "-r", str(generated), str(site)], check=True)
    build(BuildOptions(site, jobs=1))
    stored = cache.load_entry_cache(site / CACHE_DIR, "UTC").entries
    entries = {entry.path: entry for entry in entries_of(site)}
    assert stored.keys() == entries.keys()
    text = sum(len(entry.body_html.encode()) for entry in entries.values())
    _, _, bodies = (site / CACHE_DIR / cache.ENTRIES_FILE).read_bytes().partition(b"\n")
    assert len(bodies) < text / 2
    for path, (_, entry) in stored.items():
        assert entry == entries[path] and type(entry.__dict__["body_html"]) is bytes


def test_a_cached_body_that_is_not_compressed_is_refused():
    entry = make_entry("a", "2023-01-02", body_html="<p>x</p>")
    columns, bodies = cacheformat.encode_entries({entry.path: ((1, 2), entry)})
    assert cacheformat.decode_entries(columns, memoryview(b"".join(bodies)))[entry.path][1] == entry
    plain = b"<p>x</p>"
    columns["body"] = [len(plain)]
    with pytest.raises(ValueError):
        cacheformat.decode_entries(columns, memoryview(plain))


def test_search_docs_hold_no_body_and_read_the_entrys_when_asked():
    entries = tuple(dataclasses.replace(make_entry(f"e{i}", "2023-01-02", body_html=f"<p>{i}</p>"),
                                        url=f"/e{i}/") for i in range(3))
    site = type("S", (), {"entries": entries, "events": {}})()
    docs = site_docs(site, "en")   # type: ignore[arg-type]
    for doc, entry in zip(docs, entries):
        assert doc.body_html == "" and "body" not in doc.__dict__
        assert doc.body == entry.body_html and doc.text == entry.body_html[3:-4]
    assert isinstance(docs[0], Doc)


def test_the_site_is_byte_for_byte_the_one_built_from_plain_bodies(generated, tmp_path,
                                                                  monkeypatch):
    packed_site, plain_site = tmp_path / "packed", tmp_path / "plain"
    for site in (packed_site, plain_site):
        subprocess.run(["cp", "-r", str(generated), str(site)], check=True)
    build(BuildOptions(packed_site, jobs=1))
    monkeypatch.setattr(packedtext, "pack", lambda text: text.encode("utf-8"))
    monkeypatch.setattr(packedtext, "unpack", lambda data: data.decode("utf-8"))
    build(BuildOptions(plain_site, jobs=1))
    packed, plain = (list_files(site / "public") for site in (packed_site, plain_site))
    assert packed.keys() == plain.keys() and len(packed) > 500
    assert all(packed[rel].read_bytes() == plain[rel].read_bytes() for rel in packed)
