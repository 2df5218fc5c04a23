"""What a build holds while it goes: the loaded entries go once the site holds its own copies,
and the plan's views before the search index, which takes their room (at 100,000 entries the
views are some 290 MB and the loaded entries 35 MB, held in every worker forked after)."""

import gc

from site_builder import build
from site_builder.build import BuildOptions
from site_builder.model.records import Entry
from site_builder.outputs import search
from site_builder.outputs.plan import PageOutput

from helpers import write_entry


MARK = "memory-census"   # in this test's slugs and paths only: other tests' objects may live on


def alive(kind: type) -> int:
    """Return how many objects of kind with MARK in their path the garbage collector can see."""
    gc.collect()
    return sum(isinstance(o, kind) and MARK in o.path for o in gc.get_objects())


def test_the_plan_and_the_loaded_entries_are_gone_before_the_search_index(tmp_path, monkeypatch):
    site = tmp_path / "site"
    for day in range(1, 21):
        write_entry(site, f"{MARK}-{day}", f"2023-03-{day:02d}", ("talks",))
    (site / "sitegen.yaml").write_text("title: T\nbase_url: https://example.org/\nsearch: true\n",
                                       encoding="utf-8")
    seen = {}
    real_keys = build.Builder.output_keys

    def output_keys(self, plan, theme):
        seen["entries while planning"] = alive(Entry)
        return real_keys(self, plan, theme)

    def update_index(out_dir, docs, facets, previous, *args, **kwargs):
        seen["pages while indexing"] = alive(PageOutput)
        return real_update(out_dir, docs, facets, previous, *args, **kwargs)

    real_update = search.update_index
    monkeypatch.setattr(build.Builder, "output_keys", output_keys)
    monkeypatch.setattr(search, "update_index", update_index)
    build.build(BuildOptions(site, jobs=1))
    assert seen == {"entries while planning": 20, "pages while indexing": 0}
    assert (site / "public" / "searchindex" / "index.json").is_file()


def test_entries_share_one_string_for_each_tag_parsed_or_cached(tmp_path):
    import datetime
    import json

    from site_builder import cacheformat
    from site_builder.sources.content import parse_entry

    def entry(slug: str):
        text = f"---\ntitle: {slug}\ndate: 2023-03-01\ntags: [Nord  Stream, {slug}]\n---\n\nBody.\n"
        return parse_entry(text, f"content/2023/03/{slug}.md", tz=datetime.timezone.utc)

    first, second = entry("one"), entry("two")
    assert first.tags[0] == "Nord Stream" and first.tags[0] is second.tags[0]
    columns, bodies = cacheformat.encode_entries({e.path: ((1, 2), e) for e in (first, second)})
    columns = json.loads(json.dumps(columns))   # as read from disk: a string for each time
    loaded = cacheformat.decode_entries(columns, memoryview(b"".join(bodies)))
    one, two = (loaded[e.path][1] for e in (first, second))
    assert one == first and two == second and one.tags[0] is two.tags[0]
