"""The GitHub workflows, Dependabot config and PR template are valid and do what we rely on.

Validated against the GitHub workflow and Dependabot JSON schemas that check-jsonschema ships
(no network). actionlint is not installable on these machines (its PyPI wrapper downloads the
binary at build time), so it does not run here.
"""

from __future__ import annotations

import subprocess
import sys
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
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert {
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    } <= set(uses(workflow))
    setup = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    assert "paperkb build" in runs(workflow)
    # The site is built for its Pages URL, which configure-pages reports before the build.
    build = steps(workflow)
    pages = next(i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/conf"))
    site = next(i for i, s in enumerate(build) if "paperkb build" in s.get("run", ""))
    assert pages < site
    assert build[pages]["id"] == "pages"
    assert build[site]["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}"


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


def test_pr_template_and_dependabot_cover_pip_and_actions() -> None:
    assert "permalinks.tsv" in (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    ecosystems = {u["package-ecosystem"] for u in load(GITHUB / "dependabot.yml")["updates"]}
    assert ecosystems == {"pip", "github-actions"}


def test_fetch_runs_daily_checks_and_opens_one_pull_request_with_least_privilege() -> None:
    workflow = load(GITHUB / "workflows" / "fetch.yml")
    assert [s["cron"] for s in workflow["on"]["schedule"]] == ["17 6 * * *"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}  # nothing more outside the job
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
    assert pr["uses"] == "peter-evans/create-pull-request@v7"  # pinned by major, as the others
    assert pr["with"]["token"] == "${{ secrets.PAPERKB_PR_TOKEN || secrets.GITHUB_TOKEN }}"
    assert pr["with"]["body-path"].endswith("/pull-request-body.md")
    assert set(pr["with"]["add-paths"].split()) == {"data/records/hub/", "data/permalinks.tsv"}
    assert all("@" in step["uses"] for step in job["steps"] if "uses" in step)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "PAPERKB_PR_TOKEN" in readme
