"""The build: one flat list of named, timed steps from files on disk to the site on disk.

A build reuses what the cache in .sitegen-cache/ knows: entries whose files did not change are
not parsed again, and outputs whose key (a digest of their view, template and config) did not
change are neither rendered nor written. When no input changed at all, the build stops after
looking.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import __version__, cache, parallel
from .core import countrydata
from .core.config import Config, load_config
from .core.digests import digest_bytes, digest_of
from .core.errors import BuildFailed, SitegenError, SourceError
from .core.urls import OWNER_MARKER, SEARCH_BUNDLE_DIR, period_path
from .model.records import Entry, Site
from .model.countries import Recognizer
from .model.site import Layout, assemble_site, layout_site
from .outputs import folder, search
from .outputs.search import SearchState
from .outputs.searchindex import site_docs, site_facets
from .outputs.plan import Output, PageOutput, Planner, build_plan, file_output
from .outputs.render import Theme, load_theme, render_page, template_closure_digests, theme_dir
from .outputs.views import Link, view_digest
from .sources.content import (event_date_warnings, event_link_errors, tag_cap_warnings,
                              try_load_entry)
from .sources.tree import RAW_SUFFIXES, relative_path, scan_tree, taken_slugs
from .sources.urlnorm import url_key

PARSE_CHUNK = 250
IMPORT_CHUNK = 100
RENDER_CHUNK = 200
KEY_CHUNK = 1000
BODY_EDITS_LIMIT = 100   # more changed bodies than this, and the whole site is planned
ERRORS_SHOWN = 20        # a failed build prints this many of its errors


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    entries: int = 0
    pages: int = 0
    files: int = 0
    rendered: int = 0
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)           # duplicates, not written again
    skipped_raw: list[SourceError] = field(default_factory=list)  # raw articles not imported
    write: folder.WriteReport = field(default_factory=folder.WriteReport)
    steps: list[tuple[str, float]] = field(default_factory=list)
    up_to_date: bool = False

    @property
    def seconds(self) -> float:
        """Return the build's total time."""
        return sum(seconds for _, seconds in self.steps)


@dataclass(frozen=True)
class BuildOptions:
    """How to build: the site folder and the command line's overrides."""

    site_dir: Path
    base_url: str | None = None
    drafts: bool = False
    output_dir: Path | None = None
    jobs: int | None = None
    clean: bool = False      # ignore the cache: parse and render everything
    strict: bool = False     # a raw article that cannot be imported fails the build


@dataclass(frozen=True)
class Inputs:
    """The input files of a build, each with its (mtime_ns, size)."""

    entries: dict[str, cache.Stat]
    seeds: dict[str, cache.Stat]
    templates: dict[str, cache.Stat]

    def signature(self, config: Config, drafts: bool) -> str:
        """Return a digest of every input's stat: equal signatures need no build."""
        return digest_of(__version__, config, drafts,
                            [(p, s) for files in (self.entries, self.seeds, self.templates)
                             for p, s in files.items()])


class Builder:
    """One build of one site: the steps, and what they hand each other."""

    keeps_entries = False   # a dev server keeps the loaded entries (loaded, seeds) for its next build

    def __init__(self, options: BuildOptions, log: Callable[[str], None],
                 progress: Callable[[str, int, int], None] | None,
                 warn: Callable[[str], None] | None = None):
        self.options = options
        self.log = log
        self.warn = warn or log
        self.progress = progress
        self.site_dir = options.site_dir.resolve()
        self.jobs = options.jobs or parallel.default_jobs()
        self.config = load_config(self.site_dir, {"base_url": options.base_url})
        self.strict = options.strict or self.config.strict
        self.out_dir = options.output_dir.resolve() if options.output_dir \
            else self.site_dir / self.config.output_dir
        self.cache_dir = self.site_dir / cache.CACHE_DIR
        self.report = BuildReport()
        self._clock = time.perf_counter()

    def step(self, name: str) -> None:
        """Record how long the step that just ended took."""
        now = time.perf_counter()
        self.report.steps.append((name, now - self._clock))
        self._clock = now

    def run(self) -> BuildReport:
        """Build the site; raise BuildFailed with every error found."""
        config, drafts, report = self.config, self.options.drafts, self.report
        manifest = self.claim_output()
        inputs = self.scan()
        signature = inputs.signature(config, drafts)
        self.step("scan")
        if manifest.signature == signature and self.out_dir.is_dir():
            report.skipped_raw = manifest.skipped   # named on every build until fixed
            self.refuse_skipped()
            report.up_to_date = True
            report.files = report.write.unchanged = len(manifest.outputs)
            report.pages = manifest.pages
            return report

        entries, imported = self.load_entries(inputs)
        if imported:   # the new entry files are inputs of the next build too
            inputs = Inputs(dict(sorted({**inputs.entries, **{
                str(self.site_dir / rel): _stat(self.site_dir / rel) for rel in imported}}.items())),
                inputs.seeds, inputs.templates)
            signature = inputs.signature(config, drafts)
        published = [e for e in entries if drafts or not e.draft]
        for warning in tag_cap_warnings(published, config, self.site_dir) + \
                event_date_warnings(published, self.site_dir):
            self.warn(warning)
        shape = site_shape(config, drafts, inputs.templates, entries)
        site = self.assemble(published, self.site_layout(published, shape))
        # The links are front matter, which a site of the last good build's shape has as it had
        errors = [] if shape == manifest.shape else event_link_errors(
            site, self.site_dir, {e.slug for e in entries if e.draft})
        if errors:
            raise BuildFailed(errors)
        report.entries = len(site.entries)
        self.step("site model")

        theme = self.load_theme(site)
        changed = None if self.options.clean else bodies_changed_alone(manifest, shape, published)
        bodies = {entry.path: entry.digest for entry in published}
        # The site holds copies of the entries: the loaded ones would only take room in the
        # workers forked from here on (some 35 MB at 100,000 entries).
        del entries, published
        plan, site_paths, pages = self.plan_outputs(site, theme, manifest, changed)
        self.step("plan")
        keys = self.output_keys(plan, theme)
        self.step("keys")
        outputs = self.write(plan, keys, site_paths, manifest, theme)
        report.pages, report.files = pages, len(site_paths)
        del plan, keys, site_paths   # their room goes to the search index (290 MB at 100,000)
        self.step("write")
        self.finish(site, outputs, cache.Manifest(
            signature=signature, shape=shape, pages=pages, bodies=bodies, outputs=outputs,
            skipped=report.skipped_raw))
        return report

    def finish(self, site: Site, outputs: dict[str, tuple[str, str]],
               manifest: cache.Manifest) -> None:
        """Bring the search index up to date with the pages written, then record the build."""
        self.update_search(site, outputs)
        cache.write_manifest(self.cache_dir, self.out_dir, manifest)

    def assemble(self, published: list[Entry], layout: Layout) -> Site:
        """Return the site model of the published entries laid out by layout."""
        return assemble_site(published, layout, countrydata.display_names(self.config.language))

    def template_digests(self, theme: Theme, names: set[str]) -> dict[str, str]:
        """Return template name -> digest of it and every template it extends or includes."""
        return template_closure_digests(theme.env, names)

    def load_theme(self, site: Site) -> Theme:
        """Return the site's theme, its `site` view linking to the years of site."""
        theme = load_theme(self.site_dir, self.config, year_links(site, self.config))
        if theme.warning:
            self.warn(theme.warning)
        return theme

    def refuse_skipped(self) -> None:
        """Raise BuildFailed when the build is strict and raw articles were skipped."""
        if self.strict and self.report.skipped_raw:
            raise BuildFailed(self.report.skipped_raw, why="strict: every raw article in "
                              f"{self.config.seeds_dir}/ must import; fix or remove these")

    def claim_output(self) -> cache.Manifest:
        """Make sure the output folder may be written; return its manifest (empty if unknown).

        Refuses a folder that is or holds the site's sources, or that sitegen did not build;
        finishes or undoes what an interrupted build left there.
        """
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise SitegenError(f"the output folder {self.out_dir} is a file, not a folder")
        built_before = cache.has_old_manifest(self.cache_dir, self.out_dir)   # loading drops it
        stored = cache.load_manifest(self.cache_dir, self.out_dir, self.log)
        problem = folder.output_folder_problem(self.site_dir, self.out_dir, self.config,
                                               built_before=built_before or bool(stored.outputs))
        if problem:
            raise SitegenError(problem)
        folder.recover(self.out_dir)
        # Without its marker, the folder may no longer hold what the manifest lists.
        marked = (self.out_dir / OWNER_MARKER).is_file()
        return stored if marked and not self.options.clean else cache.Manifest()

    def scan(self) -> Inputs:
        """Return the site's input files: entries, raw articles, templates; remove the temp
        files an import that was killed left among the entries."""
        config, site_dir = self.config, self.site_dir
        temps: list[str] = []
        entries = scan_tree(site_dir / config.content_dir, ".md", site_dir, temps)
        remove_leftover_temps(temps, self.log)
        return Inputs(entries=entries,
                      seeds=scan_tree(site_dir / config.seeds_dir, RAW_SUFFIXES, site_dir),
                      templates={**scan_tree(theme_dir()),
                                 **scan_tree(site_dir / config.templates_dir, "", site_dir)})

    def plan_outputs(self, site: Site, theme: Theme, manifest: cache.Manifest,
                     changed: set[str] | None) -> tuple[list[Output], list[str], int]:
        """Return the outputs to look at, the paths of all outputs of the site and how many of
        them are pages.

        When only the bodies of the entries in changed did (see bodies_changed_alone), the
        outputs to look at are those whose views hold those bodies: the others are as they were.
        """
        if changed is None:
            statics = [file_output(f"/{s.path}", s.data, f"static file {s.name}")
                       for s in theme.statics]
            plan = build_plan(site, self.config, statics, theme.language)
            pages = sum(isinstance(item, PageOutput) for item in plan)
            return plan, [item.path for item in plan], pages
        return Planner(site, self.config, theme.language).body_outputs(changed), \
            list(manifest.outputs), manifest.pages

    def site_layout(self, published: list[Entry], shape: str) -> Layout:
        """Return the layout of the site: the last build's when the shape is the same."""
        layout = None if self.options.clean else cache.load_layout(self.cache_dir, shape, self.log)
        if layout is not None and set(layout.order) != {entry.path for entry in published}:
            layout = None   # a cache file that lies about its shape
        if layout is None:
            known = {} if self.options.clean else cache.load_related_memo(self.cache_dir, self.log)
            layout, related = layout_site(published, self.config, known,
                                          country_recognizer(self.config))
            if related.keys() != known.keys():
                cache.write_related_memo(self.cache_dir, related)
            cache.write_layout(self.cache_dir, shape, layout)
        return layout

    def load_entries(self, inputs: Inputs) -> tuple[list[Entry], list[str]]:
        """Return every entry (cached, parsed, or imported from seeds) and the entry files the
        import wrote; raise on any error but raw articles that cannot be imported, which are
        skipped (report.skipped_raw) unless the build is strict."""
        config = self.config
        entry_cache = cache.EntryCache(zone=config.timezone) if self.options.clean \
            else cache.load_entry_cache(self.cache_dir, config.timezone, self.log)
        entries: dict[str, tuple[cache.Stat, Entry]] = {}
        changed: list[tuple[Path, cache.Stat]] = []
        for path, stat in inputs.entries.items():
            rel = relative_path(path, self.site_dir)
            cached = entry_cache.entries.get(rel)
            if cached and (cached[0] == stat or _same_content(Path(path), cached[1].digest)):
                # A new time stamp on the same bytes (a fresh checkout) needs no new parse.
                entries[rel] = (stat, cached[1])
            else:
                changed.append((Path(path), stat))
        parsed, errors = self.parse(changed)
        entries.update(parsed)
        self.step("load entries")

        imported: list[str] = []
        seeds = entry_cache.seeds
        if not errors:
            added, seeds, imported, import_errors, skipped = self.import_seeds(
                entries, seeds, inputs.seeds)
            entries.update(added)
            errors += import_errors
            self.report.skipped_raw = skipped
        self.step("import seeds")
        if errors:
            raise BuildFailed(errors)
        self.refuse_skipped()
        if self.keeps_entries:
            self.loaded, self.seeds = entries, seeds
        fresh = cache.EntryCache(zone=config.timezone, entries=entries, seeds=seeds)
        if fresh != entry_cache:
            cache.write_entry_cache(self.cache_dir, fresh, entry_cache)
        return [entry for _, entry in entries.values()], imported

    def parse(self, files: Sequence[tuple[Path, cache.Stat]]
              ) -> tuple[dict[str, tuple[cache.Stat, Entry]], list[SourceError]]:
        """Return entry path -> (stat, entry) of the entry files parsed (in parallel when many),
        and their errors."""
        site_dir, tz = self.site_dir, self.config.tz

        def parse_chunk(chunk: Sequence[tuple[Path, cache.Stat]]) -> list:
            return [(path, stat, try_load_entry(site_dir, path, tz)) for path, stat in chunk]

        parsed, errors = {}, []
        for path, stat, result in parallel.fork_map(parse_chunk, files, self.jobs, PARSE_CHUNK,
                                                    self._progress("reading entries")):
            if isinstance(result, SourceError):
                errors.append(result)
            else:
                parsed[result.path] = (stat, result)
        return parsed, errors

    def import_seeds(self, entries: dict[str, tuple[cache.Stat, Entry]],
                     seeds: dict[str, tuple[cache.Stat, str]], seed_files: dict[str, cache.Stat]
                     ) -> tuple[dict[str, tuple[cache.Stat, Entry]], dict[str, tuple[cache.Stat, str]],
                                list[str], list[SourceError], list[SourceError]]:
        """Import the raw articles whose source URL has no entry yet; return the entries they
        became, every raw file's (stat, URL) now, the entry files written, the errors of the
        entries written and those of the raw articles that could not be imported.

        seeds is what the last build knew of the raw files: one it imported, unchanged, whose
        URL still has an entry, is not read again.
        """
        if not seed_files:
            return {}, {}, [], [], []
        known_urls = {e.source_url: rel for rel, (_, e) in entries.items() if e.source_url}
        # the URLs' keys take 0.2 s at 10,000 entries: made only for a URL not found as written
        known_keys = functools.cache(lambda: set(map(url_key, known_urls)))
        to_import = []
        kept_seeds = {}
        for path, stat in seed_files.items():
            rel = relative_path(path, self.site_dir)
            cached = seeds.get(rel)
            # cached[1]: the URLs of the file's articles, separated by spaces
            urls = cached[1].split() if cached and cached[0] == stat else None
            if urls is not None and (known_urls.keys() >= set(urls)
                                     or known_keys().issuperset(map(url_key, urls))):
                kept_seeds[rel] = cached
            else:
                to_import.append(path)
        if not to_import:
            return {}, kept_seeds, [], [], []
        from .sources import ingest   # here, not above: most builds import nothing, and need not load it

        known_slugs = taken_slugs((rel, e.slug) for rel, (_, e) in entries.items())
        result = ingest.import_articles([Path(p) for p in to_import], self.site_dir,
                                        content_dir=self.config.content_dir,
                                        known_urls=known_urls, known_slugs=known_slugs,
                                        max_tags=self.config.max_tags,
                                        source_names=self.config.sources,
                                        map_chunks=self._import_map, tz=self.config.tz)
        self.report.imported.extend(result.written)
        self.report.skipped.extend(result.skipped)
        for note in result.notes:
            self.log(f"note: {note}")
        if result.written:
            self.log(f"imported {len(result.written)} raw article(s) from {self.config.seeds_dir}/")
        # The entries come as the import wrote them: parsing their files again would give the same.
        added, parse_errors = {}, []
        for rel, entry in result.entries.items():
            if isinstance(entry, SourceError):
                parse_errors.append(entry)
            else:
                added[rel] = (_stat(os.path.join(self.site_dir, rel)), entry)
        key_of = result.url_keys.get   # the workers made the keys of the URLs they read

        def keys_of(urls: Iterable[str]) -> Iterator[str]:
            return (key_of(url) or url_key(url) for url in urls)

        keys = set(keys_of(e.source_url for _, e in [*entries.values(), *added.values()]))
        source_urls = {str(path): urls for path, urls in result.source_urls.items()}
        for path in to_import:
            urls = source_urls.get(str(path), [])
            if urls and keys.issuperset(keys_of(urls)):
                kept_seeds[relative_path(path, self.site_dir)] = (seed_files[path], " ".join(urls))
        return added, kept_seeds, list(result.written), parse_errors, list(result.errors)

    def _import_map(self, task: Callable[[Sequence], list], items: Sequence) -> list:
        """Return task's results over chunks of items, run by the build's workers."""
        return parallel.fork_map(task, items, self.jobs, IMPORT_CHUNK)

    def output_keys(self, plan: list[Output], theme: Theme) -> list[str]:
        """Return each output's key: a digest of its view, its template (with every template
        it includes or extends), the site view, the config and the sitegen version. Equal keys
        mean equal bytes."""
        templates = self.template_digests(
            theme, {o.template for o in plan if isinstance(o, PageOutput)})
        data_salt = digest_of(__version__, self.config)
        page_salt = digest_of(data_salt, view_digest(theme.site), theme.words_digest)
        def key_chunk(chunk: Sequence[int]) -> list[str]:
            keys = []
            for item in map(plan.__getitem__, chunk):
                if isinstance(item, PageOutput):
                    keys.append(digest_of(page_salt, templates[item.template],
                                          view_digest(item.view)))
                else:
                    keys.append(digest_of(data_salt, view_digest(item.view)))
            return keys

        # Digesting every view of a large site takes a second: the workers share it.
        return parallel.fork_map(key_chunk, range(len(plan)), self.jobs, KEY_CHUNK)

    def write(self, plan: list[Output], keys: list[str], site_paths: list[str],
              manifest: cache.Manifest, theme: Theme) -> dict[str, tuple[str, str]]:
        """Render the outputs of plan whose keys changed and put the new site in place; return
        the outputs of the site as the manifest records them: path -> (key, content digest).

        site_paths are all outputs of the site, of which plan may hold only some.
        """
        old = manifest.outputs
        existing = None if old else self.existing_files()
        previous = set(old) if old else set(existing or ())
        removed = previous - set(site_paths)
        todo = self.outputs_to_render(plan, keys, old, len(removed))
        staging = folder.begin(self.out_dir)
        try:
            results = self.render(plan, todo, theme, staging, existing, old)
            self.step("render")
            outputs, written, kept = self.collect(plan, keys, results, old, site_paths)
            self.report.rendered = len(todo)
            self.report.write = folder.finish(self.out_dir, staging, written, kept, removed,
                                              carried=self.carried_folders())
        except BaseException:
            folder.discard(self.out_dir)
            raise
        return outputs

    def carried_folders(self) -> tuple[str, ...]:
        """Return the folders of the output that are no output of the render but stay: the
        search bundle, brought up to date shard by shard, unless the build ignores what earlier
        builds made."""
        return (SEARCH_BUNDLE_DIR,) if self.config.search and not self.options.clean else ()

    def existing_files(self) -> dict[str, Path] | None:
        """Return the files of an output folder the manifest does not describe (but those of
        carried folders), to compare outputs with; None when there is none."""
        if not self.out_dir.is_dir():
            return None
        skipped = tuple(f"{folder}/" for folder in self.carried_folders())
        return {rel: path for rel, path in folder.list_files(self.out_dir).items()
                if not rel.startswith(skipped)}

    def outputs_to_render(self, plan: list[Output], keys: list[str],
                          old: dict[str, tuple[str, str]], removed: int) -> list[int]:
        """Return the positions in plan of the outputs to render: those whose key changed, and,
        when so much changed that the whole folder is swapped, those whose file is missing."""
        todo = [i for i, item in enumerate(plan) if old.get(item.path, ("",))[0] != keys[i]]
        if old and not folder.is_few(len(todo) + removed):
            todo_set = set(todo)
            todo += [i for i, item in enumerate(plan) if i not in todo_set
                     and not (self.out_dir / item.path).is_file()]
            todo.sort()
        return todo

    def collect(self, plan: list[Output], keys: list[str], results: list,
                old: dict[str, tuple[str, str]], site_paths: list[str]
                ) -> tuple[dict[str, tuple[str, str]], list[str], set[str]]:
        """Return the site's outputs after a render (path -> (key, digest)), the paths written
        and the paths kept; raise BuildFailed when any output failed to render."""
        outputs = {path: old[path] for path in site_paths if path in old}
        written, kept = [], set(outputs)
        errors = []
        for index, outcome, value in results:
            if outcome == "error":
                errors.append(value)
                continue
            path = plan[index].path
            outputs[path] = (keys[index], value)
            if outcome == "written":
                written.append(path)
                kept.discard(path)
            else:
                kept.add(path)
        if errors:
            errors = distinct_errors(errors, self.site_dir)
            raise BuildFailed(errors, shown=ERRORS_SHOWN) if len(errors) > 1 else errors[0]
        return outputs, written, kept

    def update_search(self, site: Site, outputs: dict[str, tuple[str, str]]) -> None:
        """Bring the search index up to date with the site's entries, or remove it when the
        site has no search."""
        if not self.config.search:
            search.remove_index(self.out_dir)
            return
        previous = SearchState() if self.options.clean else \
            cache.load_search_state(self.cache_dir, self.out_dir, self.log)
        tokens = cache.tokens_writer(self.cache_dir, previous)
        try:
            update = search.update_index(self.out_dir, site_docs(site, self.config.language),
                                         site_facets(site), previous,
                                         functools.partial(parallel.fork_each, jobs=self.jobs),
                                         tokens)
        except OSError as exc:
            self.warn(f"search index not updated: {exc.strerror or exc}")
        else:
            if update.written or update.state.keys != previous.keys:
                cache.write_search_state(self.cache_dir, self.out_dir, update.state, previous)
        finally:
            if tokens is not None:
                tokens.discard()
        self.step("search index")

    def render(self, plan: list[Output], todo: list[int], theme: Theme, staging: Path,
               existing: dict[str, Path] | None,
               old: dict[str, tuple[str, str]]) -> list[tuple[int, str, object]]:
        """Render outputs plan[i] for i in todo into staging; return (i, outcome, digest|error).

        A rendered file whose bytes equal the previous build's (by the manifest's digest, or
        compared with the file when there is no manifest) is kept, not written again.
        """
        env = theme.env

        def render_chunk(chunk: Sequence[int]) -> list:
            done = []
            for index in chunk:
                item = plan[index]
                try:
                    if isinstance(item, PageOutput):
                        data = render_page(env, item.template, item.view)
                    else:
                        data = item.make(item.view)
                except SitegenError as exc:
                    done.append((index, "error", exc))
                    continue
                digest = digest_bytes(data)
                previous = existing.get(item.path) if existing else None
                if old.get(item.path, ("", ""))[1] == digest or (
                        previous is not None and folder.is_unchanged(previous, data)):
                    done.append((index, "kept", digest))
                else:
                    folder.write_file(staging, item.path, data)
                    done.append((index, "written", digest))
            return done

        return parallel.fork_map(render_chunk, todo, self.jobs, RENDER_CHUNK,
                                 self._progress("rendering"))

    def _progress(self, what: str) -> Callable[[int, int], None] | None:
        """Return a progress callback for one step, or None when nobody watches."""
        if self.progress is None:
            return None
        return lambda done, total: self.progress(what, done, total)


def distinct_errors(errors: Sequence[SitegenError], site_dir: Path) -> list[SitegenError]:
    """Return each distinct render error once, with its file relative to the site folder and
    the number of pages it stopped when more than one: a template error stops every page that
    uses the template."""
    counts: Counter[str] = Counter()
    first: dict[str, SitegenError] = {}
    for error in errors:
        error = site_relative(error, site_dir)
        counts[str(error)] += 1
        first.setdefault(str(error), error)
    return [with_page_count(first[text], count) for text, count in counts.items()]


def site_relative(error: SitegenError, site_dir: Path) -> SitegenError:
    """Return the error with its file named relative to the site folder, when it is inside."""
    if not isinstance(error, SourceError) or not Path(error.path).is_absolute():
        return error
    path = Path(error.path)
    if not path.is_relative_to(site_dir):
        return error
    return SourceError(path.relative_to(site_dir).as_posix(), error.line, error.message, error.hint)


def with_page_count(error: SitegenError, pages: int) -> SitegenError:
    """Return the error saying how many pages it stopped, when more than one."""
    if pages == 1:
        return error
    if isinstance(error, SourceError):
        return SourceError(error.path, error.line, f"{error.message} (on {pages:,} pages)",
                           error.hint)
    return SitegenError(f"{error} (on {pages:,} pages)")


def year_links(site: Site, config: Config) -> tuple[Link, ...]:
    """Return a link to each year's archive, oldest first."""
    return tuple(Link(str(y.year), config.base_path + period_path(y.year).lstrip("/"))
                 for y in site.years)


def site_shape(config: Config, drafts: bool, template_files: dict[str, cache.Stat],
               entries: Sequence[Entry]) -> str:
    """Return a digest of every input of a build but the entries' bodies.

    Builds of one shape plan the same outputs with the same keys, except for the outputs that
    show entry bodies (Planner.body_outputs): a front matter digest covers all but the body.
    """
    return digest_of(__version__, countrydata.data_version(), config, drafts,
                     list(template_files.items()),
                     sorted((entry.path, entry.meta_digest) for entry in entries))


def country_recognizer(config: Config) -> Recognizer | None:
    """Return the recognizer of the site's countries, or None when the site turned it off."""
    if not config.country_recognition:
        return None
    return Recognizer(countrydata.name_table(), countrydata.country_codes(), config.countries)


def bodies_changed_alone(last: cache.Manifest, shape: str, published: Sequence[Entry]
                         ) -> set[str] | None:
    """Return the published entries whose bodies alone changed since the last build, when
    nothing else did (the shape is the same) and they are few; else None: plan the whole site.

    Few: their outputs are then moved in one by one (see folder.finish), which a partial plan
    needs, as it cannot tell which of the other outputs' files are missing.
    """
    if last.shape != shape:
        return None
    changed = {entry.path for entry in published if last.bodies.get(entry.path) != entry.digest}
    return changed if len(changed) <= BODY_EDITS_LIMIT else None


def _stat(path: Path | str) -> cache.Stat:
    """Return (mtime_ns, size) of a file."""
    info = os.stat(path)
    return (info.st_mtime_ns, info.st_size)


def _same_content(path: Path, digest: str) -> bool:
    """Return whether the file at path has the given content digest."""
    try:
        return digest_bytes(path.read_bytes()) == digest
    except OSError:
        return False


def remove_leftover_temps(temps: Sequence[str], log: Callable[[str], None]) -> None:
    """Remove the temp files of an import that was killed before it named them (an import
    commits each or removes it, so any found at the start of a build are left over)."""
    removed = 0
    for path in temps:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
            removed += 1
    if removed:
        log(f"removed {removed} temporary file(s) left by an interrupted import")


def build(options: BuildOptions, log: Callable[[str], None] = lambda message: None,
          progress: Callable[[str, int, int], None] | None = None,
          warn: Callable[[str], None] | None = None) -> BuildReport:
    """Build the site in options.site_dir; raise BuildFailed with every error found.

    log receives messages worth printing, warn the warnings (log when not given);
    progress(step, done, total) hears how long steps go.
    """
    with _paused_gc():
        return Builder(options, log, progress, warn).run()


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore it as it was.

    A build holds hundreds of thousands of long-lived objects (cached entries, the site model,
    the plan) and makes few reference cycles; the collector's repeated sweeps over them took a
    third of an incremental build.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def describe(report: BuildReport) -> str:
    """Return the summary printed after a build: one line, and one more naming the raw
    articles skipped."""
    if report.up_to_date:
        summary = f"site is up to date ({report.files} files) — checked in {report.seconds:.2f} s"
    else:
        write = report.write
        entries = "1 entry" if report.entries == 1 else f"{report.entries} entries"
        summary = (f"built {entries} into {report.pages} pages "
                   f"({report.files} files: {write.written} written, {write.unchanged} unchanged, "
                   f"{write.removed} removed) in {report.seconds:.2f} s")
    return summary + describe_skipped(report.skipped_raw)


def describe_skipped(skipped: Sequence[SourceError]) -> str:
    """Return the summary's line naming the raw articles skipped, or nothing when none was."""
    if not skipped:
        return ""
    paths = sorted({error.path for error in skipped})
    count = "1 raw article" if len(skipped) == 1 else f"{len(skipped)} raw articles"
    if len(paths) != len(skipped):   # a feed or JSON Lines file with several bad items
        count += f" in {len(paths)} file" + ("s" if len(paths) > 1 else "")
    return (f"\nskipped {count} that could not be imported (fix or remove "
            f"{'it' if len(skipped) == 1 else 'them'}; sitegen build --strict fails on "
            f"{'it' if len(skipped) == 1 else 'them'}): {', '.join(paths)}")
