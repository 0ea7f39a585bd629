"""The GitHub Pages workflow builds the site the way the README says and deploys that folder."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml
from glasslab.cli import build_parser

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def uses(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def commands(job: dict) -> list[list[str]]:
    """Every shell command of the job's run steps, split into words."""
    return [
        shlex.split(line)
        for step in job["steps"]
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip()
    ]


def test_runs_on_push_to_main_and_by_hand(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


def test_permissions_and_concurrency(workflow):
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"] == "pages"


def test_build_job_installs_and_builds_without_a_mirror(workflow):
    build = workflow["jobs"]["build"]
    (python,) = uses(build, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"
    (node,) = uses(build, "actions/setup-node")
    assert str(node["with"]["node-version"]) == "20"
    cmds = commands(build)
    assert ["pip", "install", "-e", ".[dev]"] in cmds
    assert ["npm", "ci", "--ignore-scripts"] in cmds
    builds = [c for c in cmds if c[:4] == ["python", "-m", "glasslab", "build"]]
    assert len(builds) == 1
    assert "--mirror" not in builds[0]
    assert "GLASSLAB_MIRROR" not in WORKFLOW.read_text()
    # installed before it builds, and every action is one of GitHub's own
    order = [tuple(c) for c in cmds]
    assert order.index(("npm", "ci", "--ignore-scripts")) < order.index(tuple(builds[0]))
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].startswith("actions/"), step["uses"]
                assert "@v" in step["uses"], step["uses"]


def test_uploads_the_folder_the_build_writes(workflow):
    build = workflow["jobs"]["build"]
    (command,) = [c for c in commands(build) if c[:4] == ["python", "-m", "glasslab", "build"]]
    args = build_parser().parse_args(command[3:])
    default = build_parser().parse_args(["build"]).out
    assert Path(default) == ROOT / "dist"
    (upload,) = uses(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "dist"
    # the folder built (relative to the checkout) is the folder uploaded, and it is the default
    assert (ROOT / args.out).resolve() == (ROOT / upload["with"]["path"]).resolve()
    assert (ROOT / args.out).resolve() == Path(default).resolve()
    steps = build["steps"]
    assert uses(build, "actions/configure-pages")
    assert steps.index(uses(build, "actions/configure-pages")[0]) < steps.index(upload)


def test_deploy_job_deploys_the_artifact(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" or deploy["needs"] == ["build"]
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = uses(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"
