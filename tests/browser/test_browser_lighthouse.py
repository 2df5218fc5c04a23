"""Lighthouse (npm lighthouse, on Debian's Chromium): accessibility and best practices at 100."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ARTIFACTS, CHROMIUM_ARGS, SEED_PATH, TOOLS, environment_for_lighthouse

LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("accessibility", "best-practices")


def run_lighthouse(node: str, url: str, report) -> dict:
    """Run Lighthouse on url (desktop, offline-safe flags); return its JSON report."""
    if not LIGHTHOUSE.is_file():
        pytest.fail(f"{LIGHTHOUSE} is missing: npm ci --prefix tests/tools")
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    done = subprocess.run(
        [node, str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}", "--preset=desktop",
         f"--chrome-flags={flags}", "--max-wait-for-load=20000"],
        capture_output=True, text=True, timeout=180, env=environment_for_lighthouse(), check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8"))


def failing_audits(result: dict, category: str) -> list[str]:
    """Return 'id: title' of each weighted audit of category that did not pass."""
    failing = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            failing.append(f"{ref['id']}: {audit['title']}")
    return failing


@pytest.mark.parametrize("name,path", [("home", ""), ("entry", SEED_PATH)])
def test_lighthouse_scores_100(site, node, figures, tmp_path, name, path):
    result = run_lighthouse(node, site.url(path), tmp_path / f"{name}.json")
    assert not result.get("runtimeError"), result.get("runtimeError")
    scores = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
    figures.setdefault("lighthouse", {})[name] = scores
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"lighthouse-{name}.json").write_text(json.dumps(result), encoding="utf-8")
    for category in CATEGORIES:
        assert scores[category] == 100, (category, failing_audits(result, category))
