"""The build: one flat list of named, timed steps from files on disk to the site on disk.

A build reuses what the cache in .sitegen-cache/ knows: entries whose files did not change are
not parsed again, and outputs whose key (everything their bytes depend on) did not change are
neither rendered nor written. When no input changed at all, the build stops after looking.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import jinja2
import jinja2.meta

from . import __version__, cache, output, parallel, search
from .config import Config, load_config
from .content import file_digest, try_load_entry
from .errors import BuildFailed, SitegenError, SourceError
from .model import Entry, Site
from .plan import DataOutput, Link, PageOutput, Planner, build_plan, entry_file
from .render import make_environment, render_page, theme_dir
from .sitemodel import Layout, assemble_site, layout_site
from .urls import period_path

HASHED_ASSETS = (".css", ".js")
PARSE_CHUNK = 250
RENDER_CHUNK = 200
BODY_EDITS_LIMIT = 100   # more changed bodies than this, and the whole site is planned
Output = PageOutput | DataOutput


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    entries: int = 0
    pages: int = 0
    files: int = 0
    rendered: int = 0
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    write: output.WriteReport = field(default_factory=output.WriteReport)
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


def scan_tree(root: Path, suffix: str = "") -> dict[str, cache.Stat]:
    """Return the path of every file below root ending in suffix, with its (mtime_ns, size).

    Paths are plain strings that start with str(root): making and sorting 10,000 Path objects
    took a tenth of a rebuild.
    """
    found: dict[str, cache.Stat] = {}
    if not root.is_dir():
        return found
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as items:
            for item in items:
                if item.name.startswith("."):
                    continue
                if item.is_dir():
                    stack.append(item.path)
                elif item.name.endswith(suffix) and item.is_file():
                    info = item.stat()
                    found[item.path] = (info.st_mtime_ns, info.st_size)
    return dict(sorted(found.items()))


def relative_path(path: str, root: Path) -> str:
    """Return the POSIX path, relative to root, of a path scan_tree(root) found."""
    root_text = str(root)   # not os.path.join(root, ""): this runs for every entry file
    return path[len(root_text) + (not root_text.endswith(os.sep)):].replace(os.sep, "/")


def collect_assets(site_dir: Path, config: Config) -> dict[str, bytes]:
    """Return static file name -> bytes: the theme's, overridden by the site's own."""
    files: dict[str, bytes] = {}
    for root in (theme_dir() / "static", site_dir / config.templates_dir / "static"):
        for path in scan_tree(root):
            files[relative_path(path, root)] = Path(path).read_bytes()
    return files


def hashed_name(name: str, data: bytes) -> str:
    """Return 'style.1a2b3c4d.css' for css and js files, so browsers never keep stale ones."""
    if not name.endswith(HASHED_ASSETS):
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{output.content_digest(data)[:10]}{dot}{suffix}"


def site_globals(config: Config, assets: dict[str, str], years: list[Link]) -> dict:
    """Return what every template sees as `site`."""
    base = config.base_path
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "sort": config.sort,
        "base_path": base,
        "home_url": base,
        "tags_url": base + "tags/",
        "archive_url": base + "archive/",
        "search_url": base + "search/",
        "feed_url": base + "feed.xml",
        "timeline_json_url": base + "timeline.json",
        "filter_json_url": base + "filter.json",
        "assets": assets,
        "years": years,
        "search": config.search,
    }


def template_closure_digests(env: jinja2.Environment, names: set[str]) -> dict[str, str]:
    """Return template name -> digest of its source and every template it extends or includes."""
    sources: dict[str, str] = {}
    references: dict[str, list[str]] = {}

    def read(name: str) -> None:
        try:
            sources[name] = env.loader.get_source(env, name)[0]
            found = jinja2.meta.find_referenced_templates(env.parse(sources[name]))
            # A computed template name could be any template.
            references[name] = [n for n in found if n] if None not in found else env.list_templates()
        except jinja2.TemplateNotFound:
            sources[name], references[name] = "", []
        except jinja2.TemplateSyntaxError:
            references[name] = []   # rendering reports it with its file and line

    digests = {}
    for name in names:
        seen, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                if current not in sources:
                    read(current)
                stack.extend(references[current])
        digests[name] = cache.digest(sorted((n, sources[n]) for n in seen))
    return digests


class Builder:
    """One build of one site: the steps, and what they hand each other."""

    def __init__(self, options: BuildOptions, log: Callable[[str], None],
                 progress: Callable[[str, int, int], None] | None):
        self.options = options
        self.log = log
        self.progress = progress
        self.site_dir = options.site_dir.resolve()
        self.jobs = options.jobs or parallel.default_jobs()
        self.report = BuildReport()
        self._clock = time.perf_counter()

    def step(self, name: str) -> None:
        """Record how long the step that just ended took."""
        now = time.perf_counter()
        self.report.steps.append((name, now - self._clock))
        self._clock = now

    def run(self) -> BuildReport:
        """Build the site; raise BuildFailed with every error found."""
        config = load_config(self.site_dir, {"base_url": self.options.base_url})
        self.config = config
        self.out_dir = self.options.output_dir.resolve() if self.options.output_dir \
            else self.site_dir / config.output_dir
        self.cache_dir = self.site_dir / cache.CACHE_DIR
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise SitegenError(f"the output folder {self.out_dir} is a file, not a folder")
        output.recover(self.out_dir)
        entry_files = scan_tree(self.site_dir / config.content_dir, ".md")
        seed_files = scan_tree(self.site_dir / config.seeds_dir, ".txt")
        template_files = {**scan_tree(theme_dir()), **scan_tree(self.site_dir / config.templates_dir)}
        def input_signature() -> str:
            return cache.digest(__version__, config, self.options.drafts,
                                [(p, s) for files in (entry_files, seed_files, template_files)
                                 for p, s in files.items()])

        signature = input_signature()
        manifest = cache.Manifest() if self.options.clean \
            else cache.load_manifest(self.cache_dir, self.out_dir, self.log)
        self.step("scan")
        if manifest.signature == signature and self.out_dir.is_dir():
            self.report.up_to_date = True
            self.report.files = self.report.write.unchanged = len(manifest.outputs)
            return self.report

        entries = self.load_entries(entry_files, seed_files)
        if self.report.imported:   # the new entry files are inputs of the next build too
            entry_files.update((str(self.site_dir / rel), _stat(self.site_dir / rel))
                               for rel in self.report.imported)
            entry_files = dict(sorted(entry_files.items()))
            signature = input_signature()
        published = [e for e in entries if self.options.drafts or not e.draft]
        shape = site_shape(config, self.options.drafts, template_files, entries)
        record = cache.Manifest(signature=signature, shape=shape,
                                bodies={entry.path: entry.digest for entry in published})
        site = assemble_site(published, self.site_layout(published, shape))
        self.report.entries = len(site.entries)
        self.step("site model")

        env = make_environment(self.site_dir / config.templates_dir)
        statics = collect_assets(self.site_dir, config)
        asset_urls = {name: config.base_path + "static/" + hashed_name(name, data)
                      for name, data in statics.items()}
        years = [Link(str(y.year), config.base_path + period_path(y.year).lstrip("/"))
                 for y in site.years]
        env.globals["site"] = site_globals(config, asset_urls, years)
        static_outputs = [DataOutput("static/" + hashed_name(name, data),
                                     ("static", output.content_digest(data)),
                                     functools.partial(bytes, data), f"static file {name}")
                          for name, data in statics.items()]
        plan, site_paths = self.plan_outputs(site, static_outputs, manifest, record)
        self.step("plan")

        keys = self.output_keys(plan, env, asset_urls, years)
        self.step("keys")
        search_pages = [(entry.date.isoformat(), entry_file(entry, config.base_path))
                        for entry in site.entries] if config.search else None
        self.write(plan, keys, site_paths, manifest, env, record, search_pages)
        return self.report

    def plan_outputs(self, site: Site, static_outputs: list[DataOutput], manifest: cache.Manifest,
                     record: cache.Manifest) -> tuple[list[Output], list[str]]:
        """Return the outputs to look at and the paths of all outputs of the site; count the
        site's pages into record.

        When nothing but entry bodies changed since the last build, the outputs to look at are
        those that show the changed bodies: the keys of all others are as they were.
        """
        changed = bodies_changed_alone(manifest, record)
        if changed is None:
            plan = build_plan(site, self.config, static_outputs)
            record.pages = sum(isinstance(item, PageOutput) for item in plan)
            return plan, [item.path for item in plan]
        record.pages = manifest.pages
        return Planner(site, self.config).body_outputs(changed), list(manifest.outputs)

    def site_layout(self, published: list[Entry], shape: str) -> Layout:
        """Return the layout of the site: the last build's when the shape is the same."""
        layout = None if self.options.clean else cache.load_layout(self.cache_dir, shape, self.log)
        if layout is None:
            related_memo = {} if self.options.clean \
                else cache.load_related_memo(self.cache_dir, self.log)
            memo_before = set(related_memo)
            layout = layout_site(published, self.config, related_memo)
            if set(related_memo) != memo_before:
                cache.write_related_memo(self.cache_dir, related_memo)
            cache.write_layout(self.cache_dir, shape, layout)
        return layout

    def load_entries(self, entry_files: dict[str, cache.Stat],
                     seed_files: dict[str, cache.Stat]) -> list[Entry]:
        """Return every entry: cached, parsed, or imported from seeds; raise on any error."""
        config = self.config
        entry_cache = cache.EntryCache(zone=config.timezone) if self.options.clean \
            else cache.load_entry_cache(self.cache_dir, config.timezone, self.log)
        fresh = cache.EntryCache(zone=config.timezone, seeds=dict(entry_cache.seeds))
        changed: list[tuple[Path, cache.Stat]] = []
        for path, stat in entry_files.items():
            rel = relative_path(path, self.site_dir)
            cached = entry_cache.entries.get(rel)
            if cached and (cached[0] == stat or _same_content(Path(path), cached[1].digest)):
                # A new time stamp on the same bytes (a fresh checkout) needs no new parse.
                fresh.entries[rel] = (stat, cached[1])
            else:
                changed.append((Path(path), stat))
        errors = self.parse_into(fresh, changed)
        self.step("load entries")

        if not errors:
            errors += self.import_seeds(fresh, seed_files)
        self.step("import seeds")
        if errors:
            raise BuildFailed(errors)
        if fresh != entry_cache:
            cache.write_entry_cache(self.cache_dir, fresh, entry_cache)
        return [entry for _, entry in fresh.entries.values()]

    def parse_into(self, into: cache.EntryCache, files: Sequence[tuple[Path, cache.Stat]]
                   ) -> list[SourceError]:
        """Parse entry files (in parallel when many) into the cache; return their errors."""
        site_dir, tz = self.site_dir, self.config.tz

        def parse(chunk: Sequence[tuple[Path, cache.Stat]]) -> list:
            return [(path, stat, try_load_entry(site_dir, path, tz)) for path, stat in chunk]

        errors = []
        for path, stat, result in parallel.fork_map(parse, files, self.jobs, PARSE_CHUNK,
                                                    self._progress("reading entries")):
            if isinstance(result, SourceError):
                errors.append(result)
            else:
                into.entries[result.path] = (stat, result)
        return errors

    def import_seeds(self, entries: cache.EntryCache, seed_files: dict[str, cache.Stat]
                     ) -> list[SourceError]:
        """Import raw articles whose source URL has no entry yet; return their errors."""
        known_urls = {e.source_url: rel for rel, (_, e) in entries.entries.items() if e.source_url}
        to_import = []
        seen_seeds = {}
        for path, stat in seed_files.items():
            rel = relative_path(path, self.site_dir)
            cached = entries.seeds.get(rel)
            if cached and cached[0] == stat and cached[1] in known_urls:
                seen_seeds[rel] = cached
            else:
                to_import.append(path)
        entries.seeds = seen_seeds
        if not to_import:
            return []
        from . import ingest   # here, not above: most builds import nothing, and need not load it

        known_slugs = {e.slug for _, e in entries.entries.values()}
        result = ingest.import_articles([Path(p) for p in to_import], self.site_dir,
                                        content_dir=self.config.content_dir,
                                        known_urls=known_urls, known_slugs=known_slugs)
        self.report.imported.extend(result.written)
        self.report.skipped.extend(result.skipped)
        if result.written:
            self.log(f"imported {len(result.written)} raw article(s) from {self.config.seeds_dir}/")
        new_files = [(self.site_dir / rel, _stat(self.site_dir / rel)) for rel in result.written]
        errors = list(result.errors) + self.parse_into(entries, new_files)
        urls = {e.source_url for _, e in entries.entries.values()}
        for path in to_import:
            rel = relative_path(path, self.site_dir)
            url = _seed_url(Path(path), rel)
            if url in urls:
                entries.seeds[rel] = (seed_files[path], url)
        return errors

    def output_keys(self, plan: list[Output], env: jinja2.Environment,
                    asset_urls: dict[str, str], years: list[Link]) -> list[str]:
        """Return each output's key digest: equal digests mean equal bytes."""
        templates = template_closure_digests(env, {o.template for o in plan if isinstance(o, PageOutput)})
        data_salt = cache.digest(__version__, self.config)
        page_salt = cache.digest(data_salt, asset_urls, years)
        keys = []
        for item in plan:
            if isinstance(item, PageOutput):
                keys.append(cache.digest(page_salt, templates[item.template], item.key))
            else:
                keys.append(cache.digest(data_salt, item.key))
        return keys

    def write(self, plan: list[Output], keys: list[str], site_paths: list[str],
              manifest: cache.Manifest, env: jinja2.Environment, record: cache.Manifest,
              search_pages: list[tuple[str, str]] | None) -> None:
        """Render the outputs of plan whose keys changed, put the new site in place and bring
        its search index up to date.

        site_paths are all outputs of the site, of which plan may hold only some; record is the
        manifest to store, but for its outputs; search_pages are (date, output file) of the
        entry pages when the site has search.
        """
        old = manifest.outputs
        out_dir = self.out_dir
        # The search bundle is no output of the render: it stays (and is brought up to date
        # shard by shard) unless the build ignores what earlier builds made.
        carried = (search.BUNDLE_DIR,) if search_pages is not None and not self.options.clean else ()
        existing = None
        if not old and out_dir.is_dir():
            carried_prefixes = tuple(f"{folder}/" for folder in carried)
            existing = {rel: path for rel, path in output.list_files(out_dir).items()
                        if not rel.startswith(carried_prefixes)}
        todo = [i for i, item in enumerate(plan) if old.get(item.path, ("",))[0] != keys[i]]
        previous = set(old) if old else set(existing or ())
        removed = previous - set(site_paths)
        if old and not output.is_few(len(todo) + len(removed)):
            todo_set = set(todo)
            todo += [i for i, item in enumerate(plan) if i not in todo_set
                     and not (out_dir / item.path).is_file()]
            todo.sort()
        staging = output.begin(out_dir)
        try:
            results = self.render(plan, todo, env, staging, existing, old)
            self.step("render")
            new = {path: old[path] for path in site_paths if path in old}
            written, kept = [], set(new)
            errors = []
            for index, outcome, value in results:
                if outcome == "error":
                    errors.append(value)
                    continue
                path = plan[index].path
                new[path] = (keys[index], value)
                if outcome == "written":
                    written.append(path)
                    kept.discard(path)
                else:
                    kept.add(path)
            if errors:
                raise BuildFailed(errors[:20]) if len(errors) > 1 else errors[0]
            self.report.pages = record.pages
            self.report.files = len(site_paths)
            self.report.rendered = len(todo)
            self.report.write = output.finish(out_dir, staging, written, kept, removed, carried)
        except BaseException:
            output.discard(out_dir)
            raise
        self.step("write")
        if search_pages is None:
            search.remove_index(out_dir)
        else:
            problem = search.index_site(out_dir, self.log, pages=[
                (date, rel, new[rel][1]) for date, rel in sorted(search_pages)])
            if problem:
                self.log(problem)
            self.step("search index")
        record.outputs = new
        cache.write_manifest(self.cache_dir, out_dir, record)

    def render(self, plan: list[Output], todo: list[int], env: jinja2.Environment,
               staging: Path, existing: dict[str, Path] | None,
               old: dict[str, tuple[str, str]]) -> list[tuple[int, str, object]]:
        """Render outputs plan[i] for i in todo into staging; return (i, outcome, digest|error).

        A rendered file whose bytes equal the previous build's (by the manifest's digest, or
        compared with the file when there is no manifest) is kept, not written again.
        """
        def render_chunk(chunk: Sequence[int]) -> list:
            done = []
            for index in chunk:
                item = plan[index]
                try:
                    if isinstance(item, PageOutput):
                        data = render_page(env, item.template, item.make_context())
                    else:
                        data = item.make()
                except SitegenError as exc:
                    done.append((index, "error", exc))
                    continue
                digest = output.content_digest(data)
                previous = existing.get(item.path) if existing else None
                if old.get(item.path, ("", ""))[1] == digest or (
                        previous is not None and output.is_unchanged(previous, data)):
                    done.append((index, "kept", digest))
                else:
                    output.write_file(staging, item.path, data)
                    done.append((index, "written", digest))
            return done

        return parallel.fork_map(render_chunk, todo, self.jobs, RENDER_CHUNK,
                                 self._progress("rendering"))

    def _progress(self, what: str) -> Callable[[int, int], None] | None:
        """Return a progress callback for one step, or None when nobody watches."""
        if self.progress is None:
            return None
        return lambda done, total: self.progress(what, done, total)


def site_shape(config: Config, drafts: bool, template_files: dict[str, cache.Stat],
               entries: Sequence[Entry]) -> str:
    """Return a digest of every input of a build but the entries' bodies.

    Builds of one shape plan the same outputs with the same keys, except for the outputs that
    show entry bodies (Planner.body_outputs): a front matter digest covers all but the body.
    """
    return cache.digest(__version__, config, drafts, list(template_files.items()),
                        sorted((entry.path, entry.meta_digest) for entry in entries))


def bodies_changed_alone(last: cache.Manifest, now: cache.Manifest) -> set[str] | None:
    """Return the entries whose bodies alone changed since the last build, when nothing else
    did and they are few; else None: plan the whole site.

    Few: their outputs are then moved in one by one (see output.finish), which a partial plan
    needs, as it cannot tell which of the other outputs' files are missing.
    """
    if last.shape != now.shape:
        return None
    changed = {path for path, digest in now.bodies.items() if last.bodies.get(path) != digest}
    return changed if len(changed) <= BODY_EDITS_LIMIT else None


def _stat(path: Path) -> cache.Stat:
    """Return (mtime_ns, size) of a file."""
    info = path.stat()
    return (info.st_mtime_ns, info.st_size)


def _same_content(path: Path, digest: str) -> bool:
    """Return whether the file at path has the given content digest."""
    try:
        return file_digest(path.read_bytes()) == digest
    except OSError:
        return False


def _seed_url(path: Path, rel: str) -> str | None:
    """Return the source URL of a raw article, or None when it cannot be read."""
    from . import ingest

    try:
        return ingest.load_raw_article(path, rel).url
    except SourceError:
        return None


def build(options: BuildOptions, log: Callable[[str], None] = lambda message: None,
          progress: Callable[[str, int, int], None] | None = None) -> BuildReport:
    """Build the site in options.site_dir; raise BuildFailed with every error found.

    log receives messages worth printing; progress(step, done, total) hears how long steps go.
    """
    with _paused_gc():
        return Builder(options, log, progress).run()


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
    """Return the one-line summary printed after a build."""
    if report.up_to_date:
        return f"site is up to date ({report.files} files) — checked in {report.seconds:.2f} s"
    write = report.write
    entries = "1 entry" if report.entries == 1 else f"{report.entries} entries"
    return (f"built {entries} into {report.pages} pages "
            f"({report.files} files: {write.written} written, {write.unchanged} unchanged, "
            f"{write.removed} removed) in {report.seconds:.2f} s")
