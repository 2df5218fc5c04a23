"""Hardening: a link under content/, seeds/ or templates/ cannot carry a file from outside the
site folder into the published output (as Jekyll's safe mode refuses them on GitHub Pages).

Each hostile link (to a file, to a folder, to /proc/self/environ, a chain of links whose last
one leaves the site, a source folder that is itself a link) is tried through the real CLI:
build, check and import refuse it with one line naming the link and where it leads, and no byte
of the secret outside reaches public/. The dev server's watcher does not follow it, and the
server shows the build's error. Links that stay inside the site still work.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.serve import scan, watched_roots
from site_builder.core.config import load_config
from site_builder.sources.tree import scan_tree

REPO = Path(__file__).resolve().parent.parent
SECRET = "secret-marker-9c41d7"
ENV_SECRET = "environ-marker-3f08b2"   # in the build's environment, for /proc/self/environ
ENTRY = "---\ntitle: {title}\ndate: 2022-12-30\n---\n{body}\n"
RAW = f"date 2023-03-20 https://example.org/leak\nLeaked talks\nA lead {SECRET}.\nBody {SECRET}.\n"


def sitegen(site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real CLI on site, with a secret in its environment."""
    env = dict(os.environ, SITEGEN_TEST_SECRET=ENV_SECRET)
    return subprocess.run([sys.executable, "-m", "site_builder", args[0], "--site", str(site),
                           *args[1:]], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=env)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_site(root: Path) -> Path:
    """Write a site of one entry beside a folder of secrets; return the site folder."""
    site = root / "site"
    write(site / "content/2022/12/talks.md", ENTRY.format(title="Talks", body="Body."))
    write(site / "sitegen.yaml", "title: Links\nsearch: false\n")
    outside = root / "outside"
    write(outside / "secret.md", ENTRY.format(title=f"Leak {SECRET}", body=SECRET))
    write(outside / "secret.txt", RAW)
    write(outside / "secret.css", f"/* {SECRET} */")
    write(outside / "base.html", f"<p>{SECRET}</p>")
    write(outside / "folder/2022/leak.md", ENTRY.format(title=f"Leak {SECRET}", body=SECRET))
    write(outside / "folder/leak.txt", RAW)
    write(outside / "folder/leak.css", f"/* {SECRET} */")
    return site


def link(site: Path, rel: str, target: str) -> Path:
    """Make the link site/rel -> target (a path relative to the link's folder, or absolute)."""
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    path.symlink_to(target)
    return path


# (link under the site, its target, where it really leads, relative to the site's parent)
LINKS = {
    "entry file": ("content/leak.md", "../../outside/secret.md", "outside/secret.md"),
    "entry folder": ("content/more", "../../outside/folder", "outside/folder"),
    "raw article": ("seeds/leak.txt", "../../outside/secret.txt", "outside/secret.txt"),
    "seeds folder": ("seeds/more", "../../outside/folder", "outside/folder"),
    "template": ("templates/base.html", "../../outside/base.html", "outside/base.html"),
    "static file": ("templates/static/leak.css", "../../../outside/secret.css",
                    "outside/secret.css"),
    "static folder": ("templates/static/more", "../../../outside/folder", "outside/folder"),
    "the static folder itself": ("templates/static", "../../outside/folder", "outside/folder"),
    "the content folder itself": ("content", "../outside/folder", "outside/folder"),
    # content/chain.md -> notes/hop.md (inside the site) -> outside/secret.md
    "chain of links": ("content/chain.md", "../notes/hop.md", "outside/secret.md"),
    # a folder that holds the site: refused as leading out, not taken for a loop
    "a folder holding the site": ("content/up", "../..", "."),
}


def make_link(site: Path, case: str) -> Path:
    """Make the hostile link of one case in site; return the link."""
    rel, target, _ = LINKS[case]
    if case == "chain of links":
        link(site, "notes/hop.md", "../../outside/secret.md")
    if case == "the content folder itself":
        os.rename(site / "content", site / "content-moved")
    return link(site, rel, target)


def published(site: Path) -> bytes:
    """Return every byte of the site's output folder."""
    return b"".join(path.read_bytes() for path in sorted((site / "public").rglob("*"))
                    if path.is_file())


def refusals(done: subprocess.CompletedProcess) -> list[str]:
    """Return the lines of a run that refuse a link leading out of the site."""
    return [line for line in (done.stdout + done.stderr).splitlines()
            if "this link leads outside the site folder" in line]


@pytest.mark.parametrize("case", sorted(LINKS))
def test_build_and_check_refuse_a_link_out_of_the_site_and_publish_nothing(tmp_path, case):
    site = make_site(tmp_path)
    assert sitegen(site, "build").returncode == 0
    before = published(site)
    the_link = make_link(site, case)
    target = os.path.realpath(tmp_path / LINKS[case][2])
    for command in ("build", "check"):
        done = sitegen(site, command)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        shown = the_link.relative_to(site).as_posix()     # paths are named relative to the site
        assert refusals(done) == [f"{shown}: this link leads outside the site folder, to "
                                  f"{target} (copy the file into the site instead)"], done
    output = published(site)
    assert output == before, "a refused build leaves the last good site as it was"
    assert SECRET.encode() not in output


def test_a_link_to_proc_self_environ_never_publishes_the_environment(tmp_path):
    if not Path("/proc/self/environ").exists():
        pytest.skip("no /proc on this system")
    site = make_site(tmp_path)
    the_link = link(site, "templates/static/env.txt", "/proc/self/environ")
    for command in ("build", "check"):
        done = sitegen(site, command)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done
        (line,) = refusals(done)
        assert line.startswith(f"{the_link.relative_to(site).as_posix()}: this link leads outside the site folder, to /proc/")
        assert line.endswith("/environ (copy the file into the site instead)")
    assert not (site / "public").exists() or ENV_SECRET.encode() not in published(site)


def test_import_refuses_a_raw_article_linked_from_outside(tmp_path):
    site = make_site(tmp_path)
    make_link(site, "raw article")
    for paths in (["seeds"], ["seeds/leak.txt"]):
        done = sitegen(site, "import", *[str(site / p) for p in paths])
        assert done.returncode == 1 and "Traceback" not in done.stderr, done
        assert len(refusals(done)) == 1, done
    assert not any(SECRET in p.read_text() for p in (site / "content").rglob("*.md"))


def test_import_refuses_a_raw_article_named_through_a_linked_folder(tmp_path):
    # seeds/more/leak.txt is in the site by its name, outside it by where seeds/more leads
    site = make_site(tmp_path)
    make_link(site, "seeds folder")
    done = sitegen(site, "import", str(site / "seeds/more/leak.txt"))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done
    assert refusals(done) == [f"seeds/more/leak.txt: this link leads outside the site folder, "
                              f"to {os.path.realpath(tmp_path / 'outside/folder/leak.txt')} "
                              "(copy the file into the site instead)"], done
    assert not any(SECRET in p.read_text() for p in (site / "content").rglob("*.md"))


def test_import_refuses_an_entry_linked_from_outside(tmp_path):
    # import reads the entries already there (their slugs and sources) before it writes
    site = make_site(tmp_path)
    write(tmp_path / "raws/visit.txt", RAW.replace(SECRET, "plain"))
    make_link(site, "entry folder")
    done = sitegen(site, "import", str(tmp_path / "raws"))
    assert done.returncode == 1 and len(refusals(done)) == 1, done


def test_a_folder_given_to_import_from_outside_the_site_may_hold_links(tmp_path):
    # The user named that folder: the rule guards the site's own folders.
    site = make_site(tmp_path)
    write(tmp_path / "raws/real/visit.txt", RAW.replace(SECRET, "plain"))
    link(tmp_path, "raws/alias", "real")
    done = sitegen(site, "import", str(tmp_path / "raws" / "alias"))
    assert done.returncode == 0, done
    assert len(list((site / "content").rglob("*.md"))) == 2


def test_links_that_stay_inside_the_site_still_work(tmp_path):
    site = make_site(tmp_path)
    write(site / "notes/2023/visit.md", ENTRY.format(title="Visit", body="Inside.")
          .replace("2022-12-30", "2023-01-02"))
    write(site / "assets/extra.txt", "inside")
    link(site, "assets/hop.txt", "extra.txt")
    link(site, "content/notes", "../notes")
    link(site, "templates/static/extra.txt", "../../assets/hop.txt")   # a chain, all inside
    for command in ("build", "check"):
        done = sitegen(site, command)
        assert done.returncode == 0, done
    assert (site / "public/static/extra.txt").read_text() == "inside"
    assert b"Inside." in published(site)


def test_the_watcher_does_not_follow_a_link_out_of_the_site(tmp_path):
    site = make_site(tmp_path)
    for number in range(50):
        write(tmp_path / f"outside/folder/many/{number}.md", "x")
    make_link(site, "entry folder")
    link(site, "templates/static", "../../outside/folder")
    watched = scan(site, watched_roots(site, load_config(site)))
    assert "content/more" in watched and "templates/static" in watched   # removing them is a change
    assert not any(rel.startswith(("content/more/", "templates/static/")) for rel in watched)


def test_scan_tree_refuses_only_when_given_the_site(tmp_path):
    site = make_site(tmp_path)
    make_link(site, "entry folder")
    assert any(path.endswith("leak.md") for path in scan_tree(site / "content", ".md"))
    with pytest.raises(Exception, match="leads outside the site folder"):
        scan_tree(site / "content", ".md", site)


def test_the_template_loader_refuses_a_template_leading_out_of_the_site(tmp_path):
    # The build's scan refuses it first; the loader holds even for a link made after the scan.
    from site_builder.outputs.render import make_environment
    site = make_site(tmp_path)
    make_link(site, "template")
    env = make_environment(site / "templates", site)
    with pytest.raises(Exception, match="leads outside the site folder"):
        env.get_template("base.html")
    assert SECRET in make_environment(site / "templates").get_template("base.html").render()
