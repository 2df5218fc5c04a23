"""Edge: the full-text search index, made by running Pagefind over a built site folder.

Pagefind reads the HTML pages (only the parts marked `data-pagefind-body`, i.e. the entries) and
writes its bundle, `pagefind/` in the site: the index, the tag, country and year filters and the
date sort.
The binary comes from the `pagefind[extended]` Python package; the build goes on without search
when it is missing or fails.

The bundle is cut into shards. Pagefind's search (1.5) scores every matching page against every
matching (page, word) pair of its index, so a query word that most pages contain costs time
that grows with the square of the pages in one index: 300-650 ms in Chromium for such a word
at 10,000 entries, 50-100 ms for all 20 shards of 500 together. The entry pages are therefore
sorted by date and cut into shards of about SHARD_PAGES pages, each indexed by its own Pagefind
run, and `pagefind/shards.json` lists them oldest first. The search page
(templates/static/search-engine.js) searches the shards in Web Workers and merges the results:
by score for relevance, in shard order for date order (shards never overlap in date). Small
sites get one shard. Each shard is a plain Pagefind bundle without Pagefind's own UI files,
which the search page does not use.

Rebuilds index only the shards whose pages changed. A shard's folder is named by a digest of
its pages' paths and bytes (and the Pagefind version), so an unchanged shard keeps its folder.
Where the cuts fall depends on the pages around them, not on their positions (a shard ends at
a page whose path digest hits, as in content-defined chunking), so adding, editing or deleting
an entry nearly always changes its own shard only; and a rebuild gives the same shards as a
clean build.
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

from ..core.urls import SEARCH_BUNDLE_DIR

MANIFEST = "shards.json"                    # the list of shards in the bundle, for search-engine.js
BINARY_ENV = "PAGEFIND_BINARY_PATH"         # the variable Pagefind's own Python wrapper honours
BINARY_MODULES = ("pagefind_bin_extended", "pagefind_bin")
BINARY_NAMES = ("pagefind_extended", "pagefind")
TIMEOUT_SECONDS = 600
SHARD_PAGES = 500                           # pages per shard, on average
MAX_SHARDS = 32                             # about; every query loads one index chunk per shard
SHARDING_SINCE = (1, 5)                     # Pagefind's JS API has createInstance() since 1.5
SHARD_FORMAT = "1"                          # part of every shard's name: change it when what
                                            # this module writes into a shard changes
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
            "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
            "pagefind-highlight.js")
VERSION = re.compile(r"(\d+)\.(\d+)(?:\.\d+)?")

Page = tuple[str, str, str]                 # (sort date, path below the site folder, digest of its bytes)


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


def pagefind_version(binary: Path) -> str | None:
    """Return the version the Pagefind binary reports (e.g. "1.5.2"), or None when it does not say."""
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                              errors="replace", timeout=60, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = VERSION.search(done.stdout + done.stderr) if done.returncode == 0 else None
    return found.group(0) if found else None


def can_shard(version: str | None) -> bool:
    """Return whether the search page can read shards made by this Pagefind version."""
    found = VERSION.match(version or "")
    return bool(found) and (int(found.group(1)), int(found.group(2))) >= SHARDING_SINCE


def shard_size(pages: int) -> int:
    """Return the average shard size for a site of `pages` pages: SHARD_PAGES, doubled until
    about MAX_SHARDS shards hold them (so sizes stay put as a site grows, but for the rare
    doubling)."""
    size = SHARD_PAGES
    while pages > size * MAX_SHARDS:
        size *= 2
    return size


def path_hash(rel: str) -> int:
    """Return a stable number for a page path: where shards may end."""
    return int.from_bytes(hashlib.blake2b(rel.encode("utf-8"), digest_size=8).digest(), "big")


def cut_shards(pages: list[Page], size: int) -> list[list[Page]]:
    """Cut date-ordered pages into runs of about size pages (7/8 of it up to 3/2 of it).

    A run ends at its first page past 7/8 of size whose path hash is 0 modulo size/8 (or, in
    the one case in a few hundred where no such page comes in time, at 3/2 of size, which
    bounds a search's worst case): so where a run ends depends on its own pages, and adding or
    removing a page nearly always changes its own run only, not the ones after it as cutting
    every size pages would.
    """
    if len(pages) <= size:
        return [pages] if pages else []
    low, high, odds = size * 7 // 8, size * 3 // 2, max(1, size // 8)
    shards, start = [], 0
    for number, (_, rel, _) in enumerate(pages):
        length = number + 1 - start
        if length >= high or (length >= low and path_hash(rel) % odds == 0):
            shards.append(pages[start:number + 1])
            start = number + 1
    if start < len(pages):
        shards.append(pages[start:])
    return shards


def shard_name(version: str | None, shard: list[Page]) -> str:
    """Return the folder name of a shard: a digest of everything its index depends on."""
    digest = hashlib.blake2b(f"{SHARD_FORMAT}\0{version}\0".encode(), digest_size=8)
    for _, rel, page_digest in shard:
        digest.update(f"{rel}\0{page_digest}\0".encode("utf-8"))
    return digest.hexdigest()


def link_view(site_folder: Path, pages: list[Page], view: Path) -> None:
    """Make folder view hold just these pages of site_folder (hard links, or copies)."""
    for _, rel, _ in pages:
        target = view / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site_folder / rel, target)
        except OSError:
            shutil.copyfile(site_folder / rel, target)


def run_pagefind(binary: Path, site: Path, output: Path, log: Callable[[str], None]) -> str | None:
    """Run Pagefind over site into output; return None, or one line saying why it failed."""
    command = [str(binary), "--site", str(site), "--output-path", str(output), "--quiet"]
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


def index_shards(binary: Path, site_folder: Path, bundle: Path, todo: dict[str, list[Page]],
                 log: Callable[[str], None]) -> str | None:
    """Index each shard of todo (name -> pages) into bundle/name; return None or why not.

    Each shard is indexed from a folder of links to its pages only, into a hidden folder that
    takes the shard's name once complete, so a shard folder is never half written. Both are in
    the bundle, whose next update removes what a killed build left there.
    """
    views = Path(tempfile.mkdtemp(prefix=".views-", dir=bundle))
    try:
        def index_shard(name: str) -> str | None:
            view, partial = views / name, bundle / f".{name}.partial"
            view.mkdir()
            link_view(site_folder, todo[name], view)
            shutil.rmtree(partial, ignore_errors=True)
            problem = run_pagefind(binary, view, partial, log)
            if not problem and not (partial / "pagefind.js").is_file():
                problem = f"search index not built: Pagefind wrote no {SEARCH_BUNDLE_DIR}/{name}/pagefind.js"
            if problem:
                shutil.rmtree(partial, ignore_errors=True)
                return problem
            for ui_file in UI_FILES:            # the search page has its own UI
                (partial / ui_file).unlink(missing_ok=True)
            os.rename(partial, bundle / name)
            return None

        with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
            return next((p for p in pool.map(index_shard, sorted(todo)) if p), None)
    finally:
        shutil.rmtree(views, ignore_errors=True)


def write_manifest(bundle: Path, shards: list[tuple[str, list[Page]]]) -> None:
    """Replace bundle/shards.json in one step: each shard's folder, page count and date range,
    oldest first."""
    listed = [{"path": f"{name}/", "pages": len(pages), "first": pages[0][0] if pages else "",
               "last": pages[-1][0] if pages else ""} for name, pages in shards]
    manifest = {"version": 2, "pages": sum(len(pages) for _, pages in shards), "shards": listed}
    temp = bundle / (MANIFEST + ".tmp")
    temp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, bundle / MANIFEST)


def index_site(site_folder: Path, pages: list[Page], log: Callable[[str], None],
               binary: Path | None = None) -> str | None:
    """Bring site_folder's search bundle up to date; return None, or one line saying why not.

    pages are the entry pages to index in date order. Shards whose folder already exists are
    kept; the others are indexed,
    then shards.json is replaced, then folders it no longer lists are removed. On failure the
    previous bundle stays as it was.
    """
    binary = binary or find_pagefind()
    if binary is None or not binary.is_file():
        where = f" at {binary}" if binary else ""
        return (f"search index not built: the Pagefind binary was not found{where} "
                f"(install it with: pip install 'pagefind[extended]')")
    bundle = site_folder / SEARCH_BUNDLE_DIR
    version = pagefind_version(binary)
    size = shard_size(len(pages)) if can_shard(version) else max(1, len(pages))
    shards = [(shard_name(version, shard), shard) for shard in cut_shards(pages, size)]
    if not shards:      # Pagefind says why it cannot index an empty site
        shards = [(shard_name(version, []), [])]
    bundle.mkdir(parents=True, exist_ok=True)
    todo = {name: shard for name, shard in shards if not (bundle / name / "pagefind.js").is_file()}
    problem = index_shards(binary, site_folder, bundle, todo, log) if todo else None
    if problem:
        for name in todo:
            shutil.rmtree(bundle / name, ignore_errors=True)
        return problem
    write_manifest(bundle, shards)
    listed = {name for name, _ in shards} | {MANIFEST}
    for path in bundle.iterdir():
        if path.name not in listed:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    return None


def remove_index(site_folder: Path) -> None:
    """Remove the search bundle from a site that no longer has search."""
    bundle = site_folder / SEARCH_BUNDLE_DIR
    if (bundle / MANIFEST).is_file():
        shutil.rmtree(bundle)
