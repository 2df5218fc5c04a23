"""Tests for site_builder.outputs.linkcheck: internal links and anchors of a built output."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.outputs.linkcheck import find_broken_links, load_output, resolve_target


def page(body: str) -> bytes:
    """Return a small HTML page with body inside."""
    return f"<!doctype html>\n<html><body>\n{body}\n</body></html>\n".encode()


SITE = {
    "index.html": page('<a href="/repo/2022/">2022</a>\n<a href="2022/12/#m2022-12">Dec</a>\n'
                       '<a id="top-link" href="#main">skip</a><main id="main"></main>'),
    "2022/index.html": page('<a href="../">home</a> <a href="12/">December</a>'),
    "2022/12/index.html": page('<h2 id="m2022-12">December</h2><a href="/repo/">home</a>'),
    "static/style.1234.css": b"",
    "feed.xml": b"<feed/>",
}


def test_a_consistent_site_has_no_broken_links() -> None:
    assert find_broken_links(SITE, "/repo/") == []


@pytest.mark.parametrize(("link", "page_path", "target"), [
    ("/repo/x/", "index.html", "x/index.html"),
    ("/repo/", "a/b/index.html", "index.html"),
    ("/repo", "a/b/index.html", "index.html"),
    ("x/", "a/index.html", "a/x/index.html"),
    ("../", "a/index.html", "index.html"),
    ("../feed.xml", "a/index.html", "feed.xml"),
    ("style.css", "a/page.html", "a/style.css"),
    ("", "a/index.html", "a/index.html"),
    ("/other/", "index.html", None),
    ("../../", "a/index.html", None),
])
def test_resolve_target_maps_urls_to_output_files(link: str, page_path: str,
                                                  target: str | None) -> None:
    assert resolve_target(link, page_path, "/repo/") == target


def test_a_link_to_a_missing_page_is_reported_with_its_line() -> None:
    site = dict(SITE, **{"about.html": page('<p>x</p>\n<a href="/repo/2023/">2023</a>')})
    assert find_broken_links(site, "/repo/") == [
        "about.html:4: link '/repo/2023/' leads to 2023/index.html, which is not in the output",
    ]


def test_a_missing_anchor_is_reported_on_this_and_other_pages() -> None:
    site = dict(SITE, **{"a.html": page('<a href="#nowhere">x</a> <a href="2022/12/#m2023-01">y</a>')})
    problems = find_broken_links(site, "/repo/")
    assert problems == [
        "a.html:3: link '#nowhere' points to an anchor #nowhere that this page does not have",
        "a.html:3: link '2022/12/#m2023-01' points to an anchor #m2023-01 that "
        "2022/12/index.html does not have",
    ]


def test_links_outside_the_base_path_are_broken() -> None:
    site = dict(SITE, **{"a.html": page('<link rel="stylesheet" href="/static/style.1234.css">')})
    problems = find_broken_links(site, "/repo/")
    assert len(problems) == 1 and "outside the site's base path '/repo/'" in problems[0]
    # The same output built for the root of a domain is fine.
    root_site = dict(SITE, **{"a.html": page('<link rel="stylesheet" href="/static/style.1234.css">')})
    assert find_broken_links({"a.html": root_site["a.html"], "static/style.1234.css": b""}, "/") == []


def test_external_and_special_links_are_ignored() -> None:
    body = ('<a href="https://example.org/x#y">a</a> <a href="http://e.org">b</a> '
            '<a href="//cdn.example.org/x.js">c</a> <a href="mailto:a@example.org">d</a> '
            '<a href="#">top</a> <a href="#top">top</a> <img src="data:image/png;base64,AA==">')
    assert find_broken_links({"index.html": page(body)}, "/") == []


def test_src_action_and_encoded_links_are_checked() -> None:
    site = {
        "index.html": page('<script src="/static/app.js"></script>'
                           '<form action="/search/"></form><img src="/caf%C3%A9.png">'
                           '<a href="/search/?q=x">q</a>'),
        "search/index.html": page(""),
        "café.png": b"",
    }
    assert find_broken_links(site, "/") == [
        "index.html:3: link '/static/app.js' leads to static/app.js, which is not in the output",
    ]


def test_anchors_may_be_ids_or_a_names_and_fragments_on_data_files_are_not_checked() -> None:
    site = {
        "index.html": page('<a href="b.html#old">x</a> <a href="feed.xml#whatever">y</a>'),
        "b.html": page('<a name="old"></a>'),
        "feed.xml": b"<feed/>",
    }
    assert find_broken_links(site, "/") == []


def test_load_output_reads_pages_and_lists_other_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_bytes(b"<p>x</p>")
    (tmp_path / "feed.xml").write_bytes(b"<feed/>")
    assert load_output(tmp_path) == {"a/index.html": b"<p>x</p>", "feed.xml": b""}
