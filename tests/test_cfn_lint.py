"""cfn-lint over every template of the session's synthesis: zero errors and zero warnings.

The rules switched off, each with its reason, are in .cfnlintrc.yaml; the pull-request workflow
runs cfn-lint with the same file over cdk.out/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".cfnlintrc.yaml"
CFN_LINT = Path(sys.executable).with_name("cfn-lint")


def test_every_ignored_rule_is_listed_with_a_reason():
    text = CONFIG.read_text()
    ignored = yaml.safe_load(text).get("ignore_checks", [])
    lines = text.splitlines()
    for rule in ignored:
        index = lines.index(f"  - {rule}")
        assert lines[index - 1].lstrip().startswith("#"), f"{rule} is ignored without a reason above it"
        assert rule in "\n".join(lines[max(0, index - 8) : index]), f"the reason above {rule} does not name it"


def test_cfn_lint_finds_no_error_and_no_warning(synth):
    templates = sorted(str(p) for p in synth.outdir.glob("assembly-*/*.template.json"))
    assert len(templates) >= 15, templates
    result = subprocess.run(
        [
            str(CFN_LINT),
            "--config-file",
            str(CONFIG),
            "--format",
            "json",
            "--non-zero-exit-code",
            "none",
            "--",
            *templates,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout or "[]")
    problems = [
        f"{f['Rule']['Id']} {f['Filename']}: {f['Message']}" for f in findings if f["Level"] in ("Error", "Warning")
    ]
    assert problems == [], "\n".join(problems)
