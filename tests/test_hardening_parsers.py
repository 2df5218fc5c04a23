"""Hardening: the raw-article parser and entry loading are total, bounded and faithful.

Property tests (hypothesis) feed the parsers any text or bytes: random Unicode with control
characters, lone surrogates, NUL bytes, very long lines, CR / CRLF / LF / U+2028 line breaks,
missing lines, YAML built from hostile pieces (anchors and aliases, tags, deep nesting, huge
integers, odd dates and time zones). Each input must give a valid result or the project's own
SourceError naming the file (and the line, where there is one) -- never another exception, never
a hang: every input runs under a SIGALRM guard (a hang detector, not a speed test).

Generated inputs per run (hypothesis max_examples): raw text 500, raw bytes 300, entry text
500, entry bytes 200, valid articles round-tripped through import and load 150.
"""

from __future__ import annotations

import contextlib
import datetime
import html.parser
import signal
import subprocess
import sys
import tempfile
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from site_builder.sources.content import decode_entry, load_entry, parse_entry
from site_builder.core.errors import SourceError
from site_builder.sources.ingest import import_articles
from site_builder.model.records import Entry, RawArticle
from site_builder.sources.rawformat import (decode_raw, find_dateline, is_keywords_line,
                                    is_repeated_later, parse_raw_article, split_raw_lines)

REPO = Path(__file__).resolve().parent.parent
GUARD_SECONDS = 30          # far above any real parse: only a hang (or a quadratic blow-up) trips it
CONTINUATION = ".,;:!?)]}…»”"
ZONES = [datetime.timezone.utc, zoneinfo.ZoneInfo("Pacific/Kiritimati"),
         zoneinfo.ZoneInfo("Pacific/Pago_Pago"), zoneinfo.ZoneInfo("America/New_York")]


class Hang(Exception):
    """An input took longer than GUARD_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: int = GUARD_SECONDS):
    """Raise Hang in the block if it runs longer than seconds (SIGALRM, main thread)."""
    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_located(error: SourceError, path: str, line_count: int) -> None:
    """Check that a SourceError names the file and, when it gives one, a real line."""
    assert error.path == path
    assert error.line is None or 1 <= error.line <= line_count + 1, (error.line, line_count)
    text = error.format()
    assert text.startswith(f"{path}:") and error.message and "Traceback" not in text


# --- the raw-article parser: any text, any bytes ----------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())        # surrogates and controls too
HOSTILE_LINES = st.sampled_from([
    "date 2022-12-31 https://a.example/x", "DATE 2022-02-29 http://b.example/", "date",
    "date 2022-12-31", "date 2022-12-31 ftp://x", "date 2022-12-31 http://[::1 x",
    "date 99999-01-01 http://a/", "date 2022-13-01 https://a/", "\ufeffdate 2022-12-31 https://a/",
    "russia, china, xi jinping", "Russia, China", "a,,b,", ", , ,", "BEIJING (Sputnik) - x",
    "MOSCOW, December 31. /TASS/. x", ". continued", "…", "»", "\x00", "\x1b[31m", "\u2028",
    "\u202e<script>alert(1)</script>", "'\"><img src=x onerror=alert(1)>", "---", "title: x",
])
LONG_LINES = st.sampled_from([
    "x" * 200_000, ". " * 50_000, "word, " * 30_000, "BEIJING" + " " * 100_000 + "(AP) - x",
    "(" * 100_000, "A" * 59 + " - " + "b" * 100_000, "é" * 100_000, "a\u0301" * 50_000,
])
LINE = st.one_of(st.text(ANY_CHAR, max_size=120), HOSTILE_LINES, LONG_LINES)
BREAK = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\r\n", "\u2028", "\x85", "\x0c"])


@st.composite
def raw_texts(draw) -> str:
    """Return a raw file's text: hostile lines joined with a random mix of line breaks."""
    lines = draw(st.lists(LINE, max_size=14))
    if draw(st.booleans()):
        lines = ["date 2022-12-31 https://a.example/x"] + lines
    text = ""
    for line in lines:
        text += line + draw(BREAK)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")       # no final line break
    return ("\ufeff" if draw(st.booleans()) else "") + text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.data_too_large])
@given(raw_texts())
def test_raw_parser_is_total_and_bounded_on_500_generated_texts(text):
    data = text.encode("utf-8", "surrogatepass")    # lone surrogates make it invalid UTF-8
    line_count = len(split_raw_lines(data.decode("utf-8", "replace")))
    with time_limit():
        try:
            article = parse_raw_article(split_raw_lines(decode_raw(data, "seeds/x.txt")),
                                        "seeds/x.txt")
        except SourceError as error:
            assert_located(error, "seeds/x.txt", line_count)
            return
    assert isinstance(article, RawArticle)
    assert article.title and article.url.startswith(("http://", "https://"))
    for text_field in (article.title, article.lead, article.summary, article.dateline,
                       *article.keywords, *article.paragraphs):
        assert text_field == text_field.strip()
        assert not any(c in text_field for c in "\x00\r\n\u2028\u2029\x85")
    assert all(article.paragraphs) and all(article.keywords)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([b"", b"date 2022-12-31 https://a.example/\n",
                                                  b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_raw_decoding_and_parsing_is_total_on_300_generated_byte_strings(data, head):
    data = head + data
    with time_limit():
        try:
            parse_raw_article(split_raw_lines(decode_raw(data, "seeds/b.txt")), "seeds/b.txt")
        except SourceError as error:
            assert_located(error, "seeds/b.txt", data.count(b"\n") + data.count(b"\r") + 1)


# --- entry files: any text, any bytes ---------------------------------------------------------

YAML_VALUES = st.sampled_from([
    "x", "''", '""', "~", "null", "[]", "{}", "[a, b]", "{a: b}", "&a [x, x]", "*a", "*nope",
    "!!binary AAAA", "!!binary ***", "!!python/object:os.system ls", "!!timestamp 2020-13-45",
    "!!timestamp 0001-01-01 00:00:00 +05:00", "!!int " + "9" * 5000, "9" * 5000, "!!float x",
    "!!set {a, b}", "!!omap [a: 1]", ".inf", ".nan", "-0", "0x1F", "0o17", "1e999", "yes", "no",
    "2022-12-31", "2022-02-30", "0000-01-01", "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00", "2022-12-31T10:00:00+23:59", "2022-12-31T10:00:00+99:99",
    "2022-12-31 25:61", "'2022-12-31T10:00:00Z'", '"\\0\\x01\\ud800"', '"\\U0010FFFF"',
    "'http://[::1'", "{url: 'http://[::1'}", "{url: javascript:alert(1), name: x}",
    "{name: [x], url: 'https://a/'}", "'<script>alert(1)</script>'", "| \n  block\n  text",
    "> \n  folded", "[" * 40 + "]" * 40, "{a: " * 30 + "1" + "}" * 30, "- - - x", "? [a]",
    "'" + "a" * 10_000 + "'", "[" + ", ".join(["*a"] * 50) + "]",
])
YAML_KEYS = st.sampled_from(["title", "date", "slug", "lead", "summary", "tags", "source",
                             "dateline", "draft", "imported_from", "params", "<<", "? x", "~",
                             "'title'", "1", "[a]", "title\u202e"])


@st.composite
def entry_texts(draw) -> str:
    """Return an entry file's text: front matter from hostile YAML pieces, then any body."""
    lines = draw(st.lists(st.tuples(YAML_KEYS, st.one_of(YAML_VALUES, st.text(ANY_CHAR,
                                                                              max_size=30))),
                          max_size=8))
    front = "".join(f"{key}: {value}\n" for key, value in lines)
    if draw(st.booleans()):
        front = "title: A title\ndate: 2022-12-31\n" + front
    if draw(st.booleans()):       # a whole document of nested or aliased values
        depth = draw(st.integers(1, 3000))
        front += draw(st.sampled_from([f"x: {'[' * depth}{']' * depth}\n",
                                       f"x: {'{a: ' * depth}1{'}' * depth}\n",
                                       "".join(" " * i + f"k{i}:\n" for i in range(depth // 10))]))
    opening = draw(st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", "--- \n", "", "----\n"]))
    closing = draw(st.sampled_from(["---\n", "...\n", "---", "", "--- x\n"]))
    body = draw(st.one_of(st.text(ANY_CHAR, max_size=200), LONG_LINES))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return (opening + front + closing + body).replace("\n", newline)


def load_any(text_or_bytes: str | bytes, zone: datetime.tzinfo) -> Entry | SourceError:
    """Return the Entry the bytes (or text) of an entry file hold, or its SourceError."""
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else \
        text_or_bytes.encode("utf-8", "surrogatepass")
    try:
        return parse_entry(decode_entry(data, "content/x.md"), "content/x.md", tz=zone)
    except SourceError as error:
        return error


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.data_too_large])
@given(entry_texts(), st.sampled_from(ZONES))
def test_entry_loading_is_total_and_bounded_on_500_generated_entry_files(text, zone):
    with time_limit():
        result = load_any(text, zone)
    line_count = text.count("\n") + text.count("\r") + 1
    if isinstance(result, SourceError):
        assert_located(result, "content/x.md", line_count)
        return
    assert result.title and result.title == result.title.strip()
    assert result.instant.tzinfo is not None and 1 <= result.date.year <= 9999
    assert all(isinstance(tag, str) and tag for tag in result.tags)
    assert not result.source_url or result.source_url.lower().startswith(("http:", "https:"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1500), st.sampled_from([b"", b"---\ntitle: x\ndate: 2022-12-31\n",
                                                  b"---\n", b"\xef\xbb\xbf---\n"]))
def test_entry_loading_is_total_on_200_generated_byte_strings(data, head):
    data = head + data
    with time_limit():
        result = load_any(data, datetime.timezone.utc)
    if isinstance(result, SourceError):
        assert_located(result, "content/x.md", data.count(b"\n") + data.count(b"\r") + 1)


# --- regressions found by the tests above -------------------------------------------------------

LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))


@pytest.mark.parametrize("front, expected", [
    # astimezone() overflowed: OverflowError instead of a located error
    ("title: T\ndate: 0001-01-01T00:00:00+05:00",
     "content/x.md:3: date '0001-01-01T00:00:00+05:00' is out of the range of years 1 to 9999"),
    ("title: T\ndate: 9999-12-31T23:00:00-05:00",
     "content/x.md:3: date '9999-12-31T23:00:00-05:00' is out of the range"),
    # a 5,000-digit integer, an impossible explicit timestamp: ValueError from the constructors
    ("title: T\ndate: 2022-12-31\nlead: " + "9" * 5000,
     "content/x.md:2: invalid value in front matter: Exceeds the limit (4300 digits)"),
    ("title: T\ndate: !!timestamp 2022-13-45", "content/x.md:2: invalid value in front matter"),
    # an unclosed IPv6 host: ValueError from urlsplit
    ("title: T\ndate: 2022-12-31\nsource: 'http://[::1'",
     "content/x.md:4: source URL 'http://[::1' is not an http(s) URL"),
    # billion laughs: repr() of the expanded front matter never finished; a loop
    ("title: T\ndate: 2022-12-31\n" + LAUGHS,
     "content/x.md:2: front matter uses YAML aliases (*name) that expand to more than 100,000"),
    ("title: T\ndate: 2022-12-31\nloop: &x [*x]", "content/x.md:2: front matter uses YAML aliases"),
], ids=["year-0", "year-10000", "bigint", "timestamp", "ipv6", "billion-laughs", "alias-loop"])
def test_hostile_front_matter_is_a_located_error(front, expected):
    with time_limit():
        result = load_any(f"---\n{front}\n---\nBody.\n", datetime.timezone.utc)
    assert isinstance(result, SourceError)
    assert expected in result.format()


def test_aliases_that_stay_small_are_still_fine():
    text = "---\ntitle: T\ndate: 2022-12-31\ntags: &t [russia, china]\nmore: *t\n---\n"
    entry = load_any(text, datetime.timezone.utc)
    assert isinstance(entry, Entry) and entry.tags == ("russia", "china")


@pytest.mark.parametrize("nesting", ["[" * 60_000 + "]" * 60_000,
                                     "{a: " * 40_000 + "1" + "}" * 40_000,
                                     "\n" + "- " * 60_000 + "x"],
                         ids=["flow-sequences", "flow-mappings", "block-sequences"])
def test_deeply_nested_front_matter_is_an_error_not_a_crash(nesting, tmp_path):
    """libyaml's C loader crashed the process (SIGSEGV) near 30,000 levels; in a forked build
    worker that hung the whole build. Run in a subprocess so a regression cannot kill pytest."""
    entry = tmp_path / "deep.md"
    entry.write_text(f"---\ntitle: T\ndate: 2022-12-31\nx: {nesting}\n---\n", encoding="utf-8")
    code = ("import sys, datetime; from pathlib import Path; "
            "from site_builder.sources.content import try_load_entry; "
            "print(try_load_entry(Path(sys.argv[1]), Path(sys.argv[2]), datetime.timezone.utc))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(entry)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("deep.md:2: front matter is nested too deeply"), done.stdout


def test_a_build_reports_every_hostile_entry_in_one_line_each(tmp_path):
    """Through the real CLI: no traceback, exit code 1, one `path:line: message` per file."""
    site = tmp_path / "site"
    fronts = {
        "overflow": "title: T\ndate: 0001-01-01T00:00:00+05:00",
        "bigint": "title: T\ndate: 2022-12-31\nlead: " + "9" * 5000,
        "ipv6": "title: T\ndate: 2022-12-31\nsource: 'http://[::1'",
        "laughs": "title: T\ndate: 2022-12-31\n" + LAUGHS.rstrip("\n"),
        "deep": "title: T\ndate: 2022-12-31\nx: " + "[" * 40_000 + "]" * 40_000,
        "binary": "title: !!binary AAAA\ndate: 2022-12-31",
    }
    for name, front in fronts.items():
        path = site / "content" / "2022" / "12" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\nBody.\n", encoding="utf-8")
    path.with_name("nul.md").write_bytes(b"---\ntitle: T\x00\n---\n")
    path.with_name("latin1.md").write_bytes("---\ntitle: café\ndate: 2022-12-31\n---\n".encode("latin-1"))
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(site)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    problems = [line for line in done.stderr.splitlines() if line.startswith("content/")]
    assert sorted(line.split(":")[0] for line in problems) == sorted(
        f"content/2022/12/{name}.md" for name in [*fronts, "nul", "latin1"])
    assert not (site / "public").exists()


# --- round trip: any valid article comes back field for field -----------------------------------

# Visible characters, hostile ones included; no controls, separators, surrogates or BOM (the
# parser documents that it drops or replaces those), and no pilcrow (used as a marker below).
TEXT_CHAR = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"),
                          exclude_characters="\ufeff¶")
HOSTILE_PIECES = st.sampled_from([
    "<script>alert(1)</script>", "</script><script>", "<img src=x onerror=alert(1)>", "*", "**",
    "_", "__", "`", "```", "[", "](javascript:alert(1))", "[x](data:text/html,hi)", "\\", "\\*",
    "&amp;", "&#65;", "&#65", "&copy;", "&", "<", ">", "# ", "> ", "- ", "+ ", "1986. ", "~~~",
    ": ", "{{ 7*7 }}", "{% raw %}", "{: onclick=x}", "| a | b |", "    ", "\"", "'", "\u202e",
    "<!--", "-->", "<svg onload=alert(1)>", "javascript:alert(1)", "%3Cscript%3E", "::", "¡", "ℌ",
    "\u0301", "🇺🇦", "Ω",
])


def _one_line(text: str) -> str:
    """Return text with runs of white space made single spaces, trimmed."""
    return " ".join(text.split())


FREE_TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(TEXT_CHAR, min_size=1, max_size=12)),
                     min_size=1, max_size=8).map("".join).map(_one_line).filter(
    lambda t: t and t[0] not in CONTINUATION)
# A keyword reads as one by itself: not a clause word of prose ('if', 'was'), which the format
# takes for a body line.
KEYWORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzàéøßжя0123456789-"),
                  min_size=1, max_size=12).filter(lambda k: k[0] not in "-" and is_keywords_line(k))
DATELINES = ["BEIJING (Sputnik) - ", "MOSCOW, March 21 (Sputnik) - ", "WASHINGTON (AP) — ",
             "МОСКВА, 21 марта (РИА Новости) - "]


@st.composite
def valid_articles(draw) -> dict:
    """Return the fields of a valid raw article and its text, laid out as the format wants."""
    day = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)))
    url = draw(st.sampled_from(["https://sputniknews.com/", "http://www.example-news.co.uk/",
                                "https://tass.com/a/b?c=d&e=<f>#g", "https://127.0.0.1:8080/"]))
    url += draw(st.text(st.sampled_from("abc123-_~%.<>'\"&;="), max_size=20))
    title = draw(FREE_TEXT)
    lead = draw(FREE_TEXT)
    keywords = draw(st.lists(KEYWORD, max_size=6, unique_by=str.casefold))
    dateline = draw(st.sampled_from(["", *DATELINES]))
    summary = draw(FREE_TEXT) if keywords or dateline else ""
    if summary and draw(st.booleans()):
        summary = ""
    if summary:
        summary = summary.rstrip(".…") + "."     # a sentence: never a keywords line
        assume(summary[0] not in CONTINUATION)
        assume(not is_keywords_line(summary) and not find_dateline(summary))
    paragraphs = draw(st.lists(FREE_TEXT, min_size=0 if keywords else 1, max_size=5))
    paragraphs = [p.rstrip(".…") + "." for p in paragraphs]   # sentences, as articles have
    assume(all(p[0] not in CONTINUATION for p in paragraphs))
    if dateline:
        paragraphs = [dateline + (paragraphs[0] if paragraphs else "Text.")] + paragraphs[1:]
    elif paragraphs:
        assume(not find_dateline(paragraphs[0]))
    if not keywords and not summary and paragraphs:
        assume(not is_repeated_later(paragraphs[0], paragraphs[1:]))
    lines = [f"date {day.isoformat()} {url}", title, lead]
    lines += [summary] if summary else []
    lines += [", ".join(keywords)] if keywords else []
    lines += paragraphs
    breaks = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    text = ("\ufeff" if draw(st.booleans()) else "") + breaks.join(lines) + draw(
        st.sampled_from(["", breaks, "\n\n\n"]))
    return {"text": text, "date": day, "url": url, "title": title, "lead": lead,
            "summary": summary, "keywords": keywords,
            "dateline": dateline.split(",")[0].split(" (")[0] if dateline else "",
            "paragraphs": paragraphs}


class _Text(html.parser.HTMLParser):
    """Collect the visible text of each <p> of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.tags: list[str] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "p":
            self.paragraphs.append("")
            self.inside = True

    def handle_endtag(self, tag):
        if tag == "p":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.paragraphs[-1] += data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.filter_too_much])
@given(valid_articles(), st.sampled_from(ZONES))
def test_150_generated_valid_articles_round_trip_through_import_and_load(article, zone):
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "seeds").mkdir()
        (site / "seeds" / "a.txt").write_bytes(article["text"].encode("utf-8"))
        with time_limit():
            report = import_articles([site / "seeds"], site)
            assert not report.errors, report.errors
            [relpath] = report.written
            entry = load_entry(site, site / relpath, zone)
    assert entry.title == article["title"]
    assert entry.date == article["date"] and entry.instant.date() == article["date"]
    assert entry.lead == article["lead"]
    assert entry.summary == article["summary"]
    assert list(entry.tags) == article["keywords"]
    assert entry.source_url == article["url"]
    assert entry.dateline == article["dateline"]
    assert entry.params["imported_from"] == "seeds/a.txt"
    assert relpath.startswith(f"content/{article['date']:%Y/%m}/{entry.slug}")
    parsed = _Text()
    parsed.feed(entry.body_html)
    parsed.close()
    assert parsed.paragraphs == article["paragraphs"]
    assert set(parsed.tags) <= {"p"}, entry.body_html     # no markup came from the text
