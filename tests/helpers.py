"""Small builders shared by the tests: entries made in memory, sites written to a temp folder."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from site_builder.core.digests import digest_bytes
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


def shard_identities(site: Path) -> dict[str, tuple[int, int]]:
    """Return each search shard of a built site with the inode and time of its index file,
    which a shard made again gets anew (a build that swaps in a new site folder links the files
    it keeps)."""
    def identity(path: Path) -> tuple[int, int]:
        info = path.stat()
        return info.st_ino, info.st_mtime_ns

    return {path.name: identity(path / "pagefind-entry.json")
            for path in (site / "pagefind").iterdir() if path.is_dir()}


def indexable_pages(site_folder: Path) -> list[tuple[str, str, str]]:
    """Return (date, path, digest) of the pages Pagefind indexes in a built site, in date order:
    those marked data-pagefind-body, read back from the folder (a build hands over its own)."""
    found = []
    for path in site_folder.glob("**/*.html"):
        html = path.read_bytes()
        rel = path.relative_to(site_folder).as_posix()
        if rel.startswith("pagefind/") or b"data-pagefind-body" not in html:
            continue
        date = re.search(rb'data-pagefind-sort="date"[^>]*>([^<]*)<', html)
        found.append((date.group(1).decode().strip() if date else "", rel, digest_bytes(html)))
    return sorted(found)
