"""Lighthouse (npm lighthouse, on Debian's Chromium): accessibility and best practices at 100,
on a phone and a desktop, for every kind of page."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ARTIFACTS, SEED_PATH

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import reader_figures  # noqa: E402

CATEGORIES = ("accessibility", "best-practices")
KINDS = ("home", "entry", "tag", "tags index", "year", "month", "day", "search", "countries",
         "country", "relations", "relation", "404")


@pytest.mark.parametrize("form", ["phone", "desktop"])
@pytest.mark.parametrize("kind", KINDS)
def test_lighthouse_scores_100(site, figures, tmp_path, kind, form):
    path = SEED_PATH if kind == "entry" else reader_figures.page_kinds(site.public)[kind]
    try:
        result = reader_figures.lighthouse(site.url(path), tmp_path / "report.json",
                                           desktop=form == "desktop", categories=CATEGORIES)
    except RuntimeError as error:
        pytest.fail(str(error))
    assert not result.get("runtimeError"), result.get("runtimeError")
    scores = reader_figures.scores(result)
    name = f"{kind.replace(' ', '-')}-{form}"
    figures.setdefault("lighthouse", {})[name] = scores
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"lighthouse-{name}.json").write_text(json.dumps(result), encoding="utf-8")
    for category in CATEGORIES:
        assert scores[category] == 100, (category, reader_figures.failing_audits(result, category))
