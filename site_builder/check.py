"""`sitegen check`: find every problem a build would meet, and broken links in a built site.

Reads the site the way the build does (same loaders), plans it in memory without rendering or
writing anything, and, when a built output exists, checks its internal links and anchors.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlsplit

from . import cache
from .core.config import Config, load_config
from .core.errors import SitegenError, SourceError
from .core.urls import output_file, permalink_path
from .model.records import Entry, RawArticle
from .model.site import build_site
from .outputs.folder import output_folder_problem
from .outputs.linkcheck import find_broken_links, load_output
from .outputs.plan import build_plan
from .sources import ingest
from .sources.content import (event_link_errors, file_key_line, load_entries, parse_entry,
                              tag_cap_warnings)
from .sources.tree import find_files, taken_slugs

PAGES_SIZE_LIMIT = 1_000_000_000   # bytes: GitHub Pages publishes sites up to 1 GB
_CANONICAL = re.compile(rb"<link\s[^>]*rel=[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']?([^\"'\s>]+)", re.IGNORECASE)


def check_site(site_dir: Path, output_dir: Path | None = None, base_url: str | None = None,
               log: Callable[[str], None] = lambda message: None) -> list[str]:
    """Return every problem found in the site (config, raw articles, entries, clashes, links)."""
    site_dir = Path(site_dir)
    try:
        config = load_config(site_dir, {"base_url": base_url})
    except SitegenError as exc:
        return [str(exc)]
    problems: list[str] = []

    seeds = site_dir / config.seeds_dir
    raw_files = ingest.find_raw_files([seeds]) if seeds.is_dir() else []
    articles: list[RawArticle] = []
    for path in raw_files:
        try:
            articles.append(ingest.load_raw_article(path, ingest.site_relpath(path, site_dir)))
        except SourceError as exc:
            problems.append(str(exc))
    log(f"checked {len(raw_files)} raw article(s) in {config.seeds_dir}/")

    files = find_files(site_dir / config.content_dir, ".md")
    entries, errors = load_entries(site_dir, files, config.tz)
    problems += [str(e) for e in errors]
    log(f"checked {len(files)} entr{'y' if len(files) == 1 else 'ies'} in {config.content_dir}/")
    for warning in tag_cap_warnings(entries, config, site_dir):
        log(warning)

    pending, pending_errors = pending_entries(articles, entries, config)
    problems += pending_errors
    clashes = find_slug_clashes(entries + pending, config, site_dir)
    problems += clashes
    if not clashes:
        try:
            site = build_site(entries + pending, config)
            problems += [str(error) for error in event_link_errors(site, site_dir)]
            plan = build_plan(site, config)
            log(f"planned {len(plan)} output files")
        except SitegenError as exc:
            problems.append(str(exc))

    problems += check_output(site_dir, config, output_dir, base_url, log)
    return problems


def pending_entries(articles: Sequence[RawArticle], entries: Sequence[Entry],
                    config: Config) -> tuple[list[Entry], list[str]]:
    """Return (entries, problems) for the raw articles the next build will import, in memory."""
    urls = {e.source_url for e in entries if e.source_url}
    slugs = taken_slugs((e.path, e.slug) for e in entries)
    made: list[Entry] = []
    problems: list[str] = []
    for article in articles:
        if article.url in urls:
            continue
        article, _ = ingest.cap_keywords(article, config.max_tags)
        candidates = ingest.candidate_slugs(article)
        slug = next((s for s in candidates if s not in slugs), candidates[-1])
        path = ingest.entry_relpath(config.content_dir, article, slug)
        try:
            made.append(parse_entry(ingest.render_entry(article, slug, article.path, config.sources), path,
                                    tz=config.tz))
        except SourceError as exc:  # the importer would write an entry the loader refuses
            problems.append(f"{article.path}: would be imported as an entry that does not load: "
                            f"{exc.message} (please report this as a sitegen bug)")
        urls.add(article.url)
        slugs.add(slug)
    return made, problems


def find_slug_clashes(entries: Sequence[Entry], config: Config, site_dir: Path) -> list[str]:
    """Return a problem for each entry whose page another entry's page would overwrite."""
    by_output: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        page = output_file(permalink_path(config.permalink, entry.slug, entry.date))
        by_output[page].append(entry)
    problems = []
    for output, sharing in sorted(by_output.items()):
        if len(sharing) < 2:
            continue
        first = sharing[0]
        for entry in sharing[1:]:
            line = file_key_line(site_dir / entry.path, "slug", "title")
            where = f"{entry.path}:{line}" if line else entry.path
            problems.append(f"{where}: slug '{entry.slug}' gives the same page ({output}) as "
                            f"{first.path} (change one of the slugs)")
    return problems


def check_output(site_dir: Path, config: Config, output_dir: Path | None,
                 base_url: str | None, log: Callable[[str], None]) -> list[str]:
    """Return the broken links and anchors of the built output, if there is one, and whether
    it is too big for GitHub Pages."""
    out_dir = Path(output_dir) if output_dir else site_dir / config.output_dir
    cache_dir = site_dir / cache.CACHE_DIR
    built_before = cache.has_old_manifest(cache_dir, out_dir) or bool(
        cache.load_manifest(cache_dir, out_dir).outputs)
    problem = output_folder_problem(site_dir, out_dir, config, built_before)
    if problem:
        return [problem]
    if not out_dir.is_dir():
        if output_dir:
            return [f"{out_dir}: no such folder (build the site first, or give --output)"]
        log(f"no built site in {out_dir}: links not checked (run sitegen build first)")
        return []
    pages = load_output(out_dir)
    base_path = config.base_path if base_url else (built_base_path(pages) or config.base_path)
    problems = find_broken_links(pages, base_path)
    log(f"checked the links of {sum(p.endswith('.html') for p in pages)} page(s) in {out_dir} "
        f"(base path {base_path})")
    found = [f"{out_dir.as_posix()}/{problem}" for problem in problems]
    size = sum((out_dir / rel).stat().st_size for rel in pages)
    log(f"the built site is {size / 1e6:,.1f} MB in {len(pages):,} files")
    if size > PAGES_SIZE_LIMIT:
        found.append(f"{out_dir.as_posix()}: {size / 1e9:.2f} GB, over GitHub Pages' limit of "
                     f"{PAGES_SIZE_LIMIT / 1e9:g} GB for a published site")
    return found


def built_base_path(pages: dict[str, bytes]) -> str | None:
    """Return the base path a site was built with, read from its home page's canonical link."""
    home = pages.get("index.html", b"")
    tag = _CANONICAL.search(home)
    href = _HREF.search(tag.group()) if tag else None
    if not href:
        return None
    path = urlsplit(href.group(1).decode("utf-8", "replace")).path or "/"
    return path if path.endswith("/") else path + "/"
