"""The dated register of accepted risks (VTC-RISK-ACCEPTED, §56): owner, accepted and review-by
dates at synthesis, recorded in the assembly; the gate refuses an expired, an unmatched and an
unregistered acknowledgement; the compliance report shows the days left until each review."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from cdk_nag import AwsSolutionsChecks

import app as led_app
from cdk_constructs import risk as risk_module
from cdk_constructs.risk import accept_risk
from contract.artefacts import VALIDATION_FILE
from policies import VtcChecks, gate
from policies.risks import REGISTER_FILE, RiskRegisterError, accepted_risks, latest_review, load_register
from tests.risk_cases import OFFICER, register_of
from tests.rules import FB_KEY, REGION, WORKLOAD
from tools import report as report_tool

RULE = "VTC::VTC-AUDIT-TRAIL-RETENTION"
REASON = "A test log group whose one-day retention is the accepted risk under test."
HEAD = f"risk register error: test-risks.toml: acknowledgement {RULE} at Synth/Group: risk 'short-retention'"


def small_stack(tmp_path: Path) -> tuple[cdk.App, cdk.Stack]:
    app = cdk.App(outdir=str(tmp_path), post_cli_context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    env = cdk.Environment(account=WORKLOAD, region=REGION)
    return app, cdk.Stack(app, "Synth", env=env, description="LED test: the risk register. Serves VTC-RISK-ACCEPTED.")


# At synthesis ---------------------------------------------------------------------------------


def test_an_acknowledgement_lands_in_the_assembly_with_its_owner_and_dates(tmp_path):
    app, stack = small_stack(tmp_path)
    group = logs.CfnLogGroup(stack, "Group", kms_key_id=FB_KEY, retention_in_days=1)
    accept_risk(
        group, RULE, REASON, risk="short-retention", register=register_of(**{"short-retention": {"rules": [RULE]}})
    )
    app.synth()
    (record,) = accepted_risks(tmp_path, set())
    assert (record.path, record.rule, record.reason, record.risk) == ("Synth/Group", RULE, REASON, "short-retention")
    assert record.owner == OFFICER
    assert (record.accepted, record.review_by) == (date(2026, 12, 2), date(2027, 6, 1))
    assert record.days_left(date(2027, 5, 30)) == 2 and record.days_left(date(2027, 6, 3)) == -2
    # It is construct metadata of the stack: in the stack's metadata file, not in the template.
    assert "led:accepted-risk" not in (tmp_path / "Synth.template.json").read_text()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"owner": ""}, f"{HEAD}: field 'owner': it is missing; allowed: ahovoks-security-officer"),
        ({"owner": "cronos"}, f"{HEAD}: field 'owner': got 'cronos'; allowed: ahovoks-security-officer"),
        ({"accepted": None}, f"{HEAD}: field 'accepted' is missing; allowed: a date YYYY-MM-DD"),
        ({"review_by": "2027-02-30"}, f"{HEAD}: field 'review_by': got '2027-02-30'; allowed: a date YYYY-MM-DD"),
        ({"accepted": "2/12/2026"}, f"{HEAD}: field 'accepted': got '2/12/2026'; allowed: a date YYYY-MM-DD"),
        (
            {"review_by": date(2026, 12, 1)},
            f"{HEAD}: field 'review_by': got 2026-12-01, not after accepted 2026-12-02; allowed: a date after "
            "'accepted'",
        ),
        (
            {"review_by": date(2027, 12, 3)},
            f"{HEAD}: field 'review_by': got 2027-12-03, more than 12 months after accepted 2026-12-02; "
            "allowed: at the latest 2027-12-02",
        ),
        (
            {"rules": ["VTC::VTC-AUDIT-TRAIL"]},
            f"{HEAD} does not cover {RULE}; allowed: VTC::VTC-AUDIT-TRAIL (add the rule to the risk's 'rules' "
            "only if its owner accepts it)",
        ),
    ],
    ids=["no-owner", "unknown-owner", "no-accepted", "bad-date", "not-iso", "review-before", "review-too-late", "rule"],
)
def test_a_bad_register_entry_is_one_line_naming_rule_and_construct(tmp_path, fields, expected):
    _, stack = small_stack(tmp_path)
    group = logs.CfnLogGroup(stack, "Group", kms_key_id=FB_KEY, retention_in_days=1)
    register = register_of(**{"short-retention": {"rules": [RULE], **fields}})
    with pytest.raises(RiskRegisterError) as raised:
        accept_risk(group, RULE, REASON, risk="short-retention", register=register)
    assert str(raised.value) == expected
    assert not [m for m in group.node.metadata if m.type == "led:accepted-risk"]  # nothing recorded


def test_an_unknown_risk_and_an_acknowledgement_outside_a_stack_are_refused(tmp_path):
    app, stack = small_stack(tmp_path)
    group = logs.CfnLogGroup(stack, "Group", kms_key_id=FB_KEY, retention_in_days=1)
    register = register_of(**{"short-retention": {"rules": [RULE]}})
    with pytest.raises(
        RiskRegisterError, match=r"risk 'short-retenion' is not in the register; allowed: short-retention$"
    ):
        accept_risk(group, RULE, REASON, risk="short-retenion", register=register)
    with pytest.raises(RiskRegisterError, match="at Stage: allowed: a construct inside a stack"):
        accept_risk(cdk.Stage(app, "Stage"), RULE, REASON, risk="short-retention", register=register)


def test_the_latest_review_is_twelve_months_after_acceptance():
    assert latest_review(date(2026, 12, 2)) == date(2027, 12, 2)
    assert latest_review(date(2028, 2, 29)) == date(2029, 2, 28)
    assert latest_review(date(2026, 1, 31)) == date(2027, 1, 31)


def test_the_project_register_is_valid_and_every_risk_is_used_by_the_landing_zone(synth):
    register = load_register()
    used = {r.risk for r in accepted_risks(synth.outdir, set(synth.config.environments))}
    # Used only with keys.origin = "EXTERNAL_KEY_STORE" (tests/fixtures/xks.toml, tests/test_xks.py).
    xks_only = {r for r in register.entries if r.startswith("xks-")}
    assert used == set(register.entries) - xks_only, "a risk no acknowledgement uses: drop it from policies/risks.toml"
    for risk_id, entry in register.entries.items():
        risk = register.risk(risk_id, rule=entry["rules"][0], where="test")
        assert risk.accepted <= date(2026, 12, 2) < risk.review_by <= latest_review(risk.accepted)
        assert risk.owner.party in ("AHOVOKS", "Facilitair Bedrijf")
    # The key custody account's risks are FB's to accept.
    fb = {r.risk for r in accepted_risks(synth.outdir, set()) if "/KeyCustody" in r.path}
    assert fb and all(register.entries[r]["owner"] == "fb-key-custodian" for r in fb)


def test_an_unreadable_register_file_is_one_line(tmp_path):
    bad = tmp_path / "risks.toml"
    bad.write_text("[risks.x]\naccepted = 2026-13-01\n")
    with pytest.raises(RiskRegisterError, match=r"^risk register error: .*risks.toml: .*") as raised:
        load_register(bad)
    assert "\n" not in str(raised.value)


def test_the_app_prints_one_line_and_synthesizes_nothing_when_a_review_is_too_late(tmp_path, monkeypatch, capsys):
    text = re.sub(
        r"(\[risks\.database-default-port\][^\[]*?review_by = )\S+", r"\g<1>2028-06-01", REGISTER_FILE.read_text()
    )
    (tmp_path / "risks.toml").write_text(text)
    broken = load_register(tmp_path / "risks.toml")
    monkeypatch.setattr(risk_module, "default_register", lambda: broken)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "out"))
    assert led_app.main() == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        "risk register error: risks.toml: acknowledgement AwsSolutions::AwsSolutions-RDS11 at "
        "dev/Data/Database/Instance/Resource: risk 'database-default-port': field 'review_by': got 2028-06-01, "
        "more than 12 months after accepted 2026-12-01; allowed: at the latest 2027-12-01"
    )
    assert not (tmp_path / "out" / "manifest.json").exists()


# The gate -------------------------------------------------------------------------------------


def test_the_landing_zone_passes_and_lists_owner_and_review(synth, capsys):
    assert gate.main([str(synth.outdir), "--today", "2026-12-02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Accepted risks (VTC-RISK-ACCEPTED) on 2026-12-02: ")
    assert (
        "  AwsSolutions::AwsSolutions-RDS3 at dev/Data/Database/Instance/Resource: Single-AZ in an environment "
        "that holds no personal data"
    ) in out
    assert (
        "[risk single-az-without-personal-data, owner AHOVOKS information security officer (the controller's), "
        "accepted 2026-12-01, review by 2027-06-01, 181 day(s) left]"
    ) in out
    # The day of the earliest review (policies/risks.toml) itself still passes; the day after does not.
    earliest = min(r.review_by for r in accepted_risks(synth.outdir, set()) if r.review_by)
    assert str(earliest) == "2027-05-29"
    assert gate.main([str(synth.outdir), "--today", "2027-05-29"]) == 0
    assert gate.main([str(synth.outdir), "--today", "2027-05-30"]) == 1


def test_an_acknowledgement_past_its_review_fails_the_gate(synth, capsys):
    assert gate.main([str(synth.outdir), "--today", "2027-06-02"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        "gate: accepted risk AwsSolutions::AwsSolutions-RDS3 at dev/Data/Database/Instance/Resource (risk "
        "'single-az-without-personal-data', owner AHOVOKS information security officer (the controller's)) was due "
        "for review on 2027-06-01 (1 day(s) ago, today 2027-06-02): review it with its owner and renew "
        "accepted/review_by in policies/risks.toml, or fix the finding (VTC-RISK-ACCEPTED)"
    ) in err
    # Only the risks due on 2027-06-01 or earlier; those due later still pass.
    assert all("was due for review on 2027-0" in line for line in err)
    assert not any("database-default-port" in line for line in err)


def test_a_bad_today_is_refused(synth, capsys):
    with pytest.raises(SystemExit) as exited:
        gate.main([str(synth.outdir), "--today", "2027-13-01"])
    assert exited.value.code == 2
    assert "argument --today: got '2027-13-01'; allowed: a date YYYY-MM-DD" in capsys.readouterr().err


def test_a_mistyped_and_an_unregistered_acknowledgement_fail_the_gate(tmp_path, capsys):
    """cdk-nag drops an acknowledgement whose id matches no finding without a word; CDK's own
    acknowledge() has no owner. Synthesis passes (both findings are suppressed); the gate does not."""
    app, stack = small_stack(tmp_path)
    statement = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::led-dev-exit/*"])
    policy = iam.ManagedPolicy(stack, "Policy", statements=[statement])
    other = iam.ManagedPolicy(stack, "Other", statements=[statement])
    register = register_of(**{"test-risk": {"rules": ["AwsSolutions::AwsSolutions-IAM5"]}})
    found = "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::led-dev-exit/*]"
    mistyped = "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::led-dev-exit*]"
    reason = "The exit drill reads every object of the one exit bucket; a test of the register."
    accept_risk(policy, found, reason, risk="test-risk", register=register)
    accept_risk(policy, mistyped, reason, risk="test-risk", register=register)
    cdk.Validations.of(other).acknowledge(cdk.Acknowledgment(id=found, reason=reason))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), VtcChecks(app))
    app.synth()
    report = json.loads((tmp_path / VALIDATION_FILE).read_text())
    nag = next(p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions")
    assert nag["violations"] == [] and len(nag["suppressedViolations"]) == 2
    assert gate.main([str(tmp_path), "--today", "2026-12-02"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"gate: accepted risk {mistyped} at Synth/Policy (risk 'test-risk', owner AHOVOKS information security "
        "officer (the controller's)) matches no suppressed finding in validation-report.json: the rule id is "
        "mistyped or the finding is gone; allowed: an acknowledgement that suppresses a finding (fix the id or "
        "drop it)",
        f"gate: AwsSolutions: {found} suppressed at Synth/Other outside the risk register (no owner, no dates): "
        "acknowledge through cdk_constructs/risk.py accept_risk(..., risk=<id of policies/risks.toml>)",
    ]


# The compliance report -------------------------------------------------------------------------


def _rds3(report: dict) -> dict:
    return next(r for r in report["accepted_risks"] if r["rule"] == "AwsSolutions-RDS3")


def test_the_report_lists_owner_dates_and_days_left(cdk_out):
    inputs = report_tool.load_inputs(cdk_out, today=date(2026, 12, 2))
    dev = report_tool.write_reports(cdk_out, inputs)["dev"]
    assert dev["accepted_risks_as_of"] == "2026-12-02"
    assert all(r["owner"] and r["review_by"] and r["days_left"] >= 0 for r in dev["accepted_risks"])
    row = _rds3(dev)
    assert {k: row[k] for k in ("risk", "owner", "owner_party", "accepted", "review_by", "days_left")} == {
        "risk": "single-az-without-personal-data",
        "owner": "AHOVOKS information security officer (the controller's)",
        "owner_party": "AHOVOKS",
        "accepted": "2026-12-01",
        "review_by": "2027-06-01",
        "days_left": 181,
    }
    markdown = (cdk_out / "compliance" / "dev" / "report.md").read_text()
    assert "| owner | accepted | review by | days left |" in markdown
    assert "| AHOVOKS information security officer (the controller's) | 2026-12-01 | 2027-06-01 | 181 |" in markdown
    html = (cdk_out / "compliance" / "dev" / "report.html").read_text()
    assert "<th>review by</th><th>days left</th>" in html and "<td>181</td>" in html


def test_the_report_marks_an_overdue_review_and_fails_the_risk_condition(cdk_out, capsys):
    assert report_tool.main([str(cdk_out), "--today", "2027-06-02"]) == 0
    dev = json.loads((cdk_out / "compliance" / "dev" / "report.json").read_text())
    assert _rds3(dev)["days_left"] == -1
    risk = next(r for r in dev["conditions"] if r["id"] == "VTC-RISK-ACCEPTED")
    assert risk["status"] == "failing" and "are past their review-by date" in risk["note"]
    assert risk["gate_checks"]["acknowledgements_past_review"] > 0
    assert "| 2027-06-01 | 1 day(s) overdue |" in (cdk_out / "compliance" / "dev" / "report.md").read_text()
