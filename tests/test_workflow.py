"""Tests for the GitHub Pages workflows: this repository's own and the one `sitegen init` writes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from site_builder.scaffold import starter_text

REPO = Path(__file__).resolve().parent.parent
REPO_WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
BUILD_LINE = 'sitegen build --base-url "${{ steps.pages.outputs.base_url }}/"'
# The current major version of each action (checked against their releases, 2026).
ACTIONS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/configure-pages": "v6",
    "actions/cache": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}
HASH_RE = re.compile(r"\$\{\{ hashFiles\(([^)]*)\) \}\}")


def load(text: str) -> dict:
    """Return a workflow parsed with PyYAML (which reads the key 'on' as True)."""
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True)
    return workflow


WORKFLOWS = {"repository": load(REPO_WORKFLOW.read_text(encoding="utf-8")),
             "starter": load(starter_text("pages.yml"))}


def steps(workflow: dict, job: str) -> list[dict]:
    """Return the steps of one job."""
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict, job: str, action: str) -> dict:
    """Return the one step of a job that uses an action."""
    (step,) = [s for s in steps(workflow, job) if s.get("uses", "").startswith(action + "@")]
    return step


def step_running(workflow: dict, job: str, command: str) -> dict:
    """Return the one step of a job whose run script contains command."""
    (step,) = [s for s in steps(workflow, job) if command in s.get("run", "")]
    return step


def build_command(workflow: dict) -> str:
    """Return the workflow's `sitegen build` line."""
    (line,) = [line.strip() for line in step_running(workflow, "build", "sitegen build")["run"]
               .splitlines() if line.strip().startswith("sitegen build")]
    return line


@pytest.fixture(params=sorted(WORKFLOWS))
def workflow(request: pytest.FixtureRequest) -> dict:
    return WORKFLOWS[request.param]


def test_triggers_permissions_and_concurrency(workflow: dict) -> None:
    assert workflow["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_two_jobs_build_then_deploy_to_the_pages_environment(workflow: dict) -> None:
    assert set(workflow["jobs"]) == {"build", "deploy"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages",
                                     "url": "${{ steps.deployment.outputs.page_url }}"}
    assert step_using(workflow, "deploy", "actions/deploy-pages")["id"] == "deployment"


def test_actions_are_at_their_current_major_versions(workflow: dict) -> None:
    used = {s["uses"].split("@")[0]: s["uses"].split("@")[1]
            for job in workflow["jobs"] for s in steps(workflow, job) if "uses" in s}
    assert used == ACTIONS
    python = step_using(workflow, "build", "actions/setup-python")["with"]["python-version"]
    assert python == "3.12"


def test_the_base_url_comes_from_configure_pages(workflow: dict) -> None:
    build = steps(workflow, "build")
    pages = step_using(workflow, "build", "actions/configure-pages")
    assert pages["id"] == "pages"
    assert build_command(workflow) == BUILD_LINE
    assert build.index(pages) < build.index(step_running(workflow, "build", "sitegen build"))
    upload = step_using(workflow, "build", "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "public/"


def test_the_build_cache_can_never_be_stale(workflow: dict) -> None:
    build = steps(workflow, "build")
    cache = step_using(workflow, "build", "actions/cache")
    assert cache["with"]["path"] == ".sitegen-cache"
    key, restore = cache["with"]["key"], cache["with"]["restore-keys"].strip()
    assert key.endswith("-${{ github.run_id }}")
    assert restore == key.removesuffix("${{ github.run_id }}")
    (hashed,) = HASH_RE.findall(key)
    globs = [g.strip().strip("'") for g in hashed.split(",")]
    assert {"templates/**", "sitegen.yaml"} <= set(globs)
    assert build.index(cache) < build.index(step_running(workflow, "build", "sitegen build"))
    install = step_running(workflow, "build", "pip install")
    assert build.index(install) < build.index(cache)


def test_the_repository_workflow_installs_and_keys_on_this_checkout() -> None:
    workflow = WORKFLOWS["repository"]
    assert step_running(workflow, "build", "pip install")["run"] == 'python -m pip install ".[search]"'
    key = step_using(workflow, "build", "actions/cache")["with"]["key"]
    (hashed,) = HASH_RE.findall(key)
    assert [g.strip().strip("'") for g in hashed.split(",")] == [
        "pyproject.toml", "site_builder/**", "templates/**", "sitegen.yaml"]


def test_the_starter_workflow_installs_sitegen_package_and_keys_on_its_code() -> None:
    workflow = WORKFLOWS["starter"]
    assert workflow["env"] == {"SITEGEN_PACKAGE": "sitegen[search]"}
    assert "SITEGEN_PACKAGE" in starter_text("pages.yml").split("env:")[1].split("jobs:")[0]
    install = step_running(workflow, "build", "pip install")
    assert install["run"] == 'python -m pip install "$SITEGEN_PACKAGE"'
    fingerprint = step_running(workflow, "build", "GITHUB_OUTPUT")
    assert fingerprint["id"] == "sitegen"
    key = step_using(workflow, "build", "actions/cache")["with"]["key"]
    assert key.startswith("sitegen-${{ steps.sitegen.outputs.fingerprint }}-")


def test_the_starter_fingerprint_step_runs(tmp_path: Path) -> None:
    script = step_running(WORKFLOWS["starter"], "build", "GITHUB_OUTPUT")["run"]
    output = tmp_path / "output"
    env = dict(os.environ, GITHUB_OUTPUT=str(output))
    subprocess.run(["bash", "-e", "-c", script], check=True, env=env, cwd=tmp_path,
                   capture_output=True, timeout=60)
    assert re.fullmatch(r"fingerprint=[0-9a-f]{16}\n", output.read_text())


def test_the_readme_documents_the_workflow_build_command() -> None:
    readme = REPO / "README.md"
    assert readme.is_file(), "README.md is missing"
    line = build_command(WORKFLOWS["repository"])
    assert line in readme.read_text(encoding="utf-8"), \
        f"README.md should show the workflow's build command: {line}"
