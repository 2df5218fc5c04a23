"""Edge: the full-text search index, made by running Pagefind over a built site folder.

Pagefind reads the HTML pages (only the parts marked `data-pagefind-body`, i.e. the entries) and
writes its bundle, `pagefind/` in the site: the index, the tag and year filters and the date sort.
The binary comes from the `pagefind[extended]` Python package; the build goes on without search
when it is missing or fails.

The bundle is cut into shards. Pagefind's search (1.5) scores every matching page against every
matching (page, word) pair of its index, so a query word that most pages contain costs time
that grows with the square of the pages in one index: 300-650 ms in Chromium for such a word
at 10,000 entries, 50-100 ms for all 20 shards of 500 together. The entry pages are therefore
sorted by date and cut into shards of about SHARD_PAGES pages, each indexed by its own Pagefind
run into `pagefind/N/` (N = 0, 1, ... from the oldest), and `pagefind/shards.json` lists them.
The search page (templates/static/search-engine.js) searches the shards in Web Workers and
merges the results: by score for relevance, in shard order for date order (shards never
overlap in date). Small sites get one shard. Each shard is a plain Pagefind bundle without
Pagefind's own UI files, which the search page does not use.

index_site() indexes a complete site folder (e.g. a staging folder that holds the whole site).
refresh_index() indexes the live output folder into a fresh bundle beside it and then puts the
bundle in place, for builds that only move changed files into the output folder.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from .output import replace_folder

BUNDLE_DIR = "pagefind"                     # the bundle's folder inside the site, as search.html expects
MANIFEST = "shards.json"                    # the list of shards in the bundle, for search-engine.js
BINARY_ENV = "PAGEFIND_BINARY_PATH"         # the variable Pagefind's own Python wrapper honours
BINARY_MODULES = ("pagefind_bin_extended", "pagefind_bin")
BINARY_NAMES = ("pagefind_extended", "pagefind")
TIMEOUT_SECONDS = 600
SHARD_PAGES = 500                           # pages per shard, about
MAX_SHARDS = 32                             # every query loads one index chunk per shard
SHARDING_SINCE = (1, 5)                     # Pagefind's JS API has createInstance() since 1.5
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
            "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
            "pagefind-highlight.js")
BODY_MARK = b"data-pagefind-body"
SORT_DATE = re.compile(rb'data-pagefind-sort="date"[^>]*>([^<]*)<')
VERSION = re.compile(r"(\d+)\.(\d+)")


def find_pagefind() -> Path | None:
    """Return the Pagefind binary the way `python -m pagefind` finds it, or None."""
    configured = os.environ.get(BINARY_ENV)
    if configured:
        return Path(configured)
    for module in BINARY_MODULES:
        try:
            return Path(importlib.import_module(module).get_executable())
        except (ImportError, FileNotFoundError, AttributeError):
            continue
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def last_line(text: str) -> str:
    """Return the last non-blank line of a program's output, or ''."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def entry_glob(permalink: str) -> str:
    """Return the Pagefind glob that matches the entry pages of a permalink pattern.

    Only entry pages carry content to index; reading only them halves Pagefind's time.
    """
    glob = permalink.strip("/").format(year="[0-9][0-9][0-9][0-9]", month="[0-9][0-9]",
                                       day="[0-9][0-9]", slug="*")
    return f"{glob}/index.html"


def pagefind_version(binary: Path) -> tuple[int, int] | None:
    """Return (major, minor) of the Pagefind binary, or None when it does not say."""
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                              errors="replace", timeout=60, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = VERSION.search(done.stdout + done.stderr) if done.returncode == 0 else None
    return (int(found.group(1)), int(found.group(2))) if found else None


def entry_pages(site_folder: Path, glob: str | None, skip: Path) -> list[tuple[str, str]]:
    """Return (sort date, path below site_folder) of the pages Pagefind would index, in date order.

    Like Pagefind: every page the glob matches (all HTML pages without one), and only those
    with data-pagefind-body when any page has it. skip (the bundle folder) is left out.
    """
    found: list[tuple[str, str, bool]] = []
    for path in site_folder.glob(glob or "**/*.html"):
        if not path.is_file() or path.is_relative_to(skip):
            continue
        html = path.read_bytes()
        date = SORT_DATE.search(html)
        found.append((date.group(1).decode("utf-8", "replace").strip() if date else "",
                      path.relative_to(site_folder).as_posix(), BODY_MARK in html))
    if any(marked for _, _, marked in found):
        found = [page for page in found if page[2]]
    return sorted((date, rel) for date, rel, _ in found)


def shard_count(pages: int, version: tuple[int, int] | None) -> int:
    """Return how many shards to cut `pages` entry pages into."""
    if version is None or version < SHARDING_SINCE:
        return 1
    return max(1, min(MAX_SHARDS, round(pages / SHARD_PAGES)))


def link_view(site_folder: Path, pages: list[tuple[str, str]], view: Path) -> None:
    """Make folder view hold just these pages of site_folder (hard links, or copies)."""
    for _, rel in pages:
        target = view / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site_folder / rel, target)
        except OSError:
            shutil.copyfile(site_folder / rel, target)


def run_pagefind(binary: Path, site: Path, output: Path, glob: str | None,
                 log: Callable[[str], None]) -> str | None:
    """Run Pagefind over site into output; return None, or one line saying why it failed."""
    command = [str(binary), "--site", str(site), "--output-path", str(output), "--quiet"]
    if glob:
        command += ["--glob", glob]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"search index not built: Pagefind did not finish within {TIMEOUT_SECONDS} s"
    except OSError as error:
        return f"search index not built: could not run {binary.name}: {error.strerror or error}"
    output_text = done.stdout + done.stderr
    if done.returncode != 0:
        reason = last_line(output_text) or "no message"
        return f"search index not built: Pagefind exited with status {done.returncode}: {reason}"
    for line in output_text.splitlines():       # --quiet leaves only warnings
        if line.strip():
            log(f"pagefind: {line.strip()}")
    return None


def drop_ui_files(shard: Path) -> None:
    """Remove Pagefind's own UI files from a shard: the search page has its own."""
    for name in UI_FILES:
        (shard / name).unlink(missing_ok=True)


def write_manifest(target: Path, shards: list[list[tuple[str, str]]]) -> None:
    """Write target/shards.json: each shard's folder, page count and date range, oldest first.

    `build` names this index (a digest of the shards' metadata files), so browsers may cache
    each shard's pagefind-entry.json until the index changes.
    """
    digest = hashlib.blake2b(digest_size=8)
    listed = []
    for number, pages in enumerate(shards):
        for meta in sorted((target / str(number)).glob("pagefind.*.pf_meta")):
            digest.update(meta.name.encode())
        listed.append({"path": f"{number}/", "pages": len(pages),
                       "first": pages[0][0] if pages else "", "last": pages[-1][0] if pages else ""})
    manifest = {"version": 1, "build": digest.hexdigest(), "pages": sum(len(p) for p in shards),
                "shards": listed}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")


def index_site(site_folder: Path, log: Callable[[str], None], binary: Path | None = None,
               bundle_dir: Path | None = None, glob: str | None = None) -> str | None:
    """Index the built site in site_folder; return None, or one line saying why search is missing.

    The bundle goes to site_folder/pagefind, or to bundle_dir when given; glob limits the pages
    Pagefind reads.
    """
    binary = binary or find_pagefind()
    if binary is None or not binary.is_file():
        where = f" at {binary}" if binary else ""
        return (f"search index not built: the Pagefind binary was not found{where} "
                f"(install it with: pip install 'pagefind[extended]')")
    target = bundle_dir or site_folder / BUNDLE_DIR
    pages = entry_pages(site_folder, glob, target)
    count = shard_count(len(pages), pagefind_version(binary) if len(pages) > SHARD_PAGES else None)
    shards = [pages[n * len(pages) // count:(n + 1) * len(pages) // count] for n in range(count)]
    if count == 1:      # Pagefind reads the site itself, as it would without sitegen
        problem = run_pagefind(binary, site_folder, target / "0", glob, log)
    else:
        views = Path(tempfile.mkdtemp(prefix=".sitegen-shards-", dir=site_folder.parent))
        try:
            def index_shard(number: int) -> str | None:
                view = views / str(number)
                link_view(site_folder, shards[number], view)
                return run_pagefind(binary, view, target / str(number), None, log)

            with ThreadPoolExecutor(max_workers=min(count, os.cpu_count() or 1)) as pool:
                problem = next((p for p in pool.map(index_shard, range(count)) if p), None)
        finally:
            shutil.rmtree(views, ignore_errors=True)
    if problem:
        return problem
    for number in range(count):
        if not (target / str(number) / "pagefind.js").is_file():
            return f"search index not built: Pagefind wrote no {target.name}/{number}/pagefind.js"
        drop_ui_files(target / str(number))
    write_manifest(target, shards)
    return None


def refresh_index(out_dir: Path, log: Callable[[str], None], binary: Path | None = None,
                  glob: str | None = None) -> str | None:
    """Rebuild out_dir's search bundle beside it, then swap it in; return None or why not."""
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.pagefind-", dir=out_dir.parent))
    try:
        fresh = work / BUNDLE_DIR
        problem = index_site(out_dir, log, binary=binary, bundle_dir=fresh, glob=glob)
        if problem:
            return problem
        replace_folder(fresh, out_dir / BUNDLE_DIR)
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)
