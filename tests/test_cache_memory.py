"""The entry cache is written without holding every body at once: at 100,000 entries the bodies
are some 160 MB even compressed, which the build's peak must not count twice."""

import datetime
import random
import tracemalloc

from site_builder import cache
from site_builder.core.packedtext import packed

from helpers import make_entry

UTC = datetime.timezone.utc


def test_writing_the_entry_cache_never_holds_the_bodies_joined(tmp_path):
    words = random.Random(7).choices(["Körper", "talks", "envoy", "trade", "grain", "visit",
                                      "treaty", "Moscow", "Beijing", "summit"], k=2_000_000)
    made = [make_entry(f"e{i}", "2022-01-02", body_html="<p>" + " ".join(words[i::100]) + "</p>")
            for i in range(100)]
    entries = {entry.path: ((i, 1), entry) for i, entry in enumerate(made)}
    total = sum(len(packed(e, "body_html")) for _, e in entries.values())   # as stored
    tracemalloc.start()
    try:
        cache.write_entry_cache(tmp_path, cache.EntryCache(zone="UTC", entries=entries),
                                cache.EntryCache(zone="UTC"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < total / 4
    loaded = cache.load_entry_cache(tmp_path, "UTC")
    assert {path: e.body_html for path, (_, e) in loaded.entries.items()} == \
        {path: e.body_html for path, (_, e) in entries.items()}
