"""Site configuration: a frozen Config parsed from ``sitegen.yaml``, rejecting unknown keys."""

from __future__ import annotations

import dataclasses
import datetime
import posixpath
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit

import yaml

from .countrydata import country_codes, name_key
from .errors import SourceError
from .i18n import close_languages, is_known_language
from .slugs import tag_identity
from .sourcenames import host_key
from .yamltext import parse_yaml

CONFIG_FILE = "sitegen.yaml"
# Agency keyword lines carry 3 to 15 keywords; 30 leaves room and keeps the tag feeds, which
# repeat an entry's tags in each of its tags' feeds, from growing with the square of a count.
DEFAULT_MAX_TAGS = 30
# A pair of countries needs this many shared entries for a page of its own. 1: on a small site
# most pairs share one entry (any higher number leaves a ten-entry site without relation
# pages), and on the 10,000-entry benchmark corpus every pair but one shares 2 or more entries,
# so a higher number saves little there (see the README's "Countries and relations").
DEFAULT_RELATION_MIN = 1
MAX_ECHO = 60       # characters of a rejected value an error message repeats
PERMALINK_TOKENS = ("year", "month", "day", "slug")
_PERMALINK_CHARS = re.compile(r"[A-Za-z0-9_\-/{}]+")


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know about the site, with working defaults."""

    title: str = "A diplomacy timeline"
    description: str = "A chronology of diplomatic news."
    author: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    timezone: str = "UTC"
    sort: str = "newest"
    page_size: int = 50
    output_dir: str = "public"
    content_dir: str = "content"
    seeds_dir: str = "seeds"
    templates_dir: str = "templates"
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    tag_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    related_count: int = 3
    max_tags: int = DEFAULT_MAX_TAGS
    cname: str = ""
    search: bool = True
    strict: bool = False    # a raw article that cannot be imported fails the build
    countries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    country_recognition: bool = True
    relation_min: int = DEFAULT_RELATION_MIN
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # host -> name
    # the theme's words the site says its own way: message -> text (or its plural forms)
    translations: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def base_path(self) -> str:
        """Return the URL path the site lives under, always starting and ending with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def site_url(self) -> str:
        """Return base_url with exactly one trailing slash."""
        return self.base_url.rstrip("/") + "/"

    @property
    def tz(self) -> datetime.tzinfo:
        """Return the site's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def source_names(self) -> tuple[str, ...]:
        """Return the site's own files and folders, which no build may write into or replace."""
        return (self.content_dir, self.seeds_dir, self.templates_dir, CONFIG_FILE, ".git", ".github")

    @property
    def feed_author(self) -> str:
        """Return the name feeds credit when an entry names no author."""
        return self.author or self.title


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_EXPECTED = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
}


def shown(value: Any) -> str:
    """Return a short form of a rejected value for a message: text cut to MAX_ECHO characters,
    anything else but a small number named by its type (never expanded: it may be huge)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= MAX_ECHO else repr(value[:MAX_ECHO]) + "…"
    if isinstance(value, (bool, float)) or (isinstance(value, int) and abs(value) < 10**MAX_ECHO):
        return repr(value)
    return f"a value of type {type(value).__name__}"


def _country_names(value: Any, path: str, line: int | None, lines: Mapping[str, int]
                   ) -> Mapping[str, str]:
    """Return the site's own country names (name -> ISO 3166-1 alpha-2 code), or raise
    SourceError at the line of a name that is not text, an unknown code, or a name given two
    codes (the same name when compared as recognition compares names)."""
    hint = "e.g. countries: {kremlin: RU, white house: US}"
    if not isinstance(value, dict):
        raise SourceError(path, line, "'countries' must be a mapping of name to country code", hint)
    codes = country_codes()
    names: dict[str, str] = {}
    first: dict[str, str] = {}     # name key -> the name as written that gave it a code
    for name, code in value.items():
        where = lines.get(f"countries/{name}", line)
        if not isinstance(name, str) or not name.strip():
            raise SourceError(path, where, f"country name {shown(name)} is not a string", hint)
        if not isinstance(code, str) or code.strip().upper() not in codes:
            raise SourceError(path, where, f"unknown country code {shown(code)} for {shown(name)}",
                              "use an ISO 3166-1 alpha-2 code such as RU, CN or US")
        code, key = code.strip().upper(), name_key(name)
        if names.get(key, code) != code:
            raise SourceError(path, where, f"country name {shown(name)} is mapped to both "
                              f"{names[key]} (as {shown(first[key])}) and {code}", hint)
        names[key], first[key] = code, name
    return MappingProxyType({name.strip(): code.strip().upper() for name, code in value.items()})


def _check_type(key: str, value: Any, path: str, line: int | None,
                lines: Mapping[str, int] | None = None) -> Any:
    """Return value if it has the type the default for key has, else raise SourceError."""
    if key == "tag_aliases":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise SourceError(path, line, f"'{key}' must be a mapping of tag name to tag name",
                              "e.g. tag_aliases: {russian-chinese alliance: russia-china relations}")
        return MappingProxyType({tag_identity(k.strip()): v.strip() for k, v in value.items()})
    if key == "countries":
        return _country_names(value, path, line, lines or {})
    if key == "sources":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and host_key(k) and v.strip()
            for k, v in value.items()
        ):
            raise SourceError(path, line, f"'{key}' must be a mapping of host name to source name",
                              "e.g. sources: {mid.ru: Russian Foreign Ministry}")
        return MappingProxyType({host_key(k): v.strip() for k, v in value.items()})
    if key == "translations":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and (isinstance(v, str) or (
                isinstance(v, list) and v and all(isinstance(f, str) for f in v)))
            for k, v in value.items()
        ):
            raise SourceError(path, line, f"'{key}' must be a mapping of the theme's message to "
                              "its text (or a list of its plural forms)",
                              "e.g. translations: {Tags: Topics}")
        return MappingProxyType({k: tuple(v) if isinstance(v, list) else v
                                 for k, v in value.items()})
    default = _FIELDS[key].default
    kind = type(default)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SourceError(path, line, f"'{key}' must be {_EXPECTED[int]}, not {shown(value)}")
    if kind is not int and not isinstance(value, kind):
        raise SourceError(path, line, f"'{key}' must be {_EXPECTED[kind]}, not {shown(value)}")
    return value


def _validate(config: Config, path: str, lines: Mapping[str, int]) -> None:
    """Raise SourceError for values of the right type that still make no sense."""
    def fail(key: str, message: str, hint: str | None = None) -> None:
        raise SourceError(path, lines.get(key), message, hint)

    url = urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        fail("base_url", f"base_url {shown(config.base_url)} is not an absolute http(s) URL",
             "e.g. https://user.github.io/repo/")
    if config.sort not in ("newest", "oldest"):
        fail("sort", f"sort must be 'newest' or 'oldest', not {shown(config.sort)}")
    if config.page_size < 1:
        fail("page_size", "page_size must be at least 1")
    if config.related_count < 0:
        fail("related_count", "related_count cannot be negative")
    if config.max_tags < 1:
        fail("max_tags", "max_tags must be at least 1")
    if config.relation_min < 1:
        fail("relation_min", "relation_min must be at least 1")
    if not is_known_language(config.language):
        close = close_languages(config.language)
        fail("language", f"unknown language {shown(config.language)}",
             f"close matches: {', '.join(close)}" if close else "e.g. en, ru, zh, ar, fr or es")
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown time zone {shown(config.timezone)}", "e.g. UTC or Europe/Moscow")
    tokens = re.findall(r"{([^}]*)}", config.permalink)
    unknown = [t for t in tokens if t not in PERMALINK_TOKENS]
    if unknown or "slug" not in tokens:
        fail("permalink", f"permalink {shown(config.permalink)} must contain {{slug}} and only "
             f"{', '.join('{' + t + '}' for t in PERMALINK_TOKENS)}")
    if not _PERMALINK_CHARS.fullmatch(config.permalink) or ".." in config.permalink \
            or not config.permalink.startswith("/") or not config.permalink.endswith("/"):
        fail("permalink", f"permalink {shown(config.permalink)} must start and end with '/' and hold "
             "only letters, digits, '-', '_', '/' and the {...} tokens (no '..' or '%')")
    for key in ("output_dir", "content_dir", "seeds_dir", "templates_dir"):
        value = getattr(config, key)
        if not value.strip() or ".." in Path(value).parts or Path(value).is_absolute():
            fail(key, f"{key} must be a folder inside the site, not {shown(value)}")
    site = PurePosixPath("/site")
    problem = output_overlap(site, PurePosixPath(posixpath.normpath(f"/site/{config.output_dir}")),
                             config)
    if problem:
        fail("output_dir", f"output_dir {config.output_dir!r} {problem}", OUTPUT_HINT)


OUTPUT_HINT = "give the output a folder of its own, e.g. public"


def output_overlap(site: PurePath, out: PurePath, config: Config) -> str | None:
    """Return why out cannot be the output folder of the site in site, or None when it can.

    Both paths are absolute and normalised. A build replaces its output folder's files, so the
    output must neither be, hold nor lie inside the site or any of the site's own sources.
    """
    if out == site:
        return "is the site folder itself, and a build replaces its output folder's files"
    if site.is_relative_to(out):
        return "contains the site folder, and a build replaces its output folder's files"
    for name in config.source_names:
        source = site / name
        shown = name if name == CONFIG_FILE else f"{name}/"
        if out == source or source.is_relative_to(out):
            relation = "is" if out == source else "contains"
            return f"{relation} the site's {shown}, and a build replaces its output folder's files"
        if out.is_relative_to(source):
            return f"lies inside the site's {shown}, which a build must not write into"
    return None


def parse_config(mapping: Mapping[str, Any], path: str = CONFIG_FILE,
                 lines: Mapping[str, int] | None = None) -> Config:
    """Return a Config from a parsed mapping, rejecting unknown keys and wrong types."""
    lines = lines or {}
    values = {}
    for key, value in mapping.items():
        line = lines.get(key) if isinstance(key, str) else None
        if not isinstance(key, str) or key not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            raise SourceError(path, line, f"unknown setting {shown(key)}", f"known settings: {known}")
        if value is None:
            continue
        values[key] = _check_type(key, value, path, line, lines)
    config = Config(**values)
    _validate(config, path, lines)
    return config


def parse_config_text(text: str, path: str = CONFIG_FILE) -> Config:
    """Return a Config from the YAML text of a config file."""
    data = parse_yaml(text, path, what="the config")   # refuses alias bombs and deep nesting
    node = yaml.compose(text, Loader=yaml.SafeLoader)   # for the keys' lines: aliases share nodes
    if data is None:
        return parse_config({}, path)
    if not isinstance(data, dict):
        raise SourceError(path, 1, "the config must be a mapping of settings",
                          "e.g. title: My timeline")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        lines.update(_country_lines(node, path))
    return parse_config(data, path, lines)


def _country_lines(node: yaml.MappingNode, path: str) -> dict[str, int]:
    """Return 'countries/<name>' -> the line of each name under the config's countries; raise
    SourceError for a name written twice with two codes."""
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "countries" \
                and isinstance(value, yaml.MappingNode):
            lines: dict[str, int] = {}
            codes: dict[str, str] = {}
            for k, v in value.value:
                if not isinstance(k, yaml.ScalarNode):
                    continue
                code = v.value if isinstance(v, yaml.ScalarNode) else ""
                if codes.setdefault(k.value, code) != code:   # YAML keeps the last silently
                    raise SourceError(path, k.start_mark.line + 1, f"country name "
                                      f"{shown(k.value)} is mapped to both {codes[k.value]} and "
                                      f"{shown(code)}", "give each name one code")
                lines.setdefault(f"countries/{k.value}", k.start_mark.line + 1)
            return lines
    return {}


def load_config(site_dir: Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Return the Config of the site in site_dir (defaults when it has no sitegen.yaml)."""
    path = Path(site_dir) / CONFIG_FILE
    # Named as the site folder sees it: every message names paths relative to the site.
    config = parse_config_text(path.read_text(encoding="utf-8"), CONFIG_FILE) if path.is_file() \
        else Config()
    if overrides:
        merged = {f: getattr(config, f) for f in _FIELDS}
        merged.update({k: v for k, v in overrides.items() if v is not None})
        merged["tag_aliases"] = dict(merged["tag_aliases"])
        merged["countries"] = dict(merged["countries"])
        merged["sources"] = dict(merged["sources"])
        merged["translations"] = {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in merged["translations"].items()}
        config = parse_config(merged, "command line")
    return config
