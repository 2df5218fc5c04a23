"""Split and write entry files: YAML front matter between '---' lines, then a Markdown body."""

from __future__ import annotations

from typing import Any, Mapping

import yaml

from ..core.errors import SourceError
from ..core.yamltext import EntryDumper, parse_yaml


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
    yaml_text = yaml.dump(dict(front_matter), Dumper=EntryDumper, sort_keys=False,
                          allow_unicode=True, default_flow_style=False, width=10_000)
    body = body.strip("\n")
    return f"---\n{yaml_text}---\n" + (f"\n{body}\n" if body else "")
