"""Templates: the Jinja environment (site templates over the bundled theme) and page rendering."""

from __future__ import annotations

import datetime
import traceback
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import jinja2

from .errors import SitegenError, SourceError
from .plan import MONTH_NAMES


def theme_dir() -> Path:
    """Return the folder of the bundled default theme."""
    return Path(str(resources.files("site_builder.theme")))


def long_date(day: datetime.date) -> str:
    """Return '31 December 2022'."""
    return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"


def short_date(day: datetime.date) -> str:
    """Return '31 Dec', for listings that sit under a month heading."""
    return f"{day.day} {MONTH_NAMES[day.month][:3]}"


def make_environment(site_templates: Path | None) -> jinja2.Environment:
    """Return a Jinja environment: the site's own templates first, then the bundled theme."""
    loaders = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(site_templates)))
    loaders.append(jinja2.FileSystemLoader(str(theme_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    return env


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


def render_page(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> bytes:
    """Return the rendered bytes of one page; errors name the template file and line."""
    try:
        return env.get_template(template).render(context).encode("utf-8")
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, template) from None
