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
from .build import distinct_errors, year_links
from .core.config import CONFIG_FILE, Config, load_config
from .core.errors import SitegenError, SourceError
from .core.urls import output_file, permalink_path
from .model.records import Entry, RawArticle, Site
from .model.site import build_site
from .outputs.folder import output_folder_problem
from .outputs.linkcheck import find_broken_links, load_output
from .outputs.plan import Output, PageOutput, build_plan
from .core.i18n import ENGLISH
from .outputs.catalogs import load_language
from .outputs.render import load_theme, render_page, theme_dir
from .sources import ingest
from .sources.content import (event_date_warnings, event_link_errors, file_key_line,
                              inferred_event_dates, load_entries, parse_entry, tag_cap_warnings)
from .sources.tree import RAW_SUFFIXES, find_files, scan_tree, taken_slugs
from .sources.urlnorm import url_key

PAGES_SIZE_LIMIT = 1_000_000_000   # bytes: GitHub Pages publishes sites up to 1 GB
OUTSIDE_SHOWN = 3   # links outside the base path listed by name; more are summarised
OUTSIDE = "leads outside the site's base path"
_CANONICAL = re.compile(rb"<link\s[^>]*rel=[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"href=[\"']?([^\"'\s>]+)", re.IGNORECASE)


def scan_sources(root: Path, suffix: str | tuple[str, ...], site_dir: Path, problems: list[str]) -> list[Path]:
    """Return the source files below root as the build finds them; adds to problems the link
    for which the build would refuse the folder (then no file is returned)."""
    try:
        return find_files(root, suffix, site_dir)
    except SourceError as exc:
        problems.append(str(exc))
        return []


def check_site(site_dir: Path, output_dir: Path | None = None, base_url: str | None = None,
               log: Callable[[str], None] = lambda message: None,
               warn: Callable[[str], None] | None = None) -> list[str]:
    """Return every problem found in the site (config, raw articles, entries, templates,
    clashes, links); warn (log when not given) hears of an output older than its sources."""
    site_dir = Path(site_dir)
    try:
        config = load_config(site_dir, {"base_url": base_url})
    except SitegenError as exc:
        return [str(exc)]
    problems: list[str] = []

    raw_files = scan_sources(site_dir / config.seeds_dir, RAW_SUFFIXES, site_dir, problems)
    articles: list[RawArticle] = []
    for path in raw_files:
        for item in ingest.load_raw_articles(path, ingest.site_relpath(path, site_dir)):
            if isinstance(item, SourceError):
                problems.append(str(item))
            else:
                articles.append(item)
    log(f"checked {len(raw_files)} raw article(s) in {config.seeds_dir}/")

    files = scan_sources(site_dir / config.content_dir, ".md", site_dir, problems)
    templates_refused = len(problems)
    scan_sources(site_dir / config.templates_dir, "", site_dir, problems)   # links leading out
    templates_refused = len(problems) > templates_refused
    entries, errors = load_entries(site_dir, files, config.tz)
    problems += [str(e) for e in errors]
    log(f"checked {len(files)} entr{'y' if len(files) == 1 else 'ies'} in {config.content_dir}/")
    for warning in tag_cap_warnings(entries, config, site_dir) + \
            event_date_warnings(entries, site_dir):
        (warn or log)(warning)
    for line in inferred_event_dates(entries, site_dir):
        log(line)

    language, catalog_broken = ENGLISH, False
    if not templates_refused:    # the site's catalog lies in its templates folder
        try:
            loaded = load_language(site_dir, config, theme_dir())
            language = loaded.language
            if loaded.warning:
                (warn or log)(loaded.warning)
        except SitegenError as exc:
            problems.append(str(exc))
            catalog_broken = True

    pending, pending_errors = pending_entries(articles, entries, config)
    problems += pending_errors
    clashes = find_slug_clashes(entries + pending, config, site_dir)
    problems += clashes
    if not clashes:
        try:
            site = build_site(entries + pending, config)
            problems += [str(error) for error in event_link_errors(site, site_dir)]
            plan = build_plan(site, config, language=language)
            log(f"planned {len(plan)} output files")
            if not (templates_refused or catalog_broken):   # loading the theme would meet them
                problems += render_each_template(site_dir, config, site, plan, log)
        except SitegenError as exc:
            problems.append(str(exc))

    problems += check_output(site_dir, config, output_dir, base_url, log, warn or log)
    return problems


def render_each_template(site_dir: Path, config: Config, site: Site, plan: Sequence[Output],
                         log: Callable[[str], None]) -> list[str]:
    """Return the errors of rendering, in memory, the first page of the plan made with each
    template: the template errors a build would stop on."""
    theme = load_theme(site_dir, config, year_links(site, config))
    first: dict[str, PageOutput] = {}
    for item in plan:
        if isinstance(item, PageOutput):
            first.setdefault(item.template, item)
    errors: list[SitegenError] = []
    for item in first.values():
        try:
            render_page(theme.env, item.template, item.view)
        except SitegenError as exc:
            errors.append(exc)
    log(f"rendered one page with each of {len(first)} templates")
    return [str(error) for error in distinct_errors(errors, site_dir.resolve())]


def pending_entries(articles: Sequence[RawArticle], entries: Sequence[Entry],
                    config: Config) -> tuple[list[Entry], list[str]]:
    """Return (entries, problems) for the raw articles the next build will import, in memory."""
    urls = {url_key(e.source_url) for e in entries if e.source_url}   # as the import compares
    slugs = taken_slugs((e.path, e.slug) for e in entries)
    made: list[Entry] = []
    problems: list[str] = []
    for article in articles:
        if url_key(article.url) in urls:
            continue
        article, _ = ingest.cap_keywords(article, config.max_tags)
        candidates = ingest.candidate_slugs(article)
        slug = next((s for s in candidates if s not in slugs), candidates[-1])
        path = ingest.entry_relpath(config.content_dir, article, slug)
        try:
            text = ingest.render_entry(article, slug, article.path, sources=config.sources)
            made.append(parse_entry(text, path, tz=config.tz))
        except SourceError as exc:  # the importer would write an entry the loader refuses
            problems.append(f"{article.path}: would be imported as an entry that does not load: "
                            f"{exc.message} (please report this as a sitegen bug)")
        urls.add(url_key(article.url))
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
                 base_url: str | None, log: Callable[[str], None],
                 warn: Callable[[str], None]) -> list[str]:
    """Return the broken links and anchors of the built output, if there is one, and whether
    it is too big for GitHub Pages."""
    out_dir = Path(output_dir) if output_dir else site_dir / config.output_dir
    cache_dir = site_dir / cache.CACHE_DIR
    built_before = cache.has_old_manifest(cache_dir, out_dir) or bool(
        cache.load_manifest(cache_dir, out_dir).outputs)
    problem = output_folder_problem(site_dir, out_dir, config, built_before)
    if problem:
        return [problem]
    shown = ingest.site_relpath(out_dir, site_dir)
    if not out_dir.is_dir():
        if output_dir:
            return [f"{out_dir}: no such folder (build the site first, or give --output)"]
        log(f"no built site in {shown}: links not checked (run sitegen build first)")
        return []
    pages = load_output(out_dir)
    stale = stale_output_warning(site_dir, config, out_dir, shown)
    if stale:
        warn(stale)
    base_path = config.base_path if base_url else (built_base_path(pages) or config.base_path)
    problems = find_broken_links(pages, base_path)
    log(f"checked the links of {sum(p.endswith('.html') for p in pages)} page(s) in {shown} "
        f"(base path {base_path})")
    found = summarise_outside(
        shown, [f"{shown}/{problem}" for problem in problems], base_path, base_url)
    size = sum((out_dir / rel).stat().st_size for rel in pages)
    log(f"the built site is {size / 1e6:,.1f} MB in {len(pages):,} files")
    if size > PAGES_SIZE_LIMIT:
        found.append(f"{shown}: {size / 1e9:.2f} GB, over GitHub Pages' limit of "
                     f"{PAGES_SIZE_LIMIT / 1e9:g} GB for a published site")
    return found


def stale_output_warning(site_dir: Path, config: Config, out_dir: Path, shown: str) -> str | None:
    """Return a warning when a source of the site changed after the output was last built
    (by the time of the build's record of the folder), else None."""
    try:
        built = cache.manifest_path(site_dir / cache.CACHE_DIR, out_dir).stat().st_mtime_ns
    except OSError:
        return None   # built elsewhere (a CI runner): nothing to compare with
    try:
        sources = {**scan_tree(site_dir / config.content_dir, ".md", site_dir),
                   **scan_tree(site_dir / config.seeds_dir, RAW_SUFFIXES, site_dir),
                   **scan_tree(site_dir / config.templates_dir, "", site_dir)}
    except SourceError:
        return None   # a link the build refuses: reported with the sources already
    config_file = site_dir / CONFIG_FILE
    if config_file.is_file():
        sources[str(config_file)] = (config_file.stat().st_mtime_ns, 0)
    newer = [path for path, (mtime, _) in sources.items() if mtime > built]
    if not newer:
        return None
    first = ingest.site_relpath(Path(max(newer, key=lambda path: sources[path][0])), site_dir)
    more = f" and {len(newer) - 1:,} other source(s)" if len(newer) > 1 else ""
    return (f"{shown}: warning: older than its sources ({first}{more} changed after the last "
            f"build): run sitegen build, then check its links again")


def summarise_outside(out: str, problems: list[str], base_path: str,
                      base_url: str | None) -> list[str]:
    """Return the problems with the links that lead outside the base path, when there are
    more than OUTSIDE_SHOWN (a site built for another base URL), told as one problem that
    shows the first few."""
    outside = [problem for problem in problems if OUTSIDE in problem]
    if len(outside) <= OUTSIDE_SHOWN:
        return problems
    rebuild = f"rebuild with --base-url {base_url}" if base_url else \
        "rebuild with the --base-url it is published at"
    shown = "".join(f"\n  {problem}" for problem in outside[:OUTSIDE_SHOWN])
    summary = (f"{out}: {len(outside):,} internal links point outside {base_path} (the site was "
               f"built for another base URL): {rebuild}, or check it with the --base-url it was "
               f"built for; the first {OUTSIDE_SHOWN}:{shown}")
    return [summary] + [problem for problem in problems if OUTSIDE not in problem]


def built_base_path(pages: dict[str, bytes]) -> str | None:
    """Return the base path a site was built with, read from its home page's canonical link."""
    home = pages.get("index.html", b"")
    tag = _CANONICAL.search(home)
    href = _HREF.search(tag.group()) if tag else None
    if not href:
        return None
    path = urlsplit(href.group(1).decode("utf-8", "replace")).path or "/"
    return path if path.endswith("/") else path + "/"
