"""Tests for the GitHub Pages workflows: this repository's own and the one `sitegen init` writes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from site_builder.scaffold import starter_text

REPO = Path(__file__).resolve().parent.parent
REPO_WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
TESTS_WORKFLOW = REPO / ".github" / "workflows" / "tests.yml"
DEPENDABOT = REPO / ".github" / "dependabot.yml"
BUILD_LINE = 'sitegen build --base-url "$BASE_URL/"'
BASE_URL = "${{ steps.pages.outputs.base_url }}"
# The current release of each action and its commit (checked against their releases, 2026).
ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/configure-pages": ("45bfe0192ca1faeb007ade9deae92b16b8254a0d", "v6.0.0"),
    "actions/cache": ("55cc8345863c7cc4c66a329aec7e433d2d1c52a9", "v6.1.0"),
    "actions/upload-pages-artifact": ("fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"),
    "actions/deploy-pages": ("368f82528645a54fb793d4d04e342629a3f51346", "v5.0.1"),
}
HASH_RE = re.compile(r"\$\{\{ hashFiles\(([^)]*)\) \}\}")
USES_RE = re.compile(r"^\s*(?:- )?uses: (\S+)@(\S+)(.*)$", re.MULTILINE)


def load(text: str) -> dict:
    """Return a workflow parsed with PyYAML (which reads the key 'on' as True)."""
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True)
    return workflow


TEXTS = {"repository": REPO_WORKFLOW.read_text(encoding="utf-8"),
         "starter": starter_text("pages.yml")}
WORKFLOWS = {name: load(text) for name, text in TEXTS.items()}


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
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_only_the_deploy_job_may_publish_or_request_a_token(workflow: dict) -> None:
    # A build step (sitegen, pip, a template) never holds the token that can deploy the site.
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_checkout_keeps_no_credentials(workflow: dict) -> None:
    assert step_using(workflow, "build", "actions/checkout")["with"] == {
        "persist-credentials": False}


@pytest.mark.parametrize("name", sorted(TEXTS) + ["tests"])
def test_no_expression_is_expanded_inside_a_script(name: str) -> None:
    text = TEXTS.get(name) or TESTS_WORKFLOW.read_text(encoding="utf-8")
    workflow = load(text)
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step


def test_two_jobs_build_then_deploy_to_the_pages_environment(workflow: dict) -> None:
    assert set(workflow["jobs"]) == {"build", "deploy"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages",
                                     "url": "${{ steps.deployment.outputs.page_url }}"}
    assert step_using(workflow, "deploy", "actions/deploy-pages")["id"] == "deployment"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_actions_are_pinned_by_commit_at_their_current_releases(name: str) -> None:
    used = {action: (ref, comment.strip()) for action, ref, comment in USES_RE.findall(TEXTS[name])}
    assert used == {action: (commit, f"# {version}") for action, (commit, version) in ACTIONS.items()}
    python = step_using(WORKFLOWS[name], "build", "actions/setup-python")["with"]["python-version"]
    assert python == "3.12"


def test_the_tests_workflow_pins_the_same_commits() -> None:
    used = USES_RE.findall(TESTS_WORKFLOW.read_text(encoding="utf-8"))
    pins = {**ACTIONS, "actions/setup-node": ("820762786026740c76f36085b0efc47a31fe5020", "v7.0.0")}
    assert {action for action, _, _ in used} == {
        "actions/checkout", "actions/setup-python", "actions/setup-node"}
    for action, ref, comment in used:
        commit, version = pins[action]
        assert (ref, comment.strip()) == (commit, f"# {version}")


def test_the_tests_workflow_runs_the_readme_command_and_the_portable_matrix() -> None:
    workflow = load(TESTS_WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {}
    everything, portable = workflow["jobs"]["everything"], workflow["jobs"]["portable"]
    assert [s["run"] for s in everything["steps"] if "run" in s] == ["./scripts/test.sh -q"]
    assert "./scripts/test.sh" in (REPO / "README.md").read_text(encoding="utf-8")
    assert portable["strategy"]["matrix"] == {
        "os": ["ubuntu-latest", "macos-latest", "windows-latest"],
        "python": ["3.11", "3.12", "3.13"]}
    runs = [s["run"] for s in portable["steps"] if "pytest" in s.get("run", "")]
    assert runs and all("--ignore=tests/browser" in run for run in runs)
    for job in (everything, portable):
        assert job["permissions"] == {"contents": "read"}
        assert job["steps"][0]["with"] == {"persist-credentials": False}


def test_dependabot_keeps_the_pins_current_in_the_repository_and_new_sites() -> None:
    assert DEPENDABOT.read_text(encoding="utf-8") == starter_text("dependabot.yml")
    config = yaml.safe_load(starter_text("dependabot.yml"))
    (update,) = config["updates"]
    assert config["version"] == 2
    assert update["package-ecosystem"] == "github-actions" and update["directory"] == "/"


def lay_out_starter(root: Path) -> Path:
    """Write the starter's workflow and Dependabot config where `sitegen init` puts them."""
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "pages.yml").write_text(starter_text("pages.yml"))
    (root / ".github" / "dependabot.yml").write_text(starter_text("dependabot.yml"))
    return root / ".github"


def zizmor_command() -> str:
    """Return the zizmor installed beside this Python (a test dependency), or the one on PATH."""
    beside = Path(sys.executable).with_name("zizmor.exe" if os.name == "nt" else "zizmor")
    found = str(beside) if beside.exists() else shutil.which("zizmor")
    assert found, "zizmor is not installed: pip install -e '.[test]'"
    return found


@pytest.mark.parametrize("where", ["repository", "starter"])
def test_zizmor_finds_nothing_even_as_an_auditor(tmp_path: Path, where: str) -> None:
    # The auditor persona reports every finding, the pedantic ones and those the default
    # persona holds back. Only .github/zizmor.yml may silence one, and each with its reason.
    assert [p.relative_to(REPO).as_posix() for p in REPO.glob("**/*zizmor.y*ml")
            if ".venv" not in p.parts and "node_modules" not in p.parts] == [".github/zizmor.yml"]
    folder = REPO / ".github" if where == "repository" else lay_out_starter(tmp_path)
    done = subprocess.run([zizmor_command(), "--offline", "--persona=auditor", "--no-progress",
                           "--color=never",   # CI=true makes it colour a pipe
                           "--format=plain", str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    ignored = "(1 ignored)" if where == "repository" else ""
    assert done.stdout.strip() == f"No findings to report. Good job! {ignored}".strip(), done.stdout


def test_every_zizmor_finding_that_stays_has_its_reason() -> None:
    lines = (REPO / ".github" / "zizmor.yml").read_text(encoding="utf-8").splitlines()
    config = yaml.safe_load("\n".join(lines))
    ignored = [(rule, entry) for rule, body in config["rules"].items() for entry in body["ignore"]]
    assert ignored == [("unpinned-images", "tests.yml")]
    for number, line in enumerate(lines):
        if line.strip().startswith("- "):
            assert lines[number - 1].strip().startswith("#"), f"no reason above: {line}"


def test_the_base_url_comes_from_configure_pages(workflow: dict) -> None:
    build = steps(workflow, "build")
    pages = step_using(workflow, "build", "actions/configure-pages")
    assert pages["id"] == "pages"
    assert build_command(workflow) == BUILD_LINE
    assert step_running(workflow, "build", "sitegen build")["env"] == {"BASE_URL": BASE_URL}
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
    assert step_running(workflow, "build", "pip install")["run"] == 'python -m pip install "."'
    key = step_using(workflow, "build", "actions/cache")["with"]["key"]
    (hashed,) = HASH_RE.findall(key)
    assert [g.strip().strip("'") for g in hashed.split(",")] == [
        "pyproject.toml", "site_builder/**", "templates/**", "sitegen.yaml"]


def test_the_starter_workflow_installs_sitegen_package_and_keys_on_its_code() -> None:
    workflow = WORKFLOWS["starter"]
    assert workflow["env"] == {"SITEGEN_PACKAGE": "sitegen"}
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
