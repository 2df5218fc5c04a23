"""Hardening: hostile names never lead a build outside its output folder, nor to a traceback.

Tried, each through the real CLI (`python -m site_builder build`) in a temp folder whose whole
tree is compared before and after the build:

- 15 front matter slugs: '..', '../../etc', '/abs', 'a/b', 'a\\b', NUL, 'con', 'nul', 'com1',
  'CON', '%2e%2e', '.', '', 300 characters, non-ASCII -> each a `path:line: message` error;
- titles (which make slugs) and 16 tag names with the same tricks, plus a raw article in seeds/
  titled '../../../etc/passwd' -> safe slugs, every page inside public/;
- 14 permalink patterns (config): '..', missing slashes, unknown tokens, './', a backslash,
  NUL, a 300-character folder, '/{slug}-{slug}/' past the 255-byte name limit, '//', 'con',
  '%2e%2e' -> a clear error, or pages inside public/;
- 6 template names in {% include %}/{% extends %} ('../sitegen.yaml', '/etc/passwd',
  backslashes, '%2e%2e', a NUL) and a static file whose name has a backslash -> a clear error,
  and nothing from outside the templates folder in the output;
- --output naming an existing file.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from site_builder.core.slugs import RESERVED_NAMES, is_valid_slug
from site_builder.core.urls import is_safe_relative, safe_join
from site_builder.core.errors import SitegenError
from site_builder.outputs.filterindex import decode_positions

REPO = Path(__file__).resolve().parent.parent
SECRET = "secret-marker-3d9f1c"
LONG = "b" * 300


def run_build(site: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run `python -m site_builder build --site site` and return what it did."""
    return subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site),
                           "--quiet", *extra], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def tree(root: Path) -> set[str]:
    """Return every file and folder below root, relative, POSIX."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(Path(folder, name).relative_to(root).as_posix())
    return found


def assert_stayed_inside(before: set[str], after: set[str], site: str = "site") -> None:
    """Check that a build added paths only inside its output, cache and content folders."""
    allowed = (f"{site}/public", f"{site}/.sitegen-cache", f"{site}/content")
    strays = [p for p in after - before if not (p in allowed or p.startswith(
        tuple(a + "/" for a in allowed)))]
    assert not strays, strays
    assert not any(Path(p).name in (".public.staging", ".public.previous") for p in after)


def assert_clean_failure(done: subprocess.CompletedProcess) -> list[str]:
    """Check a build failed with one-line messages and no traceback; return the lines."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all(": " in line for line in lines), lines
    return lines


def write(path: Path, text: str) -> Path:
    """Write text to path, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entry_text(front: dict, body: str = "Body.") -> str:
    """Return an entry file's text with front matter dumped safely (any string is valid YAML)."""
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body


HOSTILE_SLUGS = ["..", "../../etc", "/abs", "a/b", "a\\b", "a\x00b", "con", "nul", "com1", "CON",
                 "%2e%2e", ".", "", "a" * 300, "привет"]


def test_15_hostile_front_matter_slugs_are_each_a_located_error(tmp_path):
    site = tmp_path / "site"
    for index, slug in enumerate(HOSTILE_SLUGS):
        write(site / "content" / f"e{index}.md",
              entry_text({"title": f"T{index}", "date": "2022-12-31", "slug": slug}))
    before = tree(tmp_path)
    lines = assert_clean_failure(run_build(site))
    assert_stayed_inside(before, tree(tmp_path))
    reported = sorted(line.split(":")[0] for line in lines if line.startswith("content/"))
    assert reported == sorted(f"content/e{i}.md" for i in range(len(HOSTILE_SLUGS)))
    for line in lines[:-1]:
        assert ":4: slug " in line and "is not a safe URL name" in line, line
    assert not (site / "public").exists()


HOSTILE_NAMES = ["../../../etc/passwd", "/etc/passwd", "..", ".", "...", "con", "NUL", "com1",
                 "Aux.txt", "%2e%2e/%2e%2e/x", "..\\..\\windows\\win.ini", "a\x00b", LONG,
                 "\u202e\u0000", "ÄÖÜ ß ☃ 中文 русский", "lpt9"]


def test_hostile_titles_and_tags_get_safe_slugs_and_stay_inside_public(tmp_path):
    site = tmp_path / "site"
    for index, name in enumerate(HOSTILE_NAMES):
        write(site / "content" / f"n{index}.md",
              entry_text({"title": f"{name}", "date": f"2022-12-{index + 1:02d}",
                          "tags": [name, f"{name} {index}"]}))
    write(site / "seeds" / "evil.txt",
          "date 2022-11-30 https://example.org/evil\n../../../etc/passwd\nA lead\n"
          "BEIJING (Sputnik) - text.\n")
    before = tree(tmp_path)
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    after = tree(tmp_path)
    assert_stayed_inside(before, after)
    imported = sorted(p for p in after - before if p.startswith("site/content/"))
    assert imported[:2] == ["site/content/2022", "site/content/2022/11"] and len(imported) == 3
    assert re.fullmatch(r"site/content/2022/11/etc-passwd(-[0-9a-f]{6})?\.md", imported[2])
    public = site / "public"
    entry_pages = list(public.glob("2022/*/*/*/index.html"))
    assert len(entry_pages) == len(HOSTILE_NAMES) + 1
    entry_slugs = {p.parent.name for p in entry_pages}
    tag_slugs = {p.parent.name for p in public.glob("tags/*/index.html")}
    for slug in entry_slugs | tag_slugs:
        assert is_valid_slug(slug) and slug not in RESERVED_NAMES, slug
        assert len(slug) <= 80
    assert {"con-1", "nul-1", "com1-1", "lpt9-1"} <= entry_slugs & tag_slugs


REFUSED_PERMALINK = "hold only letters, digits, '-', '_', '/' and the {...} tokens (no '..' or '%')"


@pytest.mark.parametrize("permalink, expected", [
    ("/{slug}/../../x/", "sitegen.yaml:1: permalink '/{slug}/../../x/' must start and end with "
                         "'/' and " + REFUSED_PERMALINK),
    ("/../{slug}/", REFUSED_PERMALINK),
    ("{slug}/", "sitegen.yaml:1: permalink '{slug}/' must start and end with '/'"),
    ("/{slug}", "sitegen.yaml:1: permalink '/{slug}' must start and end with '/'"),
    ("/{year}/", "must contain {slug}"),
    ("/{slug}/{__class__}/", "must contain {slug} and only"),
    ("/./{slug}/", REFUSED_PERMALINK),
    ("/{slug}\\x/", REFUSED_PERMALINK),
    ("/\x00{slug}/", REFUSED_PERMALINK),
    (f"/{LONG}/{{slug}}/", f"content/a.md: output path '{LONG}/x-slug/index.html' is not safe"),
    ("/{slug}" + "-{slug}" * 40 + "/", "content/a.md: output path 'x-slug-x-slug"),
])
def test_hostile_permalinks_are_a_clear_error(tmp_path, permalink, expected):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", yaml.safe_dump({"permalink": permalink}))
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31",
                                                 "slug": "x-slug"}))
    before = tree(tmp_path)
    lines = assert_clean_failure(run_build(site))
    assert_stayed_inside(before, tree(tmp_path))
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize("permalink, page", [
    ("//{slug}/", "x-slug/index.html"),
    ("/con/{slug}/", "con/x-slug/index.html"),
    ("/{year}{month}{day}-{slug}/", "20221231-x-slug/index.html"),
])
def test_odd_but_harmless_permalinks_build_inside_public(tmp_path, permalink, page):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", yaml.safe_dump({"permalink": permalink}))
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31",
                                                 "slug": "x-slug"}))
    before = tree(tmp_path)
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    assert_stayed_inside(before, tree(tmp_path))
    assert (site / "public" / page).is_file()


def test_a_permalink_with_an_encoded_dot_segment_is_refused(tmp_path):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", yaml.safe_dump({"permalink": "/%2e%2e/{slug}/"}))
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31"}))
    lines = assert_clean_failure(run_build(site))
    assert any("sitegen.yaml:1: permalink" in line for line in lines), lines


@pytest.mark.parametrize("statement", [
    '{% include "../sitegen.yaml" %}', '{% include "/etc/passwd" %}',
    '{% include "..\\\\..\\\\sitegen.yaml" %}', '{% include "%2e%2e/sitegen.yaml" %}',
    '{% extends "../../../../../../etc/passwd" %}', '{% include "a\\x00b" %}',
])
def test_template_names_cannot_reach_outside_the_templates_folder(tmp_path, statement):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", f"# {SECRET}\ntitle: T\n")
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31"}))
    write(site / "templates" / "404.html", statement)
    before = tree(tmp_path)
    lines = assert_clean_failure(run_build(site))
    assert_stayed_inside(before, tree(tmp_path))
    assert any("not found" in line and "404.html" in line for line in lines), lines
    assert not (site / "public").exists()


def test_a_static_file_with_a_backslash_in_its_name_is_a_clear_error(tmp_path):
    site = tmp_path / "site"
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31"}))
    write(site / "templates" / "static" / "a\\..\\..\\evil.css", "body{}")
    before = tree(tmp_path)
    lines = assert_clean_failure(run_build(site))
    assert_stayed_inside(before, tree(tmp_path))
    assert any("static file a\\..\\..\\evil.css: output path" in line for line in lines)


def test_an_output_that_is_a_file_is_a_clear_error(tmp_path):
    site = tmp_path / "site"
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31"}))
    target = write(tmp_path / "not-a-folder", "keep me")
    assert_clean_failure(run_build(site, "--output", str(target)))
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "a\x00b", ".",
                                 "", "a/./b", "a//b", LONG + "/index.html",
                                 "a/" * 1100 + "index.html", "é" * 128 + "/index.html"])
def test_unsafe_output_paths_are_refused_by_safe_join(tmp_path, rel):
    assert not is_safe_relative(rel)
    with pytest.raises(SitegenError):
        safe_join(tmp_path, rel)


@pytest.mark.parametrize("rel", ["index.html", "a/b/index.html", "con/index.html",
                                 "%2e%2e/index.html", "b" * 255 + "/index.html",
                                 "é" * 127 + "/index.html"])
def test_safe_output_paths_are_accepted(tmp_path, rel):
    assert is_safe_relative(rel)
    assert safe_join(tmp_path, rel).is_relative_to(tmp_path)


CLASHING_TAGS = {"lang": ["C++", "C#", "C"], "beijing": ["北京"], "background": ["背景"],
                 "ukraine": ["🇺🇦"], "russia": ["🇷🇺"], "turkey-nfd": ["Tu\u0308rkiye"],
                 "turkey-nfc": ["Türkiye", "TÜRKIYE"]}


def test_tags_sharing_a_slug_keep_their_identity_on_every_page_feed_and_index(tmp_path):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", "search: false\n")
    for day, (slug, tags) in enumerate(CLASHING_TAGS.items(), start=1):
        write(site / "content" / f"{slug}.md", entry_text(
            {"title": slug, "date": f"2022-12-{day:02d}", "slug": slug, "tags": tags}))
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    public = site / "public"
    index = json.loads((public / "filter/index.json").read_text(encoding="utf-8"))
    entries = json.loads((public / "filter/entries-0.json").read_text(encoding="utf-8"))
    tags = next(facet["values"] for facet in index["facets"] if facet["name"] == "tag")
    urls = {name: "/" + url for _, name, url, _ in tags}
    assert sorted(urls) == sorted(["C++", "C#", "C", "北京", "背景", "🇺🇦", "🇷🇺", "Türkiye"])
    assert len(set(urls.values())) == len(urls)
    members = {name: {entries[n][2] for n in decode_positions(postings, index["entries"])}
               for _, name, _, postings in tags}
    for slug, tags in CLASHING_TAGS.items():
        page = (public / "2022/12" / f"{int(list(CLASHING_TAGS).index(slug)) + 1:02d}" / slug
                / "index.html").read_text(encoding="utf-8")
        tag_list = page.split('<ul class="tags" aria-label="Tags">')[1].split("</ul>")[0]
        links = [(html.unescape(name), url) for url, name in re.findall(
            r'<a href="([^"]+)"[^>]*>([^<]+)</a>', tag_list)]
        names = [unicodedata.normalize("NFC", tag) for tag in tags if tag != "TÜRKIYE"]
        assert links == [(name, urls[name]) for name in names], slug
        feed = (public / "feed.xml").read_text(encoding="utf-8")
        entry_xml = feed.split(f"<title type=\"text\">{slug}</title>")[1].split("</entry>")[0]
        assert re.findall(r'<category term="([^"]+)"', entry_xml) == names
        for name in names:
            tag_page = (public / urls[name].lstrip("/") / "index.html").read_text(encoding="utf-8")
            assert f"tagged “{html.escape(name, quote=False)}”" in tag_page
            assert f"/{slug}/" in tag_page
            assert any(u.endswith(f"/{slug}/") for u in members[name])
            tag_feed = (public / urls[name].lstrip("/") / "feed.xml").read_text(encoding="utf-8")
            assert f"<title type=\"text\">{slug}</title>" in tag_feed
    assert members["C"] == {"2022/12/01/lang/"} and members["Türkiye"] == {
        "2022/12/06/turkey-nfd/", "2022/12/07/turkey-nfc/"}


def test_a_permalink_differing_from_a_tag_page_only_in_case_is_a_clash(tmp_path):
    site = tmp_path / "site"
    write(site / "sitegen.yaml", yaml.safe_dump({"permalink": "/Tags/{slug}/", "search": False}))
    write(site / "content" / "a.md", entry_text({"title": "T", "date": "2022-12-31",
                                                 "slug": "russia", "tags": ["Russia"]}))
    before = tree(tmp_path)
    lines = assert_clean_failure(run_build(site))
    assert_stayed_inside(before, tree(tmp_path))
    assert any("content/a.md" in line and "tag 'Russia'" in line and "Tags/russia/index.html"
               in line and "tags/russia/index.html" in line for line in lines), lines
    check = subprocess.run([sys.executable, "-m", "site_builder", "check", "--site", str(site)],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert check.returncode == 1 and "Tags/russia/index.html" in check.stderr, check.stderr
