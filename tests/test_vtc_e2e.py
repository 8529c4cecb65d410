"""End to end through the CDK CLI: an app with one violation of every VTC rule fails `cdk synth`,
and the output names every rule id with its paragraph. One CLI run for all rules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policies import RULES

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "tests" / "fixtures" / "violations_app"


@pytest.fixture(scope="module")
def violations_synth(tmp_path_factory) -> subprocess.CompletedProcess:
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    if not cdk.exists() and shutil.which("cdk") is None:
        pytest.fail("the CDK CLI is not installed: run make setup")
    outdir = tmp_path_factory.mktemp("violations.out")
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        [
            str(cdk) if cdk.exists() else "cdk",
            "synth",
            "--no-notices",
            "--no-version-reporting",
            "--quiet",
            "-o",
            str(outdir),
        ],
        cwd=APP,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_synth_fails(violations_synth):
    assert violations_synth.returncode != 0, violations_synth.stdout[-2000:]


@pytest.mark.parametrize("rule", RULES, ids=[r.rule_id for r in RULES])
def test_output_names_the_rule_and_its_paragraph(rule, violations_synth):
    output = violations_synth.stdout + violations_synth.stderr
    assert f"{rule.rule_id} (VTC advice 01/2018 {rule.paragraph})" in output, output[-3000:]
