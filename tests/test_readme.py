"""Every command the README shows runs as written: the quick start, the first command's build,
the build and check lines of the troubleshooting and Pages sections."""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    """Return the fenced ```sh blocks of the README."""
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def commands(block: str) -> list[list[str]]:
    """Return the commands of a block as argument lists, comments dropped, && split."""
    found = []
    for line in block.splitlines():
        line = line.split("  #")[0].strip()
        for part in line.split("&&"):
            if part.strip():
                found.append(shlex.split(part))
    return found


def sitegen(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run one `sitegen ...` command as the README writes it, through the installed package."""
    assert args[0] == "sitegen"
    return subprocess.run([sys.executable, "-m", "site_builder", *args[1:]], cwd=cwd,
                          capture_output=True, text=True, timeout=300, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_until_it_answers(args: list[str], cwd: Path) -> str:
    """Start `sitegen serve` as written (on a free port, without --open), fetch /, stop it."""
    port = free_port()
    args = [a for a in args if a != "--open"] + ["--port", str(port)]
    process = subprocess.Popen([sys.executable, "-m", "site_builder", *args[1:]], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    return answer.read().decode("utf-8")
            except OSError:
                time.sleep(0.2)
        raise AssertionError("sitegen serve never answered")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_first_command_builds_this_repository_and_serves_it(tmp_path):
    (first,) = [block for block in shell_blocks() if "pip install -e" in block]
    steps = commands(first)
    # The test runner installed it; search needs no extra.
    assert steps[0] == ["python3", "-m", "pip", "install", "-e", "."]
    copy = tmp_path / "repo"
    # Without what tests running beside this one write meanwhile (hypothesis's examples,
    # bytecode) and a developer's virtualenv.
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(
        ".git", "public", ".sitegen-cache", "node_modules", "test-artifacts", ".*staging",
        ".hypothesis", "__pycache__", ".venv"))
    assert [s[:2] for s in steps[1:]] == [["sitegen", "build"], ["sitegen", "serve"]]
    built = sitegen(steps[1], copy)
    assert built.returncode == 0, built.stderr
    assert "search index not" not in built.stdout + built.stderr
    assert (copy / "public" / "searchindex" / "index.json").is_file()
    home = (copy / "public" / "index.html").read_text(encoding="utf-8")
    assert "China&#39;s Xi Ready to Maintain Close Cooperation With Putin in 2023" in home
    assert "Xi Ready to Maintain Close Cooperation" in serve_until_it_answers(steps[2], copy)


def test_the_quick_start_runs_as_written(tmp_path):
    (quick,) = [block for block in shell_blocks() if "sitegen init" in block]
    cwd = tmp_path
    ran = []
    for args in commands(quick):
        if args[0] == "cd":
            cwd = cwd / args[1]
            continue
        if args[:2] == ["sitegen", "serve"]:
            assert "Example" in serve_until_it_answers(args, cwd)
        else:
            done = sitegen(args, cwd)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        ran.append(args[1])
    assert ran == ["init", "build", "serve", "new", "check"]
    assert list((cwd / "content" / "2023" / "03").glob("xi-meets-putin-in-moscow.md"))


def test_the_pages_build_line_and_the_check_advice_work(tmp_path):
    site = tmp_path / "site"
    assert sitegen(["sitegen", "init", str(site)], tmp_path).returncode == 0
    base = "https://user.github.io/repo/"
    built = sitegen(["sitegen", "build", "--base-url", base], site)
    assert built.returncode == 0, built.stderr
    checked = sitegen(["sitegen", "check"], site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert 'href="/repo/tags/"' in (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "sitegen build --clean" in README
    assert sitegen(["sitegen", "build", "--clean"], site).returncode == 0


def test_the_command_table_options_not_covered_elsewhere(tmp_path):
    site = tmp_path / "site"
    assert sitegen(["sitegen", "init", str(site)], tmp_path).returncode == 0
    base = "https://user.github.io/repo/"
    assert sitegen(["sitegen", "build", "--base-url", base, "--output", "out"], site).returncode == 0
    checked = sitegen(["sitegen", "check", "--output", "out", "--base-url", base], site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wrong = sitegen(["sitegen", "check", "--output", "out", "--base-url", "https://x.org/other/"],
                    site)
    assert wrong.returncode == 1 and "outside the site's base path" in wrong.stderr
    assert "Example" in serve_until_it_answers(["sitegen", "serve", "--host", "127.0.0.1"], site)
    assert "sitegen --version" in README
    version = sitegen(["sitegen", "--version"], site)
    assert version.returncode == 0 and version.stdout.startswith("sitegen ")
