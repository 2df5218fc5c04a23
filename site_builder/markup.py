"""Markdown to HTML that is safe to publish: raw HTML in the source is sanitised."""

from __future__ import annotations

import markdown
import nh3

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


def render_markdown(text: str) -> str:
    """Return sanitised HTML for Markdown text: no scripts, handlers or javascript: URLs."""
    html = markdown.markdown(text, extensions=_EXTENSIONS, output_format="html")
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    """Return html with every element, attribute and URL scheme outside a safe list removed."""
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     link_rel="noopener noreferrer")
