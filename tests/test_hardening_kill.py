"""Hardening: a killed build or import never loses work nor leaves a half-made site.

Builds and imports run through the real CLI in their own process group, which gets SIGKILL
(the build and its forked workers, as a CI timeout or a closed terminal would) after delays
spread from 5% to 130% of a full run measured just before (10 delays per build case, 5 for
import):

- cold build over an existing site (no cache; > 2,000 changed files: the staging folder and
  the RENAME_EXCHANGE swap). Right after the kill, before anything else runs, the raw output
  folder must be exactly the previous site or exactly the new one (compared file by file with
  trees from reference builds); the same after output.recover();
- incremental build (367 entry bodies edited: the journal of moves). A kill during the moves may
  leave the raw folder part old and part new: that is by design finished by the next build's
  recover(), so the folder is compared AFTER output.recover(out_dir) has run;
- cold build as on a system without fork or renameat2 (tests/without_fork_or_renameat2.py, 5
  delays): the swap is two renames, so right after a kill the output folder is the previous
  site, the new one, or missing with the previous site beside it; after output.recover() it is
  whole, the previous site when it was missing;
- after every kill, the next build succeeds, gives exactly the new site and leaves no
  .public.staging or .public.previous folder;
- a build killed while it brings the search index up to date (22 bodies edited, or every
  title): right after the kill index.json names only files that are there and whole; the next
  build gives the index of an unkilled build and leaves nothing of the killed one in searchindex/;
- import of 600 raw articles (by `sitegen import`, and by a build that imports seeds/ in its
  workers and commits the entries as a group): after a kill every entry file (*.md) parses; a
  re-import (or the next build: the same entry files and site as a build never killed) then
  brings every article exactly once, and that build removes the temp files of the import left
  in content/ (and no file of the author's that looks like one); a re-import (and a build) never
  overwrites an entry that was edited by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_builder.outputs import folder as output
from site_builder.sources.content import load_entry
from site_builder.sources.ingest import scan_entries
from site_builder.outputs.render import theme_dir

REPO = Path(__file__).resolve().parent.parent
ENTRIES = 1100          # one per day: > 2,000 output files, so a full rebuild swaps folders
EDITED = tuple(range(0, ENTRIES, 3))    # bodies of 367 entries: a long journal of moves
KILLS = 10
SEARCH_KILLS = 5
SEARCH_EDITED = tuple(range(0, ENTRIES, 50))   # 22 bodies: the index is patched
IMPORT_ARTICLES = 600
IMPORT_KILLS = 5
UTC = __import__("datetime").timezone.utc


def day_of(i: int) -> str:
    """Return the date of entry i: one entry per day from 2020-01-01."""
    import datetime
    return (datetime.date(2020, 1, 1) + datetime.timedelta(days=i)).isoformat()


def write_entries(site: Path, version: str, edited: tuple[int, ...] = ()) -> None:
    """Write every entry file: titles say the version; edited entries get a new body too."""
    for i in range(ENTRIES):
        day = day_of(i)
        path = site / "content" / day[:4] / day[5:7] / f"e{i:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = f"Edited body {i}." if i in edited else f"Body {i}."
        text = (f"---\ntitle: Entry {i} version {version}\ndate: {day}\nslug: e{i:04d}\n"
                f"tags: [t{i % 7}]\n---\n\n{body}\n")
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, str]:
    """Return relative path -> digest of every file below folder."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root, name)
            found[path.relative_to(folder).as_posix()] = hashlib.blake2b(
                path.read_bytes(), digest_size=16).hexdigest()
    return found


def command(site: Path, *args: str) -> list[str]:
    """Return the argv of a sitegen command for site."""
    return [sys.executable, "-m", "site_builder", *args, "--site", str(site)]


def command_without_fork_or_renameat2(site: Path, *args: str) -> list[str]:
    """Return the argv of a sitegen command for site, run as on a system with neither."""
    return [sys.executable, str(REPO / "tests" / "without_fork_or_renameat2.py"), *args,
            "--site", str(site)]


def run(argv: list[str]) -> float:
    """Run a command to the end; return how long it took. It must succeed."""
    started = time.monotonic()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return time.monotonic() - started


def run_and_kill(argv: list[str], delay: float) -> bool:
    """Start a command in its own process group, SIGKILL the group after delay; return whether
    it had already finished."""
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    time.sleep(0.05)    # let the kernel reap the workers of the group
    return finished


def delays(total: float, count: int) -> list[float]:
    """Return count delays spread evenly from 5% to 130% of total seconds: the last ones may
    come after the end on a fast run, so that the final moves are hit on a slow one."""
    return [total * (0.05 + 1.25 * k / (count - 1)) for k in range(count)]


def strays(site: Path) -> list[str]:
    """Return the leftover staging or previous folders beside the output folder."""
    return [p.name for p in site.iterdir() if p.name in (".public.staging", ".public.previous")]


def restore_in_place(public: Path, saved: Path) -> None:
    """Make public hold exactly saved's files, keeping the public folder itself (its inode)."""
    wanted = snapshot(saved)
    for root, dirs, files in os.walk(public, topdown=False):
        for name in files:
            rel = Path(root, name).relative_to(public).as_posix()
            if rel not in wanted:
                os.unlink(Path(root, name))
        for name in dirs:
            folder = Path(root, name)
            if not any(folder.iterdir()):
                folder.rmdir()
    have = snapshot(public)
    for rel, digest in wanted.items():
        if have.get(rel) != digest:
            target = public / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            os.link(saved / rel, target)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Build versions A, B (all titles changed) and B' (bodies edited); keep their trees."""
    root = tmp_path_factory.mktemp("kill")
    site = root / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Kill\nbase_url: https://example.org/\n"
                                       "search: false\n")   # the search index: see below
    # A frozen copy of the theme: an edit to templates/ while the tests run (other people work
    # in this checkout) would otherwise make the next build differ from the reference trees.
    shutil.copytree(theme_dir(), site / "templates",
                    ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    write_entries(site, "A")
    run(command(site, "build"))
    public = site / "public"
    shutil.copytree(public, root / "public-A")
    write_entries(site, "B")
    shutil.rmtree(site / ".sitegen-cache")
    cold = run(command(site, "build"))
    shutil.copytree(public, root / "public-B")
    shutil.copytree(site / ".sitegen-cache", root / "cache-B")
    write_entries(site, "B", EDITED)
    incremental = run(command(site, "build"))
    refs = {"site": site, "root": root, "A": snapshot(root / "public-A"),
            "B": snapshot(root / "public-B"), "B2": snapshot(public), "cold": cold,
            "incremental": incremental}
    changed = {p for p in refs["B"] if refs["A"].get(p) != refs["B"][p]}
    assert len(changed) > output.JOURNAL_LIMIT, "the cold case must take the swap path"
    changed = {p for p in refs["B2"] if refs["B"].get(p) != refs["B2"][p]}
    assert 0 < len(changed) <= output.JOURNAL_LIMIT, "the incremental case must take the journal"
    return refs


def which(tree: dict[str, str], refs: dict, names: tuple[str, ...]) -> str | None:
    """Return the name of the reference tree equal to tree, or None."""
    return next((name for name in names if refs[name] == tree), None)


def test_a_cold_build_killed_at_10_moments_leaves_the_old_or_the_new_site(references):
    refs, site, root = references, references["site"], references["root"]
    public = site / "public"
    write_entries(site, "B")
    outcomes = []
    for delay in delays(refs["cold"], KILLS):
        shutil.rmtree(public)
        # Hard links make the copy fast; builds never write into an output file in place.
        shutil.copytree(root / "public-A", public, copy_function=os.link)
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        for name in strays(site):
            shutil.rmtree(site / name)
        finished = run_and_kill(command(site, "build"), delay)
        raw = which(snapshot(public), refs, ("A", "B"))
        assert raw, f"killed after {delay:.2f} s: the raw output folder is neither site"
        output.recover(public)
        assert which(snapshot(public), refs, ("A", "B")) == raw
        run(command(site, "build"))
        assert snapshot(public) == refs["B"] and not strays(site)
        outcomes.append((round(delay, 2), raw, finished))
    print("cold build kills (delay s, site found, had finished):", outcomes)


def test_a_build_without_renameat2_killed_at_5_moments_is_whole_after_recover(references):
    # Without renameat2 the swap is two renames: killed between them, the output folder is
    # missing and the old site waits beside it, which recover (or the next build) puts back.
    refs, site, root = references, references["site"], references["root"]
    public = site / "public"
    write_entries(site, "B")
    outcomes = []
    for delay in delays(refs["cold"], 5):
        shutil.rmtree(public, ignore_errors=True)
        shutil.copytree(root / "public-A", public, copy_function=os.link)
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        for name in strays(site):
            shutil.rmtree(site / name)
        finished = run_and_kill(command_without_fork_or_renameat2(site, "build"), delay)
        raw = which(snapshot(public), refs, ("A", "B")) if public.exists() else "missing"
        assert raw, f"killed after {delay:.2f} s: the raw output folder is neither site"
        output.recover(public)
        assert which(snapshot(public), refs, ("A", "B")) == (raw if raw != "missing" else "A")
        run(command_without_fork_or_renameat2(site, "build"))
        assert snapshot(public) == refs["B"] and not strays(site)
        outcomes.append((round(delay, 2), raw, finished))
    print("kills without renameat2 (delay s, site found, had finished):", outcomes)


def test_an_incremental_build_killed_at_10_moments_is_whole_after_recover(references):
    refs, site, root = references, references["site"], references["root"]
    public = site / "public"
    write_entries(site, "B", EDITED)
    outcomes = []
    for delay in delays(refs["incremental"], KILLS):
        for name in strays(site):
            shutil.rmtree(site / name)
        restore_in_place(public, root / "public-B")
        shutil.rmtree(site / ".sitegen-cache")
        shutil.copytree(root / "cache-B", site / ".sitegen-cache")
        assert snapshot(public) == refs["B"]
        finished = run_and_kill(command(site, "build"), delay)
        output.recover(public)      # what the next build does first: finishes a journal's moves
        found = which(snapshot(public), refs, ("B", "B2"))
        assert found, f"killed after {delay:.2f} s: after recover() the folder is neither site"
        assert not strays(site)
        run(command(site, "build"))
        assert snapshot(public) == refs["B2"] and not strays(site)
        outcomes.append((round(delay, 2), found, finished))
    print("incremental build kills (delay s, site found, had finished):", outcomes)


def whole_index(public: Path) -> set[str]:
    """Return the files public's search index names (index.json with them), each checked to be
    there and whole."""
    bundle = public / "searchindex"
    root = json.loads((bundle / "index.json").read_text(encoding="utf-8"))
    named = {"index.json", *(path for _, path in root["words"]), *root["facets"].values(),
             *(f"{root['epoch']}/{n}.json" for n in range(root["docs"]))}
    for rel in named:
        json.loads((bundle / rel).read_text(encoding="utf-8"))     # there, and whole JSON
    assert root["docs"] == ENTRIES
    return named


@pytest.mark.parametrize("change", ["bodies", "titles"])   # files moved in, or a swapped folder
def test_a_build_killed_while_indexing_leaves_a_whole_search_index(tmp_path, change):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Kill\nbase_url: https://example.org/\n")
    shutil.copytree(theme_dir(), site / "templates",
                    ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    write_entries(site, "A")
    run(command(site, "build"))
    public, saved = site / "public", tmp_path / "saved"
    shutil.copytree(public, saved / "public")
    shutil.copytree(site / ".sitegen-cache", saved / "cache")
    before = whole_index(public)
    write_entries(site, "B" if change == "titles" else "A", SEARCH_EDITED)
    total = run(command(site, "build"))
    after = whole_index(public)
    assert before != after, "the index must change"
    wanted = (public / "searchindex/index.json").read_bytes()
    outcomes = []
    for number, delay in enumerate(delays(total, SEARCH_KILLS)):
        # The same folder, or a copy, which the build cache no longer describes.
        if number % 2:
            shutil.rmtree(public)
            shutil.copytree(saved / "public", public, copy_function=os.link)
        else:
            restore_in_place(public, saved / "public")
        shutil.rmtree(site / ".sitegen-cache")
        shutil.copytree(saved / "cache", site / ".sitegen-cache")
        finished = run_and_kill(command(site, "build"), delay)
        output.recover(public)
        found = whole_index(public)
        run(command(site, "build"))
        assert (public / "searchindex/index.json").read_bytes() == wanted
        assert {p.relative_to(public / "searchindex").as_posix()
                for p in (public / "searchindex").rglob("*") if p.is_file()} == after
        assert not strays(site)
        outcomes.append((round(delay, 2), "new" if found == after else
                         "old" if found == before else "between", finished))
    print(f"search index kills, {change} (delay s, index found, had finished):", outcomes)


def write_raw_articles(folder: Path, count: int) -> None:
    """Write count raw articles."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(
            f"date 2022-{i % 12 + 1:02d}-{i % 28 + 1:02d} https://example.org/a/{i}\n"
            f"Title number {i}\nLead {i}\nrussia, china\nBEIJING (Sputnik) - Body {i} text.\n"
            f"More text {i}.\n", encoding="utf-8")


def test_an_import_killed_at_5_moments_leaves_only_whole_entries(tmp_path):
    raw = tmp_path / "raw"
    write_raw_articles(raw, IMPORT_ARTICLES)
    timing_site = tmp_path / "timing"
    timing_site.mkdir()
    total = run(command(timing_site, "import") + [str(raw)])
    for n, delay in enumerate(delays(total, IMPORT_KILLS)):
        site = tmp_path / f"site{n}"
        site.mkdir()
        run_and_kill(command(site, "import") + [str(raw)], delay)
        entries = sorted((site / "content").rglob("*.md")) if (site / "content").exists() else []
        for path in entries:
            if not path.name.startswith("."):
                load_entry(site, path, UTC)     # raises SourceError on a half-written entry
        run(command(site, "import") + [str(raw)])
        urls, _ = scan_entries(site / "content", site)
        assert sorted(urls) == sorted(f"https://example.org/a/{i}" for i in range(IMPORT_ARTICLES))
        visible = [p for p in (site / "content").rglob("*.md") if not p.name.startswith(".")]
        assert len(visible) == IMPORT_ARTICLES


def test_a_reimport_or_a_build_never_overwrites_a_hand_edited_entry(tmp_path):
    site = tmp_path / "site"
    write_raw_articles(site / "seeds", 3)
    run(command(site, "import") + [str(site / "seeds")])
    [first, *_] = sorted((site / "content").rglob("*.md"))
    edited = first.read_text(encoding="utf-8").replace("Title number", "Edited by hand") + \
        "\nA paragraph written by hand.\n"
    first.write_text(edited, encoding="utf-8")
    done = subprocess.run(command(site, "import") + [str(site / "seeds")], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.count("skipped") == 3, done.stdout
    assert first.read_text(encoding="utf-8") == edited
    run(command(site, "build"))
    assert first.read_text(encoding="utf-8") == edited
    assert len(list((site / "content").rglob("*.md"))) == 3
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "public").rglob("index.html"))
    assert "Edited by hand" in pages and "A paragraph written by hand." in pages


def test_a_build_importing_seeds_killed_at_5_moments_loses_no_entry(tmp_path):
    """A build whose import of 600 raw articles (read by its workers, committed as a group) is
    killed: no entry file is half written, and the next build brings every article exactly once,
    the same entry files and the same site as a build never killed."""
    reference = tmp_path / "reference"
    write_raw_articles(reference / "seeds", IMPORT_ARTICLES)
    (reference / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    total = run(command(reference, "build"))
    entries, site_files = snapshot(reference / "content"), snapshot(reference / "public")
    assert len(entries) == IMPORT_ARTICLES
    for n, delay in enumerate(delays(total, IMPORT_KILLS)):
        site = tmp_path / f"site{n}"
        shutil.copytree(reference / "seeds", site / "seeds")
        shutil.copy(reference / "sitegen.yaml", site / "sitegen.yaml")
        run_and_kill(command(site, "build"), delay)
        visible = [p for p in (site / "content").rglob("*.md") if not p.name.startswith(".")] \
            if (site / "content").exists() else []
        for path in visible:
            load_entry(site, path, UTC)     # raises SourceError on a half-written entry
        # what a kill between writing an entry and naming it leaves, whatever this one hit,
        # beside files of the author's that only look like it
        folder = site / "content" / "2022" / "05"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".0004-title-number-4.md.0123abcd.tmp").write_text("---\ntitle: T", "utf-8")
        own = {".notes.tmp", ".a.md.tmp", "a.md.0123abcd.tmp", ".a.md.0123ABCD.tmp",
               ".a.md.0123abcd.tmp.bak", ".a.md.012345.tmp"}
        for name in own:
            (folder / name).write_text("the author's", encoding="utf-8")
        run(command(site, "build"))
        assert {rel: digest for rel, digest in snapshot(site / "content").items()
                if not Path(rel).name.startswith(".") and rel not in {f"2022/05/{n}" for n in own}
                } == entries, f"kill after {delay:.2f} s"
        left = {p.name for p in (site / "content").rglob("*.tmp*")}
        assert left == own, f"kill after {delay:.2f} s"       # the importer's, and only those, gone
        assert snapshot(site / "public") == site_files, f"kill after {delay:.2f} s"
