"""A one-entry edit's `sitegen build` does no work whose inputs did not change: the event links
are checked again only when some front matter changed, the raw articles' URL keys are made only
for a URL not found as written, and edtf is imported only for an event date beyond a plain day,
month or year."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import site_builder.build as build_module
from site_builder.build import BuildOptions, build
from site_builder.core.errors import BuildFailed
from helpers import write_entry

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_a8b0fcfbf1680f64.txt"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a small built site with a raw article imported from seeds/."""
    root = tmp_path / "site"
    (root / "seeds").mkdir(parents=True)
    (root / "sitegen.yaml").write_text("title: T\nbase_url: https://example.org/\nsearch: false\n",
                                       encoding="utf-8")
    shutil.copy(SEED, root / "seeds" / SEED.name)
    write_entry(root, "talks", "2022-12-10", ("russia",))
    write_entry(root, "more-talks", "2022-12-11", ("china",))
    build(BuildOptions(root))
    return root


def counting(monkeypatch, name: str) -> list:
    """Count the calls of build.<name> from now on; return the list the calls go to."""
    calls, original = [], getattr(build_module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, name, counted)
    return calls


def edit(path: Path, old: str, new: str) -> None:
    """Replace old by new in the file at path."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_body_edit_checks_no_event_links_and_makes_no_url_keys(site, monkeypatch):
    link_checks = counting(monkeypatch, "event_link_errors")
    url_keys = counting(monkeypatch, "url_key")
    entry = site / "content" / "2022" / "12" / "talks.md"
    edit(entry, "Body text.", "Body text, edited.")
    report = build(BuildOptions(site))
    assert report.write.written >= 1
    assert link_checks == [], "the links are front matter: none changed"
    assert url_keys == [], "the raw article's URL is its entry's, as written"

    edit(entry, "lead: Lead of talks.", "lead: Lead of talks, edited.")
    build(BuildOptions(site))
    assert len(link_checks) == 1, "a front matter edit checks the links again"


def test_a_broken_link_after_a_good_build_is_still_refused(site):
    entry = site / "content" / "2022" / "12" / "talks.md"
    edit(entry, "---\n\n", "same_event_as: no-such-entry\n---\n\n")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(site))
    assert "no-such-entry" in str(failed.value.errors[0])
    edit(entry, "Body text.", "Body text, edited.")   # a body edit after the failed build
    with pytest.raises(BuildFailed):
        build(BuildOptions(site))


def test_loading_the_build_imports_no_edtf():
    code = ("import sys, site_builder.cli, site_builder.build, site_builder.cache; "
            "from site_builder.core.eventdates import parse_event_date; "
            "parse_event_date('2022-12'); print('edtf' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, check=True).stdout.strip()
    assert loaded == "False"
    code = "from site_builder.core.eventdates import parse_event_date; print(parse_event_date('2022-12~'))"
    assert "approximate=True" in subprocess.run([sys.executable, "-c", code], capture_output=True,
                                                text=True, cwd=REPO, check=True).stdout
