"""The theme: the Jinja environment with its filters and the `site` view, registered here and
nowhere else; static files under content-hashed names; template digests; rendering a page.

A site's own templates folder is searched before the bundled theme, file by file.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import jinja2
import jinja2.meta

from ..core.config import Config
from .catalogs import load_language
from .constwords import ConstantWords
from .dates import event_short
from ..core.eventdates import event_datetime_attribute, event_words
from ..core.i18n import ENGLISH, Language
from ..core.digests import digest_bytes, digest_text
from ..core.textdirection import lang_attributes, text_direction
from ..core.errors import SitegenError, SourceError
from ..sources.tree import refuse_outside_link, relative_path, scan_tree
from ..core.urls import (ARCHIVE_PATH, COUNTRIES_PATH, FEED_PATH, FILTER_INDEX_PATH, RELATIONS_PATH,
                         SEARCH_PATH, STATIC_DIR, TAGS_PATH,
                   TIMELINE_JSON_PATH, static_path)
from .views import Link, SiteView, context

HASHED_ASSETS = (".css", ".js")


def filters(language: Language) -> dict[str, Any]:
    """Return the theme's filters, dates and numbers in the site's language."""
    return {"long_date": language.long_date, "short_date": language.short_date,
            "date_parts": lambda day: tuple(language.date_parts(day)),
            "number": language.number, "month_name": language.month_name,
            "event_short": lambda event: event_short(event, language),
            "event_words": lambda event: event_words(event, language),
            "event_datetime": event_datetime_attribute, "lang_attributes": lang_attributes}


@dataclass(frozen=True)
class StaticFile:
    """A static file of the theme or the site, and the path it is published at."""

    name: str             # 'style.css', as templates ask for it in site.assets
    path: str             # 'static/style.1a2b3c4d5e.css', relative to the output folder
    data: bytes


@dataclass(frozen=True)
class Theme:
    """What rendering needs: the environment (with `site` set) and the static files."""

    env: jinja2.Environment
    site: SiteView
    statics: tuple[StaticFile, ...]
    language: Language = ENGLISH
    words_digest: str = ""          # of the translations: pages show them, views do not
    warning: str | None = None      # the language has no catalog


def theme_dir() -> Path:
    """Return the folder of the bundled default theme."""
    return Path(str(resources.files("site_builder.theme")))


class SiteTemplateLoader(jinja2.FileSystemLoader):
    """The site's own templates, refusing one whose file leads out of the site folder."""

    def __init__(self, folder: Path, site: Path | None):
        super().__init__(str(folder))
        self.site = site

    def get_source(self, environment: jinja2.Environment, template: str):
        """Return Jinja's (source, file name, up-to-date check) for a template of the site."""
        found = super().get_source(environment, template)
        refuse_outside_link(found[1], self.site)
        return found


def make_environment(site_templates: Path | None, site: Path | None = None,
                     language: Language = ENGLISH) -> jinja2.Environment:
    """Return a Jinja environment: the site's own templates first, then the bundled theme, with
    gettext (newstyle: placeholders are checked; constant words are translated when a template
    is compiled) and filters in the site's language.

    With the site folder given, a site template that leads out of it is refused."""
    loaders: list[jinja2.BaseLoader] = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(SiteTemplateLoader(site_templates, site))
    loaders.append(jinja2.FileSystemLoader(str(theme_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n", ConstantWords],
    )
    env.install_gettext_translations(language.translations, newstyle=True)
    env.word_translations = language.translations     # read by ConstantWords when compiling
    env.filters.update(filters(language))
    env.globals["plural_forms"] = language.plural_forms
    return env


def hashed_name(name: str, data: bytes) -> str:
    """Return 'style.1a2b3c4d.css' for css and js files, so browsers never keep stale ones."""
    if not name.endswith(HASHED_ASSETS):
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest_bytes(data)[:10]}{dot}{suffix}"


def load_statics(site_templates: Path, site: Path | None = None) -> tuple[StaticFile, ...]:
    """Return the static files: the theme's, overridden by the site's own of the same name
    (none of which may lead out of the site folder site)."""
    files: dict[str, bytes] = {}
    for root, boundary in ((theme_dir() / STATIC_DIR, None), (site_templates / STATIC_DIR, site)):
        for path in scan_tree(root, "", boundary):
            files[relative_path(path, root)] = Path(path).read_bytes()
    return tuple(StaticFile(name, static_path(hashed_name(name, data)).lstrip("/"), data)
                 for name, data in files.items())


def site_view(config: Config, assets: Mapping[str, str], years: Sequence[Link]) -> SiteView:
    """Return what every template sees as `site`; assets maps static file names to their URLs."""
    base = config.base_path

    def url(path: str) -> str:
        return base + path.lstrip("/")

    return SiteView(
        title=config.title, description=config.description, language=config.language,
        sort=config.sort, base_path=base, home_url=base, tags_url=url(TAGS_PATH),
        countries_url=url(COUNTRIES_PATH), relations_url=url(RELATIONS_PATH),
        archive_url=url(ARCHIVE_PATH), search_url=url(SEARCH_PATH), feed_url=url(FEED_PATH),
        timeline_json_url=url(TIMELINE_JSON_PATH), filter_index_url=url(FILTER_INDEX_PATH),
        assets=MappingProxyType(dict(assets)), years=tuple(years), search=config.search,
        direction=text_direction(config.language))


def load_theme(site_dir: Path, config: Config, years: tuple[Link, ...]) -> Theme:
    """Return the site's theme: its environment, `site` view and static files."""
    templates = site_dir / config.templates_dir
    loaded = load_language(site_dir, config, theme_dir())
    env = make_environment(templates, site_dir, loaded.language)
    statics = load_statics(templates, site_dir)
    site = site_view(config, {s.name: config.base_path + s.path for s in statics}, years)
    env.globals["site"] = site
    return Theme(env, site, statics, loaded.language, loaded.digest, loaded.warning)


def template_closure_digests(env: jinja2.Environment, names: set[str]) -> dict[str, str]:
    """Return template name -> digest of its source and every template it extends or includes."""
    sources: dict[str, str] = {}
    references: dict[str, list[str]] = {}

    def read(name: str) -> None:
        try:
            sources[name] = env.loader.get_source(env, name)[0]
            found = jinja2.meta.find_referenced_templates(env.parse(sources[name]))
            # A computed template name could be any template.
            references[name] = [n for n in found if n] if None not in found else env.list_templates()
        except jinja2.TemplateNotFound:
            sources[name], references[name] = "", []
        except jinja2.TemplateSyntaxError:
            references[name] = []   # rendering reports it with its file and line

    digests = {}
    for name in names:
        seen, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                if current not in sources:
                    read(current)
                stack.extend(references[current])
        digests[name] = digest_text(repr(sorted((n, sources[n]) for n in seen)))
    return digests


def template_error(exc: Exception, name: str) -> SitegenError:
    """Return a SitegenError naming the template file and line an exception came from."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SourceError(exc.filename or exc.name or name, exc.lineno, exc.message or str(exc))
    if isinstance(exc, jinja2.TemplateNotFound):
        return SitegenError(f"template '{exc.name}' not found (needed by {name})")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".j2")):
            return SourceError(frame.filename, frame.lineno, f"template error: {exc}")
    return SitegenError(f"{name}: template error: {exc}")


def render_page(env: jinja2.Environment, template: str, view: Any) -> bytes:
    """Return the rendered bytes of one page from its view; errors name the template file and line."""
    try:
        return env.get_template(template).render(context(view)).encode("utf-8")
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, template) from None
