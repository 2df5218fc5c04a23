"""Import raw scraped articles as entry files: content/YYYY/MM/<slug>.md (edge: disk I/O).

Entry files are written atomically and never replace an existing file unless force is given;
an article whose source URL already has an entry is reported as a duplicate, not written again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from .atomic import write_text_atomically
from .frontmatter import dump_entry, split_front_matter
from .rawformat import decode_raw, parse_raw_article, split_raw_lines
from .tree import find_files, taken_slugs
from ..core.config import DEFAULT_MAX_TAGS
from ..core.digests import name_digest
from ..core.errors import SourceError
from ..core.sourcenames import source_name
from ..core.slugs import is_valid_slug, make_slug, tag_identity
from ..model.records import RawArticle


@dataclass
class ImportReport:
    """What one import run did: entries written, articles skipped, notes, files that were bad."""

    written: list[str] = field(default_factory=list)        # entry paths, site-relative, POSIX
    skipped: list[str] = field(default_factory=list)        # duplicates, already imported, exists
    notes: list[str] = field(default_factory=list)          # keywords over max_tags
    errors: list[SourceError] = field(default_factory=list)  # one per bad file


# --- pure helpers: what an entry file says -----------------------------------------------


def url_hash(url: str, length: int = 6) -> str:
    """Return a short, stable hex digest of a URL, used to tell same-titled articles apart."""
    return name_digest(url)[:length]


def candidate_slugs(article: RawArticle) -> list[str]:
    """Return the slugs to try for an article, best first: its title's, then with a URL hash."""
    base = make_slug(article.title)
    return [base] + [f"{base}-{url_hash(article.url, length)}" for length in (6, 8, 12, 64)]


def cap_keywords(article: RawArticle, max_tags: int) -> tuple[RawArticle, str | None]:
    """Return the article with at most max_tags distinct keywords (its first ones), and a note
    saying how many it had when it had more."""
    distinct: dict[str, str] = {}
    for keyword in article.keywords:
        distinct.setdefault(tag_identity(keyword), keyword)
    if len(distinct) <= max_tags:
        return article, None
    kept = tuple(distinct.values())[:max_tags]
    return replace(article, keywords=kept), (
        f"{article.path}: {len(distinct) - max_tags:,} of its {len(distinct):,} keywords "
        f"(only the first {max_tags} become tags: max_tags in sitegen.yaml)")


def entry_front_matter(article: RawArticle, slug: str, imported_from: str,
                       sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the front matter of an article's entry, keys in their documented order."""
    mapping: dict[str, Any] = {
        "title": article.title, "date": article.date.isoformat(), "slug": slug,
        "lead": article.lead,
    }
    if article.summary:
        mapping["summary"] = article.summary
    mapping["tags"] = list(article.keywords)
    mapping["source"] = {"name": source_name(article.url, sources), "url": article.url}
    mapping["dateline"] = article.dateline
    mapping["imported_from"] = imported_from
    mapping["markup"] = "text"  # the body is the scraped text, shown as written
    return mapping


def render_entry(article: RawArticle, slug: str, imported_from: str,
                 sources: Mapping[str, str] | None = None) -> str:
    """Return the text of an article's entry file: front matter, then the paragraphs as they are."""
    return dump_entry(entry_front_matter(article, slug, imported_from, sources),
                      "\n\n".join(article.paragraphs))


def entry_relpath(content_dir: str, article: RawArticle, slug: str) -> str:
    """Return the site-relative POSIX path of an entry: content/YYYY/MM/<slug>.md."""
    day = article.date
    folder = PurePosixPath(Path(content_dir).as_posix())
    return str(folder / f"{day.year:04d}" / f"{day.month:02d}" / f"{slug}.md")


# --- edge: reading sources and existing entries, writing entries --------------------------


def find_raw_files(paths: list[Path]) -> list[Path]:
    """Return the given files plus the *.txt files found recursively in given folders, sorted."""
    return [path for path in expand_sources(paths) if path.is_file()]


def expand_sources(paths: list[Path]) -> list[Path]:
    """Return paths with folders replaced by the raw article files in them (see sources), sorted."""
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.update(find_files(path, ".txt"))
        else:
            found.add(path)  # kept even when missing: the import reports it
    return sorted(found, key=lambda p: p.as_posix())


def scan_entries(content_dir: Path, site_dir: Path) -> tuple[dict[str, str], set[str]]:
    """Return (source URL -> entry path, slugs taken) of existing entries; broken ones skipped,
    though their file names are taken all the same."""
    urls: dict[str, str] = {}
    named: list[tuple[str, str]] = []       # (entry path, slug), for taken_slugs
    for path in find_files(content_dir, ".md"):
        rel = site_relpath(path, site_dir)
        named.append((rel, path.stem))
        try:
            front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeError, SourceError):
            continue
        slug, source = front.get("slug"), front.get("source")
        if isinstance(slug, str) and slug:
            named.append((rel, slug))
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str) and url.strip():
            urls.setdefault(url.strip(), rel)
    return urls, taken_slugs(named)


def site_relpath(path: Path, site_dir: Path) -> str:
    """Return path relative to the site folder in POSIX form (absolute when on another drive)."""
    try:
        return Path(os.path.relpath(Path(path).absolute(), Path(site_dir).absolute())).as_posix()
    except ValueError:
        return Path(path).absolute().as_posix()


def load_raw_article(path: Path, display: str) -> RawArticle:
    """Return the article in a raw file, or raise SourceError (unreadable, not text, malformed)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(display, None, f"cannot read the file: {exc.strerror or exc}",
                          "check that it exists and is readable") from None
    return parse_raw_article(split_raw_lines(decode_raw(data, display)), display)


def import_articles(sources: list[Path], site_dir: Path, content_dir: str = "content",
                    known_urls: Mapping[str, str] | None = None,
                    known_slugs: set[str] | None = None, force: bool = False,
                    max_tags: int = DEFAULT_MAX_TAGS,
                    source_names: Mapping[str, str] | None = None) -> ImportReport:
    """Return the report of importing raw files (or folders of them), in sorted path order.

    Each entry gets at most max_tags of its article's keywords (the site's max_tags setting),
    and its source's name from source_names (the sources setting) or the source's host.
    """
    site_dir = Path(site_dir)
    if known_urls is None or known_slugs is None:
        scanned_urls, scanned_slugs = scan_entries(site_dir / content_dir, site_dir)
        known_urls = scanned_urls if known_urls is None else known_urls
        known_slugs = scanned_slugs if known_slugs is None else known_slugs
    urls, slugs = dict(known_urls), set(known_slugs)
    imported_now: set[str] = set()
    report = ImportReport()
    for path in expand_sources(sources):
        display = site_relpath(path, site_dir)
        try:
            article = load_raw_article(path, display)
        except SourceError as error:
            report.errors.append(error)
            continue
        existing = urls.get(article.url)
        if existing and (article.url in imported_now or not force):
            report.skipped.append(f"{display}: already imported as {existing} "
                                  f"(same source URL); not written again")
            continue
        article, note = cap_keywords(article, max_tags)
        if note:
            report.notes.append(note)
        relpath = existing or _free_entry_relpath(article, site_dir, content_dir, slugs)
        slug = PurePosixPath(relpath).stem
        if not is_valid_slug(slug):  # a hand-renamed entry file: keep its path, fix the slug
            slug = make_slug(slug)
        text = render_entry(article, slug, display, source_names)
        try:
            write_text_atomically(site_dir / relpath, text, overwrite=force)
        except FileExistsError:
            report.skipped.append(f"{display}: {relpath} already exists; not overwritten "
                                  f"(import with force to replace it)")
            continue
        except OSError as exc:
            report.errors.append(SourceError(
                display, None, f"cannot write {relpath}: {exc.strerror or exc}",
                "check the folder's permissions"))
            continue
        urls[article.url] = relpath
        slugs.add(slug)
        imported_now.add(article.url)
        report.written.append(relpath)
    return report


def _free_entry_relpath(article: RawArticle, site_dir: Path, content_dir: str,
                        slugs: set[str]) -> str:
    """Return the entry path of the first candidate slug not in use and not on disk."""
    relpath = ""
    for slug in candidate_slugs(article):
        relpath = entry_relpath(content_dir, article, slug)
        if slug not in slugs and not (site_dir / relpath).exists():
            return relpath
    return relpath  # every candidate taken (a full SHA-256 clash): writing will refuse it
