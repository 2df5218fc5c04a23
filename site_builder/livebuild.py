"""The dev server's builds: the site kept in memory between saves.

A plain build starts from the disk: it scans every input, reads the entry cache, the layout and
the manifest, makes a new Jinja environment and, at the end, indexes the search pages and writes
the manifest. The dev server's process outlives its builds, so `LiveSite` keeps what the last
good build had (the entries, their files' stats, the layout, the theme, the outputs' keys) and,
when only entry files changed since, builds from that: it parses the changed files alone,
re-renders only the outputs whose keys changed and writes them as a build does (staged, then
moved in). The search index and the manifest are brought up to date afterwards (`LiveSite.finish`),
once the reloaded pages are back. A change to anything else (sitegen.yaml, templates,
raw articles), or an edit that takes a source URL away (its raw article may be imported again),
takes the plain build's path, which then fills the memory again.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import cache
from .build import (BODY_EDITS_LIMIT, BuildOptions, BuildReport, Builder, Inputs, _paused_gc,
                    _stat, year_links)
from .core.errors import BuildFailed, SourceError
from .model.records import Entry, Site
from .model.site import Layout
from .outputs.plan import PageOutput, Planner
from .outputs.render import Theme
from .outputs.views import Link
from .sources.tree import relative_path

Log = Callable[[str], None]


@dataclass
class Memory:
    """What the last good build of the dev server knew, kept for the next one."""

    inputs: Inputs | None = None
    entries: dict[str, tuple[cache.Stat, Entry]] = field(default_factory=dict)
    seeds: dict[str, tuple[cache.Stat, str]] = field(default_factory=dict)
    layout: tuple[str, Layout] | None = None                 # (shape, layout)
    theme: tuple[tuple[Link, ...], Theme] | None = None      # (year links, theme)
    manifest: cache.Manifest | None = None
    site: Site | None = None
    template_digests: dict[str, str] = field(default_factory=dict)   # of theme's templates


class LiveBuilder(Builder):
    """A build that starts from memory where the changes allow it, and leaves its last step (the
    search index and the manifest) for later."""

    keeps_entries = True

    def __init__(self, options: BuildOptions, memory: Memory, changed: set[str] | None,
                 log: Log, warn: Log):
        super().__init__(options, log, None, warn)
        self.memory = memory
        # the entry files changed since memory was filled (None: build from the disk)
        self.changed = changed if memory.manifest is not None and self.out_dir.is_dir() else None
        self.deferred: tuple[Site, dict, cache.Manifest] | None = None
        self.kept_template_digests: dict[str, str] = {}

    def claim_output(self) -> cache.Manifest:
        """Return the last good build's manifest, or the disk's when building from the disk."""
        if self.changed is None:   # no "up to date" shortcut: this build fills the memory
            return dataclasses.replace(super().claim_output(), signature="")
        # A manifest on disk would lie about the files written now until finish() writes it.
        cache.manifest_path(self.cache_dir, self.out_dir).unlink(missing_ok=True)
        return self.memory.manifest

    def scan(self) -> Inputs:
        """Return the inputs: memory's, with the changed entry files looked at again."""
        if self.changed is None:
            return super().scan()
        entries = dict(self.memory.inputs.entries)
        for path in self.changed:
            try:
                info = os.stat(path)
            except FileNotFoundError:
                entries.pop(path, None)
                continue
            entries[path] = (info.st_mtime_ns, info.st_size)
        known = self.memory.inputs
        return Inputs(dict(sorted(entries.items())), known.seeds, known.templates)

    def load_entries(self, inputs: Inputs) -> tuple[list[Entry], list[str]]:
        """Return every entry: memory's, with the changed files parsed again."""
        if self.changed is None:
            entries, imported = super().load_entries(inputs)
            self.kept = (inputs, self.loaded, self.seeds)
            return entries, imported
        memory = self.memory
        loaded = dict(memory.entries)
        for path in self.changed - inputs.entries.keys():
            loaded.pop(relative_path(path, self.site_dir), None)
        to_parse = [(Path(path), inputs.entries[path]) for path in sorted(self.changed)
                    if path in inputs.entries]
        parsed, errors = self.parse(to_parse)
        self.step("load entries")
        if errors:
            raise_failed(errors)
        loaded.update(parsed)
        self.parsed = parsed.keys()
        seeds, imported = memory.seeds, []
        self.report.skipped_raw = list(memory.manifest.skipped)
        urls = {entry.source_url for _, entry in loaded.values()}
        if not urls.issuperset(e.source_url for _, e in memory.entries.values()):
            # an entry gone or moved to another URL: its raw article is imported again
            added, seeds, imported, import_errors, skipped = self.import_seeds(
                loaded, seeds, inputs.seeds)
            if import_errors:
                raise_failed(import_errors)
            loaded.update(added)
            self.report.skipped_raw = skipped
        self.step("import seeds")
        self.refuse_skipped()
        self.kept = (inputs, loaded, seeds)
        return [entry for _, entry in loaded.values()], imported

    def site_layout(self, published: list[Entry], shape: str) -> Layout:
        """Return the layout: memory's when the shape is the same."""
        if self.changed is not None and self.memory.layout and self.memory.layout[0] == shape:
            layout = self.memory.layout[1]
        else:
            layout = super().site_layout(published, shape)
        self.kept_layout = (shape, layout)
        return layout

    def assemble(self, published: list[Entry], layout: Layout) -> Site:
        """Return the site model: memory's with the new bodies when only bodies changed."""
        known = self.memory.site
        if self.changed is None or known is None or self.memory.layout[1] is not layout \
                or len(self.parsed) > BODY_EDITS_LIMIT:
            site = super().assemble(published, layout)
        else:
            site = with_bodies(known, [entry for entry in published if entry.path in self.parsed])
        self.kept_site = site
        return site

    def template_digests(self, theme: Theme, names: set[str]) -> dict[str, str]:
        """Return the digests of the templates named: memory's for memory's theme (its templates
        did not change: a template edit builds from the disk)."""
        known = self.memory.template_digests
        if self.changed is None or self.memory.theme is None or self.memory.theme[1] is not theme:
            known = {}
        missing = names - known.keys()
        if missing:
            known = {**known, **super().template_digests(theme, missing)}
        self.kept_template_digests = known
        return known

    def load_theme(self, site: Site) -> Theme:
        """Return the theme: memory's (its templates compiled) when the years are the same."""
        years, known = year_links(site, self.config), self.memory.theme
        if self.changed is not None and known is not None and known[0] == years:
            theme = known[1]
        else:
            theme = super().load_theme(site)
        self.kept_theme = (years, theme)
        return theme

    def finish(self, site: Site, outputs: dict[str, tuple[str, str]],
               manifest: cache.Manifest) -> None:
        """Remember this build; leave the search index and the manifest for LiveSite.finish."""
        inputs, loaded, seeds = self.kept
        if self.report.imported:   # the entry files the import wrote are inputs too
            inputs = Inputs(dict(sorted({**inputs.entries, **{
                str(self.site_dir / rel): _stat(self.site_dir / rel)
                for rel in self.report.imported}}.items())), inputs.seeds, inputs.templates)
        self.memory.inputs, self.memory.entries, self.memory.seeds = inputs, loaded, seeds
        self.memory.layout, self.memory.theme = self.kept_layout, self.kept_theme
        self.memory.template_digests = self.kept_template_digests
        self.memory.site = self.kept_site
        self.memory.manifest = manifest
        self.deferred = (site, outputs, manifest)

    def finish_later(self) -> None:
        """Index the search pages and write the manifest (the build's last step); then compile
        the templates a body edit renders, so that the first save after a start does not."""
        if self.deferred is not None:
            Builder.finish(self, *self.deferred)
            site = self.deferred[0]
            self.deferred = None
            if site.entries and self.memory.theme is not None:
                theme = self.memory.theme[1]
                outputs = Planner(site, self.config, theme.language).body_outputs(
                    {site.entries[0].path})
                for name in {o.template for o in outputs if isinstance(o, PageOutput)}:
                    theme.env.get_template(name)


def with_bodies(site: Site, entries: list[Entry]) -> Site:
    """Return site with the given entries in place of those at their paths, which differ from
    them in their bodies alone (their front matter is the same, so is their place in the site).

    Only the entries' own pages and the site feed show bodies (Planner.body_outputs), and both
    take them from site.entries: the other indexes keep the entries as they were.
    """
    if not entries:
        return site
    new = {entry.path: entry for entry in entries}
    return dataclasses.replace(site, entries=tuple(
        [relinked(new[e.path], e) if e.path in new else e for e in site.entries]))


def relinked(entry: Entry, linked: Entry) -> Entry:
    """Return entry with what the site model set on linked (its URL, tag links, countries and
    source name), as model.site's assembly does."""
    fields = entry.__dict__.copy()
    for name in ("url", "tag_links", "countries", "source_name"):
        fields[name] = linked.__dict__[name]
    copy = object.__new__(Entry)
    object.__setattr__(copy, "__dict__", fields)   # Entry is frozen
    return copy


def raise_failed(errors: list[SourceError]) -> None:
    """Raise BuildFailed with errors."""
    raise BuildFailed(errors)


class LiveSite:
    """The dev server's site: builds from memory when it can, from the disk when it must."""

    def __init__(self, options: BuildOptions, content_dir: Callable[[], Path]):
        self.options = options
        self.content_dir = content_dir
        self.memory = Memory()
        self.dirty: set[str] = set()    # entry files changed since the last good build
        self.pending: LiveBuilder | None = None

    def build(self, changes: set[str] | None, log: Log, warn: Log) -> BuildReport:
        """Build after changes to the files at paths (relative to the site folder, or absolute;
        None: unknown, build from the disk); raise as build() does.

        The search index and the manifest wait for finish()."""
        self.finish()
        site_dir = self.options.site_dir.resolve()
        content = str(site_dir / self.content_dir()) + os.sep
        if changes is not None:
            changes = {os.path.join(site_dir, path) for path in changes}
        if changes is None or not all(path.startswith(content) and path.endswith(".md")
                                      for path in changes):
            self.forget()
        else:
            self.dirty |= changes
        builder = LiveBuilder(self.options, self.memory, set(self.dirty), log, warn)
        with _paused_gc():
            report = builder.run()
        self.dirty = set()
        self.pending = builder
        return report

    def forget(self) -> None:
        """Build from the disk next: put the last good build's manifest there first (a build
        from memory took it away), so that the disk build re-renders only what changed."""
        manifest, self.memory = self.memory.manifest, Memory()
        self.dirty = set()
        out_dir = self.options.output_dir
        if manifest is not None and out_dir is not None and out_dir.is_dir():
            cache_dir = self.options.site_dir.resolve() / cache.CACHE_DIR
            cache.write_manifest(cache_dir, out_dir.resolve(), manifest)

    def finish(self) -> bool:
        """Do what the last build left for after the reload: the search index and manifest;
        return whether the search index may have changed."""
        builder, self.pending = self.pending, None
        if builder is None or builder.deferred is None:
            return False
        with _paused_gc():
            builder.finish_later()
        return builder.config.search
