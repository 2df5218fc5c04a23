"""Small builders shared by the tests: entries made in memory, sites written to a temp folder."""

from __future__ import annotations

import datetime
from pathlib import Path

from site_builder.model.records import Entry

UTC = datetime.timezone.utc


def make_entry(slug: str, day: str, tags: tuple[str, ...] = (), title: str | None = None,
               **fields) -> Entry:
    """Return an Entry dated day (YYYY-MM-DD) without touching the disk."""
    date = datetime.date.fromisoformat(day)
    instant = datetime.datetime(date.year, date.month, date.day, tzinfo=UTC)
    return Entry(path=f"content/{date:%Y/%m}/{slug}.md", title=title or slug.replace("-", " "),
                 slug=slug, instant=instant, date=date, tags=tags, **fields)


def write_entry(site: Path, slug: str, day: str, tags: tuple[str, ...] = (), title: str | None = None,
                body: str = "Body text.", extra: str = "") -> Path:
    """Write an entry file into site/content and return its path."""
    path = site / "content" / day[:4] / day[5:7] / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    tag_lines = "".join(f"- {t}\n" for t in tags)
    path.write_text(
        f"---\ntitle: {title or slug.replace('-', ' ').title()}\ndate: {day}\n"
        f"lead: Lead of {slug}.\ntags:\n{tag_lines}source:\n  name: Example\n"
        f"  url: https://example.org/{slug}\n{extra}---\n\n{body}\n",
        encoding="utf-8")
    return path


def search_identities(site: Path) -> dict[str, tuple[int, int]]:
    """Return each file of a built site's search index with its inode and time, which a file
    written again gets anew (a build that swaps in a new site folder links the files it keeps)."""
    bundle = site / "searchindex"
    return {path.relative_to(bundle).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in bundle.rglob("*") if path.is_file()}
