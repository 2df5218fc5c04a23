"""The default theme's own rules: every page renders, links stay on the site, pages stay lean."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import make_entry
from site_builder.core.config import Config
from site_builder.outputs.plan import PageOutput, build_plan
from site_builder.outputs.render import make_environment, render_page, site_view, theme_dir
from site_builder.outputs.views import Link, PageInfo, PlainPage
from site_builder.model.site import build_site
from site_builder.core.urls import period_path

BASE = "/sub/"
THEME = theme_dir()
TEMPLATES = sorted(p for p in THEME.glob("*.html"))
STYLE = (THEME / "static" / "style.css").read_text(encoding="utf-8")
ASSETS = {"style.css": BASE + "static/style.0123456789.css",
          "search.js": BASE + "static/search.0123456789.js",
          "search-engine.js": BASE + "static/search-engine.0123456789.js",
          "filter.js": BASE + "static/filter.0123456789.js",
          "index-find.js": BASE + "static/index-find.0123456789.js",
          "overview.js": BASE + "static/overview.0123456789.js",
          "favicon.svg": BASE + "static/favicon.svg"}
BODY = "<p>First paragraph of the body.</p>\n<blockquote><p>A quotation.</p></blockquote>"
LEAD = "Officials said the talks were constructive, although no document was signed."


def sample_entries() -> list:
    """Return varied entries: with and without lead, source, tags; one hostile title."""
    entries = []
    for n in range(45):
        day = f"20{21 + n // 20}-{1 + n % 12:02d}-{1 + n % 27:02d}"
        fields = {"lead": LEAD, "body_html": BODY, "dateline": "GENEVA"}
        if n % 3:
            fields.update(source_name="Example News", source_url=f"https://news.example/{n}")
        tags = ("russia", "china", "united nations", "bilateral relations")[: n % 5]
        entries.append(make_entry(f"entry-{n}", day, tags=tags, title=f"Entry number {n}", **fields))
    entries.append(make_entry("bare", "2020-02-29"))
    entries.append(make_entry("hostile", "2020-03-01", title="<script>alert(1)</script> & co",
                              lead="<b>not bold</b>"))
    return entries


def render_all(config: Config, entries: list) -> dict[str, str]:
    """Return output path -> HTML of every page of the site, rendered with the bundled theme."""
    site = build_site(entries, config)
    env = make_environment(None)
    years = [Link(str(y.year), config.base_path + period_path(y.year).lstrip("/"))
             for y in site.years]
    env.globals["site"] = site_view(config, ASSETS, years)
    plan = build_plan(site, config)
    return {o.path: render_page(env, o.template, o.view).decode("utf-8")
            for o in plan if isinstance(o, PageOutput)}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """Every page of a sample site living under a sub-path."""
    config = Config(title="Desk", base_url="https://example.org/sub/", page_size=5)
    return render_all(config, sample_entries())


def first(pages: dict[str, str], pattern: str) -> str:
    """Return the HTML of the first page whose path matches pattern."""
    return next(html for path, html in sorted(pages.items()) if re.fullmatch(pattern, path))


class Outline(HTMLParser):
    """Collects headings, landmarks, attributes and inline scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def outline(html: str) -> Outline:
    """Return the parsed outline of html."""
    parser = Outline()
    parser.feed(html)
    return parser


# Every page -------------------------------------------------------------------------------


def test_every_template_is_used_and_renders(pages):
    used = {"list.html", "entry.html", "tags.html", "period.html", "archive.html",
            "search.html", "404.html"}
    assert used <= {p.name for p in TEMPLATES}
    assert {"index.html", "page/2/index.html", "tags/index.html", "tags/russia/index.html",
            "archive/index.html", "2021/index.html", "2021/01/index.html",
            "2021/01/01/index.html", "search/index.html", "404.html"} <= set(pages)


def test_every_page_has_landmarks_one_h1_and_no_skipped_heading_level(pages):
    for path, html in pages.items():
        parsed = outline(html)
        names = [tag for tag, _ in parsed.tags]
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in names, (path, landmark)
        assert parsed.headings.count(1) == 1, path
        assert parsed.headings[0] == 1, path
        for before, after in zip(parsed.headings, parsed.headings[1:]):
            assert after <= before + 1, (path, parsed.headings)
        assert 'class="skip-link" href="#main"' in html, path
        assert 'id="main"' in html, path


def test_every_root_relative_url_carries_the_base_path(pages):
    for path, html in pages.items():
        for tag, attrs in outline(html).tags:
            for name in ("href", "src", "action"):
                value = attrs.get(name)
                if value and value.startswith("/"):
                    assert value.startswith(BASE), (path, tag, value)


def test_only_known_hosts_are_linked(pages):
    """Absolute URLs are the site's own (canonical) or an entry's source; nothing is loaded."""
    for path, html in pages.items():
        for tag, attrs in outline(html).tags:
            if tag in ("script", "img", "iframe") or (tag == "link" and attrs.get("rel") == "stylesheet"):
                assert (attrs.get("src") or attrs.get("href") or "").startswith(BASE), (path, tag)
            href = attrs.get("href") or ""
            if href.startswith(("http:", "https:", "//")):
                assert href.startswith(("https://example.org/sub/", "https://news.example/")), href


def test_every_page_has_the_header_search_form_and_feed_link(pages):
    for path, html in pages.items():
        assert f'<form class="header-search" role="search" action="{BASE}search/">' in html, path
        assert 'name="q"' in html, path
        assert f'rel="alternate" type="application/atom+xml" title="Desk" href="{BASE}feed.xml"' in html


def test_text_is_escaped_and_only_the_body_is_raw(pages):
    html = pages["2020/03/01/hostile/index.html"]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert BODY in first(pages, r"2021/02/02/entry-1/index.html")


def test_pages_stay_small(pages):
    config = Config(title="Desk", base_url="https://example.org/sub/", page_size=20)
    big = render_all(config, sample_entries())
    assert len(big["index.html"].encode()) < 60_000
    for path, html in big.items():
        assert len(html.encode()) < 60_000, path


# Home, tags, archives ----------------------------------------------------------------------


def test_home_shows_a_grouped_timeline_with_pagination_and_overview(pages):
    html = pages["index.html"]
    dates = re.findall(r'<li><time datetime="([\d-]+)">\d+ \w{3}</time> <a href="', html)
    assert len(dates) == 5 and dates == sorted(dates, reverse=True)   # newest first
    assert '<h2 class="tl-year-heading" id="y2023">' in html
    assert '<h3 class="tl-month-heading" id="m2023-' in html
    assert '<p class="tl-lead">' in html
    assert '<p class="tl-meta"><span>Example News</span>' in html
    assert f'<a href="{BASE}tags/russia/">russia</a>' in html
    assert re.search(rf'<a href="{BASE}" aria-current="page">1 <span class="pager-dates">'
                     r'\w{3} 2023( – \w{3} 2023)?</span></a>', html)
    assert '<span aria-hidden="true">…</span>' in html
    assert f'href="{BASE}page/2/" rel="next">Next → <span class="pager-dates">' in html
    assert 'class="overview"' in html
    # the overview is the home's way into a year: no row of every year above it
    assert 'class="year-nav"' not in html and 'class="year-nav"' in pages["archive/index.html"]


def overview_of(html: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, bool, list]]]:
    """Return the overview of a page: its years (year, url, count) and its month rows (year,
    hidden, months as (accessible name, url or '', visible text))."""
    part = html[html.index('<nav class="overview"'):]
    part = part[:part.index("</nav>")]
    years = re.findall(r'<li><a href="([^"]+)" data-year="(\d{4})"[^>]*>\d{4} <span class="ov-n">'
                       r'(\d+)<span class="visually-hidden"> entr', part)
    rows = []
    for year, hidden, cells in re.findall(r'<ol class="ov-months" data-year="(\d{4})" '
                                          r'aria-label="\d{4} by month"( hidden)?>(.*?)</ol>',
                                          part, re.S):
        months = re.findall(r'<li>(?:<a href="([^"]+)" aria-label="([^"]+)"|<span aria-label="'
                            r'([^"]+)" role="img") data-m="(\w{3})"><i class="b\d+"></i>(\d+)', cells)
        rows.append((year, bool(hidden), [(name or empty, url, f"{short} {count}")
                                          for url, name, empty, short, count in months]))
    return [(year, url, count) for url, year, count in years], rows


def test_the_overview_is_one_strip_of_years_newest_first_with_the_first_open(pages):
    years, rows = overview_of(pages["index.html"])
    assert [year for year, _, _ in years] == ["2023", "2022", "2021", "2020"]   # as the list
    assert [url for _, url, _ in years] == [f"{BASE}{y}/" for y in ("2023", "2022", "2021", "2020")]
    assert sum(int(count) for _, _, count in years) == 47
    assert [(year, hidden) for year, hidden, _ in rows] == \
        [("2023", False), ("2022", True), ("2021", True), ("2020", True)]
    for year, _, months in rows:
        assert len(months) == 12, year                    # twelve months, newest first
        assert [name.split()[0] for name, _, _ in months][:2] == ["December", "November"]
        for name, url, text in months:
            count = int(text.split()[1])
            assert name == f"{name.split(':')[0]}: {count} entr{'y' if count == 1 else 'ies'}"
            assert text.split()[0] == name[:3]            # label and count shown, not hovered
            assert (url != "") == (count > 0)
            if url:
                assert re.fullmatch(rf"{BASE}{year}/\d\d/", url)
    assert "overview" not in pages["archive/index.html"]


def test_a_tag_overview_leads_into_the_tag_own_pages_at_the_heading(pages):
    first = pages["tags/russia/index.html"]
    years, rows = overview_of(first)
    for year, url, _ in years:
        page_path, anchor = url.removeprefix(BASE).split("#")
        assert anchor == f"y{year}" and f'id="y{year}"' in pages[page_path + "index.html"]
    for year, _, months in rows:
        for _, url, _ in months:
            if url:
                page_path, anchor = url.removeprefix(BASE).split("#")
                assert page_path.startswith("tags/russia/")
                assert f'id="{anchor}"' in pages[page_path + "index.html"], url
    later = pages["tags/russia/page/2/index.html"]
    assert '<nav class="overview" aria-label="Jump to year"' in later
    assert overview_of(later)[0] == years and overview_of(later)[1] == []


def test_the_tags_index_ships_one_order_under_letters_and_links_the_other(pages):
    html = pages["tags/index.html"]
    names = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', html)
    assert names == sorted(names, key=str.casefold) and len(names) == len(set(names))
    assert f'<a href="{BASE}tags/by-count.html">By number of entries</a>' in html
    # One jump per initial letter, each to its section's heading.
    jumps = re.findall(r'<a href="#(letter-[a-z]+)">([A-Z])</a>', html)
    assert [letter for _, letter in jumps] == sorted({n[0].upper() for n in names})
    for anchor, letter in jumps:
        assert f'<section class="index-section" id="{anchor}"' in html
        assert f'<h2 id="{anchor}-heading">{letter}</h2>' in html
    # The find box is in the page (its space kept) but unseen until its script makes it work.
    assert '<label for="index-find-input">Find a tag</label>' in html
    assert ".index-find:not(.ready) { visibility: hidden; }" in STYLE


def test_the_tags_index_by_count_is_a_page_of_its_own(pages):
    html = pages["tags/by-count.html"]
    names = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', html)
    counts = [int(c) for c in re.findall(r'<span class="count">(\d+)<', html)]
    assert names[0] == "russia" and counts == sorted(counts, reverse=True)
    assert sorted(names) == sorted(re.findall(r'<li><a href="[^"]+">([^<]+)</a>',
                                              pages["tags/index.html"]))
    assert f'<a href="{BASE}tags/">By name</a>' in html and "letter-jumps" not in html


def test_tag_page_has_its_feed_and_heading(pages):
    html = pages["tags/russia/index.html"]
    assert f'href="{BASE}tags/russia/feed.xml"' in html
    assert "<h1>russia</h1>" in html


def test_day_page_has_breadcrumbs_up_to_month_and_year(pages):
    html = pages["2021/01/01/index.html"]
    crumbs = html[html.index('class="breadcrumb"'):html.index("</nav>", html.index('class="breadcrumb"'))]
    assert crumbs.index(f'href="{BASE}2021/"') < crumbs.index(f'href="{BASE}2021/01/"')
    assert crumbs.rstrip().endswith(f'<a href="{BASE}2021/01/">January 2021</a>')
    assert "<h1>1 January 2021</h1>" in html


def test_year_page_lists_months_with_counts_and_neighbours_then_its_entries(pages):
    html = pages["2021/index.html"]
    assert f'<a href="{BASE}2021/01/">January</a> <span class="count">' in html
    assert f'href="{BASE}2020/" rel="prev"' in html and f'href="{BASE}2022/" rel="next"' in html
    months = html.index('id="children-heading"')
    first_entry = html.index('<ol class="tl-list">')
    assert months < html.index('<h3 class="tl-month-heading" id="m2021-12">') < first_entry
    assert f'href="{BASE}2021/page/2/" rel="next">Next → <span class="pager-dates">' in html
    listed = [re.findall(r'<li><time datetime="2021-[^"]+">', pages[path])
              for path in pages if re.fullmatch(r"2021/(page/\d+/)?index.html", path)]
    assert sum(len(items) for items in listed) == 20      # every entry of 2021, paginated


def test_month_page_lists_its_entries_before_its_days(pages):
    html = pages["2021/01/index.html"]
    assert html.index('<ol class="tl-list">') < html.index('id="children-heading"')


def test_archive_reaches_every_year_and_month(pages):
    html = pages["archive/index.html"]
    for month in ("2020/02/", "2020/03/", "2021/12/", "2022/05/"):
        assert f'href="{BASE}{month}"' in html
    for year in ("2020", "2021", "2022"):
        assert f'href="{BASE}{year}/"' in html


# Entry, search, 404 ------------------------------------------------------------------------


def test_entry_page_shows_the_entry_and_links_its_periods(pages):
    html = pages["2021/02/02/entry-1/index.html"]
    assert "pagefind" not in html and "<div hidden" not in html      # no search markup
    assert '<article class="entry">' in html
    assert f'<a href="{BASE}tags/russia/">russia</a>' in html
    for url in ("2021/", "2021/02/"):
        assert f'href="{BASE}{url}"' in html
    assert f'href="{BASE}2021/02/02/"' not in html      # its day's page only points back here
    assert '<a href="https://news.example/1" rel="noopener noreferrer">Example News</a>' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Related entries" in html


def test_only_the_search_page_loads_the_search_engine(pages):
    html = pages["search/index.html"]
    assert f'<script src="{ASSETS["search.js"]}"></script>' in html
    assert f'data-bundle="{BASE}searchindex/" data-base="{BASE}"' in html
    assert f'data-engine="{ASSETS["search-engine.js"]}"' in html
    assert '<ol id="search-results" class="search-results"' in html
    assert f'href="{BASE}tags/"' in html and f'href="{BASE}archive/"' in html
    for path, other in pages.items():
        if path == "search/index.html":
            continue
        assert "search-engine" not in other and "searchindex" not in other, path
        scripts = re.findall(r"<script[^>]*>", other)
        overview = f'<script src="{ASSETS["overview.js"]}">'
        if path in ("tags/index.html", "tags/by-count.html"):
            # The tags index loads its find box's script, and nothing else.
            assert scripts == [f'<script src="{ASSETS["index-find.js"]}">'], path
        elif path == "index.html" or path.startswith(("page/", "tags/")):
            # Home and tag timelines load the tag filter and the overview's keys, nothing else.
            assert scripts == [f'<script src="{ASSETS["filter.js"]}">', overview], path
        elif re.match(r"(countries|relations)/[^/]+/", path):
            assert scripts == [overview], path
        else:
            assert scripts == [], path


def test_search_script_prefills_from_the_query_string():
    script = (THEME / "static" / "search.js").read_text(encoding="utf-8")
    assert 'document.getElementById("search")' in script
    assert 'params.get("q")' in script and "replaceState" in script


def test_404_links_use_the_base_path(pages):
    html = pages["404.html"]
    for url in ("", "archive/", "tags/", "search/"):
        assert f'href="{BASE}{url}"' in html


def test_a_site_template_overrides_the_theme_one(tmp_path):
    (tmp_path / "404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Lost</h1>"
                                       "{% endblock %}", encoding="utf-8")
    env = make_environment(tmp_path)
    env.globals["site"] = site_view(Config(), {"style.css": "/s.css"}, [])
    html = render_page(env, "404.html", PlainPage(PageInfo("404", "Lost", "/404.html",
                                                           "http://localhost:8000/404.html")))
    assert b"<h1>Lost</h1>" in html and b'href="/s.css"' in html


# Source rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TEMPLATES + sorted((THEME / "static").glob("*")), ids=lambda p: p.name)
def test_no_file_of_the_theme_refers_to_another_host(path: Path):
    text = path.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", text), path.name
    assert "@import" not in text and "url(" not in text


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_inline_script_style_or_root_paths(path: Path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), "inline style or handler"
    assert not re.search(r'(?:href|src|action)="/', text), "hard-coded root path"


def test_style_has_dark_print_focus_skip_link_and_sticky_headings():
    assert "@media (prefers-color-scheme: dark)" in STYLE
    assert "@media print" in STYLE
    assert ":focus-visible" in STYLE
    assert ".skip-link:focus" in STYLE
    assert "position: sticky" in STYLE
    assert "overflow-wrap" in STYLE
    for step in range(1, 11):   # overview bar heights come from classes, not inline styles
        assert f".b{step}::after {{ height: {step * 10}%; }}" in STYLE


def test_rendered_pages_are_valid_html(pages, tmp_path):
    from validators import validate_html

    chosen = ["index.html", "tags/index.html", "tags/russia/index.html", "archive/index.html",
              "2021/index.html", "2021/01/index.html", "2021/01/01/index.html",
              "2021/02/02/entry-1/index.html", "search/index.html", "404.html"]
    files = []
    for n, path in enumerate(chosen):
        file = tmp_path / f"{n}.html"
        file.write_text(pages[path], encoding="utf-8")
        files.append(file)
    assert validate_html(files) == []


def test_the_theme_readme_names_every_value_each_template_receives():
    # templates/README.md is where a theme author reads what a template receives: it must keep
    # up with the views, field by field.
    import dataclasses

    from site_builder.outputs import views

    readme = (THEME / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[2].strip(" `"): line for line in readme.splitlines()
            if line.startswith("| ") and line.count("|") >= 4}
    for view in (views.SiteView, views.ListingPage, views.PeriodPage, views.EntryPage,
                 views.TagsPage, views.ArchivePage, views.PlainPage, views.SearchPage, views.CountriesPage,
                 views.CountryPage, views.RelationsPage, views.RelationPage):
        row = next(line for name, line in rows.items() if name.startswith(view.__name__))
        for field in dataclasses.fields(view):
            assert f"`{field.name}`" in row, (view.__name__, field.name)
    shared = readme[readme.index("The parts they share"):]
    for view in (views.PageInfo, views.EntrySummary, views.TagRef, views.PeriodRef):
        for field in dataclasses.fields(view):
            assert f"`{field.name}`" in shared or f"`{field.name}`" in readme, (view.__name__, field.name)


def test_day_and_period_pages_share_one_breadcrumb_and_one_set_of_neighbour_links():
    # One macro each in _macros.html: the golden site holds that the pages stay byte-identical.
    macros = (theme_dir() / "_macros.html").read_text(encoding="utf-8")
    assert macros.count('<nav class="breadcrumb"') == 1 and macros.count('<nav class="period-nav"') == 1
    for name in ("day.html", "period.html"):
        template = (theme_dir() / name).read_text(encoding="utf-8")
        assert '<nav class="breadcrumb"' not in template and "period-nav" not in template, name
        assert "{{ breadcrumb(up) }}" in template and "{{ period_nav(previous, next, " in template, name
