"""Sites in Russian and Arabic, and articles in another language than their site: right-to-left
mirroring (bounding boxes), axe-core on home and an entry in light and dark at phone and desktop
widths (screenshots kept in docs/screenshots/i18n-*.png), and the search page finding a Russian
article by a Russian word on an English site and on a Russian one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_axe

SCREENSHOTS = REPO / "docs" / "screenshots"
WIDTHS = {"phone": (360, 800), "desktop": (1280, 900)}
# language -> the title, language and body of an article in it
ARTICLES = {
    "en": ("Talks in Geneva end", "en", "The delegations agreed to meet again in the spring."),
    "ru": ("Путин поздравил Си Цзиньпина", "ru",
           "Президент России поздравил председателя КНР и пожелал успехов в переговорах."),
    "ar": ("مصر والصين توقعان اتفاقا", "ar", "وقعت مصر والصين اتفاقا للتعاون في مجال الطاقة."),
}
SITE_WORDS = {
    "ru": ("Переговоры в Женеве", "Делегации договорились встретиться весной."),
    "ar": ("محادثات في جنيف", "اتفق الوفدان على الاجتماع مرة أخرى في الربيع."),
    "en": ("Talks round", "The parties agreed to keep their channels open."),
}
RUSSIAN_WORD = "поздравил"


def write_article(content: Path, slug: str, day: str, title: str, lang: str | None,
                  tags: tuple[str, ...], body: str) -> None:
    """Write one entry file."""
    path = content / day[:4] / day[5:7] / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    lang_line = f"lang: {lang}\n" if lang else ""
    tag_lines = "".join(f"- {t}\n" for t in tags)
    path.write_text(f"---\ntitle: {title}\nslug: {slug}\ndate: {day}\n{lang_line}tags:\n{tag_lines}"
                    f"source:\n  name: Wire\n  url: https://news.example/{slug}\n---\n\n{body}\n",
                    encoding="utf-8")


def build_site(folder: Path, language: str, base_url: str) -> Path:
    """Build a site in language: six entries in it and an article in each of en, ru and ar, those
    in another language than the site's marked with their lang."""
    title, body = SITE_WORDS[language]
    for n in range(6):
        write_article(folder / "content", f"talks-{n}", f"2023-0{n + 1}-1{n}", f"{title} {n + 1}",
                      None, ("russia", "china") if n % 2 else ("egypt",), body)
    for n, (lang, (article_title, _, article_body)) in enumerate(ARTICLES.items()):
        write_article(folder / "content", f"article-{lang}", f"2023-07-0{n + 1}", article_title,
                      lang if lang != language else None, ("russia", "china"), article_body)
    (folder / "sitegen.yaml").write_text(f"title: {title}\nlanguage: {language}\npage_size: 4\n",
                                         encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--site", str(folder),
                           "--base-url", base_url], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "public"


@pytest.fixture(scope="module")
def sites(tmp_path_factory, served_root, server) -> dict[str, str]:
    """language -> the base URL of a built and served site in that language."""
    urls = {}
    for language in ("ru", "ar", "en"):
        url = f"{server}/locale-{language}/"
        public = build_site(tmp_path_factory.mktemp(f"locale-{language}"), language, url)
        (served_root / f"locale-{language}").symlink_to(public, target_is_directory=True)
        urls[language] = url
    return urls


def entry_path(language: str) -> str:
    """Return the path of the site's entry in another language (Russian, else Arabic)."""
    return "2023/07/02/article-ru/" if language != "ru" else "2023/07/03/article-ar/"


@pytest.mark.parametrize("scheme", ("light", "dark"))
@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("language", ("ru", "ar"))
def test_home_and_an_entry_have_no_axe_violations_and_are_pictured(open_context, sites, language,
                                                                   width, scheme):
    w, h = WIDTHS[width]
    context, _ = open_context(viewport={"width": w, "height": h}, color_scheme=scheme)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("home", ""), ("entry", entry_path(language))):
        page.goto(sites[language] + path)
        page.wait_for_load_state("networkidle")
        shot = SCREENSHOTS / f"i18n-{language}-{name}-{w}-{scheme}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 5_000
        violations = run_axe(page)
        assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


# The rail's x (its ::before line), the middle of its item, and the x of pager links 1 and 2.
GEOMETRY = """() => {
    const li = document.querySelector(".tl-list > li");
    const box = li.getBoundingClientRect();
    const rail = box.left + parseFloat(getComputedStyle(li, "::before").left);
    const pager = [...document.querySelectorAll(".pager a")];
    // a page link's number is its first text, before the dates its page holds
    const at = label => pager.find(a => a.firstChild.textContent.trim() === label).getBoundingClientRect().left;
    const time = li.querySelector("time").getBoundingClientRect();
    const title = li.querySelector("a").getBoundingClientRect();
    const nav = document.querySelector(".pager").getBoundingClientRect();
    return {rail, middle: box.left + box.width / 2, one: at("1"), two: at("2"),
            pagerMiddle: nav.left + nav.width / 2,
            timeBeforeTitle: time.left < title.left};
}"""


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("language, right_to_left", (("ar", True), ("en", False), ("ru", False)))
def test_the_rail_and_the_pager_sit_on_the_reading_side(open_context, sites, language,
                                                        right_to_left, width):
    w, h = WIDTHS[width]
    context, _ = open_context(viewport={"width": w, "height": h}, color_scheme="light")
    page = context.new_page()
    page.goto(sites[language])
    assert page.locator("html").get_attribute("dir") == ("rtl" if right_to_left else None)
    found = page.evaluate(GEOMETRY)
    assert (found["rail"] > found["middle"]) == right_to_left, found
    # page 1 starts the pager on the reading side (page links with their dates may wrap, so
    # page 2 can sit on a row of its own)
    assert (found["one"] > found["pagerMiddle"]) == right_to_left, found
    if width == "desktop":      # the day in its own column, before the title in reading order
        assert found["timeBeforeTitle"] != right_to_left, found


@pytest.mark.parametrize("language", ("en", "ru"))
def test_search_finds_a_russian_article_by_a_russian_word(page, sites, language):
    page.goto(sites[language] + "search/?q=" + RUSSIAN_WORD)
    link = page.locator("#search-results a.search-result-link").first
    link.wait_for()
    assert link.inner_text().strip() == ARTICLES["ru"][0]
    assert link.get_attribute("href").endswith("/article-ru/")
