"""Import raw scraped articles as entry files: content/YYYY/MM/<slug>.md (edge: disk I/O).

Sources are raw text files (*.txt, one article each), JSON Lines files (*.jsonl) and RSS or
Atom feeds saved to a file (*.rss, *.atom, *.xml), one article per line or item. Entry files
are written atomically, a batch as one group commit (see atomic), and never replace an existing
file unless force is given; an article whose source URL (compared as url_key makes it) already
has an entry is reported as a duplicate, not written again.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Mapping, Sequence

from .atomic import SyncGroup, commit_temp_file, sync_folders, write_temp_file
from .content import parse_entry
from .eventinference import infer_event_date
from .feedformat import parse_feed
from .frontmatter import dump_entry, split_front_matter
from .jsonlines import parse_json_lines
from .language import detect_language
from .rawformat import decode_raw, parse_raw_article, split_raw_lines
from .tree import (FEED_SUFFIXES, JSON_LINES_SUFFIX, RAW_SUFFIXES, find_files, is_in_folder,
                   is_inside, refuse_outside_link, taken_slugs)
from .urlnorm import url_key
from ..core.config import DEFAULT_MAX_TAGS
from ..core.digests import digest_bytes, name_digest
from ..core.errors import SourceError
from ..core.sourcenames import source_name
from ..core.slugs import is_valid_slug, make_slug, tag_identity
from ..model.records import Entry, RawArticle

# map_chunks(task, items): the concatenated task(chunk) results over chunks of items, in order
ChunkMap = Callable[[Callable[[Sequence], list], Sequence], list]


@dataclass
class ImportReport:
    """What one import run did: entries written, articles skipped, notes, files that were bad."""

    written: list[str] = field(default_factory=list)        # entry paths, site-relative, POSIX
    skipped: list[str] = field(default_factory=list)        # duplicates, already imported, exists
    notes: list[str] = field(default_factory=list)          # keywords over max_tags
    errors: list[SourceError] = field(default_factory=list)  # one per bad file
    # each source file read -> its articles' URLs ([] when any of them could not be read)
    source_urls: dict[Path, list[str]] = field(default_factory=dict, compare=False)
    # with a time zone given: each entry written -> the Entry it is (or why it is none)
    entries: dict[str, Entry | SourceError] = field(default_factory=dict, compare=False)
    # each article's source URL read -> its url_key, made by the workers
    url_keys: dict[str, str] = field(default_factory=dict, compare=False)


# --- pure helpers: what an entry file says -----------------------------------------------


def url_hash(url: str, length: int = 6) -> str:
    """Return a short, stable hex digest of a URL, used to tell same-titled articles apart."""
    return name_digest(url)[:length]


def candidate_slugs(article: RawArticle) -> list[str]:
    """Return the slugs to try for an article, best first: its title's, then with a URL hash."""
    return list(slug_candidates(make_slug(article.title), article.url))


def slug_candidates(base: str, url: str) -> Iterator[str]:
    """Yield the slugs to try for an article whose title gives the slug base and whose source
    URL is url, best first, each made only when the one before is taken."""
    yield base
    for length in (6, 8, 12, 64):
        yield f"{base}-{url_hash(url, length)}"


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
                       event_date: Any = None, sources: Mapping[str, str] | None = None
                       ) -> dict[str, Any]:
    """Return the front matter of an article's entry, keys in their documented order; the
    source is named under the site's sources setting.

    The event date is event_date when given (a value set by hand in the entry an import
    replaces), else the one its first sentence names, with the words it was read from.
    """
    mapping: dict[str, Any] = {"title": article.title, "date": article.date.isoformat()}
    inferred = None if event_date is not None else infer_event_date(article)
    if event_date is not None:
        mapping["event_date"] = event_date
    elif inferred:
        mapping["event_date"] = inferred.day.isoformat()
        mapping["event_date_inferred"] = inferred.words
    mapping.update(slug=slug, lead=article.lead)
    if article.summary:
        mapping["summary"] = article.summary
    mapping["tags"] = list(article.keywords)
    mapping["source"] = {"name": source_name(article.url, sources), "url": article.url}
    mapping["dateline"] = article.dateline
    if article.lang:
        mapping["lang"] = article.lang
    mapping["imported_from"] = imported_from
    mapping["markup"] = "text"  # the body is the scraped text, shown as written
    return mapping


def render_entry(article: RawArticle, slug: str, imported_from: str,
                 event_date: Any = None, sources: Mapping[str, str] | None = None) -> str:
    """Return the text of an article's entry file: front matter, then the paragraphs as they are."""
    return dump_entry(entry_front_matter(article, slug, imported_from, event_date, sources),
                      "\n\n".join(article.paragraphs))


def entry_relpath(content_dir: str, article: RawArticle, slug: str) -> str:
    """Return the site-relative POSIX path of an entry: content/YYYY/MM/<slug>.md."""
    day = article.date
    return f"{_folder_prefix(content_dir)}{day.year:04d}/{day.month:02d}/{slug}.md"


@functools.lru_cache(maxsize=8)
def _folder_prefix(folder: str) -> str:
    """Return the POSIX form of a folder as a prefix of the paths in it: 'content/', '' for '.'."""
    name = str(PurePosixPath(Path(folder).as_posix()))
    return "" if name == "." else name if name.endswith("/") else name + "/"


# --- edge: reading sources and existing entries, writing entries --------------------------


def find_raw_files(paths: list[Path], site: Path | None = None) -> list[Path]:
    """Return the given files plus the raw article files (RAW_SUFFIXES) found recursively in
    given folders, sorted.

    With the site folder given, a link inside it that leads out of it is refused (see tree)."""
    return [path for path in expand_sources(paths, site) if path.is_file()]


def expand_sources(paths: list[Path], site: Path | None = None) -> list[Path]:
    """Return paths with folders replaced by the raw article files in them (see sources), sorted.

    Links in a path inside the site folder site (by its name, or where it leads) may not lead
    out of it; a path outside the site was named by the user and is read as it is."""
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        named_inside = site is not None and is_inside(os.path.abspath(path), os.path.abspath(site))
        boundary = site if named_inside or (site is not None and is_in_folder(path, site)) else None
        if path.is_dir():
            found.update(find_files(path, RAW_SUFFIXES, boundary))
        else:
            refuse_outside_link(path, boundary)
            found.add(path)  # kept even when missing: the import reports it
    return sorted(found, key=lambda p: p.as_posix())


def scan_entries(content_dir: Path, site_dir: Path) -> tuple[dict[str, str], set[str]]:
    """Return (source URL -> entry path, slugs taken) of existing entries; broken ones skipped,
    though their file names are taken all the same."""
    urls: dict[str, str] = {}
    named: list[tuple[str, str]] = []       # (entry path, slug), for taken_slugs
    for path in find_files(content_dir, ".md", site_dir):
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
    full, base = os.path.abspath(path), os.path.abspath(site_dir).rstrip(os.sep)
    if full.startswith(base + os.sep):   # inside it, as os.path.relpath finds, without its walk
        return full[len(base) + 1:].replace(os.sep, "/")
    try:
        return Path(os.path.relpath(Path(path).absolute(), Path(site_dir).absolute())).as_posix()
    except ValueError:
        return Path(path).absolute().as_posix()


def load_raw_articles(path: Path, display: str) -> list[RawArticle | SourceError]:
    """Return each article in a raw file, JSON Lines file or feed, or the error that keeps it
    out (a bad file is one error)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [SourceError(display, None, f"cannot read the file: {exc.strerror or exc}",
                            "check that it exists and is readable")]
    suffix = path.suffix.lower()
    try:
        if suffix in FEED_SUFFIXES:
            return list(parse_feed(data, display))
        if suffix == JSON_LINES_SUFFIX:
            return list(parse_json_lines(decode_raw(data, display), display))
        return [parse_raw_article(split_raw_lines(decode_raw(data, display)), display)]
    except SourceError as error:
        return [error]


def with_language(article: RawArticle) -> RawArticle:
    """Return the article with its lang: the source's, else detected from its text."""
    if article.lang:
        return article
    text = "\n".join([article.title, article.lead, *article.paragraphs])
    return replace(article, lang=detect_language(text))


def map_in_process(task: Callable[[Sequence], list], items: Sequence) -> list:
    """Return task(items): all the work in this process, as one chunk."""
    return task(items)


@dataclass(frozen=True)
class _Planned:
    """An article to write as an entry: where, under which slug, replacing a file or not."""

    article: RawArticle
    relpath: str
    slug: str
    overwrite: bool


@dataclass(frozen=True)
class _Prepared:
    """What a worker made of one article: its entry in a temp file, written where the
    first candidate slug puts it (or where its URL's entry is, to replace it), or nothing when
    an entry had its URL before and nothing may be replaced.

    The article's text stays in the worker (it would be most of what crosses back): the rare
    article written again, whose slug an article of another worker's took, is read again from
    its raw file."""

    url: str                                  # the article's source URL
    display: str                              # its raw file, as messages name it
    source: Path                              # its raw file
    index: int                                # its place among the articles read from source
    key: str                                  # url_key(url)
    first: str = ""                           # the path its first candidate slug gives
    relpath: str = ""                         # "" when not written
    note: str | None = None                   # keywords over max_tags
    temp: str | OSError | None = None         # the temp file, or why there is none
    entry: Entry | SourceError | None = None  # as the build reads it, when tz is given


def import_articles(sources: list[Path], site_dir: Path, content_dir: str = "content",
                    known_urls: Mapping[str, str] | None = None,
                    known_slugs: set[str] | None = None, force: bool = False,
                    max_tags: int = DEFAULT_MAX_TAGS,
                    source_names: Mapping[str, str] | None = None,
                    map_chunks: ChunkMap = map_in_process,
                    tz: datetime.tzinfo | None = None) -> ImportReport:
    """Return the report of importing raw files (or folders of them), in sorted path order.

    Each entry gets at most max_tags of its article's keywords (the site's max_tags setting),
    and its source's name from source_names (the sources setting) or the source's host.
    map_chunks(task, items) runs task over chunks of items, maybe in worker processes: each
    raw file is read, and its articles written to temp files, in one pass there, under
    the slug their title gives; which article gets which slug is then decided here, in order,
    and the rare article whose slug is taken is written again here. With tz given, the report
    holds each entry written as the build reads it (report.entries). The entries are committed
    as a group (see atomic).
    """
    site_dir = Path(site_dir)
    if known_urls is None or known_slugs is None:
        scanned_urls, scanned_slugs = scan_entries(site_dir / content_dir, site_dir)
        known_urls = scanned_urls if known_urls is None else known_urls
        known_slugs = scanned_slugs if known_slugs is None else known_slugs
    report = ImportReport()
    paths = expand_sources(sources)
    # url_key -> (entry path, the URL it was imported from); forked workers inherit it
    urls = {url_key(url): (rel, url) for url, rel in known_urls.items()}

    def import_chunk(chunk: Sequence[Path]) -> list:
        return _prepare_files(chunk, site_dir, content_dir, urls, known_slugs, force, max_tags,
                              source_names, tz)

    with SyncGroup(site_dir) as group:   # made before any entry is written: see SyncGroup
        loaded = map_chunks(import_chunk, paths)
        for path, items in zip(paths, loaded):
            failed = any(isinstance(item, SourceError) for item in items)
            report.source_urls[path] = [] if failed else [item.url for item in items]
            report.url_keys.update((item.url, item.key) for item in items
                                   if isinstance(item, _Prepared))
        steps = _plan_writes(loaded, site_dir, urls, known_slugs, force, max_tags,
                             source_names, tz)
        _commit(steps, group, site_dir, force, report)
    return report


def _prepare_files(paths: Sequence[Path], site_dir: Path, content_dir: str,
                   urls: Mapping[str, tuple[str, str]], known_slugs: set[str], force: bool,
                   max_tags: int, source_names: Mapping[str, str] | None,
                   tz: datetime.tzinfo | None) -> list[list[SourceError | _Prepared]]:
    """Return each raw file's articles as temp entry files, not yet synced (or the errors that
    keep them out); an article whose URL has an entry already, or an earlier one of these
    files, is written only to replace it. Each takes the first slug that no entry and no
    earlier article of these files has (the plan checks that against the other workers')."""
    files: list[list[SourceError | _Prepared]] = []
    slugs_here: set[str] = set()
    keys_here: set[str] = set()

    def taken(slug: str, relpath: str) -> bool:
        return slug in known_slugs or slug in slugs_here

    for path in paths:
        items: list[SourceError | _Prepared] = []
        for index, article in enumerate(load_raw_articles(path, site_relpath(path, site_dir))):
            if isinstance(article, SourceError):
                items.append(article)
                continue
            key = url_key(article.url)
            read = _Prepared(article.url, article.path, path, index, key)
            existing = urls.get(key, ("", ""))[0]
            if (existing and not force) or key in keys_here:
                items.append(read)   # a duplicate: the plan says so
                continue
            first = existing or entry_relpath(content_dir, article, make_slug(article.title))
            relpath = existing or _free_relpath(first, article.url, taken)
            note, temp, entry = _write_temp_entry(_Planned(article, relpath, _slug_of(relpath),
                                                           force), site_dir, max_tags,
                                                  source_names, tz)
            keys_here.add(key)
            slugs_here.add(_slug_of(relpath))
            items.append(replace(read, first=first, relpath=relpath, note=note, temp=temp,
                                 entry=entry))
        files.append(items)
    return files


def _slug_of(relpath: str) -> str:
    """Return the slug of an entry written at relpath: its file name's, made safe if need be
    (a hand-renamed entry file keeps its path)."""
    name = relpath.rpartition("/")[2]
    slug = (name[:-len(".md")] if name.endswith(".md") and len(name) > 3
            else PurePosixPath(name).stem)
    return slug if is_valid_slug(slug) else make_slug(slug)


def _plan_writes(loaded: Sequence[Sequence[SourceError | _Prepared]],
                 site_dir: Path, urls: dict[str, tuple[str, str]], known_slugs: set[str],
                 force: bool, max_tags: int, source_names: Mapping[str, str] | None,
                 tz: datetime.tzinfo | None) -> list[SourceError | str | _Prepared]:
    """Return what to do with each article, in order (its error, a skip message, or its entry
    to commit): each article takes a free slug, and a source URL is written once. An article
    whose slug turns out to be taken is written again here under the next free one; a
    duplicate's temp file is removed."""
    slugs = set(known_slugs)
    imported_now: set[str] = set()
    on_disk = _FolderListing(site_dir)
    steps: list[SourceError | str | _Prepared] = []
    for items in loaded:
        for item in items:
            if isinstance(item, SourceError):
                steps.append(item)
                continue
            existing, existing_url = urls.get(item.key, ("", ""))
            if existing and (item.key in imported_now or not force):
                _discard(item)
                steps.append(duplicate_message(item.display, item.url, existing, existing_url))
                continue
            relpath = existing or _free_relpath(
                item.first, item.url, lambda slug, path: slug in slugs or on_disk(path))
            if relpath != item.relpath:   # its slug is taken: write it again here
                _discard(item)
                article = _read_again(item)
                if isinstance(article, SourceError):
                    steps.append(article)
                    continue
                note, temp, entry = _write_temp_entry(
                    _Planned(article, relpath, _slug_of(relpath), force), site_dir, max_tags,
                    source_names, tz)
                item = replace(item, relpath=relpath, note=note, temp=temp, entry=entry)
            steps.append(item)
            urls[item.key] = (relpath, item.url)
            slugs.add(_slug_of(relpath))
            imported_now.add(item.key)
    return steps


def _free_relpath(first: str, url: str, taken: Callable[[str, str], bool]) -> str:
    """Return the entry path of the first candidate slug (see slug_candidates) for which
    taken(slug, its path) is false, given the path the first candidate gives and the URL."""
    folder, _, name = first.rpartition("/")
    relpath = first
    for slug in slug_candidates(name[:-len(".md")], url):
        relpath = f"{folder}/{slug}.md" if folder else f"{slug}.md"
        if not taken(slug, relpath):
            return relpath
    return relpath  # every candidate taken (a full SHA-256 clash): writing will refuse it


def _read_again(item: _Prepared) -> RawArticle | SourceError:
    """Return the article a worker read, read again from its raw file, or why it cannot be."""
    articles = load_raw_articles(item.source, item.display)
    article = articles[item.index] if item.index < len(articles) else None
    if isinstance(article, RawArticle) and article.url == item.url:
        return article
    return SourceError(item.display, None, "the file changed while it was being imported",
                       "build again to import it as it is now")


class _FolderListing:
    """Whether a site-relative path exists, each folder listed once instead of a stat a path."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self.names: dict[str, set[str] | None] = {}   # folder -> its names, case-folded

    def __call__(self, relpath: str) -> bool:
        """Return whether relpath exists (a listed name is checked, so case-insensitive file
        systems and links behave as exists() does)."""
        folder, _, name = relpath.rpartition("/")
        if folder not in self.names:
            try:
                self.names[folder] = {found.casefold() for found in os.listdir(
                    self.site_dir / folder)}
            except FileNotFoundError:
                self.names[folder] = set()
            except OSError:
                self.names[folder] = None     # unreadable: ask for each path
        names = self.names[folder]
        if names is not None and name.casefold() not in names:
            return False
        return (self.site_dir / relpath).exists()


def _discard(item: _Prepared) -> None:
    """Remove the temp file a worker wrote for an article that will not be committed there."""
    if isinstance(item.temp, str):
        _remove(Path(item.temp))


def _write_temp_entry(plan: _Planned, site_dir: Path, max_tags: int,
                      source_names: Mapping[str, str] | None, tz: datetime.tzinfo | None
                      ) -> tuple[str | None, str | OSError, Entry | SourceError | None]:
    """Return (keywords note, the unsynced temp file holding the entry or why it could not be
    written, the entry as the build reads it when tz is given)."""
    article, note = cap_keywords(with_language(plan.article), max_tags)
    # Only an entry replaced may have an event date set by hand to keep.
    event_date = _confirmed_event_date(site_dir / plan.relpath) if plan.overwrite else None
    front_matter = entry_front_matter(article, plan.slug, article.path, event_date, source_names)
    data = dump_entry(front_matter, "\n\n".join(article.paragraphs)).encode()
    try:
        temp: str | OSError = str(write_temp_file(site_dir / plan.relpath, data, sync=False))
    except OSError as exc:
        return note, exc, None
    entry = None
    if tz is not None:
        try:
            entry = parse_entry(data.decode(), plan.relpath, tz=tz, digest=digest_bytes(data),
                                front_matter=front_matter)
        except SourceError as error:
            entry = error
    return note, temp, entry


def _commit(steps: Sequence[SourceError | str | _Prepared], group: SyncGroup, site_dir: Path,
            overwrite: bool, report: ImportReport) -> None:
    """Sync the temp files together, then give each its entry's name (replacing a file there
    when overwrite) and sync each folder once; record every step's outcome in report, in
    order. No temp file is left, whatever happens."""
    temps = {item.temp for item in steps
             if isinstance(item, _Prepared) and isinstance(item.temp, str)}
    try:
        pending = sorted(temps)
        failed = {temp: problem for temp, problem in zip(pending, group.sync(pending))
                  if problem is not None}
        folders: set[str] = set()
        for step in steps:
            if isinstance(step, SourceError):
                report.errors.append(step)
            elif isinstance(step, str):
                report.skipped.append(step)
            else:
                if step.note:
                    report.notes.append(step.note)
                committed = _commit_one(step, failed.get(step.temp, step.temp), site_dir,
                                         overwrite, report)
                if step.temp not in failed:
                    temps.discard(step.temp)   # committing removed it, whatever happened
                if committed:
                    folders.add(os.path.dirname(os.path.join(site_dir, step.relpath)))
                    if step.entry is not None:
                        report.entries[step.relpath] = step.entry
        sync_folders(map(Path, folders | {os.path.dirname(folder) for folder in folders}))
    finally:
        for temp in temps:
            _remove(Path(temp))


def _commit_one(item: _Prepared, temp: str | OSError | None, site_dir: Path, overwrite: bool,
                report: ImportReport) -> bool:
    """Give an entry's synced temp file its name; return whether it was written, recording
    what happened in report."""
    display, relpath = item.display, item.relpath
    try:
        if isinstance(temp, OSError):
            raise temp
        commit_temp_file(temp, os.path.join(site_dir, relpath), overwrite=overwrite)
    except FileExistsError:
        report.skipped.append(f"{display}: {relpath} already exists; not overwritten "
                              f"(import with force to replace it)")
        return False
    except OSError as exc:
        report.errors.append(SourceError(
            display, None, f"cannot write {relpath}: {exc.strerror or exc}",
            "check the folder's permissions"))
        return False
    report.written.append(relpath)
    return True


def _remove(path: Path) -> None:
    """Remove a file if it is there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def duplicate_message(display: str, url: str, entry: str, entry_url: str) -> str:
    """Return what import says of an article (from the raw file display, with the source URL
    url) whose source already has an entry."""
    if entry_url in ("", url):
        return f"{display}: already imported as {entry} (same source URL); not written again"
    return (f"{display}: already imported as {entry}, from {entry_url} (the same source URL "
            f"as {url}, ignoring scheme, www., trailing slash, fragment and tracking "
            "parameters); not written again")


def _confirmed_event_date(path: Path) -> Any:
    """Return the event_date an existing entry file sets by hand (or has confirmed), which a
    forced import keeps, or None."""
    try:
        front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeError, SourceError):
        return None
    if "event_date_inferred" in front:
        return None
    return front.get("event_date")
