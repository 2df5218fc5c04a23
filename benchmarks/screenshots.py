"""Screenshots of a large timeline for the README, in Debian's Chromium.

Takes a site built for the /reader/ path (benchmarks/reader.py's OUT/site, or any site built with
`--base-url http://127.0.0.1:PORT/reader/`), or generates benchmarks/generate.py's corpus and
builds it with search, serves it like GitHub Pages (as benchmarks/reader.py does) and writes a
viewport-sized shot of the home page, the largest tag's page, the newest year's page and the
search page showing a query's results, each on a phone (360×800) and a desktop (1280×900), in
light and dark, as OUT/reader-<page>-<width>-<scheme>.png (16 files; PNGs optimised by Pillow
when it is installed). --readme-home also writes the README's top pair (home-1280-light.png,
home-360-dark.png) from the same shots.

    python benchmarks/screenshots.py --site /tmp/reader/site               # a built site
    python benchmarks/screenshots.py --build /tmp/shots --entries 10000    # generate and build
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

import reader_figures as figures

SUB_PATH = "reader"
WIDTHS = {360: figures.PHONE, 1280: figures.DESKTOP}
SCHEMES = ("light", "dark")
QUERY = " ".join(figures.QUERY)
README_HOME = ("home-1280-light.png", "home-360-dark.png")


def build_corpus(folder: Path, entries: int, base: str) -> Path:
    """Return the site folder of benchmarks/generate.py's corpus, written under folder and built
    with search for base."""
    figures.generate.write_corpus(folder / "corpus", entries)
    site = folder / "corpus" / "sitegen"
    (site / "sitegen.yaml").write_text("title: Diplomacy timeline\nsearch: true\n",
                                       encoding="utf-8")
    figures.build(site, base)
    return site


def pages(public: Path) -> dict[str, str]:
    """Return the path below the site root of each page shot: the tag with most entries, the
    newest year."""
    by_count = (public / "tags" / "by-count.html").read_text(encoding="utf-8")
    tag = re.search(r'href="[^"]*/(tags/[^/"]+/)"', by_count).group(1)
    year = max(p.name for p in public.glob("[0-9]" * 4) if p.is_dir())
    return {"home": "", "tag": tag, "year": f"{year}/", "search": "search/"}


def show(page, url: str, kind: str) -> None:
    """Open url and wait until it is settled: for the search page, QUERY typed and its results
    shown."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if kind == "search":
        page.locator("#q").fill(QUERY)
        page.wait_for_function("""query => {
            const results = document.querySelector('#search-results');
            return results && results.getAttribute('data-query') === query
                && results.querySelector('a');
        }""", arg=QUERY, timeout=60_000)
        page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(300)


def optimise(path: Path) -> None:
    """Rewrite the PNG at path with Pillow's optimize, when Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        image.load()
    image.save(path, optimize=True)


def shoot(browser, base: str, public: Path, out: Path) -> list[Path]:
    """Write the 16 shots into out; return their paths."""
    written = []
    for width, viewport in WIDTHS.items():
        for scheme in SCHEMES:
            context = browser.new_context(viewport=viewport, color_scheme=scheme,
                                          is_mobile=width < 1000, has_touch=width < 1000)
            context.set_default_timeout(60_000)
            page = context.new_page()
            for kind, path in pages(public).items():
                show(page, base + path, kind)
                target = out / f"reader-{kind}-{width}-{scheme}.png"
                page.screenshot(path=str(target), full_page=False)
                optimise(target)
                written.append(target)
            context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Build if asked, serve, shoot; print each file written with its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--site", type=Path, help="a site folder built for /reader/ (has public/)")
    where.add_argument("--build", type=Path, help="generate the corpus and build it in here")
    parser.add_argument("--entries", type=int, default=10_000, help="with --build")
    parser.add_argument("--out", type=Path, default=figures.REPO / "docs" / "screenshots")
    parser.add_argument("--readme-home", action="store_true",
                        help="also write " + " and ".join(README_HOME))
    args = parser.parse_args(argv)
    site = args.site or args.build / "corpus" / "sitegen"
    served = tempfile.TemporaryDirectory(prefix="screenshots-")
    server, base, _ = figures.serve(site / "public", SUB_PATH, Path(served.name))
    if args.build:
        build_corpus(args.build, args.entries, base)
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=figures.CHROMIUM,
                                             args=figures.CHROMIUM_ARGS)
        written = shoot(browser, base, site / "public", args.out)
        browser.close()
    server.shutdown()
    served.cleanup()
    if args.readme_home:
        for name in README_HOME:
            kind, width, scheme = name.removesuffix(".png").split("-")
            shutil.copyfile(args.out / f"reader-{kind}-{width}-{scheme}.png", args.out / name)
            written.append(args.out / name)
    for path in written:
        print(f"{path}  {path.stat().st_size / 1000:,.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
