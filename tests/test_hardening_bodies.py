"""Hardening: entry bodies and front matter values through the real CLI.

Each test builds a small site with `sys.executable -m site_builder build` (and `check`): hostile
bodies and values give exit code 1 with one `path:line: message` per bad file, never a
traceback, within a few seconds. The time bounds are hang guards, far above a real run (about a
second), and far below what the unfixed code took (25 s to minutes, or a RecursionError).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HANG_GUARD = 10   # seconds


def sitegen(site: Path, command: str) -> tuple[subprocess.CompletedProcess, float]:
    """Return the finished `sitegen COMMAND --site site` and how long it took, in seconds."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "site_builder", command, "--site", str(site)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    return done, time.monotonic() - start


def new_site(tmp_path: Path) -> Path:
    """Return an empty site folder without the search index (not under test here)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitegen.yaml").write_text("title: Bodies\nsearch: false\n", encoding="utf-8")
    return site


def write_entry(site: Path, name: str, front: str, body: str) -> str:
    """Write content/2023/03/<name>.md and return its site-relative path."""
    relpath = f"content/2023/03/{name}.md"
    path = site / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    return relpath


def problems(done: subprocess.CompletedProcess) -> list[str]:
    """Return the lines that report a problem in an entry file (build: stderr, check: stdout)."""
    return [line for line in (done.stderr + done.stdout).splitlines()
            if line.startswith("content/")]


def test_imported_bodies_of_markdown_characters_build_in_linear_time(tmp_path):
    """150 KB of each character the importer used to escape took minutes to build and check."""
    site = new_site(tmp_path)
    specials = "<[\\*`"
    body = "\n".join(char * 150_000 for char in specials)
    (site / "seeds").mkdir()
    (site / "seeds" / "a.txt").write_text(
        f"date 2023-03-01 https://example.org/a\nSpecials\nThe lead\n{body}\n", encoding="utf-8")
    done, seconds = sitegen(site, "build")
    assert done.returncode == 0, done.stderr
    assert seconds < HANG_GUARD, seconds
    page = (site / "public/2023/03/01/specials/index.html").read_text(encoding="utf-8")
    assert "&lt;" * 150_000 in page and "[" * 150_000 in page and "`" * 150_000 in page
    done, seconds = sitegen(site, "check")
    assert done.returncode == 0, done.stderr
    assert seconds < HANG_GUARD, seconds


def test_costly_hand_written_markdown_is_a_located_error(tmp_path):
    site = new_site(tmp_path)
    front = "title: T\ndate: 2023-03-01\n"
    write_entry(site, "good", front, "A *fine* entry.")
    long = write_entry(site, "long", front, "Intro.\n\n" + "<b>y</b> x " * 20_000)
    brackets = write_entry(site, "brackets", front, "[" * 5_000)
    for command in ("build", "check"):
        done, seconds = sitegen(site, command)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert seconds < HANG_GUARD, (command, seconds)
        assert sorted(problems(done)) == [
            f"{brackets}:6: this paragraph has too many '[' without a ']', or nested too deeply: "
            "Markdown reads on from each '[' to its ']', or to the paragraph's end, more than "
            "2,000,000 characters in all (close them, write '\\[' for a bracket that opens no "
            "link, or set 'markup: text')",
            f"{long}:8: this paragraph holds Markdown or HTML and is 219,999 characters long, over "
            "the limit of 20,000 (split it with blank lines, or set 'markup: text' to show the "
            "body as plain text)",
        ]
    assert not (site / "public").exists()


def test_deeply_nested_markdown_and_html_is_a_located_error(tmp_path):
    """`- ` x 1,000 and a 400-level list ended in a RecursionError's 2,500-line traceback;
    100,000 nested <div> took 32 s in the sanitiser."""
    site = new_site(tmp_path)
    front = "title: T\ndate: 2023-03-01\n"
    bullets = write_entry(site, "bullets", front, "Intro.\n\n" + "- " * 1000 + "x")
    indented = write_entry(site, "indented",
                           front, "\n".join("    " * level + "- x" for level in range(400)))
    quotes = write_entry(site, "quotes", front, "> " * 1000 + "x")
    divs = write_entry(site, "divs", front, "<div>\n\n" * 100_000 + "x")
    write_entry(site, "fine", front, "\n".join("    " * level + "- x" for level in range(50)))
    for command in ("build", "check"):
        done, seconds = sitegen(site, command)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert seconds < HANG_GUARD, (command, seconds)
        assert sorted(problems(done)) == sorted([
            f"{bullets}:8: lists or quotes are nested more than 50 levels deep (nest them less)",
            f"{indented}:56: lists or quotes are nested more than 50 levels deep (nest them less)",
            f"{quotes}:6: lists or quotes are nested more than 50 levels deep (nest them less)",
            f"{divs}:106: HTML elements are nested more than 50 levels deep (close them sooner)",
        ])


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_control_characters_in_front_matter_reach_no_page(tmp_path):
    site = new_site(tmp_path)
    write_entry(site, "titled", 'title: "a\\0b \\x01c"\ndate: 2023-03-01\nlead: "l\\x7fead"\n'
                'tags: ["t\\x02ag"]\nsource: {name: "S\\x1bource", url: "https://example.org/ok"}\n'
                'mood: "m\\x00ood"\n', "Body.")
    url = write_entry(site, "url", 'title: T\ndate: 2023-03-01\nsource: "https://exa\\0mple.org/"\n',
                      "Body.")
    done, seconds = sitegen(site, "build")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert seconds < HANG_GUARD, seconds
    assert problems(done) == [f"{url}:4: source URL 'https://exa\\x00mple.org/' holds the "
                              "control character U+0000 (remove it: no URL can hold one)"]
    (site / url).unlink()
    done, _ = sitegen(site, "build")
    assert done.returncode == 0, done.stderr
    page = (site / "public/2023/03/01/ab-c/index.html").read_text(encoding="utf-8")
    assert "<title>ab c" in page and "lead" in page and "Source" in page
    for path in (site / "public").rglob("*"):
        if path.is_file():
            assert not CONTROL.search(path.read_bytes().decode("utf-8")), path
