"""Split and write entry files: YAML front matter between '---' lines, then a Markdown body."""

from __future__ import annotations

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
    node = _text_node(data)
    if node is None:
        yaml_text = yaml.dump(data, Dumper=EntryDumper, sort_keys=False, allow_unicode=True,
                              default_flow_style=False, width=10_000)
    else:   # the same text, without the representer's pure-Python walk (a third of an import)
        yaml_text = yaml.serialize(node, Dumper=EntryDumper, allow_unicode=True, width=10_000)
    body = body.strip("\n")
    return f"---\n{yaml_text}---\n" + (f"\n{body}\n" if body else "")


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
