"""The site's language loaded: the theme's gettext catalog for it (templates/locales/<locale>/
LC_MESSAGES/sitegen.po), the site's own catalog of the same name in its templates folder, and
the `translations:` of sitegen.yaml, merged in that order and checked.

Catalogs ship as .po files and are compiled when loaded (some 2 ms of CPU a catalog), so no compiled
file can fall behind its source.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from ..core.config import CONFIG_FILE, Config
from ..core.digests import digest_bytes
from ..core.errors import SourceError
from ..core.i18n import ENGLISH, Language, catalog_problems, message_problems, parse_locale
from ..sources.tree import refuse_outside_link

DOMAIN = "sitegen"
LOCALES_DIR = "locales"


@dataclass(frozen=True)
class LoadedLanguage:
    """A site's language, a digest of its words (a page's key includes it) and any warning."""

    language: Language
    digest: str
    warning: str | None = None


def catalog_file(root: Path, folder: str) -> Path:
    """Return where the catalog of a locale folder ('ru', 'zh_Hans') lies under a theme."""
    return root / LOCALES_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_folders(locale: Locale) -> list[str]:
    """Return the catalog folders that serve a locale, most specific first: zh and zh-CN are
    served by zh_Hans (the script decides the characters), zh-TW by zh_Hant alone."""
    script = locale.script or Locale.parse(
        get_global("likely_subtags").get(locale.language, locale.language)).script
    names = []
    for parts in ((locale.language, script, locale.territory), (locale.language, script),
                  (locale.language, locale.territory), (locale.language,)):
        name = "_".join(p for p in parts if p)
        if all(parts) and name not in names:
            names.append(name)
    return names


def read_catalog(path: Path, shown: str, folder: str) -> Catalog:
    """Return the catalog at path, named shown in errors; SourceError for a broken one."""
    try:
        with path.open("rb") as file:
            catalog = read_po(file, locale=folder, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        raise SourceError(shown, getattr(exc, "lineno", None), f"broken catalog: {exc}") from None
    except (OSError, ValueError) as exc:
        raise SourceError(shown, None, f"cannot read the catalog: {exc}") from None
    for line, problem in catalog_problems(catalog):
        raise SourceError(shown, line, problem, "a translation keeps every %(name)s of its message")
    return catalog


def put(catalog: Catalog, msgid: str | tuple[str, ...], string: str | tuple[str, ...]) -> None:
    """Set the translation of a message, replacing the one it has (Catalog.add keeps it)."""
    key = msgid if isinstance(msgid, str) else msgid[0]
    found = catalog.get(key)
    if found is None:
        catalog.add(msgid, string)
    else:
        found.string = string


def apply_overrides(catalog: Catalog, overrides: dict[str, str | tuple[str, ...]]) -> None:
    """Put the site's own words (msgid -> text, or its plural forms) into catalog; SourceError
    for one whose placeholders do not match its message's."""
    for msgid, text in overrides.items():
        message = catalog.get(msgid)
        forms = tuple(text) if isinstance(text, (list, tuple)) else (text,)
        if message is not None and isinstance(message.id, (list, tuple)):
            if len(forms) == 1:
                forms *= catalog.num_plurals
            put(catalog, message.id, forms[:catalog.num_plurals])
            message_id = message.id
        else:
            put(catalog, msgid, forms[0])
            message_id = msgid
        for problem in message_problems(message_id, catalog.get(msgid).string):
            raise SourceError(CONFIG_FILE, None, f"translations: {problem}",
                              "a translation keeps every %(name)s of its message")


def compiled(catalog: Catalog) -> bytes:
    """Return the .mo bytes of a catalog (fuzzy and empty translations left out)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def load_language(site_dir: Path, config: Config, theme: Path) -> LoadedLanguage:
    """Return the site's language: the first catalog for its locale, the theme's or the site's,
    with the site's catalog and config over the theme's; English, with a warning, when neither
    has one. SourceError names the catalog and line of a broken translation."""
    locale = parse_locale(config.language)
    site_root = site_dir / config.templates_dir
    catalogs: list[Catalog] = []
    for folder in catalog_folders(locale):
        for root in (theme, site_root):
            path = catalog_file(root, folder)
            if path.is_file():
                if root == site_root:
                    refuse_outside_link(str(path), site_dir)
                shown = path.relative_to(site_dir if root == site_root else theme.parent)
                catalogs.append(read_catalog(path, shown.as_posix(), folder))
        if catalogs:
            break
    overrides = dict(config.translations)
    warning = None
    if not catalogs:
        if locale.language != "en":
            warning = (f"{CONFIG_FILE}: language {config.language!r} has no catalog of the "
                       f"theme's words; the pages are in English (add one as "
                       f"{config.templates_dir}/{LOCALES_DIR}/{locale.language}/LC_MESSAGES/"
                       f"{DOMAIN}.po)")
        if not overrides:
            return LoadedLanguage(ENGLISH, "", warning)
        catalogs, locale = [Catalog(locale="en", domain=DOMAIN)], ENGLISH.locale
    merged = catalogs[0]
    for other in catalogs[1:]:
        for message in other:
            if message.id and message.string:
                put(merged, message.id, message.string)
    apply_overrides(merged, overrides)
    data = compiled(merged)
    return LoadedLanguage(Language(locale, gettext.GNUTranslations(io.BytesIO(data))),
                          digest_bytes(data), warning)
