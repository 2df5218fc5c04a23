"""How the importer wrote bodies before `markup: text`: plain text escaped as Markdown.

Entries imported that way (no `markup` key) must keep rendering exactly as before, and a
`markup: text` body must give the same HTML as its old escaped form: tests hold both to that.
"""

from __future__ import annotations

import re

_INLINE_SPECIAL_RE = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])"             # a backslash that would escape the next character
    r"|[`*\[<]"                           # code, emphasis, links and images, raw HTML
    r"|&(?=#|[A-Za-z0-9]+;)"              # an ampersand that may start an entity ('&#65' does)
    r"|(?<![^\W_])_|_(?![^\W_])"          # an underscore not between two letters or digits
)
_INLINE_ESCAPES = {
    "\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "<": "&lt;", "&": "&amp;", "_": "\\_",
}
_ORDERED_ITEM_RE = re.compile(r"\d+\.(?=\s|$)")


def escape_markdown(paragraph: str) -> str:
    """Return one line of plain text as Markdown that renders as exactly that text."""
    head, rest = _escape_line_start(paragraph)
    return head + _INLINE_SPECIAL_RE.sub(lambda m: _INLINE_ESCAPES[m.group()[0]], rest)


def _escape_line_start(text: str) -> tuple[str, str]:
    """Return (escaped opening, rest) so the line cannot start a list, heading, quote or fence."""
    ordered = _ORDERED_ITEM_RE.match(text)
    if ordered:
        return text[:ordered.end() - 1] + "\\.", text[ordered.end():]
    first, second = text[:1], text[1:2]
    if first in ("#", ">") and first:
        return "\\" + first, text[1:]
    if first in ("-", "+") and first and second in ("", " ", "-", "+"):
        return "\\" + first, text[1:]
    if text.startswith("~~~"):
        return "&#126;", text[1:]
    if first == ":" and second == " ":
        return "&#58;", text[1:]
    return "", text
