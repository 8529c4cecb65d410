"""The Control Tower rules run where they can find something, with the same findings as every rule."""

from __future__ import annotations

import json
import platform
import stat
import subprocess
import tarfile
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from cdk_constructs import control_tower_guard as guard
from cdk_constructs.control_tower import GUARD_PACK
from tests.conftest import Synthesized

# A template that breaks rules of three services, and names a type no rule checks.
NON_COMPLIANT = {
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Database": {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {"Engine": "postgres", "BackupRetentionPeriod": 0, "Port": 5432},
        },
        "Function": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "h.h", "Role": "arn:aws:iam::1:role/r", "Code": {}},
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
    }
}


def test_every_bundled_rule_is_read_with_the_types_it_names():
    rules = guard.rule_types()
    assert len(rules) == 237
    assert rules["ct-rds-pr-1"] >= {"AWS::RDS::DBInstance"}
    # Rules spell types in both quotes: 'AWS::AutoScaling::LaunchConfiguration'.
    assert rules["ct-autoscaling-pr-5"] == {"AWS::AutoScaling::LaunchConfiguration"}


def test_a_rule_is_left_out_only_when_none_of_its_types_is_present():
    off = set(guard.not_applicable(frozenset({"AWS::S3::Bucket"})))
    assert "ct-rds-pr-1" in off and "ct-s3-pr-1" not in off
    # A rule about two types runs when one of them is present.
    two = next(name for name, types in guard.rule_types().items() if {"AWS::RDS::DBInstance"} < types)
    assert two not in set(guard.not_applicable(frozenset({"AWS::RDS::DBInstance"})))
    # Nothing present: every rule that names a type is left out, none that names none.
    assert len(guard.not_applicable(frozenset())) == sum(1 for t in guard.rule_types().values() if t)


def _cfn_guard(tmp_path: Path) -> tuple[Path, Path]:
    """The plugin's own cfn-guard binary and rules, unpacked from its package."""
    arch = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[platform.machine()]
    with tarfile.open(guard._package_tarball()) as package:
        members = [
            m
            for m in package.getmembers()
            if m.name == f"package/bin/ubuntu/{arch}/cfn-guard" or m.name.startswith(guard.RULES_IN_PACKAGE)
        ]
        package.extractall(tmp_path, members=members, filter="data")
    binary = tmp_path / f"package/bin/ubuntu/{arch}/cfn-guard"
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary, tmp_path / guard.RULES_IN_PACKAGE


def _not_compliant(binary: Path, rules: list[Path], templates: list[Path]) -> dict[str, list]:
    args = [str(binary), "validate", "--output-format", "json", "--show-summary", "none", "--structured"]
    args += [a for r in rules for a in ("--rules", str(r))] + [a for t in templates for a in ("--data", str(t))]
    results = json.loads(subprocess.run(args, capture_output=True, text=True, check=False, timeout=300).stdout)
    return {Path(r["name"]).name: r["not_compliant"] for r in results}


def test_the_applicable_rules_find_what_every_rule_finds(synth: Synthesized, tmp_path: Path):
    binary, rules_dir = _cfn_guard(tmp_path / "guard")
    broken = tmp_path / "broken.template.json"
    broken.write_text(json.dumps(NON_COMPLIANT))
    (data,) = (synth.outdir / "assembly-prod").glob("prodData*.template.json")
    templates = [broken, data]
    every = sorted(rules_dir.rglob("*.guard"))
    off = set(guard.not_applicable(guard.template_types(map(str, templates))))
    applicable = [r for r in every if r.stem not in off]
    assert 0 < len(applicable) < len(every) / 2
    found = _not_compliant(binary, every, templates)
    assert found == _not_compliant(binary, applicable, templates)
    broken_rules = {r["Rule"]["name"] for r in found[broken.name]}
    expected = {"s3_bucket_logging_enabled_check", "rds_instance_backup_enabled_check", "lambda_inside_vpc_check"}
    assert expected <= broken_rules


def test_the_plugin_reports_a_finding_inside_an_app(tmp_path: Path):
    app = cdk.App(
        outdir=str(tmp_path / "cdk.out"), post_cli_context={"@aws-cdk/core:failSynthOnValidationErrors": True}
    )
    cdk.Validations.of(app).add_plugins(guard.ApplicableControlTowerRules())
    s3.Bucket(cdk.Stack(app, "Probe"), "Unlogged")
    with pytest.raises(Exception, match=f"Acknowledge with '{GUARD_PACK}::s3_bucket_logging_enabled_check'"):
        app.synth()
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == GUARD_PACK]
    assert "s3_bucket_logging_enabled_check" in {v["ruleName"] for v in plugin["violations"]}
