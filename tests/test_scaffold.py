"""Tests for site_builder.scaffold: `sitegen init` and `sitegen new`, through their functions."""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo
from pathlib import Path

import pytest

from site_builder.build import BuildOptions, build
from site_builder.core.config import Config, load_config, parse_config_text
from site_builder.sources.content import load_entries
from site_builder.sources.tree import find_files
from site_builder.core.errors import SitegenError
from site_builder.scaffold import (
    STARTER_FILES, init_site, new_entry, parse_tags, starter_text,
)

EXAMPLE_ENTRY = "content/2024/01/example-how-a-raw-article-becomes-a-timeline-entry.md"


def test_init_writes_a_complete_site(tmp_path: Path) -> None:
    site = tmp_path / "new" / "site"
    written = init_site(site)
    assert written == ["sitegen.yaml", "seeds/example-article.txt", "templates/README.md",
                       ".gitignore", ".github/workflows/pages.yml", ".github/dependabot.yml",
                       "content/.gitkeep"]
    for name, dest in STARTER_FILES:
        assert (site / dest).read_text(encoding="utf-8") == starter_text(name)
    assert (site / "content" / ".gitkeep").read_text() == ""   # keeps content/ in git
    assert [p.name for p in (site / "templates").iterdir()] == ["README.md"]
    ignored = (site / ".gitignore").read_text().split()
    assert "/public/" in ignored and "/.sitegen-cache/" in ignored


@pytest.mark.parametrize("existing", [dest for _, dest in STARTER_FILES])
def test_init_refuses_an_existing_site_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(SitegenError, match="already exists; nothing was written") as info:
        init_site(tmp_path)
    assert "\n" not in str(info.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / existing).read_text() == "mine\n"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(SitegenError, match="is a file"):
        init_site(tmp_path / "f")


def test_starter_config_is_valid_and_documents_every_setting() -> None:
    text = starter_text("sitegen.yaml")
    config = parse_config_text(text)
    assert config.title == "My timeline"
    documented = set(re.findall(r"^#? ?([a-z_]+):", text, re.MULTILINE))
    settings = {f.name for f in dataclasses.fields(Config)}
    assert settings <= documented, f"undocumented settings: {sorted(settings - documented)}"


def test_starter_config_comments_show_the_true_defaults() -> None:
    """Uncommenting every '# key: value' line gives exactly the built-in defaults."""
    lines = [match.group(1) for line in starter_text("sitegen.yaml").splitlines()
             if (match := re.match(r"^# ([a-z_]+: .*)$", line))]
    assert len(lines) >= len(dataclasses.fields(Config)) - 2  # title, description are set
    assert parse_config_text("\n".join(lines)) == Config()


def test_example_article_is_clearly_an_example() -> None:
    lines = starter_text("example-article.txt").splitlines()
    assert lines[0].startswith("date ") and "https://example.org/" in lines[0]
    assert lines[1].startswith("Example:")


def test_build_right_after_init_succeeds_and_imports_the_example(tmp_path: Path) -> None:
    init_site(tmp_path)
    report = build(BuildOptions(site_dir=tmp_path))
    assert report.imported == [EXAMPLE_ENTRY]
    assert report.entries == 1
    page = tmp_path / "public" / "2024" / "01" / "15" / \
        "example-how-a-raw-article-becomes-a-timeline-entry" / "index.html"
    assert "Example: How a Raw Article Becomes a Timeline Entry" in page.read_text(encoding="utf-8")


def test_new_entry_writes_a_loadable_entry(tmp_path: Path) -> None:
    init_site(tmp_path)
    path = new_entry(tmp_path, "  Xi   meets Putin ", datetime.date(2023, 3, 20),
                     ["russia", "china"])
    assert path == tmp_path / "content" / "2023" / "03" / "xi-meets-putin.md"
    assert path.read_text(encoding="utf-8") == (
        "---\ntitle: Xi meets Putin\ndate: 2023-03-20\nslug: xi-meets-putin\nlead: ''\n"
        "tags:\n- russia\n- china\ndraft: false\n---\n")
    config = load_config(tmp_path)
    (entry,), errors = load_entries(tmp_path, [path], config.tz)
    assert errors == [] and entry.tags == ("russia", "china") and not entry.draft


def test_new_entry_never_overwrites_and_picks_a_free_slug(tmp_path: Path) -> None:
    day = datetime.date(2023, 3, 20)
    first = new_entry(tmp_path, "Talks", day)
    first.write_text(first.read_text() + "\nMy words.\n")
    second = new_entry(tmp_path, "Talks", day)
    third = new_entry(tmp_path, "Talks", datetime.date(2024, 1, 1))  # slugs are site-wide
    assert [p.name for p in (first, second, third)] == ["talks.md", "talks-2.md", "talks-3.md"]
    assert first.read_text().endswith("My words.\n")


def test_new_entry_defaults_to_today_in_the_site_time_zone(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("timezone: Pacific/Kiritimati\n")
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    path = new_entry(tmp_path, "Today")
    assert path.parent == tmp_path / "content" / f"{today:%Y}" / f"{today:%m}"
    assert f"date: {today.isoformat()}\n" in path.read_text()


def test_new_entry_refuses_an_empty_title(tmp_path: Path) -> None:
    with pytest.raises(SitegenError, match="title is empty"):
        new_entry(tmp_path, "   ", datetime.date(2023, 1, 1))
    assert find_files(tmp_path / "content", ".md") == []


def test_a_new_entry_is_rendered_by_the_next_build(tmp_path: Path) -> None:
    init_site(tmp_path)
    build(BuildOptions(site_dir=tmp_path))
    new_entry(tmp_path, "A hand-written entry", datetime.date(2024, 2, 1), ["notes"])
    report = build(BuildOptions(site_dir=tmp_path))
    assert report.entries == 2
    page = tmp_path / "public" / "2024" / "02" / "01" / "a-hand-written-entry" / "index.html"
    assert "A hand-written entry" in page.read_text(encoding="utf-8")
    assert (tmp_path / "public" / "tags" / "notes" / "index.html").is_file()


@pytest.mark.parametrize(("text", "tags"), [
    ("", []),
    ("a,b", ["a", "b"]),
    (" russia ,  china,, Russia ,bilateral   relations", ["russia", "china", "bilateral relations"]),
])
def test_parse_tags(text: str, tags: list[str]) -> None:
    assert parse_tags(text) == tags
