"""The build: one flat list of named, timed steps from files on disk to the site on disk."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import ingest
from .config import Config, load_config
from .content import find_entry_files, load_entries
from .errors import BuildFailed, SitegenError, SourceError
from .model import Entry
from .output import WriteReport, commit_site, content_digest, discard_staging, is_same_site, stage_site
from .plan import DataOutput, Link, PageOutput, PlanContext, build_plan
from .render import make_environment, render_page, theme_dir
from .sitemodel import build_site
from .urls import period_path

HASHED_ASSETS = (".css", ".js")


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    entries: int = 0
    pages: int = 0
    files: int = 0
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    write: WriteReport = field(default_factory=WriteReport)
    steps: list[tuple[str, float]] = field(default_factory=list)

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


def collect_assets(site_dir: Path, config: Config) -> dict[str, bytes]:
    """Return static file name -> bytes: the theme's, overridden by the site's own."""
    files: dict[str, bytes] = {}
    for root in (theme_dir() / "static", site_dir / config.templates_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def hashed_name(name: str, data: bytes) -> str:
    """Return 'style.1a2b3c4d.css' for css and js files, so browsers never keep stale ones."""
    if not name.endswith(HASHED_ASSETS):
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{content_digest(data)[:10]}{dot}{suffix}"


def site_globals(config: Config, assets: dict[str, str], site_years: list[Link]) -> dict:
    """Return what every template sees as `site`."""
    base = config.base_path
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_path": base,
        "home_url": base,
        "tags_url": base + "tags/",
        "archive_url": base + "archive/",
        "search_url": base + "search/",
        "feed_url": base + "feed.xml",
        "timeline_json_url": base + "timeline.json",
        "assets": assets,
        "years": site_years,
        "search": config.search,
    }


def import_seeds(site_dir: Path, config: Config, entries: list[Entry],
                 report: BuildReport) -> list[SourceError]:
    """Import raw articles from seeds/ that have no entry yet; return their errors."""
    seeds = site_dir / config.seeds_dir
    if not seeds.is_dir():
        return []
    known_urls = {e.source_url: e.path for e in entries if e.source_url}
    known_slugs = {e.slug for e in entries}
    result = ingest.import_articles(ingest.find_raw_files([seeds]), site_dir,
                                    content_dir=config.content_dir, known_urls=known_urls,
                                    known_slugs=known_slugs)
    report.imported.extend(result.written)
    return list(result.errors)


def build(options: BuildOptions, log: Callable[[str], None] = lambda message: None) -> BuildReport:
    """Build the site in options.site_dir; raise BuildFailed with every error found."""
    report = BuildReport()
    site_dir = options.site_dir.resolve()
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.steps.append((name, now - clock))
        clock = now

    config = load_config(site_dir, {"base_url": options.base_url})
    out_dir = options.output_dir or site_dir / config.output_dir
    step("config")

    content_dir = site_dir / config.content_dir
    entries, errors = load_entries(site_dir, find_entry_files(content_dir), config.tz)
    step("load entries")

    errors += import_seeds(site_dir, config, entries, report)
    if report.imported:
        new, new_errors = load_entries(site_dir, [site_dir / p for p in report.imported], config.tz)
        entries += new
        errors += new_errors
        log(f"imported {len(report.imported)} raw article(s) from {config.seeds_dir}/")
    step("import seeds")
    if errors:
        raise BuildFailed(errors)

    published = [e for e in entries if options.drafts or not e.draft]
    site = build_site(published, config)
    report.entries = len(site.entries)
    step("site model")

    static = collect_assets(site_dir, config)
    static_out = {f"static/{hashed_name(n, d)}": d for n, d in static.items()}
    asset_urls = {name: config.base_path + f"static/{hashed_name(name, data)}"
                  for name, data in static.items()}
    plan = build_plan(site, PlanContext(config, asset_urls))
    step("plan")

    env = make_environment(site_dir / config.templates_dir)
    years = [Link(str(y.year), config.base_path + period_path(y.year).lstrip("/")) for y in site.years]
    env.globals["site"] = site_globals(config, asset_urls, years)
    files: dict[str, bytes] = {}
    for output in plan:
        if isinstance(output, PageOutput):
            files[output.path] = render_page(env, output.template, output.context)
            report.pages += 1
        else:
            files[output.path] = output.make()
    files.update(static_out)
    report.files = len(files)
    step("render")

    if is_same_site(out_dir, files):
        report.write = WriteReport(unchanged=len(files))
    else:
        staging, report.write = stage_site(out_dir, files)
        try:
            commit_site(staging, out_dir)
        except BaseException:
            discard_staging(out_dir)
            raise
    step("write")
    return report


def describe(report: BuildReport) -> str:
    """Return the one-line summary printed after a build."""
    write = report.write
    return (f"built {report.entries} entries into {report.pages} pages "
            f"({report.files} files: {write.written} written, {write.unchanged} unchanged, "
            f"{write.removed} removed) in {report.seconds:.2f} s")
