"""YAML as sitegen reads and writes it (front matter, the config): safe loaders that keep dates
as written, and one guard against deep nesting and alias bombs; pure."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import SourceError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ten times faster
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _without_timestamps(resolvers: dict) -> dict:
    """Return implicit resolvers minus the one that turns '2022-12-31' into a date object."""
    return {
        first: [(tag, regexp) for tag, regexp in entries if tag != _TIMESTAMP]
        for first, entries in resolvers.items()
    }


class EntryLoader(_BaseLoader):
    """Safe YAML loader that keeps dates as the strings the author wrote."""


class EntryDumper(_BaseDumper):
    """Safe YAML dumper that writes date strings without quotes."""


class DeepEntryLoader(yaml.SafeLoader):
    """EntryLoader in pure Python, for text that may nest deeply: libyaml's C loader recurses
    without a limit and crashes the process (a segmentation fault) near 30,000 levels."""


EntryLoader.yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)
DeepEntryLoader.yaml_implicit_resolvers = EntryLoader.yaml_implicit_resolvers
EntryDumper.yaml_implicit_resolvers = _without_timestamps(yaml.SafeDumper.yaml_implicit_resolvers)

# Above this many possible levels of nesting the pure-Python loader is used: its recursion
# ends in a RecursionError, not a crash. Every level costs at least one character.
MAX_C_LOADER_NESTING = 1000
# At most this many values after YAML aliases are expanded ("billion laughs": nine aliases of
# nine aliases... make a few hundred bytes stand for billions of values).
MAX_EXPANDED_VALUES = 100_000


def parse_yaml(text: str, path: str, first_line: int = 1, what: str = "front matter") -> Any:
    """Return the YAML document in text; errors point at the line in the whole file and name
    what the text is (front matter, the config).

    Deep nesting and aliases that expand to more than MAX_EXPANDED_VALUES values are refused:
    this is the one guard every YAML sitegen reads goes through.
    """
    loader = DeepEntryLoader if _may_nest_deeply(text) else EntryLoader
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are safe loaders
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(path, line, f"invalid YAML in {what}: {problem}",
                          yaml_hint(text, exc, first_line)) from None
    except RecursionError:
        raise SourceError(path, first_line, f"{what} is nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # a value its tag cannot hold: !!int of 5,000 digits
        raise SourceError(path, first_line, f"invalid value in {what}: "
                          f"{str(exc).split(';')[0]}") from None
    if "*" in text and not _is_small(data):
        raise SourceError(path, first_line, f"{what} uses YAML aliases (*name) that expand "
                          f"to more than {MAX_EXPANDED_VALUES:,} values, or to a loop",
                          "write the values out instead of repeating them with aliases")
    return data


def yaml_hint(text: str, exc: yaml.YAMLError, first_line: int = 1) -> str | None:
    """Return what to do about a YAML error of a common cause (a tab, a colon in an unquoted
    value, a bracket or quote never closed), or None."""
    problem = getattr(exc, "problem", None) or ""
    context = getattr(exc, "context", None) or ""
    mark, opened = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    if "tab" in problem or "'\\t'" in problem:
        return "YAML does not allow tabs for indentation: indent with spaces"
    if "mapping values are not allowed" in problem and mark is not None:
        line = text.split("\n")[mark.line] if mark.line < len(text.split("\n")) else ""
        key, colon, value = line.partition(": ")
        if colon and value.strip():
            quoted = '"' + value.strip().replace("\\", "\\\\").replace('"', '\\"') + '"'
            return f"a value with ': ' in it must be quoted: {key.strip()}: {quoted}"
        return "a value with ': ' in it must be quoted"
    if opened is not None:
        where = f"line {first_line + opened.line}, column {opened.column + 1}"
        for kind, bracket, closing in (("flow sequence", "[", "]"), ("flow mapping", "{", "}")):
            if kind in context:
                return f"the '{bracket}' opened on {where} is never closed: add '{closing}'"
        if "quoted scalar" in context:
            return f"the quote opened on {where} is never closed"
    return None


def _may_nest_deeply(text: str) -> bool:
    """Return whether text could nest more than MAX_C_LOADER_NESTING levels (a quick bound)."""
    if len(text) <= MAX_C_LOADER_NESTING:
        return False
    indent = max(len(line) - len(line.lstrip(" \t-?:")) for line in text.split("\n"))
    return text.count("[") + text.count("{") + indent > MAX_C_LOADER_NESTING


def _is_small(data: Any) -> bool:
    """Return whether data, with shared values counted each time they appear, is small."""
    sizes: dict[int, int] = {}
    pending: list[tuple[Any, bool]] = [(data, False)]
    while pending:
        value, children_done = pending.pop()
        if not isinstance(value, (list, dict)) or (id(value) in sizes and not children_done):
            continue
        children = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        if children_done:
            sizes[id(value)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(value)] > MAX_EXPANDED_VALUES:
                return False
            continue
        sizes[id(value)] = MAX_EXPANDED_VALUES + 1  # in progress: a loop back here is too big
        pending.append((value, True))
        pending.extend((child, False) for child in children)
    return True
