"""Hardening: no script reaches the built site from content, and every text reads as written.

The corpus is tests/data/hostile/xss-corpus.json: 30 text payloads (<script>, event handlers,
javascript: and data: URLs, </script> and U+2028 for JSON, SVG and MathML with script,
attribute-breaking quotes, {{ jinja }} syntax, entities, CDATA...) and 31 hand-written Markdown
snippets (raw HTML, javascript:/data: links and images, reference links, attr_list, code...).

One site is built through the real CLI from both kinds of source:

- 30 raw articles in seeds/ carrying a payload in title, lead, summary, body paragraphs (one
  of them after a dateline) and source URL, plus a hostile keywords line;
- 31 hand-written entries carrying a payload in title, lead, summary, two tags, source name and
  URL, dateline and unknown front matter keys, with a hostile Markdown body;
- a site title and description that carry payloads too.

Then EVERY output file is parsed: HTML with a strict html.parser walker (balanced tags, no
script but the theme's external ones, no on* attribute, no javascript:/data:/vbscript: URL, no
svg/iframe/object/embed/math/style/base/meta-refresh), Atom and sitemaps with xml.etree (the
HTML inside Atom <content> checked the same way), timeline.json with json (no raw '<', every
HTML string checked), every other JSON file parsed (the theme's scripts must use them as text:
no innerHTML and the like in templates/static/*.js). Each entry page must show its title, lead, body, tags, source name and
dateline exactly as the author wrote them (raw articles: as the documented cleaning leaves them).
"""

from __future__ import annotations

import html
import html.parser
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from site_builder.sources.content import parse_entry
from site_builder.core.errors import SourceError
from site_builder.sources.rawformat import parse_raw_article

REPO = Path(__file__).resolve().parent.parent
CORPUS = json.loads((REPO / "tests/data/hostile/xss-corpus.json").read_text(encoding="utf-8"))
TEXT, MARKDOWN = CORPUS["text"], CORPUS["markdown"]
SITE_TITLE = "Site <script>alert('title')</script> \"q\" {{ 1+1 }} &amp;"
BASE = "/sub/"
SITE_URL = "https://example.org/sub/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
FORBIDDEN_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
                  "svg", "math", "base", "template", "noscript", "portal"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "background", "data",
                  "srcset", "xlink:href", "ping", "manifest", "icon"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
KEYWORDS_LINE = ("x<script>alert(1)</script>, javascript:alert(1), a&b, {{ 7*7 }}, "
                 "%3cscript%3e, onerror=alert(1)")


# --- a strict walker over HTML -----------------------------------------------------------------

@dataclass
class Node:
    """An element with its attributes and children (text children are plain strings)."""

    tag: str
    attrs: dict[str, str | None]
    children: list = field(default_factory=list)

    def text(self) -> str:
        """Return the element's visible text."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, predicate) -> list["Node"]:
        """Return every element below (and including) this one that predicate accepts."""
        found = [self] if predicate(self) else []
        for child in self.children:
            if isinstance(child, Node):
                found += child.find_all(predicate)
        return found

    def by_class(self, name: str) -> list["Node"]:
        """Return the elements that have class name."""
        return self.find_all(lambda n: name in (n.attrs.get("class") or "").split())


class StrictWalker(html.parser.HTMLParser):
    """Parse HTML into Nodes, recording every problem a hostile input could cause."""

    def __init__(self, where: str, allowed_scripts: tuple[str, ...] = ()):
        super().__init__(convert_charrefs=True)
        self.where = where
        self.allowed_scripts = allowed_scripts
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}:{self.getpos()[0]}: {message}")

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problem(f"<{tag}> repeats an attribute: {names}")
        values = dict(attrs)
        if tag == "script":
            src = values.get("src") or ""
            if set(values) - {"src", "defer", "type"} or not src.startswith(self.allowed_scripts) \
                    or not self.allowed_scripts:
                self.problem(f"script not from the theme: {attrs}")
        elif tag in FORBIDDEN_TAGS:
            self.problem(f"forbidden element <{tag}> {attrs}")
        if tag == "meta" and "http-equiv" in values:
            self.problem(f"<meta http-equiv> {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction", "xlink:href"):
                self.problem(f"<{tag}> has attribute {name}={value!r}")
            if name in URL_ATTRIBUTES and value is not None:
                squeezed = "".join(c for c in value if c > " ").lower()
                if squeezed.startswith(BAD_SCHEMES):
                    self.problem(f"<{tag} {name}={value!r}>")
        node = Node(tag, values)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if len(self.stack) == 1 or self.stack[-1].tag != tag:
            self.problem(f"</{tag}> does not close <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack[-1].tag == "script" and data.strip():
            self.problem(f"inline script text {data[:80]!r}")
        self.stack[-1].children.append(data)

    def handle_comment(self, data):
        self.problem(f"comment in output: {data[:80]!r}")

    def handle_pi(self, data):
        self.problem(f"processing instruction: {data[:80]!r}")

    def unknown_decl(self, data):
        self.problem(f"declaration: {data[:80]!r}")


def walk(markup: str, where: str, document: bool = False) -> tuple[Node, list[str]]:
    """Return (tree, problems) of an HTML page (document=True) or fragment."""
    walker = StrictWalker(where, (BASE + "static/", BASE + "searchindex/") if document else ())
    walker.feed(markup)
    walker.close()
    if len(walker.stack) != 1:
        walker.problem(f"unclosed elements: {[n.tag for n in walker.stack[1:]]}")
    return walker.root, walker.problems


# --- the site ------------------------------------------------------------------------------------

def raw_article_lines(i: int, payload: str) -> list[str]:
    """Return the lines of raw article i, every field carrying payload."""
    return [f"date 2022-{i % 12 + 1:02d}-{i % 28 + 1:02d} https://example.org/raw/{i}?q=<x>'",
            f"T{i} {payload}", f"L{i} {payload}", f"S{i} {payload}.", f"r{i}, {KEYWORDS_LINE}",
            f"BEIJING (Sputnik) - P{i} {payload}", f"Q{i} {payload}"]


def hand_entry(i: int) -> tuple[dict, str]:
    """Return (front matter, Markdown body) of hand-written entry i."""
    payload = TEXT[i % len(TEXT)]
    front = {
        "title": f"H{i} {payload}", "date": f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
        "slug": f"hand-{i}", "lead": f"HL{i} {payload}", "summary": f"HS{i} {payload}",
        "tags": [f"h{i} {payload}", "shared <script>alert(1)</script>"],
        "source": {"name": f"N{i} {payload}",
                   "url": f"https://example.org/h/{i}?q=\"><script>alert(1)</script>&x='y'"},
        "dateline": f"D{i} {payload}",
        f"unknown {payload}": payload, "params": {"nested": [payload, {"deeper": payload}]},
    }
    # The visible paragraph comes first: the sanitiser drops an unclosed <script>'s content up
    # to the end, e.g. after '<http://example.org/?q=<script>>' (a note for the README).
    body = f"Visible words h{i}, still here.\n\n{MARKDOWN[i % len(MARKDOWN)]}"
    return front, body


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Build the hostile site once through the CLI; return the site folder."""
    site = tmp_path_factory.mktemp("xss-site")
    (site / "sitegen.yaml").write_text(yaml.safe_dump({
        "title": SITE_TITLE, "description": "Desc </script><svg onload=alert(1)> \u2028",
        "base_url": SITE_URL, "author": "A <b>uthor</b>\" onload=\"x"}), encoding="utf-8")
    (site / "seeds").mkdir()
    for i, payload in enumerate(TEXT):
        (site / "seeds" / f"{i:02d}.txt").write_text("\n".join(raw_article_lines(i, payload)),
                                                    encoding="utf-8")
    for i in range(max(len(TEXT), len(MARKDOWN))):
        front, body = hand_entry(i)
        path = site / "content" / "hand" / f"hand-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n"
        path.write_text(text + body + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return site


def output_files(site: Path) -> list[Path]:
    """Return every file of the built site but the theme's own static files and the search
    index (JSON of plain text, which the search page escapes)."""
    public = site / "public"
    return sorted(p for p in public.rglob("*") if p.is_file()
                  and p.relative_to(public).parts[0] not in ("static", "searchindex"))


def test_every_html_page_is_free_of_content_script_and_well_formed(built):
    pages = [p for p in output_files(built) if p.suffix == ".html"]
    assert len(pages) > 100
    problems = []
    for page in pages:
        _, found = walk(page.read_text(encoding="utf-8"), str(page.relative_to(built)), True)
        problems += found
    assert not problems, "\n".join(problems[:40])


def entry_pages(site: Path) -> dict[str, Node]:
    """Return h1 text -> parsed tree of every entry page."""
    pages = {}
    for page in (site / "public").rglob("index.html"):
        tree, _ = walk(page.read_text(encoding="utf-8"), str(page), True)
        if tree.find_all(lambda n: n.tag == "body" and "page-entry" in n.attrs.get("class", "")):
            [heading] = tree.find_all(lambda n: n.tag == "h1")
            pages[heading.text()] = tree
    return pages


def single_text(tree: Node, css_class: str) -> str:
    """Return the text of the one element with css_class."""
    [node] = tree.by_class(css_class)
    return node.text().strip()


def test_imported_articles_read_exactly_as_written(built):
    pages = entry_pages(built)
    for i, payload in enumerate(TEXT):
        article = parse_raw_article(raw_article_lines(i, payload), "x.txt")
        assert article.keywords and article.summary and article.dateline == "BEIJING"
        if not any(c in payload for c in "\u2028\u2029"):      # documented: those become spaces
            assert article.title == f"T{i} {payload}"
        page = pages.get(article.title)
        assert page is not None, f"no entry page shows the title {article.title!r}"
        assert single_text(page, "entry-lead") == article.lead
        [body] = page.by_class("entry-body")
        assert [p.text() for p in body.find_all(lambda n: n.tag == "p")] == list(article.paragraphs)
        [tags] = page.by_class("tags")
        assert [li.text().strip() for li in tags.find_all(lambda n: n.tag == "li")] == list(
            article.keywords)
        [source] = page.by_class("source")
        [link] = source.find_all(lambda n: n.tag == "a")
        assert link.attrs["href"] == article.url
        assert single_text(page, "dateline") == "BEIJING"


def test_hand_written_entries_read_exactly_as_written(built):
    pages = entry_pages(built)
    for i in range(max(len(TEXT), len(MARKDOWN))):
        front, _ = hand_entry(i)
        page = pages.get(front["title"])
        assert page is not None, f"no entry page shows the title {front['title']!r}"
        assert single_text(page, "entry-lead") == front["lead"]
        assert single_text(page, "dateline") == front["dateline"]
        [tags] = page.by_class("tags")
        assert [li.text().strip() for li in tags.find_all(lambda n: n.tag == "li")] == [
            " ".join(tag.split()) for tag in front["tags"]]     # tags: white space made single
        [source] = page.by_class("source")
        [link] = source.find_all(lambda n: n.tag == "a")
        assert (link.text(), link.attrs["href"]) == (front["source"]["name"], front["source"]["url"])
        assert f"Visible words h{i}, still here." in single_text(page, "entry-body")
        title = page.find_all(lambda n: n.tag == "title")[0].text()
        assert title == f"{front['title']} · {SITE_TITLE}"


def test_jinja_syntax_in_content_is_shown_not_evaluated(built):
    pages = entry_pages(built)
    jinja = [t for t in pages if "{{ 7*7 }}" in t]
    assert len(jinja) >= 2
    for title in jinja:
        assert "49" not in single_text(pages[title], "entry-body").replace("h49", "")
    [body] = pages[f"H{MARKDOWN.index('{{ 7*7 }} and {% raw %}x{% endraw %}')} "
                   f"{TEXT[MARKDOWN.index('{{ 7*7 }} and {% raw %}x{% endraw %}') % len(TEXT)]}"
                   ].by_class("entry-body")
    assert "{{ 7*7 }} and {% raw %}x{% endraw %}" in body.text()


def country_feed_titles(feed):
    """Return the title a country's or a relation's feed has, by its folder: 'Site: China',
    'Site: China – Russia'."""
    from site_builder.core.countrydata import english_names
    kind, name = feed.parent.parent.name, feed.parent.name.upper()
    if kind == "countries":
        return (f"{SITE_TITLE}: {english_names()[name]}",)
    if kind == "relations":
        a, b = name.split("-")
        return (f"{SITE_TITLE}: {english_names()[a]} – {english_names()[b]}",)
    return ()


def test_atom_feeds_are_well_formed_and_their_html_is_inert(built):
    feeds = [p for p in output_files(built) if p.name == "feed.xml"]
    assert len(feeds) > 10
    titles = set(entry_pages(built))
    problems = []
    for feed in feeds:
        root = ET.fromstring(feed.read_bytes())
        assert root.tag == f"{ATOM}feed"
        assert root.findtext(f"{ATOM}title") in (SITE_TITLE, *(
            f"{SITE_TITLE}: {t.attrib.get('term')}" for t in root.iter(f"{ATOM}category")),
            *country_feed_titles(feed))
        for entry in root.iter(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}title") in titles
            for link in entry.iter(f"{ATOM}link"):
                assert link.attrib["href"].startswith(("https://example.org/", "http"))
                assert not link.attrib["href"].lower().startswith(BAD_SCHEMES)
            content = entry.find(f"{ATOM}content")
            if content is not None:
                assert content.attrib["type"] == "html"
                problems += walk(content.text or "", str(feed))[1]
    assert not problems, "\n".join(problems[:40])


def test_timeline_json_is_inert_inside_a_script_and_its_html_is_safe(built):
    data = (built / "public" / "timeline.json").read_bytes()
    assert b"<" not in data and b"\xe2\x80\xa8" not in data and b"\xe2\x80\xa9" not in data
    timeline = json.loads(data)
    titles = set(entry_pages(built))
    problems = []
    for event in timeline["events"]:
        tree, found = walk(event["text"]["headline"], "timeline.json headline")
        problems += found + walk(event["text"]["text"], "timeline.json text")[1]
        assert tree.text() in titles
        if "group" in event:        # TimelineJS takes the group's text and uses it as HTML again
            once = walk(event["group"], "group")[0].text()
            again, found = walk(once, "group, read twice")
            problems += found
            assert not again.find_all(lambda n: n.tag != "#root"), once
    assert not problems, "\n".join(problems[:40])


def test_sitemaps_list_only_site_urls(built):
    sitemaps = [p for p in output_files(built) if p.name.startswith("sitemap")]
    assert sitemaps
    for sitemap in sitemaps:
        root = ET.fromstring(sitemap.read_bytes())
        locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
        assert locs and all(loc.startswith(SITE_URL) for loc in locs)


def test_every_output_file_was_checked(built):
    """Every file is HTML, XML, JSON or a known plain file: nothing escaped the checks above."""
    kinds = {p.suffix for p in output_files(built)}
    assert kinds <= {".html", ".xml", ".json", ".txt", ""}, kinds
    for path in output_files(built):
        if path.suffix == ".json":          # e.g. filter.json, read by filter.js as data
            json.loads(path.read_bytes())
    for path in output_files(built):
        if path.suffix in ("", ".txt"):
            assert path.name in (".nojekyll", "robots.txt", ".sitegen-output"), path


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", " vbscript:x",
                                 "//evil.example/x"])
def test_a_source_url_that_is_not_http_is_a_located_error(url):
    text = "---\ntitle: T\ndate: 2022-12-31\nsource:\n  name: N\n  url: " + json.dumps(url) + "\n---\n"
    with pytest.raises(SourceError) as caught:
        parse_entry(text, "content/x.md", tz=__import__("datetime").timezone.utc)
    assert caught.value.format().startswith("content/x.md:4: source URL")


def test_the_html_checker_itself_catches_what_it_should():
    """A checker that never fails would prove nothing: feed it each kind of problem."""
    bad = ["<script>alert(1)</script>", '<script src="/evil.js"></script>',
           '<img src=x onerror="alert(1)">', '<a href=" jav&#x09;ascript:alert(1)">x</a>',
           '<img src="data:image/svg+xml,x">', "<svg></svg>", "<iframe></iframe>",
           '<meta http-equiv="refresh" content="0">', "<p><b>x</p></b>", "<!-- x -->",
           "<style></style>", '<a href="x" href="y">x</a>', "<div>"]
    for markup in bad:
        assert walk(markup, "t", document=True)[1], markup
    assert not walk(f'<p class="x">a &lt;script&gt; <a href="{BASE}x">y</a></p>'
                    f'<script src="{BASE}static/filter.1234567890.js"></script>', "t", True)[1]
    assert html.unescape("&lt;") == "<"


def test_the_theme_scripts_never_turn_data_into_markup():
    """Data files such as filter.json carry tag names and titles with raw '<': the theme's
    scripts must put them in the page as text (textContent), never as HTML."""
    sinks = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
             "new Function")
    for script in (REPO / "templates" / "static").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        assert not [sink for sink in sinks if sink in code], script.name
