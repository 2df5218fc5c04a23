"""Tests for site_builder.check: every problem a build would meet, collected, without writing."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import write_entry

from site_builder.build import BuildOptions, build
from site_builder import check
from site_builder.check import built_base_path, check_site
from site_builder.scaffold import init_site

SEED = Path(__file__).parent.parent / "seeds"


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below folder with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_site_has_no_problems_and_check_writes_nothing(tmp_path: Path) -> None:
    init_site(tmp_path)
    before = tree(tmp_path)
    messages: list[str] = []
    assert check_site(tmp_path, log=messages.append) == []
    assert tree(tmp_path) == before
    assert any("links not checked" in m for m in messages)


def test_every_error_is_collected_with_its_location(tmp_path: Path) -> None:
    init_site(tmp_path)
    (tmp_path / "seeds" / "bad.txt").write_text("date 2022-02-30 https://example.org/x\nTitle\n")
    (tmp_path / "seeds" / "empty.txt").write_text("\n\n")
    write_entry(tmp_path, "good", "2022-01-02")
    bad_date = write_entry(tmp_path, "bad-date", "2022-13-01")
    no_title = tmp_path / "content" / "2022" / "01" / "no-title.md"
    no_title.write_text("---\ndate: 2022-01-01\n---\nText\n")
    assert check_site(tmp_path) == [
        "seeds/bad.txt:1: date '2022-02-30' is not a calendar date (expected YYYY-MM-DD)",
        "seeds/empty.txt: the file is empty "
        "(a raw article starts with a line 'date YYYY-MM-DD URL', then the title)",
        "content/2022/01/no-title.md:1: the entry has no title "
        "(add a line such as: title: Some title)",
        f"{bad_date.relative_to(tmp_path).as_posix()}:3: date '2022-13-01' is not a calendar "
        "date (expected YYYY-MM-DD, or a date-time such as 2019-08-01T10:00:00Z)",
    ]


def test_a_bad_config_is_reported_alone(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("title: x\npage_size: zero\n")
    problems = check_site(tmp_path)
    assert len(problems) == 1 and problems[0].endswith(
        "sitegen.yaml:2: 'page_size' must be a whole number, not 'zero'")


def test_entries_sharing_a_page_are_reported(tmp_path: Path) -> None:
    write_entry(tmp_path, "talks", "2022-05-01")
    write_entry(tmp_path, "talks-again", "2022-05-01", extra="slug: talks\n")
    assert check_site(tmp_path) == [
        "content/2022/05/talks.md:2: slug 'talks' gives the same page "
        "(2022/05/01/talks/index.html) as content/2022/05/talks-again.md (change one of the slugs)"
    ]


def test_an_entry_clashing_with_a_site_page_is_reported(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("permalink: /{slug}/\n")
    write_entry(tmp_path, "tags", "2022-05-01")
    problems = check_site(tmp_path)
    assert len(problems) == 1 and "tags/index.html" in problems[0], problems


def test_raw_articles_waiting_for_import_take_part_in_the_plan(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("permalink: /{slug}/\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("date 2022-01-01 https://example.org/a\nArchive\n")
    problems = check_site(tmp_path)
    assert len(problems) == 1 and "archive/index.html" in problems[0], problems


def test_broken_links_in_the_built_output_are_reported(tmp_path: Path) -> None:
    init_site(tmp_path)
    (tmp_path / "sitegen.yaml").write_text("search: false\n")
    build(BuildOptions(site_dir=tmp_path, base_url="https://user.github.io/repo/"))
    assert check_site(tmp_path) == []  # base path read from the built home page
    tags = tmp_path / "public" / "tags" / "index.html"
    tags.write_text(tags.read_text().replace("</main>", '<a href="/repo/nowhere/">x</a></main>'))
    problems = check_site(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith("public/tags/index.html:")   # relative to the site folder
    assert "'/repo/nowhere/'" in problems[0]
    # Checked for another base path, every internal link leads outside it.
    assert all("outside the site's base path" in p
               for p in check_site(tmp_path, base_url="https://user.github.io/other/"))


def test_an_explicit_output_folder_must_exist(tmp_path: Path) -> None:
    init_site(tmp_path)
    problems = check_site(tmp_path, output_dir=tmp_path / "elsewhere")
    assert problems == [f"{tmp_path / 'elsewhere'}: no such folder "
                        "(build the site first, or give --output)"]


def test_built_base_path_reads_the_canonical_link() -> None:
    home = b'<html><head><link rel="canonical" href="https://u.github.io/repo/"></head></html>'
    assert built_base_path({"index.html": home}) == "/repo/"
    assert built_base_path({"index.html": b"<html></html>"}) is None
    assert built_base_path({}) is None


def test_the_repository_seed_checks_clean(tmp_path: Path) -> None:
    shutil.copytree(SEED, tmp_path / "seeds")
    assert check_site(tmp_path) == []


def test_a_built_site_too_big_for_github_pages_is_reported(tmp_path: Path, monkeypatch) -> None:
    init_site(tmp_path)
    (tmp_path / "sitegen.yaml").write_text("search: false\n")
    build(BuildOptions(site_dir=tmp_path))
    public = tmp_path / "public"
    size = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
    messages: list[str] = []
    assert check_site(tmp_path, log=messages.append) == []
    assert f"the built site is {size / 1e6:,.1f} MB in " in "\n".join(messages)
    monkeypatch.setattr(check, "PAGES_SIZE_LIMIT", size - 1)
    assert check_site(tmp_path) == [
        f"public: {size / 1e9:.2f} GB, over GitHub Pages' limit of "
        f"{(size - 1) / 1e9:g} GB for a published site"]


def test_an_entry_over_max_tags_is_named_with_its_line_and_the_build_uses_the_first(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("max_tags: 3\nsearch: false\ntag_aliases: {PRC: china}\n")
    many = write_entry(tmp_path, "many", "2022-01-02", tags=("china", "PRC", "b", "c", "d", "e"))
    write_entry(tmp_path, "three", "2022-01-03", tags=("china", "PRC", "b", "c"))
    messages: list[str] = []
    assert check_site(tmp_path, log=messages.append) == []
    warnings = [m for m in messages if ": warning: " in m]
    assert warnings == [f"{many.relative_to(tmp_path).as_posix()}:5: warning: 5 tags; only the "
                        "first 3 are used (max_tags in sitegen.yaml)"]
    logged: list[str] = []
    build(BuildOptions(site_dir=tmp_path), log=logged.append)
    assert sorted(p.name for p in (tmp_path / "public" / "tags").iterdir() if p.is_dir()) == [
        "b", "c", "china"]
    assert [m for m in logged if ": warning: " in m] == warnings, "the build says so too"
