"""A whole site built under a project sub-path has no broken internal link or anchor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import write_entry

from site_builder.build import BuildOptions, build
from site_builder.outputs.linkcheck import find_broken_links, load_output

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "https://user.github.io/repo/"
TAGS = ["russia", "china", "united states", "bilateral relations", "trade", "sanctions"]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Return the output of a ~30-entry site (and the repository's seed) built under /repo/."""
    site = tmp_path_factory.mktemp("site")
    # A small page size gives paginated home, tag and archive pages; no search index.
    (site / "sitegen.yaml").write_text("title: Links\npage_size: 4\nsearch: false\n")
    shutil.copytree(REPO / "seeds", site / "seeds")
    for number in range(30):
        year, month, day = 2019 + number % 4, 1 + number * 5 % 12, 1 + number % 28
        tags = tuple(TAGS[(number + k) % len(TAGS)] for k in range(number % 3 + 1))
        write_entry(site, f"entry-{number:02d}", f"{year}-{month:02d}-{day:02d}", tags,
                    body=f"Entry {number}, with an [internal link](/repo/tags/) and a "
                         f"[source](https://example.org/{number}).")
    report = build(BuildOptions(site_dir=site, base_url=BASE_URL))
    assert report.entries == 31 and report.imported
    return load_output(site / "public")


def test_the_site_is_big_enough_to_mean_something(output: dict[str, bytes]) -> None:
    pages = [p for p in output if p.endswith(".html")]
    assert len(pages) > 100
    assert "page/2/index.html" in output
    assert any(p.startswith("tags/") and "/page/2/" in p for p in output)
    assert {"2019/index.html", "2022/index.html", "archive/index.html"} <= set(output)


def test_no_internal_link_or_anchor_is_broken(output: dict[str, bytes]) -> None:
    assert find_broken_links(output, "/repo/") == []


def test_every_page_links_inside_the_sub_path(output: dict[str, bytes]) -> None:
    home = output["index.html"].decode()
    assert 'href="/repo/tags/"' in home and 'href="/tags/"' not in home
    # Checked as if published at the domain's root, the same links all leave the site.
    problems = find_broken_links({"index.html": output["index.html"], **{
        p: b"" for p in output if p != "index.html"}}, "/")
    assert problems and all("not in the output" in p for p in problems)


def test_a_broken_link_and_a_missing_anchor_are_found(output: dict[str, bytes]) -> None:
    page = "tags/index.html"
    html = output[page].decode()
    broken = html.replace("</main>", '<a href="/repo/2031/">x</a>'
                                     '<a href="/repo/archive/#no-such-anchor">y</a></main>', 1)
    assert broken != html
    problems = find_broken_links({**output, page: broken.encode()}, "/repo/")
    assert len(problems) == 2
    assert "'/repo/2031/' leads to 2031/index.html, which is not in the output" in problems[0]
    assert "anchor #no-such-anchor that archive/index.html does not have" in problems[1]


def test_a_missing_page_breaks_the_links_to_it(output: dict[str, bytes]) -> None:
    missing = {p: d for p, d in output.items() if p != "archive/index.html"}
    problems = find_broken_links(missing, "/repo/")
    assert problems and all("archive" in p for p in problems)
