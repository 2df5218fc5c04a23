"""The command line through the real entry point: `python -m site_builder` in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import __version__

REPO = Path(__file__).resolve().parent.parent
COMMANDS = ["build", "import", "serve", "init", "new", "check"]


def sitegen(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run sitegen with args; return the finished process with its text output."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_version() -> None:
    result = sitegen("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sitegen {__version__}"


@pytest.mark.skipif(shutil.which("sitegen") is None, reason="the sitegen script is not installed")
def test_the_installed_console_script_runs() -> None:
    result = subprocess.run(["sitegen", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("sitegen ")


def test_help_lists_every_command_and_the_exit_codes() -> None:
    result = sitegen("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"    {command} " in result.stdout
    assert "Exit codes: 0 success, 1 content or build errors, 2 usage errors." in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = sitegen(command, "--help")
    assert result.returncode == 0
    example = result.stdout.split("example:\n", 1)[1]
    assert example.startswith(f"  sitegen {command}")


@pytest.mark.parametrize("args", [
    [],
    ["no-such-command"],
    ["build", "--no-such-option"],
    ["new"],
    ["new", "Title", "--date", "2023-02-30"],
    ["new", "Title", "--date", "31.12.2022"],
    ["init", "a", "b"],
    ["check", "--site", "no/such/folder"],
    ["new", "Title", "--site", "no/such/folder"],
])
def test_usage_errors_exit_with_2(args: list[str], tmp_path: Path) -> None:
    result = sitegen(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_init_then_build_then_check(tmp_path: Path) -> None:
    result = sitegen("init", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created a new site in site; next: cd site && sitegen build" in result.stdout
    site = tmp_path / "site"
    result = sitegen("build", "--site", str(site), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 1 raw article(s)" in result.stdout
    (site / "sitegen.yaml").write_text("search: false\n")  # no search index to link to
    result = sitegen("build", "--quiet", cwd=site)
    assert result.returncode == 0, result.stderr
    result = sitegen("check", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "no problems found"


def test_init_refuses_an_existing_site_with_one_line(tmp_path: Path) -> None:
    assert sitegen("init", cwd=tmp_path).returncode == 0
    config = (tmp_path / "sitegen.yaml").read_text()
    result = sitegen("init", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "already exists; nothing was written" in result.stderr
    assert (tmp_path / "sitegen.yaml").read_text() == config


def test_new_prints_the_path_and_never_overwrites(tmp_path: Path) -> None:
    args = ("new", "Xi meets Putin", "--date", "2023-03-20", "--tags", "russia, china")
    first, second = sitegen(*args, cwd=tmp_path), sitegen(*args, cwd=tmp_path)
    assert (first.returncode, second.returncode) == (0, 0)
    assert first.stdout == "content/2023/03/xi-meets-putin.md\n"
    assert second.stdout == "content/2023/03/xi-meets-putin-2.md\n"
    assert "tags:\n- russia\n- china\n" in (tmp_path / first.stdout.strip()).read_text()


def test_content_errors_exit_with_1_and_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "content" / "2022" / "01" / "bad.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\ntitle: Bad\ndate: 2022-02-30\n---\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "raw.txt").write_text("not a date line\n")
    result = sitegen("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "content/2022/01/bad.md:3: date '2022-02-30' is not a calendar date" in result.stderr
    assert "seeds/raw.txt:1: expected a 'date YYYY-MM-DD URL' line" in result.stderr
    assert result.stdout.splitlines()[-1] == "2 problems found"
    result = sitegen("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "content/2022/01/bad.md:3: date '2022-02-30'" in result.stderr
    assert not (tmp_path / "public").exists()


def test_a_bad_config_exits_with_1(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("titel: typo\n")
    for command in ("check", "build"):
        result = sitegen(command, cwd=tmp_path)
        assert result.returncode == 1
        assert "sitegen.yaml:1: unknown setting 'titel'" in result.stdout + result.stderr


def test_import_reports_and_force_overwrites(tmp_path: Path) -> None:
    seed = REPO / "seeds" / "000_a8b0fcfbf1680f64.txt"
    first = sitegen("import", str(seed), "--site", str(tmp_path), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (written,) = [line.split(" ", 1)[1] for line in first.stdout.splitlines()
                  if line.startswith("wrote ")]
    entry = tmp_path / written
    entry.write_text(entry.read_text(encoding="utf-8").replace("lead: ", "lead: Edited. "),
                     encoding="utf-8")
    again = sitegen("import", str(seed), "--site", str(tmp_path), cwd=tmp_path)
    assert again.returncode == 0 and "skipped" in again.stdout
    assert "lead: Edited. " in entry.read_text(encoding="utf-8")       # the hand edit survives
    forced = sitegen("import", str(seed), "--site", str(tmp_path), "--force", cwd=tmp_path)
    assert forced.returncode == 0 and f"wrote {written}" in forced.stdout
    assert "lead: Edited. " not in entry.read_text(encoding="utf-8")
    missing = sitegen("import", str(tmp_path / "nope.txt"), "--site", str(tmp_path), cwd=tmp_path)
    assert missing.returncode == 1 and "nope.txt" in missing.stderr


def test_build_options_jobs_output_quiet_and_clean(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "seeds", site / "seeds")
    out = tmp_path / "elsewhere"
    done = sitegen("build", "--site", str(site), "--jobs", "1", "--output", str(out), "--quiet",
                   cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert (out / "index.html").is_file() and not (site / "public").exists()
    again = sitegen("build", "--site", str(site), "--output", str(out), "--clean", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("built 1 entry into ")
    assert sitegen("build", "--site", str(site), "--jobs", "0", cwd=tmp_path).returncode == 2
