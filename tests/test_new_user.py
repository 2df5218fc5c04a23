"""What a new user ran into, each through the real CLI: check finds template errors and a stale
output, a template error is told once, an empty folder is not a site, YAML errors carry a hint,
links built for another base URL are summarised, --open without a browser says so, init keeps
content/, new says why it wrote a -2 file, and every command names paths relative to the site
and prints problems on stderr."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import write_entry
from site_builder.core.errors import SourceError
from site_builder.sources.frontmatter import split_front_matter

REPO = Path(__file__).resolve().parent.parent


def sitegen(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run sitegen in cwd; return the finished process with its text output."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    environ.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8", **env)
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120)


def small_site(root: Path, entries: int = 4) -> Path:
    """Write a site of a few entries without search; return its folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    for number in range(entries):
        write_entry(root, f"entry-{number}", f"2022-01-0{number + 1}")
    return root


@pytest.mark.parametrize("template, message", [
    ("{{ entry.title | no_such_filter }}", "templates/entry.html:3: No filter named 'no_such_filter'"),
    ("{{ entry.title ", "templates/entry.html:4: expected token 'end of print statement'"),
    ("{{ entry.no_such_field }}", "templates/entry.html:3: template error: "),
])
def test_check_finds_the_template_errors_build_stops_on(tmp_path: Path, template: str,
                                                        message: str) -> None:
    site = small_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates" / "entry.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n" + template + "\n{% endblock %}\n")
    check = sitegen("check", cwd=site)
    assert check.returncode == 1 and message in check.stderr, check.stdout + check.stderr
    build = sitegen("build", cwd=site)
    assert build.returncode == 1 and message in build.stderr
    assert not (site / "public").exists()


def test_a_template_error_is_printed_once_with_its_page_count(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=4)
    (site / "templates").mkdir()
    (site / "templates" / "entry.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ entry.no_such_field }}\n{% endblock %}\n")
    build = sitegen("build", "--site", str(site), cwd=tmp_path)
    assert build.returncode == 1
    lines = [line for line in build.stderr.splitlines() if "no_such_field" in line]
    assert len(lines) == 1, build.stderr
    assert lines[0].startswith("templates/entry.html:3: ") and lines[0].endswith("(on 4 pages)")


def test_check_reports_an_output_older_than_its_sources(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    assert sitegen("build", cwd=site).returncode == 0
    assert sitegen("check", cwd=site).returncode == 0
    time.sleep(0.01)
    entry = site / "content" / "2022" / "01" / "entry-1.md"
    entry.write_text(entry.read_text() + "\nEdited.\n")
    check = sitegen("check", cwd=site)
    assert check.returncode == 0    # a warning: checking entries before building is fine
    assert check.stderr == ("public: warning: older than its sources (content/2022/01/entry-1.md "
                            "changed after the last build): run sitegen build, then check its "
                            "links again\n")
    assert sitegen("build", cwd=site).returncode == 0
    assert sitegen("check", cwd=site).stderr == ""


def test_build_in_a_folder_that_is_no_site_says_how_to_start_one(tmp_path: Path) -> None:
    for command in ("build", "check"):
        done = sitegen(command, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr == ("error: this folder does not look like a sitegen site: it has no "
                               "sitegen.yaml, content/ or seeds/ (start one with: sitegen init; "
                               "or give the site folder with --site)\n")
        assert "empty" not in done.stdout + done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []          # nothing written


@pytest.mark.parametrize("front, hint", [
    ("title: Xi: a visit\n", 'a value with \': \' in it must be quoted: title: "Xi: a visit"'),
    ("title: T\n\tdate: 2022-01-01\n", "YAML does not allow tabs for indentation: indent with spaces"),
    ("title: T\ntags: [russia, china\nlead: x\n",
     "the '[' opened on line 3, column 7 is never closed: add ']'"),
    ("title: T\nsource: {name: x\nlead: x\n",
     "the '{' opened on line 3, column 9 is never closed: add '}'"),
])
def test_yaml_errors_in_front_matter_carry_a_hint(front: str, hint: str) -> None:
    with pytest.raises(SourceError) as info:
        split_front_matter(f"---\n{front}---\nBody.\n", "content/e.md")
    assert info.value.hint == hint
    assert str(info.value).startswith("content/e.md:")


def test_check_summarises_links_built_for_another_base_url(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    assert sitegen("build", cwd=site).returncode == 0
    base = "https://user.github.io/repo/"
    check = sitegen("check", "--base-url", base, cwd=site)
    assert check.returncode == 1
    summary = re.search(r"public: ([\d,]+) internal links point outside /repo/ \(the site was "
                        r"built for another base URL\): rebuild with --base-url "
                        + re.escape(base), check.stderr)
    assert summary and int(summary.group(1).replace(",", "")) > 20, check.stderr
    assert check.stderr.count("leads outside the site's base path") == 3
    assert check.stdout.splitlines()[-1] == "1 problem found"


def test_init_keeps_content_and_new_says_why_it_wrote_a_second_file(tmp_path: Path) -> None:
    init = sitegen("init", "site", cwd=tmp_path)
    assert "wrote site/content/.gitkeep" in init.stdout
    site = tmp_path / "site"
    args = ("new", "Xi meets Putin", "--date", "2023-03-20")
    first, second = sitegen(*args, cwd=site), sitegen(*args, cwd=site)
    assert first.stderr == "" and second.stdout == "content/2023/03/xi-meets-putin-2.md\n"
    assert second.stderr == ("note: wrote content/2023/03/xi-meets-putin-2.md, not "
                             "xi-meets-putin.md, because content/2023/03/xi-meets-putin.md "
                             "exists with the slug 'xi-meets-putin'\n")


def test_new_names_the_entry_relative_to_the_site_given_with_site(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=0)
    args = ("new", "Xi meets Putin", "--date", "2023-03-20", "--site", str(site))
    first, second = sitegen(*args, cwd=tmp_path), sitegen(*args, cwd=tmp_path)
    assert first.stdout == "content/2023/03/xi-meets-putin.md\n", first
    assert second.stdout == "content/2023/03/xi-meets-putin-2.md\n", second
    assert second.stderr.startswith("note: wrote content/2023/03/xi-meets-putin-2.md, not "), second
    assert (site / "content/2023/03/xi-meets-putin-2.md").is_file()


def test_build_check_and_import_name_paths_relative_to_the_site_on_stderr(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=1)
    (site / "sitegen.yaml").write_text("titel: typo\n")
    for command in ("build", "check"):
        done = sitegen(command, "--site", str(site), cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.startswith("sitegen.yaml:1: unknown setting 'titel'"), done.stderr
        assert "unknown setting" not in done.stdout
    (site / "sitegen.yaml").write_text("search: false\n")
    (site / "content" / "2022" / "01" / "bad.md").write_text("---\ntitle: A: b\n---\n")
    (site / "raw").mkdir()
    (site / "raw" / "bad.txt").write_text("no date line\n")
    for args in (["build"], ["check"], ["import", str(site / "raw")]):
        done = sitegen(*args, "--site", str(site), cwd=tmp_path)
        assert done.returncode == 1
        expected = "raw/bad.txt:1: " if args[0] == "import" else "content/2022/01/bad.md:2: "
        assert any(line.startswith(expected) for line in done.stderr.splitlines()), done.stderr
        assert str(site) not in done.stderr and expected not in done.stdout


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(site: Path, tmp_path: Path, *args: str, **env: str):
    """Run `sitegen serve` for site with stdout and stderr in two files; yield their paths."""
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    environ = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1", **env)
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--site", str(site),
                                 "--port", str(free_port()), *args], stdout=stdout,
                                stderr=stderr, stdin=subprocess.DEVNULL, env=environ,
                                cwd=tmp_path)
    try:
        yield out, err
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_text(path: Path, text: str, timeout: float = 60) -> str:
    """Return the file's text once it holds text; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while text not in path.read_text(encoding="utf-8", errors="replace"):
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} never said {text!r}: {path.read_text()!r}")
        time.sleep(0.05)
    return path.read_text(encoding="utf-8")


def test_serve_names_paths_relative_to_the_site_on_stderr(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=1)
    (site / "content" / "2022" / "01" / "bad.md").write_text("---\ntitle: A: b\n---\n")
    with serving(site, tmp_path) as (out, err):
        errors = wait_for_text(err, "fix the errors and save")
        assert "content/2022/01/bad.md:2: invalid YAML" in errors.splitlines()[0]
        assert "bad.md" not in out.read_text() and str(site) + "/content" not in errors


def test_serve_open_says_when_no_browser_can_be_started(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=1)
    no_browser = {"BROWSER": str(tmp_path / "no-such-browser"), "PATH": str(tmp_path),
                  "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    with serving(site, tmp_path, "--open", **no_browser) as (_, err):
        text = wait_for_text(err, "--open: no web browser could be started here")
        assert re.search(r"open http://127\.0\.0\.1:\d+/ in one yourself", text)


def test_entry_warnings_go_to_stderr_and_are_annotated_by_build_and_check(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", entries=1)
    (site / "sitegen.yaml").write_text("search: false\nmax_tags: 2\n")
    write_entry(site, "many-tags", "2022-02-01", tags=("a", "b", "c"))
    warning = "content/2022/02/many-tags.md:5: warning: 3 tags; only the first 2 are used"
    annotation = "::warning file=content/2022/02/many-tags.md,line=5::3 tags; only the first 2"
    for command in ("build", "check"):
        done = sitegen(command, "--site", str(site), cwd=tmp_path, GITHUB_ACTIONS="true")
        assert done.returncode == 0, done
        assert warning in done.stderr and warning not in done.stdout, (command, done)
        assert annotation in done.stdout, (command, done.stdout)


def test_a_site_without_entries_builds_an_empty_search_index_without_a_warning(tmp_path: Path) -> None:
    # as a new site is once its example article is deleted, as the README says to
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: New\n")
    done = sitegen("build", cwd=site)
    assert done.returncode == 0, done
    assert "search index" not in done.stderr, done.stderr
    root = json.loads((site / "public" / "searchindex" / "index.json").read_text(encoding="utf-8"))
    assert root["docs"] == 0 and root["words"] == []
