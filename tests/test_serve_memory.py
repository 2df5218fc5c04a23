"""The dev server's site kept in memory (site_builder/livebuild.py): after edits of every kind it
equals a clean build byte for byte, and a burst of saves during a rebuild gives one consistent
site."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from site_builder.build import BuildOptions, build
from site_builder.core.errors import BuildFailed
from livereload.handlers import LiveReloadHandler

from site_builder.sources.fsevents import open_notifier
from site_builder.livebuild import LiveSite
from site_builder.serve import broadcast, rescanned, scan
from site_builder.outputs.render import theme_dir
from test_serve import LiveReloadClient, running_server, write_config, write_entry

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "http://127.0.0.1:8123/"
SEED = REPO / "seeds" / "000_a8b0fcfbf1680f64.txt"


def files_of(folder: Path) -> dict[str, bytes]:
    """Return every file below folder (relative path -> bytes), the search index's included."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file():
            files[rel] = path.read_bytes()
    return files


def clean_build(site: Path, out: Path, base_url: str = BASE_URL) -> dict[str, bytes]:
    """Return the files of a clean build of site with the dev server's base URL."""
    shutil.rmtree(out, ignore_errors=True)
    build(BuildOptions(site, base_url=base_url, output_dir=out, clean=True))
    return files_of(out)


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace text in a file, which must contain it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def live_site(tmp_path: Path) -> tuple[Path, LiveSite]:
    """Return a small site, built once by a LiveSite that keeps it in memory."""
    site = (tmp_path / "site").resolve()
    site.mkdir()
    write_config(site, "Diplomacy timeline")
    for number in range(6):
        write_entry(site, f"talks-{number}", f"2022-12-{10 + number}", f"Talks number {number}")
    live = LiveSite(BuildOptions(site, base_url=BASE_URL, output_dir=tmp_path / "dev"),
                    lambda: Path("content"))
    live.build(None, print, print)
    live.finish()
    return site, live


def test_the_site_in_memory_equals_a_clean_build_after_every_kind_of_edit(live_site, tmp_path):
    site, live = live_site
    content = site / "content" / "2022" / "12"
    entry = content / "talks-1.md"
    template = site / "templates" / "entry.html"

    def body_edit():
        replace_in(entry, "Body text of talks-1.", "Body text of talks-1, edited.")
        return {entry}

    def title_change():
        replace_in(entry, "title: Talks number 1", "title: Talks number one")
        return {entry}

    def date_change():
        replace_in(content / "talks-2.md", "date: 2022-12-12", "date: 2022-12-20")
        return {content / "talks-2.md"}

    def tag_change():
        replace_in(content / "talks-3.md", "tags: [russia, china]", "tags: [russia, india]")
        return {content / "talks-3.md"}

    def new_entry():
        return {write_entry(site, "summit", "2023-01-04", "A summit in January")}

    def deleted_entry():
        (content / "talks-4.md").unlink()
        return {content / "talks-4.md"}

    def renamed_file():
        renamed = content / "talks-five.md"
        (content / "talks-5.md").rename(renamed)
        return {content / "talks-5.md", renamed}

    def bad_front_matter():
        replace_in(content / "talks-0.md", "tags: [russia, china]", "tags: [russia, china")
        return {content / "talks-0.md"}

    def fixed_front_matter():
        replace_in(content / "talks-0.md", "tags: [russia, china", "tags: [russia, china, iran]")
        return {content / "talks-0.md"}

    def template_change():
        template.parent.mkdir(exist_ok=True)
        shutil.copy(theme_dir() / "entry.html", template)
        replace_in(template, "</article>", "<p>A word from the template.</p></article>")
        return {template}

    def config_change():
        replace_in(site / "sitegen.yaml", "title: Diplomacy timeline", "title: Diplomacy log")
        return {site / "sitegen.yaml"}

    def seed_added():
        (site / "seeds").mkdir()
        shutil.copy(SEED, site / "seeds" / SEED.name)
        return {site / "seeds" / SEED.name}

    def body_edit_after_all():
        replace_in(entry, "edited.", "edited twice.")
        return {entry}

    steps = [body_edit, title_change, date_change, tag_change, new_entry, deleted_entry,
             renamed_file, bad_front_matter, fixed_front_matter, template_change,
             config_change, seed_added, body_edit_after_all]
    dev = tmp_path / "dev"
    for step in steps:
        time.sleep(0.01)   # a new time stamp for every save
        changes = {str(path) for path in step()}
        if step is bad_front_matter:
            before = files_of(dev)
            with pytest.raises(BuildFailed) as failed:
                live.build(changes, print, print)
            assert "talks-0.md" in str(failed.value.errors[0])
            assert files_of(dev) == before, "a failed build changed the site"
            continue
        live.build(changes, print, print)
        live.finish()
        assert files_of(dev) == clean_build(site, tmp_path / "clean"), step.__name__
    assert b"edited twice" in files_of(dev)["2022/12/11/talks-1/index.html"]


def test_a_body_edit_builds_from_memory(live_site, tmp_path):
    site, live = live_site
    entry = site / "content" / "2022" / "12" / "talks-1.md"
    replace_in(entry, "Body text of talks-1.", "Body text, edited.")
    report = live.build({str(entry)}, print, print)
    steps = dict(report.steps)
    assert "scan" in steps and report.write.written == 2   # the page and the site feed
    assert report.rendered == 2
    assert live.memory.manifest is not None and live.memory.site is not None


def test_a_burst_of_saves_during_a_rebuild_gives_one_consistent_site(tmp_path):
    site = (tmp_path / "site").resolve()
    site.mkdir()
    write_config(site, "Diplomacy timeline")
    entries = [write_entry(site, f"talks-{n}", f"2022-{1 + n % 12:02d}-{1 + n % 28:02d}",
                           f"Talks number {n}") for n in range(120)]

    async def burst(port: int) -> list[dict]:
        client = LiveReloadClient(port)
        await client.connect()
        try:
            # the first save starts a rebuild; the others arrive while it runs
            for round_number in range(4):
                for path in entries[:10]:
                    text = path.read_text(encoding="utf-8")
                    path.write_text(text.replace("Body text", f"Round {round_number} body", 1)
                                    .replace(f"Round {round_number - 1} body",
                                             f"Round {round_number} body"), encoding="utf-8")
                await asyncio.sleep(0.12)
            return await client.reloads_within(8)
        finally:
            client.close()

    with running_server(site, tmp_path / "serve.log") as server:
        reloads = asyncio.run(burst(server.port))
        assert reloads, "no reload after the burst"
        dev = server.dev_dir()
        for path in entries[:10]:
            assert "Round 3 body" in server.page(page_of(path))
        served = files_of(dev)
    assert served == clean_build(site, tmp_path / "clean", f"http://127.0.0.1:{server.port}/")


def page_of(entry: Path) -> str:
    """Return the URL path of an entry written by write_entry (its date is its file's)."""
    text = entry.read_text(encoding="utf-8")
    date = text.split("date: ", 1)[1].split("\n", 1)[0]
    return f"/{date[:4]}/{date[5:7]}/{date[8:10]}/{entry.stem}/"


def test_inotify_events_update_the_snapshot_as_a_full_scan_would(tmp_path):
    site = (tmp_path / "site").resolve()
    site.mkdir()
    write_config(site, "Diplomacy timeline")
    first = write_entry(site, "talks-0", "2022-12-10", "Talks")
    second = write_entry(site, "talks-1", "2022-12-11", "More talks")
    roots = [site / "content", site / "seeds", site / "templates", site / "sitegen.yaml"]
    folders: set[str] = set()
    before = scan(site, roots, folders)
    notifier = open_notifier()
    assert notifier is not None, "no inotify on this system"
    try:
        assert notifier.watch(folders | {str(site)})
        first.write_text(first.read_text() + "More body.\n")
        second.unlink()
        replace_in(site / "sitegen.yaml", "Diplomacy timeline", "Diplomacy log")
        events, lost = notifier.wait(2.0)
        time.sleep(0.1)
        more, lost_more = notifier.wait(0)
        assert not lost and not lost_more
        assert rescanned(before, events + more, site, roots) == scan(site, roots)
        (site / "content" / "2023").mkdir()   # a new folder: only a full scan can tell
        events, _ = notifier.wait(2.0)
        assert rescanned(before, events, site, roots) is None
    finally:
        notifier.close()


def test_the_search_page_alone_hears_that_the_index_changed():
    class Waiter:
        def __init__(self, page_path):
            self.page_path, self.messages = page_path, []

        def write_message(self, message):
            self.messages.append(message)

    search, entry = Waiter("/search/"), Waiter("/2022/12/10/talks-0/")
    LiveReloadHandler.waiters.update({search, entry})
    try:
        broadcast({"command": "reload", "path": "/"}, page="/search/")
    finally:
        LiveReloadHandler.waiters.difference_update({search, entry})
    assert search.messages and not entry.messages


def test_the_templates_a_body_edit_renders_are_compiled_before_the_first_save(tmp_path,
                                                                             monkeypatch):
    import site_builder.build
    monkeypatch.setattr(site_builder.build, "RENDER_CHUNK", 1)   # rendered in forked workers,
    site = (tmp_path / "site").resolve()                          # as a large site's pages are
    site.mkdir()
    write_config(site, "Diplomacy timeline")
    write_entry(site, "talks", "2022-12-10", "Talks")
    live = LiveSite(BuildOptions(site, base_url=BASE_URL, output_dir=tmp_path / "dev", jobs=2),
                    lambda: Path("content"))
    live.build(None, print, print)
    assert "entry.html" not in {name for _, name in live.memory.theme[1].env.cache.keys()}
    live.finish()
    assert "entry.html" in {name for _, name in live.memory.theme[1].env.cache.keys()}
