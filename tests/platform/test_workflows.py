"""The GitHub Actions workflows cannot run here, so lint and validate them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load(name):
    return yaml.safe_load((ROOT / ".github/workflows" / name).read_text())


def test_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "deploy.yml", "linkcheck.yml"}


def test_actionlint_passes():
    exe = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint is not installed; run `make install-test` (it comes from the [test] extra)")
    proc = subprocess.run([exe, *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_the_github_schema():
    exe = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_make_test_on_prs_and_pushes():
    ci = load("ci.yml")
    triggers = ci[True] if True in ci else ci["on"]  # YAML 1.1 reads `on:` as True
    assert "pull_request" in triggers and "push" in triggers
    steps = [s.get("run", "") for s in ci["jobs"]["test"]["steps"]]
    assert any(r.startswith("make test") for r in steps)
    assert ci["permissions"] == {"contents": "read"}


def test_deploy_publishes_with_least_privilege():
    dep = load("deploy.yml")
    assert dep["permissions"] == {"contents": "read"}          # default for every job
    assert dep["concurrency"]["group"] == "pages"
    uses = [s.get("uses", "") for job in dep["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert dep["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build_runs = [s.get("run", "") for s in dep["jobs"]["build"]["steps"]]
    assert any(r.startswith("make book") for r in build_runs)


def test_linkcheck_is_scheduled():
    lc = load("linkcheck.yml")
    triggers = lc[True] if True in lc else lc["on"]
    assert "schedule" in triggers
    assert any("make linkcheck" in s.get("run", "") for s in lc["jobs"]["linkcheck"]["steps"])
