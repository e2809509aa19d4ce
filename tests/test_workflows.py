"""The GitHub workflows, Dependabot config and PR template are valid and do what we rely on.

Validated against the GitHub workflow and Dependabot JSON schemas that check-jsonschema ships
(no network). actionlint is not installable on these machines (its PyPI wrapper downloads the
binary at build time), so it does not run here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step]


def runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
    ],
)
def test_files_validate_against_their_schema(schema: str, paths: list[Path]) -> None:
    assert paths
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_publishes_main_with_the_official_pages_actions() -> None:
    workflow = load(GITHUB / "workflows" / "deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert {
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= set(uses(workflow))
    setup = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements.txt"
    assert "paperkb build" in runs(workflow)
    # The site is built for its Pages URL, which configure-pages reports before the build.
    (pages,) = jobs["pages"]["steps"]
    assert pages["uses"].startswith("actions/configure-pages@") and pages["id"] == "pages"
    assert jobs["pages"]["outputs"]["base_url"] == "${{ steps.pages.outputs.base_url }}"
    assert jobs["build"]["needs"] == "pages" and jobs["deploy"]["needs"] == "build"
    site = next(s for s in jobs["build"]["steps"] if "paperkb build" in s.get("run", ""))
    assert site["env"]["SITE_URL"] == "${{ needs.pages.outputs.base_url }}"


def test_pull_requests_run_every_check_and_summarize_the_content_change() -> None:
    workflow = load(GITHUB / "workflows" / "pull-request.yml")
    assert "pull_request" in workflow["on"]
    commands = runs(workflow)
    assert "bash .ci/run" in commands  # lint, types, all tests incl. browser tests
    assert "paperkb check" in commands
    assert "paperkb build --strict" in commands
    assert 'paperkb diff "origin/$BASE_REF" >> "$GITHUB_STEP_SUMMARY"' in commands
    assert "actions/upload-artifact" in uses(workflow)
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the diff needs the base branch


def test_the_ci_script_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "    ./scripts/test\n" in readme
    assert "    ./scripts/build\n" in readme
    assert "\n./scripts/test\n" in ci
    assert "set -euo pipefail" in ci


def test_pr_template_and_dependabot_cover_pip_actions_and_npm() -> None:
    assert "permalinks.tsv" in (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    ecosystems = {u["package-ecosystem"] for u in load(GITHUB / "dependabot.yml")["updates"]}
    assert ecosystems == {"pip", "github-actions", "npm"}


def test_fetch_runs_daily_checks_and_opens_one_pull_request_with_least_privilege() -> None:
    workflow = load(GITHUB / "workflows" / "fetch.yml")
    assert [s["cron"] for s in workflow["on"]["schedule"]] == ["17 6 * * *"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {}  # nothing outside the job
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    commands = [step.get("run", "") for step in job["steps"]]
    order = [
        next(i for i, c in enumerate(commands) if needle in c)
        for needle in (
            ".venv/bin/paperkb fetch",
            ".venv/bin/paperkb generate",
            "bash .ci/run",
            ".venv/bin/paperkb check",
            'paperkb diff "origin/$BASE"',
        )
    ]
    assert order == sorted(order)  # fetch, register ids, check, then describe the change
    pr = job["steps"][-1]
    assert pr["uses"].startswith("peter-evans/create-pull-request@")
    # The checkout keeps no token: the push uses the one given to the action, explicitly.
    assert pr["with"]["token"] == "${{ secrets.PAPERKB_PR_TOKEN || secrets.GITHUB_TOKEN }}"
    assert pr["with"]["body-path"].endswith("/pull-request-body.md")
    # Day files and the registry only: never a temporary file a killed fetch left.
    assert set(pr["with"]["add-paths"].split()) == {
        "data/records/hub/*.json",
        "data/permalinks.tsv",
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "PAPERKB_PR_TOKEN" in readme


# --- supply chain (issue 22) ----------------------------------------------------------------

#: ``uses: owner/repo[/path]@<commit> # vX.Y.Z``: a full commit SHA, the tag it is in a comment.
PINNED = re.compile(
    r"^\s*(?:- )?uses: (?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})"
    r" # (?P<tag>v[0-9]+(?:\.[0-9]+)*)$"
)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_tag_in_a_comment(path: Path) -> None:
    text = path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in text if re.match(r"\s*(?:- )?uses:", line)]
    assert len(lines) == len(uses(load(path)))
    for line in lines:
        assert PINNED.match(line), f"{path.name}: not pinned by commit: {line.strip()}"


def test_one_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if found := PINNED.match(line):
                pins.setdefault(found["action"], set()).add((found["sha"], found["tag"]))
    assert pins and all(len(found) == 1 for found in pins.values()), pins


def test_the_pin_check_refuses_tags_branches_and_short_shas() -> None:
    for line in (
        "      - uses: actions/checkout@v4",
        "      - uses: actions/checkout@main",
        "      - uses: actions/checkout@11d5960 # v4.4.0",
        "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262",
        "        uses: actions/checkout@11d5960a326750d5838078e36cf38b85af67726Z # v4",
    ):
        assert PINNED.match(line) is None, line
    good = "        uses: actions/deploy-pages@cd2ce8fcbc39b97be8ca5fce6e763baed58fa128 # v5.0.0"
    assert PINNED.match(good)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_keeps_no_token_and_every_job_states_its_permissions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}  # nothing granted beyond what a job states
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} states no permissions"
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, (path.name, name)


def test_each_job_holds_only_the_permissions_it_uses() -> None:
    jobs = {
        (path.name, name): job["permissions"]
        for path in WORKFLOWS
        for name, job in load(path)["jobs"].items()
    }
    assert jobs == {
        ("deploy.yml", "pages"): {"pages": "read"},  # configure-pages reads the Pages URL
        ("deploy.yml", "build"): {"contents": "read"},  # runs paperkb: reads, no more
        ("deploy.yml", "deploy"): {"pages": "write", "id-token": "write"},  # no project code
        ("fetch.yml", "fetch"): {"contents": "write", "pull-requests": "write"},
        ("pull-request.yml", "check"): {"contents": "read"},
        ("pull-request.yml", "engines"): {"contents": "read"},  # builds with ProperDocs too
    }
    deploy = load(GITHUB / "workflows" / "deploy.yml")["jobs"]
    assert [s.get("uses", "").split("@")[0] for s in deploy["deploy"]["steps"]] == [
        "actions/deploy-pages"
    ]
    assert [s.get("uses", "").split("@")[0] for s in deploy["pages"]["steps"]] == [
        "actions/configure-pages"
    ]


def test_every_install_is_from_the_lock_file_with_hashes() -> None:
    venv = (ROOT / "scripts" / "venv.sh").read_text(encoding="utf-8")
    assert "--require-hashes" in venv and "-r requirements.txt" in venv
    assert "--no-deps -e ." in venv.replace("--no-build-isolation ", "")
    for path in WORKFLOWS:
        commands = runs(load(path))
        assert "pip install" not in commands, path.name  # scripts/venv.sh does it
        assert "scripts/venv.sh" in commands or "bash .ci/run" in commands, path.name
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "./scripts/test" in ci and 'source "$(dirname "$0")/venv.sh"' in test


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    pins: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=[a-z0-9])", lock):
        head = block.split("\n", 1)[0]
        if head.startswith("#") or not head.strip():
            continue
        name, _, version = head.split(" ", 1)[0].partition("==")
        assert version, f"not pinned: {head}"
        assert "--hash=sha256:" in block, f"no hash: {head}"
        pins.setdefault(name, []).append(version)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    for requirement in wanted:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.txt"
    assert pins["mkdocs-material"] == ["9.8.2"]  # overrides/partials/header.html is its copy
    assert all(version.startswith("1.") for version in pins["mkdocs"])  # mkdocs<2
    assert "setuptools" in pins  # the build backend, for the install without resolving
    assert "huggingface-hub" not in pins


def test_the_version_is_one_and_has_its_release_in_the_changelog() -> None:
    """pyproject, the package and ``--version`` say one version: the changelog's newest release."""
    import generator

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)
    assert releases, "CHANGELOG.md has no '## X.Y.Z — YYYY-MM-DD' release heading"
    assert project["version"] == generator.__version__ == releases[0][0]
    assert "## Unreleased" in changelog.split(f"## {releases[0][0]}")[0]
