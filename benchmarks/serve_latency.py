"""Save-to-screen latency of the dev server, in a real browser: `sitegen serve` beside `hugo server`.

For each server: start it on its copy of the corpus, open one entry page in Chromium (Playwright,
Debian's /usr/bin/chromium), then --runs times: append a new sentence to the entry's body, save,
and time until that sentence is in the page's DOM after the server's live reload. Between saves
it waits until what a server does after the reload (sitegen brings the search index up to
date) is done, and --pause seconds more. Reports the median and every run.

Usage: python benchmarks/serve_latency.py --work DIR [--runs 5] [--pause 2] [--hugo BINARY]
       where DIR holds a corpus written by generate.py (DIR/sitegen, DIR/hugo); run.py --serve
       runs it on its own corpus.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 900.0      # a cold build of 10,000 entries with search, on a busy machine
SAVE_TIMEOUT = 120.0       # Hugo's fast render took over 30 s on a machine loaded 20 deep
REPO_DIR = Path(__file__).resolve().parent.parent


def sitegen_url(entry: Path) -> str:
    """Return the URL path of a sitegen entry page: /YYYY/MM/DD/slug/ by its front matter."""
    text = entry.read_text(encoding="utf-8")
    date = re.search(r"^date: *'?(\d{4})-(\d{2})-(\d{2})", text, re.MULTILINE)
    slug = re.search(r"^slug: *(\S+)", text, re.MULTILINE)
    return f"/{date[1]}/{date[2]}/{date[3]}/{slug[1] if slug else entry.stem}/"


def hugo_url(entry: Path) -> str:
    """Return the URL path of a Hugo page content/YYYY/MM/DD/slug.md."""
    year, month, day = entry.parent.parent.parent.name, entry.parent.parent.name, entry.parent.name
    return f"/{year}/{month}/{day}/{entry.stem}/"


def wait_until_served(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Wait until url answers 200; raise if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}) before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} not served within {timeout:.0f} s")


def save_with(entry: Path, sentence: str) -> None:
    """Append sentence to the entry's last paragraph and save, as an editor does."""
    text = entry.read_text(encoding="utf-8").rstrip("\n")
    entry.write_text(f"{text} {sentence}\n", encoding="utf-8")


def seen(page, sentence: str) -> bool:
    """Return whether the page's DOM holds sentence now (False while it reloads)."""
    try:
        return page.evaluate("s => document.body !== null && document.body.innerText.includes(s)",
                             sentence)
    except Exception:   # the page is navigating: its context is gone for a moment
        return False


def wait_for_line(log: Path, line: str | None, count: int) -> None:
    """Wait until log holds count lines starting with line (the server is idle again)."""
    deadline = time.monotonic() + SAVE_TIMEOUT * 4
    while line and time.monotonic() < deadline:
        if sum(text.startswith(line) for text in log.read_text().splitlines()) >= count:
            return
        time.sleep(0.1)


def measure(name: str, command: list[str], url: str, entry: Path, runs: int, pause: float,
            log: Path, idle_line: str | None = None) -> list[float]:
    """Return the save-to-screen seconds of each run against one server; idle_line starts the
    line the server logs when it has done all a save asks (sitegen: the search index)."""
    from playwright.sync_api import sync_playwright

    with open(log, "w", encoding="utf-8") as output:
        proc = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_until_served(url, proc, START_TIMEOUT)
        wait_for_line(log, idle_line, 1)
        seconds = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_timeout(1000)   # livereload.js connects
            for run in range(1, runs + 1):
                sentence = f"Latency probe {run} of {name} at {time.time_ns()}."
                started = time.perf_counter()
                save_with(entry, sentence)
                while not seen(page, sentence):
                    if time.perf_counter() - started > SAVE_TIMEOUT:
                        raise SystemExit(f"{name}: the saved text never showed (see {log})")
                    time.sleep(0.002)
                seconds.append(time.perf_counter() - started)
                print(f"  {name} run {run}: {seconds[-1] * 1000:.0f} ms", file=sys.stderr)
                time.sleep(pause)
                wait_for_line(log, idle_line, run + 1)
            browser.close()
        return seconds
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=600)   # it removes its output folder: 23,000 files


def run(work: Path, entry: str, runs: int, pause: float, hugo: str | None,
        sitegen: list[str], env_path: str | None = None) -> dict[str, list[float]]:
    """Return the runs of each server on the corpus in work; entry is the sitegen entry file
    (relative to work/sitegen) and, beside it under work/hugo, its Hugo page."""
    results = {}
    site = work / "sitegen"
    page = site / entry
    port = 8391
    results["sitegen serve"] = measure(
        "sitegen", [*sitegen, "serve", "--site", str(site), "--port", str(port)],
        f"http://127.0.0.1:{port}{sitegen_url(page)}", page, runs, pause, work / "serve.log",
        "search index up to date")
    if hugo:
        hugo_page = work / "hugo" / "content" / hugo_relative(page)
        port += 1
        try:
            results["hugo server"] = measure(
                "hugo", [hugo, "server", "--source", str(work / "hugo"), "--port", str(port),
                         "--baseURL", f"http://127.0.0.1:{port}/", "--noBuildLock"],
                f"http://127.0.0.1:{port}{hugo_url(hugo_page)}", hugo_page, runs, pause,
                work / "hugo-server.log")
        except SystemExit as failure:   # report sitegen's runs all the same
            print(f"hugo server not measured: {failure}", file=sys.stderr)
            results["hugo server"] = []
    return results


def hugo_relative(sitegen_entry: Path) -> Path:
    """Return the Hugo page of the same article: content/YYYY/MM/DD/slug.md."""
    year, month, day = sitegen_url(sitegen_entry).strip("/").split("/")[:3]
    return Path(year) / month / day / f"{sitegen_entry.stem}.md"


def table(results: dict[str, list[float]]) -> str:
    """Return a Markdown table of the median and every run, in milliseconds."""
    lines = ["| dev server | save → new text in the DOM, median | runs (ms) |", "|---|---|---|"]
    for name, seconds in results.items():
        if not seconds:
            lines.append(f"| `{name}` | not measured | |")
            continue
        runs = ", ".join(f"{s * 1000:.0f}" for s in seconds)
        lines.append(f"| `{name}` | {statistics.median(seconds) * 1000:.0f} ms | {runs} |")
    return "\n".join(lines)


def main() -> None:
    """Measure the servers on the corpus in --work."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="folder written by generate.py")
    parser.add_argument("--entry", help="entry file below WORK/sitegen (default: the middle one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds between saves, after the server is idle again")
    parser.add_argument("--hugo", help="Hugo binary (default: none, sitegen only)")
    args = parser.parse_args()
    entries = sorted((args.work / "sitegen").glob("content/*/*/*.md"))
    entry = args.entry or entries[len(entries) // 2].relative_to(args.work / "sitegen").as_posix()
    sitegen = [sys.executable, "-m", "site_builder"]
    os.environ["PYTHONUNBUFFERED"] = "1"   # the server's log is read as it is written
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR),
                                                             os.environ.get("PYTHONPATH")]))
    print(table(run(args.work, entry, args.runs, args.pause, args.hugo, sitegen)))


if __name__ == "__main__":
    main()
