"""One bad raw article does not stop the site: it is skipped, named on every build until it is
fixed or removed, and fails the build only when the build is strict. Through the real CLI,
also as GitHub Actions annotations and a step summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.core.annotations import escape_property, locate, workflow_command
from site_builder.core.errors import SourceError

REPO = Path(__file__).resolve().parent.parent
GOOD = ("date 2023-02-01 https://example.org/good\nGood Article Title\nA lead.\n"
        "MOSCOW (Wire) - The body paragraph.\n")
OTHER = ("date 2023-02-02 https://example.org/other\nOther Article Title\nA lead.\n"
         "MOSCOW (Wire) - Another paragraph.\n")
BROKEN = "not a date line\nTitle\n"
BROKEN_MESSAGE = "seeds/broken.txt:1: expected a 'date YYYY-MM-DD URL' line"


def sitegen(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run sitegen in the site folder with extra environment variables."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("GITHUB_")}   # the tests may themselves run in Actions
    environ.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8", **env)
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=site, env=environ,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a site whose seeds/ holds two good raw articles and a broken one."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(GOOD, encoding="utf-8")
    (seeds / "other.txt").write_text(OTHER, encoding="utf-8")
    (seeds / "broken.txt").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    return tmp_path


def test_a_broken_raw_article_is_skipped_and_the_rest_published(site: Path) -> None:
    result = sitegen(site, "build")
    assert result.returncode == 0, result.stderr
    assert BROKEN_MESSAGE in result.stderr
    assert "skipped 1 raw article that could not be imported" in result.stdout
    assert "seeds/broken.txt" in result.stdout.splitlines()[-1]
    assert (site / "public" / "2023" / "02" / "01" / "good-article-title" / "index.html").is_file()
    assert (site / "public" / "2023" / "02" / "02" / "other-article-title" / "index.html").is_file()


def test_the_skipped_article_is_named_on_every_build_until_removed(site: Path) -> None:
    sitegen(site, "build")
    again = sitegen(site, "build")          # nothing changed: the up-to-date path
    assert again.returncode == 0 and "site is up to date" in again.stdout
    assert BROKEN_MESSAGE in again.stderr and "seeds/broken.txt" in again.stdout
    (site / "content" / "2023" / "02" / "other-article-title.md").write_text(
        (site / "content" / "2023" / "02" / "other-article-title.md").read_text() + "\nMore.\n")
    edited = sitegen(site, "build")         # something else changed
    assert "built 2 entries" in edited.stdout and BROKEN_MESSAGE in edited.stderr
    (site / "seeds" / "broken.txt").unlink()
    fixed = sitegen(site, "build")
    assert fixed.returncode == 0 and "skipped" not in fixed.stdout + fixed.stderr


def test_strict_fails_and_keeps_the_last_good_site(site: Path) -> None:
    broken = (site / "seeds" / "broken.txt").read_text()
    (site / "seeds" / "broken.txt").unlink()
    assert sitegen(site, "build").returncode == 0
    home = (site / "public" / "index.html").read_bytes()
    (site / "seeds" / "broken.txt").write_text(broken)
    (site / "seeds" / "third.txt").write_text(GOOD.replace("good", "third").replace(
        "Good", "Third").replace("02-01", "02-03"))
    strict = sitegen(site, "build", "--strict")
    assert strict.returncode == 1 and BROKEN_MESSAGE in strict.stderr
    assert "strict" in strict.stderr.splitlines()[-1]
    assert (site / "public" / "index.html").read_bytes() == home   # the last good site stays
    assert sitegen(site, "build").returncode == 0                   # not strict: published
    assert sitegen(site, "build", "--strict").returncode == 1       # up to date, still refused
    (site / "sitegen.yaml").write_text("search: false\nstrict: true\n")
    assert sitegen(site, "build").returncode == 1


def test_check_exits_1_while_an_article_is_skipped(site: Path) -> None:
    sitegen(site, "build")
    result = sitegen(site, "check")
    assert result.returncode == 1 and BROKEN_MESSAGE in result.stderr
    (site / "seeds" / "broken.txt").unlink()
    assert sitegen(site, "check").returncode == 0


def test_github_actions_annotations_and_step_summary(site: Path, tmp_path_factory) -> None:
    summary = tmp_path_factory.mktemp("summary") / "summary.md"
    summary.write_text("earlier step\n")
    result = sitegen(site, "build", GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 0, result.stderr
    assert ("::warning file=seeds/broken.txt,line=1::expected a 'date YYYY-MM-DD URL' line"
            in result.stdout)
    text = summary.read_text()
    assert text.startswith("earlier step\n### sitegen build\n")      # appended, not replaced
    assert "- raw articles imported: 2\n" in text and "- entries published: 2\n" in text
    assert "- raw articles skipped: 1\n  - `seeds/broken.txt:1`: expected" in text
    assert "- pages: " in text
    strict = sitegen(site, "build", "--strict", GITHUB_ACTIONS="true",
                     GITHUB_STEP_SUMMARY=str(summary))
    assert "::error file=seeds/broken.txt,line=1::" in strict.stdout
    assert "::error::1 error stopped the build" in strict.stdout
    failed = summary.read_text()[len(text):]
    assert failed.startswith("### sitegen build failed\n\n- 1 error stopped the build")
    assert "\n  - `seeds/broken.txt:1`: expected" in failed
    plain = sitegen(site, "build")
    assert "::" not in plain.stdout        # outside Actions, no workflow commands


def test_workflow_commands_escape_as_github_says() -> None:
    assert escape_property("a:b,c%d\r\ne") == "a%3Ab%2Cc%25d%0D%0Ae"
    error = SourceError("seeds/a,b:c.txt", 3, "50% done: line\nbreak, here")
    assert workflow_command("error", error) == (
        "::error file=seeds/a%2Cb%3Ac.txt,line=3::50%25 done: line%0Abreak, here")
    assert workflow_command("warning", "content/x.md:7: warning: 31 tags") == (
        "::warning file=content/x.md,line=7::31 tags")
    assert workflow_command("error", "3 errors stopped the build") == (
        "::error::3 errors stopped the build")
    assert locate("sitegen.yaml: unknown setting") == ("sitegen.yaml", None, "unknown setting")


def test_the_summary_counts_the_bad_items_of_a_file_of_many_articles(site: Path) -> None:
    (site / "seeds" / "broken.txt").unlink()
    (site / "seeds" / "many.jsonl").write_text(
        '{"title": "Fine", "date": "2023-03-01", "url": "https://example.org/fine"}\n'
        "not json\n"
        '{"title": "Bad date", "date": "05/09/2023", "url": "https://example.org/bad"}\n',
        encoding="utf-8")
    result = sitegen(site, "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "skipped 2 raw articles in 1 file that could not be imported (fix or remove them; "
        "sitegen build --strict fails on them): seeds/many.jsonl")
    (site / "seeds" / "many.jsonl").write_text("not json\n", encoding="utf-8")
    assert sitegen(site, "build").stdout.splitlines()[-1] == (
        "skipped 1 raw article that could not be imported (fix or remove it; "
        "sitegen build --strict fails on it): seeds/many.jsonl")
