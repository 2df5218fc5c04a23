"""Read a JSON Lines file of articles (one JSON object a line) into RawArticles (pure).

Keys: title, date, url (required), lead, summary, keywords (a list, or one comma-separated
string), body (a string whose lines are paragraphs, as in a raw file, or a list of
paragraphs), lang (optional, a BCP 47 tag). docs/raw-format.md describes them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.errors import SourceError
from ..model.records import RawArticle
from .language import normal_tag
from .rawformat import build_raw_article

KEYS = ("title", "date", "url", "lead", "summary", "keywords", "body", "lang")
JSONL_HINT = "one JSON object a line, with keys " + ", ".join(KEYS)
# A date-time whose day is what the entry needs: 2023-03-21T10:00:00Z -> 2023-03-21.
_DATE_TIME_RE = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[T ][0-9:.]+(?:Z|[+-][0-9:]+)?")


def parse_json_lines(text: str, path: str) -> list[RawArticle | SourceError]:
    """Return an article, or the error naming its line, for each non-blank line of text."""
    results: list[RawArticle | SourceError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            results.append(parse_json_line(line, path, number))
        except SourceError as error:
            results.append(error)
    return results


def parse_json_line(line: str, path: str, number: int) -> RawArticle:
    """Return the article one JSON line holds, or raise SourceError at that line."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise SourceError(path, number, f"this line is not JSON: {reason}", JSONL_HINT) from None
    if not isinstance(item, dict):
        raise SourceError(path, number, f"this line is a JSON {_json_type(item)}, not an object",
                          JSONL_HINT)
    unknown = sorted(key for key in item if key not in KEYS)
    if unknown:
        raise SourceError(path, number, f"unknown key {unknown[0][:60]!r}", JSONL_HINT)
    fields = {key: _text(item, key, path, number)
              for key in ("title", "date", "url", "lead", "summary", "lang")}
    lang = normal_tag(fields["lang"])    # pt_br -> pt-BR
    if fields["lang"].strip() and not lang:
        raise SourceError(path, number, f"lang {fields['lang'][:60]!r} is not a language tag",
                          "a BCP 47 tag such as en, ru or pt-BR")
    date = fields["date"].strip()
    date_time = _DATE_TIME_RE.fullmatch(date)
    return build_raw_article(
        path, number, date=date_time.group(1) if date_time else date, url=fields["url"],
        title=fields["title"], lead=fields["lead"], summary=fields["summary"],
        keywords=", ".join(_texts(item, "keywords", path, number, split=False)),
        paragraphs=_texts(item, "body", path, number, split=True), lang=lang)


def _text(item: dict, key: str, path: str, number: int) -> str:
    """Return a key's value, which must be a string when present, or ''."""
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SourceError(path, number, f"'{key}' must be a string, not a JSON "
                          f"{_json_type(value)}", JSONL_HINT)
    return value


def _texts(item: dict, key: str, path: str, number: int, *, split: bool) -> list[str]:
    """Return a key's list of strings; a single string is one item, or with split its lines
    (each a paragraph, as in a raw file)."""
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines() if split else [value]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return list(value)
    raise SourceError(path, number, f"'{key}' must be a string or a list of strings",
                      JSONL_HINT)


def _json_type(value: Any) -> str:
    """Return the JSON name of a parsed value's type."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)
