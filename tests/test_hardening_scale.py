"""Hardening: pathological shapes build, stay paginated, and stay within 300 MiB.

One site holds every shape, so the CLI runs once (the entry files are written directly, fast):

- 20,000 entries on ONE day (2023-03-15), every one of them tagged 'everywhere' (one tag on
  every entry) plus one of 50 other tags;
- one entry with 1,000 tags (max_tags raised to 1,000 for it);
- one entry with a 5 MB Markdown body (emphasis, links, raw HTML: the slow path);
- one entry with a 500-character title.

Checked: the build succeeds; no listing page (home, tags, year/month/day archives) shows more
than page_size entries, and the big listings have exactly the expected number of pages; the
1,000 tags each get a page; the 5 MB body and the long title are on their pages; the peak
resident memory of the build and its workers (getrusage(RUSAGE_CHILDREN).ru_maxrss measured in
a wrapper process that runs only the build) is under 300 MiB. The search index is switched
off here: this measures the pages.

Apart from it, a raw article with 2,000 keywords builds into a small site: the importer keeps
the first max_tags (30), so no tag feed repeats more than 30 categories per entry.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.outputs.render import theme_dir

REPO = Path(__file__).resolve().parent.parent
ENTRIES_ON_ONE_DAY = 20_000
PAGE_SIZE = 20
MEMORY_LIMIT_MIB = 300
BIG_BODY_BYTES = 5_000_000
LONG_TITLE = ("A very long title " * 40)[:499] + "Z"
# Runs the build as its only child and reports the peak RSS of it and its (waited) workers.
MEASURE = """\
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "out": done.stdout[-3000:],
                  "err": done.stderr[-3000:], "peak_kib": peak}))
"""


def write_site(site: Path) -> None:
    """Write the pathological site's config and entry files."""
    (site / "sitegen.yaml").write_text(f"title: Scale\nbase_url: https://example.org/\n"
                                       f"page_size: {PAGE_SIZE}\nsearch: false\nmax_tags: 1000\n",
                                       encoding="utf-8")
    # A frozen copy of the theme, safe from edits made to templates/ while the build runs.
    shutil.copytree(theme_dir(), site / "templates",
                    ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    day = site / "content" / "2023" / "03"
    day.mkdir(parents=True)
    for i in range(ENTRIES_ON_ONE_DAY):
        (day / f"e{i:05d}.md").write_text(
            f"---\ntitle: Entry number {i}\ndate: 2023-03-15\nslug: e{i:05d}\nlead: Lead {i}.\n"
            f"tags: [everywhere, t{i % 50}]\n---\n\nBody of entry {i}, plain prose.\n",
            encoding="utf-8")
    tags = "".join(f"- many tag {n}\n" for n in range(1000))
    (day / "many-tags.md").write_text(
        f"---\ntitle: One thousand tags\ndate: 2023-03-10\nslug: many-tags\ntags:\n{tags}---\n\n"
        "Tagged a lot.\n", encoding="utf-8")
    paragraph = ("Some *emphasis*, a [link](https://example.org/) and <b>bold</b> words & "
                 "more words to fill the line. ") * 4
    paragraphs = [paragraph] * (BIG_BODY_BYTES // (len(paragraph) + 2) + 1) + ["The very last line."]
    (day / "big-body.md").write_text(
        "---\ntitle: Five megabytes\ndate: 2023-03-09\nslug: big-body\ntags: [everywhere]\n---\n\n"
        + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (day / "long-title.md").write_text(
        f"---\ntitle: {json.dumps(LONG_TITLE)}\ndate: 2023-03-08\ntags: [everywhere]\n---\n\nx\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    """Build the pathological site once; return (site, what the measuring wrapper saw)."""
    site = tmp_path_factory.mktemp("scale")
    write_site(site)
    assert (site / "content/2023/03/big-body.md").stat().st_size > BIG_BODY_BYTES
    build = [sys.executable, "-m", "site_builder", "build", "--site", str(site)]
    done = subprocess.run([sys.executable, "-c", MEASURE, *build], cwd=REPO, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return site, json.loads(done.stdout)


def test_the_pathological_site_builds(built):
    site, result = built
    assert result["code"] == 0, result["err"]
    assert "Traceback" not in result["err"]
    assert f"built {ENTRIES_ON_ONE_DAY + 3} entries" in result["out"], result["out"]


def test_peak_memory_of_the_20000_entry_build_stays_under_300_mib(built):
    _, result = built
    peak_mib = result["peak_kib"] / 1024
    print(f"peak RSS of the build and its workers: {peak_mib:.0f} MiB")
    assert 0 < peak_mib < MEMORY_LIMIT_MIB, f"peak RSS {peak_mib:.0f} MiB"


def test_no_listing_page_shows_more_than_the_page_size(built):
    site, _ = built
    public = site / "public"
    counts = {}
    for page in public.rglob("*.html"):
        counts[page.relative_to(public).as_posix()] = page.read_bytes().count(b'<li><time datetime=')
    assert max(counts.values()) == PAGE_SIZE
    over = {path: count for path, count in counts.items() if count > PAGE_SIZE}
    assert not over, sorted(over.items())[:10]
    total = ENTRIES_ON_ONE_DAY + 3
    # a year lists its entries too, after its months, paginated like every listing
    expected_pages = {"": total, "tags/everywhere/": ENTRIES_ON_ONE_DAY + 2, "2023/": total,
                      "2023/03/": total, "2023/03/15/": ENTRIES_ON_ONE_DAY}
    for prefix, entries in expected_pages.items():
        pages = -(-entries // PAGE_SIZE)
        assert (public / prefix / "index.html").is_file()
        assert (public / prefix / "page" / str(pages) / "index.html").is_file(), prefix
        assert not (public / prefix / "page" / str(pages + 1)).exists(), prefix
        last = counts[f"{prefix}page/{pages}/index.html"]
        assert last == entries - (pages - 1) * PAGE_SIZE, (prefix, last)


def test_an_entry_with_1000_tags_links_them_all_and_each_gets_a_page(built):
    site, _ = built
    public = site / "public"
    page = (public / "2023/03/10/many-tags/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="/tags/(many-tag-\d+)/"', page)
    assert len(set(links)) == 1000
    for slug in set(links):
        assert (public / "tags" / slug / "index.html").is_file()
        assert (public / "tags" / slug / "feed.xml").is_file()


def test_the_5_mb_body_and_the_500_character_title_are_on_their_pages(built):
    site, _ = built
    public = site / "public"
    big = (public / "2023/03/09/big-body/index.html").read_text(encoding="utf-8")
    assert len(big) > BIG_BODY_BYTES and "<p>The very last line.</p>" in big
    assert big.count("<em>emphasis</em>") > 10_000 and "<b>bold</b>" in big
    [long_page] = (public / "2023/03/08").glob("*/index.html")
    assert len(long_page.parent.name) <= 80
    assert f"<h1>{LONG_TITLE}</h1>" in long_page.read_text(
        encoding="utf-8")


def test_a_raw_article_with_2000_keywords_builds_small_with_bounded_tags(tmp_path):
    (tmp_path / "sitegen.yaml").write_text("search: false\n", encoding="utf-8")
    keywords = ", ".join(f"keyword {n}" for n in range(2000))
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "many.txt").write_text(
        f"date 2023-03-21 https://tass.com/many\nMany keywords\nThe lead.\nThe summary.\n"
        f"{keywords}\nMOSCOW (TASS) - Something happened.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    public = tmp_path / "public"
    tag_folders = [p for p in (public / "tags").iterdir() if p.is_dir()]
    assert len(tag_folders) == 30
    for folder in tag_folders:
        assert (folder / "feed.xml").read_bytes().count(b"<category ") == 30
    size = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
    assert size < 2_000_000, f"{size:,} bytes"
