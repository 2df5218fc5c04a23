"""Benchmark event grouping: its time, and its precision and recall against the known events.

The corpus is generate.py's with --shared-events: a fraction of the articles are reports of
shared events (two to four agencies, a day apart at most, reworded). Grouping runs in memory on
the entries the corpus would load as, first from nothing (a clean build), then again after one
entry's text changed, with the memo of the first run (an incremental build). Precision and
recall count pairs of entries: a pair grouped together that reports one event is right.

Usage: python benchmarks/grouping.py [--entries 10000,100000] [--shared-events 0.3] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime
import html
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import generate  # noqa: E402  (sibling module, run as a script)
from site_builder.model.events import MATCH_SCORE, group_events  # noqa: E402
from site_builder.model.records import Entry  # noqa: E402


def corpus_entries(articles: list[generate.Article]) -> list[Entry]:
    """Return the articles as the entries a build would load."""
    entries = []
    for article in articles:
        day = article.date
        entries.append(Entry(
            path=f"content/{day:%Y/%m}/{article.slug}.md", title=article.title, slug=article.slug,
            instant=datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc),
            date=day, lead=article.lead, source_url=article.url,
            body_html="".join(f"<p>{html.escape(p)}</p>\n" for p in article.paragraphs)))
    return entries


def pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    """Return every pair of members of the same group."""
    return {(a, b) for group in groups for a in group for b in group if a < b}


def measure(count: int, shared: float, runs: int, seed: int) -> dict:
    """Return the grouping's times, precision and recall on a corpus of count articles."""
    articles = generate.make_articles(count, seed, shared)
    entries = corpus_entries(articles)
    clean, again = [], []
    for _ in range(runs):
        start = time.perf_counter()
        groups, memo = group_events(entries)
        clean.append(time.perf_counter() - start)
        edited = entries[:]
        middle = edited[len(edited) // 2]
        edited[len(edited) // 2] = Entry(**{**middle.__dict__, "title": middle.title + " again"})
        start = time.perf_counter()
        group_events(edited, memo)
        again.append(time.perf_counter() - start)
    found = pairs([[path.rsplit("/", 1)[1][:-3] for path in group] for group in groups])
    known = pairs(generate.known_groups(articles))
    right = len(found & known)
    return {"entries": count, "events": len(groups), "known": len(generate.known_groups(articles)),
            "clean_s": statistics.median(clean), "edit_s": statistics.median(again),
            "precision": right / len(found) if found else 1.0,
            "recall": right / len(known) if known else 1.0}


def table(results: list[dict], shared: float, runs: int) -> str:
    """Return the results as a Markdown table."""
    lines = [f"**Event grouping**: {shared:.0%} of the articles report shared events; rapidfuzz, "
             f"score at least {MATCH_SCORE}; median of {runs} run(s)", "",
             "| entries | grouping s | after one edit s | events found | known events | "
             "precision | recall |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['entries']:,} | {r['clean_s']:.2f} | {r['edit_s']:.2f} | "
                     f"{r['events']:,} | {r['known']:,} | {r['precision']:.4f} | "
                     f"{r['recall']:.4f} |")
    return "\n".join(lines)


def run(sizes: list[int], shared: float, runs: int, seed: int) -> str:
    """Return the table of the grouping benchmark at each size."""
    results = []
    for count in sizes:
        print(f"grouping {count:,} entries ...", file=sys.stderr)
        results.append(measure(count, shared, runs, seed))
    return table(results, shared, runs)


def main() -> None:
    """Parse the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", default="10000,100000",
                        help="comma-separated corpus sizes (default 10000,100000)")
    parser.add_argument("--shared-events", type=float, default=0.3, metavar="FRACTION",
                        help="fraction of articles reporting shared events (default 0.3)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="corpus random seed (default 1)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.entries.split(",")]
    print(run(sizes, args.shared_events, args.runs, args.seed))


if __name__ == "__main__":
    main()
