"""New sites and new entries (edge: writes files, never replacing one that exists).

`init_site` copies the starter files (package data in site_builder/starter/) into a folder;
`new_entry` writes a hand-written entry at content/YYYY/MM/<slug>.md.
"""

from __future__ import annotations

import datetime
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Iterable

from .core.config import CONFIG_FILE, Config, load_config
from .core.errors import SitegenError
from .core.i18n import close_languages, is_known_language
from .core.slugs import make_slug
from .sources.atomic import write_text_atomically
from .sources.content import parse_entry
from .sources.frontmatter import dump_entry, split_front_matter
from .sources.ingest import scan_entries, site_relpath
from .sources.tree import find_files

# Starter file (in site_builder/starter/) -> where `sitegen init` writes it in the new site.
STARTER_FILES = (
    ("sitegen.yaml", CONFIG_FILE),
    ("example-article.txt", "seeds/example-article.txt"),
    ("templates-README.md", "templates/README.md"),
    ("gitignore", ".gitignore"),
    ("pages.yml", ".github/workflows/pages.yml"),
    ("dependabot.yml", ".github/dependabot.yml"),   # keeps the workflow's pinned actions current
)
SITE_FOLDERS = ("content", "seeds", "templates")
# An empty file that keeps the empty content/ folder in git (hidden: no build reads it).
CONTENT_KEEPER = "content/.gitkeep"
MAX_SLUG_TRIES = 1000


def starter_text(name: str) -> str:
    """Return the text of one starter file shipped with sitegen."""
    return resources.files("site_builder").joinpath("starter", name).read_text(encoding="utf-8")


def init_site(target_dir: Path, language: str = "en") -> list[str]:
    """Scaffold a new site in target_dir, its pages in language; return the files written,
    relative to it.

    Refuses, writing nothing, when target_dir is a file or already holds any starter file, or
    the language is unknown.
    """
    target = Path(target_dir)
    if not is_known_language(language):
        close = ", ".join(close_languages(language))
        raise SitegenError(f"--language: unknown language {language!r}; " +
                           (f"close matches: {close}" if close else "e.g. en, ru, zh, ar, fr or es"))
    if target.exists() and not target.is_dir():
        raise SitegenError(f"{target}: is a file, not a folder (give a new or empty folder)")
    existing = [dest for dest in [*(dest for _, dest in STARTER_FILES), CONTENT_KEEPER]
                if (target / dest).exists()]
    if existing:
        raise SitegenError(f"{target / existing[0]}: already exists; nothing was written "
                           f"(sitegen init never overwrites a site: choose a new folder)")
    texts = [(dest, starter_text(name)) for name, dest in STARTER_FILES] + [(CONTENT_KEEPER, "")]
    if language != "en":
        texts[0] = (texts[0][0], texts[0][1].replace("\n# language: en\n",
                                                     f"\nlanguage: {language}\n", 1))
    for folder in SITE_FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    for dest, text in texts:
        write_text_atomically(target / dest, text, overwrite=False)
    return [dest for dest, _ in texts]


def parse_tags(text: str) -> list[str]:
    """Return the tags of a comma-separated list: trimmed, empty and repeated ones dropped."""
    tags: list[str] = []
    seen: set[str] = set()
    for item in text.split(","):
        name = " ".join(item.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)
    return tags


def entry_text(title: str, day: datetime.date, slug: str, tags: Iterable[str]) -> str:
    """Return the text of a new hand-written entry file, ready to be filled in."""
    front = {"title": title, "date": day.isoformat(), "slug": slug, "lead": "",
             "tags": list(tags), "draft": False}
    return dump_entry(front, "")


def free_slug(base: str, taken: set[str]) -> str:
    """Return base, or base-2, base-3... : the first slug not in taken."""
    if base not in taken:
        return base
    for number in range(2, MAX_SLUG_TRIES):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise SitegenError(f"every slug from {base!r} to {base}-{MAX_SLUG_TRIES - 1} is taken "
                       f"(give the entry another title)")


def entry_relpath(config: Config, day: datetime.date, slug: str) -> str:
    """Return the site-relative POSIX path of an entry: content/YYYY/MM/<slug>.md."""
    folder = PurePosixPath(Path(config.content_dir).as_posix())
    return str(folder / f"{day.year:04d}" / f"{day.month:02d}" / f"{slug}.md")


def slug_owner(site_dir: Path, slug: str) -> str | None:
    """Return the site-relative path of the entry that has slug (by its file name or its slug
    key), or None when none has it."""
    site_dir = Path(site_dir)
    content = site_dir / load_config(site_dir).content_dir
    files = find_files(content, ".md")
    for path in sorted(files, key=lambda path: path.stem != slug):   # file names first
        if path.stem == slug:
            return site_relpath(path, site_dir)
        try:
            front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeError, SitegenError):
            continue
        if front.get("slug") == slug:
            return site_relpath(path, site_dir)
    return None


def new_entry(site_dir: Path, title: str, date: datetime.date | None = None,
              tags: Iterable[str] = ()) -> Path:
    """Write a new entry (date defaults to today in the site's time zone); return its path."""
    site_dir = Path(site_dir)
    title = " ".join(title.split())
    if not title:
        raise SitegenError("the title is empty (e.g. sitegen new \"Xi meets Putin\")")
    config = load_config(site_dir)
    day = date or datetime.datetime.now(config.tz).date()
    tags = list(tags)
    _, taken = scan_entries(site_dir / config.content_dir, site_dir)
    base = make_slug(title)
    while True:
        slug = free_slug(base, taken)
        relpath = entry_relpath(config, day, slug)
        text = entry_text(title, day, slug, tags)
        parse_entry(text, relpath, tz=config.tz)  # the file must load as it is written
        try:
            write_text_atomically(site_dir / relpath, text, overwrite=False)
        except FileExistsError:  # appeared since the scan: never replace it, take the next slug
            taken.add(slug)
            continue
        return site_dir / relpath
