"""Edge: the full-text search index, made by running Pagefind over a built site folder.

Pagefind reads the HTML pages (only the parts marked `data-pagefind-body`, i.e. the entries) and
writes its bundle, `pagefind/` in the site: the index, the tag and year filters, the date sort,
and the search UI the search page loads. The binary comes from the `pagefind[extended]` Python
package; the build goes on without search when it is missing or fails.

index_site() indexes a complete site folder (e.g. a staging folder that holds the whole site).
refresh_index() indexes the live output folder into a fresh bundle beside it and then puts the
bundle in place, for builds that only move changed files into the output folder.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from .output import replace_folder

BUNDLE_DIR = "pagefind"                     # the bundle's folder inside the site, as search.html expects
BINARY_ENV = "PAGEFIND_BINARY_PATH"         # the variable Pagefind's own Python wrapper honours
BINARY_MODULES = ("pagefind_bin_extended", "pagefind_bin")
BINARY_NAMES = ("pagefind_extended", "pagefind")
TIMEOUT_SECONDS = 600


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
    command = [str(binary), "--site", str(site_folder), "--output-path", str(target), "--quiet"]
    if glob:
        command += ["--glob", glob]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"search index not built: Pagefind did not finish within {TIMEOUT_SECONDS} s"
    except OSError as error:
        return f"search index not built: could not run {binary.name}: {error.strerror or error}"
    output = done.stdout + done.stderr
    if done.returncode != 0:
        reason = last_line(output) or "no message"
        return f"search index not built: Pagefind exited with status {done.returncode}: {reason}"
    if not (target / "pagefind.js").is_file():
        return f"search index not built: Pagefind wrote no {target.name}/pagefind.js"
    for line in output.splitlines():       # --quiet leaves only warnings
        if line.strip():
            log(f"pagefind: {line.strip()}")
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
