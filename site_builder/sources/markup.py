"""Entry bodies to HTML that is safe to publish: Markdown (raw HTML sanitised) or plain text."""

from __future__ import annotations

import functools
import html
import re

import nh3

MARKUPS = ("markdown", "text")  # the values of an entry's `markup` key; the first is the default
# Limits on what the Markdown parser is given (README, "Entries: the front matter"). Its inline
# processing is quadratic in a paragraph's length: 50,000 characters of `*a*` take 2.5 s,
# 20,000 about 0.4 s. It reads from each '[' to its ']' (to the paragraph's end when there is
# none), three times: 5,000 unclosed '[' take 2.5 s. Its block parser recurses per level of
# nesting (a RecursionError near 250 levels), and nh3 slows down past thousands of open tags.
MAX_MARKDOWN_PARAGRAPH = 20_000   # characters in a paragraph that holds Markdown or HTML
MAX_BRACKET_SCAN = 2_000_000      # characters read from each '[' to its ']', summed per paragraph
MAX_NESTING = 50                  # levels of lists and quotes, and of open HTML elements

_EXTENSIONS = ["extra", "sane_lists"]
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "title", "lang"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}
# A paragraph of plain prose: it starts with a letter, digit or quote that cannot open a block
# (a list, heading, quote, table, definition), holds no character Markdown or HTML give a meaning
# to, and does not end in the two spaces of a line break.
_PLAIN_PARAGRAPH = re.compile(
    r"(?![0-9]+[.)])[\w\"'\u2018-\u201f(][^\\`*_\[\]<>&{}\t\r\x00-\x08\x0b-\x1f\x7f\xa0]*(?<! )",
)
# Simple Markdown inside a paragraph, heading, bullet or quote line (see simple_markdown): `*x*`,
# `**x**` and `[x](url)` around text of plain characters that neither starts nor ends with a
# space, between spaces, quotes, brackets or punctuation; a link's URL is http(s) of safe characters.
_SPAN_TEXT = r"[^\s\\`*_\[\]<>&{}\x00-\x1f\x7f\xa0](?:[^\\`*_\[\]<>&{}\x00-\x1f\x7f\xa0]*" \
             r"[^\s\\`*_\[\]<>&{}\x00-\x1f\x7f\xa0])?"
_SPAN = re.compile(
    rf"(?<![^\s\"'(\u2018-\u201f])(?:\*\*(?P<strong>{_SPAN_TEXT})\*\*|\*(?P<em>{_SPAN_TEXT})\*"
    rf"|\[(?P<text>{_SPAN_TEXT})\]\((?P<url>https?://[A-Za-z0-9._~/?#=%+-]+)\))"
    r"(?![^\s.,;:!?)\"'\u2018-\u201f])")
_SIMPLE_BLOCK = re.compile(r"(?P<heading>#{1,6} )?(?P<text>.*)")
_PARAGRAPH_BREAK = re.compile(r"\n[ ]*\n")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")   # in a plain text body, a line of tabs is blank too
_INLINE_MARKUP = re.compile(r"[\\`*_\[<&]")
_BRACKET_OR_ESCAPE = re.compile(r"\\.|[\[\]]", re.DOTALL)
# Markers that open a level of nesting at a line's start: a quote, a bullet, a numbered item.
_NESTING_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$))")
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Elements that never hold others (void), or whose end tag HTML lets the next one imply.
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr param keygen "
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup rb rt rtc rp".split())


class MarkupError(ValueError):
    """A body the renderer refuses; line is the 0-based line within the body it was found on."""

    def __init__(self, line: int, message: str, hint: str):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def render_body(text: str, markup: str = "markdown") -> str:
    """Return safe HTML for an entry body written in markup (one of MARKUPS)."""
    return render_text(text) if markup == "text" else render_markdown(text)


def render_text(text: str) -> str:
    """Return plain text as HTML that shows it literally: one <p> per blank-line-separated
    paragraph, in linear time. Gives the same HTML as the old importer's escaped Markdown."""
    paragraphs = (p.strip() for p in _BLANK_LINE.split(text))
    return "\n".join(f"<p>{_escape_text(p)}</p>" for p in paragraphs if p)


def _escape_text(text: str) -> str:
    """Return text escaped for HTML the way nh3 writes text: <, >, & and no-break spaces."""
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;")


def plain_paragraphs(text: str) -> list[str] | None:
    """Return text's paragraphs when all are plain prose (see _PLAIN_PARAGRAPH), else None."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text.strip("\n")) if p]
    for paragraph in paragraphs:
        if "\n" in paragraph or not _PLAIN_PARAGRAPH.fullmatch(paragraph):
            return None
    return paragraphs


def simple_markdown(text: str) -> str | None:
    """Return the HTML of a body whose blocks are all simple Markdown, else None: paragraphs,
    `#` headings, `- ` bullet lists and one-line `> ` quotes, each of plain prose with simple
    spans (_SPAN). The HTML is Python-Markdown's after sanitising, character for character (the
    property tests in tests/test_markup.py hold it to that)."""
    blocks = [b for b in _PARAGRAPH_BREAK.split(text.strip("\n")) if b]
    html_blocks, previous = [], ""
    for block in blocks:
        kind = "ul" if block.startswith("- ") else "blockquote" if block.startswith("> ") else "p"
        if kind == previous != "p":   # Markdown joins a list or quote to the next one
            return None
        lines = block.split("\n")
        if kind == "ul":
            items = [_simple_inline(line[2:]) if line.startswith("- ") else None for line in lines]
            if None in items:
                return None
            html_blocks.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>")
        elif len(lines) > 1:
            return None
        elif kind == "blockquote":
            inline = _simple_inline(block[2:])
            if inline is None:
                return None
            html_blocks.append(f"<blockquote>\n<p>{inline}</p>\n</blockquote>")
        else:
            heading, content = _SIMPLE_BLOCK.fullmatch(block).group("heading", "text")
            inline = _simple_inline(content)
            if inline is None or (heading and content.endswith("#")):
                return None
            tag = f"h{len(heading) - 1}" if heading else "p"
            html_blocks.append(f"<{tag}>{inline}</{tag}>")
        previous = kind
    return "\n".join(html_blocks)


def _simple_inline(text: str) -> str | None:
    """Return the HTML of one line of plain prose with simple spans, or None if it is not one."""
    if not _PLAIN_PARAGRAPH.fullmatch(_SPAN.sub("x", text)):
        return None
    return _SPAN.sub(_span_html, text)


def _span_html(span: re.Match) -> str:
    """Return the sanitised HTML of one simple span: emphasis, strong emphasis or a link."""
    if span["strong"]:
        return f"<strong>{span['strong']}</strong>"
    if span["em"]:
        return f"<em>{span['em']}</em>"
    return f'<a href="{span["url"]}" rel="noopener noreferrer">{span["text"]}</a>'


def render_markdown(text: str) -> str:
    """Return sanitised HTML for Markdown text: no scripts, handlers or javascript: URLs.

    Plain prose, which is what imported articles are, skips the Markdown parser: wrapping each
    paragraph in <p> gives the same HTML in a fraction of the time. Anything else is checked
    against the limits above first (MarkupError), so that no body takes more than about a second.
    """
    paragraphs = plain_paragraphs(text)
    if paragraphs is not None:
        return "\n".join(f"<p>{p}</p>" for p in paragraphs)
    simple = simple_markdown(text)
    if simple is not None:
        return simple
    check_markdown_limits(text)
    return sanitize_html(_markdown_parser().reset().convert(text))


@functools.cache
def _markdown_parser():
    """Return this process's Markdown parser, made once: setting up its extensions costs a fifth
    of a body's parse, and reset() clears all a document leaves behind (references, footnotes,
    abbreviations)."""
    import markdown   # here, not above: a build that parses only plain prose never loads it

    return markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


def check_markdown_limits(text: str) -> None:
    """Raise MarkupError at the first paragraph or line past a limit; return None if none is."""
    line = 0
    for block in _PARAGRAPH_BREAK.split(text):
        _check_paragraph(block, line)
        line += block.count("\n") + 2
    _check_block_nesting(text)
    _check_html_nesting(text)


def _check_paragraph(block: str, line: int) -> None:
    """Raise MarkupError if a paragraph (starting on line) is too costly for the parser."""
    line += block[:len(block) - len(block.lstrip())].count("\n")  # its first line with text
    block = block.strip()
    if len(block) > MAX_MARKDOWN_PARAGRAPH and _INLINE_MARKUP.search(block):
        raise MarkupError(line, f"this paragraph holds Markdown or HTML and is {len(block):,} "
                          f"characters long, over the limit of {MAX_MARKDOWN_PARAGRAPH:,}",
                          "split it with blank lines, or set 'markup: text' to show the body "
                          "as plain text")
    if block.count("[") * len(block) > MAX_BRACKET_SCAN and \
            bracket_scan_length(block) > MAX_BRACKET_SCAN:
        raise MarkupError(line, "this paragraph has too many '[' without a ']', or nested too "
                          "deeply: Markdown reads on from each '[' to its ']', or to the "
                          f"paragraph's end, more than {MAX_BRACKET_SCAN:,} characters in all",
                          r"close them, write '\[' for a bracket that opens no link, or set "
                          "'markup: text'")


def bracket_scan_length(text: str) -> int:
    """Return how many characters Markdown's link pattern reads from each '[' to its ']' (or to
    the end when it has none), summed: a linear estimate of its quadratic work."""
    total, opened = 0, []
    for found in _BRACKET_OR_ESCAPE.finditer(text):
        if found.group() == "[":
            opened.append(found.start())
        elif found.group() == "]" and opened:
            total += found.start() - opened.pop()
    return total + sum(len(text) - index for index in opened)


def _check_block_nesting(text: str) -> None:
    """Raise MarkupError at the first line nested deeper than MAX_NESTING lists and quotes."""
    for number, line in enumerate(text.split("\n")):
        indent = line[:len(line) - len(line.lstrip(" \t"))].expandtabs(4)
        if len(indent) // 4 + _count_markers(line) > MAX_NESTING:
            raise MarkupError(number, f"lists or quotes are nested more than {MAX_NESTING} "
                              "levels deep", "nest them less")


def _count_markers(line: str) -> int:
    """Return how many quote, bullet or number markers open the line (up to MAX_NESTING + 1)."""
    count, position = 0, 0
    while count <= MAX_NESTING:
        marker = _NESTING_MARKER.match(line, position)
        if not marker:
            break
        count, position = count + 1, marker.end()
    return count


def _check_html_nesting(text: str) -> None:
    """Raise MarkupError at the first HTML tag that opens more than MAX_NESTING elements."""
    depth = 0
    for tag in _HTML_TAG.finditer(text):
        if tag.group(2).lower() in _NOT_NESTING:
            continue
        if tag.group(1):
            depth = max(depth - 1, 0)
            continue
        depth += 1
        if depth > MAX_NESTING:
            raise MarkupError(text.count("\n", 0, tag.start()), f"HTML elements are nested more "
                              f"than {MAX_NESTING} levels deep", "close them sooner")


def sanitize_html(html_text: str) -> str:
    """Return html with every element, attribute and URL scheme outside a safe list removed."""
    return nh3.clean(html_text, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     link_rel="noopener noreferrer")
