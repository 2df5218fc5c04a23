"""The entry cache is written without holding every body encoded at once: at 100,000 entries the
bodies are some 450 MB, which the build's peak must not count twice."""

import datetime
import tracemalloc

from site_builder import cache

from helpers import make_entry

UTC = datetime.timezone.utc


def test_writing_the_entry_cache_never_holds_the_bodies_encoded(tmp_path):
    body = "<p>" + "Körper " * 3000 + "</p>"      # not ASCII: its UTF-8 is longer than it
    made = [make_entry(f"e{i}", "2022-01-02", body_html=body + str(i)) for i in range(100)]
    entries = {entry.path: ((i, len(body)), entry) for i, entry in enumerate(made)}
    total = sum(len(e.body_html.encode()) for _, e in entries.values())
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
