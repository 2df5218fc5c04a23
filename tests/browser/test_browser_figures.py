"""The figures the browser tests measure land in one file, whichever pytest-xdist workers
measured them (no browser needed)."""

from __future__ import annotations

import json

import conftest


def written(folder) -> dict:
    """Return the figures file's content."""
    return json.loads((folder / "browser-figures.json").read_text(encoding="utf-8"))


def test_the_workers_of_one_run_add_up_and_a_later_run_starts_anew(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "ARTIFACTS", tmp_path)
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "run-1")
    conftest.write_figures({"filter_ms": {"median_ms": 20}})
    conftest.write_figures({"search_ms": {"median_ms": 30}})
    assert written(tmp_path) == {"filter_ms": {"median_ms": 20}, "search_ms": {"median_ms": 30},
                                 "run": "run-1"}
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "run-2")
    conftest.write_figures({"search_ms": {"median_ms": 40}})
    assert written(tmp_path) == {"search_ms": {"median_ms": 40}, "run": "run-2"}


def test_a_run_in_one_process_writes_its_own_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "ARTIFACTS", tmp_path)
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    conftest.write_figures({"filter_ms": {"median_ms": 20}})
    conftest.write_figures({"search_ms": {"median_ms": 30}})
    assert written(tmp_path) == {"search_ms": {"median_ms": 30}}
