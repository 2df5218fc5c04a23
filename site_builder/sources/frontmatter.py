"""Split and write entry files: YAML front matter between '---' lines, then a Markdown body."""

from __future__ import annotations

import functools
import re
from typing import Any, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.errors import SourceError
from ..core.yamltext import EntryDumper, parse_yaml

_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))


def split_front_matter(text: str, path: str, front_matter: Mapping[str, Any] | None = None
                       ) -> tuple[dict[str, Any], str, int]:
    """Return (front matter mapping, Markdown body, line number where the body starts).

    front_matter, when given, is the mapping the YAML holds (dump_entry's, which loads back
    equal), spared a second parse."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise SourceError(path, 1, "no front matter", "an entry must start with a line '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            closing = index
            break
    else:
        raise SourceError(path, 1, "front matter is never closed",
                          "did you forget the '---' line after it?")
    yaml_text = "\n".join(lines[1:closing])
    data = parse_yaml(yaml_text, path, first_line=2) if front_matter is None else dict(front_matter)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(path, 2, "front matter must be a mapping of keys to values",
                          "e.g. title: Some title")
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        raise SourceError(path, 2, f"front matter key {bad_keys[0]!r} is not a string")
    body = "\n".join(lines[closing + 1:])
    return data, body, closing + 2


def dump_entry(front_matter: Mapping[str, Any], body: str) -> str:
    """Return the text of an entry file: front matter in the given key order, then the body."""
    data = dict(front_matter)
    yaml_text = _plain_yaml(data)   # most imported entries: no emitter needed at all
    if yaml_text is None:
        node = _text_node(data)
        if node is None:
            yaml_text = yaml.dump(data, Dumper=EntryDumper, sort_keys=False, allow_unicode=True,
                                  default_flow_style=False, width=10_000)
        else:   # the same text, without the representer's pure-Python walk
            yaml_text = yaml.serialize(node, Dumper=EntryDumper, allow_unicode=True,
                                       width=10_000)
    body = body.strip("\n")
    return f"---\n{yaml_text}---\n" + (f"\n{body}\n" if body else "")


def _plain_yaml(data: dict) -> str | None:
    """Return the block YAML yaml.dump writes of a mapping of text, lists of text and
    mappings of text, when its keys are written as they are and its values too or in single
    quotes, else None."""
    lines = []
    for key, value in data.items():
        if type(key) is not str or _scalar(key) != key:
            return None
        if type(value) is str:
            text = _scalar(value)
            if text is None:
                return None
            lines.append(f"{key}: {text}\n")
        elif type(value) is list:
            items = [_scalar(item) if type(item) is str else None for item in value]
            if None in items:
                return None
            lines.append(f"{key}:\n" + "".join(f"- {item}\n" for item in items) if items
                         else f"{key}: []\n")
        elif type(value) is dict and value:
            pairs = [(name, _scalar(item)) for name, item in value.items()
                     if type(name) is str and _scalar(name) == name and type(item) is str]
            if len(pairs) < len(value) or any(item is None for _, item in pairs):
                return None
            lines.append(f"{key}:\n" + "".join(f"  {name}: {item}\n" for name, item in pairs))
        else:
            return None
    return "".join(lines) or None   # {} is written '{}'


# Text the emitter writes plain in block context: a letter or digit first, then letters, digits,
# spaces and punctuation that are no indicator there (': ' and ' #' are; ':' at the end too),
# not ending in a space; short enough never to be folded at the line width.
_PLAIN = re.compile(r"[^\W_][\w ,.'\"()/?!;&%$+=~:#-]{0,999}")
# Text it writes in single quotes when not plain: printable ASCII, letters and digits, one line.
_QUOTABLE = re.compile(r"[\w\x20-\x7e]{0,1000}")
# What makes text not plain for certain: an indicator first, a space at either end, ': ' or
# ' #' inside, ':' last.
_MUST_QUOTE = re.compile(r"^[ #,\[\]{}&*!|>'\"%@`]|^[-?:](?: |$)|: | #|[ :]$")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_RESOLVERS = EntryDumper.yaml_implicit_resolvers   # first character -> [(tag, pattern)]


def _scalar(text: str) -> str | None:
    """Return text as the emitter writes it in block context when plain or single-quoted,
    else None."""
    if not text.isascii() and _ASTRAL.search(text):
        return None   # libyaml escapes these in double quotes
    if _is_plain(text):
        return text
    if _QUOTABLE.fullmatch(text) and (not text or _MUST_QUOTE.search(text) or _resolved(text)):
        return "'" + text.replace("'", "''") + "'"
    return None   # the emitter decides


def _is_plain(text: str) -> bool:
    """Return whether the emitter writes text as it is: nothing to quote, and read back as text
    (not as true, null or a number: the resolvers of its first character say so)."""
    if _PLAIN.fullmatch(text) is None or ": " in text or " #" in text or text[-1] in " :":
        return False
    return not _resolved(text)


def _resolved(text: str) -> bool:
    """Return whether text, written plain, would be read back as something else than text."""
    return any(pattern.match(text) for pattern in _patterns(text[:1]))   # as Resolver.resolve does


@functools.cache
def _patterns(first: str) -> tuple[re.Pattern, ...]:
    """Return the patterns of the implicit resolvers of text starting with first (none for
    most letters)."""
    return tuple(pattern for _, pattern in [*_RESOLVERS.get(first, ()), *_RESOLVERS.get(None, ())])


def _text_node(value: Any) -> Node | None:
    """Return the node yaml.dump makes of value (block style, keys in order) when it is text
    or lists and mappings of text, else None."""
    if type(value) is str:
        return ScalarNode(_STR, value)
    if type(value) is list:
        items = [_text_node(item) for item in value]
        return None if None in items else SequenceNode(_SEQ, items, flow_style=False)
    if type(value) is dict:
        pairs = [(_text_node(key), _text_node(item)) for key, item in value.items()]
        if any(key is None or item is None for key, item in pairs):
            return None
        return MappingNode(_MAP, pairs, flow_style=False)
    return None
