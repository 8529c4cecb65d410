"""The pull-request workflow: it parses, runs on every pull request, pins every action to a commit,
runs the README's two commands, cfn-lint, the artifact, the job summary, and a diff that is
skipped with a message when no AWS credentials are configured."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


@pytest.fixture(scope="module")
def steps(workflow) -> list[dict]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", readme, re.S)
    assert block, "the README's 'Two commands' section has a sh block"
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_it_runs_on_every_pull_request(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert (triggers["pull_request"] or {}).get("paths") is None  # every pull request, not some
    assert workflow["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_commit_with_its_version_named(steps):
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), use
    for line in WORKFLOW.read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+(\.\d+)*$", line), line


def test_python_311_and_the_readme_commands_in_order(steps):
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11"
    commands = readme_commands()
    assert commands == ["make synth", "make test"]
    runs = [s.get("run", "").strip() for s in steps]
    assert "make test" in runs and "make synth" in runs
    assert runs.index("make test") < runs.index("make synth")


def test_makefile_synth_writes_the_reports_after_synthesis():
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^synth:.*?\n((?:\t.*\n)+)", makefile, re.M)[1]
    lines = [line.strip() for line in target.splitlines()]
    synth = next(i for i, line in enumerate(lines) if "$(CDK) synth" in line)
    assert lines[synth + 1].startswith("@$(BIN)/python -m tools.report cdk.out")


def test_cfn_lint_artifact_and_summary(steps):
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "cfn-lint --config-file .cfnlintrc.yaml" in runs
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", "") and "compliance" in s["run"])
    assert summary["if"] == "always()"
    assert "cdk.out/compliance/*/summary.md" in summary["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "project/cdk.out" and upload["if"] == "always()"


def test_cdk_diff_runs_only_with_credentials_and_says_why_it_is_skipped(steps):
    diff = next(s for s in steps if "make diff" in s.get("run", ""))
    assert "AWS_DIFF_ROLE_ARN != ''" in diff["if"] and "steps.changes.outputs.stacks == 'true'" in diff["if"]
    credentials = next(
        s
        for s in steps
        if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
        and "AWS_DIFF_ROLE_ARN" in s["with"]["role-to-assume"]
    )
    assert credentials["if"] == diff["if"]
    skipped = next(s for s in steps if s.get("name") == "cdk diff skipped")
    assert "AWS_DIFF_ROLE_ARN == ''" in skipped["if"]
    assert "cdk diff skipped: no AWS credentials configured" in skipped["run"]
    # Secrets never appear in a run script (they are passed through env).
    assert all("secrets." not in s.get("run", "") for s in steps)


def test_actionlint_finds_nothing():
    """actionlint (requirements-dev.txt) checks expressions, contexts, action inputs and job structure."""
    actionlint = Path(sys.executable).parent / "actionlint"
    assert actionlint.exists(), "actionlint is installed by make setup (requirements-dev.txt)"
    done = subprocess.run([str(actionlint), "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("steps.changes.outputs.stacks", "steps.changez.outputs.stacks", 1))
    actionlint = Path(sys.executable).parent / "actionlint"
    done = subprocess.run([str(actionlint), "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "changez" in done.stdout


def test_one_repository_no_shared_checkout(steps):
    """The catalogue is part of the repository: no second checkout, no LED_SHARED_REPOSITORY."""
    text = WORKFLOW.read_text()
    assert "LED_SHARED_REPOSITORY" not in text and "../" + "shared" not in text
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 1 and "repository" not in checkouts[0].get("with", {})


def test_access_analyzer_checks_run_only_with_credentials_and_say_why(steps):
    check = next(s for s in steps if "tools.access_checks" in s.get("run", ""))
    assert check["if"] == "env.AWS_POLICY_CHECK_ROLE_ARN != ''"
    assert check["run"].strip() == ".venv/bin/python -m tools.access_checks cdk.out"
    credentials = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert any(
        c["if"] == check["if"] and "AWS_POLICY_CHECK_ROLE_ARN" in c["with"]["role-to-assume"] for c in credentials
    )
    skipped = next(s for s in steps if s.get("name") == "IAM Access Analyzer checks skipped")
    assert skipped["if"] == "env.AWS_POLICY_CHECK_ROLE_ARN == ''"
    assert "IAM Access Analyzer checks skipped: no AWS credentials configured" in skipped["run"]
    # After synthesis, which writes the templates the checks read.
    runs = [s.get("run", "").strip() for s in steps]
    assert runs.index("make synth") < runs.index(check["run"].strip())


def test_make_test_runs_the_quality_gates_first():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: lint$", makefile, re.M)
    lint = re.search(r"^lint:.*?\n((?:\t.*\n)+)", makefile, re.M)[1]
    assert "ruff check ." in lint and "ruff format --check ." in lint and "mypy $(LINT_PATHS)" in lint
    assert "LINT_PATHS := config contract policies led_ops tools stacks cdk_constructs" in makefile
